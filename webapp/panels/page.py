"""The page: every panel's layout in place, and the callbacks registered: the one answer (every panel's
edits, :mod:`webapp.panels.answer`) and each panel's own. The one place that lists the panels."""
from __future__ import annotations

from dash import dcc, html

from webapp.panels import answer
from webapp.panels.header import callbacks as header_callbacks
from webapp.panels.header.layout import header
from webapp.panels.lecture import panel as lecture_panel
from webapp.panels.maps import callbacks as maps_callbacks
from webapp.panels.runs.layout import runs_card
from webapp.panels.stage import callbacks as stage_callbacks
from webapp.panels.stage.layout import stage
from webapp.panels.start_view.layout import start_card
from webapp.panels.surface.layout import surface_card
from webapp.panels.tune.layout import tune_card
from webapp.panels.wiring import STATE

__all__ = ["build_layout", "register_callbacks"]

# the one server callback that answers every edit, then each panel's own (browser-side, downloads, the map)
PANELS = (answer, header_callbacks, stage_callbacks, lecture_panel, maps_callbacks)


def build_layout() -> html.Div:
    return html.Div([
        dcc.Location(id="url", refresh=False),
        dcc.Store(id=STATE),
        dcc.Store(id="payload"),
        dcc.Store(id="rendered"),       # what is on screen (revision, picture key, maps and views settings)
        dcc.Store(id="share-query"),
        dcc.Store(id="map-click"),
        dcc.Store(id="map-zoom"),       # the map's relayoutData, only when it changes the axes' ranges
        dcc.Store(id="player-sink"),
        dcc.Download(id="download-csv"),
        dcc.Download(id="download-html"),
        header(),
        html.Div(id="notices", className="notices", role="status"),
        html.Main([
            html.Aside([surface_card(), start_card(), runs_card(), tune_card()], className="controls"),
            stage(),
        ], className="app-main"),
        html.Footer("optiscape \u00b7 optimizers from CS231n lecture 7 on 2-D loss surfaces \u00b7 "
                    "space: play/pause \u00b7 \u2190 \u2192: step", className="app-footer"),
    ], id="root", className="app")


def register_callbacks(app) -> None:
    for panel in PANELS:
        panel.register(app)
