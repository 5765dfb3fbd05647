"""Classic optimization test functions in 2-D: Beale, Himmelblau, six-hump camel, Styblinski-Tang.

Each factory states f, its gradient and Hessian in closed form. Critical points
with no closed form (roots of polynomial systems) are refined by Newton's method
on the exact derivatives at import time, from seeds written here, to machine
precision (see :mod:`landscapes.critical`).
"""
from __future__ import annotations

import numpy as np

from landscapes.base import CriticalPoint, Landscape
from landscapes.critical import find_critical_points
from landscapes.registry import register


# --------------------------------------------------------------------- Beale
def _beale_value(x, y):
    r1, r2, r3 = 1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3
    return r1 * r1 + r2 * r2 + r3 * r3


def _beale_grad(x, y):
    """f = sum_i r_i^2, r_i = c_i - x + x y^i: grad = 2 sum_i r_i (y^i - 1, i x y^(i-1))."""
    r1, r2, r3 = 1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3
    gx = 2.0 * (r1 * (y - 1.0) + r2 * (y**2 - 1.0) + r3 * (y**3 - 1.0))
    gy = 2.0 * (r1 * x + r2 * 2.0 * x * y + r3 * 3.0 * x * y**2)
    return gx, gy


def _beale_hessian(x, y):
    """H = 2 sum_i (grad r_i grad r_i^T + r_i Hess r_i), Hess r_i = [[0, i y^(i-1)], [i y^(i-1), i(i-1) x y^(i-2)]]."""
    r1, r2, r3 = 1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3
    hxx = 2.0 * ((y - 1.0) ** 2 + (y**2 - 1.0) ** 2 + (y**3 - 1.0) ** 2)
    hxy = 2.0 * ((y - 1.0) * x + r1
                 + (y**2 - 1.0) * 2.0 * x * y + r2 * 2.0 * y
                 + (y**3 - 1.0) * 3.0 * x * y**2 + r3 * 3.0 * y**2)
    hyy = 2.0 * (x * x + (2.0 * x * y) ** 2 + 2.0 * x * r2 + (3.0 * x * y**2) ** 2 + 6.0 * x * y * r3)
    return hxx, hxy, hyy


@register("beale")
def beale() -> Landscape:
    """f = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2; minimum 0 at (3, 0.5).

    Saddles: (0, 1) exactly (value 1.5^2 + 2.25^2 + 2.625^2 = 14.203125, H = [[0, 27.75], [27.75, 0]])
    and one near (0.1005, -2.6445), refined numerically.
    """
    critical = (
        CriticalPoint(3.0, 0.5, 0.0, "global minimum"),
        CriticalPoint(0.0, 1.0, 14.203125, "saddle"),
    ) + find_critical_points(_beale_value, _beale_grad, _beale_hessian,
                               seeds=[(0.1005, -2.6445)], strict=True, expected_kinds=["saddle"])
    return Landscape(
        name="beale", label="Beale function",
        formula=r"(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
        value_fn=_beale_value, grad_fn=_beale_grad, hessian_fn=_beale_hessian,
        view=(-4.5, 4.5, -4.5, 4.5), start=(1.0, 1.5),
        critical_points=critical,
        note="A narrow curved valley leads to the minimum at (3, 0.5), while the walls rise by five "
             "orders of magnitude towards the corners. A learning rate that is safe on the walls is "
             "painfully slow on the valley floor; adaptive methods rescale each coordinate and cope.",
        log_color=True,
    )


# ---------------------------------------------------------------- Himmelblau
def _himmelblau_value(x, y):
    a, b = x * x + y - 11.0, x + y * y - 7.0
    return a * a + b * b


def _himmelblau_grad(x, y):
    """With a = x^2 + y - 11, b = x + y^2 - 7: grad = (4xa + 2b, 2a + 4yb)."""
    a, b = x * x + y - 11.0, x + y * y - 7.0
    return 4.0 * x * a + 2.0 * b, 2.0 * a + 4.0 * y * b


def _himmelblau_hessian(x, y):
    """H = [[12x^2 + 4y - 42, 4(x + y)], [4(x + y), 4x + 12y^2 - 26]]."""
    return 12.0 * x * x + 4.0 * y - 42.0, 4.0 * (x + y), 4.0 * x + 12.0 * y * y - 26.0


@register("himmelblau")
def himmelblau() -> Landscape:
    """f = (x^2 + y - 11)^2 + (x + y^2 - 7)^2: four minima of value 0, four saddles, one maximum.

    (3, 2) is exact; the other three minima solve quartics and are refined numerically.
    """
    seeds = [(3.0, 2.0), (-2.805, 3.131), (-3.779, -3.283), (3.584, -1.848),
             (-0.128, -1.954), (-3.073, -0.081), (3.385, 0.074), (0.087, 2.884),
             (-0.271, -0.923)]
    kinds = ["global minimum"] * 4 + ["saddle"] * 4 + ["maximum"]
    return Landscape(
        name="himmelblau", label="Himmelblau function", formula=r"(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        value_fn=_himmelblau_value, grad_fn=_himmelblau_grad, hessian_fn=_himmelblau_hessian,
        view=(-5.0, 5.0, -5.0, 5.0), start=(0.5, -1.5),
        critical_points=find_critical_points(_himmelblau_value, _himmelblau_grad, _himmelblau_hessian,
                                               seeds, strict=True, expected_kinds=kinds),
        note="Four equally good minima surround a hilltop. Started near the top, each optimizer "
             "rolls into whichever basin its dynamics choose: the answer depends on the method, "
             "the learning rate and momentum, not only on the start.",
        log_color=True,
    )


