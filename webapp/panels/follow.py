"""The controls follow the state: after a structural edit (or a refused value) every control is re-drawn
from the state, so each shows the value in force, with the notices of the last edit next to it.

Value edits do not re-draw (typing never loses focus): the state's ``revision`` tells them apart.
The view boxes follow every change (a zoom is not structural).
"""
from __future__ import annotations

from dash import Input, Output, State, html, no_update

import landscapes
from webapp.panels.runs.controls import run_card, surface_controls
from webapp.panels.start_view.layout import NOTICE_IDS
from webapp.panels.start_view.view_box import VIEW_IDS, shown_view
from webapp.panels.wiring import STATE, guarded
from webapp.state import coerce, from_store

__all__ = ["register", "notice_lines"]

N_OUTPUTS = 12 + len(VIEW_IDS)


def notice_lines(texts) -> list:
    """A control's notices as short paragraphs (what was clamped or refused, and the value in force)."""
    return [html.P(str(text)[:300]) for text in (texts or [])[:4]]


def register(app) -> None:
    @app.callback(
        Output("runs-panel", "children"), Output("surface-params", "children"), Output("surface-picker", "value"),
        Output("start-x", "value"), Output("start-y", "value"), Output("steps-input", "value"),
        Output("rendered-revision", "data"), Output("scenario-picker", "value"),
        Output("surface-notice", "children"), *[Output(NOTICE_IDS[k], "children") for k in ("start", "steps", "view")],
        *[Output(i, "value") for i in VIEW_IDS],
        Input(STATE, "data"), State("rendered-revision", "data"),
    )
    @guarded(N_OUTPUTS)
    def render_controls(data, rendered):
        state, _ = from_store(data)
        view = list(shown_view(state))
        if state.revision == rendered:
            return (no_update,) * 12 + tuple(view)
        placed = data.get("notices_at") if isinstance(data, dict) and isinstance(data.get("notices_at"), dict) else {}
        can_add = len(state.runs) < coerce.MAX_RUNS
        cards = [run_card(run, i, run.name(), can_add, placed.get(f"run:{i}")) for i, run in enumerate(state.runs)]
        if not cards:
            cards = [html.P("No runs yet: add one below.", className="hint")]
        x, y = state.start_point()
        return (cards, surface_controls(landscapes.schema(state.surface), state.surface_params),
                state.surface, x, y, state.steps, state.revision, state.scenario,
                notice_lines(placed.get("surface")), notice_lines(placed.get("start")),
                notice_lines(placed.get("steps")), notice_lines(placed.get("view")), *view)
