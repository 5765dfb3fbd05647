"""The high-dimensions card's layout: the chance of a minimum by N, and the cost table at N parameters."""
from __future__ import annotations

from dash import dcc, html

__all__ = ["high_dimensions_card", "DEFAULT_N"]

DEFAULT_N = 1e8


def high_dimensions_card() -> html.Details:
    return html.Details([
        html.Summary([html.Span("High dimensions", className="bench-title"),
                      html.Span(" saddles outnumber minima; the Hessian does not fit", className="maps-summary-note")],
                     id="hd-summary", n_clicks=0),
        html.P("The Hessian at a random critical point, as a random symmetric (GOE) matrix: the point is a minimum "
               "only when every eigenvalue is positive, which gets rare fast as N grows. Computed here, not "
               "quoted.", className="hint"),
        dcc.Graph(id="hd-chance", config={"displaylogo": False, "displayModeBar": False},
                  figure={"data": [], "layout": {"height": 60, "xaxis": {"visible": False},
                                                 "yaxis": {"visible": False}}}),
        html.Div([
            html.Label("parameters N", htmlFor="hd-n", className="param-label"),
            dcc.Input(id="hd-n", type="number", value=DEFAULT_N, step="any", debounce=True,
                      className="param-number"),
            html.Span("float64, 1 TFLOP/s", className="hint"),
        ], className="start-row"),
        html.Div(id="hd-message", className="control-notice", role="status"),
        html.Div(id="hd-costs"),
    ], id="hd-details", className="card bench-card hd-card")
