"""Many-run maps: basins of attraction over start points, and hyperparameter sensitivity.

Both maps are one batch of independent runs (rows never interact), stepped by
the loop behind :func:`optimizers.loop.run` and laid out on a grid indexed ``[row=y, col=x]``
(Plotly's heatmap convention, like :meth:`landscapes.base.Landscape.grid`).

* :func:`basin_map`: one run from the centre of every cell of a ``G x G`` grid
  over the view; each cell is labelled by the known minimum its run ends in.
* :func:`sensitivity_map`: one run per pair of values of two hyperparameters,
  all from one start; each cell holds the final loss gap, the step from which
  it stayed within a tolerance (settled, not the first touch) and whether the
  run diverged.

Memory stays bounded: the runs are stepped in chunks of rows so that one
chunk's path ``(K+1, C, 2)`` stays under :data:`PATH_BUDGET_BYTES`; since rows
never interact, chunking changes nothing in the results (tested).

Every array meant for display is finite: non-finite values become the
documented codes below.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from landscapes.schema import Param
from optimizers import convergence
from optimizers.base import Optimizer, get as get_optimizer, schema as optimizer_schema
from optimizers.loop import DEFAULT_BOUND, _iterate
from optimizers.checks import positive_number

__all__ = [
    "BasinMap", "SensitivityMap", "basin_map", "sensitivity_map", "param_grid",
    "DIVERGED", "NOT_CONVERGED", "NEVER", "MAX_BASIN_GRID", "MAX_SENSITIVITY_GRID", "MAX_MAP_STEPS",
    "LOSS_GAP_FLOOR", "LOSS_GAP_CEILING", "cell_centres", "MapDeadlineExceeded",
]

DIVERGED = -1          # basin label: the run left the bound or went non-finite
NOT_CONVERGED = -2     # basin label: the run ended farther than ``tol`` from every known minimum
NEVER = -1             # steps_to_tol: the tolerance was never reached (or only after diverging)

MAX_BASIN_GRID = 200
MAX_SENSITIVITY_GRID = 50
MAX_MAP_STEPS = 5000
DEFAULT_BASIN_TOL_FRACTION = 0.01   # default basin radius: 1% of the larger side of the view
LOSS_GAP_FLOOR = 1e-16              # loss gaps are clipped to [floor, ceiling] for log colour scales
LOSS_GAP_CEILING = 1e300
PATH_BUDGET_BYTES = 32 * 2 ** 20    # one chunk's (K+1, C, 2) float64 path stays under this
SCAN_BLOCK = 16                     # steps per block when scanning a path (backwards) for the settled step


# --------------------------------------------------------------------------- validation
def _check_steps(steps) -> int:
    if isinstance(steps, (bool, np.bool_)) or not isinstance(steps, (int, np.integer)):
        raise ValueError(f"steps must be a whole number in [0, {MAX_MAP_STEPS}], got {steps!r}")
    if not 0 <= steps <= MAX_MAP_STEPS:
        raise ValueError(f"steps must be in [0, {MAX_MAP_STEPS}] for a map, got {steps}")
    return int(steps)


def _check_view(view) -> tuple:
    try:
        x_min, x_max, y_min, y_max = (float(v) for v in view)
    except (TypeError, ValueError):
        raise ValueError(f"view must be four numbers (x_min, x_max, y_min, y_max), got {view!r}") from None
    if not all(np.isfinite([x_min, x_max, y_min, y_max])) or not (x_min < x_max and y_min < y_max):
        raise ValueError(f"view must be finite with x_min < x_max and y_min < y_max, got {view!r}")
    return x_min, x_max, y_min, y_max


# --------------------------------------------------------------------------- chunked stepping
@dataclass
class _Sweep:
    """What a batch of N runs did: ``final`` ``(N, 2)``, ``diverged_at`` ``(N,)``, ``steps_to_tol`` ``(N,)``."""

    final: np.ndarray
    diverged_at: np.ndarray
    steps_to_tol: np.ndarray


def _chunk_rows(steps: int, n_runs: int) -> int:
    return int(max(1, min(n_runs, PATH_BUDGET_BYTES // ((steps + 1) * 2 * 8))))


def _settled_within(path: np.ndarray, gap, tol: float, diverged_at: np.ndarray,
                    anchors: np.ndarray | None = None) -> np.ndarray:
    """First step ``k`` from which ``gap(path)[j] <= tol`` for every ``j >= k`` (and no divergence),
    per run, else :data:`NEVER`: :func:`optimizers.convergence.settled_within` over ``path`` ``(K+1, C, 2)``.

    Scanned backwards in blocks of :data:`SCAN_BLOCK` steps over the runs still
    pending (those within at every step seen so far), so a run costs only the
    steps after its last excursion; no ``(K+1, C)`` temporary is built.

    ``anchors`` ``(C, 2)`` (basin maps: the known minimum nearest to each run's last
    point) make the scan cheaper without changing it: the distance to a run's anchor
    is at least its gap (the distance to the nearest of all minima), so a point within
    ``tol`` of its anchor is within; the full ``gap`` is computed only for the others.
    """
    n_runs = path.shape[1]
    settled = np.full(n_runs, NEVER, dtype=np.int64)                 # (C,)
    pending = np.arange(n_runs)
    for hi in range(path.shape[0], 0, -SCAN_BLOCK):
        if pending.size == 0:
            break
        lo = max(hi - SCAN_BLOCK, 0)
        block = path[lo:hi] if pending.size == n_runs else path[lo:hi, pending]   # (B, P, 2)
        with np.errstate(all="ignore"):
            if anchors is None:
                near = gap(block) <= tol                             # (B, P); NaN compares False
            else:
                dx = block[..., 0] - anchors[pending, 0]             # (B, P)
                dy = block[..., 1] - anchors[pending, 1]
                near = np.sqrt(dx * dx + dy * dy) <= tol              # within of the anchor: within
                far = ~near
                if far.any():
                    near[far] = gap(block[far][:, None, :])[:, 0] <= tol
            hit = convergence.before_divergence(near, diverged_at[pending], first_step=lo)   # (B, P)
        if hi == path.shape[0]:
            outside_at_end = ~hit[-1]                                # never settled: stays NEVER
            hit, pending = hit[:, ~outside_at_end], pending[~outside_at_end]
        last_miss = convergence.last_outside(hit)                    # (P,) within the block, or -1
        left = last_miss >= 0
        settled[pending[left]] = lo + last_miss[left] + 1
        pending = pending[~left]
    settled[pending] = 0                                             # within at every step
    return settled


class MapDeadlineExceeded(ValueError):
    """A map stopped at its ``deadline`` (a ``time.monotonic()`` instant) before every cell ran its steps.

    A ValueError, so callers that show a refused map's message show this one too.
    """


def _sweep(landscape, optimizer_for_rows, starts: np.ndarray, steps: int, gap, tol: float, *,
           schedule=None, noise: float = 0.0, seed=0, bound: float = DEFAULT_BOUND, anchor_of=None,
           deadline: float | None = None) -> _Sweep:
    """Run every row of ``starts`` ``(N, 2)``, ``C`` rows at a time, and reduce each chunk's path.

    ``optimizer_for_rows(rows)`` gives the optimizer for a slice of rows (per-run
    hyperparameters are sliced with the rows); ``gap(path)`` maps ``(K+1, C, 2)``
    to ``(K+1, C)`` (the tolerance measure). ``steps_to_tol`` is the step the run
    settled: the first ``k`` with ``gap[j] <= tol`` for every ``j >= k`` and no
    divergence, else :data:`NEVER`: the rule of
    :meth:`optimizers.loop.Trajectory.settled_at` (a run that only touches the
    tolerance and leaves again has not converged).
    With ``deadline``, the loop stops stepping once it has passed and
    :class:`MapDeadlineExceeded` says how far the map got.
    """
    n_runs = starts.shape[0]
    final = np.empty((n_runs, 2))                                    # (N, 2)
    diverged_at = np.empty(n_runs, dtype=np.int64)                   # (N,)
    steps_to_tol = np.empty(n_runs, dtype=np.int64)                  # (N,)
    seeds = np.broadcast_to(np.asarray(seed), (n_runs,)) if np.ndim(seed) else None
    chunk = _chunk_rows(steps, n_runs)
    for lo in range(0, n_runs, chunk):
        rows = slice(lo, min(lo + chunk, n_runs))
        # run() drops diverged_at and simulate() records optimizer state we do not need (2.5x slower
        # here), so call the loop behind both directly: same stepping, path kept, no state recorded.
        out = _iterate(landscape, optimizer_for_rows(rows), starts[rows], steps, schedule=schedule,
                       noise=noise, seed=seed if seeds is None else seeds[rows], bound=bound,
                       deadline=deadline)
        if out["cut_at"] >= 0:
            raise MapDeadlineExceeded(
                f"the map was stopped at its time limit: {lo} of {n_runs} cells done and the next "
                f"{rows.stop - lo} at step {out['cut_at']} of {steps}; use a smaller grid, fewer steps "
                f"or a cheaper surface")
        path = out["path"]                                           # (K+1, C, 2)
        final[rows] = path[-1]
        diverged_at[rows] = out["diverged_at"]
        anchors = None if anchor_of is None else anchor_of(path[-1])    # (C, 2) or None
        steps_to_tol[rows] = _settled_within(path, gap, tol, out["diverged_at"], anchors)
        del out, path                                                # free before the next chunk's path
    return _Sweep(final, diverged_at, steps_to_tol)


def _nearest_distance(centres: np.ndarray):
    """``gap(path)``: distance ``(K+1, C)`` from each point of ``path`` ``(K+1, C, 2)`` to the nearest centre.

    Computed one centre at a time (never ``(K+1, C, M, 2)``), as ``sqrt(dx^2 + dy^2)``
    like :meth:`landscapes.base.Landscape.nearest_minimum`; the square root is taken once, of
    the smallest square (sqrt is monotone and correctly rounded, so this is the same number).
    Infinite without centres.
    """
    def gap(path: np.ndarray) -> np.ndarray:
        best = np.full(path.shape[:-1], np.inf)                      # (K+1, C) squared distances
        square = np.empty(path.shape[:-1])
        for cx, cy in centres:
            dx = path[..., 0] - cx
            dy = path[..., 1] - cy
            np.multiply(dx, dx, out=square)
            dy *= dy
            square += dy
            np.minimum(best, square, out=best)
        return np.sqrt(best, out=best)
    return gap


# --------------------------------------------------------------------------- basin map
@dataclass
class BasinMap:
    """Where each start of a ``G x G`` grid ends: one run per cell centre.

    Arrays are indexed ``[row=y, col=x]``:
        xs, ys: ``(G,)`` cell centres.
        labels: ``(G, G)`` int: ``i >= 0`` is the index into ``minima`` of the known
            minimum within ``tol`` of the final point; :data:`DIVERGED` (-1) the run
            diverged; :data:`NOT_CONVERGED` (-2) it ended farther than ``tol`` from
            every known minimum.
        steps_to_tol: ``(G, G)`` int: the step from which the run stayed within ``tol``
            of a known minimum to the end (0 = started there and stayed), or :data:`NEVER` (-1).
        final: ``(G, G, 2)`` final points (a diverged run's last finite point).
        diverged_at: ``(G, G)`` int: the step that diverged, or -1.
        minima: the landscape's known minima, in label order (global first).
        legend: label code -> text, e.g. ``{0: "global minimum (1, 1)", -1: "diverged", ...}``.
        counts: label code -> number of cells (every legend code present, zeros included).
    """

    xs: np.ndarray
    ys: np.ndarray
    labels: np.ndarray
    steps_to_tol: np.ndarray
    final: np.ndarray
    diverged_at: np.ndarray
    minima: list
    legend: dict
    counts: dict
    tol: float
    steps: int
    view: tuple
    optimizer: str = ""

    def to_frame(self):
        """A tidy pandas DataFrame: one row per cell, columns
        ``x, y, label, label_text, steps_to_tol, final_x, final_y, diverged_at``."""
        import pandas as pd

        X, Y = np.meshgrid(self.xs, self.ys)                         # (G, G) each
        labels = self.labels.ravel()
        return pd.DataFrame({
            "x": X.ravel(), "y": Y.ravel(), "label": labels,
            "label_text": [self.legend[int(code)] for code in labels],
            "steps_to_tol": self.steps_to_tol.ravel(),
            "final_x": self.final[..., 0].ravel(), "final_y": self.final[..., 1].ravel(),
            "diverged_at": self.diverged_at.ravel(),
        })


def cell_centres(view: Sequence[float], grid: int) -> tuple[np.ndarray, np.ndarray]:
    """Centres of a ``grid x grid`` partition of ``view``: ``x_min + (i + 1/2) dx``; two ``(G,)`` arrays."""
    x_min, x_max, y_min, y_max = view
    offsets = (np.arange(grid) + 0.5) / grid
    return x_min + (x_max - x_min) * offsets, y_min + (y_max - y_min) * offsets


def basin_map(landscape, optimizer: Optimizer, steps: int, *, grid: int = 100, view=None, tol=None,
              schedule=None, noise: float = 0.0, seed=0, bound: float = DEFAULT_BOUND,
              deadline: float | None = None) -> BasinMap:
    """Basins of attraction: run ``optimizer`` from the centre of every cell of a ``grid x grid``
    partition of ``view`` (default ``landscape.view``) for ``steps`` steps, as one batch.

    A cell's label is the index ``i`` of the known minimum m_i (``landscape.minima``)
    nearest to its final point x_K when ``|x_K - m_i| <= tol``; else :data:`NOT_CONVERGED`;
    :data:`DIVERGED` when the run diverged. ``tol`` defaults to 1% of the view's larger
    side. ``steps_to_tol`` is the first k with ``min_i |x_j - m_i| <= tol`` for all j >= k
    (settled), as ``Trajectory.settled_at(tol, measure="distance")``.

    ``optimizer`` must have one value per hyperparameter (no per-run arrays). With
    ``noise > 0`` every cell uses the same ``seed``, hence the same noise sequence
    (common random numbers: cells differ only by their start).

    Caps: ``2 <= grid <= 200``, ``0 <= steps <= 5000``; past them, ValueError. Every optimizer,
    L-BFGS included, steps all cells as one batch.
    ``deadline`` (a ``time.monotonic()`` instant): past it, stepping stops and
    :class:`MapDeadlineExceeded` (a ValueError) is raised.
    """
    if not isinstance(optimizer, Optimizer):
        raise TypeError("optimizer must come from optimizers.get(...)")
    if isinstance(grid, (bool, np.bool_)) or not isinstance(grid, (int, np.integer)) \
            or not 2 <= grid <= MAX_BASIN_GRID:
        raise ValueError(f"grid must be a whole number in [2, {MAX_BASIN_GRID}], got {grid!r}")
    steps = _check_steps(steps)
    view = _check_view(landscape.view if view is None else view)
    side = max(view[1] - view[0], view[3] - view[2])
    tol = DEFAULT_BASIN_TOL_FRACTION * side if tol is None else positive_number("tol", tol)
    for key, value in optimizer.hyper.items():
        if isinstance(value, np.ndarray) and value.size != 1:
            raise ValueError(f"basin_map: {key} must be one value for every cell, not one per run")

    xs, ys = cell_centres(view, grid)                                # (G,), (G,)
    X, Y = np.meshgrid(xs, ys)                                       # (G, G): row = y
    starts = np.stack([X.ravel(), Y.ravel()], axis=-1)               # (G*G, 2)
    minima = list(landscape.minima)
    centres = np.array([m.as_array() for m in minima]).reshape(-1, 2)  # (M, 2)
    def nearest_centre(final: np.ndarray) -> np.ndarray:           # (C, 2) -> (C, 2): the settled scan's anchors
        return centres[landscape.nearest_minimum(final)[0]]

    sweep = _sweep(landscape, lambda rows: optimizer, starts, steps, _nearest_distance(centres), tol,
                   schedule=schedule, noise=noise, seed=seed, bound=bound,
                   anchor_of=nearest_centre if len(centres) else None, deadline=deadline)

    labels = np.full(starts.shape[0], NOT_CONVERGED, dtype=np.int64)  # (G*G,)
    if minima:
        index, distance = landscape.nearest_minimum(sweep.final)
        labels = np.where(distance <= tol, index, NOT_CONVERGED)
    labels[sweep.diverged_at >= 0] = DIVERGED

    legend = {i: f"{m.kind} ({m.x:.4g}, {m.y:.4g})" for i, m in enumerate(minima)}
    legend[DIVERGED] = "diverged"
    legend[NOT_CONVERGED] = "not converged"
    counts = {code: int(np.count_nonzero(labels == code)) for code in legend}
    shape = (grid, grid)
    return BasinMap(
        xs=xs, ys=ys, labels=labels.reshape(shape), steps_to_tol=sweep.steps_to_tol.reshape(shape),
        final=sweep.final.reshape(shape + (2,)), diverged_at=sweep.diverged_at.reshape(shape),
        minima=minima, legend=legend, counts=counts, tol=tol, steps=steps, view=view,
        optimizer=optimizer.describe(),
    )


# --------------------------------------------------------------------------- sensitivity map
def param_grid(param: Param, n: int, low: float | None = None, high: float | None = None) -> np.ndarray:
    """``n`` values of ``param`` from ``low`` to ``high`` (default: its slider range, else its valid range).

    ``param.scale == "log"``: geometric spacing ``low * (high/low)^(i/(n-1))`` (needs
    ``0 < low``); ``"linear"``: even spacing. Every value is checked against the
    parameter's valid range. ``1 <= n <= 50``.
    """
    _check_numeric(param, "param_grid")
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) \
            or not 1 <= n <= MAX_SENSITIVITY_GRID:
        raise ValueError(f"n must be a whole number in [1, {MAX_SENSITIVITY_GRID}], got {n!r}")
    low = _first_set(low, param.slider_low, param.low)
    high = _first_set(high, param.slider_high, param.high)
    if low is None or high is None or not (np.isfinite(low) and np.isfinite(high)) or low > high:
        raise ValueError(f"{param.name}: give a finite range low <= high (got low={low!r}, high={high!r})")
    if param.scale == "log":
        if low <= 0:
            raise ValueError(f"{param.name} is on a log scale: low must be > 0, got {low!r}")
        values = np.geomspace(low, high, n)
    else:
        values = np.linspace(low, high, n)
    if param.kind == "int":
        values = np.unique(np.round(values))
    return param.validate(values, owner="param_grid")


def _first_set(*candidates):
    return next((float(c) for c in candidates if c is not None), None)


def _check_numeric(param: Param, owner: str) -> None:
    if param.kind not in ("float", "int") or not param.per_run:
        raise ValueError(f"{owner}: {param.name} is not a numeric per-run hyperparameter "
                         f"({param.range_text()}); a map needs a number")


@dataclass
class SensitivityMap:
    """One run per pair of hyperparameter values, all from one start; arrays ``[row=y, col=x]``.

        x_values: ``(nx,)`` values of ``x_param``; y_values: ``(ny,)`` values of ``y_param``.
        loss_gap: ``(ny, nx)`` final loss minus ``reference`` (the global minimum's value
            when known, else the lowest final loss of a non-diverged cell), clipped to
            ``[LOSS_GAP_FLOOR, LOSS_GAP_CEILING]`` (non-finite -> ceiling). For a diverged
            cell it is the gap at its last finite point: mask it with ``diverged``.
        steps_to_tol: ``(ny, nx)`` the step from which the loss gap stays <= ``tol`` to the
            end (gradient norm without a known minimum), or :data:`NEVER` (-1).
        diverged: ``(ny, nx)`` bool; diverged_at: ``(ny, nx)`` int, -1 when not.
        final: ``(ny, nx, 2)`` final points (finite).
    """

    optimizer_name: str
    base_hyper: dict
    x_param: str
    y_param: str
    x_values: np.ndarray
    y_values: np.ndarray
    x_scale: str
    y_scale: str
    loss_gap: np.ndarray
    steps_to_tol: np.ndarray
    diverged: np.ndarray
    diverged_at: np.ndarray
    final: np.ndarray
    reference: float
    measure: str
    start: tuple
    steps: int
    tol: float

    def to_frame(self):
        """A tidy pandas DataFrame: one row per cell, columns
        ``<x_param>, <y_param>, loss_gap, steps_to_tol, diverged, final_x, final_y``."""
        import pandas as pd

        X, Y = np.meshgrid(self.x_values, self.y_values)             # (ny, nx) each
        return pd.DataFrame({
            self.x_param: X.ravel(), self.y_param: Y.ravel(),
            "loss_gap": self.loss_gap.ravel(), "steps_to_tol": self.steps_to_tol.ravel(),
            "diverged": self.diverged.ravel(),
            "final_x": self.final[..., 0].ravel(), "final_y": self.final[..., 1].ravel(),
        })


def _sweep_values(name: str, param: Param, values) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1 or not 1 <= array.size <= MAX_SENSITIVITY_GRID:
        raise ValueError(f"{name}: give 1 to {MAX_SENSITIVITY_GRID} values as a 1-D list, "
                         f"got shape {array.shape}")
    return param.validate(array, owner=name)


def sensitivity_map(landscape, optimizer_name: str, base_hyper: Mapping, x_param: str, x_values,
                    y_param: str, y_values, start, steps: int, *, schedule=None, tol: float = 1e-3,
                    noise: float = 0.0, seed=0, bound: float = DEFAULT_BOUND,
                    deadline: float | None = None) -> SensitivityMap:
    """Sweep two numeric hyperparameters of ``optimizer_name`` over a grid, one batch of
    ``len(x_values) * len(y_values)`` runs from ``start`` (the hyperparameters as per-run arrays).

    Cell ``[j, i]`` is the run with ``x_param = x_values[i]``, ``y_param = y_values[j]``
    and ``base_hyper`` for the rest. The map is the engine's batch bit for bit, and each cell
    equals a separate run with those scalar values bit for bit.
    Caps: at most 50 values per axis, ``0 <= steps <= 5000``; unknown or non-numeric parameters and
    values outside their range raise ValueError.
    ``deadline``: as in :func:`basin_map`.
    """
    params = {p.name: p for p in optimizer_schema(optimizer_name)}  # ValueError for an unknown name
    for name in (x_param, y_param):
        if name not in params:
            numeric = [p.name for p in params.values() if p.kind in ("float", "int") and p.per_run]
            raise ValueError(f"{optimizer_name}: unknown hyperparameter {name!r}; numeric ones: "
                             f"{', '.join(numeric)}")
        _check_numeric(params[name], optimizer_name)
    if x_param == y_param:
        raise ValueError(f"x_param and y_param must differ, both are {x_param!r}")
    if not isinstance(base_hyper, Mapping):
        raise ValueError("base_hyper must be a mapping of hyperparameter names to values")
    base = dict(base_hyper)
    if "betas" in base and "beta1" in params:                      # expand torch's pair first
        beta1, beta2 = base.pop("betas")
        base = {"beta1": beta1, "beta2": beta2, **base}
    base.pop(x_param, None)
    base.pop(y_param, None)
    xv = _sweep_values(x_param, params[x_param], x_values)           # (nx,)
    yv = _sweep_values(y_param, params[y_param], y_values)           # (ny,)
    steps = _check_steps(steps)
    tol = positive_number("tol", tol)
    start_point = np.asarray(start, dtype=np.float64)
    if start_point.shape != (2,) or not np.all(np.isfinite(start_point)):
        raise ValueError(f"start must be one finite pair (x, y), got {start!r}")

    X, Y = np.meshgrid(xv, yv)                                       # (ny, nx): row = y
    x_runs, y_runs = X.ravel(), Y.ravel()                            # (N,)
    n_runs = x_runs.size
    whole = get_optimizer(optimizer_name, **base, **{x_param: x_runs, y_param: y_runs})  # validates all

    def optimizer_for_rows(rows: slice) -> Optimizer:
        if rows.start == 0 and rows.stop == n_runs:
            return whole
        return get_optimizer(optimizer_name, **base, **{x_param: x_runs[rows], y_param: y_runs[rows]})

    best = landscape.global_minimum
    if best is not None:
        measure = "loss_gap"

        def gap(path):
            return landscape.value(path) - best.value                # (K+1, C)
    else:
        measure = "grad_norm"

        def gap(path):
            return np.linalg.norm(landscape.grad(path), axis=-1)     # (K+1, C)

    starts = np.broadcast_to(start_point, (n_runs, 2))               # (N, 2)
    sweep = _sweep(landscape, optimizer_for_rows, starts, steps, gap, tol,
                   schedule=schedule, noise=noise, seed=seed, bound=bound, deadline=deadline)

    diverged = sweep.diverged_at >= 0                                # (N,)
    with np.errstate(all="ignore"):
        final_loss = landscape.value(sweep.final)                    # (N,)
    if best is not None:
        reference = float(best.value)
    else:
        pool = final_loss[~diverged & np.isfinite(final_loss)]
        pool = pool if pool.size else final_loss[np.isfinite(final_loss)]
        reference = float(pool.min()) if pool.size else 0.0
    with np.errstate(all="ignore"):
        loss_gap = final_loss - reference
    loss_gap = np.clip(np.nan_to_num(loss_gap, nan=LOSS_GAP_CEILING, posinf=LOSS_GAP_CEILING,
                                     neginf=LOSS_GAP_FLOOR), LOSS_GAP_FLOOR, LOSS_GAP_CEILING)
    shape = X.shape
    return SensitivityMap(
        optimizer_name=optimizer_name, base_hyper=base, x_param=x_param, y_param=y_param,
        x_values=xv, y_values=yv, x_scale=params[x_param].scale, y_scale=params[y_param].scale,
        loss_gap=loss_gap.reshape(shape), steps_to_tol=sweep.steps_to_tol.reshape(shape),
        diverged=diverged.reshape(shape), diverged_at=sweep.diverged_at.reshape(shape),
        final=sweep.final.reshape(shape + (2,)), reference=reference, measure=measure,
        start=(float(start_point[0]), float(start_point[1])), steps=steps, tol=tol,
    )
