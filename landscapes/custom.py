"""The ``custom`` surface: the user's own formula f(x, y), registered like any built-in one.

>>> import landscapes
>>> surface = landscapes.get("custom", formula="x^2 + 3*y^2")
>>> surface.grad([[1.0, 1.0]])
array([[2., 6.]])

Its one parameter ``formula`` is a text :class:`~landscapes.schema.Param`; a
formula outside the grammar of :mod:`landscapes.formula` raises
:class:`~landscapes.formula.FormulaError` (a ValueError) from ``landscapes.get``,
exactly like a number outside its range.

Critical points are searched for, not known: Newton's method on the exact
gradient and Hessian from a grid of seeds over the view; every non-degenerate
point that converges (|grad f| < 1e-9) inside the view is listed once,
classified by its Hessian. A minimum the seeds miss is simply not listed (the app then shows no
distance to it), which is the honest answer for an arbitrary formula.
"""
from __future__ import annotations

import time
from dataclasses import replace
from functools import lru_cache

import numpy as np

from landscapes.base import CriticalPoint
from landscapes.critical import classify, newton_refine
from landscapes.formula import MAX_LENGTH, formula
from landscapes.registry import register
from landscapes.schema import Param

__all__ = ["DEFAULT_FORMULA", "FORMULA_PARAM", "find_critical_points"]

# Two minima (near x = -1 and x = +1) of different depth and a saddle between them: momentum vs plain
# SGD, and which basin a start point falls into, show at once.
DEFAULT_FORMULA = "(x^2 - 1)^2 + 0.5*y^2 + 0.2*x"

FORMULA_PARAM = Param(
    "formula", DEFAULT_FORMULA,
    "f(x, y) in x and y: numbers, + - * / ^ (or **), parentheses, pi, e and functions such as "
    "sin, cos, exp, log, sqrt, abs, tanh", kind="text", label="f(x, y) =", max_length=MAX_LENGTH)

SEEDS_PER_SIDE = 11
GRADIENT_TOLERANCE = 1e-9
SEARCH_BUDGET = 0.03            # seconds of Newton iterations per formula (then cached)
MIN_ITERATIONS, MAX_ITERATIONS = 8, 60


def find_critical_points(surface, seeds_per_side: int = SEEDS_PER_SIDE, budget: float = SEARCH_BUDGET) -> tuple:
    """Critical points of ``surface`` inside its view: Newton from a seeds_per_side^2 grid, deduplicated.

    Only non-degenerate points are listed (det H != 0: a constant or a flat valley floor has a
    continuum of critical points, none worth a marker). The lowest minima (within 1e-9 relative)
    are marked ``"global minimum"``. Newton gets as many iterations (8 to 60) as fit in about
    ``budget`` seconds, measured on the first one, so a long formula never stalls the page.
    """
    x_min, x_max, y_min, y_max = surface.view
    X, Y = np.meshgrid(np.linspace(x_min, x_max, seeds_per_side), np.linspace(y_min, y_max, seeds_per_side))
    seeds = np.column_stack([X.ravel(), Y.ravel()])                                # (M, 2)
    with np.errstate(all="ignore"):
        began = time.perf_counter()
        points = newton_refine(surface.grad_fn, surface.hessian_fn, seeds, iterations=1)
        per_iteration = max(time.perf_counter() - began, 1e-6)
        more = int(min(MAX_ITERATIONS - 1, max(MIN_ITERATIONS - 1, budget / per_iteration)))
        points = newton_refine(surface.grad_fn, surface.hessian_fn, points, iterations=more)   # (M, 2)
        gx, gy = np.broadcast_arrays(*surface.grad_fn(points[:, 0], points[:, 1]))
        hxx, hxy, hyy = np.broadcast_arrays(*surface.hessian_fn(points[:, 0], points[:, 1]))
        det = hxx * hyy - hxy * hxy
    converged = np.isfinite(gx) & np.isfinite(gy) & (np.hypot(gx, gy) < GRADIENT_TOLERANCE)
    inside = ((points[:, 0] > x_min) & (points[:, 0] < x_max) & (points[:, 1] > y_min) & (points[:, 1] < y_max))
    scale = 1.0 + np.abs(hxx) + np.abs(hyy)
    degenerate = ~np.isfinite(det) | (np.abs(det) <= 1e-9 * scale * scale)
    candidates = points[converged & inside & ~degenerate]                          # (K', 2)
    if not len(candidates):
        return ()
    span = max(x_max - x_min, y_max - y_min)
    _, first = np.unique(np.round(candidates / (1e-6 * span)), axis=0, return_index=True)
    xy = candidates[np.sort(first)]                                                # (K, 2) one per point
    values = surface.value(xy)                                                     # (K,)
    hessians = surface.hessian(xy)                                                 # (K, 2, 2)
    kinds = [classify(h[0, 0], h[0, 1], h[1, 1]) for h in hessians]
    minima = [values[i] for i, kind in enumerate(kinds) if kind == "local minimum" and np.isfinite(values[i])]
    lowest = min(minima) if minima else None
    points_out = []
    for (x, y), value, kind in zip(xy, values, kinds):
        if not np.isfinite(value):
            continue
        if kind == "local minimum" and value <= lowest + 1e-9 * (1.0 + abs(lowest)):
            kind = "global minimum"
        points_out.append(CriticalPoint(float(x), float(y), float(value), kind))
    return tuple(points_out)


@lru_cache(maxsize=64)
def _custom_surface(text: str):
    """Parsed, compiled and searched once per formula text (the app asks for the same surface often)."""
    surface = formula(text)
    return replace(surface, critical_points=find_critical_points(surface))


@register("custom", schema=(FORMULA_PARAM,))
def custom(formula: str = DEFAULT_FORMULA):
    """Your own surface: f(x, y) typed as text (grammar: :mod:`landscapes.formula`)."""
    return _custom_surface(formula)
