"""The local-model card's layout: run and step boxes, "Show" (reads the player's step), the figures."""
from __future__ import annotations

from dash import dcc, html

from webapp.i18n import t

__all__ = ["local_model_card"]

EMPTY = {"data": [], "layout": {"height": 40, "xaxis": {"visible": False}, "yaxis": {"visible": False}}}


def local_model_card(lang: str = "en") -> html.Details:
    number = dict(type="number", step=1, debounce=True, className="param-number")
    return html.Details([
        html.Summary([html.Span(t("local_model.title", lang), className="bench-title"),
                      html.Span(" " + t("local_model.summary", lang), className="maps-summary-note")]),
        html.P(t("local_model.hint", lang), className="hint"),
        html.Div([
            html.Label(t("local_model.run", lang), htmlFor="local-run", className="param-label"),
            dcc.Input(id="local-run", value=1, **number),
            html.Label(t("local_model.step", lang), htmlFor="local-step", className="param-label"),
            dcc.Input(id="local-step", value=0, **number),
            html.Button(t("local_model.show", lang), id="local-show", n_clicks=0, className="button small",
                        title=t("local_model.show_title", lang)),
        ], className="start-row"),
        html.Div(id="local-message", className="control-notice", role="status"),
        html.P(id="local-verdict", className="local-verdict", **{"aria-live": "polite"}),
        dcc.Graph(id="local-graph", config={"displaylogo": False, "displayModeBar": False}, figure=EMPTY),
        dcc.Graph(id="local-slice", config={"displaylogo": False, "displayModeBar": False}, figure=EMPTY),
    ], id="local-details", className="card bench-card local-card")
