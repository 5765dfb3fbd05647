"""Run edits: add, hide, duplicate, remove; change a run's optimizer or schedule; one value of one run.

A value the server clamps or refuses (lr -1, seed -3, noise 1000, Nesterov with momentum 0)
leaves a notice in the run's card (place ``run:<i>``) and the card re-draws with the value in force.
"""
from __future__ import annotations

from dash import ALL

import optimizers
from optimizers import schedules
from webapp.i18n import msg
from webapp.panels.edits import Edit, EditContext
from webapp.panels.wiring import from_control, note, run_index
from webapp.state import AppState, coerce, default_run, from_store, to_store
from webapp.state.palette import optimizer_color

__all__ = ["EDITS", "apply_run_value", "control_params"]


def add_run(context: EditContext) -> bool:
    state, name = context.state, context.extra["add_optimizer"]
    if not context.value or len(state.runs) >= coerce.MAX_RUNS:
        return False
    chosen = name if name in optimizers.names() else optimizers.names()[0]
    state.runs.append(default_run(chosen, color=optimizer_color(chosen)))   # its optimizer's colour
    return True


def run_button(context: EditContext) -> bool:
    """Hide/show, duplicate or remove one run."""
    state, component_id = context.state, context.component_id
    index = run_index(component_id, state)
    if index is None or not context.value:
        return False
    kind = component_id.get("type")
    if kind == "run-visible":
        state.runs[index].visible = not state.runs[index].visible
    elif kind == "run-duplicate" and len(state.runs) < coerce.MAX_RUNS:
        copy = from_store({"runs": [to_store(AppState(runs=[state.runs[index]]))["runs"][0]]})[0].runs[0]
        # the copy keeps its colour; run_dashes draws it dashed
        state.runs.insert(index + 1, copy)
    elif kind == "run-remove":
        del state.runs[index]
    else:
        return False
    return True


def run_structure(context: EditContext) -> bool:
    """Changing a run's optimizer or schedule: new controls, starting from that one's defaults."""
    state, component_id, value = context.state, context.component_id, context.value
    index = run_index(component_id, state)
    if index is None or not isinstance(value, str):
        return False
    run = state.runs[index]
    if component_id.get("type") == "run-optimizer" and value in optimizers.names() and value != run.optimizer:
        fresh = default_run(value, color=optimizer_color(value))
        fresh.schedule, fresh.schedule_params = run.schedule, run.schedule_params
        fresh.noise, fresh.seed, fresh.visible = run.noise, run.seed, run.visible
        state.runs[index] = fresh
        return True
    if component_id.get("type") == "run-schedule" and value in schedules.names() and value != run.schedule:
        run.schedule = value
        run.schedule_params = {p.name: p.default for p in schedules.schema(value)}
        return True
    return False


def run_value(context: EditContext) -> bool:
    """One hyperparameter, schedule parameter, noise level or seed of one run."""
    index = run_index(context.component_id, context.state)
    if index is None:
        return False
    found: list = []
    changed = apply_run_value(context.state.runs[index], context.component_id, context.value, found, index)
    note(context.notices, f"run:{index}", found)
    return changed


def control_params(run, kind: str) -> dict | None:
    """The parameters (name -> ``Param``) a run's ``kind`` of numeric control sets: ``"hyper"`` the
    optimizer's, ``"sched-param"`` the schedule's; ``None`` for any other kind."""
    if kind == "hyper":
        return {p.name: p for p in optimizers.schema(run.optimizer)}
    if kind == "sched-param":
        return {p.name: p for p in schedules.schema(run.schedule)}
    return None


def apply_run_value(run, component_id: dict, value, notices: list, position: int = 0) -> bool:
    """Set the value a run control (``component_id``) posted; True when the run changed.

    An empty box is ignored (the user is still typing), except that it means "automatic" for a
    parameter whose default is ``None``. Anything else is coerced (clamped or refused) with a
    notice; a value the optimizer refuses in combination (Nesterov needs momentum > 0) is refused
    with the optimizer's own message, and the run keeps its previous value.
    """
    owner = msg("notices.owner_run_optimizer", position=position + 1, optimizer=run.optimizer)
    kind = str(component_id.get("type", "")).removesuffix("-option").removesuffix("-text")
    if kind in ("run-noise", "run-seed", "run-seeds"):
        if value is None or value == "":
            return False
        if kind == "run-noise":
            new = coerce.noise(value, notices, owner)
            changed, run.noise = new != run.noise, new
        elif kind == "run-seeds":
            new = coerce.seeds(value, notices, owner)
            changed, run.seeds = new != run.seeds, new
        else:
            new = coerce.seed(value, notices, owner)
            changed, run.seed = new != run.seed, new
        return changed
    params = control_params(run, kind)
    if params is None:
        return False
    if kind == "hyper":
        values, build = run.hyper, (lambda v: optimizers.get(run.optimizer, **v))
    else:
        values, build = run.schedule_params, (lambda v: schedules.get(run.schedule, **v))
        owner = msg("notices.owner_schedule", owner=owner)
    name = component_id.get("name")
    if name not in params:
        return False
    raw = from_control(params[name], value)
    automatic = raw is None and params[name].default is None      # an emptied box means "auto"
    if not automatic and (raw is None or raw == ""):
        return False
    if not automatic and params[name].kind in ("float", "int") and coerce.number(raw) is None:
        notices.append(msg("notices.kept_not_number", owner=owner, name=name, value=coerce.short(raw),
                           kept=coerce.short(values.get(name))))
        return False
    new = coerce.param_value(params[name], raw, owner, notices)
    if new == values.get(name):
        return False
    candidate = {**values, name: new}
    try:
        build(candidate)            # cross-parameter checks, e.g. Nesterov needs momentum > 0
    except ValueError as error:
        notices.append(msg("notices.kept_refused", owner=owner, error=str(error), name=name,
                           kept=coerce.short(values.get(name))))
        return False
    values[name] = new
    return True


def _pattern(kind: str, **keys) -> dict:
    return {"type": kind, "run": ALL, **keys}


EDITS = (
    Edit("add_run", "add-run", "n_clicks", add_run, extra={"add_optimizer": ("add-optimizer", "value")},
         structural=True),
    *[Edit(kind.replace("-", "_"), _pattern(kind), "n_clicks", run_button, structural=True)
      for kind in ("run-visible", "run-duplicate", "run-remove")],
    *[Edit(kind.replace("-", "_"), _pattern(kind), "value", run_structure, structural=True)
      for kind in ("run-optimizer", "run-schedule")],
    *[Edit(kind.replace("-", "_"), _pattern(kind, name=ALL), "value", run_value)
      for kind in ("hyper", "hyper-option", "hyper-text", "sched-param", "sched-param-option", "sched-param-text")],
    *[Edit(kind.replace("-", "_"), _pattern(kind), "value", run_value) for kind in ("run-noise", "run-seed", "run-seeds")],
)
