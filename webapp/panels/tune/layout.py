"""The Tune card's layout (objective, mode, the button, the report) and the report's table."""
from __future__ import annotations

from dash import dcc, html

from webapp.compute.variants import OBJECTIVE_LABELS, TuneReport
from webapp.i18n import localize, t
from webapp.panels.cards import card

__all__ = ["tune_card", "report_children", "MODES"]

MODES = {"add": "add tuned copies", "replace": "replace the runs' values"}


def tune_card(lang: str = "en") -> html.Section:
    return card(t("tune.title", lang), [
        html.P(t("tune.hint", lang), className="hint"),
        html.Label([html.Span(t("tune.objective", lang), className="param-label"),
                    dcc.Dropdown(id="tune-objective", clearable=False, searchable=False,
                                 options=[{"label": t(f"tune.objective_{key}", lang), "value": key}
                                          for key in OBJECTIVE_LABELS],
                                 value="settled", className="tune-objective")], className="tune-field"),
        dcc.RadioItems(id="tune-mode", options=[{"label": t(f"tune.mode_{key}", lang), "value": key} for key in MODES],
                       value="add", className="tune-mode", inline=True),
        html.Button(t("tune.button", lang), id="tune-button", n_clicks=0, className="button primary",
                    title=t("tune.button_title", lang)),
        html.Div(id="tune-report", className="tune-report", role="status", **{"aria-live": "polite"}),
    ], "tune-card")


def _values(values: dict | None) -> str:
    if not values:
        return "\u2014"
    return " ".join(f"{name}={value:.3g}" for name, value in values.items())


def report_children(report: TuneReport, applied: dict, lang: str = "en") -> list:
    """The report: the statement, then per run "as set" against "tuned" and what the page did with it.

    ``applied``: run index -> what happened ("added as run 5", "replaced", "kept: ...").
    """
    children = [html.P(localize(report.statement, lang), className="tune-statement")] if report.statement else []
    if report.refusal:
        children.append(html.P(localize(report.refusal, lang), className="tune-refusal"))
        return children
    items = []
    for row in report.rows:
        tuned = localize(row["tuned_text"], lang) + (" " + t("tune.edge", lang) if row["edge"] else "")
        items.append(html.Li([
            html.Div(row["name"], className="tune-run"),
            html.Div([html.Span(t("tune.as_set", lang) + " ", className="tune-key"),
                      html.Span(_values(row["as_set"]), className="num"), f": {localize(row['as_set_text'], lang)}"]),
            html.Div([html.Span(t("tune.tuned", lang) + " ", className="tune-key"),
                      html.Span(_values(row["tuned"]), className="num"), f": {tuned}"]),
            html.Div(localize(applied.get(row["index"], ""), lang), className="tune-applied"),
        ], className="tune-row"))
    children.append(html.Ul(items, className="tune-list"))
    return children
