"""Which handout-link control (:mod:`webapp.state.handout`) each edit of the page changes, and the refusal.

The page hides and locks controls in the browser (``assets/handout.js`` reads ``handout`` from the
state store); the one answer also refuses an edit of a locked control (:func:`refusal`), so a
locked value stays locked whatever is posted. An edit this table does not know counts as ``all``:
a new panel's edits are locked by ``lock=all`` until they are named here.
"""
from __future__ import annotations

from webapp.state import handout

__all__ = ["control_of", "refusal"]

_FIXED = {
    "scenario": "scenario", "surface": "surface",
    "start_x": "start", "start_y": "start", "map_click": "start", "start_reset": "start",
    "steps": "steps", "zoom": "zoom", **{f"view_{a}_{b}": "zoom" for a in "xy" for b in ("min", "max")}, "add_run": "runs", "tune": "tune", "run_tune": "tune", "run_torch": "export",
}
_SURFACE = ("surface_param", "surface_option", "surface_text")
_RUN_PART = {"run_visible": "", "run_duplicate": "", "run_remove": "", "run_optimizer": ".optimizer",
             "run_schedule": ".schedule", "sched_param": ".schedule", "sched_param_option": ".schedule",
             "sched_param_text": ".schedule", "run_noise": ".noise", "run_seed": ".seed",
             "run_seeds": ".seeds"}
_HYPER = ("hyper", "hyper_option", "hyper_text")


def control_of(key: str, component_id) -> str | None:
    """The handout name of the control an edit changes; None for opening a link (never locked)."""
    if key == "link":
        return None
    if key in _FIXED:
        return _FIXED[key]
    if key.startswith("views_"):
        return "views"
    if key.startswith("maps_"):
        return "maps"
    ident = component_id if isinstance(component_id, dict) else {}
    if key in _SURFACE and isinstance(ident.get("name"), str):
        return f"surface.{ident['name']}"
    run = ident.get("run")
    if isinstance(run, int) and not isinstance(run, bool) and 0 <= run < 99:
        if key in _RUN_PART:
            return f"run{run + 1}{_RUN_PART[key]}"
        if key in _HYPER and isinstance(ident.get("name"), str):
            return f"run{run + 1}.{ident['name']}"
    return "all"


def refusal(state, key: str, component_id) -> str | None:
    """The page notice refusing this edit when the state's handout link locks its control, else None."""
    if not state.handout:
        return None
    name = control_of(key, component_id)
    if name is None or not handout.is_locked(state.handout, name):
        return None
    return f"This handout link keeps '{name}' fixed: the change was not applied."