# ----------------------------------------------------------- six-hump camel
def _camel_value(x, y):
    x2, y2 = x * x, y * y
    return (4.0 - 2.1 * x2 + x2 * x2 / 3.0) * x2 + x * y + (-4.0 + 4.0 * y2) * y2


def _camel_grad(x, y):
    """grad = (8x - 8.4x^3 + 2x^5 + y, x - 8y + 16y^3)."""
    return 8.0 * x - 8.4 * x**3 + 2.0 * x**5 + y, x - 8.0 * y + 16.0 * y**3


def _camel_hessian(x, y):
    """H = [[8 - 25.2x^2 + 10x^4, 1], [1, -8 + 48y^2]]."""
    return 8.0 - 25.2 * x * x + 10.0 * x**4, 1.0 + 0.0 * x, -8.0 + 48.0 * y * y


@register("six_hump_camel")
def six_hump_camel() -> Landscape:
    """f = (4 - 2.1x^2 + x^4/3) x^2 + xy + (4y^2 - 4) y^2: two global minima (f ~ -1.0316),
    four local minima, seven saddles (one at the origin), two maxima. Symmetric under (x, y) -> (-x, -y)."""
    half = [((0.0898, -0.7127), "global minimum"), ((1.7036, -0.7961), "local minimum"),
            ((1.6071, 0.5687), "local minimum"), ((1.1092, -0.7683), "saddle"),
            ((1.2961, 0.6051), "saddle"), ((1.6381, 0.2287), "saddle"), ((1.2302, 0.1623), "maximum")]
    seeds = [p for p, _ in half] + [(-px, -py) for (px, py), _ in half] + [(0.0, 0.0)]
    kinds = [k for _, k in half] * 2 + ["saddle"]
    return Landscape(
        name="six_hump_camel", label="Six-hump camel",
        formula=r"\left(4 - 2.1x^2 + \tfrac{x^4}{3}\right)x^2 + xy + (4y^2 - 4)\,y^2",
        value_fn=_camel_value, grad_fn=_camel_grad, hessian_fn=_camel_hessian,
        view=(-2.0, 2.0, -1.1, 1.1), start=(-1.8, -0.9),
        critical_points=find_critical_points(_camel_value, _camel_grad, _camel_hessian,
                                               seeds, strict=True, expected_kinds=kinds),
        note="Six basins of very different depth: two global, two medium, two shallow side pockets. "
             "A run that starts on an outer hump settles in the nearest pocket unless momentum "
             "carries it over the ridge to a deeper basin.",
    )


# ---------------------------------------------------------- Styblinski-Tang
_TANG_P, _TANG_Q = -8.0, 1.25      # stationary points solve x^3 + p x + q = 0  (f'(x) = 2x^3 - 16x + 2.5)


def _tang_roots() -> np.ndarray:
    """The three real roots of x^3 - 8x + 1.25 = 0 by the trigonometric formula, descending.

    x_k = 2 sqrt(-p/3) cos(acos(3q/(2p) sqrt(-3/p)) / 3 - 2 pi k / 3), k = 0, 1, 2.
    """
    amplitude = 2.0 * np.sqrt(-_TANG_P / 3.0)
    angle = np.arccos(3.0 * _TANG_Q / (2.0 * _TANG_P) * np.sqrt(-3.0 / _TANG_P)) / 3.0
    return amplitude * np.cos(angle - 2.0 * np.pi * np.arange(3) / 3.0)


def _tang_1d(t):
    return 0.5 * (t**4 - 16.0 * t * t + 5.0 * t)


@register("styblinski_tang")
def styblinski_tang() -> Landscape:
    """f = 0.5 sum_i (x_i^4 - 16 x_i^2 + 5 x_i): separable; each coordinate has the
    stationary points of x^3 - 8x + 1.25 = 0 (two minima, one maximum), so f has 4 minima,
    4 saddles and 1 maximum. Global minimum at x = y = -2.9035 (f = -78.332)."""
    right_min, middle_max, left_min = _tang_roots()
    one_d = {left_min: "min", right_min: "min", middle_max: "max"}
    critical = []
    for cx, kx in one_d.items():
        for cy, ky in one_d.items():
            kind = {("min", "min"): "local minimum", ("max", "max"): "maximum"}.get((kx, ky), "saddle")
            if cx == left_min and cy == left_min:
                kind = "global minimum"
            critical.append(CriticalPoint(float(cx), float(cy), float(_tang_1d(cx) + _tang_1d(cy)), kind))
    return Landscape(
        name="styblinski_tang", label="Styblinski-Tang",
        formula=r"\tfrac12 \left(x^4 - 16x^2 + 5x + y^4 - 16y^2 + 5y\right)",
        value_fn=lambda x, y: _tang_1d(x) + _tang_1d(y),
        grad_fn=lambda x, y: (2.0 * x**3 - 16.0 * x + 2.5, 2.0 * y**3 - 16.0 * y + 2.5),
        hessian_fn=lambda x, y: (6.0 * x * x - 16.0, 0.0 * x, 6.0 * y * y - 16.0),
        view=(-5.0, 5.0, -5.0, 5.0), start=(4.5, 0.6),
        critical_points=tuple(critical),
        note="Four minima on the corners of a square, nearly alike: the one at (-2.90, -2.90) is "
             "the global one, the one at (2.75, 2.75) is shallowest. The linear term 5x tilts "
             "each coordinate slightly, so which corner a run reaches decides a 28-point gap in loss.",
    )
