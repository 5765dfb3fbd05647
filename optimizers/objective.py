"""What an optimizer sees of a surface: the (possibly noisy) gradient, counted.

The loop hands every optimizer an :class:`Objective`. First-order methods call
:meth:`Objective.grad` once per step; L-BFGS and Newton may also ask for
values, per-row evaluations and Hessians. Every gradient evaluation is counted
per run (``evals``), which the app can plot on the x-axis for second-order
methods.

Noise: ``g_noisy = grad f(x) + sigma * z`` with ``z ~ N(0, I)`` drawn from the
run's seed and its evaluation counter (see :mod:`optimizers.noise`).
"""
from __future__ import annotations

import numpy as np

from optimizers.noise import standard_normal_pairs


class Objective:
    """A surface as seen by ``N`` runs, with gradient noise and evaluation counts.

    Args:
        landscape: anything with ``value``, ``grad`` and ``hessian`` on ``(..., 2)``.
        n_runs: N, the number of rows stepped together.
        noise: sigma of the Gaussian gradient noise (0 disables it).
        seeds: one integer seed per run, shape ``(N,)``.
    """

    def __init__(self, landscape, n_runs: int, noise: float = 0.0, seeds=None):
        self.landscape = landscape
        self.noise = float(noise)
        self.seeds = np.zeros(n_runs, dtype=np.uint64) if seeds is None else np.asarray(seeds, dtype=np.uint64)
        self.evals = np.zeros(n_runs, dtype=np.int64)          # (N,) gradient evaluations so far
        self.hessian_evals = np.zeros(n_runs, dtype=np.int64)  # (N,) Hessian evaluations so far (Newton's cost)
        self._grad = np.empty((n_runs, 2))

    # -------------------------------------------------------------- batched
    def grad(self, xy: np.ndarray) -> np.ndarray:
        """Gradient for all N rows at ``xy`` ``(N, 2)``; counts one evaluation per row.

        Returns an internal buffer that the next call overwrites.
        """
        grad = self.landscape.grad(xy, out=self._grad)
        if self.noise:
            grad += self.noise * standard_normal_pairs(self.seeds, self.evals)
        self.evals += 1
        return grad

    def value(self, xy: np.ndarray) -> np.ndarray:
        """Loss at ``xy`` (not counted, noise-free)."""
        return self.landscape.value(xy)

    def hessian(self, xy: np.ndarray) -> np.ndarray:
        """Exact Hessian ``(N, 2, 2)`` (noise-free); counts one Hessian evaluation per row."""
        self.hessian_evals += 1
        return self.landscape.hessian(xy)

    def value_and_grad_rows(self, rows: np.ndarray, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Loss ``(R,)`` and gradient ``(R, 2)`` of runs ``rows`` ``(R,)`` at ``xy`` ``(R, 2)``.

        Counts one evaluation per listed run; each row's noise is the one
        :meth:`value_and_grad_row` would draw for it (same seed and counter).
        """
        xy = np.asarray(xy, dtype=np.float64)
        value = np.asarray(self.landscape.value(xy), dtype=np.float64)
        grad = self.landscape.grad(xy)
        if self.noise:
            grad = grad + self.noise * standard_normal_pairs(self.seeds[rows], self.evals[rows])
        self.evals[rows] += 1
        return value, grad

    # -------------------------------------------------------------- one row
    def value_and_grad_row(self, row: int, xy: np.ndarray) -> tuple[float, np.ndarray]:
        """Loss and gradient of run ``row`` at one point ``xy`` ``(2,)``; counts one evaluation."""
        xy = np.asarray(xy, dtype=np.float64)
        value = float(self.landscape.value(xy))
        grad = self.landscape.grad(xy)
        if self.noise:
            grad = grad + self.noise * standard_normal_pairs(
                self.seeds[row:row + 1], self.evals[row:row + 1])[0]
        self.evals[row] += 1
        return value, grad
