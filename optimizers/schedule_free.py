"""Schedule-Free SGD and AdamW (Defazio et al. 2024, "The Road Less Scheduled"), beyond torch.optim.

Reference: ``schedulefree.SGDScheduleFree`` and ``schedulefree.AdamWScheduleFree``
from ``schedulefree`` 1.4.1 (Meta), the classes its README recommends (not the
``*Reference`` / ``*Paper`` variants), followed operation by operation; tested
against them in tests/test_optimizers_reference.py.

Three sequences, all recorded in ``Trajectory.state``:

* ``z``: the base SGD (or Adam-normalized) sequence, stepped with the gradient;
* ``x``: a weighted average of the z's, **the model**: what ``optimizer.eval()``
  puts into the parameters, what evaluation and checkpoints use. The recorded
  path is x, so losses, results and maps are the model's;
* ``y = (1 - beta) z + beta x``: the interpolation where the gradient is
  evaluated. It is what the reference keeps in the parameters in ``train()``
  mode.

x is never stored by the reference: it steps y and z in place and recovers x
as ``eval()`` does, ``x = lerp(y, z, 1 - 1/beta)``; this module does the same
after each step, so the recorded x is bit for bit what ``eval()`` would give.
"""
from __future__ import annotations

import numpy as np

from landscapes.schema import Param
from optimizers.base import FirstOrder, register
from optimizers.common import WEIGHT_DECAY, eps_param, lr_param
from optimizers.fast import is_set, lerp_, power

__all__ = ["SGDScheduleFree", "AdamWScheduleFree"]


