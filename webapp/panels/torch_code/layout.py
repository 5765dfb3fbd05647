"""The "Copy as PyTorch" card: the script of the run whose card's PyTorch button was pressed."""
from __future__ import annotations

from dash import dcc, html

from webapp.i18n import t

__all__ = ["torch_card"]


def torch_card(lang: str = "en") -> html.Details:
    return html.Details([
        html.Summary([html.Span(t("torch.title", lang), className="torch-title"),
                      html.Span(" " + t("torch.summary", lang), className="maps-summary-note")]),
        html.P(t("torch.hint", lang), className="hint"),
        html.Div([
            dcc.Clipboard(target_id="torch-snippet", title=t("torch.copy_title", lang), className="copy-button",
                          children=html.Span(t("torch.copy", lang))),
            html.Span("", id="torch-status", className="torch-status", role="status"),
        ], className="torch-actions"),
        dcc.Textarea(id="torch-snippet", value="", readOnly=True, className="torch-snippet", spellCheck=False,
                     placeholder=t("torch.placeholder", lang), title=t("torch.area_title", lang), rows=12),
    ], id="torch-details", className="card torch-card")
