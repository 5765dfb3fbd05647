"""A scenario's neighbourhood: its runs re-stepped with nearby settings, all starts and seeds in one batch.

A teaching claim must hold near its settings, not at one point. For a state and
a :class:`~webapp.scenarios.model.Robustness`, :func:`neighbourhood` steps every
run with

* its learning rate times each factor of ``lr_factors`` (every first-order run
  at once; a cyclic schedule's ``max_lr`` and a cosine's ``eta_min`` scale with
  it; Newton and L-BFGS keep theirs: their lr is a step fraction, not a rate),
* from the start and from the start moved by ``start_shift`` of the view's
  width or height in the four directions (:func:`shifted_starts`, ``(S, 2)``),
* with ``seeds`` seeds per start for runs with gradient noise (the run's own
  seed, then ``seed + 1009 k``); every run of the state sees the same offsets,
  so runs that share a seed in the scenario still share one.

Rows never interact, so the ``S * K`` rows of one run and factor are one batch:
row ``s * K + k`` is start ``s``, seed ``k``. Row 0 of factor 1 is the scenario
itself, bit for bit.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import optimizers
from optimizers import schedules

__all__ = ["Neighbourhood", "neighbourhood", "shifted_starts", "SEED_STRIDE"]

SEED_STRIDE = 1009
_SCALED_SCHEDULE_PARAMS = ("max_lr", "eta_min")


def shifted_starts(start, view, shift: float) -> np.ndarray:
    """``(5, 2)``: the start, then moved by ``shift`` of the view's width in +x and -x, of its height in +y, -y."""
    x_min, x_max, y_min, y_max = view
    dx, dy = shift * (x_max - x_min), shift * (y_max - y_min)
    x, y = start
    return np.array([[x, y], [x + dx, y], [x - dx, y], [x, y + dy], [x, y - dy]], dtype=np.float64)


@dataclass
class Neighbourhood:
    """``runs[f]``: one :class:`optimizers.Trajectory` per run of the state at lr factor ``factors[f]``,
    each with ``S * K`` rows (row ``s * K + k``: start ``starts[s]``, seed offset ``k``)."""

    factors: tuple
    starts: np.ndarray
    seeds: int
    runs: list

    def by_start(self, values: np.ndarray) -> np.ndarray:
        """Per-row values ``(S * K, ...)`` as ``(S, K, ...)``."""
        values = np.asarray(values)
        return values.reshape((len(self.starts), self.seeds) + values.shape[1:])


def _scales(run) -> bool:
    """Whether the lr factors apply to this run: first-order methods only."""
    return isinstance(run.build_optimizer(), optimizers.FirstOrder)


def _scaled(run, factor: float):
    if not _scales(run) or factor == 1.0:
        return run.build_optimizer(), run.build_schedule()
    hyper = {**run.hyper, "lr": run.hyper["lr"] * factor}
    params = {key: value * factor if key in _SCALED_SCHEDULE_PARAMS else value
              for key, value in run.schedule_params.items()}
    return optimizers.get(run.optimizer, **hyper), schedules.get(run.schedule, **params)


def neighbourhood(state, robustness, steps: int | None = None) -> Neighbourhood:
    """Every run of ``state`` over the neighbourhood of ``robustness`` (see the module docstring)."""
    surface = state.landscape()
    starts = shifted_starts(state.start_point(), state.view_box(), robustness.start_shift)   # (S, 2)
    noisy = any(run.noise for run in state.runs)
    seeds = robustness.seeds if noisy else 1
    rows = np.repeat(starts, seeds, axis=0)                                                # (S*K, 2)
    offsets = np.tile(np.arange(seeds), len(starts)) * SEED_STRIDE                         # (S*K,)
    steps = state.steps if steps is None else steps
    out, unscaled = [], {}                     # runs the factors leave alone are stepped once
    for factor in robustness.lr_factors:
        trajectories = []
        for index, run in enumerate(state.runs):
            if not _scales(run) and index in unscaled:
                trajectories.append(unscaled[index])
                continue
            optimizer, schedule = _scaled(run, factor)
            trajectory = optimizers.simulate(surface, optimizer, rows, steps, schedule=schedule,
                                             noise=run.noise, seed=run.seed + offsets)
            if not _scales(run):
                unscaled[index] = trajectory
            trajectories.append(trajectory)
        out.append(trajectories)
    return Neighbourhood(factors=tuple(robustness.lr_factors), starts=starts, seeds=seeds, runs=out)
