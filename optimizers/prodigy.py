"""Prodigy (Mishchenko & Defazio 2024, "Prodigy: An Expeditiously Adaptive Parameter-Free Learner"), beyond torch.optim.

Reference: ``prodigyopt.Prodigy`` from ``prodigyopt`` 1.1.2 (the authors'),
followed operation by operation; tested against it in
tests/test_optimizers_reference.py.
"""
from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from landscapes.schema import Param
from optimizers.base import FirstOrder, register
from optimizers.common import BETA1, BETA2, WEIGHT_DECAY, lr_param
from optimizers.fast import all_true, is_set, power

__all__ = ["Prodigy"]


def _row_sum(values: np.ndarray) -> np.ndarray:
    """``(N, 2)`` with both columns ``values[:, 0] + values[:, 1]`` (torch's dot / sum of two elements)."""
    out = np.empty_like(values)
    np.add(values[:, 0], values[:, 1], out=out[:, 0])
    out[:, 1] = out[:, 0]
    return out


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

    Follows the reference's arithmetic: the numerator and s are scaled by
    d_k / d0 rather than d_k (its comment: "to avoid getting values that are
    too small"; the factor cancels in d_hat); the first update takes d = max(d0, d_hat) only while d still equals d0; a run whose
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
        replace(lr_param(1.0, "multiplies the estimated step size d (leave at 1 unless unstable)"),
                low_open=True, slider_low=1e-2),                       # the reference checks 0 < lr
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
    state_series = {"d": "distance estimate d (Prodigy's step-size scale, from d0)"}

    def __init__(self, **hyper) -> None:
        hyper = dict(hyper)
        if "beta3" in hyper and hyper["beta3"] is None:             # the reference's default spelled out
            del hyper["beta3"]
        growth = hyper.get("growth_rate", 0.0)
        if growth is None or (isinstance(growth, float) and growth == math.inf):
            del hyper["growth_rate"]                               # the reference's default, inf
        super().__init__(**hyper)

    def init(self, params):
        # per-run scalars (d, d_max, the numerator, the step count) are kept as (N, 2) arrays whose two
        # columns are equal: elementwise (N, 2) arithmetic is several times faster in NumPy than an
        # (N, 1) column broadcast against (N, 2), and "d" is recorded as it is
        d0 = np.broadcast_to(np.asarray(self.hyper["d0"], dtype=np.float64), params.shape).copy()
        return {
            "k": np.zeros(params.shape, dtype=np.int64),   # steps taken (per run: a run may skip)
            "d": d0,                                       # (N, 2) d, recorded
            "d_max": d0.copy(),                            # (N, 2)
            "d_numerator": np.zeros_like(params),          # (N, 2) r
            "p0": params.copy(),                           # (N, 2) x_0
            "s": np.zeros_like(params),                    # (N, 2)
            "exp_avg": np.zeros_like(params),              # (N, 2) m
            "exp_avg_sq": np.zeros_like(params),           # (N, 2) v
            "scratch": np.empty_like(params),
        }

    def update(self, params, grad, state, lr):
        h = self.hyper
        beta1, beta2, d0, decay = h["beta1"], h["beta2"], h["d0"], h["weight_decay"]
        beta3 = h["beta3"]
        if beta3 is None:                                  # the reference's math.sqrt(beta2)
            beta3 = np.sqrt(beta2) if isinstance(beta2, np.ndarray) else math.sqrt(beta2)
        k, d, d_max, scratch = state["k"], state["d"], state["d_max"], state["scratch"]
        if h["use_bias_correction"]:
            bias_correction = power(1 - power(beta2, k + 1), 0.5) / (1 - power(beta1, k + 1))
        else:
            bias_correction = 1
        dlr = d * lr
        if h["use_bias_correction"]:
            dlr *= bias_correction                         # d * lr * bias_correction
        d_numerator = state["d_numerator"] * beta3
        if not h["decouple"] and is_set(decay):
            grad += decay * params                         # grad.add_(p, alpha=decay)
        weight = d / d0
        weight *= dlr                                      # (d / d0) * dlr
        np.subtract(state["p0"], params, out=scratch)      # <g, x_0 - x> in both columns
        scratch *= grad
        delta_numerator = _row_sum(scratch)
        delta_numerator *= weight
        exp_avg, exp_avg_sq, s = state["exp_avg"], state["exp_avg_sq"], state["s"]
        with_momentum = beta1 > 0                          # bool or (N, 1)
        if all_true(with_momentum):
            exp_avg *= beta1                               # exp_avg.mul_(beta1).add_(grad, alpha=d (1 - beta1))
            exp_avg += (d * (1 - beta1)) * grad
        elif np.any(with_momentum):
            np.copyto(exp_avg, exp_avg * beta1 + (d * (1 - beta1)) * grad, where=with_momentum)
        exp_avg_sq *= beta2                                # .mul_(beta2).addcmul_(g, g, value=d^2 (1 - beta2))
        np.multiply(d, d, out=scratch)
        scratch *= 1 - beta2
        scratch *= grad
        scratch *= grad
        exp_avg_sq += scratch
        s *= beta3
        np.divide(d, d0, out=scratch)
        scratch *= d if h["safeguard_warmup"] else dlr
        scratch *= grad
        s += scratch
        np.abs(s, out=scratch)
        d_denom = _row_sum(scratch)                        # |s|_1 in both columns
        moves = d_denom != 0                               # the reference returns early otherwise
        all_move = bool(moves.all())                       # (one reduction; the common case)
        global_numerator = d_numerator + delta_numerator
        d_hat = h["d_coef"] * global_numerator             # 0/0 only where a run does not move (the loop
        d_hat /= d_denom                                   # runs under np.errstate(all="ignore"))
        # Python's max(a, b) / min(a, b) of the reference: b only if b > a (b < a), so a NaN never wins
        d_max_new = np.where(d_hat > d_max, d_hat, d_max)
        growth = h["growth_rate"]
        if growth is None:                                 # min(d_max, d * inf) = d_max
            d_new = d_max_new
        else:
            d_new = np.where(d == d0, np.where(d_hat > d, d_hat, d), d)
            d_new *= growth
            d_new = np.where(d_new < d_max_new, d_new, d_max_new)
        if not all_move:
            d_new = np.where(moves, d_new, d)
            d_max_new = np.where(moves, d_max_new, d_max)
            global_numerator = np.where(moves, global_numerator, state["d_numerator"])
        state["d_numerator"], state["d_max"] = global_numerator, d_max_new
        np.copyto(d, d_new)
        if h["use_bias_correction"]:                      # k is read by the bias correction only
            k += moves
        denom = np.sqrt(exp_avg_sq)                        # exp_avg_sq.sqrt().add_(d * eps)
        np.multiply(d, h["eps"], out=scratch)
        denom += scratch
        stepped = params if all_move else params.copy()
        if h["decouple"] and is_set(decay):
            stepped += (-decay * dlr) * stepped            # p.add_(p, alpha=-decay * dlr)
        np.negative(dlr, out=dlr)
        if all_true(with_momentum):
            direction = np.multiply(dlr, exp_avg, out=scratch)   # addcdiv_(exp_avg, denom, value=-dlr)
        else:
            direction = np.where(with_momentum, dlr * exp_avg, (dlr * d) * grad)
        direction /= denom
        stepped += direction
        if not all_move:
            np.copyto(params, stepped, where=moves)

    def effective_lr(self, state, lr, step):
        """``d_k lr bc_k / (sqrt(v) + d_{k+1} eps)``, the per-axis rate applied to m (d_k: the d before the step)."""
        h = self.hyper
        d = state["d"]
        before = np.concatenate([d[:1], d[:-1]]) if d.ndim == 3 else d   # d_k: the d before step k+1
        with np.errstate(all="ignore"):
            if h["use_bias_correction"]:
                bias_correction = (1 - h["beta2"] ** step) ** 0.5 / (1 - h["beta1"] ** step)
            else:
                bias_correction = 1.0
            return before * lr * bias_correction / (np.sqrt(state["exp_avg_sq"]) + d * h["eps"])
