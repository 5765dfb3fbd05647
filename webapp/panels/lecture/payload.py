"""The lecture views wired to the page: what the map, the loss plot and the player payload carry when a
view is on (pure: results and settings in, dicts out; no dash). Nothing here edits another module's
figure: each figure is composed in one pass by the function that owns it.

* side by side (``view_mode=side``): the map is one small map per run (:func:`side_by_side_map`, from
  :func:`webapp.figures.lecture_maps.small_multiples_figure`, linked zoom; it depends on the surface,
  the view and the runs' names only), the payload says ``view_mode="side"`` and the player draws run i
  inside panel i's axes;
* arrows: ``payload.runs[i].arrows = {"kinds", "names", "colors", "x", "y"}`` where ``x[j][t]``,
  ``y[j][t]`` is the tip of arrow kind j at point t, anchored at the run's own ``x[t]``, ``y[t]``
  (from :func:`webapp.figures.inner_state.state_arrows`: -gradient, -velocity, step taken); for a method
  with a look-ahead (the optimizer's ``lookahead``: Nesterov) also ``payload.runs[i].lookahead = {"ox",
  "oy", "x", "y"}``: per point t the lecture's iterate (``ox[t]``, ``oy[t]``) and the look-ahead point
  where the gradient is taken (``x[t]``, ``y[t]``; the run's own point in torch's form);
* gradient field: static traces of -grad f arrows, composed into the map by its builder
  (``field=True`` of :func:`webapp.figures.stage.map_figure` or of the side-by-side map);
* Polyak: ``payload.runs[i].polyak = {"from": s, "x", "y"}``, ``x[t - s] = mean(path[s..t])_x``, t >= s;
  beside it the lecture's EMA ``payload.runs[i].ema`` (same shape, and its ``decay``) and, on a cyclic
  schedule, the snapshot points ``payload.runs[i].snapshots`` (:mod:`webapp.figures.averages`);
* loss by gradient evaluations: ``payload.runs[i].loss_x``, and the same lists as the loss plot's x
  (``loss_x`` of :func:`webapp.figures.stage.loss_figure`).

The overlays that depend on runs (:func:`run_extras`) travel with the runs' payload, so a value edit
re-sends them with the paths and never the map. The inner state and the arrows need the optimizer's
recorded state: every ``RunResult`` carries its batch's cached ``Trajectory``
(:mod:`webapp.compute.runs`), so no view simulates again.
"""
from __future__ import annotations

import copy

import numpy as np

from webapp.figures.averages import ema_path, snapshot_points
from webapp.figures.encode import coordinate_decimals, rounded
from webapp.figures.inner_state import (arrow_scale, decade_ticks, inner_state_figure, inner_state_series, loss_axis,
                                        state_arrows)
from webapp.figures.lecture_maps import small_multiples_figure, surface_3d_figure
from webapp.figures.run_view import RunView
from webapp.figures.stage import equal_axes
from webapp.state.model import PALETTE
from webapp.state.palette import text_color
from webapp.state.view_options import options

__all__ = ["run_extras", "side_by_side", "trajectories", "polyak_path", "arrow_payload", "lookahead_payload",
           "side_by_side_map",
           "inner_figure", "threed_figure", "loss_by_evals"]

# ------------------------------------------------------------------ trajectories with their inner state
def trajectories(state, results) -> dict:
    """``{result.index: (Trajectory, column)}`` for the page's results: the cached batch trajectories
    the results were computed from (optimizer state included; nothing is simulated here)."""
    return {r.index: (r.trajectory, r.column) for r in results if r.trajectory is not None}


# ------------------------------------------------------------------ payload pieces
def polyak_path(path: np.ndarray, start: int, decimals: int) -> dict:
    """Polyak (iterate) average from step ``start``: ``x[t - s] = mean(path[s..t])`` for t = s..T."""
    path = np.asarray(path, dtype=np.float64)                          # (T+1, 2)
    start = int(min(max(start, 0), path.shape[0] - 1))
    tail = path[start:]
    average = np.cumsum(tail, axis=0) / np.arange(1, tail.shape[0] + 1)[:, None]   # (T+1-s, 2)
    return {"from": start, "x": rounded(average[:, 0], decimals), "y": rounded(average[:, 1], decimals)}


def own_average(result, decimals: int) -> dict | None:
    """The optimizer's own iterate average (its class's ``averaged_state``, ASGD's ``ax``: averaging from
    its ``t0``) in :func:`polyak_path`'s form, or None when the optimizer keeps none."""
    trajectory = result.trajectory
    key = type(trajectory.optimizer).averaged_state if trajectory is not None else None
    if key is None or key not in trajectory.state:
        return None
    average = trajectory.state[key][: result.path.shape[0], result.column]            # (T+1, 2)
    return {"from": 0, "x": rounded(average[:, 0], decimals), "y": rounded(average[:, 1], decimals)}


