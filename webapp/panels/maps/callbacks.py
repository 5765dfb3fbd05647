"""The Maps panel's callbacks: controls follow the state, Compute commits, the map follows the state, clicks.

* **Compute** coerces the panel's controls (:func:`~webapp.panels.maps.request.parse_request`)
  and writes them into the state; every state change recomputes the map the state asks for.
  A clamped value (grid 500 -> 200) shows its notice under the controls and the box shows the
  value in force.
* **Progress and cancel**: every map fits the budget (~1 s), so the callback runs in the request;
  while it runs, Dash's ``running=`` disables Compute and shows "computing…" and a Cancel button.
  Cancel discards the answer in the browser: each answer carries the Cancel count at request time,
  and a newer count hides it (``assets/clientside.js``: ``mapsShow``).
* **Export**: CSV of every panel's ``to_frame()``; PNG from Plotly (modebar or button).
"""
from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State, dcc, html, no_update

from webapp.panels.maps.request import (apply_click, compute_panels, csv_text, map_figure, numeric_params,
                                        parse_request, request_settings, swept_pair)
from webapp.panels.wiring import STATE, guarded
from webapp.state import from_store, to_store

__all__ = ["register", "control_settings", "panel_controls", "control_values"]


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


def register(app) -> None:
    """Wire the Maps panel into ``app`` (needs the state store and :func:`maps_section` in the layout)."""

    @app.callback(Output("maps-runs", "options"), Output("maps-x", "options"), Output("maps-y", "options"),
                  Output("maps-kind", "value"), Output("maps-runs", "value"), Output("maps-grid", "value"),
                  Output("maps-steps", "value"), Output("maps-basin-color", "value"), Output("maps-x", "value"),
                  Output("maps-y", "value"), Output("maps-side", "value"), Output("maps-sens-color", "value"),
                  Output("maps-details", "open"), Output("maps-synced", "data"),
                  Input(STATE, "data"), State("maps-synced", "data"))
    @guarded(14)
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

    @app.callback(Output(STATE, "data", allow_duplicate=True),
                  Output("maps-messages", "children", allow_duplicate=True),
                  Output("maps-grid", "value", allow_duplicate=True), Output("maps-side", "value", allow_duplicate=True),
                  Output("maps-steps", "value", allow_duplicate=True),
                  Input("maps-compute", "n_clicks"),
                  State("maps-kind", "value"), State("maps-runs", "value"), State("maps-grid", "value"),
                  State("maps-steps", "value"), State("maps-basin-color", "value"), State("maps-x", "value"),
                  State("maps-y", "value"), State("maps-side", "value"), State("maps-sens-color", "value"),
                  State(STATE, "data"), prevent_initial_call=True)
    @guarded(5)
    def commit(n_clicks, kind, runs, grid, steps, basin_color, x_param, y_param, side, sens_color, data):
        """Compute: the coerced controls become the state's map settings (and so the URL); the boxes show
        the values in force and every clamp or refusal is listed under the controls."""
        if not n_clicks:
            return (no_update,) * 5
        state, _ = from_store(data)
        settings = control_settings(kind, runs, grid, steps, basin_color, x_param, y_param, side, sens_color)
        request, messages = parse_request(settings, state)
        if request is None:
            return no_update, _messages(messages or ["Maps: nothing to compute."]), no_update, no_update, no_update
        state.maps = request_settings(request, state)
        stored = to_store(state)
        stored["maps_nonce"] = n_clicks          # a new store value even when the settings are unchanged
        stored["maps_notices"] = [str(m)[:300] for m in messages][:8]   # shown again by compute, below
        shown_steps = request.steps if steps not in (None, "") else no_update
        return stored, _messages(messages), request.grid, request.side, shown_steps

    @app.callback(Output("maps-result", "data"), Output("maps-messages", "children"),
                  Input(STATE, "data"), State("maps-cancel", "n_clicks"),
                  running=[(Output("maps-compute", "disabled"), True, False),
                           (Output("maps-progress", "children"), "computing\u2026", ""),
                           (Output("maps-cancel", "style"), {}, {"display": "none"})])
    @guarded(2)
    def compute(data, cancel_count):
        """The state -> the map it asks for (cached) -> figure + click metadata."""
        state, _ = from_store(data)
        request, messages = parse_request(state.maps, state)
        committed = data.get("maps_notices") if isinstance(data, dict) else None
        if isinstance(committed, list):          # what the last Compute clamped or refused stays in view
            messages = [str(m)[:300] for m in committed[:8]] + messages
        if request is None:
            return ({"empty": True, "cancel": cancel_count or 0} if messages else no_update), _messages(messages)
        panels = compute_panels(request, state, messages)
        if not panels:
            return {"empty": True, "cancel": cancel_count or 0}, _messages(messages)
        figure, meta = map_figure(request, state, panels)
        return {"figure": figure, "meta": meta, "cancel": cancel_count or 0}, _messages(messages)

    @app.callback(Output("maps-download", "data"), Input("maps-csv", "n_clicks"), State(STATE, "data"),
                  prevent_initial_call=True)
    @guarded(1)
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

    @app.callback(Output(STATE, "data", allow_duplicate=True), Input("maps-graph", "clickData"),
                  State("maps-meta", "data"), State(STATE, "data"), prevent_initial_call=True)
    @guarded(1)
    def click_cell(click, meta, data):
        if not isinstance(click, dict) or not isinstance(click.get("points"), list) or not click["points"]:
            return no_update
        state, _ = from_store(data)
        if not apply_click(state, meta, click["points"][0]):
            return no_update
        state.revision += 1
        return to_store(state)

    app.clientside_callback(ClientsideFunction("optiscape", "mapsShow"),
                            Output("maps-graph", "figure"), Output("maps-meta", "data"),
                            Output("maps-status", "children"),
                            Input("maps-result", "data"), State("maps-cancel", "n_clicks"), prevent_initial_call=True)
    app.clientside_callback(ClientsideFunction("optiscape", "mapsKind"),
                            Output("maps-basin-settings", "style"), Output("maps-sens-settings", "style"),
                            Input("maps-kind", "value"))
    app.clientside_callback(ClientsideFunction("optiscape", "mapsPng"),
                            Output("maps-play-sink", "data"), Input("maps-png", "n_clicks"), prevent_initial_call=True)
    app.clientside_callback(ClientsideFunction("optiscape", "mapsCellClicked"),
                            Output("maps-play-sink", "data", allow_duplicate=True), Input("maps-graph", "clickData"),
                            State("maps-meta", "data"), prevent_initial_call=True)
    app.clientside_callback(ClientsideFunction("optiscape", "mapsPlayIfAsked"),
                            Output("maps-play-sink", "data", allow_duplicate=True), Input("payload", "data"),
                            prevent_initial_call=True)
