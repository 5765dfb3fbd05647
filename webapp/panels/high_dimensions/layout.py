"""The high-dimensions card's layout: the chance of a minimum by N, and the cost table at N parameters."""
from __future__ import annotations

from dash import dcc, html

from webapp.i18n import t

__all__ = ["high_dimensions_card", "DEFAULT_N"]

DEFAULT_N = 1e8


def high_dimensions_card(lang: str = "en") -> html.Details:
    return html.Details([
        html.Summary([html.Span(t("high_dimensions.title", lang), className="bench-title"),
                      html.Span(" " + t("high_dimensions.summary", lang), className="maps-summary-note")],
                     id="hd-summary", n_clicks=0),
        html.P(t("high_dimensions.hint", lang), className="hint"),
        dcc.Graph(id="hd-chance", config={"displaylogo": False, "displayModeBar": False},
                  figure={"data": [], "layout": {"height": 60, "xaxis": {"visible": False},
                                                 "yaxis": {"visible": False}}}),
        html.Div([
            html.Label(t("high_dimensions.n", lang), htmlFor="hd-n", className="param-label"),
            dcc.Input(id="hd-n", type="number", value=DEFAULT_N, step="any", debounce=True,
                      className="param-number"),
            html.Span(t("high_dimensions.machine", lang), className="hint"),
        ], className="start-row"),
        html.Div(id="hd-message", className="control-notice", role="status"),
        html.Div(id="hd-costs"),
    ], id="hd-details", className="card bench-card hd-card")
