"""The controls follow the state: after a structural edit (or a refused value) every control is re-drawn
from the state, so each shows the value in force, with the notices of the last edit next to it.

Value edits do not re-draw the run cards (typing never loses focus): the state's ``revision`` tells
them apart. The simple boxes (start, steps, view, the menus) follow every answer, except the one
being typed in when it had nothing to say.
"""
from __future__ import annotations

from dash import html

import landscapes
from webapp.panels.runs.controls import run_card, surface_controls
from webapp.panels.start_view.view_box import shown_view
from webapp.i18n import localize, t
from webapp.state import coerce

__all__ = ["notice_lines", "control_cards", "control_values", "NOTICE_PLACES"]

NOTICE_PLACES = ("surface", "start", "steps", "view")


def notice_lines(texts) -> list:
    """A control's notices as short paragraphs (what was clamped or refused, and the value in force)."""
    return [html.P(str(text)[:300]) for text in (texts or [])[:4]]


def control_cards(state, placed: dict) -> dict:
    """The run cards and the surface's parameter controls, re-drawn from the state; "+ Add run" is
    disabled when the page holds as many runs as it may."""
    can_add = len(state.runs) < coerce.MAX_RUNS
    cards = [run_card(run, i, run.name(), can_add, placed.get(f"run:{i}"), state.lang)
             for i, run in enumerate(state.runs)]
    if not cards:
        cards = [html.P(t("runs.none", state.lang), className="hint")]
    return {"runs_panel": cards, "add_run_disabled": not can_add, "surface_params": surface_controls(landscapes.schema(state.surface),
                                                                    state.surface_params, state.lang)}


def control_values(state, placed: dict) -> dict:
    """Every simple control's value in force, and each notice place's texts (``<place>_notice``), in the
    page's language."""
    x, y = state.start_point()
    view = shown_view(state)
    out = {"surface_picker": state.surface, "start_x": x, "start_y": y, "steps_input": state.steps,
           "scenario_picker": state.scenario,
           "view_x_min": view[0], "view_x_max": view[1], "view_y_min": view[2], "view_y_max": view[3]}
    for place in NOTICE_PLACES:
        out[f"{place}_notice"] = [str(localize(text, state.lang))[:300] for text in (placed.get(place) or [])[:4]]
    return out
