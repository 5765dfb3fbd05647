"""The stage's callbacks: the state -> every trajectory once -> map, loss plot, table, payload, share link;
the downloads; the player (in the browser) plays the payload."""
from __future__ import annotations

from dash import ALL, MATCH, ClientsideFunction, Input, Output, State, dcc, no_update

from webapp import export
from webapp.compute import simulate_runs
from webapp.panels.runs.controls import CONTROL_KINDS
from webapp.panels.stage.render import notices_list, picture_key, render_page
from webapp.panels.surface.layout import surface_formula
from webapp.panels.wiring import STATE, guarded, log
from webapp.state import from_store, to_query

__all__ = ["register"]


def register(app) -> None:
    @app.callback(
        Output("map-graph", "figure"), Output("loss-graph", "figure"), Output("results-table", "children"),
        Output("payload", "data"), Output("notices", "children"), Output("share-query", "data"),
        Output("map-legend", "children"), Output("scenario-panel", "children"), Output("rendered-key", "data"),
        # the surface's formula and note ride along: one request per change instead of two
        Output("surface-formula", "children"), Output("surface-note", "children"),
        Input(STATE, "data"), State("rendered-key", "data"),
    )
    def show(data, rendered_key):
        """The state -> every trajectory once -> figures, table, player payload and share link."""
        try:
            state, notices = from_store(data)
            notices = [str(n)[:300] for n in (data.get("notices") or [])[:20]] + notices \
                if isinstance(data, dict) and isinstance(data.get("notices"), list) else notices
            key = picture_key(state, notices)
            if key == rendered_key:
                # only the maps' settings changed: the picture (and a playing animation) stays as it is
                return (no_update,) * 5 + (to_query(state),) + (no_update,) * 5
            page = render_page(state, notices)
            return (page["map"], page["loss"], page["table"], page["payload"], page["notices"], page["query"],
                    page["legend"], page["scenario"], key, *surface_formula(state))
        except Exception:  # noqa: BLE001
            log.exception("rendering the state failed")
            message = notices_list(["Something went wrong computing this view; please change a setting "
                                    "or reset the page."])
            return (no_update,) * 4 + (message,) + (no_update,) * 6

    @app.callback(Output("download-csv", "data"), Input("download-csv-button", "n_clicks"),
                  State(STATE, "data"), prevent_initial_call=True)
    @guarded(1)
    def download_csv(n_clicks, data):
        if not n_clicks:
            return no_update
        state, notices = from_store(data)
        surface, results, steps = simulate_runs(state, notices)
        return dcc.send_string(export.csv_text(results), f"optiscape-{state.surface}.csv")

    @app.callback(Output("download-html", "data"), Input("download-html-button", "n_clicks"),
                  State(STATE, "data"), prevent_initial_call=True)
    @guarded(1)
    def download_html(n_clicks, data):
        if not n_clicks:
            return no_update
        state, notices = from_store(data)
        page = render_page(state, notices)
        title = f"optiscape: {state.landscape().label}"
        return dcc.send_string(export.standalone_html(page["map"], page["loss"], page["payload"], title),
                               f"optiscape-{state.surface}.html")

    app.clientside_callback(ClientsideFunction("optiscape", "load"),
                            Output("player-sink", "data"), Input("payload", "data"), prevent_initial_call=True)
    # each run card's readable name follows its settings (the cards are not re-rendered on value edits);
    # clientside, because an ALL output with no cards yet is a request Dash cannot parse
    app.clientside_callback(ClientsideFunction("optiscape", "runNames"),
                            Output({"type": "run-name", "run": ALL}, "children"), Input("payload", "data"),
                            State({"type": "run-name", "run": ALL}, "children"), prevent_initial_call=True)
    for kind in CONTROL_KINDS:
        # slider <-> number box of one numeric parameter, in the browser (no round trip)
        keys = {"run": MATCH, "name": MATCH} if kind != "surface-param" else {"name": MATCH}
        app.clientside_callback(
            ClientsideFunction("optiscape", "syncSlider"),
            Output({"type": kind + "-slider", **keys}, "value"), Output({"type": kind, **keys}, "value"),
            Input({"type": kind + "-slider", **keys}, "value"), Input({"type": kind, **keys}, "value"),
            State({"type": kind + "-slider", **keys}, "className"), State({"type": kind + "-slider", **keys}, "min"),
            prevent_initial_call=True)
