"""The "Copy as PyTorch" card: the script of the run whose card's PyTorch button was pressed."""
from __future__ import annotations

from dash import dcc, html

__all__ = ["torch_card"]


def torch_card() -> html.Details:
    return html.Details([
        html.Summary([html.Span("Copy as PyTorch", className="torch-title"),
                      html.Span(" a run's PyTorch button writes it here", className="maps-summary-note")]),
        html.P("A runnable script: the surface as a torch expression, the optimizer and its schedule with every "
               "hyperparameter, the noise seed and the loop. Its path is this run's path.", className="hint"),
        html.Div([
            dcc.Clipboard(target_id="torch-snippet", title="Copy the script", className="copy-button",
                          children=html.Span("Copy")),
            html.Span("", id="torch-status", className="torch-status", role="status"),
        ], className="torch-actions"),
        dcc.Textarea(id="torch-snippet", value="", readOnly=True, className="torch-snippet", spellCheck=False,
                     placeholder="Press PyTorch in a run's card.", title="PyTorch script of the run", rows=12),
    ], id="torch-details", className="card torch-card")
