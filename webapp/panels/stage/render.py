"""Everything the state shows on the stage, computed once (pure functions of the state)."""
from __future__ import annotations

import json
import time

from dash import html

from webapp.compute import simulate_runs
from webapp.compute.variants import robustness_column, seed_clouds
from webapp.figures.clouds import cloud_figure, cloud_summary_text
from webapp.figures import stage as stage_figures
from webapp.figures.results import results_rows
from webapp.i18n import localize, t
from webapp.panels.lecture.payload import run_extras, side_by_side, side_by_side_map
from webapp.panels.scenario.caption import caption
from webapp.panels.scenario.picture import opening, run_labels
from webapp.panels.stage.results import results_table
from webapp.state import PALETTE, AppState, coerce, to_query, to_store
from webapp.state.palette import run_dashes
from webapp.state.view_options import options

__all__ = ["render_page", "map_key", "picture_key", "legend_chips", "notices_list"]


def render_page(state: AppState, notices: list, map_on_screen=None) -> dict:
    """Everything the state shows, computed once: figures, table, payload, share query, caption.

    ``page["map_key"]`` is what the map depends on (:func:`map_key`); ``page["map"]`` is there only
    when that differs from ``map_on_screen`` (the key of the map the browser shows), so an edit of a
    run, the start or the steps ships the runs' payload and never the contour.
    """
    surface, results, steps = simulate_runs(state, notices)
    token = time.time_ns() % 2_000_000_000
    view = state.view_box()
    query = to_query(state)
    results = run_labels(results, state.scenario, query)      # a scenario picture names its runs (e.g. seeds)
    key = map_key(state, results)
    chosen = options(state)
    equal = stage_figures.equal_aspect(view, chosen.aspect)
    extras, loss_x = run_extras(state, results, view)
    payload = stage_figures.run_payload(results, view, steps, token, state.start_point(),
                                        map_token=stage_figures.map_token(key), extras=extras)
    payload["view_mode"] = "side" if side_by_side(state, results) else "overlay"
    payload["opens"] = opening(state.scenario, query)       # a scenario picture opens paused at step 0
    clouds = seed_clouds(state, results, steps, notices)         # noisy runs with seeds > 1
    page = {
        "map_key": key,
        "loss": stage_figures.loss_figure(surface, results, steps, loss_x=loss_x, lang=state.lang),
        "table": results_table(results_rows(results, steps, state.lang), state.lang,
                               robustness_column(state, results, steps, notices) if chosen.robust else None,
                               [cloud_summary_text(clouds[i]) if i in clouds else None for i in range(len(results))]
                               if clouds else None),
        "clouds": cloud_figure(surface, view, [(results[i].label, PALETTE[results[i].spec.color % len(PALETTE)],
                                                cloud) for i, cloud in clouds.items()]) if clouds else None,
        "payload": payload,
        "notices": notices_list(notices, state.lang),
        "query": query,
        "legend": legend_chips(results, state.lang),
        "scenario": caption(state.scenario, query, state.lang),
    }
    if key != map_on_screen:
        if payload["view_mode"] == "side":
            page["map"] = side_by_side_map(surface, view, [r.label for r in results], payload["map_token"],
                                           chosen.field, equal=equal)
        else:
            page["map"] = stage_figures.map_figure(surface, view, token=payload["map_token"],
                                                   grid_size=coerce.GRID_SIZE, field=chosen.field, lang=state.lang,
                                                   equal=equal)
    return page


def map_key(state: AppState, results) -> str:
    """What the map figure depends on, as canonical JSON: the surface and its parameters, the view box,
    the gradient field, equal axes or not, and, side by side, the runs' names (one titled panel each)."""
    side, chosen = side_by_side(state, results), options(state)
    return json.dumps([state.surface, state.surface_params, list(state.view_box()), chosen.field,
                       stage_figures.equal_aspect(state.view_box(), chosen.aspect),
                       [r.label for r in results] if side else None], sort_keys=True, default=str)


def picture_key(state: AppState, notices: list) -> str:
    """What the main picture depends on, as canonical JSON: the whole state and its notices, except the
    maps' settings (a map is computed apart, below the picture) and the revision (a refused value
    re-draws the controls, not the picture)."""
    stored = to_store(state)
    stored.pop("maps", None)
    stored.pop("revision", None)
    return json.dumps([stored, [str(n) for n in notices]], sort_keys=True, default=str)


def legend_chips(results, lang: str = "en") -> list:
    """The map's legend as HTML chips (the map itself draws runs as SVG, outside Plotly's legend): a
    line in the run's colour and dash, and its name. A chip is a toggle button: a click hides or shows
    its run, a double click shows it alone (assets/history.js: an edit of the link, so it can be undone)."""
    dashes = run_dashes([r.spec.color for r in results])
    return [html.Button([html.Span(className=f"legend-line dash-{dash}",
                                   style={"borderTopColor": PALETTE[r.spec.color % len(PALETTE)]}), r.label],
                        className="legend-chip" + ("" if r.spec.visible else " hidden-run"), type="button",
                        title=t("a11y.legend_title", lang),
                        **{"data-run": str(position), "aria-pressed": "true" if r.spec.visible else "false"})
            for position, (r, dash) in enumerate(zip(results, dashes))]


def notices_list(notices: list, lang: str = "en") -> list:
    """The page's notices (what a link or the stored state had that was ignored or clamped), in ``lang``."""
    if not notices:
        return []
    unique = list(dict.fromkeys(localize(notice, lang) for notice in notices))[:12]
    return [html.Ul([html.Li(text) for text in unique])]
