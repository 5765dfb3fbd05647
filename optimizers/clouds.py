"""Seed clouds: one noisy run drawn as N seeds (up to 256) stepped as one batch.

With gradient noise sigma > 0 each seed gives another path. :func:`seed_cloud` steps
seeds ``s_1 .. s_N`` of one :class:`optimizers.runspec.RunSpec` as one ``(N, 2)``
batch (the noise of row ``i`` depends only on ``(s_i, k)``: :mod:`optimizers.noise`),
so row ``i`` equals ``simulate(..., seed=s_i)`` bit for bit. It summarizes them as:

* the *median path* ``m_t``: the per-coordinate median over seeds of ``x_t`` ``(T+1, 2)``;
* the *density band*: per step, quantiles ``q`` of the distance ``|x_t^i - m_t|`` from the
  median path over seeds, ``(Q, T+1)`` (draw a tube of radius ``band[q]`` around ``m_t``);
  and :meth:`SeedCloud.histogram`, a 2-D histogram of every point over a view;
* medians and interquartile ranges (IQR = q75 - q25) of the final loss and of the settled
  step (:meth:`optimizers.loop.Trajectory.settled_at`; over the seeds that settled,
  with the share that did).

A diverged seed keeps its last good point (as in every engine batch) and counts as not settled.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from optimizers.runspec import RunSpec, check_budget, step_variants

__all__ = ["seed_cloud", "SeedCloud", "MAX_SEEDS", "DEFAULT_QUANTILES", "DEFAULT_CLOUD_BUDGET"]

MAX_SEEDS = 256
DEFAULT_QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)
DEFAULT_CLOUD_BUDGET = 256 * 5000          # run-steps: 256 seeds x 5000 steps


def _iqr(values: np.ndarray) -> float:
    if values.size == 0:
        return float("nan")
    q25, q75 = np.quantile(values, (0.25, 0.75))
    return float(q75 - q25)


def _median(values: np.ndarray) -> float:
    return float(np.median(values)) if values.size else float("nan")


@dataclass
class SeedCloud:
    """N seeds of one run. Arrays: path ``(T+1, N, 2)``; seeds ``(N,)``; median_path ``(T+1, 2)``;
    quantiles ``(Q,)``; band ``(Q, T+1)`` distance quantiles from the median path; final_loss,
    settled_at, diverged_at ``(N,)``. ``summary``: medians, IQRs and shares (see :meth:`summarize`)."""

    spec: RunSpec
    seeds: np.ndarray
    path: np.ndarray
    median_path: np.ndarray
    quantiles: np.ndarray
    band: np.ndarray
    final_loss: np.ndarray
    settled_at: np.ndarray
    diverged_at: np.ndarray
    tol: float
    measure: str
    steps: int

    @property
    def summary(self) -> dict:
        """``final_loss_median``, ``final_loss_iqr``, ``settled_median``, ``settled_iqr`` (over settled
        seeds; NaN when none), ``settled_share``, ``diverged_share``, ``n_seeds``."""
        settled = self.settled_at[self.settled_at >= 0]
        finite = self.final_loss[np.isfinite(self.final_loss)]
        return {
            "n_seeds": int(self.seeds.size),
            "final_loss_median": _median(finite), "final_loss_iqr": _iqr(finite),
            "settled_median": _median(settled), "settled_iqr": _iqr(settled),
            "settled_share": float(settled.size / self.seeds.size),
            "diverged_share": float(np.mean(self.diverged_at >= 0)),
        }

    def histogram(self, bins: int = 40, view: Sequence[float] | None = None, step: int | None = None):
        """Counts of cloud points per cell of a ``bins x bins`` grid over ``view`` (default: the
        points' bounding box), indexed ``[row=y, col=x]``; every step, or only ``step``.
        Returns ``(counts (bins, bins), x_edges (bins+1,), y_edges (bins+1,))``."""
        if isinstance(bins, (bool, np.bool_)) or not isinstance(bins, (int, np.integer)) or not 1 <= bins <= 500:
            raise ValueError(f"bins must be a whole number in [1, 500], got {bins!r}")
        points = self.path.reshape(-1, 2) if step is None else self.path[step]
        if view is None:
            lo, hi = points.min(axis=0), points.max(axis=0)
            hi = np.where(hi > lo, hi, lo + 1.0)
            view = (lo[0], hi[0], lo[1], hi[1])
        x_min, x_max, y_min, y_max = (float(v) for v in view)
        if not (x_min < x_max and y_min < y_max):
            raise ValueError(f"view must have x_min < x_max and y_min < y_max, got {view!r}")
        counts, x_edges, y_edges = np.histogram2d(points[:, 0], points[:, 1], bins=bins,
                                                  range=((x_min, x_max), (y_min, y_max)))
        return counts.T, x_edges, y_edges


def seed_cloud(landscape, spec: RunSpec, steps: int, seeds: int | Sequence[int] = 64, *,
               quantiles: Sequence[float] = DEFAULT_QUANTILES, tol: float = 1e-3, measure: str = "loss_gap",
               budget: int = DEFAULT_CLOUD_BUDGET, deadline: float | None = None) -> SeedCloud:
    """Step ``seeds`` of ``spec`` (a count ``N``: seeds ``spec.seed .. spec.seed + N - 1``; or the seeds
    themselves, 1 to 256 distinct non-negative integers) as one batch and summarize them.

    Needs ``spec.noise > 0`` (without noise every seed gives the same path). Budget:
    ``N x steps`` run-steps, checked before stepping.
    """
    if not isinstance(spec, RunSpec):
        raise ValueError("spec must be a RunSpec")
    if not spec.noise > 0:
        raise ValueError("noise must be > 0 for a seed cloud: without gradient noise every seed follows one path")
    if isinstance(seeds, (bool, np.bool_)):
        raise ValueError(f"seeds must be a count or a list of seeds, got {seeds!r}")
    if isinstance(seeds, (int, np.integer)):
        if not 1 <= seeds <= MAX_SEEDS:
            raise ValueError(f"seeds must be a count in [1, {MAX_SEEDS}], got {seeds}")
        seed_array = spec.seed + np.arange(int(seeds), dtype=np.int64)
    else:
        seed_array = np.asarray(seeds)
        if seed_array.ndim != 1 or not 1 <= seed_array.size <= MAX_SEEDS \
                or not np.issubdtype(seed_array.dtype, np.integer) or np.any(seed_array < 0) \
                or np.unique(seed_array).size != seed_array.size:
            raise ValueError(f"seeds must be 1 to {MAX_SEEDS} distinct non-negative integers")
    if isinstance(steps, (bool, np.bool_)) or not isinstance(steps, (int, np.integer)) or not 1 <= steps <= 100_000:
        raise ValueError(f"steps must be a whole number in [1, 100000], got {steps!r}")
    q = np.asarray(quantiles, dtype=np.float64)
    if q.ndim != 1 or q.size == 0 or not np.all((q >= 0) & (q <= 1)):
        raise ValueError(f"quantiles must be a list of numbers in [0, 1], got {quantiles!r}")
    try:
        tol = float(tol)
    except (TypeError, ValueError):
        raise ValueError(f"tol must be a positive number, got {tol!r}") from None
    if not (np.isfinite(tol) and tol > 0):
        raise ValueError(f"tol must be a positive finite number, got {tol!r}")
    check_budget(seed_array.size * int(steps), budget, f"a cloud of {seed_array.size} seeds x {steps} steps",
                 "use fewer seeds or steps")

    trajectory = step_variants(landscape, spec, int(steps), seeds=seed_array, deadline=deadline)
    path = trajectory.path                                           # (T+1, N, 2)
    median_path = np.median(path, axis=1)                            # (T+1, 2)
    distance = np.linalg.norm(path - median_path[:, None, :], axis=-1)   # (T+1, N)
    band = np.quantile(distance, q, axis=1)                          # (Q, T+1)
    conv = trajectory.convergence(tol, measure)
    with np.errstate(all="ignore"):
        final_loss = landscape.value(path[-1])                       # (N,)
    return SeedCloud(spec=spec, seeds=seed_array, path=path, median_path=median_path, quantiles=q, band=band,
                     final_loss=final_loss, settled_at=conv.settled_at, diverged_at=conv.diverged_at, tol=tol,
                     measure=conv.measure, steps=int(path.shape[0] - 1))
