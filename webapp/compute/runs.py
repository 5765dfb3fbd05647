"""Run every optimizer of a page state once and collect what the page shows.

Runs that share an optimizer, its switches, schedule and noise level step
together as one ``(N, 2)`` batch (their numeric hyperparameters become per-run
arrays); rows never interact, so this equals stepping them one by one.

One cache, keyed by a frozen :class:`BatchKey`, keeps each batch's whole
``Trajectory`` (optimizer state included) next to the arrays the page shows, so the
lecture views (arrows, inner state, Polyak, 3D) read the same trajectory and never
simulate twice. Each :class:`RunResult` carries its ``trajectory`` and ``column``.

Time: a timed probe per batch predicts its cost and cuts slow batches to fewer steps
(:func:`_affordable_steps`); every engine call also gets the request's deadline
(:mod:`webapp.compute.deadline`), so a batch the probe under-estimated stops there, with a notice,
and is not cached (the same request on a quieter moment computes it whole).
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

import optimizers
from webapp.compute.cache import LRUCache
from webapp.compute.cost import group_key, step_budget
from webapp.compute.deadline import current_deadline
from webapp.compute.variants import engine_spec
from webapp.i18n import msg

__all__ = ["RunResult", "BatchKey", "simulate_runs", "TOLERANCE"]

TOLERANCE = 1e-3   # "reached the minimum": loss within this of the global minimum's value
CACHE_SIZE = 128   # batches kept (each with its Trajectory): a classroom mostly asks for the same few views
CPU_BUDGET = 0.25  # seconds of stepping per request (plus probes, figures, JSON: the worst request < 0.5 s)
PROBE_STEPS = 5    # steps timed per batch to predict its cost
# When a request would exceed CPU_BUDGET, steps are cut to the largest of these that fits, so the
# same link shows the same steps on machines of similar speed (rather than an arbitrary count).
STEP_LADDER = (5000, 4000, 3000, 2500, 2000, 1500, 1000, 800, 600, 500, 400, 300, 250, 200, 150, 100,
               75, 50, 40, 30, 20, 10, 5, 1)


_CACHE = LRUCache(CACHE_SIZE)   # BatchKey -> BatchResult; ("probe", BatchKey) -> seconds a step


@dataclass
class RunResult:
    """One run's trajectory, arrays over steps t = 0..T."""

    index: int              # position in state.runs
    spec: object            # the page's run (webapp.state.RunSpec)
    label: str
    path: np.ndarray        # (T+1, 2)
    loss: np.ndarray        # (T+1,)
    grad_norm: np.ndarray   # (T+1,)
    lr: np.ndarray          # (T+1,) rate used by the step into t (NaN at t=0)
    diverged_at: int        # -1 when it never diverged
    steps_to_tolerance: int  # -1 when never within TOLERANCE
    distance_to_minimum: float  # from the final point to the nearest known minimum (NaN if none known)
    trajectory: object = None   # the batch's optimizers.Trajectory (state included) this run is a column of
    column: int = 0             # this run's column in ``trajectory``


@dataclass(frozen=True)
class BatchKey:
    """Everything a batch's trajectory depends on, frozen (hashable): the cache key."""

    surface: str
    surface_params: tuple
    start: tuple
    steps: int
    runs: tuple          # per run: (optimizer, hyper, schedule, schedule_params, noise, seed), frozen


def _batch(runs, start) -> tuple[object, object, np.ndarray]:
    """One optimizer and schedule for page runs of equal :func:`group_key`, from their engine records
    (:func:`webapp.compute.variants.engine_spec`, the one conversion): the first run's optimizer with
    per-run arrays where the numeric hyperparameters differ, its schedule, and every run's seed."""
    specs = [engine_spec(run, start) for run in runs]
    first = specs[0]
    overrides = {}
    for param in optimizers.schema(first.optimizer):
        values = [spec.hyper[param.name] for spec in specs]
        if param.per_run and param.kind in ("float", "int") and len(set(values)) > 1:
            overrides[param.name] = np.array(values, dtype=np.float64)
    seeds = np.array([spec.seed for spec in specs], dtype=np.int64)
    return first.build(**overrides), first.schedule, seeds


