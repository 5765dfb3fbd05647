"""Adam's relatives: Adamax, NAdam and RAdam (torch.optim.Adamax, NAdam, RAdam).

Each update mirrors torch 2.13's ``_single_tensor_*`` function (the CPU path)
operation by operation, with torch's names and defaults. ``betas=(b1, b2)`` is
accepted as in torch and stored as ``beta1`` / ``beta2``. Agreement with torch
is to a few ulps per step: torch's CPU kernels use fused multiply-adds, NumPy
does not.
"""
from __future__ import annotations

import numpy as np

from landscapes.schema import Param
from optimizers.base import FirstOrder, register
from optimizers.common import BETA1, BETA2, MAXIMIZE, WEIGHT_DECAY, beta_param, eps_param, lr_param, negate_if
from optimizers.fast import all_true, any_true, is_set, lerp_, power

__all__ = ["Adamax", "NAdam", "RAdam"]

DECOUPLED_WEIGHT_DECAY = Param("decoupled_weight_decay", False,
                               "decouple weight decay from the gradient (as AdamW): x *= 1 - lr * weight_decay",
                               kind="bool", per_run=False)


def _weight_decay(params: np.ndarray, grad: np.ndarray, hyper: dict, lr) -> np.ndarray:
    """L2 penalty into the gradient, or (decoupled) shrink ``params`` by ``1 - lr * weight_decay``."""
    weight_decay = hyper["weight_decay"]
    if is_set(weight_decay):
        if hyper.get("decoupled_weight_decay", False):
            params *= 1 - lr * weight_decay
        else:
            grad += weight_decay * params
    return grad


def _second_moment_(exp_avg_sq: np.ndarray, grad: np.ndarray, beta2, scratch: np.ndarray) -> None:
    """torch's ``exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)``."""
    exp_avg_sq *= beta2
    np.multiply(grad, 1 - beta2, out=scratch)
    scratch *= grad
    exp_avg_sq += scratch


@register
class Adamax(FirstOrder):
    r"""torch.optim.Adamax (Kingma & Ba 2015, section 7.1): Adam with the infinity norm.

    With g_t = grad f(x_t) (+ weight_decay * x_t):

        m_t     = beta1 m_{t-1} + (1 - beta1) g_t                  (exp_avg, torch: lerp)
        u_t     = max(beta2 u_{t-1}, |g_t| + eps)                   (exp_inf)
        x_{t+1} = x_t - lr / (1 - beta1^t) * m_t / u_t

    Differences from the paper: torch adds eps to |g_t| inside the max (the
    paper has no eps), so u_t >= eps and the division is always defined. u
    needs no bias correction: a max of decayed values is not biased towards 0.
    """

    name = "adamax"
    starter_hyper = {"lr": 0.3}
    velocity_state = "exp_avg"
    label = "Adamax"
    torch_name = "Adamax"
    schema = (
        lr_param(2e-3),
        BETA1,
        beta_param(1, 0.999, "decay rate of the infinity norm u"),
        eps_param(1e-8, "added to |g| inside the max, so the denominator is at least eps"),
        WEIGHT_DECAY,
        MAXIMIZE,
    )
    rule = (r"m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\ u_t = \max(\beta_2 u_{t-1}, |g_t| + \epsilon),\ "
            r"x_{t+1} = x_t - \frac{\alpha}{1-\beta_1^t}\, \frac{m_t}{u_t}")
    state_keys = ("exp_avg", "exp_inf")

    def init(self, params):
        return {
            "step": 0,
            "exp_avg": np.zeros_like(params),   # (N, 2) m
            "exp_inf": np.zeros_like(params),   # (N, 2) u
            "scratch": np.empty_like(params),
        }

    def update(self, params, grad, state, lr):
        h = self.hyper
        beta1 = h["beta1"]
        grad = negate_if(grad, h["maximize"])
        state["step"] += 1
        step = state["step"]
        grad = _weight_decay(params, grad, h, lr)
        exp_avg, exp_inf, scratch = state["exp_avg"], state["exp_inf"], state["scratch"]
        lerp_(exp_avg, grad, 1 - beta1)
        exp_inf *= h["beta2"]
        np.abs(grad, out=scratch)
        scratch += h["eps"]
        np.maximum(exp_inf, scratch, out=exp_inf)
        clr = lr / (1 - power(beta1, step))
        np.multiply(exp_avg, -clr, out=scratch)     # addcdiv_: param + (-clr * m) / u
        scratch /= exp_inf
        params += scratch

    def effective_lr(self, state, lr, step):
        """``lr / (1 - beta1^t) / u_t``: the rate applied to the momentum m_t."""
        with np.errstate(all="ignore"):
            return lr / (1 - self.hyper["beta1"] ** step) / state["exp_inf"]


