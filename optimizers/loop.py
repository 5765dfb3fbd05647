"""Step many runs of one optimizer together and record what they did.

``run`` returns positions only; ``simulate`` returns a :class:`Trajectory` with
everything the app and notebooks show. All N starts step together as one
``(N, 2)`` array; rows never interact, so a batch equals separate runs bit for
bit.

Divergence: after every step, a run whose position is non-finite or farther
than ``bound`` from the origin in either coordinate stops: it is marked
``diverged_at[i] = k`` (the step that went bad) and its position stays at the
last good point from then on. Nothing non-finite leaves this module.

Deadline: ``simulate`` and ``run`` accept ``deadline``, a ``time.monotonic()``
instant (the maps pass it on: :mod:`optimizers.maps`). The loop looks at the clock every
:data:`DEADLINE_EVERY` steps (never more than that many steps late) and, once
it has passed, stops: every run keeps the ``k`` steps it made, and the result
says so (``Trajectory.cut_at == k``; ``-1`` when it ran to the end), so the
caller can say "cut at step k" instead of holding a server thread.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from optimizers import averaging, convergence as convergence_module
from optimizers.base import FirstOrder, Optimizer
from optimizers.objective import Objective
from optimizers import schedules as schedules_module

__all__ = ["run", "simulate", "Trajectory", "DEFAULT_BOUND", "DEADLINE_EVERY", "as_starts", "as_seeds"]

DEFAULT_BOUND = 1e6


def as_starts(start) -> tuple[np.ndarray, bool]:
    """Starts as an ``(N, 2)`` float64 array, and whether one pair was given."""
    starts = np.array(start, dtype=np.float64)
    single = starts.ndim == 1
    if single:
        starts = starts[None, :]
    if starts.ndim != 2 or starts.shape[1] != 2 or starts.shape[0] == 0:
        raise ValueError(f"start must be a pair (x, y) or an (N, 2) array, got shape {np.shape(start)}")
    if not np.all(np.isfinite(starts)):
        raise ValueError("start must be finite")
    return starts, single


def as_seeds(seed, n_runs: int) -> np.ndarray:
    seeds = np.asarray(seed)
    if seeds.ndim == 0:
        seeds = np.full(n_runs, int(seeds))
    if seeds.shape != (n_runs,) or not np.issubdtype(seeds.dtype, np.integer) or np.any(seeds < 0):
        raise ValueError(f"seed must be a non-negative integer or one per run ({n_runs})")
    return seeds.astype(np.uint64)


@dataclass
class Trajectory:
    """What ``N`` runs of one optimizer did over ``T`` steps.

    Recorded while stepping:
        path: ``(T+1, N, 2)`` positions; ``path[0]`` is the start.
        lr: ``(T, N)`` the learning rate used by the step from t to t+1.
        state: name -> ``(T+1, N, 2)`` optimizer state after t steps (e.g. ``exp_avg``).
        evals: ``(T+1, N)`` gradient evaluations used so far.
        hessian_evals: ``(T+1, N)`` Hessian evaluations used so far (0 for first-order methods).
        diverged_at: ``(N,)`` the step at which a run diverged, or -1.

    Derived on demand from the path (noise-free, exact): ``loss``, ``grad``,
    ``grad_norm``, ``step_length``, ``effective_lr``, ``polyak``, ``ema``;
    convergence: ``steps_to_tolerance`` (first touch), ``settled_at``,
    ``convergence`` (both, and "touched, left again").
    """

    landscape: object
    optimizer: Optimizer
    schedule: object
    noise: float
    seeds: np.ndarray
    path: np.ndarray
    lr: np.ndarray
    state: dict
    evals: np.ndarray
    diverged_at: np.ndarray
    state_steps: np.ndarray = field(repr=False, default=None)
    hessian_evals: np.ndarray = None    # (T+1, N) Hessian evaluations so far (Newton: one a step)
    cut_at: int = -1           # the step at which the deadline stopped every run, or -1

    @property
    def steps(self) -> int:
        return self.path.shape[0] - 1

    @property
    def n_runs(self) -> int:
        return self.path.shape[1]

    @property
    def final(self) -> np.ndarray:
        """``(N, 2)`` last positions."""
        return self.path[-1]

    @cached_property
    def loss(self) -> np.ndarray:
        """``(T+1, N)`` loss at every recorded point."""
        return self.landscape.value(self.path)

    @cached_property
    def grad(self) -> np.ndarray:
        """``(T+1, N, 2)`` exact (noise-free) gradient at every recorded point."""
        return self.landscape.grad(self.path)

    @cached_property
    def grad_norm(self) -> np.ndarray:
        return np.linalg.norm(self.grad, axis=-1)

    @cached_property
    def step_length(self) -> np.ndarray:
        """``(T+1, N)`` length of the step that led to each point (0 at the start)."""
        out = np.zeros(self.path.shape[:2])
        out[1:] = np.linalg.norm(np.diff(self.path, axis=0), axis=-1)
        return out

    @cached_property
    def effective_lr(self) -> np.ndarray | None:
        """``(T+1, N, 2)`` per-axis effective rate of adaptive methods (NaN at t=0), else None."""
        if not self.state:
            return None
        lr = np.full(self.path.shape[:2] + (1,), np.nan)
        lr[1:, :, 0] = self.lr
        value = self.optimizer.effective_lr(self.state, lr, self.state_steps[:, None, None])
        if value is None:
            return None
        return np.broadcast_to(value, self.path.shape).copy()

    def polyak(self, start: int = 0) -> np.ndarray:
        """Polyak (iterate) averaging: ``(T+1, N, 2)`` mean of ``path[start..t]`` (the path itself before ``start``)."""
        return averaging.running_mean(self.path, start)

    def ema(self, decay: float = 0.99, start: int = 0) -> np.ndarray:
        """The lecture's Polyak averaging: ``(T+1, N, 2)`` exponential moving average of the path from ``start``.

        ``xbar_start = x_start``, ``xbar_t = decay xbar_{t-1} + (1 - decay) x_t``, as
        ``torch.optim.swa_utils.AveragedModel`` with ``get_ema_multi_avg_fn(decay)``
        (see :func:`optimizers.averaging.exponential_average`).
        """
        return averaging.exponential_average(self.path, decay, start)

    def snapshot_steps(self) -> np.ndarray:
        """Steps ``(K,)`` that end a low-learning-rate phase of a cyclic schedule (snapshot points).

        See :func:`optimizers.averaging.snapshot_steps`; needs one learning rate for every run.
        """
        return averaging.snapshot_steps(self.schedule, self.optimizer.lr, self.steps)

    def gap(self, measure: str = "loss_gap") -> tuple[np.ndarray, str]:
        """``(T+1, N)`` the convergence measure at every step, and the measure's name.

        ``measure``: ``"loss_gap"`` (loss minus the global minimum's value; falls
        back to ``"grad_norm"`` without a known minimum), ``"grad_norm"``, or
        ``"distance"`` (to the nearest known minimum, global or local).
        """
        if measure == "loss_gap" and getattr(self.landscape, "global_minimum", None) is None:
            measure = "grad_norm"
        if measure == "loss_gap":
            return self.loss - self.landscape.global_minimum.value, measure
        if measure == "grad_norm":
            return self.grad_norm, measure
        if measure == "distance":
            return self.landscape.nearest_minimum(self.path)[1], measure
        raise ValueError(f"unknown measure {measure!r}; known: loss_gap, grad_norm, distance")

    def steps_to_tolerance(self, tol: float = 1e-3, measure: str = "loss_gap") -> np.ndarray:
        """First step at which a run is within ``tol`` (the first touch), or -1; shape ``(N,)``.

        A run may leave the tolerance again afterwards: :meth:`settled_at` is the
        step from which it stays. ``measure`` as in :meth:`gap`.
        """
        return self.convergence(tol, measure).touched_at

    def settled_at(self, tol: float = 1e-3, measure: str = "loss_gap") -> np.ndarray:
        """First step after which a run stays within ``tol`` to the end, or -1; shape ``(N,)``."""
        return self.convergence(tol, measure).settled_at

    def convergence(self, tol: float = 1e-3, measure: str = "loss_gap") -> convergence_module.Convergence:
        """First touch, settled step and divergence of every run (:class:`optimizers.convergence.Convergence`)."""
        gap, measure = self.gap(measure)
        return convergence_module.convergence(gap, tol, self.diverged_at, measure)

    def nearest_minimum(self, step: int = -1) -> list:
        """Per run, ``(CriticalPoint, distance)`` of the known minimum nearest to ``path[step]``
        (``(None, nan)`` without known minima): which minimum, global or local, a distance is measured to."""
        return [self.landscape.nearest_known_minimum(point) for point in self.path[step]]

    def to_frame(self):
        """A tidy pandas DataFrame: one row per run and step."""
        import pandas as pd

        T1, N = self.path.shape[:2]
        lr = np.full((T1, N), np.nan)
        lr[1:] = self.lr
        columns = {
            "run": np.tile(np.arange(N), T1),
            "step": np.repeat(np.arange(T1), N),
            "x": self.path[..., 0].ravel(),
            "y": self.path[..., 1].ravel(),
            "loss": self.loss.ravel(),
            "grad_x": self.grad[..., 0].ravel(),
            "grad_y": self.grad[..., 1].ravel(),
            "grad_norm": self.grad_norm.ravel(),
            "lr": lr.ravel(),
            "evals": self.evals.ravel(),
            "diverged": ((self.diverged_at >= 0) & (np.arange(T1)[:, None] >= self.diverged_at)).ravel(),
        }
        for key, values in self.state.items():
            columns[f"{key}_x"] = values[..., 0].ravel()
            columns[f"{key}_y"] = values[..., 1].ravel()
        return pd.DataFrame(columns)


# How many steps may pass between divergence checks when the check can be made after the fact.
CHECK_EVERY = 32
# With a deadline, the clock is read (and divergence checked) at least this often.
DEADLINE_EVERY = 4


def _consults_active(optimizer: Optimizer) -> bool:
    """Whether ``optimizer.step`` reads the ``active`` mask (per-row methods such as L-BFGS).

    A plain first-order step treats every row alike and ignores ``active``, so a
    row that went bad a few steps ago can be found in the recorded path and
    rewound afterwards with the same result as checking after every step.
    """
    return type(optimizer).step is not FirstOrder.step


def _iterate(landscape, optimizer: Optimizer, start, steps: int, *, schedule=None, noise: float = 0.0,
             seed=0, bound: float = DEFAULT_BOUND, record: bool = False, keep_path: bool = True,
             deadline: float | None = None):
    """The one stepping loop behind :func:`run`, :func:`final_positions` and :func:`simulate`.

    ``record`` keeps what :class:`Trajectory` needs beyond the path (state,
    evaluations, learning rates); ``keep_path=False`` keeps only the last point.

    Speed (this loop runs once per step, so its own overhead matters for one
    start): the divergence check is one ``abs().max()`` over the new points, made
    every step for optimizers that consult ``active`` or when no path is kept,
    and otherwise once every ``CHECK_EVERY`` steps over the path written since
    the last check; a row found bad at step k is rewound to ``path[k-1]``
    exactly as if it had been caught at once. The last good point comes from
    the path itself when it is kept, so nothing is copied per step.

    ``deadline`` (a ``time.monotonic()`` instant, or None): read every
    :data:`DEADLINE_EVERY` steps, where every step so far has been checked for
    divergence; once passed, the loop stops at that step ``k`` and every array
    is cut to ``k`` steps (``cut_at = k``).
    """
    if not isinstance(optimizer, Optimizer):
        raise TypeError("optimizer must come from optimizers.get(...)")
    steps = int(steps)
    if steps < 0:
        raise ValueError("steps must be >= 0")
    if not (noise >= 0 and np.isfinite(noise)):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    starts, single = as_starts(start)
    n_runs = starts.shape[0]
    optimizer.bind(n_runs)
    schedule = schedules_module.get("constant") if schedule is None else schedule
    seeds = as_seeds(seed, n_runs)
    objective = Objective(landscape, n_runs, noise=noise, seeds=seeds)

    params = starts.copy()                                   # (N, 2)
    state = optimizer.init(params)
    # a schedule that follows each run's loss (ReduceLROnPlateau) fills its (T, N, 1) rates step by step
    tracker = schedule.tracker(optimizer.lr, n_runs, steps) if getattr(schedule, "reacts_to_loss", False) else None
    rates = tracker.rates if tracker else schedule.values(optimizer.lr, steps)   # (T,) or (T, N, 1)
    # Python floats index faster than NumPy scalars and hold the same doubles.
    step_rates = rates.tolist() if rates.ndim == 1 else rates
    path = np.empty((steps + 1 if keep_path else 1, n_runs, 2))   # (T+1, N, 2)
    path[0] = params
    evals = state_steps = hessian_evals = None
    recorded = {}
    if record:
        evals = np.zeros((steps + 1, n_runs), dtype=np.int64)    # (T+1, N)
        hessian_evals = np.zeros((steps + 1, n_runs), dtype=np.int64)   # (T+1, N)
        state_steps = np.zeros(steps + 1, dtype=np.int64)         # (T+1,)
        recorded = {k: np.zeros((steps + 1, n_runs, 2)) for k in optimizer.state_keys}
        for key, values in recorded.items():
            values[0] = state[key]
    diverged_at = np.full(n_runs, -1, dtype=np.int64)
    active = np.ones(n_runs, dtype=bool)
    frozen_rows = frozen_values = None
    previous = None if keep_path else params.copy()          # last good point when no path is kept
    check_every = CHECK_EVERY if keep_path and not _consults_active(optimizer) else 1
    if deadline is not None:
        check_every = min(check_every, DEADLINE_EVERY)
    checked = 0                                              # path[:checked + 1] is known good
    cut_at = -1

    with np.errstate(all="ignore"):
        for t in range(steps):
            if (deadline is not None and t % DEADLINE_EVERY == 0 and t and checked == t
                    and time.monotonic() >= deadline):
                cut_at = t                                   # every step so far checked: stop here
                break
            if previous is not None:
                np.copyto(previous, params)
            optimizer.step(params, state, objective, step_rates[t], active)
            if frozen_rows is not None:
                params[frozen_rows] = frozen_values
            if tracker is not None:
                tracker.observe(t, landscape.value(params))
            if keep_path:
                path[t + 1] = params
            if record:
                evals[t + 1] = objective.evals
                hessian_evals[t + 1] = objective.hessian_evals
                state_steps[t + 1] = state.get("step", t + 1)
                for key, values in recorded.items():
                    values[t + 1] = state[key]
            if t + 1 - checked < check_every and t + 1 < steps:
                continue
            window = path[checked + 1:t + 2] if keep_path else params[None]   # (K, N, 2) new points
            if np.abs(window).max() <= bound:                # also False for NaN
                checked = t + 1
                continue
            bad_steps = ~np.all(np.abs(window) <= bound, axis=-1)           # (K, N)
            bad_steps &= active
            rows = np.flatnonzero(bad_steps.any(axis=0))
            first_bad = checked + 1 + np.argmax(bad_steps[:, rows], axis=0)  # (R,) step k of each
            for row, k in zip(rows.tolist(), first_bad.tolist()):
                last_good = path[k - 1, row] if keep_path else previous[row]
                params[row] = last_good
                if keep_path:
                    path[k:t + 2, row] = last_good
            diverged_at[rows] = first_bad
            active[rows] = False
            frozen_rows = np.flatnonzero(~active)
            frozen_values = params[frozen_rows].copy()
            checked = t + 1
            if not active.any():
                # every run has stopped: the step of the last divergence ends the run, as if caught at once
                last = int(diverged_at.max())
                if keep_path:
                    path[last:] = params
                if record:
                    evals[last + 1:] = evals[last]
                    hessian_evals[last + 1:] = hessian_evals[last]
                    state_steps[last:] = state_steps[last - 1]
                    for values in recorded.values():
                        values[last:] = values[last - 1]
                break
    if not keep_path:
        path[0] = params
    if cut_at >= 0:
        steps = cut_at
        path = path[:steps + 1] if keep_path else path
        rates = rates[:steps]
        if record:
            evals, state_steps = evals[:steps + 1], state_steps[:steps + 1]
            hessian_evals = hessian_evals[:steps + 1]
            recorded = {key: values[:steps + 1] for key, values in recorded.items()}
    if not record:
        return dict(path=path, diverged_at=diverged_at, single=single, cut_at=cut_at)
    if np.any(diverged_at >= 0):
        # state of a diverged run is meaningless past its divergence: hold the last good value
        for values in recorded.values():
            for row in np.flatnonzero(diverged_at >= 0):
                k = diverged_at[row]
                values[k:, row] = values[k - 1, row]
    for values in recorded.values():
        np.nan_to_num(values, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
    lr_used = np.broadcast_to(rates.reshape(steps, -1), (steps, n_runs)).copy() if steps else np.zeros((0, n_runs))
    return dict(path=path, lr=lr_used, state=recorded, evals=evals, hessian_evals=hessian_evals,
                diverged_at=diverged_at,
                single=single, schedule=schedule, seeds=seeds, state_steps=state_steps, cut_at=cut_at)


def run(landscape, optimizer: Optimizer, start, steps: int, **options) -> np.ndarray:
    """Positions of the runs: ``(steps+1, 2)`` for one start pair, ``(steps+1, N, 2)`` for ``(N, 2)`` starts.

    ``path[0] == start``. Options: ``schedule`` (from :mod:`optimizers.schedules`),
    ``noise`` (gradient noise sigma), ``seed`` (int or one per run), ``bound``,
    ``deadline`` (the path then ends where the deadline cut it: fewer rows).
    """
    out = _iterate(landscape, optimizer, start, steps, **options)
    return out["path"][:, 0] if out["single"] else out["path"]


def final_positions(landscape, optimizer: Optimizer, start, steps: int, **options):
    """Only the last positions ``(N, 2)`` and ``diverged_at`` ``(N,)``: no path kept (basin maps)."""
    out = _iterate(landscape, optimizer, start, steps, keep_path=False, **options)
    return out["path"][0], out["diverged_at"]


def simulate(landscape, optimizer: Optimizer, start, steps: int, *, schedule=None, noise: float = 0.0,
             seed=0, bound: float = DEFAULT_BOUND, deadline: float | None = None) -> Trajectory:
    """Step the runs and return a :class:`Trajectory` (always batched: ``path`` is ``(T+1, N, 2)``).

    With ``deadline`` (a ``time.monotonic()`` instant) the runs stop once it has
    passed: ``cut_at`` is then the number of steps made (``path`` has ``cut_at + 1``
    rows), else -1.
    """
    out = _iterate(landscape, optimizer, start, steps, schedule=schedule, noise=noise, seed=seed,
                   bound=bound, record=True, deadline=deadline)
    return Trajectory(landscape=landscape, optimizer=optimizer, schedule=out["schedule"], noise=float(noise),
                      seeds=out["seeds"], path=out["path"], lr=out["lr"], state=out["state"],
                      evals=out["evals"], diverged_at=out["diverged_at"], state_steps=out["state_steps"],
                      hessian_evals=out["hessian_evals"], cut_at=out["cut_at"])
