"""The Maps panel's edits: Compute commits the coerced controls to the state; a click on a cell."""
from __future__ import annotations

from webapp.i18n import msg
from webapp.panels.edits import Edit, EditContext
from webapp.panels.maps.request import apply_click, parse_request, request_settings

__all__ = ["EDITS", "control_settings", "CONTROLS"]

CONTROLS = {"kind": ("maps-kind", "value"), "runs": ("maps-runs", "value"), "grid": ("maps-grid", "value"),
            "steps": ("maps-steps", "value"), "basin_color": ("maps-basin-color", "value"),
            "x_param": ("maps-x", "value"), "y_param": ("maps-y", "value"), "side": ("maps-side", "value"),
            "sens_color": ("maps-sens-color", "value")}


def control_settings(kind, runs, grid, steps, basin_color, x_param, y_param, side, sens_color) -> dict:
    """The panel's control values as the settings dict :func:`parse_request` reads."""
    return {"map": kind, "map_runs": runs if isinstance(runs, list) else [], "map_grid": grid, "map_steps": steps,
            "map_color": basin_color if kind == "basin" else sens_color, "map_x": x_param, "map_y": y_param,
            "map_n": side}


def commit(context: EditContext) -> bool:
    """Compute: the coerced controls become the state's map settings (and so the URL); every clamp or
    refusal is listed under the controls, and the boxes show the values in force."""
    if not context.value:
        return False
    settings = control_settings(**context.extra)
    request, messages = parse_request(settings, context.state)
    context.outputs["maps_messages"] = messages or ([msg("notices.maps_nothing")] if request is None else [])
    if request is None:
        return False
    context.state.maps = request_settings(request, context.state)
    context.outputs["maps_in_force"] = {"grid": request.grid, "side": request.side,
                                        "steps": request.steps if context.extra["steps"] not in (None, "") else None}
    context.outputs["maps_recompute"] = True       # even when the settings are unchanged
    return True


def click_cell(context: EditContext) -> bool:
    click = context.value
    if not isinstance(click, dict) or not isinstance(click.get("points"), list) or not click["points"]:
        return False
    if not apply_click(context.state, context.extra["meta"], click["points"][0]):
        return False
    context.structural = True
    return True


EDITS = (
    Edit("maps_compute", "maps-compute", "n_clicks", commit, extra=CONTROLS),
    Edit("maps_click", "maps-graph", "clickData", click_cell, extra={"meta": ("maps-meta", "data")}),
)
