"""Newton's method with a safe inverse Hessian, and saddle-free Newton (beyond torch)."""
from __future__ import annotations

import numpy as np

from landscapes.schema import Param
from optimizers.base import Optimizer, register
from optimizers.common import lr_param

__all__ = ["Newton", "newton_direction", "symmetric_eigen_2x2"]


def symmetric_eigen_2x2(hessian: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues and unit eigenvectors of symmetric 2x2 matrices, in closed form.

    For H = [[a, b], [b, c]]: lambda = m -+ r with m = (a + c)/2 and
    r = hypot((a - c)/2, b); the eigenvector of m + r is (cos theta, sin theta)
    with theta = atan2(2b, a - c)/2, and the other is perpendicular to it.

    ``hessian`` ``(N, 2, 2)`` -> eigenvalues ``(N, 2)`` (ascending) and
    eigenvectors ``(N, 2, 2)`` (columns, as ``np.linalg.eigh``). NaN in, NaN out:
    never raises.
    """
    a, b, c = hessian[..., 0, 0], hessian[..., 0, 1], hessian[..., 1, 1]
    mean = 0.5 * (a + c)
    radius = np.hypot(0.5 * (a - c), b)
    theta = 0.5 * np.arctan2(2.0 * b, a - c)
    cos, sin = np.cos(theta), np.sin(theta)
    values = np.stack([mean - radius, mean + radius], axis=-1)          # (N, 2)
    vectors = np.empty(hessian.shape)                                   # (N, 2, 2)
    vectors[..., 0, 0], vectors[..., 1, 0] = -sin, cos                  # for mean - radius
    vectors[..., 0, 1], vectors[..., 1, 1] = cos, sin                   # for mean + radius
    return values, vectors


def newton_direction(hessian: np.ndarray, grad: np.ndarray, damping, saddle_free: bool) -> np.ndarray:
    """``p = H_mod^{-1} g`` for ``(N, 2, 2)`` Hessians and ``(N, 2)`` gradients.

    With H = V diag(lambda) V^T, H_mod = V diag(mu) V^T where

    * plain:        mu = lambda, but |lambda| < damping becomes +-damping (sign kept, 0 -> +damping);
    * saddle-free:  mu = max(|lambda|, damping)   (Dauphin et al. 2014).

    So p = sum_i (v_i . g / mu_i) v_i never divides by (nearly) zero.
    """
    values, vectors = symmetric_eigen_2x2(hessian)                       # (N, 2), (N, 2, 2)
    damping = np.asarray(damping, dtype=np.float64)                      # scalar or (N, 1)
    if saddle_free:
        floored = np.maximum(np.abs(values), damping)
    else:
        floored = np.where(np.abs(values) < damping, np.where(values < 0, -damping, damping), values)
    along = np.einsum("nij,ni->nj", vectors, grad)                       # (N, 2) v_i . g
    return np.einsum("nij,nj->ni", vectors, along / floored)             # (N, 2)


@register
class Newton(Optimizer):
    r"""Newton's method with the exact Hessian, made safe (beyond torch.optim).

        p = H_mod^{-1} grad f(x),     x <- x - lr * min(1, max_step / (lr |p|)) * p

    H_mod has the eigenvectors of the exact Hessian H and eigenvalues mu_i
    (see :func:`newton_direction`): ``damping`` floors |lambda| so a singular
    Hessian never gives an infinite step, and ``max_step`` (a trust-region
    radius) caps the length of the move.

    On a quadratic with positive curvature, one step with lr = 1 lands exactly
    on the minimum, whatever the conditioning: this is what the lecture's
    "second-order optimization" slide promises.

    At a saddle (the lecture's "Newton's trouble"): plain Newton keeps the signs
    of the eigenvalues, so along a direction of negative curvature it steps
    *uphill*, towards the critical point. On f = x^2 - y^2 one step from any
    point lands exactly on the saddle (0, 0), where the gradient vanishes and
    Newton stays forever. With ``saddle_free=True`` the step uses |lambda|: it
    still descends along positive curvature, but along negative curvature it
    moves *away* from the saddle (on x^2 - y^2, (x, y) -> (0, 2y)).

    Each step costs one gradient (counted in ``evals``) and one exact Hessian.
    Gradient noise applies to the gradient only; the Hessian is exact.
    """

    name = "newton"
    step_cost = 4                 # a Hessian and a 2x2 solve per row: about 4 first-order run-steps
    label = "Newton"
    torch_name = None
    schema = (
        lr_param(1.0, "learning rate: the fraction of the Newton step taken (1 = full step)"),
        Param("damping", 1e-4, "eigenvalue floor: curvatures with |lambda| below it count as +-damping",
              low=0.0, low_open=True, scale="log", slider_low=1e-6, slider_high=10.0),
        Param("saddle_free", False, "use |lambda| (saddle-free Newton, Dauphin et al. 2014): "
              "negative curvature repels instead of attracting", kind="bool", per_run=False),
        Param("max_step", 20.0, "trust-region radius: the longest move one step may make",
              low=0.0, low_open=True, scale="log", slider_low=1e-2, slider_high=100.0),
    )
    rule = (r"x_{t+1} = x_t - \alpha\, \big[\nabla^2 f(x_t)\big]^{-1} \nabla f(x_t)"
            r"\quad(\text{eigenvalues floored at } \pm\delta,\ \text{step} \le \Delta)")
    state_keys = ("direction",)

    def init(self, params):
        return {"step": 0, "direction": np.zeros_like(params)}   # (N, 2) last move x_t - x_{t+1}

    def step(self, params, state, objective, lr, active) -> None:
        h = self.hyper
        grad = objective.grad(params)                                     # (N, 2)
        hessian = objective.hessian(params)                               # (N, 2, 2)
        move = lr * newton_direction(hessian, grad, h["damping"], h["saddle_free"])   # (N, 2)
        length = np.hypot(move[:, 0], move[:, 1])[:, None]                # (N, 1)
        with np.errstate(all="ignore"):
            shrink = np.where(length > h["max_step"], h["max_step"] / length, 1.0)
        move *= shrink
        state["step"] += 1
        state["direction"][...] = move
        params -= move
