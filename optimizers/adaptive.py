"""Per-coordinate adaptive rates: AdaGrad, RMSProp and AdaDelta (torch.optim.Adagrad, RMSprop, Adadelta).

Each update mirrors torch 2.13's ``_single_tensor_*`` function (the CPU path)
operation by operation. torch's CPU kernels fuse ``a + s * b`` (``add_`` with
``alpha``, ``addcmul_``, ``lerp_``) into one fused multiply-add where the CPU has
it; NumPy has no FMA, so paths agree with torch to a few ulps per step rather
than to the bit.
"""
from __future__ import annotations

import numpy as np

from landscapes.schema import Param
from optimizers.base import FirstOrder, register
from optimizers.common import MAXIMIZE, WEIGHT_DECAY, eps_param, lr_param, negate_if
from optimizers.fast import all_true, any_true, is_set, lerp_

__all__ = ["Adagrad", "RMSprop", "Adadelta"]


def _add_weight_decay(grad: np.ndarray, params: np.ndarray, weight_decay) -> np.ndarray:
    """torch's ``grad = grad.add(param, alpha=weight_decay)`` (L2 penalty), in place on ``grad``."""
    if is_set(weight_decay):
        grad += weight_decay * params
    return grad


def _shifted(recorded: np.ndarray) -> np.ndarray:
    """``recorded[t-1]`` at index t (the value before step t), along the time axis of ``(T, N, 2)``."""
    out = np.empty_like(recorded)
    out[1:] = recorded[:-1]
    out[:1] = recorded[:1]
    return out


@register
class Adagrad(FirstOrder):
    r"""torch.optim.Adagrad.

    With g_t = grad f(x_t) (+ weight_decay * x_t) and the accumulator starting
    at ``initial_accumulator_value``:

        sum_t   = sum_{t-1} + g_t^2
        clr_t   = lr / (1 + (t - 1) * lr_decay)
        x_{t+1} = x_t - clr_t * g_t / (sqrt(sum_t) + eps)

    Differences from the lecture's slide: the slide writes
    ``x -= lr * dx / (sqrt(grad_squared) + 1e-7)``; torch's eps defaults to
    1e-10 and, as on the slide, sits *outside* the square root (unlike
    AdaDelta, which adds it inside). ``lr_decay`` and a non-zero starting
    accumulator are torch extras; with both at 0 the first step moves every
    coordinate by about ``lr`` whatever the gradient's size.
    """

    name = "adagrad"
    starter_hyper = {"lr": 1.0}
    label = "AdaGrad"
    torch_name = "Adagrad"
    schema = (
        lr_param(1e-2),
        Param("lr_decay", 0.0, "learning-rate decay: step t uses lr / (1 + (t - 1) * lr_decay)",
              low=0.0, scale="log", slider_low=1e-4, slider_high=1.0),
        WEIGHT_DECAY,
        Param("initial_accumulator_value", 0.0, "starting value of the sum of squared gradients",
              low=0.0, scale="log", slider_low=1e-3, slider_high=10.0),
        eps_param(1e-10, "added to sqrt(sum) (outside the square root) for numerical stability"),
        MAXIMIZE,
    )
    rule = (r"G_t = G_{t-1} + g_t^2, \quad "
            r"x_{t+1} = x_t - \alpha\, \frac{g_t}{\sqrt{G_t} + \epsilon}")
    state_keys = ("sum",)

    def init(self, params):
        accumulator = np.empty_like(params)                   # (N, 2)
        accumulator[...] = self.hyper["initial_accumulator_value"]
        return {"step": 0, "sum": accumulator, "std": np.empty_like(params)}

    def update(self, params, grad, state, lr):
        h = self.hyper
        state["step"] += 1
        step = state["step"]
        grad = negate_if(grad, h["maximize"])
        grad = _add_weight_decay(grad, params, h["weight_decay"])
        clr = lr / (1 + (step - 1) * h["lr_decay"])
        state_sum, std = state["sum"], state["std"]
        np.multiply(grad, grad, out=std)
        state_sum += std
        np.sqrt(state_sum, out=std)
        std += h["eps"]
        grad *= -clr                      # torch's addcdiv_: param + (value * g) / std
        grad /= std
        params += grad

    def effective_lr(self, state, lr, step):
        h = self.hyper
        with np.errstate(all="ignore"):
            clr = lr / (1 + (step - 1) * h["lr_decay"])
            return clr / (np.sqrt(state["sum"]) + h["eps"])


