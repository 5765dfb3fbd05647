"""The Maps panel: basins of attraction and hyperparameter sensitivity for the page's runs.

A collapsible section below the main map. Its settings live in the page state
(``AppState.maps``, the URL keys of :data:`webapp.state.MAP_KEYS`, e.g.
``?map=basin&map_runs=0,3&map_grid=80``), so a shared link reproduces the map.

Flow (callbacks stay thin; everything else here is a pure function):

* **Compute** validates the panel's controls (:func:`parse_request`) and writes them
  into the state; every state change recomputes the map the state asks for, one
  panel per chosen run, through an LRU cache keyed by the canonical request
  (:func:`basin_key`, :func:`sensitivity_key`: a basin map ignores the start, a
  sensitivity map ignores the current values of its two swept parameters, so
  clicking a cell redraws the marker without recomputing).
* **Bounds**: grid sizes, steps, run indices and parameter names are validated
  here (anyone can post); a request whose estimated work (cells x steps x cost,
  :data:`WORK_BUDGET`) would exceed about a second is refused with a message, and
  the engine's own refusal (row-by-row optimizers such as L-BFGS) is shown as one.
* **Progress and cancel**: every map fits the budget (~1 s), so the callback runs
  in the request (no background worker, no extra dependency); while it runs,
  Dash's ``running=`` disables Compute and shows "computing…" and a Cancel
  button. Cancel discards the answer in the browser: each answer carries the
  Cancel count at request time, and a newer count hides it.
* **Clicks**: a basin cell starts every run at that cell's centre (and plays); a
  sensitivity cell loads that pair of values into its run (:func:`apply_click`).
* **Export**: CSV of every panel's ``to_frame()``; PNG from Plotly (modebar or button).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace

import numpy as np
from dash import Input, Output, State, dcc, html, no_update

import optimizers
from optimizers.maps import MAX_BASIN_GRID, MAX_MAP_STEPS, MAX_SENSITIVITY_GRID, param_grid
from webapp import maps_figures, validate
from webapp.compute import _LRU
from webapp.state import from_store, map_settings, to_store

__all__ = ["MapRequest", "parse_request", "request_settings", "work_estimate", "compute_panels", "map_figure",
           "apply_click", "maps_section", "register_maps_callbacks", "csv_text", "numeric_params",
           "DEFAULT_GRID", "DEFAULT_SIDE", "MAX_PANELS", "WORK_BUDGET"]

log = logging.getLogger("optiscape")

KINDS = ("basin", "sensitivity")
COLORS = {"basin": ("minimum", "steps"), "sensitivity": ("gap", "steps")}
DEFAULT_GRID = 80
DEFAULT_SIDE = 25
MIN_GRID = 2
MAX_PANELS = 4
# Work of one request in cell-steps x relative cost. A first-order step of one cell costs ~30 ns here
# (200 x 200 x 300 Adam steps: 0.35 s), so 40M units is about 1.2 s of server time at most.
WORK_BUDGET = 40_000_000
CELL_STEP_COST = {"newton": 4, "lbfgs": 12_000}   # per cell-step, first-order = 1 (validate.STEP_COST*)
CACHE = _LRU(48)


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


def _whole(value, low: int, high: int, default: int, name: str, messages: list) -> int:
    number = validate.number(value)
    if value in (None, "") or number is None:
        if value not in (None, ""):
            messages.append(f"Maps: {name} {str(value)[:40]!r} is not a number; using {default}.")
        return default
    clamped = int(min(max(round(number), low), high))
    if clamped != number:
        messages.append(f"Maps: {name} {number:g} is outside {low} to {high}; using {clamped}.")
    return clamped


def _run_list(value, count: int, messages: list) -> tuple:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, (list, tuple)):
        value = []
    chosen = []
    for item in value[:32]:
        number = validate.number(item)
        if number is None or number != int(number) or not 0 <= number < count:
            messages.append(f"Maps: run {str(item)[:20]!r} does not exist; ignored.")
            continue
        if int(number) not in chosen:
            chosen.append(int(number))
    if len(chosen) > MAX_PANELS:
        messages.append(f"Maps: at most {MAX_PANELS} runs side by side; showing the first {MAX_PANELS}.")
        chosen = chosen[:MAX_PANELS]
    return tuple(chosen) if chosen else ((0,) if count else ())


def parse_request(settings, state) -> tuple[MapRequest | None, list[str]]:
    """Validate panel settings (URL text or control values, keys of ``webapp.state.MAP_KEYS``) against ``state``.

    Returns ``(None, messages)`` when no map is asked for (or none is possible), else the
    request with every value in range; each correction adds a message. Never raises.
    """
    messages: list[str] = []
    if not isinstance(settings, dict) or not settings.get("map"):
        return None, messages
    kind = settings.get("map")
    if kind not in KINDS:
        messages.append(f"Maps: unknown map {str(kind)[:40]!r} (known: basin, sensitivity).")
        return None, messages
    if not state.runs:
        messages.append("Maps: add a run first.")
        return None, messages
    runs = _run_list(settings.get("map_runs", "0"), len(state.runs), messages)
    steps = _whole(settings.get("map_steps"), 1, MAX_MAP_STEPS, min(state.steps, MAX_MAP_STEPS), "steps", messages)
    grid = _whole(settings.get("map_grid"), MIN_GRID, MAX_BASIN_GRID, DEFAULT_GRID, "grid", messages)
    side = _whole(settings.get("map_n"), MIN_GRID, MAX_SENSITIVITY_GRID, DEFAULT_SIDE, "values per axis", messages)
    color = settings.get("map_color") or COLORS[kind][0]
    if color not in COLORS[kind]:
        messages.append(f"Maps: colour {str(color)[:40]!r} unknown for a {kind} map; using {COLORS[kind][0]}.")
        color = COLORS[kind][0]
    x_param = str(settings.get("map_x") or "lr")[:40]
    y_param = str(settings.get("map_y") or "")[:40]
    if kind == "sensitivity":
        known = {name for i in runs for name in numeric_params(state.runs[i].optimizer)}
        for asked in (x_param, y_param):
            if asked and asked not in known:
                messages.append(f"Maps: no chosen run has a numeric parameter {asked!r}; using its defaults.")
    return MapRequest(kind=kind, runs=runs, grid=grid, steps=steps, color=color, x_param=x_param,
                      y_param=y_param, side=side), messages


def request_settings(request: MapRequest | None, state) -> dict:
    """The request as URL text (``AppState.maps``): ``map`` always, the rest only when not default."""
    if request is None:
        return {}
    out = {"map": request.kind}
    if request.runs != (0,):
        out["map_runs"] = ",".join(str(i) for i in request.runs)
    if request.kind == "basin" and request.grid != DEFAULT_GRID:
        out["map_grid"] = str(request.grid)
    if request.steps != min(state.steps, MAX_MAP_STEPS):
        out["map_steps"] = str(request.steps)
    if request.color != COLORS[request.kind][0]:
        out["map_color"] = request.color
    if request.kind == "sensitivity":
        if request.x_param != "lr":
            out["map_x"] = request.x_param
        if request.y_param:
            out["map_y"] = request.y_param
        if request.side != DEFAULT_SIDE:
            out["map_n"] = str(request.side)
    return map_settings(out)


def _cell_cost(optimizer: str) -> int:
    return CELL_STEP_COST.get(optimizer, 1)


def work_estimate(request: MapRequest, state) -> int:
    """Cells x steps x relative cost, summed over the panels."""
    cells = request.grid ** 2 if request.kind == "basin" else request.side ** 2
    return sum(cells * request.steps * _cell_cost(state.runs[i].optimizer) for i in request.runs)


def budget_refusal(request: MapRequest, state) -> str | None:
    """A message when the request would take more than about a second, else ``None``."""
    work = work_estimate(request, state)
    if work <= WORK_BUDGET:
        return None
    slow = sorted({state.runs[i].optimizer for i in request.runs if _cell_cost(state.runs[i].optimizer) > 1})
    size = f"{request.grid}x{request.grid}" if request.kind == "basin" else f"{request.side}x{request.side}"
    hint = f" ({', '.join(slow)} costs far more per step)" if slow else ""
    return (f"Maps: {len(request.runs)} map(s) of {size} cells x {request.steps} steps is too much work for one "
            f"request{hint}: about {work / WORK_BUDGET:.1f}x the limit. Use a smaller grid, fewer steps "
            f"or fewer runs.")


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


def _basin(state, run, request):
    key = basin_key(state, run, request)
    cached = CACHE.get(key)
    if cached is None:
        cached = optimizers.basin_map(state.landscape(), run.build_optimizer(), request.steps, grid=request.grid,
                                      view=state.view_box(), schedule=run.build_schedule(), noise=run.noise,
                                      seed=run.seed)
        CACHE.put(key, cached)
    return cached


def _sensitivity(state, run, pair, request):
    key = sensitivity_key(state, run, pair, request)
    cached = CACHE.get(key)
    if cached is None:
        schema = {p.name: p for p in optimizers.schema(run.optimizer)}
        xs = param_grid(schema[pair[0]], request.side)
        ys = param_grid(schema[pair[1]], request.side)
        cached = optimizers.sensitivity_map(state.landscape(), run.optimizer, run.hyper, pair[0], xs, pair[1], ys,
                                            state.start_point(), request.steps, schedule=run.build_schedule(),
                                            noise=run.noise, seed=run.seed)
        CACHE.put(key, cached)
    return cached


def compute_panels(request: MapRequest, state, messages: list) -> list:
    """One ``(run index, title, map)`` per chosen run (refusals become messages and drop the panel)."""
    refusal = budget_refusal(request, state)
    if refusal:
        messages.append(refusal)
        return []
    panels = []
    for index in request.runs:
        run = state.runs[index]
        title = f"Run {index + 1}: {run.name()}"
        try:
            if request.kind == "basin":
                panels.append((index, title, _basin(state, run, request)))
            else:
                pair = swept_pair(run.optimizer, request.x_param, request.y_param)
                if pair is None:
                    messages.append(f"Maps: run {index + 1} ({run.optimizer}) has fewer than two numeric "
                                    f"hyperparameters to sweep.")
                    continue
                panels.append((index, title, _sensitivity(state, run, pair, request)))
        except ValueError as error:      # the engine's caps and time-budget refusal
            messages.append(f"Maps: run {index + 1}: {error}")
    return panels


def map_figure(request: MapRequest, state, panels) -> tuple[dict, dict]:
    """The figure for computed ``panels`` and the click metadata ``{"kind", "panels": [{run, ...}]}``."""
    if request.kind == "basin":
        figure = maps_figures.basin_figure([(t, m) for _, t, m in panels], state.landscape(), state.start_point(),
                                           request.color)
        meta = {"kind": "basin", "panels": [{"run": i, "traces": t} for (i, _, _), t in
                                            zip(panels, figure["layout"]["meta"]["cells"])]}
        return figure, meta
    entries = []
    for index, title, smap in panels:
        hyper = state.runs[index].hyper
        entries.append((title, smap, (hyper.get(smap.x_param), hyper.get(smap.y_param))))
    figure = maps_figures.sensitivity_figure(entries, request.color)
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
    values = [validate.number(v) for v in (values if isinstance(values, list) else [])[:MAX_SENSITIVITY_GRID]]
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
    x, y = validate.number(point.get("x")) if isinstance(point, dict) else None, \
        validate.number(point.get("y")) if isinstance(point, dict) else None
    if panel is None or x is None or y is None:
        return False
    if meta.get("kind") == "basin":
        start = validate.point([x, y], [])
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
        candidate[name] = validate.param_value(schema[name], float(f"{value:.6g}"), "map", [])
    try:
        optimizers.get(run.optimizer, **candidate)
    except ValueError:
        return False
    if candidate == run.hyper:
        return False
    run.hyper = candidate
    return True


# ------------------------------------------------------------------ layout
def _labelled(text: str, control, class_name: str = "maps-field") -> html.Label:
    return html.Label([html.Span(text, className="maps-field-label"), control], className=class_name)


def maps_section() -> html.Details:
    """The collapsible Maps section (closed until opened, or opened by a link with ``map=``)."""
    graph_config = {"displaylogo": False, "responsive": True,
                    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines", "zoom2d",
                                               "pan2d", "zoomIn2d", "zoomOut2d", "resetScale2d"],
                    "toImageButtonOptions": {"format": "png", "filename": "optiscape-map", "scale": 2}}
    number = dict(type="number", step=1, debounce=True, className="param-number maps-number")
    return html.Details([
        html.Summary([html.Span("Maps", className="maps-title"),
                      html.Span(" basins of attraction and hyperparameter sensitivity, for many starts or "
                                "settings at once", className="maps-summary-note")]),
        html.Div([
            _labelled("Map", dcc.RadioItems(id="maps-kind", options=[
                {"label": "Basins (where each start ends)", "value": "basin"},
                {"label": "Sensitivity (two hyperparameters)", "value": "sensitivity"}], value="basin",
                inline=True, className="maps-radio")),
            _labelled("Runs (side by side)", dcc.Checklist(id="maps-runs", options=[], value=[0], inline=True,
                                                           className="maps-checklist")),
        ], className="maps-row"),
        html.Div([
            html.Div([
                _labelled("grid G", dcc.Input(id="maps-grid", value=DEFAULT_GRID, min=MIN_GRID, max=MAX_BASIN_GRID,
                                              **number)),
                _labelled("colour by", dcc.RadioItems(id="maps-basin-color", options=[
                    {"label": "minimum reached", "value": "minimum"}, {"label": "steps to tol", "value": "steps"}],
                    value="minimum", inline=True, className="maps-radio")),
            ], id="maps-basin-settings", className="maps-group"),
            html.Div([
                _labelled("x", dcc.Dropdown(id="maps-x", options=[], value="lr", clearable=False, searchable=False,
                                            className="maps-dropdown")),
                _labelled("y", dcc.Dropdown(id="maps-y", options=[], value=None, clearable=False, searchable=False,
                                            className="maps-dropdown")),
                _labelled("values per axis", dcc.Input(id="maps-side", value=DEFAULT_SIDE, min=MIN_GRID,
                                                       max=MAX_SENSITIVITY_GRID, **number)),
                _labelled("colour by", dcc.RadioItems(id="maps-sens-color", options=[
                    {"label": "final loss gap (log)", "value": "gap"}, {"label": "steps to tol", "value": "steps"}],
                    value="gap", inline=True, className="maps-radio")),
            ], id="maps-sens-settings", className="maps-group", style={"display": "none"}),
            _labelled("steps K", dcc.Input(id="maps-steps", value=None, min=1, max=MAX_MAP_STEPS,
                                           placeholder="as runs", **number)),
            html.Div([
                html.Button("Compute", id="maps-compute", n_clicks=0, className="button primary"),
                html.Button("Cancel", id="maps-cancel", n_clicks=0, className="button",
                            style={"display": "none"}),
                html.Span("", id="maps-progress", className="maps-progress", **{"aria-live": "polite"}),
                html.Span("", id="maps-status", className="maps-status", **{"aria-live": "polite"}),
                html.Button("CSV", id="maps-csv", n_clicks=0, className="button", title="Download the map as CSV"),
                html.Button("PNG", id="maps-png", n_clicks=0, className="button", title="Download the map as PNG"),
            ], className="maps-actions"),
        ], className="maps-row"),
        html.Div(id="maps-messages", className="maps-messages", role="status"),
        html.P("Click a cell: a basin cell starts every run there and plays; a sensitivity cell loads those "
               "values into its run.", className="hint maps-hint"),
        dcc.Graph(id="maps-graph", className="maps-graph", config=graph_config,
                  figure={"data": [], "layout": {"height": 60, "xaxis": {"visible": False},
                                                 "yaxis": {"visible": False}}}),
        dcc.Store(id="maps-result"),
        dcc.Store(id="maps-meta"),
        dcc.Store(id="maps-synced"),
        dcc.Store(id="maps-play-sink"),
        dcc.Download(id="maps-download"),
    ], id="maps-details", className="card maps-card")


# ------------------------------------------------------------------ callbacks
def _guarded(n_outputs: int):
    from webapp.callbacks import guarded

    return guarded(n_outputs)


def _messages(messages: list):
    unique = list(dict.fromkeys(str(m)[:300] for m in messages))[:8]
    return [html.Ul([html.Li(text) for text in unique])] if unique else []


def control_settings(kind, runs, grid, steps, basin_color, x_param, y_param, side, sens_color) -> dict:
    """The panel's control values as the settings dict :func:`parse_request` reads."""
    return {"map": kind, "map_runs": runs if isinstance(runs, list) else [], "map_grid": grid, "map_steps": steps,
            "map_color": basin_color if kind == "basin" else sens_color, "map_x": x_param, "map_y": y_param,
            "map_n": side}


