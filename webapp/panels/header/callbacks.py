"""The header's browser-side callbacks: the share link follows the state; the projector toggle.

(Opening a link and picking a scenario are edits: :mod:`webapp.panels.header.edits`.)
"""
from __future__ import annotations

from dash import ClientsideFunction, Input, Output

__all__ = ["register"]


def register(app) -> None:
    app.clientside_callback(ClientsideFunction("optiscape", "shareUrl"),
                            Output("share-link", "value"), Input("share-query", "data"), prevent_initial_call=True)
    app.clientside_callback(ClientsideFunction("optiscape", "historyRecord"),     # undo / redo (assets/history.js)
                            Output("history-sink", "data"), Input("share-query", "data"), prevent_initial_call=True)
    app.clientside_callback(ClientsideFunction("optiscape", "projector"),
                            Output("root", "className"), Input("contrast-toggle", "n_clicks"),
                            prevent_initial_call=True)
