"""The Maps panel's requests, pure: validate the settings, bound the work, compute (cached), figure, clicks.

Its settings live in the page state (``AppState.maps``, a :class:`~webapp.state.model.MapSettings`
written to the link as ``?map=basin&map_runs=0,3&map_grid=80``), so a shared link reproduces the map.

* :func:`parse_request` checks the settings (coerced by :func:`webapp.state.coerce.map_settings`)
  against the page's runs, with a notice for every clamp or refusal (anyone can post).
* :func:`budget_refusal`: a request whose cost is over about a second is refused with a message,
  first by the declared cost (:func:`webapp.compute.cost.map_cost_us`, from each optimizer class's
  ``step_cost``), then by the measured one (:func:`measured_refusal`: a probe of a few steps on
  the surface itself, :func:`webapp.compute.cost.probe_row_step_us`, since a long formula costs
  hundreds of times a quadratic per evaluation). Whatever the probes missed, the engine stops at
  the request's deadline (:mod:`webapp.compute.deadline`) and its message is shown.
* :func:`compute_panels`: one panel per chosen run, through an LRU cache keyed by the canonical
  request (:func:`basin_key`, :func:`sensitivity_key`: a basin map ignores the start, a sensitivity
  map ignores the current values of its two swept parameters, so clicking a cell redraws the
  marker without recomputing).
* :func:`apply_click`: a basin cell starts every run at that cell's centre; a sensitivity cell
  loads that pair of values into its run.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

import optimizers
from optimizers.maps import MAX_MAP_STEPS, MAX_SENSITIVITY_GRID, param_grid
from webapp.compute.cache import LRUCache
from webapp.compute.cost import MAP_BUDGET_US, map_cost_us, measured_map_cost_us, probe_row_step_us
from webapp.compute.deadline import current_deadline
from webapp.compute.variants import engine_spec
from webapp.figures import maps as maps_figures
from webapp.i18n import localize, msg
from webapp.state import coerce
from webapp.state.model import DEFAULT_GRID, DEFAULT_SIDE, MAP_COLORS, MapSettings

__all__ = ["MapRequest", "parse_request", "request_settings", "work_estimate", "budget_refusal", "measured_refusal",
           "compute_panels", "map_figure", "apply_click", "csv_text", "numeric_params", "swept_pair", "basin_key",
           "sensitivity_key", "MAX_PANELS"]

MAX_PANELS = 4
CACHE = LRUCache(48)          # frozen request tuples (basin_key, sensitivity_key) -> computed map


@dataclass(frozen=True)
class MapRequest:
    """What the panel computes, validated: kind, runs (indices into ``state.runs``) and sizes."""

    kind: str = "basin"
    runs: tuple = (0,)
    grid: int = DEFAULT_GRID          # basin: G x G cells
    steps: int = 300
    color: str = "minimum"
    x_param: str = "lr"               # sensitivity: asked-for parameters (each run may fall back)
    y_param: str = ""
    side: int = DEFAULT_SIDE          # sensitivity: values per axis


# ------------------------------------------------------------------ validation
def numeric_params(optimizer: str) -> list[str]:
    """Names of ``optimizer``'s numeric per-run hyperparameters (the ones a sensitivity map can sweep)."""
    return [p.name for p in optimizers.schema(optimizer) if p.kind in ("float", "int") and p.per_run]


def swept_pair(optimizer: str, x_param: str, y_param: str) -> tuple[str, str] | None:
    """The two parameters swept for a run of ``optimizer``: the asked-for ones where it has them,
    else ``lr`` (or its first numeric one) by its next numeric one. ``None`` with fewer than two."""
    names = numeric_params(optimizer)
    if len(names) < 2:
        return None
    x = x_param if x_param in names else ("lr" if "lr" in names else names[0])
    others = [n for n in names if n != x]
    y = y_param if y_param in others else others[0]
    return x, y


