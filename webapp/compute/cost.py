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
from webapp.i18n import msg

__all__ = ["group_key", "batch_step_us", "request_step_us", "step_budget", "map_cost_us", "probe_row_step_us",
           "measured_map_cost_us", "PAGE_BUDGET_US", "MAP_BUDGET_US", "BATCH_STEP_US", "ROW_STEP_US", "MIN_STEPS",
           "PROBE_ROWS", "PROBE_FEW_ROWS", "PROBE_STEPS", "SURFACE_MARGIN"]

BATCH_STEP_US = 17.0          # one first-order step of a batch, whatever its size (NumPy's per-call cost)
ROW_STEP_US = 0.027           # plus this per row (200 x 200 x 300 Adam steps: about 0.35 s)
PAGE_BUDGET_US = 340_000      # the worst allowed page request stays under 0.5 s of CPU with figures and JSON
MAP_BUDGET_US = 1_200_000     # a map takes about a second at most
MIN_STEPS = 1
PROBE_ROWS = 256              # a map's probe: this many rows (starts spread over the view) against ...
PROBE_FEW_ROWS = 16           # ... this many, each stepped ...
PROBE_STEPS = 8               # ... this many times
SURFACE_MARGIN = 4.0          # a measured row cost counts from this many times the declared one


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
        notices.append(msg("notices.steps_budget", requested=requested, allowed=allowed))
    return allowed


def map_cost_us(optimizer: str, cells: int, steps: int) -> float:
    """Microseconds of a map of ``cells`` runs of ``optimizer`` (one batch) over ``steps`` steps."""
    return steps * batch_step_us(optimizer, cells)


def probe_row_step_us(landscape, optimizer, view, *, schedule=None, noise: float = 0.0, seed: int = 0,
                      deadline: float | None = None) -> float:
    r"""Microseconds of one step of one row of ``optimizer`` on ``landscape``, measured (this thread's CPU)
    from two batch sizes, so the fixed cost of a step cancels out:

    .. math::  c_\text{row} = \frac{t(R_2) - t(R_1)}{(R_2 - R_1)\, K}

    with :data:`PROBE_ROWS` rows :math:`R_2` and :math:`R_1 = R_2 / 16` started on a grid over
    ``view``, :data:`PROBE_STEPS` steps :math:`K` each. A few milliseconds on the costliest surface.
    """
    x_min, x_max, y_min, y_max = view
    side = int(np.ceil(np.sqrt(PROBE_ROWS)))
    xs, ys = np.meshgrid(np.linspace(x_min, x_max, side + 2)[1:-1], np.linspace(y_min, y_max, side + 2)[1:-1])
    starts = np.column_stack([xs.ravel(), ys.ravel()])[:PROBE_ROWS]                 # (R2, 2)
    few = starts[:: PROBE_ROWS // PROBE_FEW_ROWS][:PROBE_FEW_ROWS]                  # (R1, 2)

    def timed(rows: np.ndarray) -> float:
        began = time.thread_time()
        simulate(landscape, optimizer, rows, PROBE_STEPS, schedule=schedule, noise=noise, seed=seed,
                 deadline=deadline)
        return time.thread_time() - began

    timed(few)                                                                      # warm-up (first call)
    extra = max(timed(starts) - timed(few), 0.0)
    return extra * 1e6 / ((len(starts) - len(few)) * PROBE_STEPS)


def measured_map_cost_us(optimizer: str, row_step_us: float, cells: int, steps: int) -> float:
    """Microseconds of a map of ``cells`` runs over ``steps`` steps. The row's cost is the declared one
    (the optimizer class's ``step_cost``) unless the probe measured at least :data:`SURFACE_MARGIN`
    times more (a costly surface): then the measured one, so the probe's noise never refuses a map
    of a cheap surface."""
    declared = ROW_STEP_US * float(optimizer_class(optimizer).step_cost)
    row = float(row_step_us) if row_step_us >= SURFACE_MARGIN * declared else declared
    return steps * (BATCH_STEP_US + cells * row)
