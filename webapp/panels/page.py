"""The page: every panel's layout in place, and every panel's callbacks registered. The one place that
lists the panels (add a panel here: its layout function and its ``register``)."""
from __future__ import annotations

from dash import dcc, html

from webapp.panels import follow
from webapp.panels.header import callbacks as header_callbacks
from webapp.panels.header.layout import header
from webapp.panels.lecture import panel as lecture_panel
from webapp.panels.maps import callbacks as maps_callbacks
from webapp.panels.runs import callbacks as runs_callbacks
from webapp.panels.runs.layout import runs_card
from webapp.panels.stage import callbacks as stage_callbacks
from webapp.panels.stage.layout import stage
from webapp.panels.start_view import callbacks as start_view_callbacks
from webapp.panels.start_view.layout import start_card
from webapp.panels.surface import callbacks as surface_callbacks
from webapp.panels.surface.layout import surface_card
from webapp.panels.wiring import STATE

__all__ = ["build_layout", "register_callbacks"]

PANELS = (header_callbacks, surface_callbacks, start_view_callbacks, runs_callbacks, follow, stage_callbacks,
          lecture_panel, maps_callbacks)


def build_layout() -> html.Div:
    return html.Div([
        dcc.Location(id="url", refresh=False),
        dcc.Store(id=STATE),
        dcc.Store(id="payload"),
        dcc.Store(id="rendered-revision", data=-1),
        dcc.Store(id="rendered-key", data=None),       # render.picture_key of the picture on screen
        dcc.Store(id="share-query"),
        dcc.Store(id="map-click"),
        dcc.Store(id="player-sink"),
        dcc.Download(id="download-csv"),
        dcc.Download(id="download-html"),
        header(),
        html.Div(id="notices", className="notices", role="status"),
        html.Main([
            html.Aside([surface_card(), start_card(), runs_card()], className="controls"),
            stage(),
        ], className="app-main"),
        html.Footer("optiscape \u00b7 optimizers from CS231n lecture 7 on 2-D loss surfaces \u00b7 "
                    "space: play/pause \u00b7 \u2190 \u2192: step", className="app-footer"),
    ], id="root", className="app")


def register_callbacks(app) -> None:
    for panel in PANELS:
        panel.register(app)
