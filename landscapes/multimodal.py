"""Surfaces with many minima: Rastrigin, Ackley, and a hand-made teaching surface ``local_minima``.

Their critical points solve transcendental equations; they are refined by
Newton's method (or bisection in 1-D) on the exact derivatives when the surface
is built, to machine precision, and checked for kind.
"""
from __future__ import annotations

import numpy as np

from landscapes.base import CriticalPoint, Landscape
from landscapes.critical import find_critical_points
from landscapes.registry import register
from landscapes.schema import Param

TWO_PI = 2.0 * np.pi


# ------------------------------------------------------------------ Rastrigin
def _rastrigin_1d_stationary(amplitude: float, half_width: float) -> tuple[np.ndarray, np.ndarray]:
    """Stationary points of t^2 - A cos(2 pi t) on [-half_width, half_width]: (minima, maxima).

    They solve 2t + 2 pi A sin(2 pi t) = 0, an odd function: roots on (0, w] are
    bracketed on a fine grid (spacing 1e-3, far below the 0.5 between roots) and
    bisected to machine precision, then mirrored; t = 0 is always a root.
    """
    def slope(t):
        return 2.0 * t + TWO_PI * amplitude * np.sin(TWO_PI * t)

    grid = np.linspace(1e-9, half_width, int(half_width * 1000) + 2)
    signs = np.sign(slope(grid))
    left = grid[:-1][signs[:-1] * signs[1:] < 0]                      # (R,) brackets
    right = grid[1:][signs[:-1] * signs[1:] < 0]
    for _ in range(80):
        middle = 0.5 * (left + right)
        same = np.sign(slope(middle)) == np.sign(slope(left))
        left, right = np.where(same, middle, left), np.where(same, right, middle)
    positive = 0.5 * (left + right)
    roots = np.concatenate([-positive[::-1], [0.0], positive])
    curvature = 2.0 + 4.0 * np.pi**2 * amplitude * np.cos(TWO_PI * roots)
    return roots[curvature > 0], roots[curvature < 0]


@register("rastrigin", schema=(
    Param("A", 10.0, "amplitude of the cosine ripples (0 leaves a plain bowl)", low=0.0, high=40.0,
          label="ripple amplitude A"),
))
def rastrigin(A: float) -> Landscape:
    """f = 2A + x^2 + y^2 - A (cos 2 pi x + cos 2 pi y); global minimum 0 at the origin.

    grad = (2x + 2 pi A sin 2 pi x, same in y); H = diag(2 + 4 pi^2 A cos 2 pi x, same in y).
    Separable, so its critical points are products of the 1-D ones: local minima
    near every integer point (where the ripples beat the bowl), saddles and maxima
    between them. Listed: every minimum in the view, and the four saddles that
    fence in the global minimum.
    """
    half_width = 5.12
    minima_1d, maxima_1d = _rastrigin_1d_stationary(A, half_width)

    def value_fn(x, y):
        return 2.0 * A + x * x + y * y - A * (np.cos(TWO_PI * x) + np.cos(TWO_PI * y))

    def term(t):
        return t * t - A * np.cos(TWO_PI * t)

    critical = []
    for cx in minima_1d:
        for cy in minima_1d:
            kind = "global minimum" if cx == 0.0 and cy == 0.0 else "local minimum"
            critical.append(CriticalPoint(float(cx), float(cy), float(2 * A + term(cx) + term(cy)), kind))
    nearest_maxima = maxima_1d[np.argsort(np.abs(maxima_1d))][:2]
    for m in nearest_maxima:
        critical.append(CriticalPoint(float(m), 0.0, float(2 * A + term(m) + term(0.0)), "saddle"))
        critical.append(CriticalPoint(0.0, float(m), float(2 * A + term(m) + term(0.0)), "saddle"))
    return Landscape(
        name="rastrigin", label="Rastrigin function",
        formula=r"%s + x^2 + y^2 - %s\,(\cos 2\pi x + \cos 2\pi y)" % (f"{2 * A:g}", f"{A:g}"),
        value_fn=value_fn,
        grad_fn=lambda x, y: (2.0 * x + TWO_PI * A * np.sin(TWO_PI * x), 2.0 * y + TWO_PI * A * np.sin(TWO_PI * y)),
        hessian_fn=lambda x, y: (2.0 + 4.0 * np.pi**2 * A * np.cos(TWO_PI * x), 0.0 * x,
                                 2.0 + 4.0 * np.pi**2 * A * np.cos(TWO_PI * y)),
        view=(-half_width, half_width, -half_width, half_width), start=(4.5, 4.5),
        critical_points=tuple(critical),
        note="A bowl covered in an egg-crate of ripples: a local minimum near every integer point. "
             "Gradient steps fall into the nearest dimple; only a large learning rate or momentum "
             "sees the bowl underneath. Set A = 0 to remove the ripples.",
    )


# --------------------------------------------------------------------- Ackley
ACKLEY_A, _ACKLEY_B = 20.0, 0.2
ACKLEY_K = _ACKLEY_B / np.sqrt(2.0)        # exp(-b sqrt((x^2+y^2)/2)) = exp(-k rho), rho = |(x, y)|


