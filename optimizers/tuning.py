"""A fair fight: tune every run's learning rate (and momentum or beta1) the same way, in one batch each.

:func:`tune` takes one or several :class:`optimizers.runspec.RunSpec` and, for
each, steps every candidate of a grid as one batch (per-row hyperparameter
arrays; rows never interact, so candidate ``i`` equals a separate run with its
values bit for bit), plus the run *as set* as one more row for comparison.

The grid (the same rule for every optimizer, which is what makes it fair):

* ``lr``: ``lr_points`` values, geometric from the schema's slider range
  ``[slider_low, slider_high]`` (:func:`optimizers.maps.param_grid`);
* the second axis, where the optimizer has one (``momentum``, else ``beta1``) and
  the run sets it above 0 (SGD at momentum 0 stays SGD; Nesterov needs one > 0):
  ``second_points`` values with ``1 - beta`` geometric from 0.5 down to 0.01
  (``beta`` = 0.5 ... 0.99: horizons ``1/(1 - beta)`` from 2 to 100 steps evenly on a log scale).

The objective (lower is better), on the gap of :meth:`optimizers.loop.Trajectory.gap`
(loss minus the global minimum, the gradient norm where no minimum is known):

* ``"settled"``: the step from which the gap stays ``<= tol`` to the end
  (``Trajectory.settled_at``); a run that never settles scores ``inf``.
* ``"final_gap"``: the gap at the last step; a diverged run scores ``inf``.
* ``"auc"``: the area under the log loss-gap curve per step,
  ``(1 / (T + 1)) * sum_t log10(max(gap_t, 1e-16))``; a diverged run scores ``inf``.

With gradient noise every candidate uses the run's seed (common random numbers: candidates
differ only by their values). Ties are broken by the final gap, then by grid order (smaller lr first). When no
candidate reaches the objective (none settles; every one diverged) the result has
no best and says why in ``message``.

Work is declared before it is done: ``runs x (candidates + 1) x steps`` run-steps
must fit ``budget`` or :func:`tune` raises a ValueError saying by how much.
``deadline`` (a ``time.monotonic()`` instant) is passed to the stepping loop;
when it cuts a batch, :class:`optimizers.runspec.DeadlineExceeded` (a ValueError).

:func:`robustness` scores how much of a neighbourhood of a run settles:
learning rate x[1/3, 3] (geometric) by a grid of starts over the view, one batch.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from optimizers.base import optimizer_class
from optimizers.maps import cell_centres, param_grid
from optimizers.runspec import DeadlineExceeded, RunSpec, check_budget, step_variants
from optimizers.checks import positive_number

__all__ = ["tune", "Tuning", "TuneResult", "robustness", "Robustness", "candidate_grid", "objective_values",
           "OBJECTIVES", "DEFAULT_TUNE_BUDGET", "DEFAULT_ROBUSTNESS_BUDGET", "SECOND_PARAMS", "MAX_CANDIDATES",
           "LOG_GAP_FLOOR"]

OBJECTIVES = {
    "settled": "steps until the loss gap stays within tol",
    "final_gap": "final loss gap",
    "auc": "area under the log10 loss-gap curve, per step",
}
SECOND_PARAMS = ("momentum", "beta1")      # the second axis, first match in the schema
MAX_CANDIDATES = 256
DEFAULT_TUNE_BUDGET = 2_000_000           # run-steps: 8 runs x 65 rows x 500 steps = 260,000 fits 7 times over
DEFAULT_ROBUSTNESS_BUDGET = 1_000_000     # run-steps: 5 rates x 25 starts x 5000 steps = 625,000 fits
LOG_GAP_FLOOR = 1e-16


def _whole(name: str, value, low: int, high: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
        raise ValueError(f"{name} must be a whole number in [{low}, {high}], got {value!r}")
    return int(value)


def _check_objective(objective: str) -> str:
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {', '.join(OBJECTIVES)}, got {objective!r}")
    return objective


def second_param(spec: RunSpec) -> str | None:
    """The second axis tuned for ``spec``: ``momentum`` or ``beta1`` when the schema has it and it is set > 0."""
    names = {p.name for p in optimizer_class(spec.optimizer).schema}
    as_set = spec.as_set().hyper
    for name in SECOND_PARAMS:
        if name in names:
            value = as_set[name]
            return name if np.all(np.asarray(value) > 0) else None
    return None


def candidate_grid(spec: RunSpec, lr_points: int = 16, second_points: int = 4) -> dict:
    """The candidates of ``spec``: name -> ``(C,)`` per-row values, lr varying fastest.

    ``{"lr": ...}`` alone, or ``{"lr": ..., "momentum" | "beta1": ...}`` with
    ``C = lr_points * second_points`` (see the module docstring for the rule).
    """
    lr_points = _whole("lr_points", lr_points, 1, MAX_CANDIDATES)
    second_points = _whole("second_points", second_points, 1, MAX_CANDIDATES)
    schema = {p.name: p for p in optimizer_class(spec.optimizer).schema}
    if "lr" not in schema:
        raise ValueError(f"{spec.optimizer} has no learning rate to tune")
    lr_param = schema["lr"]
    lrs = np.geomspace(lr_param.slider_low, lr_param.slider_high, lr_points) if lr_points > 1 \
        else np.array([float(np.sqrt(lr_param.slider_low * lr_param.slider_high))])
    lrs = lr_param.validate(lrs, owner="candidate_grid")
    second = second_param(spec)
    if second is None:
        return {"lr": lrs}
    if lr_points * second_points > MAX_CANDIDATES:
        raise ValueError(f"lr_points x second_points must be at most {MAX_CANDIDATES}, "
                         f"got {lr_points} x {second_points}")
    betas = 1.0 - np.geomspace(0.5, 0.01, second_points) if second_points > 1 else np.array([0.9])
    betas = schema[second].validate(betas, owner="candidate_grid")
    return {"lr": np.tile(lrs, second_points), second: np.repeat(betas, lr_points)}


def objective_values(trajectory, objective: str, tol: float, measure: str = "loss_gap") -> dict:
    """Per row of ``trajectory``: the objective's value (``inf`` when not reached), settled step,
    final gap (``inf`` when diverged) and diverged step; four ``(N,)`` arrays and the measure used."""
    gap, measure = trajectory.gap(measure)                          # (T+1, N)
    conv = trajectory.convergence(tol, measure)
    diverged = conv.diverged_at >= 0
    with np.errstate(invalid="ignore"):
        final_gap = np.where(diverged | ~np.isfinite(gap[-1]), np.inf, gap[-1])
    if objective == "settled":
        value = np.where(conv.settled_at >= 0, conv.settled_at, np.inf).astype(np.float64)
    elif objective == "final_gap":
        value = final_gap.copy()
    else:
        with np.errstate(all="ignore"):
            logs = np.log10(np.maximum(gap, LOG_GAP_FLOOR))
            # one contiguous row per run: the same (pairwise) summation as for one run alone
            value = np.ascontiguousarray(logs.T).mean(axis=1)
        value = np.where(diverged | ~np.isfinite(value), np.inf, value)
    return {"value": value, "settled_at": conv.settled_at, "final_gap": final_gap,
            "diverged_at": conv.diverged_at, "measure": measure}


def _best(value: np.ndarray, final_gap: np.ndarray) -> int:
    """The row with the lowest value, ties by final gap, then by row order; -1 when every value is inf."""
    if not np.isfinite(value).any():
        return -1
    return int(np.lexsort((np.arange(value.size), final_gap, value))[0])


@dataclass
class TuneResult:
    """The tuning of one run.

    spec: the run as given. objective, tol, measure: what was minimized (see :data:`OBJECTIVES`).
    best: the tuned hyperparameters (``{"lr": ..., "momentum": ...}``) or None when no candidate
    reaches the objective; best_value: its objective value (None with no best); best_index: its
    row in ``candidates``. as_set: the spec's own values of the tuned parameters; as_set_value:
    the spec's own objective value (``inf`` when it does not reach it). candidates: name ->
    ``(C,)``: the tuned parameters' values, ``value``, ``settled_at``, ``final_gap``,
    ``diverged_at``. message: None, or why there is no best. steps: steps per candidate.
    """

    spec: RunSpec
    objective: str
    tol: float
    measure: str
    best: dict | None
    best_value: float | None
    best_index: int
    as_set: dict
    as_set_value: float
    candidates: dict
    message: str | None
    steps: int

    @property
    def improved(self) -> bool:
        """Whether the tuned values beat the values as set on the objective."""
        return self.best_value is not None and self.best_value < self.as_set_value

    @property
    def lr_at_grid_edge(self) -> bool:
        """Whether the tuned lr is the grid's smallest or largest (a wider range might do better)."""
        if self.best is None:
            return False
        lrs = self.candidates["lr"]
        return self.best["lr"] in (float(lrs.min()), float(lrs.max()))

    def describe(self) -> str:
        """One line for a results table, e.g. ``"tuned lr=0.0398 momentum=0.5: settled at step 58
        (as set lr=0.01 momentum=0.9: step 107)"``, or the message when there is no best."""
        as_set = " ".join(f"{k}={v:.3g}" for k, v in self.as_set.items())
        if self.best is None:
            return f"{self.message} (as set {as_set}: {_shown(self.objective, self.as_set_value)})"
        tuned = " ".join(f"{k}={v:.3g}" for k, v in self.best.items())
        edge = ", lr at the grid's edge" if self.lr_at_grid_edge else ""
        return f"tuned {tuned}: {_shown(self.objective, self.best_value)} (as set {as_set}: " \
               f"{_shown(self.objective, self.as_set_value)}{edge})"

    def tuned_spec(self) -> RunSpec:
        """The spec with the tuned values (the spec itself when there is no best)."""
        if self.best is None:
            return self.spec
        hyper = dict(self.spec.hyper)
        if "betas" in hyper and "beta1" in self.best:
            beta1, beta2 = hyper.pop("betas")
            hyper = {"beta1": beta1, "beta2": beta2, **hyper}
        hyper.update(self.best)
        return RunSpec(self.spec.optimizer, hyper, self.spec.start, self.spec.schedule, self.spec.noise,
                       self.spec.seed)

    def to_frame(self):
        """The candidate table as a pandas DataFrame, one row per candidate."""
        import pandas as pd

        return pd.DataFrame(self.candidates)