def simulate_runs(state, notices: list) -> tuple[object, list[RunResult], int]:
    """Simulate every run of ``state``; returns the surface, one result per run (state order), and the steps used."""
    surface = state.landscape()
    deadline = current_deadline()
    steps = step_budget(state.runs, state.steps, notices)
    start = np.asarray(state.start_point(), dtype=np.float64)
    groups: dict = {}
    for index, spec in enumerate(state.runs):
        groups.setdefault(group_key(spec), []).append(index)
    allowed = _affordable_steps(surface, state, groups, start, steps, notices, deadline)
    results: dict[int, RunResult] = {}
    for key, indices in groups.items():
        specs = [state.runs[i] for i in indices]
        group_steps = allowed[key]
        try:
            batches = [(_cached_simulate(surface, state, specs, start, group_steps, deadline), indices)]
        except (ValueError, TypeError, FloatingPointError, np.linalg.LinAlgError):
            # a batch the optimizer refuses (e.g. a cross-parameter check): try the runs one by one
            batches = []
            for i in indices:
                try:
                    batches.append((_cached_simulate(surface, state, [state.runs[i]], start, group_steps, deadline),
                                    [i]))
                except (ValueError, TypeError, FloatingPointError, np.linalg.LinAlgError) as error:
                    notices.append(msg("notices.run_failed", position=i + 1, optimizer=state.runs[i].optimizer,
                                       error=str(error)))
        for (trajectory, arrays), members in batches:
            if trajectory.cut_at >= 0:
                names = ", ".join(dict.fromkeys(state.runs[i].name() for i in members))
                notices.append(msg("notices.time_limit", names=names, cut=trajectory.cut_at, steps=group_steps))
            for column, index in enumerate(members):
                spec = state.runs[index]
                results[index] = RunResult(index=index, spec=spec, label=spec.name(), trajectory=trajectory,
                                           column=column, **{key: value[column] for key, value in arrays.items()})
    ordered = [results[i] for i in sorted(results)]
    return surface, ordered, max((r.path.shape[0] - 1 for r in ordered), default=steps)


def _affordable_steps(surface, state, groups: dict, start, steps: int, notices: list, deadline=None) -> dict:
    """Steps for each batch (group key -> steps): all of them unless that would take more than
    CPU_BUDGET seconds; then the cheap batches keep every step and the slow ones get what is left.

    Each batch's cost per step is measured (:func:`_probe`, remembered per surface, batch and steps):
    some optimizer-surface pairs cost 100x others (L-BFGS line searches on Ackley), which no static
    table predicts.
    """
    if steps <= PROBE_STEPS:
        return {key: steps for key in groups}
    costs = {}
    for key, indices in groups.items():
        specs = [state.runs[i] for i in indices]
        costs[key] = _probe(surface, state, specs, start, steps, deadline)
    if sum(costs.values()) * steps <= CPU_BUDGET:
        return {key: steps for key in groups}
    allowed, remaining = {}, CPU_BUDGET
    order = sorted(groups, key=lambda k: costs[k])        # cheapest first: they keep every step
    for position, key in enumerate(order):
        share = remaining / (len(order) - position)
        if costs[key] * steps <= share:
            allowed[key] = steps
        else:
            fits = max(1, int(share / costs[key]))
            allowed[key] = next(level for level in STEP_LADDER if level <= fits)
            names = ", ".join(dict.fromkeys(state.runs[i].name() for i in groups[key]))
            notices.append(msg("notices.slow_surface", names=names, allowed=allowed[key], steps=steps))
        remaining -= costs[key] * allowed[key]
    return allowed


