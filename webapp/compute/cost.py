r"""The one cost model: what a request may compute, from the step cost each optimizer class declares.

Each optimizer class declares ``step_cost`` (see :class:`optimizers.base.Optimizer`): one step of
one run, relative to one first-order run-step in the same batch (1 for first-order). One step of a
batch of N runs then costs about ``BATCH_STEP_US + N * ROW_STEP_US * step_cost`` microseconds on the
project's machine (measured for Adam: about 17 us a batch step plus 0.027 us a row). A request is
the sum over its stepping batches (runs of equal :func:`group_key`):

.. math::  \text{cost} = \text{steps} \times \sum_{\text{batches}} (c_\text{batch} + N_b\, c_\text{row}\, s_b)

* The page (:func:`step_budget`) cuts the steps so that this stays under
  :data:`PAGE_BUDGET_US`; the rule is deterministic, so a shared link shows the same steps
  on any machine. :mod:`webapp.compute.runs` then times a short probe per batch and cuts
  slow batches further (some optimizer-surface pairs cost 100x others).
* The Maps panel refuses a map whose cost is over :data:`MAP_BUDGET_US`: first by the declared
  cost (:func:`map_cost_us`, free), then by a measured one (:func:`measured_map_cost_us`): the
  surface's own cost per evaluation is no optimizer's to declare (a 400-character formula of
  nested ``sin`` costs 250 times a quadratic), so :func:`probe_row_step_us` times a few steps of
  a few rows on the surface itself and the larger of the two per-row costs counts.
"""
from __future__ import annotations

import time

import numpy as np

from optimizers.base import optimizer_class, schema
from optimizers.loop import simulate

__all__ = ["group_key", "batch_step_us", "request_step_us", "step_budget", "map_cost_us", "probe_row_step_us",
           "measured_map_cost_us", "PAGE_BUDGET_US", "MAP_BUDGET_US", "BATCH_STEP_US", "ROW_STEP_US", "MIN_STEPS",
           "PROBE_ROWS", "PROBE_STEPS"]

BATCH_STEP_US = 17.0          # one first-order step of a batch, whatever its size (NumPy's per-call cost)
ROW_STEP_US = 0.027           # plus this per row (200 x 200 x 300 Adam steps: about 0.35 s)
PAGE_BUDGET_US = 340_000      # the worst allowed page request stays under 0.5 s of CPU with figures and JSON
MAP_BUDGET_US = 1_200_000     # a map takes about a second at most
MIN_STEPS = 1
PROBE_ROWS = 64               # a map's probe: this many rows (starts spread over the view) ...
PROBE_STEPS = 4               # ... stepped this many times


def group_key(run) -> tuple:
    """Runs with equal keys step together as one ``(N, 2)`` batch.

    Numeric hyperparameters may differ (they become per-run arrays); switches,
    choices, the schedule and the noise level must match.
    """
    fixed = tuple((p.name, run.hyper[p.name]) for p in schema(run.optimizer)
                  if p.kind in ("bool", "choice") or not p.per_run)
    return (run.optimizer, fixed, run.schedule, tuple(sorted(run.schedule_params.items())), run.noise)


def batch_step_us(optimizer: str, rows: int) -> float:
    """Microseconds of one step of a batch of ``rows`` runs of ``optimizer`` (its class's ``step_cost``)."""
    return BATCH_STEP_US + rows * ROW_STEP_US * float(optimizer_class(optimizer).step_cost)


def request_step_us(runs) -> float:
    """Microseconds of one step of all these runs, batched as :func:`group_key` batches them."""
    batches: dict = {}
    for run in runs:
        batches.setdefault(group_key(run), []).append(run.optimizer)
    return sum(batch_step_us(names[0], len(names)) for names in batches.values())


def step_budget(runs, requested: int, notices: list) -> int:
    """Steps allowed for these runs: ``request_step_us(runs) x steps <= PAGE_BUDGET_US`` (with a notice when cut)."""
    per_step = request_step_us(runs)
    fits = int(PAGE_BUDGET_US // per_step) if per_step > 0 else requested
    allowed = max(MIN_STEPS, min(requested, fits))
    if allowed < requested:
        notices.append(f"These runs x {requested} steps are more than one request may compute; "
                       f"showing the first {allowed} steps (fewer runs, or cheaper optimizers, allow more).")
    return allowed


def map_cost_us(optimizer: str, cells: int, steps: int) -> float:
    """Microseconds of a map of ``cells`` runs of ``optimizer`` (one batch) over ``steps`` steps."""
    return steps * batch_step_us(optimizer, cells)


def probe_row_step_us(landscape, optimizer, view, *, schedule=None, noise: float = 0.0, seed: int = 0,
                      deadline: float | None = None) -> float:
    r"""Microseconds of one step of one row of ``optimizer`` on ``landscape``, measured (this thread's CPU):

    .. math::  c_\text{row} = \max\Big(\frac{t(K) - t(0)}{K} - c_\text{batch},\ 0\Big) \Big/ R

    with :data:`PROBE_ROWS` rows R started on a grid over ``view`` and :data:`PROBE_STEPS` steps K
    (``t(0)``: the set-up of a run without steps). About a few milliseconds on the costliest surface.
    """
    x_min, x_max, y_min, y_max = view
    side = int(np.ceil(np.sqrt(PROBE_ROWS)))
    xs, ys = np.meshgrid(np.linspace(x_min, x_max, side + 2)[1:-1], np.linspace(y_min, y_max, side + 2)[1:-1])
    starts = np.column_stack([xs.ravel(), ys.ravel()])[:PROBE_ROWS]                 # (R, 2)

    def timed(steps: int) -> float:
        began = time.thread_time()
        simulate(landscape, optimizer, starts, steps, schedule=schedule, noise=noise, seed=seed, deadline=deadline)
        return time.thread_time() - began

    per_step_us = max(timed(PROBE_STEPS) - timed(0), 0.0) / PROBE_STEPS * 1e6
    return max(per_step_us - BATCH_STEP_US, 0.0) / len(starts)


def measured_map_cost_us(optimizer: str, row_step_us: float, cells: int, steps: int) -> float:
    """Microseconds of a map of ``cells`` runs over ``steps`` steps, from the larger of the declared and
    the measured (:func:`probe_row_step_us`) cost of one row's step."""
    declared = ROW_STEP_US * float(optimizer_class(optimizer).step_cost)
    return steps * (BATCH_STEP_US + cells * max(declared, float(row_step_us)))
