"""The store codec: an :class:`~webapp.state.model.AppState` to and from the JSON dict kept in ``dcc.Store``.

The stored dict is posted back by the browser, so :func:`from_store` re-validates every
value through :mod:`webapp.state.coerce` rather than trusting it. Never raises.
"""
from __future__ import annotations

from typing import Any

import landscapes
from webapp.i18n import msg
from webapp.state import coerce, handout, scenario_links
from webapp.state.model import DEFAULT_STEPS, AppState, default_state, schema_defaults

__all__ = ["to_store", "from_store"]


# ------------------------------------------------------------------ store (JSON)
def to_store(state: AppState) -> dict:
    """A JSON-friendly dict for ``dcc.Store``."""
    return {
        "surface": state.surface,
        "surface_params": dict(state.surface_params),
        "runs": [
            {"optimizer": r.optimizer, "hyper": dict(r.hyper), "schedule": r.schedule,
             "schedule_params": dict(r.schedule_params), "noise": r.noise, "seed": r.seed,
             "visible": r.visible, "color": r.color, "seeds": r.seeds}
            for r in state.runs
        ],
        "start": list(state.start) if state.start is not None else None,
        "steps": state.steps,
        "view": list(state.view) if state.view is not None else None,
        "scenario": state.scenario,
        "lesson": state.lesson,
        "maps": coerce.map_settings(state.maps).link_text(),
        "views": coerce.view_options(state.views).link_text(),
        "revision": state.revision,
        "lang": state.lang,
        "handout": dict(state.handout),
    }


def from_store(data: Any) -> tuple[AppState, list[str]]:
    """Rebuild (and re-validate) a state from store data that anyone could have posted. Never raises."""
    notices: list[str] = []
    if data is None:          # nothing stored yet
        return default_state(), notices
    if not isinstance(data, dict):
        return default_state(), [msg("notices.state_unreadable")]
    state = default_state()
    surface = data.get("surface")
    if isinstance(surface, str) and surface in landscapes.names():
        state.surface = surface
        state.surface_params = coerce.param_dict(
            landscapes.schema(surface), data.get("surface_params"), msg("notices.owner_surface", surface=surface),
            notices)
        try:
            landscapes.get(surface, **state.surface_params)
        except ValueError as error:
            notices.append(msg("notices.error_defaults", owner=msg("notices.owner_surface", surface=surface),
                               error=str(error)))
            state.surface_params = schema_defaults(landscapes.schema(surface))
    elif surface is not None:
        notices.append(msg("notices.surface_unknown_store", name=repr(str(surface)[:40]), default=state.surface))
    raw_runs = data.get("runs")
    if isinstance(raw_runs, list):
        if len(raw_runs) > coerce.MAX_RUNS:
            notices.append(msg("notices.runs_at_most", limit=coerce.MAX_RUNS))
        state.runs = [run for run in (coerce.run_from_dict(raw, i, notices)
                                      for i, raw in enumerate(raw_runs[: coerce.MAX_RUNS])) if run is not None]
    state.steps = coerce.steps(data.get("steps", DEFAULT_STEPS), notices)
    state.start = coerce.point(data.get("start"), notices) if data.get("start") is not None else None
    state.view = coerce.view_box(data.get("view"), notices) if data.get("view") is not None else None
    state.revision = coerce.integer(data.get("revision", 0), 0, 2**31, 0)
    scenario = data.get("scenario")
    state.scenario = scenario if isinstance(scenario, str) and scenario in scenario_links.known_ids() else None
    state.lesson = data.get("lesson") is True and state.scenario is not None
    state.maps = coerce.map_settings(data.get("maps"), notices)
    state.views = coerce.view_options(data.get("views"), notices)
    state.lang = coerce.language(data.get("lang", state.lang), notices)
    # a handout name that no longer names a control (its run was removed) is dropped: it locks nothing
    state.handout = handout.handout_settings(data.get("handout"), state, [])
    return state, notices