def _shown(objective: str, value: float) -> str:
    if objective == "settled":
        return "never settles" if not np.isfinite(value) else f"settled at step {int(value)}"
    if not np.isfinite(value):
        return "diverged"
    return f"final gap {value:.3g}" if objective == "final_gap" else f"mean log10 gap {value:.3g}"


@dataclass
class Tuning:
    """The tuning of several runs: ``results`` in the order given, and the work declared."""

    results: list
    objective: str
    tol: float
    steps: int
    work: int
    budget: int

    @property
    def statement(self) -> str:
        """What was minimized, as the page states it, e.g. ``"objective: steps until the loss gap
        stays within tol (tol 0.001), 500 steps per candidate, 260,000 of 2,000,000 run-steps"``."""
        return (f"objective: {OBJECTIVES[self.objective]} (tol {self.tol:g}), {self.steps} steps per candidate, "
                f"{self.work:,} of {self.budget:,} run-steps")


def tune(landscape, specs: RunSpec | Sequence[RunSpec], steps: int, *, objective: str = "settled",
         tol: float = 1e-3, measure: str = "loss_gap", lr_points: int = 16, second_points: int = 4,
         budget: int = DEFAULT_TUNE_BUDGET, deadline: float | None = None) -> Tuning:
    """Tune each run of ``specs`` over its :func:`candidate_grid` under ``objective``; one batch per run.

    Row 0 of each batch is the run as set; rows 1.. are the candidates. The budget
    (``runs x (candidates + 1) x steps`` run-steps) is checked before any stepping.
    """
    specs = [specs] if isinstance(specs, RunSpec) else list(specs)
    if not specs or not all(isinstance(s, RunSpec) for s in specs):
        raise ValueError("specs must be one RunSpec or a non-empty list of them")
    objective = _check_objective(objective)
    tol = positive_number("tol", tol)
    steps = _whole("steps", steps, 1, 100_000)
    grids = [candidate_grid(spec, lr_points, second_points) for spec in specs]
    rows = [len(grid["lr"]) + 1 for grid in grids]
    what = f"tuning {len(specs)} run(s) x {max(rows) - 1} candidates (+1 as set) x {steps} steps"
    check_budget(sum(rows) * steps, budget, what, "use fewer candidates, steps or runs")
    results = []
    for index, (spec, grid) in enumerate(zip(specs, grids)):
        as_set = {name: _scalar(spec.as_set().hyper[name]) for name in grid}
        overrides = {name: np.concatenate([[as_set[name]], values]) for name, values in grid.items()}
        try:
            trajectory = step_variants(landscape, spec, steps, overrides=overrides, deadline=deadline)
        except DeadlineExceeded as error:
            raise DeadlineExceeded(f"tuning {index} of {len(specs)} runs done; run {index + 1} {error}") from None
        scores = objective_values(trajectory, objective, tol, measure)
        table = {name: values for name, values in grid.items()}
        table.update({key: scores[key][1:] for key in ("value", "settled_at", "final_gap", "diverged_at")})
        best = _best(table["value"], table["final_gap"])
        message = None
        if best < 0:
            message = (f"no candidate settles within {tol:g} in {steps} steps" if objective == "settled"
                       else f"every candidate diverged in {steps} steps")
        results.append(TuneResult(
            spec=spec, objective=objective, tol=tol, measure=scores["measure"],
            best=None if best < 0 else {name: float(values[best]) for name, values in grid.items()},
            best_value=None if best < 0 else float(table["value"][best]), best_index=best,
            as_set=as_set, as_set_value=float(scores["value"][0]), candidates=table, message=message,
            steps=steps))
    return Tuning(results=results, objective=objective, tol=tol, steps=steps, work=sum(rows) * steps,
                  budget=budget)


