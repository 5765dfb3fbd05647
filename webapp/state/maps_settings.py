"""The Maps panel's settings in the page state: the URL keys of :data:`MAP_KEYS` as short text.

Only shape is checked here (never raises, no notices); the Maps panel
(:func:`webapp.panels.maps.request.parse_request`) coerces the values, with notices.
"""
from __future__ import annotations

from typing import Any

__all__ = ["MAP_KEYS", "map_settings"]

MAP_KEYS = ("map", "map_runs", "map_grid", "map_steps", "map_color", "map_x", "map_y", "map_n")


def map_settings(given: Any) -> dict:
    """The Maps panel's URL keys (:data:`MAP_KEYS`, in that order) as short text; anything else dropped.

    Only shape is checked here (never raises, no notices); ``webapp.maps_panel`` validates the values.
    """
    if not isinstance(given, dict):
        return {}
    return {key: given[key][:80] for key in MAP_KEYS if isinstance(given.get(key), str) and given[key]}

