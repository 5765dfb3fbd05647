"""Averaged SGD (torch.optim.ASGD): SGD with a decaying step and a Polyak average of the iterates."""
from __future__ import annotations

import numpy as np

from landscapes.schema import Param
from optimizers.base import FirstOrder, register
from optimizers.common import MAXIMIZE, WEIGHT_DECAY, lr_param, negate_if
from optimizers.fast import all_true, any_true, is_set, power

__all__ = ["ASGD"]


def _float32(value):
    """Round to float32 and back: torch keeps ASGD's eta and mu in float32 tensors (its default scalar dtype)."""
    if isinstance(value, np.ndarray):
        return value.astype(np.float32).astype(np.float64)
    return float(np.float32(value))


@register
class ASGD(FirstOrder):
    r"""torch.optim.ASGD (Polyak & Juditsky 1992): averaged stochastic gradient descent.

    With g_t = grad f(x_t) (+ weight_decay * x_t), eta_1 = lr and mu_1 = 1:

        x_{t+1} = (1 - lambd eta_t) x_t - eta_t g_t
        ax_t    = ax_{t-1} + mu_t (x_{t+1} - ax_{t-1})     (ax_t = x_{t+1} while mu_t = 1)
        eta_{t+1} = lr / (1 + lambd lr t)^alpha
        mu_{t+1}  = 1 / max(1, t - t0)

    ``ax`` is the running mean of the iterates from step t0 on: the lecture's
    Polyak averaging, kept by the optimizer itself. With torch's default
    ``t0 = 1e6`` averaging never starts in a run of a few thousand steps, so
    ``ax`` simply follows x; set ``t0`` to, say, 50 to see the averaged point
    settle while x keeps bouncing under gradient noise. The averaged point is
    never used for stepping: it is the answer you would report.

    torch details kept: eta and mu live in float32 tensors (torch's default
    scalar dtype), so each new eta and mu is rounded to float32; the decay
    ``1 - lambd eta_t`` also shrinks x towards 0 (an L2 pull of strength lambd).
    A schedule's rate enters eta one step late, as in torch (eta_{t+1} is computed
    from the rate of step t).
    """

    name = "asgd"
    label = "ASGD"
    torch_name = "ASGD"
    schema = (
        lr_param(1e-2),
        Param("lambd", 1e-4, "decay term: the step size decays as lr / (1 + lambd lr t)^alpha, and x shrinks "
              "by (1 - lambd eta) each step", low=0.0, scale="log", slider_low=1e-6, slider_high=1.0),
        Param("alpha", 0.75, "power of the step-size decay eta_t = lr / (1 + lambd lr t)^alpha",
              low=0.0, slider_low=0.0, slider_high=2.0),
        Param("t0", 1e6, "step at which averaging starts (before it, the average ax follows x)",
              low=0.0, scale="log", slider_low=1.0, slider_high=1e6),
        WEIGHT_DECAY,
        MAXIMIZE,
    )
    rule = (r"x_{t+1} = (1 - \lambda \eta_t)\, x_t - \eta_t\, g_t,\quad "
            r"\bar x_t = \bar x_{t-1} + \mu_t (x_{t+1} - \bar x_{t-1}),\quad "
            r"\eta_t = \frac{\alpha_0}{(1 + \lambda \alpha_0 t)^{a}},\ \mu_t = \frac{1}{\max(1,\, t - t_0)}")
    state_keys = ("ax", "eta", "mu")
    averaged_state = "ax"
    state_series = {"eta": "step size \u03b7\u209c = lr / (1 + \u03bb lr t)^\u03b1",
                    "mu": "averaging weight \u03bc\u209c = 1 / max(1, t \u2212 t0)"}

    def init(self, params):
        eta = np.empty_like(params)
        eta[...] = _float32(self.hyper["lr"])
        return {
            "step": 0,
            "ax": np.zeros_like(params),      # (N, 2) averaged iterate
            "eta": eta,                       # (N, 2) the step size of the next step (both columns equal)
            "mu": np.ones_like(params),       # (N, 2) the averaging weight of the next step
            "eta_value": None,                # float or (N, 1): eta as torch holds it
            "mu_value": 1.0,                  # float or (N, 1)
        }

    def update(self, params, grad, state, lr):
        h = self.hyper
        lambd, alpha = h["lambd"], h["alpha"]
        grad = negate_if(grad, h["maximize"])
        state["step"] += 1
        step = float(state["step"])
        if state["eta_value"] is None:        # torch creates eta from the group's lr at the first step
            state["eta_value"] = _float32(lr)
        eta = state["eta_value"]
        if is_set(h["weight_decay"]):
            grad += h["weight_decay"] * params
        params *= 1 - lambd * eta
        grad *= -eta                          # add_(grad, alpha=-eta)
        params += grad
        ax, mu = state["ax"], state["mu_value"]
        averaging = mu != 1                   # torch: mu.item() != 1, else ax.copy_(param)
        if all_true(averaging):
            ax += (params - ax) * mu
        elif not any_true(averaging):
            np.copyto(ax, params)
        else:
            np.copyto(ax, np.where(averaging, ax + (params - ax) * mu, params))
        state["eta_value"] = _float32(lr / power(1 + lambd * lr * step, alpha))
        state["mu_value"] = _float32(1 / np.maximum(1.0, step - h["t0"])) if isinstance(h["t0"], np.ndarray) \
            else _float32(1 / max(1.0, step - h["t0"]))
        state["eta"][...] = state["eta_value"]
        state["mu"][...] = state["mu_value"]

    def effective_lr(self, state, lr, step):
        """eta: the step size each step used (torch's state holds the *next* one, so shift by a step)."""
        eta = state["eta"]
        if eta.ndim != 3:
            return eta
        out = np.empty_like(eta)
        out[1:] = eta[:-1]
        out[:1] = np.nan
        if out.shape[0] > 1:
            out[1] = _float32(np.nan_to_num(lr[1], nan=0.0)) * np.ones_like(out[1])   # eta_1 = the first step's rate
        return out