def _maximum(a, b):
    """``max(a, b)`` on Python floats (the reference's arithmetic), ``np.maximum`` for per-run columns."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.maximum(a, b)
    return max(a, b)


def _average_weight(state: dict, hyper: dict, lr):
    """The reference's per-step scalars: the warmed-up lr and the averaging weight c_{k+1}.

    sched = (k+1)/warmup_steps while k < warmup_steps, else 1;  lr_k = lr * sched;
    lr_max = max(lr_max, lr_k);  w_k = (k+1)^r * lr_max^weight_lr_power;
    c_{k+1} = w_k / sum_{i<=k} w_i   (0 while the sum is 0, the reference's ZeroDivisionError).
    """
    k, warmup = state["k"], hyper["warmup_steps"]
    if isinstance(warmup, np.ndarray):
        sched = np.where(k < warmup, (k + 1) / np.maximum(warmup, 1), 1.0)
    else:
        sched = (k + 1) / warmup if k < warmup else 1.0
    lr = lr * sched
    lr_max = state["lr_max"] = _maximum(lr, state["lr_max"])
    weight = power(k + 1, hyper["r"]) * power(lr_max, hyper["weight_lr_power"])
    weight_sum = state["weight_sum"] = state["weight_sum"] + weight
    if isinstance(weight_sum, np.ndarray):
        with np.errstate(divide="ignore", invalid="ignore"):
            ckp1 = np.where(weight_sum == 0, 0.0, weight / weight_sum)
    else:
        ckp1 = weight / weight_sum if weight_sum != 0 else 0.0
    state["k"] = k + 1
    return lr, ckp1


class _ScheduleFree(FirstOrder):
    """Shared stepping: the gradient is taken at y (``state['y']``); ``params`` holds x, the model."""

    def init(self, params):
        return {
            "k": 0, "lr_max": -1.0, "weight_sum": 0.0,
            "x": params.copy(),                  # (N, 2) the model (eval mode)
            "y": params.copy(),                  # (N, 2) where the gradient is evaluated (train mode)
            "z": params.copy(),                  # (N, 2) the base sequence
        }

    def step(self, params, state, objective, lr, active) -> None:
        self.update(params, objective.grad(state["y"]), state, lr)

    def _step_y_z(self, state, grad, lr, ckp1, beta) -> None:
        """``y.lerp_(z, c); y.add_(g, alpha=lr (beta (1 - c) - 1)); z.sub_(g, alpha=lr)``."""
        y, z = state["y"], state["z"]
        lerp_(y, z, ckp1)
        y += (lr * (beta * (1 - ckp1) - 1)) * grad
        z -= lr * grad

    def _eval_point(self, params, state, beta) -> None:
        """x = lerp(y, z, 1 - 1/beta): the reference's ``eval()``, into ``params`` and ``state['x']``."""
        np.copyto(params, state["y"])
        lerp_(params, state["z"], 1 - 1 / beta)
        np.copyto(state["x"], params)


_SCHEDULE_FREE_COMMON = (
    WEIGHT_DECAY,
    Param("warmup_steps", 0, "linear warm-up of lr over this many steps (the averaging weights follow lr)",
          kind="int", low=0, high=100_000, slider_low=0, slider_high=500),
    Param("r", 0.0, "polynomial weighting: step k of the average weighs (k+1)^r", low=0.0,
          slider_low=0.0, slider_high=4.0),
    Param("weight_lr_power", 2.0, "the average weighs each step by lr_max^weight_lr_power (matters during "
          "warm-up)", low=0.0, slider_low=0.0, slider_high=4.0),
)


@register
class SGDScheduleFree(_ScheduleFree):
    r"""Schedule-Free SGD (Defazio et al. 2024), as ``schedulefree.SGDScheduleFree`` 1.4.1.

    With beta = ``momentum``, c_{k+1} the averaging weight (1/(k+1) with the
    defaults: x is the plain mean of the z's) and g = grad f(y_k) (+ weight_decay * y_k):

        y_k     = (1 - beta) z_k + beta x_k           (the gradient is evaluated here)
        z_{k+1} = z_k - lr * g
        x_{k+1} = (1 - c_{k+1}) x_k + c_{k+1} z_{k+1}  (the model; the recorded path)

    The reference never forms x: it steps y in place,
    y <- lerp(y, z, c) + lr (beta (1 - c) - 1) g, and z <- z - lr g, and
    ``eval()`` recovers x = lerp(y, z, 1 - 1/beta); so does this class.
    c_{k+1} = w_k / sum_{i<=k} w_i with w_k = (k+1)^r lr_max^weight_lr_power,
    lr_max the largest (warmed-up) lr so far; ``warmup_steps`` ramps lr
    linearly, (k+1)/warmup_steps. No schedule is needed; one given here scales
    lr like the reference's group lr.

    Weight decay, as in this class of the reference: evaluated at y and added
    to the gradient, so it moves both z and y (the package's
    ``SGDScheduleFreeReference`` variant is not the one followed). Momentum
    must lie in (0, 1) (the reference's check; eval() divides by it).
    """

    name = "sgd_schedulefree"
    label = "Schedule-Free SGD"
    torch_name = None
    reference = "schedulefree 1.4.1: schedulefree.SGDScheduleFree"
    schema = (
        lr_param(1.0, "learning rate of the base sequence z (the reference's default 1.0)"),
        Param("momentum", 0.9, "interpolation beta: the gradient is taken at y = (1 - beta) z + beta x",
              low=0.0, high=1.0, low_open=True, high_open=True, slider_low=0.01, slider_high=0.99),
    ) + _SCHEDULE_FREE_COMMON
    rule = (r"y_k = (1-\beta) z_k + \beta x_k,\ z_{k+1} = z_k - \alpha \nabla f(y_k),\ "
            r"x_{k+1} = (1 - c_{k+1}) x_k + c_{k+1} z_{k+1}")
    state_keys = ("x", "y", "z")
    map_points = {"y": ("y: where the gradient is taken", 0), "z": ("z: the base SGD sequence", 0)}

    def update(self, params, grad, state, lr):
        h = self.hyper
        lr, ckp1 = _average_weight(state, h, lr)
        if is_set(h["weight_decay"]):
            grad += h["weight_decay"] * state["y"]       # grad.add_(y, alpha=weight_decay)
        self._step_y_z(state, grad, lr, ckp1, h["momentum"])
        self._eval_point(params, state, h["momentum"])


@register
class AdamWScheduleFree(_ScheduleFree):
    r"""Schedule-Free AdamW (Defazio et al. 2024), as ``schedulefree.AdamWScheduleFree`` 1.4.1.

    Schedule-Free SGD (see :class:`SGDScheduleFree`; beta = ``beta1``) on the
    gradient normalized by Adam's second moment, with g = grad f(y_k):

        v_{k+1} = beta2 v_k + (1 - beta2) g^2          (exp_avg_sq; no first moment: x's average replaces it)
        u       = g / (sqrt(v_{k+1} / (1 - beta2^{k+1})) + eps)  (+ weight_decay * y_k, AdamW-style at y)
        z_{k+1} = z_k - lr * u,   x_{k+1} = (1 - c_{k+1}) x_k + c_{k+1} z_{k+1},   y = (1 - beta1) z + beta1 x

    As the reference's main class (not its ``AdamWScheduleFreeReference``
    variant, which decays z directly): the decay is evaluated at y and added
    to the gradient *after* Adam's normalization, so it is scaled by lr alone.
    There is no first moment: x's average plays its part. ``warmup_steps``
    ramps lr linearly; the averaging weight
    c_{k+1} = w_k / sum w_i uses w_k = (k+1)^r lr_max^weight_lr_power.
    beta1 must lie in (0, 1): the reference does not check it, but its eval()
    divides by it.
    """

    name = "adamw_schedulefree"
    label = "Schedule-Free AdamW"
    torch_name = None
    reference = "schedulefree 1.4.1: schedulefree.AdamWScheduleFree"
    schema = (
        lr_param(0.0025, "learning rate of the base sequence z (the reference's default 0.0025)"),
        Param("beta1", 0.9, "interpolation beta: the gradient is taken at y = (1 - beta1) z + beta1 x",
              low=0.0, high=1.0, low_open=True, high_open=True, slider_low=0.01, slider_high=0.99),
        Param("beta2", 0.999, "decay rate of the second moment (squared gradients) v", low=0.0, high=1.0,
              high_open=True, slider_low=0.0, slider_high=0.9999),
        eps_param(1e-8, "added to sqrt(v_hat), after bias correction"),
    ) + _SCHEDULE_FREE_COMMON
    rule = (r"y_k = (1-\beta_1) z_k + \beta_1 x_k,\ v_{k+1} = \beta_2 v_k + (1-\beta_2) g_k^2,\ "
            r"z_{k+1} = z_k - \alpha \frac{g_k}{\sqrt{\hat v_{k+1}} + \epsilon},\ "
            r"x_{k+1} = (1 - c_{k+1}) x_k + c_{k+1} z_{k+1}")
    state_keys = ("x", "y", "z", "exp_avg_sq")
    map_points = {"y": ("y: where the gradient is taken", 0), "z": ("z: the base SGD sequence", 0)}

    def init(self, params):
        return {**super().init(params), "exp_avg_sq": np.zeros_like(params), "denom": np.empty_like(params)}

    def update(self, params, grad, state, lr):
        h = self.hyper
        beta1, beta2 = h["beta1"], h["beta2"]
        bias_correction2 = 1 - power(beta2, state["k"] + 1)
        lr, ckp1 = _average_weight(state, h, lr)
        exp_avg_sq, denom = state["exp_avg_sq"], state["denom"]
        exp_avg_sq *= beta2                               # _foreach_mul_(exp_avg_sq, beta2)
        np.multiply(grad, 1 - beta2, out=denom)           # _foreach_addcmul_(v, g, g, value=1 - beta2)
        denom *= grad
        exp_avg_sq += denom
        np.divide(exp_avg_sq, bias_correction2, out=denom)
        np.sqrt(denom, out=denom)
        denom += h["eps"]
        grad /= denom
        if is_set(h["weight_decay"]):
            grad += h["weight_decay"] * state["y"]        # weight decay calculated at y
        self._step_y_z(state, grad, lr, ckp1, beta1)
        self._eval_point(params, state, beta1)

    def effective_lr(self, state, lr, step):
        """``lr / (sqrt(v / (1 - beta2^k)) + eps)``: the per-axis rate of the z step (before warm-up)."""
        h = self.hyper
        with np.errstate(all="ignore"):
            correction2 = 1 - h["beta2"] ** step
            return lr / (np.sqrt(state["exp_avg_sq"] / correction2) + h["eps"])

