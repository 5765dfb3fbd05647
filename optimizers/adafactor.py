"""Adafactor (torch.optim.Adafactor): relative step sizes and a second moment with a growing memory."""
from __future__ import annotations

import numpy as np

from landscapes.schema import Param
from optimizers.base import FirstOrder, register
from optimizers.common import MAXIMIZE, WEIGHT_DECAY, lr_param, negate_if, recorded_rate
from optimizers.fast import is_set, lerp_, power

__all__ = ["Adafactor"]

_SQRT_NUMEL = 2 ** 0.5                    # torch's param.numel() ** 0.5 for one 2-D point
_FLOAT64_EPS = float(np.finfo(np.float64).eps)


def _rms_norm(values: np.ndarray) -> np.ndarray:
    """``(N, 1)`` Euclidean norm of each row of ``(N, 2)`` (torch's ``tensor.norm(2)`` per run)."""
    return np.sqrt(values[:, :1] * values[:, :1] + values[:, 1:] * values[:, 1:])


@register
class Adafactor(FirstOrder):
    r"""torch.optim.Adafactor (Shazeer & Stern 2018), as torch 2.13 implements it.

    With g_t = grad f(x_t), t = 1, 2, ...:

        beta2_t term:  1 - beta2_t = t^beta2_decay          (t^-0.8: the memory grows with t)
        v_t     = v_{t-1} + (1 - beta2_t) (g_t^2 - v_{t-1})  (v_1 = g_1^2)
        rho_t   = min(lr, 1 / sqrt(t))
        a_t     = max(eps2, RMS(x_t)) rho_t                  (a *relative* step: scale of x)
        u_t     = g_t / sqrt(max(v_t, eps1^2))
        x_{t+1} = (1 - lr weight_decay) x_t - a_t u_t / max(1, RMS(u_t) / d)

    RMS is the root mean square over the two coordinates. The step is
    relative to the size of x: far from the origin Adafactor steps far, and
    near it (RMS(x) < eps2) the step floor eps2 * rho_t takes over, so a
    minimum away from the origin is approached faster than one at it. The
    update is clipped so its RMS is at most ``d``.

    torch factors the second moment of a matrix into row and column averages
    (the memory saving Adafactor is known for); a point here is a vector of 2
    coordinates, which torch does not factor, and for a 1 x 2 matrix the
    factored estimate would equal the plain one anyway. There is no first
    moment (no momentum), as in torch. ``eps1=None`` (torch's default) is
    float64's machine epsilon. torch's ``eps=(eps1, eps2)`` is accepted.
    """

    name = "adafactor"
    label = "Adafactor"
    torch_name = "Adafactor"
    torch_tuples = {"eps": ("eps1", "eps2")}
    schema = (
        lr_param(1e-2, "relative step size: the step is at most lr times the RMS of x"),
        Param("beta2_decay", -0.8, "exponent of the second-moment decay: 1 - beta2_t = t^beta2_decay",
              high=0.0, slider_low=-1.0, slider_high=0.0),
        Param("eps1", None, "floor of the second moment (squared); None: float64's machine epsilon",
              low=0.0, scale="log", slider_low=1e-16, slider_high=1e-2),
        Param("eps2", 1e-3, "floor of RMS(x) in the step size, so a point at 0 still moves",
              low=0.0, scale="log", slider_low=1e-6, slider_high=1.0),
        Param("d", 1.0, "clipping threshold: the update's RMS is clipped to d", low=1.0,
              slider_low=1.0, slider_high=10.0),
        WEIGHT_DECAY,
        MAXIMIZE,
    )
    rule = (r"v_t = v_{t-1} + t^{c} (g_t^2 - v_{t-1}),\ "
            r"u_t = \frac{g_t}{\sqrt{v_t}},\ "
            r"x_{t+1} = x_t - \max(\epsilon_2, \mathrm{RMS}(x_t))\, \min(\alpha, t^{-1/2})\, "
            r"\frac{u_t}{\max(1, \mathrm{RMS}(u_t)/d)}")
    state_keys = ("variance", "effective_rate")

    def init(self, params):
        return {
            "step": 0,
            "variance": np.zeros_like(params),         # (N, 2) v
            "effective_rate": np.zeros_like(params),   # (N, 2) the multiplier of g in the last step
            "update": np.empty_like(params),           # scratch
        }

    def update(self, params, grad, state, lr):
        h = self.hyper
        grad = negate_if(grad, h["maximize"])
        eps1 = _FLOAT64_EPS if h["eps1"] is None else h["eps1"]
        state["step"] += 1
        step = float(state["step"])
        one_minus_beta2_t = power(step, h["beta2_decay"])
        rho_t = np.minimum(lr, 1 / (step ** 0.5)) if isinstance(lr, np.ndarray) else min(lr, 1 / (step ** 0.5))
        alpha = np.fmax(h["eps2"], _rms_norm(params) / _SQRT_NUMEL) * rho_t     # (N, 1); fmax: Python's max
        if is_set(h["weight_decay"]):
            params *= 1 - lr * h["weight_decay"]
        variance, update = state["variance"], state["update"]
        lerp_(variance, grad * grad, one_minus_beta2_t)
        np.maximum(variance, eps1 * eps1, out=update)     # clamp_(min=eps1^2) (NaN stays NaN, as in torch)
        np.sqrt(update, out=update)
        np.divide(1.0, update, out=update)                # rsqrt_
        rate = state["effective_rate"]
        np.copyto(rate, update)
        update *= grad
        denom = np.fmax(1.0, _rms_norm(update) / (_SQRT_NUMEL * h["d"]))
        step_scale = -alpha / denom                       # (N, 1)
        rate *= -step_scale
        update *= step_scale                              # add_(update, alpha=-alpha / denom)
        params += update

    def effective_lr(self, state, lr, step):
        """``a_t / max(1, RMS(u_t)/d) / sqrt(v_t)``: the multiplier of g_t in the step (recorded while stepping)."""
        return recorded_rate(state["effective_rate"])
