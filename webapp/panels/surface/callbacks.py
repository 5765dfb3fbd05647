"""The Surface card's edits: pick a surface, set one of its parameters, type a formula."""
from __future__ import annotations

from dash import ALL, Input, Output, State, no_update

import landscapes
from webapp.panels.surface.formula import ERROR_SUFFIX, TEXT_SUFFIX, apply_surface_text, error_view
from webapp.panels.wiring import STATE, edit_state, from_control, guarded, log, note, triggered
from webapp.state import coerce, from_store, to_store

__all__ = ["register"]


def register(app) -> None:
    @app.callback(Output(STATE, "data", allow_duplicate=True), Input("surface-picker", "value"),
                  State(STATE, "data"), prevent_initial_call=True)
    @guarded(1)
    def pick_surface(name, data):
        def change(state, notices):
            if not isinstance(name, str) or name not in landscapes.names() or name == state.surface:
                return False
            state.surface = name
            state.surface_params = {p.name: p.default for p in landscapes.schema(name)}
            state.start = None
            state.view = None
            return True

        return edit_state(data, change, bump=True)

    @app.callback(Output(STATE, "data", allow_duplicate=True),
                  Input({"type": "surface-param", "name": ALL}, "value"),
                  Input({"type": "surface-param-option", "name": ALL}, "value"), State(STATE, "data"),
                  prevent_initial_call=True)
    @guarded(1)
    def edit_surface_param(_values, _options, data):
        def change(state, notices):
            schema = {p.name: p for p in landscapes.schema(state.surface)}
            changed = False
            for component_id, value in triggered():
                name = component_id.get("name") if isinstance(component_id, dict) else None
                if name not in schema:
                    continue
                value = from_control(schema[name], value)
                if value is None:
                    continue
                found: list = []
                new = coerce.param_value(schema[name], value, f"Surface {name}", found)
                note(notices, "surface", found)
                if new != state.surface_params.get(name):
                    candidate = {**state.surface_params, name: new}
                    try:
                        landscapes.get(state.surface, **candidate)
                    except ValueError as error:
                        note(notices, "surface", [f"Surface: {error}; kept {name}={state.surface_params.get(name)!r}."])
                        continue
                    state.surface_params = candidate
                    changed = True
            return changed

        return edit_state(data, change)

    @app.callback(Output(STATE, "data", allow_duplicate=True),
                  Output({"type": "surface-param" + ERROR_SUFFIX, "name": ALL}, "children"),
                  Input({"type": "surface-param" + TEXT_SUFFIX, "name": ALL}, "value"),
                  State({"type": "surface-param" + TEXT_SUFFIX, "name": ALL}, "id"),
                  State(STATE, "data"), prevent_initial_call=True)
    def edit_surface_text(values, ids, data):
        """Typed text -> validated state, or a message with a caret under the box (the state stays)."""
        messages = [None] * len(ids or [])
        try:
            state, _ = from_store(data)
            changed = False
            for position, (component_id, value) in enumerate(zip(ids or [], values or [])):
                name = component_id.get("name") if isinstance(component_id, dict) else None
                ok, error = apply_surface_text(state, name, value)
                changed |= ok
                if error is not None:
                    messages[position] = error_view(value if isinstance(value, str) else "", error)
            return (to_store(state) if changed else no_update), messages
        except Exception:  # noqa: BLE001 - the server must answer, whatever was posted
            log.exception("edit_surface_text failed")
            return no_update, [no_update] * len(ids or [])
