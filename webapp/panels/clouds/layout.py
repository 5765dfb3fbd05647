"""The seed-cloud card (shown while a noisy run has seeds > 1; filled by the one answer)."""
from __future__ import annotations

from dash import dcc, html

from webapp.panels.cards import card

__all__ = ["cloud_card"]


def cloud_card() -> html.Section:
    section = card("Seed clouds", [
        html.P("Each noisy run with seeds > 1 (its card's \u201cseeds\u201d box) stepped with seeds seed, seed + 1, "
               "...: the bands hold 50% and 90% of the seeds at every step, the line is the median path, the dots "
               "every seed's final point. The map shows the one seed the run card names.", className="hint"),
        dcc.Graph(id="cloud-graph", config={"displaylogo": False, "displayModeBar": False},
                  figure={"data": [], "layout": {"height": 40}}),
    ], "cloud-card")
    section.id = "cloud-card"
    section.style = {"display": "none"}
    return section
