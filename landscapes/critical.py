r"""The one critical-point finder: Newton's method on the exact gradient and Hessian, then the Hessian's
eigenvalues for the kind.

From every seed at once, Newton's iteration

.. math::  p \leftarrow p - H(p)^{-1} \nabla f(p)

converges to whichever critical point (minimum, saddle or maximum) the seed is in the quadratic basin
of. A refined point counts when :math:`\lVert \nabla f \rVert` is below a tolerance; its kind is read
from the eigenvalues :math:`\lambda_1 \le \lambda_2` of :math:`H`: a local minimum when
:math:`\lambda_1 > 0`, a maximum when :math:`\lambda_2 < 0`, else a saddle. The lowest minima (all
within 1e-9 relative of the lowest value) are marked ``"global minimum"``.

:func:`find_critical_points` is used by every surface:

* built-in surfaces whose stationary points have no closed form (roots of quartics, transcendental
  equations) call it at build time with ``strict=True``: every seed must converge to its own point
  of the expected kind, or RuntimeError, so a surface never ships a wrong list silently;
* the ``custom`` surface (a user's formula) searches a grid of seeds over its view within a time
  budget, keeping what converged, inside the view and non-degenerate;
* :meth:`landscapes.base.Landscape.with_l2` re-locates the known points of the shifted surface.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

__all__ = ["CriticalPoint", "MINIMUM_KINDS", "newton_refine", "classify", "find_critical_points"]

MIN_ITERATIONS = 8             # with a time budget: at least this many Newton iterations ...
MAX_ITERATIONS = 60            # ... and at most this many (also the default without a budget)
DUPLICATE = 1e-6               # points closer than this (relative to the view's span, or absolute) are one
MINIMUM_KINDS = ("global minimum", "local minimum")


@dataclass(frozen=True)
class CriticalPoint:
    """A stationary point of a surface: ``kind`` is one of
    ``"global minimum"``, ``"local minimum"``, ``"saddle"``, ``"maximum"``."""

    x: float
    y: float
    value: float
    kind: str

    @property
    def is_minimum(self) -> bool:
        return self.kind in MINIMUM_KINDS

    def as_array(self) -> np.ndarray:
        return np.array([self.x, self.y])


def newton_refine(grad_fn: Callable, hessian_fn: Callable, seeds, iterations: int = MAX_ITERATIONS) -> np.ndarray:
    """Newton iterations p <- p - H(p)^-1 g(p) from every seed at once, until the step is below 1e-15
    relative (machine precision) or ``iterations`` ran.

    ``grad_fn(x, y) -> (gx, gy)`` and ``hessian_fn(x, y) -> (hxx, hxy, hyy)`` act on coordinate
    arrays. ``seeds``: ``(M, 2)``; returns ``(M, 2)``. A singular or non-finite step is not taken.
    """
    points = np.array(seeds, dtype=np.float64).reshape(-1, 2)              # (M, 2)
    for _ in range(iterations):
        x, y = points[:, 0], points[:, 1]
        with np.errstate(all="ignore"):
            gx, gy = grad_fn(x, y)
            hxx, hxy, hyy = hessian_fn(x, y)
            det = hxx * hyy - hxy * hxy
            step = np.stack(np.broadcast_arrays((hyy * gx - hxy * gy) / det, (hxx * gy - hxy * gx) / det),
                            axis=-1)
        step = np.where(np.isfinite(step), step, 0.0)                       # (M, 2)
        points = points - step
        if np.all(np.abs(step) <= 1e-15 * (1.0 + np.abs(points))):
            break
    return points


def classify(hxx: float, hxy: float, hyy: float) -> str:
    """``"local minimum"``, ``"saddle"`` or ``"maximum"`` from the Hessian's eigenvalues."""
    low, high = np.linalg.eigvalsh(np.array([[hxx, hxy], [hxy, hyy]]))
    if low > 0:
        return "local minimum"
    if high < 0:
        return "maximum"
    return "saddle"


def _iterations_within(grad_fn: Callable, hessian_fn: Callable, seeds: np.ndarray, budget: float):
    """One timed iteration, then as many more (``MIN_ITERATIONS`` to ``MAX_ITERATIONS`` in all) as fit
    in ``budget`` seconds: ``(points after the first iteration, iterations left)``."""
    began = time.perf_counter()
    points = newton_refine(grad_fn, hessian_fn, seeds, iterations=1)
    per_iteration = max(time.perf_counter() - began, 1e-6)
    return points, int(min(MAX_ITERATIONS - 1, max(MIN_ITERATIONS - 1, budget / per_iteration)))