def _probe(surface, state, specs, start, steps: int, deadline=None) -> float:
    """CPU seconds (this thread's) per step of this batch, predicted for ``steps`` steps.

    Times PROBE_STEPS steps (minus the set-up cost of a 0-step run). Early steps can cost far more
    than later ones (L-BFGS searches hard until it converges), so while the prediction says "too slow"
    and a ten times longer prefix is cheap (under a quarter of the budget), it times that instead.
    A probe that reaches ``steps`` is the result itself and goes to the cache. The cost is
    remembered per surface, batch and steps, unless the request's deadline cut the probe (then it is
    measured over the steps made, and measured again next time).
    """
    probe_key = ("probe", batch_key(state, specs, start, steps))
    known = _CACHE.get(probe_key)
    if known is not None:
        return known

    def timed(n: int):
        began = time.thread_time()
        try:
            trajectory = _simulate(surface, specs, start, n, deadline)
        except (ValueError, TypeError, FloatingPointError, np.linalg.LinAlgError):
            trajectory = None
        made = n if trajectory is None or trajectory.cut_at < 0 else trajectory.cut_at
        return time.thread_time() - began, trajectory, made

    setup, _, _ = timed(0)
    n = min(PROBE_STEPS, steps)
    elapsed, trajectory, made = timed(n)
    cost = max(elapsed - setup, 0.0) / max(made, 1)
    while made == n and cost * steps > CPU_BUDGET and n < steps and cost * n * 10 <= CPU_BUDGET / 4:
        n = min(n * 10, steps)
        elapsed, trajectory, made = timed(n)
        cost = max(elapsed - setup, 0.0) / max(made, 1)
    if made < n:                       # cut by the deadline: a measure, but not one to keep
        return cost
    if n == steps and trajectory is not None:
        _CACHE.put(batch_key(state, specs, start, steps), (trajectory, _arrays(surface, trajectory)))
        cost = 0.0                     # already computed
    _CACHE.put(probe_key, cost)
    return cost


def batch_key(state, specs, start, steps) -> BatchKey:
    """The frozen record of one batch request (surface, its parameters, start, steps, the runs)."""
    return BatchKey(state.surface, _freeze(state.surface_params), tuple(np.asarray(start).tolist()), int(steps),
                    tuple((s.optimizer, _freeze(s.hyper), s.schedule, _freeze(s.schedule_params), s.noise, s.seed)
                          for s in specs))


def _freeze(values: dict) -> tuple:
    return tuple(sorted((k, v.tolist() if isinstance(v, np.ndarray) else v) for k, v in values.items()))


def _cached_simulate(surface, state, specs, start, steps, deadline=None) -> tuple:
    """``(Trajectory, per-run arrays)`` of one batch, from the cache when this exact batch was computed before
    (a batch cut at ``deadline`` is not kept)."""
    key = batch_key(state, specs, start, steps)
    found = _CACHE.get(key)
    if found is None:
        trajectory = _simulate(surface, specs, start, steps, deadline)
        found = (trajectory, _arrays(surface, trajectory))
        if trajectory.cut_at < 0:
            _CACHE.put(key, found)
    return found


def _simulate(surface, specs, start, steps, deadline=None):
    optimizer, schedule, seeds = _batch(specs, start)
    starts = np.repeat(start[None, :], len(specs), axis=0)            # (N, 2)
    return optimizers.simulate(surface, optimizer, starts, steps, schedule=schedule,
                               noise=specs[0].noise, seed=seeds, deadline=deadline)


def _arrays(surface, trajectory) -> dict:
    """Column-major per-run arrays of a trajectory (index [column] gives one run).

    All finite except ``lr[0]`` and a loss that is NaN where a custom formula is undefined.
    """
    # NaN stays: a loss where a formula is undefined is unknown, not 0 (shown as a gap and "—")
    loss = np.clip(trajectory.loss, -1e300, 1e300)                                # (T+1, N)
    grad_norm = np.nan_to_num(trajectory.grad_norm, nan=0.0, posinf=1e300, neginf=0.0)
    lr = np.full(loss.shape, np.nan)                                             # (T+1, N)
    lr[1:] = trajectory.lr
    _, distance = surface.nearest_minimum(trajectory.final)                      # (N,)
    return {
        "path": np.ascontiguousarray(np.swapaxes(trajectory.path, 0, 1)),         # (N, T+1, 2)
        "loss": loss.T.copy(), "grad_norm": grad_norm.T.copy(), "lr": lr.T.copy(),
        "diverged_at": [int(k) for k in trajectory.diverged_at],
        "steps_to_tolerance": [int(k) for k in trajectory.steps_to_tolerance(TOLERANCE)],
        "distance_to_minimum": [float(d) for d in distance],
    }
