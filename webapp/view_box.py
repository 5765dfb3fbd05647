"""The view box as four number boxes (x from .. to, y from .. to), for every surface.

Zooming the map already sets the state's view; these boxes show it and let a user type one
(a formula of their own often needs a wider or narrower window). The boxes follow the state
(rounded to 6 significant digits); a typed box is validated on the server like any view
(:func:`webapp.validate.view_box`: finite, inside [-1e6, 1e6], not empty or reversed).
"""
from __future__ import annotations

import logging

from dash import Input, Output, State, dcc, html, no_update

from webapp import validate
from webapp.state import AppState, from_store, to_store

__all__ = ["VIEW_IDS", "view_rows", "shown_view", "apply_view", "register_view_callbacks"]

VIEW_IDS = ("view-x-min", "view-x-max", "view-y-min", "view-y-max")


def _box(component_id: str, label: str) -> dcc.Input:
    return dcc.Input(id=component_id, type="number", step="any", debounce=True, className="param-number view-number",
                     name=label)


def view_rows() -> list:
    """Two rows: ``view x [min] to [max]`` and ``view y [min] to [max]``."""
    return [
        html.Div([html.Label("view x", htmlFor="view-x-min"), _box("view-x-min", "view x from"),
                  html.Span("to", className="view-to"), _box("view-x-max", "view x to")],
                 className="start-row view-row", title="The map's x range (zooming the map sets it too)"),
        html.Div([html.Label("view y", htmlFor="view-y-min"), _box("view-y-min", "view y from"),
                  html.Span("to", className="view-to"), _box("view-y-max", "view y to")],
                 className="start-row view-row", title="The map's y range"),
    ]


def shown_view(state: AppState) -> tuple:
    """The view box as the boxes show it: 6 significant digits."""
    return tuple(float(f"{v:.6g}") for v in state.view_box())


def apply_view(state: AppState, values) -> bool:
    """Set ``state.view`` from the four boxes; False (state untouched) when a box is empty or not a
    number, the box is empty or reversed, or nothing changed."""
    if not isinstance(values, (list, tuple)) or len(values) != 4 or any(validate.number(v) is None for v in values):
        return False
    box = validate.view_box(list(values), [])
    if box is None or tuple(box) == shown_view(state) or tuple(box) == tuple(state.view_box()):
        return False
    state.view = tuple(box)
    return True


def register_view_callbacks(app, store: str = "state") -> None:
    @app.callback(*[Output(i, "value") for i in VIEW_IDS], Input(store, "data"))
    def show_view(data):
        try:
            state, _ = from_store(data)
            return shown_view(state)
        except Exception:  # noqa: BLE001 - the server must answer, whatever was posted
            logging.getLogger("optiscape").exception("show_view failed")
            return (no_update,) * 4

    @app.callback(Output(store, "data", allow_duplicate=True), *[Input(i, "value") for i in VIEW_IDS],
                  State(store, "data"), prevent_initial_call=True)
    def type_view(x_min, x_max, y_min, y_max, data):
        try:
            state, _ = from_store(data)
            return to_store(state) if apply_view(state, [x_min, x_max, y_min, y_max]) else no_update
        except Exception:  # noqa: BLE001
            logging.getLogger("optiscape").exception("type_view failed")
            return no_update
