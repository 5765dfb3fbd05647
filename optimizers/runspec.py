"""One run as data, and many variants of it stepped as one batch (tuning, robustness, seed clouds).

A :class:`RunSpec` is what :func:`optimizers.simulate` takes for one run: an
optimizer name and its hyperparameters (scalars), a start, a schedule, gradient
noise and a seed. :func:`step_variants` steps ``N`` variants of one spec as one
``(N, 2)`` batch: per-row hyperparameter values (``lr`` and ``momentum``
columns, say), per-row starts and per-row seeds. Rows never interact, so row
``i`` equals ``simulate`` of the spec with row ``i``'s values bit for bit.

The work of a batch is counted in *run-steps*: rows x steps (one gradient of one
row is one unit for a first-order method). Callers check a declared budget
with :func:`check_budget` before any stepping.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from optimizers.base import Optimizer, get as get_optimizer, optimizer_class
from optimizers.loop import DEFAULT_BOUND, Trajectory, simulate

__all__ = ["RunSpec", "step_variants", "check_budget", "DeadlineExceeded"]


class DeadlineExceeded(ValueError):
    """Stepping stopped at the caller's ``deadline`` (a ``time.monotonic()`` instant) before the end.

    A ValueError, so callers that show a refused request's message show this one too.
    """


@dataclass(frozen=True)
class RunSpec:
    """One run as :func:`optimizers.simulate` takes it.

    optimizer: registry name (``optimizers.names()``); hyper: its hyperparameters by
    torch's names, scalars only (defaults for the rest); start: ``(x, y)`` or None for
    the landscape's default start; schedule: an :mod:`optimizers.schedules` object or
    None (constant); noise: gradient noise sigma; seed: a non-negative integer.
    """

    optimizer: str
    hyper: Mapping[str, Any] = field(default_factory=dict)
    start: tuple | None = None
    schedule: Any = None
    noise: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        optimizer_class(self.optimizer)                           # ValueError naming the unknown optimizer
        if not isinstance(self.hyper, Mapping):
            raise ValueError("hyper must be a mapping of hyperparameter names to values")
        for key, value in self.hyper.items():
            if np.ndim(value) and key != "betas":
                raise ValueError(f"{self.optimizer}: {key} must be one value for a run spec, not an array")
        if isinstance(self.seed, (bool, np.bool_)) or not isinstance(self.seed, (int, np.integer)) \
                or self.seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {self.seed!r}")
        if not (isinstance(self.noise, (int, float, np.floating, np.integer)) and np.isfinite(self.noise)
                and self.noise >= 0):
            raise ValueError(f"noise must be a finite number >= 0, got {self.noise!r}")

    def build(self, **overrides) -> Optimizer:
        """The optimizer with ``hyper`` and ``overrides`` (per-row arrays allowed); validates every value."""
        hyper = dict(self.hyper)
        if "betas" in hyper and ("beta1" in overrides or "beta2" in overrides):
            beta1, beta2 = hyper.pop("betas")
            hyper = {"beta1": beta1, "beta2": beta2, **hyper}
        hyper.update(overrides)
        return get_optimizer(self.optimizer, **hyper)

    def as_set(self) -> Optimizer:
        """The optimizer exactly as the spec sets it."""
        return self.build()

    def start_point(self, landscape) -> np.ndarray:
        """``(2,)`` the spec's start, or the landscape's default start."""
        point = np.asarray(landscape.start if self.start is None else self.start, dtype=np.float64)
        if point.shape != (2,) or not np.all(np.isfinite(point)):
            raise ValueError(f"start must be one finite pair (x, y), got {self.start!r}")
        return point


def check_budget(work: int, budget: int, what: str, hint: str) -> None:
    """ValueError when ``work`` run-steps exceed ``budget`` (called before any stepping)."""
    if isinstance(budget, (bool, np.bool_)) or not isinstance(budget, (int, np.integer)) or budget <= 0:
        raise ValueError(f"budget must be a positive whole number of run-steps, got {budget!r}")
    if work > budget:
        raise ValueError(f"{what} needs {work:,} run-steps, over the budget of {budget:,}; {hint}")


def step_variants(landscape, spec: RunSpec, steps: int, *, overrides: Mapping | None = None,
                  starts: np.ndarray | None = None, seeds=None, n_rows: int | None = None,
                  bound: float = DEFAULT_BOUND, deadline: float | None = None) -> Trajectory:
    """Step ``N`` variants of ``spec`` as one batch and return their :class:`Trajectory`.

    ``overrides``: hyperparameter name -> ``(N,)`` per-row values; ``starts``: ``(N, 2)``
    (default: the spec's start on every row); ``seeds``: ``(N,)`` (default: the spec's
    seed on every row: common random numbers). ``n_rows`` gives ``N`` when nothing else does.
    It is :func:`optimizers.simulate` of the batch (state, rates and evaluations recorded:
    measured as fast as the bare loop here, within noise). With ``deadline``,
    :class:`DeadlineExceeded` when the loop was cut.
    """
    overrides = dict(overrides or {})
    sizes = {np.shape(v)[0] for v in overrides.values()}
    if starts is not None:
        sizes.add(np.shape(starts)[0])
    if seeds is not None:
        sizes.add(np.shape(seeds)[0])
    if n_rows is not None:
        sizes.add(int(n_rows))
    if len(sizes) != 1:
        raise ValueError(f"step_variants: every per-row input needs the same number of rows, got {sorted(sizes)}")
    n = sizes.pop()
    optimizer = spec.build(**overrides)
    if starts is None:
        starts = np.broadcast_to(spec.start_point(landscape), (n, 2))
    seed = spec.seed if seeds is None else np.asarray(seeds)
    trajectory = simulate(landscape, optimizer, starts, steps, schedule=spec.schedule, noise=float(spec.noise),
                          seed=seed, bound=bound, deadline=deadline)
    if trajectory.cut_at >= 0:
        raise DeadlineExceeded(f"stopped at its time limit at step {trajectory.cut_at} of {steps}; "
                               f"use fewer candidates, seeds or steps")
    return trajectory
