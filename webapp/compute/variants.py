r"""Variants of the page's runs, stepped as one batch each: Tune, the robustness score, seed clouds.

The page's runs become the engine's :class:`optimizers.runspec.RunSpec` in one place,
:func:`engine_spec`; everything else here calls the engine (:mod:`optimizers.tuning`,
:mod:`optimizers.clouds`) under the page's budgets and a deadline.

Work is declared before it is done, in run-steps weighted by each optimizer class's ``step_cost``
(one first-order step of one row is 1; an L-BFGS step is 2300):

.. math::  \text{work} = \sum_\text{runs} (C_r + 1) \times T \times s_r

for a Tune of ``C_r`` candidates (plus the run as set) over ``T`` steps; a request over
:data:`TUNE_BUDGET` is refused with a message saying by how much, before any stepping. The engine's
deadline (``time.monotonic()`` + :data:`TUNE_SECONDS`, or the request's own deadline when sooner)
cuts what the budget let through on a slow machine, with a message too.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

from optimizers.base import optimizer_class
from optimizers.clouds import seed_cloud
from optimizers.runspec import RunSpec as EngineRunSpec
from optimizers.tuning import OBJECTIVES, candidate_grid, robustness, tune
from webapp.compute.cache import LRUCache
from webapp.compute.deadline import current_deadline
from webapp.i18n import msg

__all__ = ["engine_spec", "tune_runs", "TuneReport", "TUNE_BUDGET", "TUNE_SECONDS", "LR_POINTS",
           "SECOND_POINTS", "TUNE_TOL", "OBJECTIVE_LABELS", "rounded", "robustness_scores", "ROBUST_LR_POINTS",
           "ROBUST_GRID", "ROBUST_BUDGET", "robustness_column", "seed_clouds", "CLOUD_BUDGET", "clear_caches"]

LR_POINTS = 32            # learning rates per run, geometric over the schema's slider range
SECOND_POINTS = 4         # momentum / beta1 values (1 - beta geometric in [0.01, 0.5]) where the run has one > 0
TUNE_TOL = 1e-3           # the loss gap "settled" means (the results table's tolerance)
TUNE_BUDGET = 1_200_000   # weighted run-steps: 8 runs x 129 rows x 500 steps = 516,000 fits twice over
TUNE_SECONDS = 2.0        # the deadline of one Tune request
SIGNIFICANT = 3           # tuned values are written with 3 significant digits (readable in the card and link)
ROBUST_LR_POINTS = 5      # lr x 1/3, 1/sqrt 3, 1, sqrt 3, 3
ROBUST_GRID = 4           # starts: the 4 x 4 cell centres of the view
ROBUST_BUDGET = 600_000   # weighted run-steps: 8 runs x 80 rows x 300 steps = 192,000 fits three times over
CLOUD_BUDGET = 1_500_000  # weighted run-steps: 256 seeds x 5000 steps = 1,280,000 fits (about 0.4 s)
_CLOUD_CACHE = LRUCache(32)     # (the run's key, start) -> SeedCloud
_ROBUST_CACHE = LRUCache(256)   # (surface, its parameters, the run as an engine spec, steps, view) -> score
OBJECTIVE_LABELS = {"settled": "steps until settled", "final_gap": "final loss gap",
                    "auc": "area under the loss curve"}


def engine_spec(run, start) -> EngineRunSpec:
    """The engine's one-run record of a page run (``webapp.state.RunSpec``) started at ``start``.

    Its hyperparameters, schedule (built from its name and parameters; ``None`` for constant),
    noise and seed; the page-only fields (colour, visibility) are dropped.
    """
    schedule = None if run.schedule == "constant" else run.build_schedule()
    return EngineRunSpec(run.optimizer, dict(run.hyper), start=tuple(float(v) for v in start),
                         schedule=schedule, noise=float(run.noise), seed=int(run.seed))


def rounded(value: float) -> float:
    """``value`` to :data:`SIGNIFICANT` significant digits (what a person would type)."""
    return float(f"{value:.{SIGNIFICANT}g}")


@dataclass
class TuneReport:
    """What one Tune request found: ``statement`` (objective, tolerance, budget), one row per tuned
    run (``index``, ``name``, ``as_set``, ``tuned`` dicts, ``as_set_text``, ``tuned_text``, ``line``),
    or ``refusal`` (over the budget, past the deadline, nothing to tune) and no rows."""

    statement: str
    rows: list
    refusal: str | None = None


def _rows_of(spec: EngineRunSpec) -> int:
    return len(candidate_grid(spec, LR_POINTS, SECOND_POINTS)["lr"]) + 1


def tune_runs(state, indices, objective: str, deadline: float | None = None) -> TuneReport:
    """Tune the runs ``indices`` of ``state`` under ``objective`` (a key of :data:`OBJECTIVE_LABELS`).

    One engine batch per run (:func:`optimizers.tuning.tune`); tuned values are rounded to
    :data:`SIGNIFICANT` digits. Never raises for a request it refuses: the report says why.
    """
    label = OBJECTIVE_LABELS.get(objective)
    if label is None:
        return TuneReport("", [], msg("tune.unknown_objective", objective=repr(str(objective)[:40])))
    steps = int(state.steps)
    runs = [(i, state.runs[i]) for i in indices if 0 <= i < len(state.runs)]
    runs = [(i, run) for i, run in runs if any(p.name == "lr" for p in optimizer_class(run.optimizer).schema)]
    if not runs:
        return TuneReport("", [], msg("tune.no_lr"))
    surface, start = state.landscape(), state.start_point()
    specs = [engine_spec(run, start) for _, run in runs]
    rows = [_rows_of(spec) for spec in specs]
    work = sum(r * steps * float(optimizer_class(s.optimizer).step_cost) for r, s in zip(rows, specs))
    statement = msg("tune.statement", label=msg(f"tune.objective_{objective}"), formula=OBJECTIVES[objective],
                    tol=f"{TUNE_TOL:g}", lr_points=LR_POINTS, second_points=SECOND_POINTS, runs=len(specs),
                    candidates=max(rows) - 1, steps=steps, work=f"{math.ceil(work):,}", budget=f"{TUNE_BUDGET:,}")
    if work > TUNE_BUDGET:
        return TuneReport(statement, [], msg("tune.refused", work=f"{math.ceil(work):,}", budget=f"{TUNE_BUDGET:,}"))
    own = time.monotonic() + TUNE_SECONDS
    deadline = current_deadline() if deadline is None else deadline       # the request's, when it has one
    deadline = own if deadline is None else min(own, deadline)
    try:
        tuning = tune(surface, specs, steps, objective=objective, tol=TUNE_TOL, lr_points=LR_POINTS,
                      second_points=SECOND_POINTS, budget=max(sum(rows) * steps, 1), deadline=deadline)
    except ValueError as error:          # DeadlineExceeded is one; a refused value is another
        return TuneReport(statement, [], msg("tune.stopped", error=str(error)))
    out = []
    for (index, run), result in zip(runs, tuning.results):
        tuned = None if result.best is None else {k: rounded(v) for k, v in result.best.items()}
        out.append({"index": index, "name": run.name(), "as_set": result.as_set, "tuned": tuned,
                    "as_set_text": _score(objective, result.as_set_value),
                    "tuned_text": _score(objective, result.best_value) if tuned else (result.message or ""),
                    "edge": result.lr_at_grid_edge, "improved": result.improved, "line": result.describe()})
    return TuneReport(statement, out)


def _score(objective: str, value) -> str:
    if value is None or not math.isfinite(value):
        return msg("tune.never_settles") if objective == "settled" else msg("tune.diverged")
    if objective == "settled":
        return msg("tune.settled", step=int(value))
    if objective == "final_gap":
        return msg("tune.final_gap", value=f"{value:.3g}")
    return msg("tune.mean_gap", value=f"{value:.3g}")


def _robust_key(state, run, steps: int) -> tuple:
    return (state.surface, tuple(sorted((k, str(v)) for k, v in state.surface_params.items())), run.optimizer,
            tuple(sorted((k, str(v)) for k, v in run.hyper.items())), run.schedule,
            tuple(sorted((k, str(v)) for k, v in run.schedule_params.items())), float(run.noise), int(run.seed),
            int(steps), tuple(float(v) for v in state.view_box()))


def robustness_scores(state, steps: int, notices: list, deadline: float | None = None) -> list:
    r"""The robustness score of every run of ``state`` (``None`` where it was not computed), or all
    ``None`` with a notice when the request is over :data:`ROBUST_BUDGET`.

    A run's score is the share of its neighbourhood that settles within the results table's
    tolerance in ``steps`` steps (:func:`optimizers.tuning.robustness`): its learning rate times
    :data:`ROBUST_LR_POINTS` factors geometric in [1/3, 3] (1 among them), by the
    :data:`ROBUST_GRID` x :data:`ROBUST_GRID` cell centres of the view as starts; one batch a run.
    Work: ``sum_runs 5 x 16 x steps x step_cost``; scores are cached per run and view.
    """
    scores: list = [None] * len(state.runs)
    todo = []
    for index, run in enumerate(state.runs):
        found = _ROBUST_CACHE.get(_robust_key(state, run, steps))
        if found is not None:
            scores[index] = found
        elif any(p.name == "lr" for p in optimizer_class(run.optimizer).schema):
            todo.append(index)
    rows = ROBUST_LR_POINTS * ROBUST_GRID * ROBUST_GRID
    work = sum(rows * steps * float(optimizer_class(state.runs[i].optimizer).step_cost) for i in todo)
    if work > ROBUST_BUDGET:
        notices.append(msg("notices.robust_budget", work=f"{math.ceil(work):,}", budget=f"{ROBUST_BUDGET:,}"))
        return scores
    surface, start = state.landscape(), state.start_point()
    for index in todo:
        run = state.runs[index]
        try:
            found = robustness(surface, engine_spec(run, start), steps, view=state.view_box(),
                               lr_points=ROBUST_LR_POINTS, grid=ROBUST_GRID, tol=TUNE_TOL, budget=ROBUST_BUDGET,
                               deadline=deadline).score
        except ValueError as error:                  # DeadlineExceeded among them: leave the rest empty
            notices.append(msg("notices.robust_failed", position=index + 1, error=str(error)))
            break
        _ROBUST_CACHE.put(_robust_key(state, run, steps), found)
        scores[index] = found
    return scores


def robustness_column(state, results, steps: int, notices: list) -> list:
    """The robustness scores of the page's ``results`` (in their order), under the request's deadline."""
    scores = robustness_scores(state, steps, notices, deadline=current_deadline())
    return [scores[result.index] for result in results]


def seed_clouds(state, results, steps: int, notices: list) -> dict:
    """``{position in results: SeedCloud}`` for every noisy run with ``seeds > 1``
    (:func:`optimizers.clouds.seed_cloud`: seeds ``seed ... seed + seeds - 1`` as one batch, cached),
    within :data:`CLOUD_BUDGET` weighted run-steps (the clouds over it are left out, with a notice)."""
    out: dict = {}
    left = CLOUD_BUDGET
    start = state.start_point()
    for position, result in enumerate(results):
        run = result.spec
        if run.seeds <= 1 or not run.noise > 0:
            continue
        key = (_robust_key(state, run, steps), run.seeds, tuple(float(v) for v in start))
        found = _CLOUD_CACHE.get(key)
        if found is None:
            work = run.seeds * steps * float(optimizer_class(run.optimizer).step_cost)
            if work > left:
                notices.append(msg("notices.cloud_budget", position=result.index + 1, seeds=run.seeds, steps=steps,
                                   work=f"{math.ceil(work):,}", left=f"{left:,.0f}"))
                continue
            left -= work
            try:
                found = seed_cloud(state.landscape(), engine_spec(run, start), steps, run.seeds, tol=TUNE_TOL,
                                   budget=max(int(run.seeds * steps), 1), deadline=current_deadline())
            except ValueError as error:
                notices.append(msg("notices.cloud_failed", position=result.index + 1, error=str(error)))
                continue
            _CLOUD_CACHE.put(key, found)
        out[position] = found
    return out


def clear_caches() -> None:
    """Forget every cached robustness score and seed cloud (benchmarks time the work, not the cache)."""
    _ROBUST_CACHE.clear()
    _CLOUD_CACHE.clear()
