"""Run every optimizer of a page state once and collect what the page shows.

Runs that share an optimizer, its switches, schedule and noise level step
together as one ``(N, 2)`` batch (their numeric hyperparameters become per-run
arrays); rows never interact, so this equals stepping them one by one.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import optimizers
from webapp import validate

__all__ = ["RunResult", "simulate_runs", "TOLERANCE"]

TOLERANCE = 1e-3   # "reached the minimum": loss within this of the global minimum's value


@dataclass
class RunResult:
    """One run's trajectory, arrays over steps t = 0..T."""

    index: int              # position in state.runs
    spec: object            # the RunSpec
    label: str
    path: np.ndarray        # (T+1, 2)
    loss: np.ndarray        # (T+1,)
    grad_norm: np.ndarray   # (T+1,)
    lr: np.ndarray          # (T+1,) rate used by the step into t (NaN at t=0)
    diverged_at: int        # -1 when it never diverged
    steps_to_tolerance: int  # -1 when never within TOLERANCE
    distance_to_minimum: float  # from the final point to the nearest known minimum (NaN if none known)


def _batch(specs) -> tuple[object, object, np.ndarray]:
    """One optimizer and schedule for runs of equal :func:`validate.group_key`; per-run arrays where they differ."""
    first = specs[0]
    hyper = {}
    for param in optimizers.schema(first.optimizer):
        values = [spec.hyper[param.name] for spec in specs]
        if param.per_run and param.kind in ("float", "int") and len(set(values)) > 1:
            hyper[param.name] = np.array(values, dtype=np.float64)
        else:
            hyper[param.name] = values[0]
    seeds = np.array([spec.seed for spec in specs], dtype=np.int64)
    return optimizers.get(first.optimizer, **hyper), first.build_schedule(), seeds


def simulate_runs(state, notices: list) -> tuple[object, list[RunResult], int]:
    """Simulate every run of ``state``; returns the surface, one result per run (state order), and the steps used."""
    surface = state.landscape()
    steps = validate.step_budget(state.runs, state.steps, notices)
    start = np.asarray(state.start_point(), dtype=np.float64)
    groups: dict = {}
    for index, spec in enumerate(state.runs):
        groups.setdefault(validate.group_key(spec), []).append(index)
    results: dict[int, RunResult] = {}
    for indices in groups.values():
        specs = [state.runs[i] for i in indices]
        try:
            trajectories = [(_simulate(surface, specs, start, steps), indices)]
        except (ValueError, TypeError, FloatingPointError, np.linalg.LinAlgError):
            # a batch the optimizer refuses (e.g. a cross-parameter check): try the runs one by one
            trajectories = []
            for i in indices:
                try:
                    trajectories.append((_simulate(surface, [state.runs[i]], start, steps), [i]))
                except (ValueError, TypeError, FloatingPointError, np.linalg.LinAlgError) as error:
                    notices.append(f"Run {i + 1} ({state.runs[i].optimizer}) could not run: {error}")
        for trajectory, members in trajectories:
            results.update(_collect(surface, trajectory, members, state))
    return surface, [results[i] for i in sorted(results)], steps


def _simulate(surface, specs, start, steps):
    optimizer, schedule, seeds = _batch(specs)
    starts = np.repeat(start[None, :], len(specs), axis=0)            # (N, 2)
    return optimizers.simulate(surface, optimizer, starts, steps, schedule=schedule,
                               noise=specs[0].noise, seed=seeds)


def _collect(surface, trajectory, members, state) -> dict[int, RunResult]:
    loss = np.nan_to_num(trajectory.loss, nan=0.0, posinf=1e300, neginf=-1e300)   # (T+1, N)
    grad_norm = np.nan_to_num(trajectory.grad_norm, nan=0.0, posinf=1e300, neginf=0.0)
    lr = np.full(loss.shape, np.nan)
    lr[1:] = trajectory.lr
    reached = trajectory.steps_to_tolerance(TOLERANCE)
    _, distance = surface.nearest_minimum(trajectory.final)            # (N,)
    out = {}
    for column, index in enumerate(members):
        spec = state.runs[index]
        out[index] = RunResult(
            index=index, spec=spec, label=spec.name(), path=trajectory.path[:, column],
            loss=loss[:, column], grad_norm=grad_norm[:, column], lr=lr[:, column],
            diverged_at=int(trajectory.diverged_at[column]), steps_to_tolerance=int(reached[column]),
            distance_to_minimum=float(distance[column]),
        )
    return out
