"""The Maps panel's callbacks: the map the state asks for is computed here, with progress and Cancel.

* **Compute** (an edit, :mod:`webapp.panels.maps.edits`) coerces the panel's controls and writes
  them into the state; the one answer then sends ``maps-request`` and the map is computed here.
  A clamped value (grid 500 -> 200) shows its notice under the controls and the box shows the
  value in force.
* **Off the web workers, with progress and cancel**: the map is a Dash background callback
  (:mod:`webapp.background`: a process of its own with diskcache, or a Celery task on Redis), so a
  web worker never computes it; the browser polls it every ``BACKGROUND_POLL_MS``. While it runs,
  Dash's ``running=`` disables Compute and shows "computing… k / n" (panels done, in the page's
  language) and a Cancel button. Cancel stops the job on the server (Dash's ``cancel=``: the
  job's process is killed, or the task revoked); an answer that still arrives carries the Cancel
  count at request time, and a newer count hides it (``assets/clientside.js``: ``mapsShow``).
  Results are cached by their inputs in the manager's store: a class asking for the same map
  computes it once.
* **Export**: CSV of every panel's ``to_frame()``; PNG from Plotly (modebar or button).
"""
from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State, dcc, html, no_update

from webapp.background import job_deadline, progress_reporter
from webapp.i18n import localize, t
from webapp.panels.maps.request import compute_panels, csv_text, map_figure, numeric_params, parse_request, swept_pair
from webapp.panels.wiring import STATE, guarded
from webapp.state import from_store

__all__ = ["register", "panel_controls", "control_values", "messages_list", "requested", "compute_map",
           "BACKGROUND_POLL_MS"]

BACKGROUND_POLL_MS = 250     # how often the browser asks a background job for its progress and result


def messages_list(messages: list, lang: str = "en"):
    """The Maps panel's messages (what was clamped or refused, why a map was not computed), in ``lang``."""
    unique = list(dict.fromkeys(str(localize(m, lang))[:300] for m in messages))[:8]
    return [html.Ul([html.Li(text) for text in unique])] if unique else []


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


def requested(stored) -> tuple:
    """``(state, request, messages)`` of posted store data: the state re-validated, and its map settings
    read from what was posted (so a clamped or refused value is named in the panel's messages)."""
    state, _ = from_store(stored)
    request, messages = parse_request(stored.get("maps") if isinstance(stored, dict) else None, state)
    return state, request, messages


@guarded(2)
def compute_map(set_progress, asked, cancel_count):
    """The map ``maps-request`` asks for: ``(result, messages)``; progress as "computing… k / n"."""
    asked = asked if isinstance(asked, dict) else {}
    state, request, messages = requested(asked.get("state"))
    committed = asked.get("messages")
    if isinstance(committed, list):          # what the last Compute clamped or refused stays in view
        messages = [str(m)[:300] for m in committed[:8]] + messages
    if request is None:
        empty = {"empty": True, "cancel": cancel_count or 0} if messages else no_update
        return empty, messages_list(messages, state.lang)

    def progress(done, total):
        set_progress((f"{t('maps.computing', state.lang)} {done} / {total}",))

    panels = compute_panels(request, state, messages, progress)
    if not panels:
        return {"empty": True, "cancel": cancel_count or 0}, messages_list(messages, state.lang)
    figure, meta = map_figure(request, state, panels)
    return {"figure": figure, "meta": meta, "cancel": cancel_count or 0}, messages_list(messages, state.lang)


def register(app) -> None:
    """The map computation (its own request: it may take a second, with progress and Cancel) and the
    panel's browser-side callbacks. The one answer (:mod:`webapp.panels.answer`) sends it
    ``maps-request`` only when the map the state asks for may have changed."""

    @app.callback(Output("maps-result", "data"), Output("maps-messages", "children"),
                  Input("maps-request", "data"), State("maps-cancel", "n_clicks"), prevent_initial_call=True,
                  background=True, interval=BACKGROUND_POLL_MS, cancel=[Input("maps-cancel", "n_clicks")],
                  progress=[Output("maps-progress", "children")],
                  running=[(Output("maps-compute", "disabled"), True, False),
                           (Output("maps-progress", "hidden"), False, True),   # its text: the page's language
                           (Output("maps-cancel", "style"), {}, {"display": "none"})])
    def compute(set_progress, asked, cancel_count):
        """The state -> the map it asks for -> figure + click metadata: a background job (webapp.background),
        off the web worker, with "computing… k / n" as it goes; Cancel stops the job itself."""
        with job_deadline():
            return compute_map(progress_reporter(set_progress), asked, cancel_count)

    @app.callback(Output("maps-download", "data"), Input("maps-csv", "n_clicks"), State(STATE, "data"),
                  prevent_initial_call=True)
    @guarded(1)
    def download_csv(n_clicks, data):
        if not n_clicks:
            return no_update
        state, request, messages = requested(data)
        if request is None:
            return no_update
        panels = compute_panels(request, state, messages)
        if not panels:
            return no_update
        return dcc.send_string(csv_text(request, panels), f"optiscape-{request.kind}-{state.surface}.csv")

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