def _ackley_value(x, y):
    rho = np.hypot(x, y)
    ripples = np.exp(0.5 * (np.cos(TWO_PI * x) + np.cos(TWO_PI * y)))
    # a(1 - e^{-k rho}) + (e - ripples): the same sum as the textbook form, but exactly 0 at the origin
    return ACKLEY_A * -np.expm1(-ACKLEY_K * rho) + (np.e - ripples)


def _ackley_grad(x, y):
    """cone part a k e^{-k rho} (x, y)/rho (set to 0 at rho = 0) plus ripple part pi e^c (sin 2pi x, sin 2pi y)."""
    rho = np.hypot(x, y)
    ripples = np.exp(0.5 * (np.cos(TWO_PI * x) + np.cos(TWO_PI * y)))
    safe_rho = np.where(rho > 0, rho, 1.0)
    cone = np.where(rho > 0, ACKLEY_A * ACKLEY_K * np.exp(-ACKLEY_K * rho) / safe_rho, 0.0)
    return cone * x + np.pi * np.sin(TWO_PI * x) * ripples, cone * y + np.pi * np.sin(TWO_PI * y) * ripples


def _ackley_hessian(x, y):
    """Cone phi(rho) = -a e^{-k rho}: H = phi'' u u^T + (phi'/rho)(I - u u^T), u = (x, y)/rho,
    phi' = a k e^{-k rho}, phi'' = -a k^2 e^{-k rho}; it blows up like 1/rho and is set to 0
    at the origin. Ripples -e^c, c = (cos 2pi x + cos 2pi y)/2:
    H_xx = pi^2 e^c (2 cos 2pi x - sin^2 2pi x), H_xy = -pi^2 e^c sin 2pi x sin 2pi y."""
    rho = np.hypot(x, y)
    ripples = np.exp(0.5 * (np.cos(TWO_PI * x) + np.cos(TWO_PI * y)))
    at_origin = rho == 0
    safe_rho = np.where(at_origin, 1.0, rho)
    ux, uy = x / safe_rho, y / safe_rho
    decay = np.exp(-ACKLEY_K * rho)
    radial = -ACKLEY_A * ACKLEY_K**2 * decay                      # phi''
    tangential = ACKLEY_A * ACKLEY_K * decay / safe_rho           # phi' / rho
    radial, tangential = np.where(at_origin, 0.0, radial), np.where(at_origin, 0.0, tangential)
    sx, sy = np.sin(TWO_PI * x), np.sin(TWO_PI * y)
    hxx = radial * ux * ux + tangential * (1.0 - ux * ux) + np.pi**2 * ripples * (2.0 * np.cos(TWO_PI * x) - sx * sx)
    hyy = radial * uy * uy + tangential * (1.0 - uy * uy) + np.pi**2 * ripples * (2.0 * np.cos(TWO_PI * y) - sy * sy)
    hxy = (radial - tangential) * ux * uy - np.pi**2 * ripples * sx * sy
    return hxx, hxy, hyy


@register("ackley")
def ackley() -> Landscape:
    """f = -20 exp(-0.2 sqrt((x^2 + y^2)/2)) - exp((cos 2 pi x + cos 2 pi y)/2) + 20 + e.

    Global minimum 0 at the origin, where the cone term has a kink (no derivative).
    There the gradient is taken as 0 (the smallest subgradient, so the origin is
    stationary) and the Hessian as that of the smooth ripple term alone,
    2 pi^2 e I; both finite. Local minima sit just inside every integer point.
    """
    half_width = 4.0
    lattice = [(float(i), float(j)) for i in range(-4, 5) for j in range(-4, 5) if (i, j) != (0, 0)]
    fence = [(0.5, 0.0), (-0.5, 0.0), (0.0, 0.5), (0.0, -0.5)]
    found = find_critical_points(_ackley_value, _ackley_grad, _ackley_hessian, lattice + fence,
                                   strict=True, expected_kinds=["local minimum"] * len(lattice) + ["saddle"] * 4)
    critical = (CriticalPoint(0.0, 0.0, 0.0, "global minimum"),) + tuple(
        CriticalPoint(p.x, p.y, p.value, "local minimum" if p.is_minimum else p.kind) for p in found)
    return Landscape(
        name="ackley", label="Ackley function",
        formula=r"-20\,e^{-0.2\sqrt{(x^2+y^2)/2}} - e^{(\cos 2\pi x + \cos 2\pi y)/2} + 20 + e",
        value_fn=_ackley_value, grad_fn=_ackley_grad, hessian_fn=_ackley_hessian,
        view=(-half_width, half_width, -half_width, half_width), start=(3.6, 3.6),
        critical_points=critical,
        note="A nearly flat, dimpled plain around a sharp funnel: far out, the ripples dominate the "
             "gradient and trap plain gradient descent; near the centre a cone pulls everything in. "
             "The cone's tip at the origin has no derivative; we use gradient 0 and the ripple "
             "term's Hessian there.",
    )


