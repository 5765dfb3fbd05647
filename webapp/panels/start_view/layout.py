"""The "Start and steps" card: start point, steps, the view box, each with its notice place."""
from __future__ import annotations

from dash import dcc, html

from webapp.i18n import t
from webapp.panels.cards import card
from webapp.panels.start_view.view_box import view_rows
from webapp.panels.steppers import step_attrs

__all__ = ["start_card", "NOTICE_IDS"]

# where a clamp or refusal of each control is shown (webapp.panels.wiring.edit_state places)
NOTICE_IDS = {"start": "start-notice", "steps": "steps-notice", "view": "view-notice"}


def start_card(lang: str = "en") -> html.Section:
    return card(t("start.title", lang), [
        html.P(t("start.hint", lang), className="hint"),
        html.Div([
            html.Label("x", htmlFor="start-x"),
            dcc.Input(id="start-x", type="number", step="any", debounce=True, className="param-number"),
            html.Label("y", htmlFor="start-y"),
            dcc.Input(id="start-y", type="number", step="any", debounce=True, className="param-number"),
            html.Button(t("start.reset", lang), id="start-reset", n_clicks=0, className="button small",
                        title=t("start.reset_title", lang)),
        ], className="start-row"),
        html.Div(id=NOTICE_IDS["start"], className="control-notice", role="status"),
        html.Div([
            html.Label(t("start.steps", lang), htmlFor="steps-input"),
            # no min/max: the browser would send nothing for an out-of-range value; the server clamps, with a notice
            dcc.Input(id="steps-input", type="number", step="any", debounce=True,
                      className="param-number"),
        ], className="start-row", **step_attrs("int")),
        html.Div(id=NOTICE_IDS["steps"], className="control-notice", role="status"),
        *view_rows(lang),
        html.Div(id=NOTICE_IDS["view"], className="control-notice", role="status"),
    ], "start-card")