def parse_request(settings, state) -> tuple[MapRequest | None, list[str]]:
    """The map ``state`` asks for: its :class:`~webapp.state.model.MapSettings` (or link text / control
    values, coerced by :func:`webapp.state.coerce.map_settings`) checked against the page's runs.

    Returns ``(None, messages)`` when no map is asked for (or none is possible), else the request
    with every value in range; each correction adds a message (a run that does not exist, more than
    :data:`MAX_PANELS` runs, a parameter no chosen run has). Never raises.
    """
    messages: list[str] = []
    settings = coerce.map_settings(settings, messages)
    if settings.kind is None:
        return None, messages
    if not state.runs:
        messages.append(msg("notices.maps_add_run"))
        return None, messages
    runs = []
    for index in settings.runs:
        if index < len(state.runs):
            runs.append(index)
        else:
            messages.append(msg("notices.maps_index_missing", index=repr(index)))
    if len(runs) > MAX_PANELS:
        messages.append(msg("notices.maps_at_most", limit=MAX_PANELS))
        runs = runs[:MAX_PANELS]
    runs = tuple(runs) or (0,)
    kind = settings.kind
    steps = settings.steps if settings.steps is not None else min(state.steps, MAX_MAP_STEPS)
    if kind == "sensitivity":
        known = {name for i in runs for name in numeric_params(state.runs[i].optimizer)}
        for asked in (settings.x_param, settings.y_param):
            if asked and asked not in known:
                messages.append(msg("notices.maps_param_missing", name=repr(asked)))
    return MapRequest(kind=kind, runs=runs, grid=settings.grid, steps=steps,
                      color=settings.color or MAP_COLORS[kind][0], x_param=settings.x_param, y_param=settings.y_param,
                      side=settings.side), messages


def request_settings(request: MapRequest | None, state) -> MapSettings:
    """The request as the state's settings (``AppState.maps``): the runs' own steps stay implicit."""
    if request is None:
        return MapSettings()
    return MapSettings(kind=request.kind, runs=request.runs, grid=request.grid,
                       steps=None if request.steps == min(state.steps, MAX_MAP_STEPS) else request.steps,
                       color=request.color, x_param=request.x_param, y_param=request.y_param, side=request.side)


def work_estimate(request: MapRequest, state) -> float:
    """Microseconds the request would take, summed over its panels (:func:`webapp.compute.cost.map_cost_us`)."""
    cells = request.grid ** 2 if request.kind == "basin" else request.side ** 2
    return sum(map_cost_us(state.runs[i].optimizer, cells, request.steps) for i in request.runs)


def budget_refusal(request: MapRequest, state) -> str | None:
    """A message when the request would take more than about a second, else ``None``."""
    work = work_estimate(request, state)
    if work <= MAP_BUDGET_US:
        return None
    first_order = map_cost_us("sgd", 1, 1)
    slow = sorted({state.runs[i].optimizer for i in request.runs
                   if map_cost_us(state.runs[i].optimizer, 1, 1) > 2 * first_order})
    size = f"{request.grid}x{request.grid}" if request.kind == "basin" else f"{request.side}x{request.side}"
    hint = msg("notices.maps_costs_more", names=", ".join(slow)) if slow else ""
    return msg("notices.maps_too_much", count=len(request.runs), size=size, steps=request.steps, hint=hint,
               ratio=f"{work / MAP_BUDGET_US:.1f}")


def _row_step_us(state, run, deadline) -> float:
    """The measured cost of one row's step of ``run`` on the state's surface (cached per surface and run)."""
    key = ("probe", _surface_key(state), tuple(state.view_box()), _run_key(run))
    cached = CACHE.get(key)
    if cached is None:
        spec = engine_spec(run, state.start_point())
        cached = probe_row_step_us(state.landscape(), spec.build(), state.view_box(), schedule=spec.schedule,
                                   noise=spec.noise, seed=spec.seed, deadline=deadline)
        CACHE.put(key, cached)
    return cached


def measured_refusal(request: MapRequest, state, deadline: float | None = None) -> str | None:
    """A message when the request, timed by a probe on this surface, would take more than about a second."""
    cells = request.grid ** 2 if request.kind == "basin" else request.side ** 2
    work = sum(measured_map_cost_us(state.runs[i].optimizer, _row_step_us(state, state.runs[i], deadline), cells,
                                    request.steps) for i in request.runs)
    if work <= MAP_BUDGET_US:
        return None
    size = f"{request.grid}x{request.grid}" if request.kind == "basin" else f"{request.side}x{request.side}"
    fits = max(1, int(request.steps * MAP_BUDGET_US / work))
    return msg("notices.maps_slow_surface", count=len(request.runs), size=size, steps=request.steps,
               seconds=f"{work / 1e6:.1f}", limit=f"{MAP_BUDGET_US / 1e6:.1f}", fits=fits)