# ------------------------------------------------------------- local minima
# public: optimizers.torch_snippet writes the same surface as a torch expression from these numbers
WALL_RADIUS, WALL_SOFTNESS, WALL_SLOPE = 3.0, 0.3, 1.0
GLOBAL_WELL = ((-1.4, -1.2), 2.0, 0.55)          # centre, depth, width sigma
LOCAL_WELLS = (((1.3, -1.3), 1.0, 0.5), ((-1.5, 1.3), 0.75, 0.5))   # depths scaled by `depth`


def _local_minima_fns(wells):
    """value/grad/Hessian of f = W(x^2 + y^2) - sum_k d_k exp(-|p - c_k|^2 / (2 s_k^2)).

    W(u) = b s softplus((u - R^2)/s) is ~0 inside radius R (the flat floor) and
    ~b (u - R^2) outside (the wall); W' = b sigmoid(t), W'' = (b/s) sigmoid(t)(1 - sigmoid(t)).
    grad W = 2 W' p, Hess W = 2 W' I + 4 W'' p p^T.
    A well G = d exp(-|p - c|^2/(2 s^2)) contributes -G to f, G (p - c)/s^2 to the
    gradient and G (I/s^2 - (p - c)(p - c)^T/s^4) to the Hessian.
    """
    R2, s, b = WALL_RADIUS**2, WALL_SOFTNESS, WALL_SLOPE

    def wall_parts(x, y):
        t = (x * x + y * y - R2) / s
        sigmoid = 0.5 * (1.0 + np.tanh(0.5 * t))                  # overflow-free logistic
        return b * s * np.logaddexp(0.0, t), b * sigmoid, (b / s) * sigmoid * (1.0 - sigmoid)

    def value_fn(x, y):
        total = wall_parts(x, y)[0]
        for (cx, cy), d, sig in wells:
            total = total - d * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * sig * sig))
        return total

    def grad_fn(x, y):
        _, w1, _ = wall_parts(x, y)
        gx, gy = 2.0 * w1 * x, 2.0 * w1 * y
        for (cx, cy), d, sig in wells:
            g = d * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * sig * sig)) / (sig * sig)
            gx, gy = gx + g * (x - cx), gy + g * (y - cy)
        return gx, gy

    def hessian_fn(x, y):
        _, w1, w2 = wall_parts(x, y)
        hxx, hxy, hyy = 2.0 * w1 + 4.0 * w2 * x * x, 4.0 * w2 * x * y, 2.0 * w1 + 4.0 * w2 * y * y
        for (cx, cy), d, sig in wells:
            dx, dy, s2 = x - cx, y - cy, sig * sig
            g = d * np.exp(-(dx * dx + dy * dy) / (2 * s2)) / s2
            hxx, hxy, hyy = hxx + g * (1.0 - dx * dx / s2), hxy - g * dx * dy / s2, hyy + g * (1.0 - dy * dy / s2)
        return hxx, hxy, hyy

    return value_fn, grad_fn, hessian_fn


@register("local_minima", schema=(
    Param("depth", 0.6, "depth of the two local wells, as a fraction of their full depth "
          "(the global well always stays deepest)", low=0.3, high=1.0, label="local well depth"),
))
def local_minima(depth: float) -> Landscape:
    """A flat floor with a soft circular wall (radius 3) and three Gaussian wells.

    Global well depth 2 at (-1.4, -1.2); local wells at (1.3, -1.3) and (-1.5, 1.3),
    depths 1.0 * depth and 0.75 * depth. The upper-right part of the floor is a
    plateau: the gradient there is below 1e-3. The three minima and the two saddles
    on the passes from the global well to the local ones are refined by Newton.
    """
    wells = (GLOBAL_WELL,) + tuple((c, d * depth, s) for c, d, s in LOCAL_WELLS)
    value_fn, grad_fn, hessian_fn = _local_minima_fns(wells)
    centres = [c for c, _, _ in wells]
    passes = [tuple(0.5 * (np.array(centres[0]) + np.array(c))) for c in centres[1:]]
    critical = find_critical_points(value_fn, grad_fn, hessian_fn, centres + passes,
                                      strict=True, expected_kinds=["global minimum", "local minimum", "local minimum",
                                                      "saddle", "saddle"])
    return Landscape(
        name="local_minima", label="Local minima and a plateau",
        formula=r"W(x^2+y^2) - \sum_{k=1}^{3} d_k\, e^{-\|(x,y) - c_k\|^2 / 2\sigma_k^2},\ "
                r"d = (2, %g, %g)" % (depth, 0.75 * depth),
        value_fn=value_fn, grad_fn=grad_fn, hessian_fn=hessian_fn,
        view=(-3.5, 3.5, -3.5, 3.5), start=(2.0, 1.2),
        critical_points=critical,
        note="Three wells on a flat floor. On the plateau (upper right) the gradient is almost zero: "
             "SGD barely moves, momentum slowly gathers speed, Adam's normalized steps keep a steady "
             "pace. Whichever well a run reaches first tends to keep it, and only one is the deepest.",
    )
