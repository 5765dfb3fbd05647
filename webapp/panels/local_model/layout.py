"""The local-model card's layout: run and step boxes, "Show" (reads the player's step), the figures."""
from __future__ import annotations

from dash import dcc, html

__all__ = ["local_model_card"]

EMPTY = {"data": [], "layout": {"height": 40, "xaxis": {"visible": False}, "yaxis": {"visible": False}}}


def local_model_card() -> html.Details:
    number = dict(type="number", step=1, debounce=True, className="param-number")
    return html.Details([
        html.Summary([html.Span("Local model", className="bench-title"),
                      html.Span(" what first- and second-order methods see at a point",
                                className="maps-summary-note")]),
        html.P("A first-order method follows the linear model (a plane: downhill, but how far?); Newton jumps to "
               "the stationary point of the quadratic Taylor model, which is a minimum only where the Hessian is "
               "positive definite.", className="hint"),
        html.Div([
            html.Label("run", htmlFor="local-run", className="param-label"),
            dcc.Input(id="local-run", value=1, **number),
            html.Label("step", htmlFor="local-step", className="param-label"),
            dcc.Input(id="local-step", value=0, **number),
            html.Button("Show", id="local-show", n_clicks=0, className="button small",
                        title="Show the local model at the player's current step"),
        ], className="start-row"),
        html.Div(id="local-message", className="control-notice", role="status"),
        html.P(id="local-verdict", className="local-verdict", **{"aria-live": "polite"}),
        dcc.Graph(id="local-graph", config={"displaylogo": False, "displayModeBar": False}, figure=EMPTY),
        dcc.Graph(id="local-slice", config={"displaylogo": False, "displayModeBar": False}, figure=EMPTY),
    ], id="local-details", className="card bench-card local-card")
