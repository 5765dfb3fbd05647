"""The Runs card: one card per run (filled by the controls' follow callback) and "+ Add run"."""
from __future__ import annotations

from dash import dcc, html

import optimizers
from optimizers.base import optimizer_class
from webapp.panels.cards import card

__all__ = ["runs_card"]


def runs_card() -> html.Section:
    return card("Runs", [
        html.Div(id="runs-panel", className="runs-panel"),
        html.Div([
            dcc.Dropdown(id="add-optimizer", clearable=False, searchable=False,
                         options=[{"label": optimizer_class(n).label or n, "value": n} for n in optimizers.names()],
                         value=optimizers.names()[0], className="add-optimizer"),
            html.Button("+ Add run", id="add-run", n_clicks=0, className="button primary"),
        ], className="add-row"),
    ], "runs-card")
