"""The page: every panel's layout in place, and the callbacks registered: the one answer (every panel's
edits, :mod:`webapp.panels.answer`) and each panel's own. The one place that lists the panels."""
from __future__ import annotations

from functools import lru_cache

from dash import dcc, html

from webapp import i18n
from webapp.i18n import t
from webapp.panels import answer
from webapp.panels.header import callbacks as header_callbacks
from webapp.panels.header import language
from webapp.panels.header.layout import header
from webapp.panels.high_dimensions import callbacks as high_dimensions_callbacks
from webapp.panels.lecture import panel as lecture_panel
from webapp.panels.local_model import callbacks as local_model_callbacks
from webapp.panels.maps import callbacks as maps_callbacks
from webapp.panels.room import callbacks as room_callbacks
from webapp.panels.room.layout import room_bar, room_stores
from webapp.panels.runs.layout import runs_card
from webapp.panels.stage import callbacks as stage_callbacks
from webapp.panels.stage.layout import stage
from webapp.panels.start_view.layout import start_card
from webapp.panels.surface.layout import surface_card
from webapp.panels.torch_code.layout import torch_card
from webapp.panels.tune.layout import tune_card
from webapp.panels.wiring import STATE

__all__ = ["build_layout", "page_layout", "register_callbacks"]

# the one server callback that answers every edit, then each panel's own (browser-side, downloads, the map)
PANELS = (answer, header_callbacks, language, stage_callbacks, lecture_panel, maps_callbacks, room_callbacks,
          local_model_callbacks, high_dimensions_callbacks)


def page_layout() -> html.Div:
    """The layout in the language of the page being loaded (:func:`~webapp.panels.header.language.page_language`)."""
    return build_layout(language.page_language())


@lru_cache(maxsize=len(i18n.LANGUAGES))
def build_layout(lang: str = i18n.DEFAULT_LANGUAGE) -> html.Div:
    """Every panel's layout, its words in ``lang`` (built once per language)."""
    lang = i18n.language(lang)
    return html.Div([
        dcc.Location(id="url", refresh=False),
        dcc.Store(id="page-lang", data=lang),     # the language this layout was built in
        dcc.Store(id=STATE),
        dcc.Store(id="payload"),
        dcc.Store(id="rendered"),       # what is on screen (revision, picture key, maps and views settings)
        dcc.Store(id="share-query"),
        dcc.Store(id="map-click"),
        dcc.Store(id="map-zoom"),       # the map's relayoutData, only when it changes the axes' ranges
        dcc.Store(id="player-sink"),
        dcc.Download(id="download-csv"),
        dcc.Download(id="download-html"),
        *room_stores(),
        header(lang),
        room_bar(lang),
        html.Div(id="notices", className="notices", role="status"),
        html.Main([
            html.Aside([surface_card(lang), start_card(lang), runs_card(lang), tune_card(lang), torch_card(lang)],
                       className="controls"),
            stage(lang),
        ], className="app-main"),
        html.Footer([t("page.footer", lang), " ",
                     html.Button(t("a11y.motion", lang), id="motion-toggle", n_clicks=0, className="button small",
                                 title=t("a11y.motion_title", lang), **{"aria-pressed": "false"})],
                    className="app-footer"),
    ], id="root", className="app", lang=lang)


def register_callbacks(app) -> None:
    for panel in PANELS:
        panel.register(app)
