"""The page layout: a control column (surface, start, runs) beside the map, the player and the loss plot.

The layout is static; the panels that depend on the state (run cards, surface
parameters) are filled by callbacks. The player bar's buttons carry
``data-player`` attributes that ``assets/player.js`` listens to; the scrub bar
is created by the player script inside ``#scrub-holder``.
"""
from __future__ import annotations

from dash import dcc, html

import landscapes
import optimizers
from webapp import validate
from webapp.view_box import view_rows
from webapp.maps_panel import maps_section
from webapp.views_panel import view_bar, view_cards

__all__ = ["build_layout", "SPEEDS"]

SPEEDS = (0.25, 0.5, 1, 2, 4)


def _card(title: str, children, class_name: str = "") -> html.Section:
    return html.Section([html.H2(title, className="card-title"), *children], className=f"card {class_name}".strip())


def _header() -> html.Header:
    return html.Header([
        html.Div([
            html.H1(["opti", html.Span("scape", className="accent")]),
            html.P("Watch optimizers race down a loss surface. Change anything: it re-runs at once.",
                   className="tagline"),
        ], className="brand"),
        html.Div([
            dcc.Dropdown(id="scenario-picker", options=_scenario_options(), value=None, clearable=True,
                         searchable=False, placeholder="Lecture scenarios…", className="scenario-picker"),
            dcc.Input(id="share-link", type="text", readOnly=True, value="", className="share-link"),
            dcc.Clipboard(target_id="share-link", title="Copy link", className="copy-button",
                          children=html.Span("Copy link")),
            html.Button("CSV", id="download-csv-button", n_clicks=0, className="button",
                        title="Download every step of every run as CSV"),
            html.Button("HTML", id="download-html-button", n_clicks=0, className="button",
                        title="Download a standalone animated page that plays offline"),
            html.Button("Aa", id="contrast-toggle", n_clicks=0, className="button",
                        title="Large text and high contrast (for projectors)"),
        ], className="header-actions"),
    ], className="app-header")


def _scenario_options() -> list:
    try:
        from webapp import scenarios
    except ImportError:
        return []
    return [{"label": f"{s.number}. {s.title}", "value": s.id} for s in scenarios.SCENARIOS]


def _surface_card() -> html.Section:
    return _card("Surface", [
        dcc.Dropdown(id="surface-picker", clearable=False, searchable=False,
                     options=[{"label": landscapes.get(n).label, "value": n} for n in landscapes.names()],
                     value=None, className="surface-picker"),
        html.Div(id="surface-formula", className="formula"),
        html.P(id="surface-note", className="note"),
        html.Div(id="surface-params", className="param-grid"),
    ], "surface-card")


def _start_card() -> html.Section:
    return _card("Start and steps", [
        html.P("Click the map to start every run there.", className="hint"),
        html.Div([
            html.Label("x", htmlFor="start-x"),
            dcc.Input(id="start-x", type="number", step="any", debounce=True, className="param-number"),
            html.Label("y", htmlFor="start-y"),
            dcc.Input(id="start-y", type="number", step="any", debounce=True, className="param-number"),
            html.Button("Reset", id="start-reset", n_clicks=0, className="button small",
                        title="Back to the surface's default start"),
        ], className="start-row"),
        html.Div([
            html.Label("steps", htmlFor="steps-input"),
            dcc.Input(id="steps-input", type="number", min=validate.MIN_STEPS, max=validate.MAX_STEPS, step=1,
                      debounce=True, className="param-number"),
        ], className="start-row"),
        *view_rows(),
    ], "start-card")


def _runs_card() -> html.Section:
    return _card("Runs", [
        html.Div(id="runs-panel", className="runs-panel"),
        html.Div([
            dcc.Dropdown(id="add-optimizer", clearable=False, searchable=False,
                         options=[{"label": optimizers.base.optimizer_class(n).label or n, "value": n}
                                  for n in optimizers.names()],
                         value=optimizers.names()[0], className="add-optimizer"),
            html.Button("+ Add run", id="add-run", n_clicks=0, className="button primary"),
        ], className="add-row"),
    ], "runs-card")


def _player_bar() -> html.Div:
    def button(text, action, title):
        return html.Button(text, className="player-button", title=title, **{"data-player": action})

    return html.Div([
        button("\u21E4", "restart", "Restart (Home)"),
        button("|\u25C0", "back", "Step back (\u2190)"),
        html.Button("\u25B6", id="play-button", className="player-button play", title="Play / pause (space)",
                    **{"data-player": "toggle"}),
        button("\u25B6|", "forward", "Step forward (\u2192)"),
        html.Div(id="scrub-holder", className="scrub-holder"),
        html.Span("step 0 / 0", id="step-readout", className="step-readout", **{"aria-live": "off"}),
        html.Label([
            "speed ",
            html.Select([html.Option(f"{s:g}\u00d7", value=str(s), selected=(s == 1)) for s in SPEEDS],
                        id="speed-select", className="speed-select"),
        ], className="speed-label"),
    ], className="player-bar", id="player-bar")


def build_layout() -> html.Div:
    graph_config = {"displaylogo": False, "scrollZoom": False, "responsive": True,
                    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines"]}
    return html.Div([
        dcc.Location(id="url", refresh=False),
        dcc.Store(id="state"),
        dcc.Store(id="payload"),
        dcc.Store(id="rendered-revision", data=-1),
        dcc.Store(id="rendered-key", data=None),       # callbacks.picture_key of the picture on screen
        dcc.Store(id="share-query"),
        dcc.Store(id="map-click"),
        dcc.Store(id="player-sink"),
        dcc.Store(id="url-sink"),
        dcc.Download(id="download-csv"),
        dcc.Download(id="download-html"),
        _header(),
        html.Div(id="notices", className="notices", role="status"),
        html.Main([
            html.Aside([_surface_card(), _start_card(), _runs_card()], className="controls"),
            html.Div([
                html.Div(id="scenario-panel", className="scenario-panel"),
                html.Div([
                    view_bar(),
                    html.Div(id="map-legend", className="map-legend"),
                    dcc.Graph(id="map-graph", className="map-graph", config=graph_config,
                              figure={"data": [], "layout": {}}),
                    _player_bar(),
                ], className="card map-card"),
                *view_cards(),
                html.Div([
                    html.Div([
                        html.H2("Loss", className="card-title"),
                        dcc.Graph(id="loss-graph", className="loss-graph", config={"displaylogo": False,
                                                                                       "displayModeBar": False},
                                  figure={"data": [], "layout": {}}),
                    ], className="card loss-card"),
                    html.Div([html.H2("Results", className="card-title"), html.Div(id="results-table")],
                             className="card results-card"),
                ], className="below-map"),
                maps_section(),
            ], className="stage"),
        ], className="app-main"),
        html.Footer("optiscape \u00b7 optimizers from CS231n lecture 7 on 2-D loss surfaces \u00b7 "
                    "space: play/pause \u00b7 \u2190 \u2192: step", className="app-footer"),
    ], id="root", className="app")
