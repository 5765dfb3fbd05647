"""The :class:`Landscape` type: a 2-D loss surface with exact derivatives.

Every surface maps points ``xy`` of shape ``(..., 2)`` to

* ``value(xy)``   -> ``(...)``          f(x, y)
* ``grad(xy)``    -> ``(..., 2)``       (df/dx, df/dy)
* ``hessian(xy)`` -> ``(..., 2, 2)``    [[f_xx, f_xy], [f_xy, f_yy]]

all in float64, vectorized over any leading shape, from closed forms (never
finite differences). A surface is built from three component functions of the
coordinate arrays ``x`` and ``y``; parameters are bound in by the factory that
builds it (see :mod:`landscapes.surfaces`).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable, Sequence

import numpy as np

from landscapes.critical import CriticalPoint, find_critical_points
from landscapes.schema import Param

__all__ = ["CriticalPoint", "Landscape"]

ValueFn = Callable[[np.ndarray, np.ndarray], np.ndarray]
GradFn = Callable[[np.ndarray, np.ndarray], tuple]
HessFn = Callable[[np.ndarray, np.ndarray], tuple]

@dataclass(frozen=True, eq=False)
class Landscape:
    """A 2-D loss surface with exact value, gradient and Hessian.

    Attributes:
        name: registry key, e.g. ``"rosenbrock"``.
        label: human name, e.g. ``"Rosenbrock valley"``.
        formula: LaTeX of f(x, y), with the parameters' current values.
        view: default view box ``(x_min, x_max, y_min, y_max)``.
        start: default start point ``(x, y)``.
        critical_points: known minima (and saddles, maxima) with their values.
        note: a short teaching note: what this surface shows.
        params: the parameter values this instance was built with.
        schema: the surface's own parameters (validated by the registry).
        log_color: colour the contour on a log scale (huge value range).
    """

    name: str
    label: str
    formula: str
    value_fn: ValueFn = field(repr=False)
    grad_fn: GradFn = field(repr=False)
    hessian_fn: HessFn = field(repr=False)
    view: tuple = (-2.0, 2.0, -2.0, 2.0)
    start: tuple = (1.0, 1.0)
    critical_points: tuple = ()
    note: str = ""
    params: dict = field(default_factory=dict)
    schema: tuple = ()
    log_color: bool = False

    # ------------------------------------------------------------- the math
    def value(self, xy) -> np.ndarray:
        """f(x, y) for points of shape ``(..., 2)``; returns shape ``(...)``."""
        xy = np.asarray(xy, dtype=np.float64)
        x, y = xy[..., 0], xy[..., 1]
        with np.errstate(all="ignore"):
            return np.broadcast_to(self.value_fn(x, y), x.shape).astype(np.float64, copy=True)

    def grad(self, xy, out: np.ndarray | None = None) -> np.ndarray:
        """Exact gradient (df/dx, df/dy); shape ``(..., 2)``. Writes into ``out`` when given."""
        xy = np.asarray(xy, dtype=np.float64)
        x, y = xy[..., 0], xy[..., 1]
        if out is None:
            out = np.empty(xy.shape, dtype=np.float64)
        with np.errstate(all="ignore"):
            gx, gy = self.grad_fn(x, y)
        out[..., 0] = gx
        out[..., 1] = gy
        return out

    def hessian(self, xy) -> np.ndarray:
        """Exact Hessian [[f_xx, f_xy], [f_xy, f_yy]]; shape ``(..., 2, 2)``."""
        xy = np.asarray(xy, dtype=np.float64)
        x, y = xy[..., 0], xy[..., 1]
        with np.errstate(all="ignore"):
            hxx, hxy, hyy = self.hessian_fn(x, y)
        out = np.empty(xy.shape[:-1] + (2, 2), dtype=np.float64)
        out[..., 0, 0] = hxx
        out[..., 0, 1] = hxy
        out[..., 1, 0] = hxy
        out[..., 1, 1] = hyy
        return out

    # ------------------------------------------------------------ metadata
    @property
    def minima(self) -> tuple:
        """The known minima, global first."""
        points = [p for p in self.critical_points if p.is_minimum]
        return tuple(sorted(points, key=lambda p: (p.kind != "global minimum", p.value)))

    @property
    def global_minimum(self) -> CriticalPoint | None:
        return self.minima[0] if self.minima else None

    def nearest_minimum(self, xy) -> tuple[np.ndarray, np.ndarray]:
        """Index into :attr:`minima` of the nearest known minimum, and the distance to it.

        ``xy``: ``(..., 2)``; returns two arrays of shape ``(...)``. With no known
        minima the index is -1 and the distance NaN.
        """
        xy = np.asarray(xy, dtype=np.float64)
        if not self.minima:
            return np.full(xy.shape[:-1], -1), np.full(xy.shape[:-1], np.nan)
        centres = np.array([m.as_array() for m in self.minima])          # (M, 2)
        dist = np.linalg.norm(xy[..., None, :] - centres, axis=-1)       # (..., M)
        index = np.argmin(dist, axis=-1)
        return index, np.take_along_axis(dist, index[..., None], axis=-1)[..., 0]

    def nearest_critical_point(self, xy, minima_only: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Index into :attr:`critical_points` of the nearest known critical point, and the distance.

        ``xy``: ``(..., 2)``; returns two arrays of shape ``(...)`` (index -1 and
        distance NaN when there is none). ``minima_only`` looks at minima only
        (global and local). The point's ``kind`` says what it is.
        """
        xy = np.asarray(xy, dtype=np.float64)
        candidates = [i for i, p in enumerate(self.critical_points) if p.is_minimum or not minima_only]
        if not candidates:
            return np.full(xy.shape[:-1], -1), np.full(xy.shape[:-1], np.nan)
        centres = np.array([self.critical_points[i].as_array() for i in candidates])   # (M, 2)
        dist = np.linalg.norm(xy[..., None, :] - centres, axis=-1)                     # (..., M)
        nearest = np.argmin(dist, axis=-1)
        return np.asarray(candidates)[nearest], np.take_along_axis(dist, nearest[..., None], axis=-1)[..., 0]

    def nearest_known_minimum(self, point) -> tuple:
        """``(CriticalPoint, distance)`` of the known minimum nearest to one point ``(x, y)``;
        its ``kind`` says global or local. ``(None, nan)`` without known minima."""
        index, distance = self.nearest_critical_point(np.asarray(point, dtype=np.float64).reshape(2),
                                                      minima_only=True)
        if int(index) < 0:
            return None, float("nan")
        return self.critical_points[int(index)], float(distance)

    def grid(self, n: int = 120, view: Sequence[float] | None = None):
        """Sample the surface on an ``n x n`` grid over ``view`` (default: :attr:`view`).

        Returns ``(xs, ys, values)`` with ``xs``, ``ys`` of shape ``(n,)`` and
        ``values`` of shape ``(n, n)`` indexed ``[row=y, column=x]`` (Plotly's
        contour convention).
        """
        x_min, x_max, y_min, y_max = self.view if view is None else view
        xs = np.linspace(x_min, x_max, n)
        ys = np.linspace(y_min, y_max, n)
        X, Y = np.meshgrid(xs, ys)
        return xs, ys, self.value(np.stack([X, Y], axis=-1))

    # ------------------------------------------------------------ the L2 term
    def with_l2(self, lam: float) -> "Landscape":
        """This surface plus the lecture's L2 term (lam/2) * (x^2 + y^2).

        Gradient gains ``lam * (x, y)``, Hessian gains ``lam * I``. Known critical
        points move; they are re-located exactly by Newton iterations on the new
        surface (exact gradient and Hessian), and their kind is re-read from the
        Hessian's eigenvalues.
        """
        lam = float(lam)
        if lam == 0.0:
            return self
        f, g, h = self.value_fn, self.grad_fn, self.hessian_fn

        def value_fn(x, y):
            return f(x, y) + 0.5 * lam * (x * x + y * y)

        def grad_fn(x, y):
            gx, gy = g(x, y)
            return gx + lam * x, gy + lam * y

        def hessian_fn(x, y):
            hxx, hxy, hyy = h(x, y)
            return hxx + lam, hxy + 0.0 * x, hyy + lam

        shifted = replace(
            self,
            formula=f"{self.formula} + \\tfrac{{{lam:g}}}{{2}}(x^2 + y^2)",
            value_fn=value_fn, grad_fn=grad_fn, hessian_fn=hessian_fn,
            params={**self.params, "l2": lam},
            critical_points=(),
        )
        return replace(shifted, critical_points=_relocate(shifted, self.critical_points))


def _relocate(surface: Landscape, points: Sequence[CriticalPoint]) -> tuple:
    """Known critical points re-located on a changed surface (:func:`landscapes.critical.find_critical_points`
    from each, gradient below 1e-8) and re-classified; a point that no longer converges is dropped.
    Only a surface that had a global minimum (bounded below) names one after the shift."""
    if not points:
        return ()
    seeds = np.array([point.as_array() for point in points])              # (M, 2)
    return find_critical_points(surface.value_fn, surface.grad_fn, surface.hessian_fn, seeds,
                                gradient_tolerance=1e-8, keep_degenerate=True,
                                global_minimum=any(p.kind == "global minimum" for p in points))
