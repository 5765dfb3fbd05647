"""The stage: the map (with the View bar, legend and player bar), the lecture-view cards, the loss plot,
the results table and the Maps section."""
from __future__ import annotations

from dash import dcc, html

from webapp.i18n import t
from webapp.panels.clouds.layout import cloud_card
from webapp.panels.high_dimensions.layout import high_dimensions_card
from webapp.panels.lecture.panel import view_bar, view_cards
from webapp.panels.local_model.layout import local_model_card
from webapp.panels.maps.layout import maps_section

__all__ = ["stage", "player_bar", "SPEEDS"]

SPEEDS = (0.25, 0.5, 1, 2, 4)
GRAPH_CONFIG = {"displaylogo": False, "scrollZoom": False, "responsive": True,
                "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines"]}


def player_bar(lang: str = "en") -> html.Div:
    """▶/❚❚, step back/forward, restart, the scrubber (made by the player), step read-out, speed."""
    def button(text, action, title):
        return html.Button(text, className="player-button", title=title, **{"data-player": action})

    return html.Div([
        button("\u21E4", "restart", t("player.restart", lang)),
        button("|\u25C0", "back", t("player.back", lang)),
        html.Button("\u25B6", id="play-button", className="player-button play", title=t("player.play", lang),
                    **{"data-player": "toggle"}),
        button("\u25B6|", "forward", t("player.forward", lang)),
        html.Div(id="scrub-holder", className="scrub-holder"),
        html.Span(t("player.step_readout", lang, step=0, steps=0), id="step-readout", className="step-readout",
                  **{"aria-live": "off", "data-template": t("player.step_readout", lang, step="{step}",
                                                             steps="{steps}")}),
        html.Button("\u25D0", id="fade-toggle", className="player-button fade-toggle", title=t("a11y.fade_title", lang),
                    **{"aria-pressed": "false"}),
        html.Label([
            t("player.speed", lang) + " ",
            html.Select([html.Option(f"{s:g}\u00d7", value=str(s), selected=(s == 1)) for s in SPEEDS],
                        id="speed-select", className="speed-select"),
        ], className="speed-label"),
    ], className="player-bar", id="player-bar")


def stage(lang: str = "en") -> html.Div:
    return html.Div([
        html.Div(id="scenario-panel", className="scenario-panel", **{"aria-live": "polite"}),
        html.Div([
            view_bar(lang),
            html.Div(id="map-legend", className="map-legend"),
            # the plots' names (assets/a11y.js labels each graph by the element that names it)
            html.Span(t("a11y.map_label", lang), className="visually-hidden", **{"data-names": "map-graph"}),
            html.Span(t("a11y.loss_label", lang), className="visually-hidden", **{"data-names": "loss-graph"}),
            dcc.Graph(id="map-graph", className="map-graph", config=GRAPH_CONFIG, figure={"data": [], "layout": {}}),
            player_bar(lang),
        ], className="card map-card"),
        *view_cards(lang),
        cloud_card(),
        html.Div([
            html.Div([
                html.H2(t("stage.loss", lang), className="card-title"),
                dcc.Graph(id="loss-graph", className="loss-graph",
                          config={"displaylogo": False, "displayModeBar": False}, figure={"data": [], "layout": {}}),
            ], className="card loss-card"),
            html.Div([html.H2(t("stage.results", lang), className="card-title"), html.Div(id="results-table")],
                     className="card results-card"),
        ], className="below-map"),
        maps_section(lang),
        local_model_card(lang),
        high_dimensions_card(lang),
    ], className="stage")
