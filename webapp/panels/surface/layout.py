"""The Surface card: the surface menu, its formula and note, and its parameters' controls."""
from __future__ import annotations

from dash import dcc, html

import landscapes
from webapp.i18n import engine_text, t
from webapp.panels.cards import card

__all__ = ["surface_card", "surface_formula"]


def surface_card(lang: str = "en") -> html.Section:
    return card(t("surface.title", lang), [
        dcc.Dropdown(id="surface-picker", clearable=False, searchable=False,
                     options=[{"label": engine_text(landscapes.get(n).label, lang), "value": n}
                              for n in landscapes.names()],
                     value=None, className="surface-picker"),
        html.Div(id="surface-formula", className="formula"),
        html.P(id="surface-note", className="note"),
        html.Div(id="surface-params", className="param-grid"),
        html.Div(id="surface-notice", className="control-notice", role="status"),
    ], "surface-card")


def surface_formula(state):
    """The surface's formula (display math) and its teaching note (in the page's language)."""
    surface = state.landscape()
    return dcc.Markdown(f"$$f(x, y) = {surface.formula}$$", mathjax=True), engine_text(surface.note, state.lang)
