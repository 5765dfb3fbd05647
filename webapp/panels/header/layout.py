"""The header: brand, the lecture-scenario picker, the share link, downloads and the projector toggle."""
from __future__ import annotations

from dash import dcc, html

from webapp import scenarios

__all__ = ["header"]


def header() -> html.Header:
    return html.Header([
        html.Div([
            html.H1(["opti", html.Span("scape", className="accent")]),
            html.P("Watch optimizers race down a loss surface. Change anything: it re-runs at once.",
                   className="tagline"),
        ], className="brand"),
        html.Div([
            dcc.Dropdown(id="scenario-picker", value=None, clearable=True, searchable=False,
                         options=[{"label": f"{s.number}. {s.title}", "value": s.id} for s in scenarios.SCENARIOS],
                         placeholder="Lecture scenarios…", className="scenario-picker"),
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