def _scalar(value) -> float:
    return float(np.asarray(value).reshape(-1)[0])


# --------------------------------------------------------------------------- robustness
@dataclass
class Robustness:
    """The share of a run's neighbourhood that settles.

    score: settled cells / all cells, in [0, 1]. settled: ``(F, S)`` bool, learning rate
    factor by start. lr_factors: ``(F,)``; lrs: ``(F,)`` the rates tried; starts: ``(S, 2)``.
    """

    spec: RunSpec
    score: float
    settled: np.ndarray
    lr_factors: np.ndarray
    lrs: np.ndarray
    starts: np.ndarray
    tol: float
    measure: str
    steps: int


def robustness(landscape, spec: RunSpec, steps: int, *, view=None, lr_points: int = 5, grid: int = 5,
               tol: float = 1e-3, measure: str = "loss_gap", budget: int = DEFAULT_ROBUSTNESS_BUDGET,
               deadline: float | None = None) -> Robustness:
    """Fraction of the neighbourhood of ``spec`` that settles within ``tol`` in ``steps`` steps.

    The neighbourhood: the run's lr times ``lr_points`` factors geometric in [1/3, 3]
    (1 among them when ``lr_points`` is odd) by the ``grid x grid`` cell centres of ``view``
    (default ``landscape.view``): ``lr_points * grid^2`` runs as one batch, each settled as
    :meth:`optimizers.loop.Trajectory.settled_at` says. Budget: ``lr_points * grid^2 * steps``.
    """
    if not isinstance(spec, RunSpec):
        raise ValueError("spec must be a RunSpec")
    lr_points = _whole("lr_points", lr_points, 1, 50)
    grid = _whole("grid", grid, 1, 50)
    steps = _whole("steps", steps, 1, 100_000)
    tol = positive_number("tol", tol)
    view = landscape.view if view is None else view
    try:
        x_min, x_max, y_min, y_max = (float(v) for v in view)
    except (TypeError, ValueError):
        raise ValueError(f"view must be four numbers (x_min, x_max, y_min, y_max), got {view!r}") from None
    if not np.all(np.isfinite([x_min, x_max, y_min, y_max])) or not (x_min < x_max and y_min < y_max):
        raise ValueError(f"view must be finite with x_min < x_max and y_min < y_max, got {view!r}")
    n_cells = lr_points * grid * grid
    check_budget(n_cells * steps, budget, f"robustness of {lr_points} rates x {grid * grid} starts x {steps} steps",
                 "use fewer rates, starts or steps")
    lr = _scalar(spec.as_set().lr)
    factors = np.geomspace(1 / 3, 3, lr_points) if lr_points > 1 else np.ones(1)
    xs, ys = cell_centres((x_min, x_max, y_min, y_max), grid)
    X, Y = np.meshgrid(xs, ys)
    starts = np.stack([X.ravel(), Y.ravel()], axis=-1)               # (S, 2)
    n_starts = starts.shape[0]
    trajectory = step_variants(landscape, spec, steps, overrides={"lr": np.repeat(lr * factors, n_starts)},
                               starts=np.tile(starts, (lr_points, 1)), deadline=deadline)
    conv = trajectory.convergence(tol, measure)
    settled = (conv.settled_at >= 0).reshape(lr_points, n_starts)
    return Robustness(spec=spec, score=float(settled.mean()), settled=settled, lr_factors=factors,
                      lrs=lr * factors, starts=starts, tol=tol, measure=conv.measure, steps=steps)
