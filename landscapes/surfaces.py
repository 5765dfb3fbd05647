"""Built-in surfaces. Each factory states f(x, y) and its derivatives in closed form."""
from __future__ import annotations

import numpy as np

from landscapes.base import CriticalPoint, Landscape
from landscapes.registry import register
from landscapes.schema import Param


@register("quadratic_bowl")
def quadratic_bowl() -> Landscape:
    """f = (x^2 + y^2) / 2: the isotropic convex baseline; H = I everywhere, minimum 0 at the origin."""
    return Landscape(
        name="quadratic_bowl", label="Quadratic bowl", formula=r"\tfrac12\,(x^2 + y^2)",
        value_fn=lambda x, y: 0.5 * (x * x + y * y),
        grad_fn=lambda x, y: (1.0 * x, 1.0 * y),
        hessian_fn=lambda x, y: (1.0 + 0 * x, 0.0 * x, 1.0 + 0 * x),
        view=(-2.0, 2.0, -2.0, 2.0), start=(-1.6, 1.2),
        critical_points=(CriticalPoint(0.0, 0.0, 0.0, "global minimum"),),
        note="Every direction has curvature 1, so the gradient points straight at the minimum and "
             "every method works. Gradient descent converges for any learning rate below 2 and "
             "diverges above it: the baseline to compare the harder surfaces against.",
    )


@register("saddle")
def saddle() -> Landscape:
    """f = x^2 - y^2: a saddle at the origin; the gradient vanishes there but it is no minimum."""
    return Landscape(
        name="saddle", label="Saddle point", formula=r"x^2 - y^2",
        value_fn=lambda x, y: x * x - y * y,
        grad_fn=lambda x, y: (2 * x, -2 * y),
        hessian_fn=lambda x, y: (2.0 + 0 * x, 0.0 * x, -2.0 + 0 * x),
        view=(-1.5, 1.5, -1.5, 1.5), start=(1.0, 1e-3),
        critical_points=(CriticalPoint(0.0, 0.0, 0.0, "saddle"),),
        note="The gradient vanishes at the origin, yet it is no minimum: plain SGD started near the "
             "x-axis crawls towards the saddle and lingers; momentum carries a run past it.",
    )


@register("ill_conditioned", schema=(
    Param("kappa", 50.0, "condition number: curvature along y over curvature along x",
          low=1.0, high=1e4, scale="log", label="kappa", slider_high=1e3),
    Param("angle", 0.0, "rotation of the valley in degrees (rotated, the valley no longer follows the axes)",
          low=-90.0, high=90.0, label="rotation (deg)"),
))
def ill_conditioned(kappa: float, angle: float) -> Landscape:
    """f = 0.5 (u^2 + kappa v^2) with (u, v) = R(-angle) (x, y): a steep, narrow valley.

    H = R diag(1, kappa) R^T is constant: f_xx = c^2 + kappa s^2, f_yy = s^2 + kappa c^2,
    f_xy = (1 - kappa) c s with c = cos(angle), s = sin(angle).
    """
    theta = np.deg2rad(angle)
    c, s = np.cos(theta), np.sin(theta)
    hxx, hxy, hyy = c * c + kappa * s * s, (1.0 - kappa) * c * s, s * s + kappa * c * c

    def value_fn(x, y):
        return 0.5 * (hxx * x * x + 2.0 * hxy * x * y + hyy * y * y)

    formula = r"\tfrac12\,(x^2 + %g\,y^2)" % kappa
    if angle:
        formula = r"\tfrac12\,(u^2 + %g\,v^2),\ (u,v)=R_{%g^\circ}^{-1}(x,y)" % (kappa, angle)
    return Landscape(
        name="ill_conditioned", label="Ill-conditioned valley", formula=formula,
        value_fn=value_fn,
        grad_fn=lambda x, y: (hxx * x + hxy * y, hxy * x + hyy * y),
        hessian_fn=lambda x, y: (hxx + 0 * x, hxy + 0 * x, hyy + 0 * x),
        view=(-10.0, 10.0, -3.0, 3.0), start=(-8.0, 1.5),
        critical_points=(CriticalPoint(0.0, 0.0, 0.0, "global minimum"),),
        note="The loss changes fast along one direction and slowly along the other. Gradient descent "
             "zig-zags across the steep direction and crawls along the shallow one; momentum and "
             "per-coordinate adaptive methods fix this when the valley follows the axes.",
    )


@register("rosenbrock")
def rosenbrock() -> Landscape:
    """f = (1 - x)^2 + 100 (y - x^2)^2: a curved, flat-bottomed banana valley; minimum at (1, 1).

    grad = (-2(1 - x) - 400 x (y - x^2), 200 (y - x^2));
    H = [[2 - 400 (y - x^2) + 800 x^2, -400 x], [-400 x, 200]].
    """
    def value_fn(x, y):
        r = y - x * x
        return (1.0 - x) ** 2 + 100.0 * r * r

    def grad_fn(x, y):
        r = y - x * x
        return -2.0 * (1.0 - x) - 400.0 * x * r, 200.0 * r

    def hessian_fn(x, y):
        return 2.0 - 400.0 * (y - x * x) + 800.0 * x * x, -400.0 * x, 200.0 + 0 * x

    return Landscape(
        name="rosenbrock", label="Rosenbrock valley", formula=r"(1 - x)^2 + 100\,(y - x^2)^2",
        value_fn=value_fn, grad_fn=grad_fn, hessian_fn=hessian_fn,
        view=(-2.0, 2.0, -1.0, 3.0), start=(-1.5, 2.0),
        critical_points=(CriticalPoint(1.0, 1.0, 0.0, "global minimum"),),
        note="Finding the valley is easy; following its flat, curved floor to (1, 1) is hard. "
             "Values span many orders of magnitude, so colours use a log scale.",
        log_color=True,
    )


@register("monkey_saddle")
def monkey_saddle() -> Landscape:
    """f = x^3 - 3xy^2 = r^3 cos(3 theta): three valleys and three ridges meet at the origin.

    grad = (3x^2 - 3y^2, -6xy); H = [[6x, -6y], [-6y, -6x]], which is zero at the
    origin: a degenerate saddle that no second-order test can classify.
    """
    return Landscape(
        name="monkey_saddle", label="Monkey saddle", formula=r"x^3 - 3xy^2",
        value_fn=lambda x, y: x**3 - 3.0 * x * y * y,
        grad_fn=lambda x, y: (3.0 * x * x - 3.0 * y * y, -6.0 * x * y),
        hessian_fn=lambda x, y: (6.0 * x, -6.0 * y, -6.0 * x),
        view=(-1.5, 1.5, -1.5, 1.5), start=(1.2, 0.05),
        critical_points=(CriticalPoint(0.0, 0.0, 0.0, "saddle"),),
        note="A saddle with three downhill valleys (room for two legs and a tail). Gradient and "
             "curvature both vanish at the centre, so runs arriving along the ridge stall far longer "
             "than on an ordinary saddle before they slide off. The surface has no minimum at all.",
    )
