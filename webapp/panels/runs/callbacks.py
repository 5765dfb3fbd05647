"""Run edits: add, hide, duplicate, remove; change a run's optimizer or schedule; one value of one run.

A value the server clamps or refuses (lr -1, seed -3, noise 1000, Nesterov with momentum 0)
leaves a notice in the run's card (place ``run:<i>``) and the card re-draws with the value in force.
"""
from __future__ import annotations

from dash import ALL, Input, Output, State, no_update

import optimizers
from optimizers import schedules
from webapp.panels.wiring import STATE, edit_state, from_control, guarded, note, run_index, triggered
from webapp.state import AppState, coerce, default_run, free_color, from_store, to_store

__all__ = ["register", "apply_run_value"]


def register(app) -> None:
    @app.callback(Output(STATE, "data", allow_duplicate=True), Input("add-run", "n_clicks"),
                  State("add-optimizer", "value"), State(STATE, "data"), prevent_initial_call=True)
    @guarded(1)
    def add_run(n_clicks, name, data):
        if not n_clicks:
            return no_update

        def change(state, notices):
            if len(state.runs) >= coerce.MAX_RUNS:
                return False
            chosen = name if name in optimizers.names() else optimizers.names()[0]
            state.runs.append(default_run(chosen, color=free_color(state.runs)))
            return True

        return edit_state(data, change, bump=True)

    @app.callback(Output(STATE, "data", allow_duplicate=True),
                  Input({"type": "run-visible", "run": ALL}, "n_clicks"),
                  Input({"type": "run-duplicate", "run": ALL}, "n_clicks"),
                  Input({"type": "run-remove", "run": ALL}, "n_clicks"),
                  State(STATE, "data"), prevent_initial_call=True)
    @guarded(1)
    def run_buttons(_visible, _duplicate, _remove, data):
        """Hide/show, duplicate or remove one run."""
        def change(state, notices):
            for component_id, clicks in triggered():
                index = run_index(component_id, state)
                if index is None or not clicks:
                    continue
                kind = component_id.get("type")
                if kind == "run-visible":
                    state.runs[index].visible = not state.runs[index].visible
                elif kind == "run-duplicate" and len(state.runs) < coerce.MAX_RUNS:
                    copy = from_store({"runs": [to_store(AppState(runs=[state.runs[index]]))["runs"][0]]})[0].runs[0]
                    copy.color = free_color(state.runs)
                    state.runs.insert(index + 1, copy)
                elif kind == "run-remove":
                    del state.runs[index]
                else:
                    continue
                return True
            return False

        return edit_state(data, change, bump=True)

    @app.callback(Output(STATE, "data", allow_duplicate=True),
                  Input({"type": "run-optimizer", "run": ALL}, "value"),
                  Input({"type": "run-schedule", "run": ALL}, "value"),
                  State(STATE, "data"), prevent_initial_call=True)
    @guarded(1)
    def run_structure(_optimizers, _schedules, data):
        """Changing a run's optimizer or schedule: new controls, starting from that one's defaults."""
        def change(state, notices):
            changed = False
            for component_id, value in triggered():
                index = run_index(component_id, state)
                if index is None or not isinstance(value, str):
                    continue
                run = state.runs[index]
                if component_id.get("type") == "run-optimizer" and value in optimizers.names() \
                        and value != run.optimizer:
                    fresh = default_run(value, color=run.color)
                    fresh.schedule, fresh.schedule_params = run.schedule, run.schedule_params
                    fresh.noise, fresh.seed, fresh.visible = run.noise, run.seed, run.visible
                    state.runs[index] = fresh
                    changed = True
                elif component_id.get("type") == "run-schedule" and value in schedules.names() \
                        and value != run.schedule:
                    run.schedule = value
                    run.schedule_params = {p.name: p.default for p in schedules.schema(value)}
                    changed = True
            return changed

        return edit_state(data, change, bump=True)

    @app.callback(Output(STATE, "data", allow_duplicate=True),
                  Input({"type": "hyper", "run": ALL, "name": ALL}, "value"),
                  Input({"type": "hyper-option", "run": ALL, "name": ALL}, "value"),
                  Input({"type": "sched-param", "run": ALL, "name": ALL}, "value"),
                  Input({"type": "sched-param-option", "run": ALL, "name": ALL}, "value"),
                  Input({"type": "run-noise", "run": ALL}, "value"),
                  Input({"type": "run-seed", "run": ALL}, "value"),
                  State(STATE, "data"), prevent_initial_call=True)
    @guarded(1)
    def run_values(_hyper, _hyper_options, _sched, _sched_options, _noise, _seed, data):
        """One hyperparameter, schedule parameter, noise level or seed of one run."""
        def change(state, notices):
            changed = False
            for component_id, value in triggered():
                index = run_index(component_id, state)
                if index is None:
                    continue
                found: list = []
                changed |= apply_run_value(state.runs[index], component_id, value, found, index)
                note(notices, f"run:{index}", found)
            return changed

        return edit_state(data, change)


def apply_run_value(run, component_id: dict, value, notices: list, position: int = 0) -> bool:
    """Set the value a run control (``component_id``) posted; True when the run changed.

    An empty box is ignored (the user is still typing), except that it means "automatic" for a
    parameter whose default is ``None``. Anything else is coerced (clamped or refused) with a
    notice; a value the optimizer refuses in combination (Nesterov needs momentum > 0) is refused
    with the optimizer's own message, and the run keeps its previous value.
    """
    owner = f"Run {position + 1} ({run.optimizer})"
    kind = str(component_id.get("type", "")).removesuffix("-option")
    if kind in ("run-noise", "run-seed"):
        if value is None or value == "":
            return False
        if kind == "run-noise":
            new = coerce.noise(value, notices, owner)
            changed, run.noise = new != run.noise, new
        else:
            new = coerce.seed(value, notices, owner)
            changed, run.seed = new != run.seed, new
        return changed
    if kind == "hyper":
        schema, values, build = optimizers.schema(run.optimizer), run.hyper, \
            (lambda v: optimizers.get(run.optimizer, **v))
    elif kind == "sched-param":
        schema, values, build = schedules.schema(run.schedule), run.schedule_params, \
            (lambda v: schedules.get(run.schedule, **v))
        owner += " schedule"
    else:
        return False
    params = {p.name: p for p in schema}
    name = component_id.get("name")
    if name not in params:
        return False
    raw = from_control(params[name], value)
    automatic = raw is None and params[name].default is None      # an emptied box means "auto"
    if not automatic and (raw is None or raw == ""):
        return False
    if not automatic and params[name].kind in ("float", "int") and coerce.number(raw) is None:
        notices.append(f"{owner}: {name}={coerce.short(raw)} is not a number; kept {name}="
                       f"{coerce.short(values.get(name))}.")
        return False
    new = coerce.param_value(params[name], raw, owner, notices)
    if new == values.get(name):
        return False
    candidate = {**values, name: new}
    try:
        build(candidate)            # cross-parameter checks, e.g. Nesterov needs momentum > 0
    except ValueError as error:
        notices.append(f"{owner}: {error}; kept {name}={coerce.short(values.get(name))}.")
        return False
    values[name] = new
    return True