@register
class RMSprop(FirstOrder):
    r"""torch.optim.RMSprop.

    With g_t = grad f(x_t) (+ weight_decay * x_t):

        v_t = alpha v_{t-1} + (1 - alpha) g_t^2                    (square_avg)
        centered: m_t = alpha m_{t-1} + (1 - alpha) g_t;  d_t = sqrt(v_t - m_t^2) + eps
        else:     d_t = sqrt(v_t) + eps
        momentum = 0:  x_{t+1} = x_t - lr * g_t / d_t
        momentum > 0:  b_t = momentum b_{t-1} + g_t / d_t;  x_{t+1} = x_t - lr * b_t

    Differences from the lecture's slide: the slide's decay_rate is torch's
    ``alpha`` (default 0.99), and its 1e-7 is ``eps`` (default 1e-8), added
    outside the square root as here. ``centered`` (divide by an estimate of the
    gradient's variance instead of its raw second moment) and ``momentum`` are
    torch extras. Per-run momentum arrays mixing 0 and > 0 behave like separate
    runs: rows with momentum 0 take the plain step and keep no buffer.
    """

    name = "rmsprop"
    starter_hyper = {"lr": 0.05}
    velocity_state, velocity_gate = "momentum_buffer", "momentum"
    rule_symbols = {**FirstOrder.rule_symbols, "lr": r"\eta", "alpha": r"\alpha"}
    label = "RMSProp"
    torch_name = "RMSprop"
    schema = (
        lr_param(1e-2),
        Param("alpha", 0.99, "decay rate of the running average of squared gradients",
              low=0.0, slider_low=0.0, slider_high=0.9999),
        eps_param(1e-8, "added to the root of the running average (outside the square root)"),
        WEIGHT_DECAY,
        Param("momentum", 0.0, "momentum factor applied to the scaled step",
              low=0.0, slider_low=0.0, slider_high=0.999),
        Param("centered", False, "divide by the gradient's estimated variance instead of its second moment",
              kind="bool", per_run=False),
        MAXIMIZE,
    )
    rule = (r"v_t = \alpha\, v_{t-1} + (1-\alpha)\, g_t^2, \quad "
            r"x_{t+1} = x_t - \eta\, \frac{g_t}{\sqrt{v_t} + \epsilon}")
    state_keys = ("square_avg", "grad_avg", "momentum_buffer")

    def init(self, params):
        return {
            "step": 0,
            "square_avg": np.zeros_like(params),        # (N, 2) v
            "grad_avg": np.zeros_like(params),          # (N, 2) m (centered)
            "momentum_buffer": np.zeros_like(params),   # (N, 2) b (momentum > 0)
            "avg": np.empty_like(params),               # scratch: the denominator
            "scratch": np.empty_like(params),
        }

    def update(self, params, grad, state, lr):
        h = self.hyper
        alpha, momentum = h["alpha"], h["momentum"]
        grad = negate_if(grad, h["maximize"])
        state["step"] += 1
        grad = _add_weight_decay(grad, params, h["weight_decay"])
        square_avg, avg, scratch = state["square_avg"], state["avg"], state["scratch"]
        square_avg *= alpha
        np.multiply(grad, 1 - alpha, out=scratch)   # addcmul_: v + ((1 - alpha) * g) * g
        scratch *= grad
        square_avg += scratch
        if h["centered"]:
            grad_avg = state["grad_avg"]
            lerp_(grad_avg, grad, 1 - alpha)
            np.multiply(grad_avg, grad_avg, out=avg)
            np.subtract(square_avg, avg, out=avg)
            np.sqrt(avg, out=avg)
        else:
            np.sqrt(square_avg, out=avg)
        avg += h["eps"]
        with_momentum = momentum > 0                 # bool or (N, 1)
        if all_true(with_momentum):
            self._momentum_step(params, grad, avg, state, momentum, lr)
        elif not any_true(with_momentum):
            grad *= -lr                              # addcdiv_: param + (-lr * g) / avg
            grad /= avg
            params += grad
        else:
            plain = (-lr * grad) / avg                # rows with momentum == 0, as a separate run
            buf = state["momentum_buffer"]
            kept = buf.copy()
            before = params.copy()
            self._momentum_step(params, grad, avg, state, momentum, lr)
            np.copyto(params, before + plain, where=~with_momentum)
            np.copyto(buf, kept, where=~with_momentum)

    @staticmethod
    def _momentum_step(params, grad, avg, state, momentum, lr):
        """``buf = momentum * buf + g / avg``; ``x += -lr * buf`` (torch's addcdiv_ then add_)."""
        buf, scratch = state["momentum_buffer"], state["scratch"]
        buf *= momentum
        np.divide(grad, avg, out=scratch)
        buf += scratch
        np.multiply(buf, -lr, out=scratch)
        params += scratch

    def effective_lr(self, state, lr, step):
        """``lr / (sqrt(v) + eps)`` (centered: ``sqrt(v - m^2)``); with momentum, the rate on the new gradient."""
        h = self.hyper
        second = state["square_avg"]
        if h["centered"]:
            second = second - state["grad_avg"] ** 2
        with np.errstate(all="ignore"):
            return lr / (np.sqrt(second) + h["eps"])