def find_critical_points(value_fn: Callable, grad_fn: Callable, hessian_fn: Callable, seeds: Sequence, *,
                         strict: bool = False, expected_kinds: Sequence[str] | None = None,
                         inside: Sequence[float] | None = None, budget: float | None = None,
                         gradient_tolerance: float = 1e-9, global_minimum: bool = True,
                         keep_degenerate: bool = False) -> tuple:
    """Refine ``seeds`` (``(M, 2)``) by Newton and return the critical points found as :class:`CriticalPoint`.

    ``strict``: every seed must converge (residual below ``gradient_tolerance``) to its own point,
    of the kind in ``expected_kinds`` when given, else RuntimeError; the points keep the seeds' order.
    Otherwise a seed that did not converge, left the box ``inside`` (``x_min, x_max, y_min, y_max``),
    landed on a degenerate point (det H = 0 relative to H's scale: a flat valley floor has a
    continuum of critical points, none worth a marker) or on a non-finite value is dropped, and
    duplicates are listed once (``keep_degenerate`` keeps degenerate points: a known monkey saddle
    re-located stays listed). ``budget``: seconds of Newton iterations (measured on the first).
    ``global_minimum``: mark the lowest minima ``"global minimum"`` (off for a surface unbounded below).
    """
    seeds = np.array(seeds, dtype=np.float64).reshape(-1, 2)                # (M, 2)
    if budget is None:
        points = newton_refine(grad_fn, hessian_fn, seeds)
    else:
        with np.errstate(all="ignore"):
            points, more = _iterations_within(grad_fn, hessian_fn, seeds, budget)
        points = newton_refine(grad_fn, hessian_fn, points, iterations=more)
    x, y = points[:, 0], points[:, 1]
    with np.errstate(all="ignore"):
        gx, gy = np.broadcast_arrays(*grad_fn(x, y))
        hxx, hxy, hyy = np.broadcast_arrays(*hessian_fn(x, y), x)[:3]
        values = np.broadcast_to(value_fn(x, y), x.shape)
        residual = np.hypot(gx, gy)
        det = hxx * hyy - hxy * hxy
    converged = np.isfinite(residual) & (residual < gradient_tolerance)
    span = max(inside[1] - inside[0], inside[3] - inside[2]) if inside is not None else 1.0
    if strict:
        if not np.all(converged):
            raise RuntimeError(f"critical point search did not converge: residual {np.nanmax(residual):.3g}")
        gaps = np.linalg.norm(points[:, None, :] - points[None, :, :], axis=-1) + np.eye(len(points))
        if len(points) > 1 and gaps.min() < DUPLICATE * span:
            raise RuntimeError("two seeds converged to the same critical point")
        keep = np.arange(len(points))
    else:
        usable = converged & np.isfinite(values)
        if not keep_degenerate:
            with np.errstate(all="ignore"):
                scale = 1.0 + np.abs(hxx) + np.abs(hyy)
                usable &= np.isfinite(det) & (np.abs(det) > 1e-9 * scale * scale)
        if inside is not None:
            x_min, x_max, y_min, y_max = inside
            usable &= (x > x_min) & (x < x_max) & (y > y_min) & (y < y_max)
        keep = []
        for i in np.flatnonzero(usable):                                     # the first of each point
            if all(np.hypot(x[i] - x[j], y[i] - y[j]) >= DUPLICATE * span for j in keep):
                keep.append(int(i))
    kinds = [classify(hxx[i], hxy[i], hyy[i]) for i in keep]
    if expected_kinds is not None:
        for i, kind, expected in zip(keep, kinds, expected_kinds):
            if expected not in (kind, "global minimum" if kind == "local minimum" else kind):
                raise RuntimeError(f"seed {i} ({points[i]}) converged to a {kind}, expected a {expected}")
    minima = [float(values[i]) for i, kind in zip(keep, kinds) if kind == "local minimum"]
    lowest = min(minima) if minima and global_minimum else None
    found = []
    for i, kind in zip(keep, kinds):
        if lowest is not None and kind == "local minimum" and values[i] <= lowest + 1e-9 * (1.0 + abs(lowest)):
            kind = "global minimum"
        found.append(CriticalPoint(float(x[i]), float(y[i]), float(values[i]), kind))
    return tuple(found)