# ------------------------------------------------------------------ computing (cached)
def _run_key(run) -> tuple:
    return (run.optimizer, tuple(sorted((k, repr(v)) for k, v in run.hyper.items())), run.schedule,
            tuple(sorted((k, repr(v)) for k, v in run.schedule_params.items())), run.noise, run.seed)


def _surface_key(state) -> tuple:
    return (state.surface, tuple(sorted((k, repr(v)) for k, v in state.surface_params.items())))


def basin_key(state, run, request: MapRequest) -> tuple:
    """Everything a basin map depends on (not the start point: every cell is a start)."""
    return ("basin", _surface_key(state), tuple(state.view_box()), _run_key(run), request.grid, request.steps)


def sensitivity_key(state, run, pair, request: MapRequest) -> tuple:
    """Everything a sensitivity map depends on, except the current values of the two swept parameters."""
    kept = replace(run, hyper={k: v for k, v in run.hyper.items() if k not in pair})
    return ("sensitivity", _surface_key(state), tuple(state.start_point()), _run_key(kept), pair, request.side,
            request.steps)


def _basin(state, run, request, deadline):
    key = basin_key(state, run, request)
    cached = CACHE.get(key)
    if cached is None:
        spec = engine_spec(run, state.start_point())
        cached = optimizers.basin_map(state.landscape(), spec.build(), request.steps, grid=request.grid,
                                      view=state.view_box(), schedule=spec.schedule, noise=spec.noise,
                                      seed=spec.seed, deadline=deadline)
        CACHE.put(key, cached)
    return cached


def _sensitivity(state, run, pair, request, deadline):
    key = sensitivity_key(state, run, pair, request)
    cached = CACHE.get(key)
    if cached is None:
        schema = {p.name: p for p in optimizers.schema(run.optimizer)}
        xs = param_grid(schema[pair[0]], request.side)
        ys = param_grid(schema[pair[1]], request.side)
        spec = engine_spec(run, state.start_point())
        cached = optimizers.sensitivity_map(state.landscape(), spec.optimizer, spec.hyper, pair[0], xs, pair[1], ys,
                                            spec.start, request.steps, schedule=spec.schedule, noise=spec.noise,
                                            seed=spec.seed, deadline=deadline)
        CACHE.put(key, cached)
    return cached


def compute_panels(request: MapRequest, state, messages: list, progress=None) -> list:
    """One ``(run index, title, map)`` per chosen run (refusals become messages and drop the panel);
    ``progress(done, total)``, when given, is called before each panel and at the end.

    Bounded by the request's deadline (:func:`webapp.compute.deadline.current_deadline`): a map the
    probe under-estimated stops there and its panel is replaced by the engine's message."""
    deadline = current_deadline()
    refusal = budget_refusal(request, state) or measured_refusal(request, state, deadline)
    if refusal:
        messages.append(refusal)
        return []
    panels = []
    for done, index in enumerate(request.runs):
        if progress is not None:
            progress(done, len(request.runs))
        run = state.runs[index]
        title = msg("notices.maps_panel_title", position=index + 1, name=run.name())
        try:
            if request.kind == "basin":
                panels.append((index, title, _basin(state, run, request, deadline)))
            else:
                pair = swept_pair(run.optimizer, request.x_param, request.y_param)
                if pair is None:
                    messages.append(msg("notices.maps_too_few_params", position=index + 1, optimizer=run.optimizer))
                    continue
                panels.append((index, title, _sensitivity(state, run, pair, request, deadline)))
        except ValueError as error:      # the engine's caps and time-budget refusal
            messages.append(msg("notices.maps_run_error", position=index + 1, error=str(error)))
    if progress is not None:
        progress(len(request.runs), len(request.runs))
    return panels


