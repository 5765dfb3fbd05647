"""The results table under the stage, as Dash HTML, from the rows of :mod:`webapp.figures.results`."""
from __future__ import annotations

from dash import html

__all__ = ["results_table"]


def results_table(rows: list[dict]) -> html.Table:
    head = html.Thead(html.Tr([html.Th(t) for t in ("Run", "Final loss", "Distance to min", "Steps to 1e-3",
                                                      "Status")]))
    body = html.Tbody([
        html.Tr([
            html.Td([html.Span(className="swatch", style={"backgroundColor": row["color"]}), row["run"]]),
            html.Td(row["final_loss"], className="num"),
            html.Td(row["distance"], className="num"),
            html.Td(row["steps_to_tolerance"], className="num"),
            html.Td(row["status"], className="status diverged" if row["diverged"] else "status"),
        ]) for row in rows
    ])
    return html.Table([head, body], className="results")
