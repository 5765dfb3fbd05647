"""The "View" settings of the page (issue 4): which lecture views are on, as short URL text.

Optional query keys (all absent by default, so old links read unchanged)::

    view_mode=overlay|side   one map with every run, or one small map per run
    arrows=1                 gradient / velocity / step arrows at each run's current point
    field=1                  the -gradient field on the map
    polyak=1                 each run's Polyak-average path (dashed), averaged from step polyak_from
    polyak_from=<int>        first step averaged (default 0)
    threed=1                 the 3D surface card
    inner=1                  the inner-state card; inner_run=all|<run number, 1-based>
    loss_x=steps|evals       the loss plot's x axis

Parsing never raises and never adds notices: an invalid value is dropped (its default applies).
The settings travel as a dict of text (like the Maps panel's), in ``AppState.views``.
"""
from __future__ import annotations

from typing import Any

__all__ = ["VIEW_KEYS", "view_settings", "ViewOptions", "options", "FLAGS"]

VIEW_KEYS = ("view_mode", "arrows", "field", "polyak", "polyak_from", "threed", "inner", "inner_run", "loss_x")
FLAGS = ("arrows", "field", "polyak", "threed", "inner")
MAX_POLYAK_FROM = 100_000
MAX_RUNS_INDEX = 99


def _valid(key: str, text: str) -> str | None:
    """The canonical text of one key's value, or ``None`` when it is not valid (or is the default)."""
    text = text.strip().lower()
    if key == "view_mode":
        return "side" if text == "side" else None
    if key in FLAGS:
        return "1" if text in ("1", "true", "on", "yes") else None
    if key == "loss_x":
        return "evals" if text == "evals" else None
    if key == "polyak_from":
        return text if text.isdigit() and 0 < int(text) <= MAX_POLYAK_FROM else None
    if key == "inner_run":
        return text if text.isdigit() and 1 <= int(text) <= MAX_RUNS_INDEX else None
    return None


def view_settings(given: Any) -> dict:
    """The view keys of ``given`` (a query dict or a stored dict) as canonical text, defaults left out.

    Key order is :data:`VIEW_KEYS` (so the share URL is stable).
    """
    if not isinstance(given, dict):
        return {}
    out = {}
    for key in VIEW_KEYS:
        value = given.get(key)
        if isinstance(value, str) and len(value) <= 12:
            text = _valid(key, value)
            if text is not None:
                out[key] = text
    return out


class ViewOptions:
    """Typed read-out of a settings dict (from :func:`view_settings`)."""

    def __init__(self, settings: dict) -> None:
        settings = view_settings(settings)
        self.side = settings.get("view_mode") == "side"
        self.arrows = "arrows" in settings
        self.field = "field" in settings
        self.polyak = "polyak" in settings
        self.polyak_from = int(settings.get("polyak_from", 0))
        self.threed = "threed" in settings
        self.inner = "inner" in settings
        self.inner_run = int(settings["inner_run"]) - 1 if "inner_run" in settings else None   # None: all runs
        self.loss_by_evals = settings.get("loss_x") == "evals"


def options(state) -> ViewOptions:
    """The view options of an ``AppState`` (empty when the state has none yet)."""
    return ViewOptions(getattr(state, "views", {}) or {})
