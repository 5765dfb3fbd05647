"""Start, steps and view edits: typed or clicked start, reset, steps, zoom, the four view boxes."""
from __future__ import annotations

from webapp.panels.edits import Edit, EditContext
from webapp.panels.start_view.view_box import VIEW_IDS, apply_view
from webapp.panels.wiring import note
from webapp.state import coerce

__all__ = ["EDITS"]


def type_start(context: EditContext) -> bool:
    x, y = context.extra["start_x"], context.extra["start_y"]
    if x is None or y is None or x == "" or y == "":
        return False                      # still typing
    found: list = []
    point = coerce.point([x, y], found)
    note(context.notices, "start", found)
    if point is None or tuple(point) == tuple(context.state.start_point()):
        return False
    context.state.start = point
    return True


def click_start(context: EditContext) -> bool:
    click = context.value
    if not isinstance(click, dict):
        return False
    point = coerce.point([click.get("x"), click.get("y")], [])
    if point is None:
        return False
    context.state.start = point
    return True


def reset_start(context: EditContext) -> bool:
    if not context.value or context.state.start is None:
        return False
    context.state.start = None
    return True


def set_steps(context: EditContext) -> bool:
    if context.value is None or context.value == "":
        return False
    found: list = []
    steps = coerce.steps(context.value, found)
    note(context.notices, "steps", found)
    if steps == context.state.steps:
        return False
    context.state.steps = steps
    return True


def zoom(context: EditContext) -> bool:
    """Zooming re-samples the contour over the new view box; a double-click (autorange) restores it."""
    relayout, state = context.value, context.state
    if not isinstance(relayout, dict):
        return False
    if relayout.get("xaxis.autorange") or relayout.get("yaxis.autorange"):
        if state.view is None:
            return False
        state.view = None
        return True
    keys = ("xaxis.range[0]", "xaxis.range[1]", "yaxis.range[0]", "yaxis.range[1]")
    given = dict(relayout)
    for axis in ("xaxis", "yaxis"):          # Plotly.relayout({"xaxis.range": [a, b]}) form
        pair = given.get(f"{axis}.range")
        if isinstance(pair, list) and len(pair) == 2:
            given[f"{axis}.range[0]"], given[f"{axis}.range[1]"] = pair
    if not any(k in given for k in keys):
        return False
    current = state.view_box()
    box = coerce.view_box([given.get(k, current[i]) for i, k in enumerate(keys)], [])
    if box is None or tuple(box) == tuple(current):
        return False
    state.view = box
    return True


def type_view(context: EditContext) -> bool:
    found: list = []
    changed = apply_view(context.state, [context.extra[key] for key in VIEW_KEYS_EXTRA], found)
    note(context.notices, "view", found)
    return changed


START = {"start_x": ("start-x", "value"), "start_y": ("start-y", "value")}
VIEW_KEYS_EXTRA = tuple(name.replace("-", "_") for name in VIEW_IDS)
VIEW = {key: (component, "value") for key, component in zip(VIEW_KEYS_EXTRA, VIEW_IDS)}

EDITS = (
    Edit("start_x", "start-x", "value", type_start, extra=START),
    Edit("start_y", "start-y", "value", type_start, extra=START),
    Edit("map_click", "map-click", "data", click_start, structural=True),
    Edit("start_reset", "start-reset", "n_clicks", reset_start, structural=True),
    Edit("steps", "steps-input", "value", set_steps),
    Edit("zoom", "map-zoom", "data", zoom),
    *[Edit(key, component, "value", type_view, extra=VIEW) for key, (component, _) in VIEW.items()],
)
