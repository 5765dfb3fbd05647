"""Tune's edits: "Tune all runs" and each run card's Tune button.

The tuned values (rounded to 3 significant digits) either become new runs next to the runs as set
(mode ``add``: "tuned" against "as set" on the map, the loss plot and the table) or replace the runs'
values (mode ``replace``); either way they are ordinary run values, so they show in the run cards,
the share link and the CSV. A run whose values as set beat every candidate keeps them.
"""
from __future__ import annotations

from dash import ALL

import optimizers
from webapp.compute.variants import tune_runs
from webapp.i18n import msg
from webapp.panels.edits import Edit, EditContext
from webapp.panels.tune.layout import MODES, report_children
from webapp.panels.wiring import run_index
from webapp.state import coerce, free_color
from webapp.state.model import RunSpec

__all__ = ["EDITS", "apply_tuning"]

CONTROLS = {"objective": ("tune-objective", "value"), "mode": ("tune-mode", "value")}


def _tuned_run(run: RunSpec, tuned: dict, color: int) -> RunSpec:
    """A copy of ``run`` with the tuned values (every value checked against the schema)."""
    params = {p.name: p for p in optimizers.schema(run.optimizer)}
    hyper = dict(run.hyper)
    for name, value in tuned.items():
        hyper[name] = coerce.param_value(params[name], value, run.optimizer, [])
    return RunSpec(optimizer=run.optimizer, hyper=hyper, schedule=run.schedule,
                   schedule_params=dict(run.schedule_params), noise=run.noise, seed=run.seed,
                   visible=run.visible, color=color)


def apply_tuning(state, indices, objective, mode) -> tuple[bool, list]:
    """Tune the runs ``indices`` of ``state`` and apply the result as ``mode`` says.

    Returns ``(changed, report children)``; copies are inserted after their run, as many as fit
    under the page's run cap (the report says which did not).
    """
    if mode not in MODES:
        mode = "add"
    report = tune_runs(state, indices, objective)
    applied: dict = {}
    changed = False
    offset = 0
    for row in report.rows:
        index = row["index"] + offset
        if row["tuned"] is None:
            applied[row["index"]] = msg("tune.kept_nothing")
            continue
        if not row["improved"]:
            applied[row["index"]] = msg("tune.kept_best")
            continue
        run = state.runs[index]
        if mode == "replace":
            state.runs[index] = _tuned_run(run, row["tuned"], run.color)
            applied[row["index"]] = msg("tune.replaced")
            changed = True
        elif len(state.runs) < coerce.MAX_RUNS:
            state.runs.insert(index + 1, _tuned_run(run, row["tuned"], free_color(state.runs)))
            offset += 1
            applied[row["index"]] = msg("tune.added", position=index + 2)
            changed = True
        else:
            applied[row["index"]] = msg("tune.not_added", limit=coerce.MAX_RUNS)
    return changed, report_children(report, applied, state.lang)


def tune_all(context: EditContext) -> bool:
    if not context.value:
        return False
    changed, children = apply_tuning(context.state, range(len(context.state.runs)), context.extra["objective"],
                                     context.extra["mode"])
    context.outputs["tune_report"] = children
    return changed


def tune_one(context: EditContext) -> bool:
    index = run_index(context.component_id, context.state)
    if index is None or not context.value:
        return False
    changed, children = apply_tuning(context.state, [index], context.extra["objective"], context.extra["mode"])
    context.outputs["tune_report"] = children
    return changed


EDITS = (
    Edit("tune", "tune-button", "n_clicks", tune_all, extra=CONTROLS, structural=True),
    Edit("run_tune", {"type": "run-tune", "run": ALL}, "n_clicks", tune_one, extra=CONTROLS, structural=True),
)
