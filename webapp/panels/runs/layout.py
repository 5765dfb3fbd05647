"""The Runs card: one card per run (filled by the controls' follow callback) and "+ Add run"."""
from __future__ import annotations

from dash import dcc, html

import optimizers
from optimizers.base import optimizer_class
from webapp.i18n import t
from webapp.panels.cards import card

__all__ = ["runs_card"]


def runs_card(lang: str = "en") -> html.Section:
    return card(t("runs.title", lang), [
        html.Div(id="runs-panel", className="runs-panel"),
        html.Div([
            dcc.Dropdown(id="add-optimizer", clearable=False, searchable=False,
                         options=[{"label": optimizer_class(n).label or n, "value": n} for n in optimizers.names()],
                         value=optimizers.names()[0], className="add-optimizer"),
            html.Button(t("runs.add", lang), id="add-run", n_clicks=0, className="button primary"),
        ], className="add-row"),
    ], "runs-card")
