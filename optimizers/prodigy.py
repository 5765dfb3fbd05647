"""Prodigy (Mishchenko & Defazio 2024, "Prodigy: An Expeditiously Adaptive Parameter-Free Learner"), beyond torch.optim.

Reference: ``prodigyopt.Prodigy`` from ``prodigyopt`` 1.1.2 (the authors'),
followed operation by operation; tested against it in
tests/test_optimizers_reference.py.
"""
from __future__ import annotations

import math

import numpy as np

from landscapes.schema import Param
from optimizers.base import FirstOrder, register
from optimizers.common import BETA1, BETA2, WEIGHT_DECAY, lr_param
from optimizers.fast import all_true, is_set, power

__all__ = ["Prodigy"]


@register
class Prodigy(FirstOrder):
    r"""Prodigy: Adam whose step size d is estimated on the fly, as ``prodigyopt.Prodigy`` 1.1.2.

    d estimates D = |x_0 - x*|, the distance to the solution, and grows from
    d0 as evidence accumulates; lr (default 1) only rescales it. With
    g_k = grad f(x_k), dlr_k = d_k * lr * bc_k (bc_k = sqrt(1 - beta2^{k+1}) /
    (1 - beta1^{k+1}) with ``use_bias_correction``, else 1) and beta3 =
    sqrt(beta2) unless given:

        m_{k+1} = beta1 m_k + d_k (1 - beta1) g_k                     (exp_avg)
        v_{k+1} = beta2 v_k + d_k^2 (1 - beta2) g_k^2                 (exp_avg_sq)
        r_{k+1} = beta3 r_k + (d_k / d0) dlr_k <g_k, x_0 - x_k>        (the numerator)
        s_{k+1} = beta3 s_k + (d_k / d0) dlr_k g_k                    (safeguard_warmup: d_k in place of dlr_k)
        d_hat   = d_coef * r_{k+1} / |s_{k+1}|_1
        d_{k+1} = min(max(d_max, d_hat), d_k * growth_rate)           (d_max: the largest d_hat so far)
        x_{k+1} = x_k - dlr_k * m_{k+1} / (sqrt(v_{k+1}) + d_{k+1} eps)

    (With beta1 = 0 there is no m: x_{k+1} = x_k - dlr_k d_{k+1} g_k / (...).)
    d never decreases; ``growth_rate`` (default unlimited) caps how fast it grows.
    Weight decay: ``decouple`` (default) shrinks x by dlr_k * weight_decay,
    otherwise it is added to the gradient.

    Each run is one model with one 2-vector parameter, so each run has its own
    d (the reference's d is shared by all parameters of a model). The recorded
    state ``d`` is d_{k+1} after each step, the same number in both columns.

    Follows the reference where it differs from the paper: the numerator and
    s are scaled by d_k / d0 (to keep them away from underflow); the first
    update takes d = max(d0, d_hat) only while d still equals d0; a run whose
    gradient has been exactly 0 at every step so far (|s|_1 = 0) takes no step
    at all, as the reference returns early. Not exposed: ``fsdp_in_use``
    (distributed training) and ``slice_p`` (estimating d from every p-th
    coordinate, a memory saving that would drop y here). ``beta3`` and
    ``growth_rate`` default to None, the reference's ``None`` and ``inf``
    (both also accepted as given).
    """

    name = "prodigy"
    label = "Prodigy"
    torch_name = None
    reference = "prodigyopt 1.1.2: prodigyopt.Prodigy"
    schema = (
        Param("lr", 1.0, "multiplies the estimated step size d (leave at 1 unless unstable)", low=0.0,
              low_open=True, scale="log", slider_low=1e-2, slider_high=10.0),
        BETA1,
        BETA2,
        Param("beta3", None, "decay of the estimate's running sums (None: sqrt(beta2))", low=0.0, high=1.0,
              slider_low=0.0, slider_high=0.9999),
        Param("eps", 1e-8, "added to sqrt(v), scaled by d", low=0.0, low_open=True, scale="log",
              slider_low=1e-10, slider_high=1.0),
        WEIGHT_DECAY,
        Param("decouple", True, "AdamW-style decoupled weight decay: x *= 1 - dlr * weight_decay",
              kind="bool", per_run=False),
        Param("use_bias_correction", False, "Adam's bias correction sqrt(1 - beta2^k) / (1 - beta1^k) in dlr",
              kind="bool", per_run=False),
        Param("safeguard_warmup", False, "leave lr out of the estimate's denominator (for warm-up schedules)",
              kind="bool", per_run=False),
        Param("d0", 1e-6, "initial estimate of the distance to the solution", low=0.0, low_open=True,
              scale="log", slider_low=1e-8, slider_high=1.0),
        Param("d_coef", 1.0, "multiplies the estimate d_hat (0.5 or 2 also work; the preferred knob)",
              low=0.0, low_open=True, scale="log", slider_low=0.1, slider_high=10.0),
        Param("growth_rate", None, "cap on d's growth per step, e.g. 1.02 (None: unlimited, the reference's inf)",
              low=1.0, scale="log", slider_low=1.001, slider_high=2.0),
    )
    rule = (r"m_{k+1} = \beta_1 m_k + d_k (1-\beta_1) g_k,\ v_{k+1} = \beta_2 v_k + d_k^2 (1-\beta_2) g_k^2,\ "
            r"d_{k+1} = \max\!\Big(d_k, \frac{\sum_i \beta_3^{k-i} d_i^2 \langle g_i, x_0 - x_i\rangle}"
            r"{\|\sum_i \beta_3^{k-i} d_i^2 g_i\|_1}\Big),\ "
            r"x_{k+1} = x_k - \alpha d_k \frac{m_{k+1}}{\sqrt{v_{k+1}} + d_{k+1}\epsilon}")
    state_keys = ("d", "exp_avg", "exp_avg_sq", "s")

    def __init__(self, **hyper) -> None:
        hyper = dict(hyper)
        if "beta3" in hyper and hyper["beta3"] is None:             # the reference's default spelled out
            del hyper["beta3"]
        growth = hyper.get("growth_rate", 0.0)
        if growth is None or (isinstance(growth, float) and growth == math.inf):
            del hyper["growth_rate"]                               # the reference's default, inf
        super().__init__(**hyper)

    def init(self, params):
        n_runs = params.shape[0]
        d0 = np.broadcast_to(np.asarray(self.hyper["d0"], dtype=np.float64).reshape(-1, 1), (n_runs, 1))
        return {
            "k": np.zeros((n_runs, 1), dtype=np.int64),   # steps taken (per run: a run may skip)
            "d_scalar": d0.copy(),                         # (N, 1) d
            "d_max": d0.copy(),                            # (N, 1)
            "d_numerator": np.zeros((n_runs, 1)),          # (N, 1) r
            "d": np.broadcast_to(d0, params.shape).copy(),   # (N, 2) d, recorded
            "p0": params.copy(),                           # (N, 2) x_0
            "s": np.zeros_like(params),                    # (N, 2)
            "exp_avg": np.zeros_like(params),              # (N, 2) m
            "exp_avg_sq": np.zeros_like(params),           # (N, 2) v
        }

    def update(self, params, grad, state, lr):
        h = self.hyper
        beta1, beta2, d0, decay = h["beta1"], h["beta2"], h["d0"], h["weight_decay"]
        beta3 = h["beta3"]
        if beta3 is None:                                  # the reference's math.sqrt(beta2)
            beta3 = np.sqrt(beta2) if isinstance(beta2, np.ndarray) else math.sqrt(beta2)
        k, d, d_max = state["k"], state["d_scalar"], state["d_max"]
        if h["use_bias_correction"]:
            bias_correction = power(1 - power(beta2, k + 1), 0.5) / (1 - power(beta1, k + 1))
        else:
            bias_correction = 1
        dlr = d * lr * bias_correction
        d_numerator = state["d_numerator"] * beta3
        if not h["decouple"] and is_set(decay):
            grad += decay * params                         # grad.add_(p, alpha=decay)
        weight = (d / d0) * dlr
        delta_numerator = weight * np.sum(grad * (state["p0"] - params), axis=1, keepdims=True)
        exp_avg, exp_avg_sq, s = state["exp_avg"], state["exp_avg_sq"], state["s"]
        with_momentum = beta1 > 0                          # bool or (N, 1)
        if all_true(with_momentum):
            exp_avg *= beta1                               # exp_avg.mul_(beta1).add_(grad, alpha=d (1 - beta1))
            exp_avg += (d * (1 - beta1)) * grad
        elif np.any(with_momentum):
            np.copyto(exp_avg, exp_avg * beta1 + (d * (1 - beta1)) * grad, where=with_momentum)
        exp_avg_sq *= beta2                                # .mul_(beta2).addcmul_(g, g, value=d^2 (1 - beta2))
        exp_avg_sq += ((d * d * (1 - beta2)) * grad) * grad
        s *= beta3
        s += ((d / d0) * (d if h["safeguard_warmup"] else dlr)) * grad
        d_denom = np.abs(s).sum(axis=1, keepdims=True)     # (N, 1) |s|_1
        moves = d_denom != 0                               # the reference returns early otherwise
        with np.errstate(divide="ignore", invalid="ignore"):
            global_numerator = d_numerator + delta_numerator
            d_hat = h["d_coef"] * global_numerator / d_denom
        d_new = np.where(d == d0, np.maximum(d, d_hat), d)
        d_max_new = np.maximum(d_max, d_hat)
        growth = h["growth_rate"]
        d_new = np.minimum(d_max_new, d_new * (math.inf if growth is None else growth))
        if not np.all(moves):
            d_new = np.where(moves, d_new, d)
            d_max_new = np.where(moves, d_max_new, d_max)
            global_numerator = np.where(moves, global_numerator, state["d_numerator"])
        state["d_numerator"], state["d_scalar"], state["d_max"] = global_numerator, d_new, d_max_new
        np.copyto(state["d"], d_new)                       # (N, 1) -> (N, 2)
        k += moves
        denom = np.sqrt(exp_avg_sq)                        # exp_avg_sq.sqrt().add_(d * eps)
        denom += d_new * h["eps"]
        stepped = params.copy() if not np.all(moves) else params
        if h["decouple"] and is_set(decay):
            stepped += (-decay * dlr) * stepped            # p.add_(p, alpha=-decay * dlr)
        if all_true(with_momentum):
            direction = (-dlr) * exp_avg                   # addcdiv_(exp_avg, denom, value=-dlr)
        else:
            direction = np.where(with_momentum, (-dlr) * exp_avg, (-dlr * d_new) * grad)
        direction /= denom
        stepped += direction
        if stepped is not params:
            np.copyto(params, stepped, where=moves)

    def effective_lr(self, state, lr, step):
        """``d_k lr bc_k / (sqrt(v) + d_{k+1} eps)``, the per-axis rate applied to m (d_k: the d before the step)."""
        h = self.hyper
        d = state["d"]
        before = np.concatenate([d[:1], d[:-1]]) if d.ndim == 3 else d
        with np.errstate(all="ignore"):
            if h["use_bias_correction"]:
                bias_correction = (1 - h["beta2"] ** step) ** 0.5 / (1 - h["beta1"] ** step)
            else:
                bias_correction = 1.0
            return before * lr * bias_correction / (np.sqrt(state["exp_avg_sq"]) + d * h["eps"])
