"""Polyak averaging as in the lecture, for the player's overlay (pure: arrays in, plain dicts out).

* :func:`ema_path`: the exponential moving average of the iterates from step ``s``,
  ``xbar_s = x_s``, ``xbar_t = decay * xbar_{t-1} + (1 - decay) * x_t`` (as
  ``torch.optim.swa_utils.AveragedModel`` with ``get_ema_multi_avg_fn(decay)``;
  :func:`optimizers.averaging.exponential_average`), drawn beside the running mean
  ``mean(x_s..x_t)`` (:func:`webapp.panels.lecture.payload.polyak_path`).
* :func:`snapshot_points`: the points ``x_t`` at the steps that end a low-learning-rate phase of a
  cyclic schedule (:func:`optimizers.averaging.snapshot_steps`), a snapshot ensemble's members,
  and their mean.
"""
from __future__ import annotations

import numpy as np

from optimizers import averaging
from webapp.figures.encode import rounded

__all__ = ["ema_path", "snapshot_points"]


def ema_path(path: np.ndarray, decay: float, start: int, decimals: int) -> dict:
    """``{"from": s, "decay", "x", "y"}`` with ``x[t - s]`` the EMA's x at step t = s..T."""
    path = np.asarray(path, dtype=np.float64)                                   # (T+1, 2)
    start = int(min(max(start, 0), path.shape[0] - 1))
    average = averaging.exponential_average(path, float(decay), start)[start:]   # (T+1-s, 2)
    return {"from": start, "decay": float(decay), "x": rounded(average[:, 0], decimals),
            "y": rounded(average[:, 1], decimals)}


def snapshot_points(spec, path: np.ndarray, decimals: int) -> dict | None:
    """The run's snapshot points ``{"steps", "x", "y", "mean"}`` (``mean``: their average ``[x, y]``),
    or ``None`` when its schedule has none (constant, step or exponential decay: no rising rate)."""
    path = np.asarray(path, dtype=np.float64)                                   # (T+1, 2)
    lr = spec.hyper.get("lr")
    if lr is None:
        return None
    try:
        steps = averaging.snapshot_steps(spec.build_schedule(), float(lr), path.shape[0] - 1)
    except ValueError:
        return None
    steps = [int(t) for t in steps if np.all(np.isfinite(path[t]))]
    if not steps:
        return None
    points = path[steps]                                                          # (K, 2)
    mean = points.mean(axis=0)
    return {"steps": steps, "x": rounded(points[:, 0], decimals), "y": rounded(points[:, 1], decimals),
            "mean": rounded(mean, decimals)}