def arrow_payload(trajectory, column: int, view, decimals: int) -> dict:
    """Per-step arrow tips of one run (see the module docstring), scaled to the view."""
    arrows = state_arrows(inner_state_series(trajectory, column), arrow_scale(view), decimals=decimals)
    return {"kinds": [a["kind"] for a in arrows["arrows"]], "names": [a["name"] for a in arrows["arrows"]],
            "colors": [a["color"] for a in arrows["arrows"]],
            "x": [a["x"] for a in arrows["arrows"]], "y": [a["y"] for a in arrows["arrows"]]}


def lookahead_payload(trajectory, column: int, decimals: int) -> dict | None:
    """Per point t of one run, the lecture's iterate and its look-ahead point, from the optimizer's
    ``lookahead`` (``None`` for a method without one). The rate at point t is that of the update that
    reached it (at t = 0 the state is fresh and the rate does not matter)."""
    lr = np.concatenate([np.zeros_like(trajectory.lr[:1]) if trajectory.lr.size else
                         np.zeros((1, trajectory.n_runs)), trajectory.lr])[: trajectory.path.shape[0]]
    found = trajectory.optimizer.lookahead(trajectory.path, trajectory.state, lr[:, :, None])
    if found is None:
        return None
    origin, point = (np.asarray(a, dtype=np.float64)[:, column] for a in found)      # (T+1, 2) each
    return {"ox": rounded(origin[:, 0], decimals), "oy": rounded(origin[:, 1], decimals),
            "x": rounded(point[:, 0], decimals), "y": rounded(point[:, 1], decimals)}


def loss_by_evals(results, found: dict) -> list:
    """Per run, the gradient evaluations after each step (Newton: one a step; L-BFGS: every line-search
    trial): ``evals[i][t]`` for run i after step t."""
    out = []
    for result in results:
        trajectory, column = found[result.index]
        out.append(loss_axis(trajectory, "evals")["x"][column])
    return out


def run_extras(state, results, view) -> tuple[list, list | None]:
    """What the views that are on add to each run's payload entry, and the loss plot's x values.

    Returns ``(extras, loss_x)``: ``extras[i]`` is a dict for run i with ``arrows`` and ``polyak`` (see
    the module docstring) and ``loss_x`` when the loss is plotted against gradient evaluations;
    ``loss_x`` is the per-run list of those evaluations (``None``: against steps).
    """
    chosen = options(state)
    decimals = coordinate_decimals(view)
    needs_state = chosen.arrows or chosen.loss_by_evals
    found = trajectories(state, results) if needs_state else {}
    loss_x = loss_by_evals(results, found) if chosen.loss_by_evals and all(
        r.index in found for r in results) else None
    extras = []
    for position, result in enumerate(results):
        extra = {}
        if chosen.arrows and result.index in found:
            extra["arrows"] = arrow_payload(*found[result.index], view, decimals)
            ahead = lookahead_payload(*found[result.index], decimals)
            if ahead is not None:
                extra["lookahead"] = ahead
        if chosen.polyak:
            extra["polyak"] = own_average(result, decimals) or polyak_path(result.path, chosen.polyak_from, decimals)
            extra["ema"] = ema_path(result.path, chosen.polyak_decay, chosen.polyak_from, decimals)
            snapshots = snapshot_points(result.spec, result.path, decimals)
            if snapshots is not None:
                extra["snapshots"] = snapshots
        if loss_x is not None:
            extra["loss_x"] = loss_x[position]
        extras.append(extra)
    return extras, loss_x


def side_by_side(state, results) -> bool:
    """One small map per run (``view_mode=side``, with at least one run)."""
    return bool(options(state).side and results)


def side_by_side_map(surface, view, names: list, token: int, field: bool, equal: bool = False) -> dict:
    """One small map per run (linked zoom), titled with the runs' names; the player draws each run, its
    hover read-out and the start marker in its panel. ``equal``: each panel's axes at one scale."""
    runs = [RunView(name, PALETTE[0], np.zeros((1, 2))) for name in names]
    figure = small_multiples_figure(surface, view, runs, token=token, grid_size=80, with_runs=False, field=field)
    layout = figure["layout"]
    if equal:
        for key in [k for k in layout if k.startswith("yaxis")]:
            layout[key].update(equal_axes("x" + key[5:]))
            layout["x" + key[1:]]["constrain"] = "domain"
    layout["meta"]["equal_aspect"] = bool(equal)
    layout.pop("height", None)
    layout["margin"] = {**layout.get("margin", {}), "t": 44}      # panel titles clear of the mode bar
    layout["meta"]["view_mode"] = "side"
    return figure


