"""Callback plumbing every panel shares: the store id, the guard, applying one edit to the state.

One ``dcc.Store`` (:data:`STATE`) is the page's source of truth. A panel's edit callback
reads it, applies one change with :func:`edit_state` and writes it back; the stage's one
render callback then answers everything that changed. Every server callback is wrapped by
:func:`guarded`: whatever is posted, a callback answers with ``no_update`` (and a logged
message) rather than a 500.

Notices: an edit that clamps or refuses a value stores the notice under ``notices_at`` keyed by
the control's place (``"run:<i>"``, ``"start"``, ``"steps"``, ``"surface"``), bumps the revision
so the controls are re-drawn with the value in force, and the notice is shown next to the control.
"""
from __future__ import annotations

import functools
import json
import logging

from dash import ctx, no_update

from webapp.state import AppState, from_store, parse_value, to_store

__all__ = ["STATE", "guarded", "edit_state", "note", "triggered", "run_index", "from_control", "log"]

log = logging.getLogger("optiscape")
STATE = "state"


def guarded(n_outputs: int):
    """Wrap a callback so no exception escapes: on error every output is ``no_update``."""

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except Exception:  # noqa: BLE001 - the server must answer, whatever was posted
                log.exception("callback %s failed", fn.__name__)
                return no_update if n_outputs == 1 else (no_update,) * n_outputs

        return wrapper

    return decorate


def edit_state(data, change, bump: bool = False):
    """Apply ``change(state, notices) -> bool`` to the stored state; ``no_update`` when nothing changed.

    ``notices`` is a dict ``place -> [text]`` the change fills when it clamps or refuses a value;
    any notice bumps the revision (the controls re-draw with the value in force) and travels in the
    store (``notices_at``) to be shown next to its control.
    """
    state, _ = from_store(data)
    notices: dict = {}
    if not change(state, notices) and not notices:
        return no_update
    if bump or notices:
        state.revision += 1
    stored = to_store(state)
    if notices:
        stored["notices_at"] = {place: list(dict.fromkeys(texts))[:4] for place, texts in notices.items()}
    return stored


def note(notices: dict, place: str, texts) -> None:
    """Add ``texts`` (a list, possibly empty) to the notices shown at ``place``."""
    if texts:
        notices.setdefault(place, []).extend(texts)


def triggered():
    """(id, value) pairs of what fired this callback (several when components were just inserted)."""
    out = []
    for item in ctx.triggered or []:
        prop_id = item.get("prop_id", "")
        if prop_id in (".", ""):
            continue
        out.append((ctx.triggered_id if len(ctx.triggered) == 1 else _parse_id(prop_id), item.get("value")))
    return out


def _parse_id(prop_id: str):
    component = prop_id.rsplit(".", 1)[0]
    try:
        return json.loads(component)
    except ValueError:
        return component


def run_index(component_id, state: AppState) -> int | None:
    """The run a pattern-matching id names, when that run exists."""
    if not isinstance(component_id, dict):
        return None
    index = component_id.get("run")
    if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(state.runs):
        return index
    return None


def from_control(param, value):
    """A control's raw value as the schema's type: checklists -> bool, dropdown text -> choice; None if empty."""
    if param.kind == "bool":
        return bool(value) if isinstance(value, list) else value
    if param.kind == "choice":
        return parse_value(param, value) if isinstance(value, str) else value
    return value
