"""Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms"), beyond torch.optim.

Reference: ``lion_pytorch.Lion`` from ``lion-pytorch`` 0.2.5 (lucidrains), followed
operation by operation; tested against it in tests/test_optimizers_reference.py.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from landscapes.schema import Param
from optimizers.base import FirstOrder, register
from optimizers.common import WEIGHT_DECAY, lr_param

__all__ = ["Lion"]


def _lion_beta(index: int, default: float, help: str) -> Param:
    """Lion's betas may be 0 or 1 (the reference asserts ``0 <= beta <= 1``)."""
    return Param(f"beta{index + 1}", default, help, low=0.0, high=1.0, slider_low=0.0, slider_high=0.999)


@register
class Lion(FirstOrder):
    r"""Lion: the sign of an interpolated momentum (Chen et al. 2023), as lion-pytorch 0.2.5.

    With g_t = grad f(x_t) and m_0 = 0:

        x_t     <- x_t (1 - lr * weight_decay)                  (decoupled decay, every step)
        c_t     = beta1 m_{t-1} + (1 - beta1) g_t               (the interpolation, not stored)
        x_{t+1} = x_t - lr * sign(c_t)
        m_t     = beta2 m_{t-1} + (1 - beta2) g_t               (exp_avg)

    Every coordinate moves by exactly lr per step (0 where c_t is exactly 0), so
    Lion's step length does not depend on the gradient's scale: lr must be
    smaller than Adam's (the paper suggests 3-10x smaller; default 1e-4).
    Two betas: beta1 mixes the fresh gradient into the step, beta2 (closer to 1)
    is the momentum's memory.

    ``decoupled_weight_decay=True`` (the reference's option) divides the decay by
    the initial learning rate, so the shrink factor is 1 - (lr_t / lr_0) *
    weight_decay: it follows a schedule but not the value of lr. Here lr_0 is
    the optimizer's ``lr`` (per run when ``lr`` is a per-run array).

    Differences from the paper: none in the update; the reference has no
    ``maximize`` and no eps, so neither has this. Its validation is ``assert``
    (lr > 0, betas in [0, 1]); here the same ranges raise ValueError, and
    weight_decay must be >= 0.
    """

    name = "lion"
    label = "Lion"
    torch_name = None
    reference = "lion-pytorch 0.2.5: lion_pytorch.Lion"
    schema = (
        replace(lr_param(1e-4, "learning rate: every coordinate moves by exactly lr per step (times the schedule)"),
                low_open=True, slider_high=1.0),                       # the reference asserts lr > 0
        _lion_beta(0, 0.9, "interpolation: the step's sign is taken of beta1 m + (1 - beta1) g"),
        _lion_beta(1, 0.99, "decay rate of the momentum m"),
        WEIGHT_DECAY,
        Param("decoupled_weight_decay", False, "divide weight_decay by the initial lr, so the decay "
              "follows the schedule only", kind="bool", per_run=False),
    )
    rule = (r"c_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\ "
            r"x_{t+1} = x_t - \alpha\,(\operatorname{sign}(c_t) + \lambda x_t),\ "
            r"m_t = \beta_2 m_{t-1} + (1-\beta_2) g_t")
    state_keys = ("exp_avg",)

    def init(self, params):
        return {
            "step": 0,
            "exp_avg": np.zeros_like(params),   # (N, 2) m
            "scratch": np.empty_like(params),
        }

    def update(self, params, grad, state, lr):
        h = self.hyper
        beta1, beta2 = h["beta1"], h["beta2"]
        state["step"] += 1
        weight_decay = h["weight_decay"]
        if h["decoupled_weight_decay"]:
            weight_decay = weight_decay / h["lr"]          # the reference's wd /= init_lr
        params *= 1.0 - lr * weight_decay                  # p.data.mul_(1 - lr * wd), also when wd = 0
        exp_avg, update = state["exp_avg"], state["scratch"]
        np.multiply(exp_avg, beta1, out=update)            # exp_avg.clone().mul_(beta1)
        update += (1.0 - beta1) * grad                     # .add(grad, alpha=1 - beta1)
        np.sign(update, out=update)                        # .sgn_()
        update *= lr
        params -= update                                   # p.add_(update, alpha=-lr)
        exp_avg *= beta2                                   # exp_avg.mul_(beta2).add_(grad, alpha=1 - beta2)
        grad *= 1.0 - beta2
        exp_avg += grad