# ------------------------------------------------------------------ the cards
def _merge_rows(figures: list[dict]) -> dict:
    """Several runs' inner-state figures in one, rows matched by name, on the layout of the richest run."""
    # the layout of the run with the most rows (Adam's has them all); rows others lack are left out
    base = max(figures, key=lambda f: len(f["layout"]["meta"]["rows"]))
    layout = copy.deepcopy(base["layout"])
    base_rows = layout["meta"]["rows"]
    data = []
    for figure in figures:
        names = figure["layout"]["meta"]["rows"]
        for trace in figure["data"]:
            row = int(trace["yaxis"][1:] or 1)
            name = names[row - 1]
            if name not in base_rows:
                continue                       # a row only another optimizer has (drawn in its own view)
            target = base_rows.index(name) + 1
            suffix = "" if target == 1 else str(target)
            data.append({**trace, "xaxis": f"x{suffix}", "yaxis": f"y{suffix}"})
    for key in list(layout):
        if key.startswith("yaxis") and layout[key].get("type") == "log":
            for name in ("dtick", "tickformat", "nticks"):
                layout[key].pop(name, None)
            suffix = key[5:]
            values = [v for t in data if t["yaxis"] == f"y{suffix}" for v in t["y"]]
            layout[key].update({"nticks": 4, **decade_ticks(values)})
    return {"data": data, "layout": layout}


def inner_figure(state, results, run: int | None = None) -> tuple[dict, list]:
    """The inner-state card's figure for run ``run`` (position in ``results``) or every visible run,
    and the readout table: per run ``{name, color, grad_norm (T+1), step_length, lr, eff_x, eff_y,
    bc1, bc2 (T each, or None)}``; the player shows the values at the cursor.

    The step cursor is drawn by the player (an SVG line), so the Plotly shape is dropped.
    """
    if not results:
        return {"data": [], "layout": {}}, []
    found = trajectories(state, results)
    chosen = [results[run]] if run is not None and 0 <= run < len(results) else \
        [r for r in results if r.spec.visible] or results[:1]
    figures, readout = [], []
    for result in chosen:
        trajectory, column = found[result.index]
        series = inner_state_series(trajectory, column)
        colour = _colour(result)
        figures.append(inner_state_figure(series, colour=colour, lang=state.lang))
        effective, bias = series["effective_lr"], series["bias_correction"]
        readout.append({
            "name": result.label, "color": colour, "text_color": text_color(result.spec.color),
            "optimizer": series["optimizer"],
            "grad_norm": _sig(series["grad_norm"]), "step_length": _sig(series["step_length"]),
            "lr": _sig(series["lr"]),
            "eff_x": _sig(effective[:, 0]) if effective is not None else None,
            "eff_y": _sig(effective[:, 1]) if effective is not None else None,
            "bc1": _sig(bias["beta1"]) if bias is not None else None,
            "bc2": _sig(bias["beta2"]) if bias is not None else None,
        })
    figure = figures[0] if len(figures) == 1 else _merge_rows(figures)
    figure["layout"]["shapes"] = []
    figure["layout"]["meta"]["runs"] = len(readout)
    return figure, readout


def _sig(values) -> list:
    values = np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0, posinf=1e300, neginf=-1e300)
    return [float(f"{v:.4g}") for v in values.tolist()]


def _colour(result) -> str:
    return PALETTE[result.spec.color % len(PALETTE)]


THREED_SCALE = [[0.0, "#ffffff"], [0.35, "#dde2ea"], [0.7, "#aab3c2"], [1.0, "#5f6b7f"]]


def inside_view(path: np.ndarray, view) -> np.ndarray:
    """The path up to (not including) its first point outside the view box: a run that leaves the
    surface's box (diverging, usually) would otherwise draw a line far out of the 3D scene."""
    path = np.asarray(path, dtype=np.float64)                          # (T+1, 2)
    x0, x1, y0, y1 = (float(v) for v in view)
    outside = ~((path[:, 0] >= x0) & (path[:, 0] <= x1) & (path[:, 1] >= y0) & (path[:, 1] <= y1))
    first = int(np.argmax(outside)) if outside.any() else path.shape[0]
    return path[:max(first, 1)]


def threed_figure(surface, view, results) -> dict:
    """The 3D surface (log colour for huge ranges) with every run's path inside the view box; the
    player moves the markers and grows the paths."""
    runs = [RunView(r.label, _colour(r), inside_view(r.path, view), bool(r.spec.visible)) for r in results]
    figure = surface_3d_figure(surface, view, runs, step=0, grid_size=60)
    figure["data"][0]["colorscale"] = THREED_SCALE
    figure["layout"]["height"] = 460
    return figure
