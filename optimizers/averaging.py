"""Iterate averaging (Polyak) and the snapshot points of a cyclic learning rate.

Two averages of a path ``x_0, x_1, ..., x_T`` from step ``k`` on (the path
itself before ``k``):

* :func:`running_mean`: ``xbar_t = (x_k + ... + x_t) / (t - k + 1)``, the
  classic Polyak-Ruppert average (what ``torch.optim.swa_utils.AveragedModel``
  computes with its default averaging function).
* :func:`exponential_average`: the lecture's Polyak averaging,
  ``xbar_k = x_k`` and ``xbar_t = decay * xbar_{t-1} + (1 - decay) * x_t``,
  computed as torch's ``AveragedModel(..., multi_avg_fn=get_ema_multi_avg_fn(decay))``
  does (``torch.lerp(xbar, x, 1 - decay)``, with lerp's two branches), so the
  two agree to the last bits.

:func:`snapshot_steps` gives the steps where a cyclic schedule (``cyclic``,
``cosine`` past ``T_max``, cosine with warm restarts) has just finished a
low-learning-rate phase: the points a snapshot ensemble keeps.
"""
from __future__ import annotations

import numpy as np

__all__ = ["running_mean", "exponential_average", "snapshot_steps"]


def _check_start(start, steps: int) -> int:
    if isinstance(start, (bool, np.bool_)) or not isinstance(start, (int, np.integer)) or not 0 <= start <= steps:
        raise ValueError(f"start must be a whole step in [0, {steps}], got {start!r}")
    return int(start)


def running_mean(path: np.ndarray, start: int = 0) -> np.ndarray:
    """``(T+1, N, 2)``: the mean of ``path[start..t]`` at every ``t >= start``; ``path[t]`` before."""
    start = _check_start(start, path.shape[0] - 1)
    out = np.array(path, dtype=np.float64, copy=True)
    tail = out[start:]
    counts = np.arange(1, tail.shape[0] + 1).reshape((-1,) + (1,) * (tail.ndim - 1))
    out[start:] = np.cumsum(tail, axis=0) / counts
    return out


def exponential_average(path: np.ndarray, decay: float = 0.99, start: int = 0) -> np.ndarray:
    """``(T+1, ...)`` exponential moving average of ``path`` from step ``start`` (the path itself before).

    ``xbar_start = x_start``; ``xbar_t = lerp(xbar_{t-1}, x_t, w)`` with ``w = 1 - decay``, where
    ``lerp(a, b, w) = a + w (b - a)`` for ``w < 0.5`` and ``b - (b - a)(1 - w)`` otherwise
    (torch's CPU lerp): ``decay * xbar_{t-1} + (1 - decay) * x_t`` up to rounding.
    ``decay`` in [0, 1]: 0 follows the path, 1 freezes at ``x_start``.
    """
    try:
        decay = float(decay)
    except (TypeError, ValueError):
        raise ValueError(f"decay must be a number in [0, 1], got {decay!r}") from None
    if not 0.0 <= decay <= 1.0:
        raise ValueError(f"decay must be in [0, 1], got {decay!r}")
    start = _check_start(start, path.shape[0] - 1)
    out = np.array(path, dtype=np.float64, copy=True)
    weight = 1.0 - decay
    for t in range(start + 1, out.shape[0]):
        previous, current = out[t - 1], path[t]
        if weight < 0.5:
            out[t] = previous + weight * (current - previous)
        else:
            out[t] = current - (current - previous) * (1.0 - weight)
    return out


def snapshot_steps(schedule, lr: float, steps: int) -> np.ndarray:
    """Steps ``t`` in ``2..steps`` reached by a step at the bottom of a learning-rate cycle: ``(K,)`` sorted.

    With ``rates[e]`` the rate of the step ``e -> e+1`` (``schedule.values(lr, steps + 1)``),
    ``t`` is kept when ``rates[t-1]`` is a local minimum that ends a low phase:
    ``rates[t-1] < rates[t-2]`` (or equal to it, on a flat bottom) and ``rates[t] > rates[t-1]``
    (the rate rises again next). So ``path[t]`` is the point left by the smallest rates of a
    cycle, as a snapshot ensemble takes it. A schedule that never rises again (constant,
    step, exponential decay) has no snapshot steps; neither does the step ``t = 1``.
    """
    if isinstance(steps, (bool, np.bool_)) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be a whole number >= 0, got {steps!r}")
    rates = np.asarray(schedule.values(lr, int(steps) + 1), dtype=np.float64).reshape(int(steps) + 1, -1)
    if rates.shape[1] != 1:
        raise ValueError("snapshot_steps needs one learning rate, not one per run")
    rates = rates[:, 0]                                           # (steps+1,)
    if rates.size < 3:
        return np.zeros(0, dtype=np.int64)
    previous, bottom, following = rates[:-2], rates[1:-1], rates[2:]
    scale = np.maximum(np.abs(bottom), np.finfo(float).tiny)
    rises = following - bottom > 1e-12 * scale
    # walk back over a flat bottom: the phase must have come down to it
    descended = np.zeros(bottom.shape, dtype=bool)
    came_down = False
    for i in range(bottom.size):
        step_down = bottom[i] - previous[i] < -1e-12 * scale[i]
        flat = abs(bottom[i] - previous[i]) <= 1e-12 * scale[i]
        came_down = step_down or (flat and came_down)
        descended[i] = came_down
    return (np.flatnonzero(rises & descended) + 2).astype(np.int64)      # bottom[i] is rates[i+1]: t = i+2