@register
class Adadelta(FirstOrder):
    r"""torch.optim.Adadelta (Zeiler 2012).

    With g_t = grad f(x_t) (+ weight_decay * x_t):

        v_t     = rho v_{t-1} + (1 - rho) g_t^2                       (square_avg)
        delta_t = sqrt(u_{t-1} + eps) / sqrt(v_t + eps) * g_t
        u_t     = rho u_{t-1} + (1 - rho) delta_t^2                   (acc_delta)
        x_{t+1} = x_t - lr * delta_t

    The rate per coordinate is RMS(past steps) / RMS(gradients): units match
    and no learning rate is needed, which is why torch's ``lr`` defaults to
    1.0 (a plain multiplier). Unlike AdaGrad and RMSProp, eps sits *inside*
    both square roots, and it sets the size of the first steps
    (about ``sqrt(eps) / |g|`` per unit gradient), so Adadelta starts slowly.
    Not on the lecture's slides.
    """

    name = "adadelta"
    starter_hyper = {"lr": 1.0}
    rule_symbols = {**FirstOrder.rule_symbols, "lr": r"\eta"}
    label = "AdaDelta"
    torch_name = "Adadelta"
    schema = (
        lr_param(1.0, "multiplier of the step (Adadelta needs none: 1.0 is the method as published)"),
        Param("rho", 0.9, "decay rate of the running averages of squared gradients and squared steps",
              low=0.0, high=1.0, slider_low=0.0, slider_high=0.9999),
        eps_param(1e-6, "added inside both square roots; sets the size of the first steps"),
        WEIGHT_DECAY,
        MAXIMIZE,
    )
    rule = (r"v_t = \rho v_{t-1} + (1-\rho) g_t^2,\ "
            r"\Delta_t = \frac{\sqrt{u_{t-1}+\epsilon}}{\sqrt{v_t+\epsilon}}\, g_t,\ "
            r"u_t = \rho u_{t-1} + (1-\rho) \Delta_t^2,\ x_{t+1} = x_t - \eta\, \Delta_t")
    state_keys = ("square_avg", "acc_delta")

    def init(self, params):
        return {
            "step": 0,
            "square_avg": np.zeros_like(params),   # (N, 2) v
            "acc_delta": np.zeros_like(params),    # (N, 2) u
            "std": np.empty_like(params),          # scratch
            "delta": np.empty_like(params),        # scratch
        }

    def update(self, params, grad, state, lr):
        h = self.hyper
        rho, eps = h["rho"], h["eps"]
        state["step"] += 1
        grad = negate_if(grad, h["maximize"])
        grad = _add_weight_decay(grad, params, h["weight_decay"])
        square_avg, acc_delta, std, delta = state["square_avg"], state["acc_delta"], state["std"], state["delta"]
        square_avg *= rho
        np.multiply(grad, 1 - rho, out=std)      # addcmul_: v + ((1 - rho) * g) * g
        std *= grad
        square_avg += std
        np.add(square_avg, eps, out=std)
        np.sqrt(std, out=std)
        np.add(acc_delta, eps, out=delta)
        np.sqrt(delta, out=delta)
        delta /= std
        delta *= grad
        acc_delta *= rho
        np.multiply(delta, 1 - rho, out=std)
        std *= delta
        acc_delta += std
        delta *= -lr                              # add_(delta, alpha=-lr)
        params += delta

    def effective_lr(self, state, lr, step):
        """``lr * sqrt(u_{t-1} + eps) / sqrt(v_t + eps)``: the step uses the squared-step average from before it."""
        h = self.hyper
        acc_delta = state["acc_delta"]
        before = _shifted(acc_delta) if acc_delta.ndim == 3 else acc_delta
        with np.errstate(all="ignore"):
            return lr * np.sqrt(before + h["eps"]) / np.sqrt(state["square_avg"] + h["eps"])
