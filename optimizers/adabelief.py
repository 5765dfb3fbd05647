"""AdaBelief (Zhuang et al. 2020, "Adapting Stepsizes by the Belief in Observed Gradients"), beyond torch.optim.

Reference: ``adabelief_pytorch.AdaBelief`` from ``adabelief-pytorch`` 0.2.1 (the
authors'), followed operation by operation; tested against it in
tests/test_optimizers_reference.py.
"""
from __future__ import annotations

import math

import numpy as np

from landscapes.schema import Param
from optimizers.base import FirstOrder, register
from optimizers.common import BETA1, WEIGHT_DECAY, beta_param, eps_param, lr_param
from optimizers.fast import any_true, all_true, is_set, power

__all__ = ["AdaBelief"]


def _switch(name: str, default: bool, help: str) -> Param:
    return Param(name, default, help, kind="bool", per_run=False)


def rectification(beta1, beta2, step: int, degenerated_to_sgd: bool):
    """The reference's RAdam-style rectification at ``step``: ``(rectified, step_size)``.

    rho_inf = 2/(1 - beta2) - 1,  rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t);
    rho_t >= 5: step_size = sqrt((1 - beta2^t)(rho_t - 4)/(rho_inf - 4)(rho_t - 2)/rho_t
    rho_inf/(rho_inf - 2)) / (1 - beta1^t); else 1/(1 - beta1^t) (SGD with momentum)
    when ``degenerated_to_sgd``, or -1 (no step). Python floats for scalars, the
    same arithmetic elementwise for per-run ``(N, 1)`` columns.
    """
    beta2_t = power(beta2, step)
    n_sma_max = 2 / (1 - beta2) - 1
    n_sma = n_sma_max - 2 * step * beta2_t / (1 - beta2_t)
    correction1 = 1 - power(beta1, step)
    fallback = 1.0 / correction1 if degenerated_to_sgd else -1.0
    if not isinstance(n_sma, np.ndarray):
        if not n_sma >= 5:
            return False, fallback
        return True, _sqrt((1 - beta2_t) * (n_sma - 4) / (n_sma_max - 4) * (n_sma - 2) / n_sma * n_sma_max
                           / (n_sma_max - 2)) / correction1
    rectified = n_sma >= 5
    with np.errstate(all="ignore"):
        inner = (1 - beta2_t) * (n_sma - 4) / (n_sma_max - 4) * (n_sma - 2) / n_sma * n_sma_max / (n_sma_max - 2)
        size = np.sqrt(np.where(rectified, inner, 1.0)) / correction1
    return rectified, np.where(rectified, size, fallback)


def _sqrt(value):
    """``math.sqrt`` (the reference's) for a float, ``np.sqrt`` (also correctly rounded) for a column."""
    return np.sqrt(value) if isinstance(value, np.ndarray) else math.sqrt(value)


