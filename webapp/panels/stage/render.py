"""Everything the state shows on the stage, computed once (pure functions of the state)."""
from __future__ import annotations

import json
import time

from dash import html

from webapp.compute import simulate_runs
from webapp.figures import stage as stage_figures
from webapp.figures.results import results_rows
from webapp.panels.lecture.payload import decorate
from webapp.panels.scenario.caption import caption
from webapp.panels.stage.results import results_table
from webapp.state import PALETTE, AppState, coerce, to_query, to_store

__all__ = ["render_page", "picture_key", "legend_chips", "notices_list"]


def render_page(state: AppState, notices: list) -> dict:
    """Everything the state shows, computed once: figures, table, payload, share query, caption."""
    surface, results, steps = simulate_runs(state, notices)
    token = time.time_ns() % 2_000_000_000
    view = state.view_box()
    query = to_query(state)
    page = {
        "map": stage_figures.map_figure(surface, view, results, state.start_point(), token=token,
                                        grid_size=coerce.GRID_SIZE),
        "loss": stage_figures.loss_figure(surface, results, steps),
        "table": results_table(results_rows(results, steps)),
        "payload": stage_figures.run_payload(results, view, steps, token),
        "notices": notices_list(notices),
        "query": query,
        "legend": legend_chips(results),
        "scenario": caption(state.scenario, query),
    }
    return decorate(page, state, surface, results, steps, view, token)   # the lecture views that are on


def picture_key(state: AppState, notices: list) -> str:
    """What the main picture depends on, as canonical JSON: the whole state and its notices, except the
    maps' settings (a map is computed apart, below the picture) and the revision (a refused value
    re-draws the controls, not the picture)."""
    stored = to_store(state)
    stored.pop("maps", None)
    stored.pop("revision", None)
    return json.dumps([stored, [str(n) for n in notices]], sort_keys=True, default=str)


def legend_chips(results) -> list:
    """The map's legend as HTML chips (the map itself draws runs as SVG, outside Plotly's legend)."""
    return [html.Span([html.Span(className="swatch", style={"backgroundColor": PALETTE[r.spec.color % len(PALETTE)]}),
                       r.label], className="legend-chip" + ("" if r.spec.visible else " hidden-run"))
            for r in results]


def notices_list(notices: list) -> list:
    if not notices:
        return []
    unique = list(dict.fromkeys(notices))[:12]
    return [html.Ul([html.Li(text) for text in unique])]
