"""The header: brand, the lecture-scenario picker, the share link, downloads and the projector toggle."""
from __future__ import annotations

from dash import dcc, html

from webapp import scenarios
from webapp.i18n import t
from webapp.panels.header.language import language_switch
from webapp.panels.room.layout import room_button

__all__ = ["header"]


def header(lang: str = "en") -> html.Header:
    return html.Header([
        html.Div([
            html.H1(["opti", html.Span("scape", className="accent")], lang="en"),
            html.P(t("header.tagline", lang), className="tagline"),
        ], className="brand"),
        html.Div([
            dcc.Dropdown(id="scenario-picker", value=None, clearable=True, searchable=False,
                         options=[{"label": f"{s.number}. {s.title}", "value": s.id}
                                  for s in (scenarios.get(s.id, lang) for s in scenarios.SCENARIOS)],
                         placeholder=t("header.scenarios_placeholder", lang), className="scenario-picker"),
            html.Label(t("header.share_link", lang), htmlFor="share-link", className="visually-hidden"),
            dcc.Input(id="share-link", type="text", readOnly=True, value="", className="share-link"),
            dcc.Clipboard(target_id="share-link", title=t("header.copy_link", lang), className="copy-button",
                          children=html.Span(t("header.copy_link", lang))),
            html.Button("CSV", id="download-csv-button", n_clicks=0, className="button",
                        title=t("header.csv_title", lang)),
            html.Button("HTML", id="download-html-button", n_clicks=0, className="button",
                        title=t("header.html_title", lang)),
            room_button(lang),
            html.Button("Aa", id="contrast-toggle", n_clicks=0, className="button",
                        title=t("header.projector_title", lang)),
            # undo / redo: the history of share links, kept in the browser (assets/history.js)
            html.Button("\u21B6", id="undo-button", n_clicks=0, className="button history-button", disabled=True,
                        title=t("a11y.undo_title", lang)),
            html.Button("\u21B7", id="redo-button", n_clicks=0, className="button history-button", disabled=True,
                        title=t("a11y.redo_title", lang)),
            dcc.Store(id="history-sink"),
            language_switch(lang),
        ], className="header-actions"),
    ], className="app-header")
