"""The stage's callbacks: the downloads, and the browser side (the player plays the payload, run names,
slider <-> box). The picture itself is drawn by the one answer (:mod:`webapp.panels.answer`)."""
from __future__ import annotations

from dash import ALL, MATCH, ClientsideFunction, Input, Output, State, dcc, no_update

from webapp import export
from webapp.compute import simulate_runs
from webapp.i18n import engine_text
from webapp.panels.runs.controls import CONTROL_KINDS
from webapp.panels.scenario.picture import run_labels
from webapp.panels.stage import preview
from webapp.panels.stage.render import render_page
from webapp.panels.wiring import STATE, guarded
from webapp.state import from_store, to_query

__all__ = ["register"]


def register(app) -> None:
    preview.register(app)                  # the path under a dragged slider, outside Dash (see preview.py)

    @app.callback(Output("download-csv", "data"), Input("download-csv-button", "n_clicks"),
                  State(STATE, "data"), prevent_initial_call=True)
    @guarded(1)
    def download_csv(n_clicks, data):
        if not n_clicks:
            return no_update
        state, notices = from_store(data)
        surface, results, steps = simulate_runs(state, notices)
        results = run_labels(results, state.scenario, to_query(state))     # a scenario's run names, as on the page
        return dcc.send_string(export.csv_text(results), f"optiscape-{state.surface}.csv")

    @app.callback(Output("download-html", "data"), Input("download-html-button", "n_clicks"),
                  State(STATE, "data"), prevent_initial_call=True)
    @guarded(1)
    def download_html(n_clicks, data):
        if not n_clicks:
            return no_update
        state, notices = from_store(data)
        page = render_page(state, notices)
        surface = state.landscape()
        name = engine_text(surface.label, state.lang)
        return dcc.send_string(export.standalone_html(page["map"], page["loss"], page["payload"], f"optiscape: {name}",
                                                      state.lang, surface_name=name, formula=surface.formula),
                               f"optiscape-{state.surface}.html")

    app.clientside_callback(ClientsideFunction("optiscape", "zoomOnly"),
                            Output("map-zoom", "data"), Input("map-graph", "relayoutData"), prevent_initial_call=True)
    app.clientside_callback(ClientsideFunction("optiscape", "load"),
                            Output("player-sink", "data"), Input("payload", "data"), prevent_initial_call=True)
    # each run card's readable name follows its settings (the cards are not re-rendered on value edits);
    # clientside, because an ALL output with no cards yet is a request Dash cannot parse
    app.clientside_callback(ClientsideFunction("optiscape", "runNames"),
                            Output({"type": "run-name", "run": ALL}, "children"), Input("payload", "data"),
                            State({"type": "run-name", "run": ALL}, "children"), prevent_initial_call=True)
    for kind in CONTROL_KINDS:
        # slider <-> number box of one numeric parameter, in the browser (no round trip); while dragging,
        # the box follows the thumb (throttled), so the path follows it too
        keys = {"run": MATCH, "name": MATCH} if kind != "surface-param" else {"name": MATCH}
        app.clientside_callback(
            ClientsideFunction("optiscape", "syncSlider"),
            Output({"type": kind + "-slider", **keys}, "value"), Output({"type": kind, **keys}, "value"),
            Input({"type": kind + "-slider", **keys}, "value"), Input({"type": kind + "-slider", **keys}, "drag_value"),
            Input({"type": kind, **keys}, "value"),
            State({"type": kind + "-slider", **keys}, "className"), State({"type": kind + "-slider", **keys}, "min"),
            prevent_initial_call=True)
