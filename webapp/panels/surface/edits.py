"""The Surface card's edits: pick a surface, set one of its parameters, type a formula."""
from __future__ import annotations

from dash import ALL

import landscapes
from webapp.i18n import msg
from webapp.panels.edits import Edit, EditContext
from webapp.panels.surface.formula import TEXT_SUFFIX, apply_surface_text, error_view
from webapp.panels.wiring import from_control, note
from webapp.state import coerce

__all__ = ["EDITS"]


def pick_surface(context: EditContext) -> bool:
    name, state = context.value, context.state
    if not isinstance(name, str) or name not in landscapes.names() or name == state.surface:
        return False
    state.surface = name
    state.surface_params = {p.name: p.default for p in landscapes.schema(name)}
    state.start = None
    state.view = None
    context.structural = True
    return True


def surface_param(context: EditContext) -> bool:
    state = context.state
    schema = {p.name: p for p in landscapes.schema(state.surface)}
    name = context.component_id.get("name") if isinstance(context.component_id, dict) else None
    if name not in schema:
        return False
    value = from_control(schema[name], context.value)
    if value is None or value == "":
        return False
    found: list = []
    new = coerce.param_value(schema[name], value, msg("notices.owner_surface", surface=name), found)
    note(context.notices, "surface", found)
    if new == state.surface_params.get(name):
        return False
    candidate = {**state.surface_params, name: new}
    try:
        landscapes.get(state.surface, **candidate)
    except ValueError as error:
        note(context.notices, "surface", [msg("notices.surface_kept", error=str(error), name=name,
                                              kept=repr(state.surface_params.get(name)))])
        return False
    state.surface_params = candidate
    return True


def surface_text(context: EditContext) -> bool:
    """Typed text -> validated state, or the text with a caret under its mistake (the state stays)."""
    name = context.component_id.get("name") if isinstance(context.component_id, dict) else None
    text = context.value
    changed, error = apply_surface_text(context.state, name, text)
    if error is not None:
        context.outputs["surface_error"] = error_view(text if isinstance(text, str) else "", error, context.state.lang)
    else:
        context.outputs["surface_error"] = []
    return changed


EDITS = (
    Edit("surface", "surface-picker", "value", pick_surface),
    Edit("surface_param", {"type": "surface-param", "name": ALL}, "value", surface_param),
    Edit("surface_option", {"type": "surface-param-option", "name": ALL}, "value", surface_param),
    Edit("surface_text", {"type": "surface-param" + TEXT_SUFFIX, "name": ALL}, "value", surface_text),
)
