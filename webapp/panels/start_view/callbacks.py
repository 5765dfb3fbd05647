"""Start, steps and view edits: typed or clicked start, reset, steps, zoom, the four view boxes."""
from __future__ import annotations

from dash import Input, Output, State, no_update

from webapp.panels.start_view.view_box import VIEW_IDS, apply_view
from webapp.panels.wiring import STATE, edit_state, guarded, note
from webapp.state import coerce

__all__ = ["register"]


def register(app) -> None:
    @app.callback(Output(STATE, "data", allow_duplicate=True), Input("start-x", "value"), Input("start-y", "value"),
                  State(STATE, "data"), prevent_initial_call=True)
    @guarded(1)
    def type_start(x, y, data):
        if x is None or y is None or x == "" or y == "":
            return no_update

        def change(state, notices):
            found: list = []
            point = coerce.point([x, y], found)
            note(notices, "start", found)
            if point is None or tuple(point) == tuple(state.start_point()):
                return False
            state.start = point
            return True

        return edit_state(data, change)

    @app.callback(Output(STATE, "data", allow_duplicate=True), Input("map-click", "data"), State(STATE, "data"),
                  prevent_initial_call=True)
    @guarded(1)
    def click_start(click, data):
        if not isinstance(click, dict):
            return no_update

        def change(state, notices):
            point = coerce.point([click.get("x"), click.get("y")], [])
            if point is None:
                return False
            state.start = point
            return True

        return edit_state(data, change, bump=True)

    @app.callback(Output(STATE, "data", allow_duplicate=True), Input("start-reset", "n_clicks"),
                  State(STATE, "data"), prevent_initial_call=True)
    @guarded(1)
    def reset_start(n_clicks, data):
        if not n_clicks:
            return no_update

        def change(state, notices):
            state.start = None
            return True

        return edit_state(data, change, bump=True)

    @app.callback(Output(STATE, "data", allow_duplicate=True), Input("steps-input", "value"), State(STATE, "data"),
                  prevent_initial_call=True)
    @guarded(1)
    def set_steps(value, data):
        if value is None or value == "":
            return no_update

        def change(state, notices):
            found: list = []
            steps = coerce.steps(value, found)
            note(notices, "steps", found)
            if steps == state.steps:
                return False
            state.steps = steps
            return True

        return edit_state(data, change)

    @app.callback(Output(STATE, "data", allow_duplicate=True), Input("map-graph", "relayoutData"),
                  State(STATE, "data"), prevent_initial_call=True)
    @guarded(1)
    def zoom(relayout, data):
        """Zooming re-samples the contour over the new view box; a double-click (autorange) restores it."""
        if not isinstance(relayout, dict):
            return no_update

        def change(state, notices):
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
            current = state.view_box()
            box = [given.get(k, current[i]) for i, k in enumerate(keys)]
            if not any(k in given for k in keys):
                return False
            box = coerce.view_box(box, [])
            if box is None or tuple(box) == tuple(current):
                return False
            state.view = box
            return True

        return edit_state(data, change)

    @app.callback(Output(STATE, "data", allow_duplicate=True), *[Input(i, "value") for i in VIEW_IDS],
                  State(STATE, "data"), prevent_initial_call=True)
    @guarded(1)
    def type_view(x_min, x_max, y_min, y_max, data):
        def change(state, notices):
            found: list = []
            changed = apply_view(state, [x_min, x_max, y_min, y_max], found)
            note(notices, "view", found)
            return changed

        return edit_state(data, change)
