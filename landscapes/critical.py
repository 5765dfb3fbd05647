"""Locating critical points exactly: Newton's method on the exact gradient and Hessian.

Used at build time by surfaces whose stationary points have no closed form
(roots of quartics, transcendental equations): each is refined from a nearby
seed until the Newton step is below 1e-15 relative, i.e. to machine precision,
then classified by the eigenvalues of the exact Hessian.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from landscapes.base import CriticalPoint

__all__ = ["newton_refine", "locate_critical_points", "classify"]


def newton_refine(grad_fn: Callable, hessian_fn: Callable, seeds, iterations: int = 60) -> np.ndarray:
    """Newton iterations p <- p - H(p)^-1 g(p) from every seed at once.

    ``grad_fn(x, y) -> (gx, gy)`` and ``hessian_fn(x, y) -> (hxx, hxy, hyy)`` act on
    coordinate arrays. ``seeds``: ``(M, 2)``; returns ``(M, 2)``. Newton converges
    to whichever critical point (minimum, saddle or maximum) the seed is in the
    quadratic basin of; the caller checks what it found.
    """
    points = np.array(seeds, dtype=np.float64).reshape(-1, 2)              # (M, 2)
    for _ in range(iterations):
        x, y = points[:, 0], points[:, 1]
        gx, gy = grad_fn(x, y)
        hxx, hxy, hyy = hessian_fn(x, y)
        det = hxx * hyy - hxy * hxy
        with np.errstate(all="ignore"):
            step = np.stack([(hyy * gx - hxy * gy) / det, (hxx * gy - hxy * gx) / det], axis=-1)
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


def locate_critical_points(value_fn: Callable, grad_fn: Callable, hessian_fn: Callable,
                           seeds: Sequence, expected_kinds: Sequence[str] | None = None,
                           gradient_tolerance: float = 1e-9) -> tuple:
    """Refine ``seeds`` to critical points and return them as :class:`CriticalPoint`.

    The lowest minima (all within 1e-9 of the lowest value) are marked
    ``"global minimum"``. Raises RuntimeError when a seed fails to converge, two
    seeds land on one point, or (with ``expected_kinds``) a point is of another
    kind than expected, so a surface never ships a wrong list silently.
    """
    points = newton_refine(grad_fn, hessian_fn, seeds)                      # (M, 2)
    x, y = points[:, 0], points[:, 1]
    gx, gy = grad_fn(x, y)
    residual = np.hypot(gx, gy)
    if not np.all(residual < gradient_tolerance):
        raise RuntimeError(f"critical point search did not converge: residual {residual.max():.3g}")
    gaps = np.linalg.norm(points[:, None, :] - points[None, :, :], axis=-1) + np.eye(len(points))
    if len(points) > 1 and gaps.min() < 1e-6:
        raise RuntimeError("two seeds converged to the same critical point")
    values = np.broadcast_to(value_fn(x, y), x.shape)
    hxx, hxy, hyy = (np.broadcast_to(h, x.shape) for h in hessian_fn(x, y))
    kinds = [classify(hxx[i], hxy[i], hyy[i]) for i in range(len(points))]
    if expected_kinds is not None:
        for i, (kind, expected) in enumerate(zip(kinds, expected_kinds)):
            if expected not in (kind, "global minimum" if kind == "local minimum" else kind):
                raise RuntimeError(f"seed {i} ({points[i]}) converged to a {kind}, expected a {expected}")
    minimum_values = [values[i] for i, kind in enumerate(kinds) if kind == "local minimum"]
    lowest = min(minimum_values) if minimum_values else None
    result = []
    for i, kind in enumerate(kinds):
        if kind == "local minimum" and values[i] <= lowest + 1e-9 * (1.0 + abs(lowest)):
            kind = "global minimum"
        result.append(CriticalPoint(float(x[i]), float(y[i]), float(values[i]), kind))
    return tuple(result)
