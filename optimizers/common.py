"""Schema entries and small in-place kernels shared by several optimizers.

The kernels reproduce torch's CPU arithmetic (same operations, same order), so
paths agree with torch.optim to the last bits rather than merely to the math.
"""
from __future__ import annotations

import numpy as np

from landscapes.schema import Param


def lr_param(default: float, help: str = "learning rate: the step size") -> Param:
    return Param("lr", default, help, low=0.0, scale="log", slider_low=1e-5, slider_high=10.0)


def eps_param(default: float, help: str = "added to the denominator for numerical stability") -> Param:
    return Param("eps", default, help, low=0.0, scale="log", slider_low=1e-10, slider_high=1.0)


WEIGHT_DECAY = Param("weight_decay", 0.0, "weight decay (L2 penalty): adds weight_decay * w to the gradient",
                     low=0.0, scale="log", slider_low=1e-4, slider_high=1.0)
MAXIMIZE = Param("maximize", False, "maximize the objective instead of minimizing it",
                 kind="bool", per_run=False)


def beta_param(index: int, default: float, help: str) -> Param:
    """``beta1``/``beta2``: torch's ``betas[0]``/``betas[1]``, each in [0, 1)."""
    return Param(f"beta{index + 1}", default, help, low=0.0, high=1.0, high_open=True,
                 slider_low=0.0, slider_high=0.9999)


# Adam's family shares these two (Adamax's second beta decays an infinity norm instead).
BETA1 = beta_param(0, 0.9, "decay rate of the first moment (momentum) m")
BETA2 = beta_param(1, 0.999, "decay rate of the second moment (squared gradients) v")


def lerp_(start: np.ndarray, end: np.ndarray, weight) -> np.ndarray:
    """In place ``start <- start + weight * (end - start)``, as torch's CPU ``lerp_``.

    torch evaluates ``end - (end - start) * (1 - weight)`` when ``weight >= 0.5``
    (better rounding near 1); both branches are kept. torch's vectorized CPU kernels may fuse a
    multiply-add (AVX-512), so a result can still differ from torch's in the last bit.
    """
    diff = end - start
    small = np.abs(weight) < 0.5
    if np.all(small):
        diff *= weight
        start += diff
    elif not np.any(small):
        diff *= 1 - weight
        np.subtract(end, diff, out=start)
    else:
        np.copyto(start, np.where(small, start + weight * diff, end - diff * (1 - weight)))
    return start


def negate_if(grad: np.ndarray, maximize: bool) -> np.ndarray:
    """torch's ``grad if not maximize else -grad`` (in place on the caller's buffer)."""
    if maximize:
        np.negative(grad, out=grad)
    return grad


def recorded_rate(values: np.ndarray) -> np.ndarray:
    """A per-axis rate kept in the optimizer's state, as ``Trajectory.effective_lr`` returns rates.

    ``values`` is the recorded state ``(T+1, N, 2)``: the rate of the step that led to each point,
    so index 0 (no step yet) becomes NaN, as for the rates computed from ``lr``.
    """
    if values.ndim != 3:
        return values
    out = values.copy()
    out[:1] = np.nan
    return out
