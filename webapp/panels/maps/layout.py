"""The Maps section's layout: kind, runs, sizes, Compute / Cancel, messages, the map."""
from __future__ import annotations

from dash import dcc, html

from webapp.panels.maps.request import DEFAULT_GRID, DEFAULT_SIDE
from webapp.panels.steppers import step_attrs

__all__ = ["maps_section"]


def _labelled(text: str, control, class_name: str = "maps-field", **attrs) -> html.Label:
    return html.Label([html.Span(text, className="maps-field-label"), control], className=class_name, **attrs)


def maps_section() -> html.Details:
    """The collapsible Maps section (closed until opened, or opened by a link with ``map=``)."""
    graph_config = {"displaylogo": False, "responsive": True,
                    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines", "zoom2d",
                                               "pan2d", "zoomIn2d", "zoomOut2d", "resetScale2d"],
                    "toImageButtonOptions": {"format": "png", "filename": "optiscape-map", "scale": 2}}
    # no min/max on the boxes: the browser would send nothing for an out-of-range value (500 would
    # silently become the default); the server clamps with a notice and the box shows the value in force
    number = dict(type="number", step="any", debounce=True, className="param-number maps-number")
    return html.Details([
        html.Summary([html.Span("Maps", className="maps-title"),
                      html.Span(" basins of attraction and hyperparameter sensitivity, for many starts or "
                                "settings at once", className="maps-summary-note")]),
        html.Div([
            _labelled("Map", dcc.RadioItems(id="maps-kind", options=[
                {"label": "Basins (where each start ends)", "value": "basin"},
                {"label": "Sensitivity (two hyperparameters)", "value": "sensitivity"}], value="basin",
                inline=True, className="maps-radio")),
            _labelled("Runs (side by side)", dcc.Checklist(id="maps-runs", options=[], value=[0], inline=True,
                                                           className="maps-checklist")),
        ], className="maps-row"),
        html.Div([
            html.Div([
                _labelled("grid G", dcc.Input(id="maps-grid", value=DEFAULT_GRID, **number),
                          **step_attrs("int")),
                _labelled("colour by", dcc.RadioItems(id="maps-basin-color", options=[
                    {"label": "minimum reached", "value": "minimum"}, {"label": "steps to tol", "value": "steps"}],
                    value="minimum", inline=True, className="maps-radio")),
            ], id="maps-basin-settings", className="maps-group"),
            html.Div([
                _labelled("x", dcc.Dropdown(id="maps-x", options=[], value="lr", clearable=False, searchable=False,
                                            className="maps-dropdown")),
                _labelled("y", dcc.Dropdown(id="maps-y", options=[], value=None, clearable=False, searchable=False,
                                            className="maps-dropdown")),
                _labelled("values per axis", dcc.Input(id="maps-side", value=DEFAULT_SIDE, **number),
                          **step_attrs("int")),
                _labelled("colour by", dcc.RadioItems(id="maps-sens-color", options=[
                    {"label": "final loss gap (log)", "value": "gap"}, {"label": "steps to tol", "value": "steps"}],
                    value="gap", inline=True, className="maps-radio")),
            ], id="maps-sens-settings", className="maps-group", style={"display": "none"}),
            _labelled("steps K", dcc.Input(id="maps-steps", value=None, placeholder="as runs", **number),
                          **step_attrs("int")),
            html.Div([
                html.Button("Compute", id="maps-compute", n_clicks=0, className="button primary"),
                html.Button("Cancel", id="maps-cancel", n_clicks=0, className="button",
                            style={"display": "none"}),
                html.Span("", id="maps-progress", className="maps-progress", **{"aria-live": "polite"}),
                html.Span("", id="maps-status", className="maps-status", **{"aria-live": "polite"}),
                html.Button("CSV", id="maps-csv", n_clicks=0, className="button", title="Download the map as CSV"),
                html.Button("PNG", id="maps-png", n_clicks=0, className="button", title="Download the map as PNG"),
            ], className="maps-actions"),
        ], className="maps-row"),
        html.Div(id="maps-messages", className="maps-messages", role="status"),
        html.P("Click a cell: a basin cell starts every run there and plays; a sensitivity cell loads those "
               "values into its run.", className="hint maps-hint"),
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

