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

from dataclasses import replace
from functools import lru_cache

import numpy as np

from landscapes.critical import find_critical_points
from landscapes.formula import MAX_LENGTH, formula
from landscapes.registry import register
from landscapes.schema import Param

__all__ = ["DEFAULT_FORMULA", "FORMULA_PARAM", "critical_points_in_view"]

# Two minima (near x = -1 and x = +1) of different depth and a saddle between them: momentum vs plain
# SGD, and which basin a start point falls into, show at once.
DEFAULT_FORMULA = "(x^2 - 1)^2 + 0.5*y^2 + 0.2*x"

FORMULA_PARAM = Param(
    "formula", DEFAULT_FORMULA,
    "f(x, y) in x and y: numbers, + - * / ^ (or **), parentheses, pi, e and functions such as "
    "sin, cos, exp, log, sqrt, abs, tanh", kind="text", label="f(x, y) =", max_length=MAX_LENGTH)

SEEDS_PER_SIDE = 11
SEARCH_BUDGET = 0.03            # seconds of Newton iterations per formula (then cached)


def critical_points_in_view(surface, seeds_per_side: int = SEEDS_PER_SIDE, budget: float = SEARCH_BUDGET) -> tuple:
    """Critical points of ``surface`` inside its view: :func:`landscapes.critical.find_critical_points`
    from a seeds_per_side^2 grid over the view, with about ``budget`` seconds of Newton iterations
    (8 to 60, measured on the first), so a long formula never stalls the page. Only converged
    (|grad f| < 1e-9), finite, non-degenerate points are listed, each once."""
    x_min, x_max, y_min, y_max = surface.view
    X, Y = np.meshgrid(np.linspace(x_min, x_max, seeds_per_side), np.linspace(y_min, y_max, seeds_per_side))
    seeds = np.column_stack([X.ravel(), Y.ravel()])                                # (M, 2)
    return find_critical_points(surface.value_fn, surface.grad_fn, surface.hessian_fn, seeds,
                                inside=surface.view, budget=budget)


@lru_cache(maxsize=64)
def _custom_surface(text: str):
    """Parsed, compiled and searched once per formula text (the app asks for the same surface often)."""
    surface = formula(text)
    return replace(surface, critical_points=critical_points_in_view(surface))


@register("custom", schema=(FORMULA_PARAM,))
def custom(formula: str = DEFAULT_FORMULA):
    """Your own surface: f(x, y) typed as text (grammar: :mod:`landscapes.formula`)."""
    return _custom_surface(formula)