@register
class NAdam(FirstOrder):
    r"""torch.optim.NAdam (Dozat 2016): Adam with Nesterov momentum and a momentum schedule.

    With g_t = grad f(x_t) (+ weight_decay * x_t, or decoupled: x_t *= 1 - lr * weight_decay):

        mu_t    = beta1 (1 - 0.5 * 0.96^(t * momentum_decay))        (momentum schedule)
        P_t     = prod_{i<=t} mu_i                                   (mu_product)
        m_t     = beta1 m_{t-1} + (1 - beta1) g_t
        v_t     = beta2 v_{t-1} + (1 - beta2) g_t^2
        d_t     = sqrt(v_t / (1 - beta2^t)) + eps
        x_{t+1} = x_t - lr (1 - mu_t) / (1 - P_t) * g_t / d_t
                      - lr mu_{t+1} / (1 - P_t mu_{t+1}) * m_t / d_t

    The Nesterov look-ahead mixes the fresh gradient with the momentum of the
    next step. Note ``m`` decays with ``beta1`` while the weights use the
    scheduled ``mu_t``, as in torch. torch keeps ``mu_product`` in its default
    scalar dtype (float32 unless the default dtype is float64); it is kept in
    float32 here too, so paths match torch's. It is a scalar, not a state key.
    """

    name = "nadam"
    starter_hyper = {"lr": 0.3}
    velocity_state = "exp_avg"
    label = "NAdam"
    torch_name = "NAdam"
    schema = (
        lr_param(2e-3),
        BETA1,
        BETA2,
        eps_param(1e-8, "added to sqrt(v_hat), after bias correction"),
        WEIGHT_DECAY,
        Param("momentum_decay", 4e-3, "speed of the momentum schedule mu_t = beta1 (1 - 0.5 * 0.96^(t psi))",
              low=0.0, scale="log", slider_low=1e-4, slider_high=1.0),
        DECOUPLED_WEIGHT_DECAY,
        MAXIMIZE,
    )
    rule = (r"x_{t+1} = x_t - \alpha \Big(\frac{1-\mu_t}{1-\prod_{i\le t}\mu_i}\, g_t"
            r" + \frac{\mu_{t+1}}{1-\prod_{i\le t+1}\mu_i}\, m_t\Big) \Big/ \big(\sqrt{\hat v_t} + \epsilon\big)")
    state_keys = ("exp_avg", "exp_avg_sq")

    def init(self, params):
        return {
            "step": 0,
            "mu_product": np.float32(1.0),          # scalar, or (N, 1) float32 with per-run beta1/momentum_decay
            "exp_avg": np.zeros_like(params),       # (N, 2) m
            "exp_avg_sq": np.zeros_like(params),    # (N, 2) v
            "denom": np.empty_like(params),         # scratch
            "scratch": np.empty_like(params),
        }

    def update(self, params, grad, state, lr):
        h = self.hyper
        beta1, beta2, momentum_decay = h["beta1"], h["beta2"], h["momentum_decay"]
        grad = negate_if(grad, h["maximize"])
        state["step"] += 1
        step = state["step"]
        bias_correction2 = 1 - power(beta2, step)
        grad = _weight_decay(params, grad, h, lr)
        mu = beta1 * (1.0 - 0.5 * power(0.96, step * momentum_decay))
        mu_next = beta1 * (1.0 - 0.5 * power(0.96, (step + 1) * momentum_decay))
        # torch: a float32 0-d tensor times a Python float, computed in float32
        if isinstance(mu, float):
            state["mu_product"] = state["mu_product"] * np.float32(mu)          # np.float32
            mu_product = float(state["mu_product"])
        else:
            state["mu_product"] = state["mu_product"] * mu.astype(np.float32)   # (N, 1) float32
            mu_product = state["mu_product"].astype(np.float64)
        exp_avg, exp_avg_sq, denom, scratch = state["exp_avg"], state["exp_avg_sq"], state["denom"], state["scratch"]
        lerp_(exp_avg, grad, 1 - beta1)
        _second_moment_(exp_avg_sq, grad, beta2, scratch)
        np.divide(exp_avg_sq, bias_correction2, out=denom)
        np.sqrt(denom, out=denom)
        mu_product_next = mu_product * mu_next
        denom += h["eps"]
        grad *= -lr * (1.0 - mu) / (1.0 - mu_product)        # addcdiv_: param + (value * g) / denom
        grad /= denom
        params += grad
        np.multiply(exp_avg, (-lr * mu_next) / (1.0 - mu_product_next), out=scratch)
        scratch /= denom
        params += scratch

    def effective_lr(self, state, lr, step):
        """``lr / (sqrt(v_t / (1 - beta2^t)) + eps)``: Adam's per-axis rate (before NAdam's momentum weights)."""
        h = self.hyper
        with np.errstate(all="ignore"):
            return lr / (np.sqrt(state["exp_avg_sq"] / (1 - h["beta2"] ** step)) + h["eps"])


