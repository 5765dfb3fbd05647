"""The results table under the stage, as Dash HTML, from the rows of :mod:`webapp.figures.results`."""
from __future__ import annotations

from dash import html

from webapp.panels.scenario.texts import results_headings

__all__ = ["results_table"]


def _status_class(row: dict) -> str:
    if row["diverged"]:
        return "status diverged"
    return "status left-again" if row["left_again"] else "status"


def results_table(rows: list[dict], lang: str = "en") -> html.Table:
    """Run, final loss, distance to the nearest known minimum (and which: global or local), the step
    it settled at, and its status."""
    head = html.Thead(html.Tr([html.Th(heading) for heading in results_headings(lang)]))
    body = html.Tbody([
        html.Tr([
            html.Td([html.Span(className="swatch", style={"backgroundColor": row["color"]}), row["run"]]),
            html.Td(row["final_loss"], className="num"),
            html.Td([row["distance"], *([" ", html.Span(row["minimum"], className="minimum-kind")]
                                        if row["minimum"] else [])], className="num"),
            html.Td(row["settled_at"], className="num"),
            html.Td(row["status"], className=_status_class(row)),
        ]) for row in rows
    ])
    return html.Table([head, body], className="results")
