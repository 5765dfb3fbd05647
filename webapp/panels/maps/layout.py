"""The Maps section's layout: kind, runs, sizes, Compute / Cancel, messages, the map."""
from __future__ import annotations

from dash import dcc, html

from webapp.i18n import t
from webapp.panels.steppers import step_attrs
from webapp.state.model import DEFAULT_GRID, DEFAULT_SIDE

__all__ = ["maps_section"]


def _labelled(text: str, control, class_name: str = "maps-field", **attrs) -> html.Label:
    return html.Label([html.Span(text, className="maps-field-label"), control], className=class_name, **attrs)


def maps_section(lang: str = "en") -> html.Details:
    """The collapsible Maps section (closed until opened, or opened by a link with ``map=``)."""
    graph_config = {"displaylogo": False, "responsive": True,
                    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines", "zoom2d",
                                               "pan2d", "zoomIn2d", "zoomOut2d", "resetScale2d"],
                    "toImageButtonOptions": {"format": "png", "filename": "optiscape-map", "scale": 2}}
    # no min/max on the boxes: the browser would send nothing for an out-of-range value (500 would
    # silently become the default); the server clamps with a notice and the box shows the value in force
    number = dict(type="number", step="any", debounce=True, className="param-number maps-number")
    return html.Details([
        html.Summary([html.Span(t("maps.title", lang), className="maps-title"),
                      html.Span(" " + t("maps.summary", lang), className="maps-summary-note")]),
        html.Div([
            _labelled(t("maps.kind", lang), dcc.RadioItems(id="maps-kind", options=[
                {"label": t("maps.basin", lang), "value": "basin"},
                {"label": t("maps.sensitivity", lang), "value": "sensitivity"}], value="basin",
                inline=True, className="maps-radio")),
            _labelled(t("maps.runs", lang), dcc.Checklist(id="maps-runs", options=[], value=[0], inline=True,
                                                          className="maps-checklist")),
        ], className="maps-row"),
        html.Div([
            html.Div([
                _labelled(t("maps.grid", lang), dcc.Input(id="maps-grid", value=DEFAULT_GRID, **number),
                          **step_attrs("int")),
                _labelled(t("maps.colour_by", lang), dcc.RadioItems(id="maps-basin-color", options=[
                    {"label": t("maps.colour_minimum", lang), "value": "minimum"},
                    {"label": t("maps.colour_steps", lang), "value": "steps"}],
                    value="minimum", inline=True, className="maps-radio")),
            ], id="maps-basin-settings", className="maps-group"),
            html.Div([
                _labelled("x", dcc.Dropdown(id="maps-x", options=[], value="lr", clearable=False, searchable=False,
                                            className="maps-dropdown")),
                _labelled("y", dcc.Dropdown(id="maps-y", options=[], value=None, clearable=False, searchable=False,
                                            className="maps-dropdown")),
                _labelled(t("maps.side", lang), dcc.Input(id="maps-side", value=DEFAULT_SIDE, **number),
                          **step_attrs("int")),
                _labelled(t("maps.colour_by", lang), dcc.RadioItems(id="maps-sens-color", options=[
                    {"label": t("maps.colour_gap", lang), "value": "gap"},
                    {"label": t("maps.colour_steps", lang), "value": "steps"}],
                    value="gap", inline=True, className="maps-radio")),
            ], id="maps-sens-settings", className="maps-group", style={"display": "none"}),
            _labelled(t("maps.steps", lang), dcc.Input(id="maps-steps", value=None,
                                                       placeholder=t("maps.steps_placeholder", lang), **number),
                          **step_attrs("int")),
            html.Div([
                html.Button(t("maps.compute", lang), id="maps-compute", n_clicks=0, className="button primary"),
                html.Button(t("maps.cancel", lang), id="maps-cancel", n_clicks=0, className="button",
                            style={"display": "none"}),
                html.Span(t("maps.computing", lang), id="maps-progress", className="maps-progress", hidden=True,
                          **{"aria-live": "polite"}),
                html.Span("", id="maps-status", className="maps-status",
                          **{"aria-live": "polite", "data-cancelled": t("maps.cancelled", lang)}),
                html.Button("CSV", id="maps-csv", n_clicks=0, className="button", title=t("maps.csv_title", lang)),
                html.Button("PNG", id="maps-png", n_clicks=0, className="button", title=t("maps.png_title", lang)),
            ], className="maps-actions"),
        ], className="maps-row"),
        html.Div(id="maps-messages", className="maps-messages", role="status"),
        html.P(t("maps.hint", lang), className="hint maps-hint"),
        dcc.Graph(id="maps-graph", className="maps-graph", config=graph_config,
                  figure={"data": [], "layout": {"height": 60, "xaxis": {"visible": False},
                                                 "yaxis": {"visible": False}}}),
        dcc.Store(id="maps-request"),     # written by the one answer when the map asked for may have changed
        dcc.Store(id="maps-result"),
        dcc.Store(id="maps-meta"),
        dcc.Store(id="maps-synced"),
        dcc.Store(id="maps-play-sink"),
        dcc.Download(id="maps-download"),
    ], id="maps-details", className="card maps-card")

