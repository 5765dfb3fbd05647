"""The results table under the stage, as Dash HTML, from the rows of :mod:`webapp.figures.results`."""
from __future__ import annotations

from dash import html

from webapp.i18n import t
from webapp.panels.scenario.texts import results_headings

__all__ = ["results_table", "plot_summary", "SUMMARY_ID"]

SUMMARY_ID = "plot-summary"     # the map's and the loss plot's text alternative (assets/a11y.js links them)


def _status_class(row: dict) -> str:
    if row["diverged"]:
        return "status diverged"
    return "status left-again" if row["left_again"] else "status"


def _robust_cell(score) -> html.Td:
    return html.Td("\u2014" if score is None else f"{100 * score:.0f}%", className="num robust")


def plot_summary(rows: list[dict], lang: str = "en") -> str:
    """The pictures in words, one sentence per run: "Adam lr=0.3: settled at step 37, final loss 2e-06."."""
    return " ".join(t("a11y.summary_run", lang, run=row["run"], status=row["status"], loss=row["final_loss"])
                    for row in rows)


def results_table(rows: list[dict], lang: str = "en", robustness: list | None = None,
                  clouds: list | None = None) -> html.Table:
    """Run, final loss, distance to the nearest known minimum (and which: global or local), the step
    it settled at, and its status; with ``robustness`` (one score in [0, 1] or None per row) a
    robustness column (:func:`webapp.compute.variants.robustness_scores`); with ``clouds`` (a text or None
    per row: :func:`webapp.figures.clouds.cloud_summary_text`) the seed clouds' medians and spreads.
    Its caption (visually hidden) is the pictures' text alternative (:func:`plot_summary`)."""
    headings = [html.Th(heading) for heading in results_headings(lang)]
    if robustness is not None:
        headings.append(html.Th(t("results.robust", lang), title=t("results.robust_title", lang)))
    if clouds is not None:
        headings.append(html.Th(t("results.cloud", lang)))
    head = html.Thead(html.Tr(headings))
    body = html.Tbody([
        html.Tr([
            html.Td([html.Span(className="swatch", style={"backgroundColor": row["color"]}), row["run"]]),
            html.Td(row["final_loss"], className="num"),
            html.Td([row["distance"], *([" ", html.Span(row["minimum"], className="minimum-kind")]
                                        if row["minimum"] else [])], className="num"),
            html.Td(row["settled_at"], className="num"),
            html.Td(row["status"], className=_status_class(row)),
            *([_robust_cell(robustness[i])] if robustness is not None else []),
            *([html.Td(clouds[i] or "\u2014", className="cloud")] if clouds is not None else []),
        ]) for i, row in enumerate(rows)
    ])
    caption = html.Caption(plot_summary(rows, lang), id=SUMMARY_ID, className="visually-hidden",
                           **{"data-describes": "map-graph loss-graph"})
    return html.Table([caption, head, body], className="results")