def map_figure(request: MapRequest, state, panels) -> tuple[dict, dict]:
    """The figure for computed ``panels`` and the click metadata ``{"kind", "panels": [{run, ...}]}``."""
    if request.kind == "basin":
        figure = maps_figures.basin_figure([(localize(t, state.lang), m) for _, t, m in panels], state.landscape(),
                                           state.start_point(), request.color, state.lang)
        meta = {"kind": "basin", "panels": [{"run": i, "traces": t} for (i, _, _), t in
                                            zip(panels, figure["layout"]["meta"]["cells"])]}
        return figure, meta
    entries = []
    for index, title, smap in panels:
        hyper = state.runs[index].hyper
        entries.append((localize(title, state.lang), smap, (hyper.get(smap.x_param), hyper.get(smap.y_param))))
    figure = maps_figures.sensitivity_figure(entries, request.color, state.lang)
    meta = {"kind": "sensitivity", "panels": [
        {"run": i, "traces": t, "x_param": m.x_param, "y_param": m.y_param, "x_log": m.x_scale == "log",
         "y_log": m.y_scale == "log", "x_values": m.x_values.tolist(), "y_values": m.y_values.tolist()}
        for (i, _, m), t in zip(panels, figure["layout"]["meta"]["cells"])]}
    return figure, meta


def csv_text(request: MapRequest, panels) -> str:
    """Every panel's ``to_frame()`` stacked, with the run (1-based) and its name first."""
    import pandas as pd

    frames = []
    for index, title, result in panels:
        frame = result.to_frame()
        frame.insert(0, "name", title.split(": ", 1)[-1])
        frame.insert(0, "run", index + 1)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True).to_csv(index=False) if frames else ""


# ------------------------------------------------------------------ clicks (pure)
def _panel_for(meta, point) -> dict | None:
    if not isinstance(meta, dict) or not isinstance(point, dict) or not isinstance(meta.get("panels"), list):
        return None
    trace = point.get("curveNumber")
    for panel in meta["panels"]:
        if isinstance(panel, dict) and isinstance(panel.get("traces"), list) and trace in panel["traces"]:
            return panel
    return None


def _nearest(values, coordinate: float, log_axis: bool) -> float | None:
    values = [coerce.number(v) for v in (values if isinstance(values, list) else [])[:MAX_SENSITIVITY_GRID]]
    values = [v for v in values if v is not None and (v > 0 or not log_axis)]
    if not values:
        return None
    positions = np.log10(values) if log_axis else np.asarray(values)
    return float(values[int(np.argmin(np.abs(positions - coordinate)))])


def apply_click(state, meta, point) -> bool:
    """A click on a map cell, applied to ``state``; ``True`` when it changed something.

    Basin: every run starts at the clicked cell's centre. Sensitivity: the clicked
    panel's run gets that cell's two values (snapped to the panel's grid, validated
    against the schema and the optimizer's cross-checks).
    """
    panel = _panel_for(meta, point)
    x, y = coerce.number(point.get("x")) if isinstance(point, dict) else None, \
        coerce.number(point.get("y")) if isinstance(point, dict) else None
    if panel is None or x is None or y is None:
        return False
    if meta.get("kind") == "basin":
        start = coerce.point([x, y], [])
        if start is None:
            return False
        state.start = start
        return True
    index = panel.get("run")
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(state.runs):
        return False
    run = state.runs[index]
    schema = {p.name: p for p in optimizers.schema(run.optimizer)}
    names = (panel.get("x_param"), panel.get("y_param"))
    if not all(isinstance(n, str) and n in schema for n in names):
        return False
    chosen = (_nearest(panel.get("x_values"), x, bool(panel.get("x_log"))),
              _nearest(panel.get("y_values"), y, bool(panel.get("y_log"))))
    if None in chosen:
        return False
    candidate = dict(run.hyper)
    for name, value in zip(names, chosen):
        candidate[name] = coerce.param_value(schema[name], float(f"{value:.6g}"), f"Run {index + 1}", [])
    try:
        optimizers.get(run.optimizer, **candidate)
    except ValueError:
        return False
    if candidate == run.hyper:
        return False
    run.hyper = candidate
    return True

