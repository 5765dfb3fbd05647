"""The header's callbacks: a link (or navigation) becomes the state, a picked scenario replaces it,
the share link and the projector toggle (both in the browser)."""
from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State, no_update

from webapp import scenarios
from webapp.panels.wiring import STATE, guarded
from webapp.state import coerce, from_query, from_store, to_query, to_store

__all__ = ["register"]


def register(app) -> None:
    @app.callback(Output(STATE, "data"), Input("url", "search"), State(STATE, "data"))
    @guarded(1)
    def load_from_url(search, data):
        """Opening (or navigating to) a link: the query string becomes the state."""
        if not isinstance(search, str):
            search = ""
        if isinstance(data, dict):
            current, _ = from_store(data)
            if search and to_query(current) == search:
                return no_update
        state, notices = from_query(search)
        previous = data.get("revision", 0) if isinstance(data, dict) else 0
        state.revision = coerce.integer(previous, 0, 2**31 - 2, 0) + 1
        stored = to_store(state)
        stored["notices"] = notices
        return stored

    @app.callback(Output(STATE, "data", allow_duplicate=True), Input("scenario-picker", "value"),
                  State(STATE, "data"), prevent_initial_call=True)
    @guarded(1)
    def pick_scenario(scenario_id, data):
        """A lecture scenario replaces the whole page with its state (its share link)."""
        current, _ = from_store(data)
        if scenario_id == current.scenario:
            return no_update
        if scenario_id is None:                 # cleared: keep the page, drop the caption
            current.scenario = None
            return to_store(current)
        if not isinstance(scenario_id, str) or scenario_id not in scenarios.ids():
            return no_update
        state, notices = from_query(scenarios.share_query(scenarios.get(scenario_id)))
        state.revision = current.revision + 1
        stored = to_store(state)
        stored["notices"] = notices
        return stored

    app.clientside_callback(ClientsideFunction("optiscape", "shareUrl"),
                            Output("share-link", "value"), Input("share-query", "data"), prevent_initial_call=True)
    app.clientside_callback(ClientsideFunction("optiscape", "projector"),
                            Output("root", "className"), Input("contrast-toggle", "n_clicks"),
                            prevent_initial_call=True)