@register
class AdaBelief(FirstOrder):
    r"""AdaBelief (Zhuang et al. 2020), as ``adabelief_pytorch.AdaBelief`` 0.2.1 (its defaults: decoupled
    weight decay, rectification).

    Adam whose second moment is the *belief*: the variance of the gradient
    around its prediction m, instead of the raw squared gradient. With
    g_t = grad f(x_t):

        x_t  <- x_t (1 - lr * weight_decay)     (weight_decouple; fixed_decay: x_t (1 - weight_decay);
                                                 neither: g_t += weight_decay * x_t)
        m_t  = beta1 m_{t-1} + (1 - beta1) g_t                   (exp_avg)
        s_t  = beta2 s_{t-1} + (1 - beta2) (g_t - m_t)^2 + eps   (exp_avg_var)
        x_{t+1} = x_t - lr / (1 - beta1^t) * m_t / (sqrt(s_t / (1 - beta2^t)) + eps)   (rectify=False)

    When the gradient agrees with its prediction, s is small and the step is
    large; when gradients jump around, s is large and the step small.

    With ``rectify`` (RAdam's warm-up, the reference's default): while
    rho_t < 5 (see :func:`rectification`) the step is SGD with momentum,
    x -= lr * m_t / (1 - beta1^t) (``degenerated_to_sgd``; otherwise no step);
    afterwards x -= lr * step_size * m_t / (sqrt(s_t) + eps), where step_size
    holds both bias corrections and the rectification.

    Follows the reference where it differs from the paper:

    * eps is added to s *in place* every step (so it accumulates in s, decayed
      by beta2) and once more outside the square root;
    * with ``amsgrad``, the running maximum of s is used only by the
      unrectified update: the rectified update (rho_t >= 5) divides by
      sqrt(s_t) itself, as in the reference;
    * weight decay is decoupled by default (``weight_decouple=True``), unlike
      the paper's L2 term.

    The reference's ``print_change_log`` (console output only) has no counterpart.
    """

    name = "adabelief"
    label = "AdaBelief"
    torch_name = None
    reference = "adabelief-pytorch 0.2.1: adabelief_pytorch.AdaBelief"
    schema = (
        lr_param(1e-3),
        BETA1,
        beta_param(1, 0.999, "decay rate of the belief s, the running variance of g around m"),
        eps_param(1e-16, "added to s every step and to sqrt(s) (the reference's default 1e-16)"),
        WEIGHT_DECAY,
        _switch("amsgrad", False, "AMSGrad: divide by the running maximum of s (unrectified steps only)"),
        _switch("weight_decouple", True, "decoupled weight decay (AdamW): x *= 1 - lr * weight_decay"),
        _switch("fixed_decay", False, "with weight_decouple: x *= 1 - weight_decay, independent of lr"),
        _switch("rectify", True, "RAdam's rectification: SGD-like steps until the variance of s is tractable"),
        _switch("degenerated_to_sgd", True, "with rectify: take SGD-with-momentum steps while rho_t < 5 "
                "(off: no step)"),
    )
    rule = (r"m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\ "
            r"s_t = \beta_2 s_{t-1} + (1-\beta_2)(g_t - m_t)^2 + \epsilon,\ "
            r"x_{t+1} = x_t - \alpha\, \frac{\hat m_t}{\sqrt{\hat s_t} + \epsilon}")
    state_keys = ("exp_avg", "exp_avg_var", "max_exp_avg_var")

    def init(self, params):
        return {
            "step": 0,
            "exp_avg": np.zeros_like(params),           # (N, 2) m
            "exp_avg_var": np.zeros_like(params),       # (N, 2) s (eps added in place each step)
            "max_exp_avg_var": np.zeros_like(params),   # (N, 2) running max of s (amsgrad)
            "denom": np.empty_like(params),             # scratch
        }

    def update(self, params, grad, state, lr):
        h = self.hyper
        beta1, beta2, eps = h["beta1"], h["beta2"], h["eps"]
        if h["weight_decouple"]:
            if not h["fixed_decay"]:
                params *= 1.0 - lr * h["weight_decay"]   # p.data.mul_(1 - lr * wd), also when wd = 0
            else:
                params *= 1.0 - h["weight_decay"]
        elif is_set(h["weight_decay"]):
            grad += h["weight_decay"] * params
        exp_avg, exp_avg_var, denom = state["exp_avg"], state["exp_avg_var"], state["denom"]
        state["step"] += 1
        step = state["step"]
        bias_correction1 = 1 - power(beta1, step)
        bias_correction2 = 1 - power(beta2, step)
        exp_avg *= beta1                                 # exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
        exp_avg += (1 - beta1) * grad
        grad -= exp_avg                                  # grad_residual = grad - exp_avg
        exp_avg_var *= beta2                             # .mul_(beta2).addcmul_(r, r, value=1 - beta2)
        np.multiply(grad, 1 - beta2, out=denom)
        denom *= grad
        exp_avg_var += denom
        exp_avg_var += eps                               # exp_avg_var.add_(eps), in place
        second = exp_avg_var
        if h["amsgrad"]:
            np.maximum(state["max_exp_avg_var"], exp_avg_var, out=state["max_exp_avg_var"])
            second = state["max_exp_avg_var"]
        if not h["rectify"]:
            np.sqrt(second, out=denom)
            denom /= _sqrt(bias_correction2)            # / math.sqrt(bias_correction2)
            denom += eps
            np.multiply(exp_avg, -(lr / bias_correction1), out=grad)   # addcdiv_: p + (value * m) / denom
            grad /= denom
            params += grad
            return
        rectified, step_size = rectification(beta1, beta2, step, h["degenerated_to_sgd"])
        if any_true(rectified):
            np.sqrt(exp_avg_var, out=denom)              # exp_avg_var.sqrt().add_(eps)
            denom += eps
            np.multiply(exp_avg, -step_size * lr, out=grad)
            grad /= denom
            if all_true(rectified):
                params += grad
                return
            np.copyto(params, params + grad, where=rectified)
        moving = np.logical_and(np.logical_not(rectified), step_size > 0)   # the SGD-with-momentum phase
        if any_true(moving):
            np.multiply(exp_avg, -step_size * lr, out=grad)   # p.add_(exp_avg, alpha=-step_size * lr)
            np.copyto(params, params + grad, where=moving)

    def effective_lr(self, state, lr, step):
        """The per-axis rate applied to m_t: lr / (1 - beta1^t) / (sqrt(s_hat) + eps) unrectified;
        rectified: lr * step_size / (sqrt(s) + eps), or lr * step_size (SGD phase), 0 without a step."""
        h = self.hyper
        beta1, beta2, eps = h["beta1"], h["beta2"], h["eps"]
        with np.errstate(all="ignore"):
            correction1 = 1 - beta1 ** step
            if not h["rectify"]:
                second = state["max_exp_avg_var"] if h["amsgrad"] else state["exp_avg_var"]
                return lr / correction1 / (np.sqrt(second / (1 - beta2 ** step)) + eps)
            beta2_t = beta2 ** step
            n_sma_max = 2 / (1 - beta2) - 1
            n_sma = n_sma_max - 2 * step * beta2_t / (1 - beta2_t)
            size = np.sqrt(np.maximum((1 - beta2_t) * (n_sma - 4) / (n_sma_max - 4) * (n_sma - 2) / n_sma
                                      * n_sma_max / (n_sma_max - 2), 0.0)) / correction1
            adaptive = lr * size / (np.sqrt(state["exp_avg_var"]) + eps)
            sgd = lr / correction1 * (1.0 if h["degenerated_to_sgd"] else 0.0)     # broadcast by np.where
            return np.where(n_sma >= 5, adaptive, sgd)