@register
class RAdam(FirstOrder):
    r"""torch.optim.RAdam (Liu et al. 2020): Adam with a rectified (warmed-up) adaptive rate.

    With g_t = grad f(x_t) (+ weight_decay * x_t, or decoupled: x_t *= 1 - lr * weight_decay):

        m_t = beta1 m_{t-1} + (1 - beta1) g_t,  v_t = beta2 v_{t-1} + (1 - beta2) g_t^2
        rho_inf = 2 / (1 - beta2) - 1,  rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)
        rho_t > 5:  r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
                    x_{t+1} = x_t - lr * m_t / (1 - beta1^t) * sqrt(1 - beta2^t) / (sqrt(v_t) + eps) * r_t
        else:       x_{t+1} = x_t - lr * m_t / (1 - beta1^t)         (SGD with momentum)

    While the variance of the adaptive rate is too large to trust (the first
    few steps: t <= 5 with the default beta2) RAdam takes plain momentum steps
    instead of Adam's outsized first steps. As in torch, eps is added to
    sqrt(v_t) *before* the bias correction sqrt(1 - beta2^t) multiplies in
    (Adam adds it after). Per-run beta2 arrays choose the branch per row.
    """

    name = "radam"
    starter_hyper = {"lr": 0.3}
    velocity_state = "exp_avg"
    label = "RAdam"
    torch_name = "RAdam"
    schema = (
        lr_param(1e-3),
        BETA1,
        BETA2,
        eps_param(1e-8, "added to sqrt(v), before the bias correction"),
        WEIGHT_DECAY,
        DECOUPLED_WEIGHT_DECAY,
        MAXIMIZE,
    )
    rule = (r"x_{t+1} = x_t - \alpha\, r_t\, \frac{\hat m_t\, \sqrt{1-\beta_2^t}}{\sqrt{v_t} + \epsilon}"
            r"\ \text{if } \rho_t > 5,\ \text{else } x_t - \alpha\, \hat m_t")
    state_keys = ("exp_avg", "exp_avg_sq")

    def init(self, params):
        return {
            "step": 0,
            "exp_avg": np.zeros_like(params),      # (N, 2) m
            "exp_avg_sq": np.zeros_like(params),   # (N, 2) v
            "update": np.empty_like(params),       # scratch
            "scratch": np.empty_like(params),
        }

    @staticmethod
    def _rectification(beta2, step):
        """``rho_t`` and the rectification ``r_t`` (NaN where rho_t <= 4; unused there)."""
        bias_correction2 = 1 - power(beta2, step)
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * power(beta2, step) / bias_correction2
        # NumPy floats, so rho_inf == 4 (beta2 = 0.6) gives inf/NaN instead of ZeroDivisionError
        rho_inf, rho = np.float64(rho_inf) if isinstance(rho_inf, float) else rho_inf, rho_t
        with np.errstate(all="ignore"):
            rect = power((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho), 0.5)
        return rho_t, rect

    def update(self, params, grad, state, lr):
        h = self.hyper
        beta1, beta2 = h["beta1"], h["beta2"]
        grad = negate_if(grad, h["maximize"])
        state["step"] += 1
        step = state["step"]
        grad = _weight_decay(params, grad, h, lr)
        exp_avg, exp_avg_sq, update, scratch = state["exp_avg"], state["exp_avg_sq"], state["update"], state["scratch"]
        lerp_(exp_avg, grad, 1 - beta1)
        _second_moment_(exp_avg_sq, grad, beta2, scratch)
        bias_correction1 = 1 - power(beta1, step)
        bias_correction2 = 1 - power(beta2, step)
        rho_t, rect = self._rectification(beta2, step)
        rectified = rho_t > 5.0                        # bool or (N, 1)
        np.divide(exp_avg, bias_correction1, out=update)   # bias_corrected_exp_avg
        update *= lr
        if any_true(rectified):
            np.sqrt(exp_avg_sq, out=scratch)
            scratch += h["eps"]
            np.divide(power(bias_correction2, 0.5), scratch, out=scratch)   # the adaptive lr
            if all_true(rectified):
                update *= scratch
                update *= rect
            else:
                np.copyto(update, update * scratch * rect, where=rectified)
        params -= update                               # add_(update, alpha=-1.0)

    def effective_lr(self, state, lr, step):
        """Rectified: ``lr r_t sqrt(1 - beta2^t) / ((1 - beta1^t)(sqrt(v_t) + eps))``; else ``lr / (1 - beta1^t)``."""
        h = self.hyper
        with np.errstate(all="ignore"):
            rho_t, rect = self._rectification(h["beta2"], step)
            plain = lr / (1 - h["beta1"] ** step)
            adaptive = plain * rect * (1 - h["beta2"] ** step) ** 0.5 / (np.sqrt(state["exp_avg_sq"]) + h["eps"])
            return np.where(rho_t > 5.0, adaptive, plain)