def panel_controls(state) -> dict:
    """Options for the run checklist and the parameter dropdowns, from the current runs."""
    runs = [{"label": f"{i + 1}. {run.name()}", "value": i} for i, run in enumerate(state.runs)]
    names = list(dict.fromkeys(n for run in state.runs for n in numeric_params(run.optimizer)))
    params = [{"label": n, "value": n} for n in names]
    return {"runs": runs, "params": params}


def control_values(state) -> tuple | None:
    """The panel's control values for the state's map settings (``None`` without a map): kind, runs, grid,
    steps (empty = the runs' steps), basin colour, x, y, values per axis, sensitivity colour."""
    request, _ = parse_request(state.maps, state)
    if request is None:
        return None
    pair = swept_pair(state.runs[request.runs[0]].optimizer, request.x_param, request.y_param) or \
        (request.x_param, request.y_param or None)
    steps = request.steps if "map_steps" in state.maps else None
    return (request.kind, list(request.runs), request.grid, steps,
            request.color if request.kind == "basin" else "minimum", pair[0], pair[1], request.side,
            request.color if request.kind == "sensitivity" else "gap")


def register_maps_callbacks(app) -> None:
    """Wire the Maps panel into ``app`` (needs the ``state`` store and :func:`maps_section` in the layout)."""

    @app.callback(Output("maps-runs", "options"), Output("maps-x", "options"), Output("maps-y", "options"),
                  Output("maps-kind", "value"), Output("maps-runs", "value"), Output("maps-grid", "value"),
                  Output("maps-steps", "value"), Output("maps-basin-color", "value"), Output("maps-x", "value"),
                  Output("maps-y", "value"), Output("maps-side", "value"), Output("maps-sens-color", "value"),
                  Output("maps-details", "open"), Output("maps-synced", "data"),
                  Input("state", "data"), State("maps-synced", "data"))
    @_guarded(14)
    def sync_controls(data, synced):
        """Options follow the runs; the values follow the state's map settings only when those changed (a link
        or a Compute), so a click or another edit never resets what the user is choosing."""
        state, _ = from_store(data)
        controls = panel_controls(state)
        options = (controls["runs"], controls["params"], controls["params"])
        values = control_values(state)
        if values is None or state.maps == synced:
            return options + (no_update,) * 10 + (state.maps,)
        return options + values + (True, state.maps)

    @app.callback(Output("state", "data", allow_duplicate=True), Output("maps-messages", "children",
                                                                        allow_duplicate=True),
                  Input("maps-compute", "n_clicks"),
                  State("maps-kind", "value"), State("maps-runs", "value"), State("maps-grid", "value"),
                  State("maps-steps", "value"), State("maps-basin-color", "value"), State("maps-x", "value"),
                  State("maps-y", "value"), State("maps-side", "value"), State("maps-sens-color", "value"),
                  State("state", "data"), prevent_initial_call=True)
    @_guarded(2)
    def commit(n_clicks, kind, runs, grid, steps, basin_color, x_param, y_param, side, sens_color, data):
        """Compute: the validated controls become the state's map settings (and so the URL)."""
        if not n_clicks:
            return no_update, no_update
        state, _ = from_store(data)
        settings = control_settings(kind, runs, grid, steps, basin_color, x_param, y_param, side, sens_color)
        request, messages = parse_request(settings, state)
        if request is None:
            return no_update, _messages(messages or ["Maps: nothing to compute."])
        state.maps = request_settings(request, state)
        stored = to_store(state)
        stored["maps_nonce"] = n_clicks          # a new store value even when the settings are unchanged
        return stored, _messages(messages)

    @app.callback(Output("maps-result", "data"), Output("maps-messages", "children"),
                  Input("state", "data"), State("maps-cancel", "n_clicks"),
                  running=[(Output("maps-compute", "disabled"), True, False),
                           (Output("maps-progress", "children"), "computing\u2026", ""),
                           (Output("maps-cancel", "style"), {}, {"display": "none"})])
    @_guarded(2)
    def compute(data, cancel_count):
        """The state -> the map it asks for (cached) -> figure + click metadata."""
        state, _ = from_store(data)
        request, messages = parse_request(state.maps, state)
        if request is None:
            return ({"empty": True, "cancel": cancel_count or 0} if messages else no_update), _messages(messages)
        panels = compute_panels(request, state, messages)
        if not panels:
            return {"empty": True, "cancel": cancel_count or 0}, _messages(messages)
        figure, meta = map_figure(request, state, panels)
        return {"figure": figure, "meta": meta, "cancel": cancel_count or 0}, _messages(messages)

    @app.callback(Output("maps-download", "data"), Input("maps-csv", "n_clicks"), State("state", "data"),
                  prevent_initial_call=True)
    @_guarded(1)
    def download_csv(n_clicks, data):
        if not n_clicks:
            return no_update
        state, _ = from_store(data)
        request, messages = parse_request(state.maps, state)
        if request is None:
            return no_update
        panels = compute_panels(request, state, messages)
        if not panels:
            return no_update
        return dcc.send_string(csv_text(request, panels), f"optiscape-{request.kind}-{state.surface}.csv")

    @app.callback(Output("state", "data", allow_duplicate=True), Input("maps-graph", "clickData"),
                  State("maps-meta", "data"), State("state", "data"), prevent_initial_call=True)
    @_guarded(1)
    def click_cell(click, meta, data):
        if not isinstance(click, dict) or not isinstance(click.get("points"), list) or not click["points"]:
            return no_update
        state, _ = from_store(data)
        if not apply_click(state, meta, click["points"][0]):
            return no_update
        state.revision += 1
        return to_store(state)

    app.clientside_callback(
        """function(result, cancelled) {
            var nu = window.dash_clientside.no_update;
            if (!result) { return [nu, nu, nu]; }
            if ((cancelled || 0) > (result.cancel || 0)) { return [nu, nu, 'cancelled'];}
            if (result.empty) {
                return [{data: [], layout: {height: 60, xaxis: {visible: false}, yaxis: {visible: false}}}, null, ''];
            }
            return [result.figure, result.meta, ''];
        }""",
        Output("maps-graph", "figure"), Output("maps-meta", "data"), Output("maps-status", "children"),
        Input("maps-result", "data"), State("maps-cancel", "n_clicks"), prevent_initial_call=True)
    app.clientside_callback(
        """function(kind) {
            var basin = kind !== 'sensitivity';
            return [basin ? {} : {display: 'none'}, basin ? {display: 'none'} : {}];
        }""",
        Output("maps-basin-settings", "style"), Output("maps-sens-settings", "style"), Input("maps-kind", "value"))
    app.clientside_callback(
        """function(n) {
            var gd = document.querySelector('#maps-graph .js-plotly-plot');
            if (n && gd && window.Plotly) { window.Plotly.downloadImage(gd, {format: 'png', filename: 'optiscape-map',
                                                                              scale: 2}); }
            return window.dash_clientside.no_update;
        }""",
        Output("maps-play-sink", "data"), Input("maps-png", "n_clicks"), prevent_initial_call=True)
    app.clientside_callback(
        """function(click, meta) {
            // a basin cell: play the runs from the new start once its trajectories arrive
            if (meta && meta.kind === 'basin') { window.optiscapeMapsPlay = Date.now(); }
            return window.dash_clientside.no_update;
        }""",
        Output("maps-play-sink", "data", allow_duplicate=True), Input("maps-graph", "clickData"),
        State("maps-meta", "data"), prevent_initial_call=True)
    app.clientside_callback(
        """function(payload) {
            var asked = window.optiscapeMapsPlay;
            if (asked && Date.now() - asked < 10000 && window.optiscapePlayer) {
                window.optiscapeMapsPlay = 0;
                setTimeout(function () { window.optiscapePlayer.seek(0); window.optiscapePlayer.play(); }, 120);
            }
            return window.dash_clientside.no_update;
        }""",
        Output("maps-play-sink", "data", allow_duplicate=True), Input("payload", "data"), prevent_initial_call=True)
