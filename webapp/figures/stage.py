"""Pure figure builders: arrays in, Plotly figure dicts out (tested without a browser).

The map is static: a contour, the known critical points, the start, and per run
one invisible hover trace holding its whole path (hover read-out: step, x, y,
loss). The animation is not done with Plotly traces: ``assets/player.js`` draws
each run's path so far and its current point as SVG inside the map's plot
area, from the payload of :func:`run_payload`. Restyling Plotly traces re-runs
Plotly's whole plot pipeline and measured 80-200 ms a frame here (contour or
not), far below 30 frames per second; moving two SVG elements per run costs
well under a millisecond, and the contour is never touched, so it stays
visible at every moment.

Trace order on the map::

    0 contour | 1 minima | 2 saddles and maxima | 3 start | 4 + i hover trace of run i

All numbers are finite; paths are rounded to a resolution far below a pixel.
"""
from __future__ import annotations

import numpy as np

from webapp.figures.encode import coordinate_decimals, escape, round_significant, rounded, typed, with_gaps
from webapp.figures.markers import critical_point_traces
from webapp.figures.style import CONTOUR_SCALE, FONT
from webapp.figures.surface_grid import drawable_grid
from webapp.state.model import PALETTE

__all__ = ["FIRST_RUN_TRACE", "map_figure", "loss_figure", "run_payload"]

FIRST_RUN_TRACE = 4
LOSS_FLOOR = 1e-16     # the loss plot is logarithmic: a gap of exactly 0 is drawn at this floor
GAP_COLOR = "#efd9d9"  # behind the contour: shows through where f(x, y) is undefined (NaN)

# ------------------------------------------------------------------ numbers
# ------------------------------------------------------------------ payload for the player
def run_payload(results, view, steps: int, token: int) -> dict:
    """What the browser animates: each run's full path and loss, sent once, finite and rounded.

    ``runs[i]`` has ``x``, ``y``, ``loss`` (length T+1), ``name``, ``color``, ``visible``,
    ``diverged_at`` (step or ``None``); ``trace`` is the index of its path trace on the map.
    """
    decimals = coordinate_decimals(view)
    runs = []
    for position, result in enumerate(results):
        runs.append({
            "name": result.label,
            "color": PALETTE[result.spec.color % len(PALETTE)],
            "visible": bool(result.spec.visible),
            "trace": FIRST_RUN_TRACE + position,
            "x": rounded(result.path[:, 0], decimals),
            "y": rounded(result.path[:, 1], decimals),
            "loss": round_significant(result.loss),
            "diverged_at": result.diverged_at if result.diverged_at >= 0 else None,
        })
    return {"token": token, "steps": int(steps), "runs": runs}


# ------------------------------------------------------------------ map
def map_figure(surface, view, results, start, token: int = 0, grid_size: int = 120) -> dict:
    """The static map: contour, known critical points, start, and one invisible hover trace per run.

    Trace 0 is the contour, or an empty placeholder (same index) with a message on the map when the
    surface has nothing drawable in the view (:func:`webapp.figures.surface_grid.drawable_grid`).
    """
    grid = drawable_grid(surface, view, grid_size)
    z = grid.z
    has_gaps = z is None or not np.isfinite(z).all()     # where f is undefined: null in z, GAP_COLOR behind it
    decimals = coordinate_decimals(view)
    if z is None:
        data = [{"type": "scatter", "mode": "markers", "x": [], "y": [], "name": "surface", "hoverinfo": "skip",
                 "showlegend": False}]
    else:
        data = [{
            "type": "contour", "x": typed(grid.xs), "y": typed(grid.ys), "z": typed(z) if not has_gaps else with_gaps(z),
            "connectgaps": False,
            "colorscale": CONTOUR_SCALE, "ncontours": 28, "line": {"width": 0.7, "color": "rgba(255,255,255,0.9)"},
            "contours": {"coloring": "fill"}, "hoverinfo": "skip", "showscale": True,
            "colorbar": {"title": {"text": grid.title}, "thickness": 12, "len": 0.9, "outlinewidth": 0},
            "name": "surface", "showlegend": False,
        }]
    data.extend(critical_point_traces(surface, decimals))
    data.append({
        "type": "scatter", "mode": "markers", "x": [round(float(start[0]), decimals)],
        "y": [round(float(start[1]), decimals)], "name": "start",
        "marker": {"symbol": "circle-open", "size": 14, "line": {"width": 3}, "color": "#111111"},
        "hovertemplate": "start (%{x}, %{y})<extra></extra>", "showlegend": False,
    })
    for result in results:
        color = PALETTE[result.spec.color % len(PALETTE)]
        data.append({
            "type": "scatter", "mode": "markers", "name": result.label,
            "x": typed(np.round(result.path[:, 0], decimals)), "y": typed(np.round(result.path[:, 1], decimals)),
            "customdata": typed(np.nan_to_num(result.loss, nan=0.0, posinf=3e38, neginf=-3e38).clip(-3e38, 3e38)),
            "marker": {"color": "rgba(0,0,0,0)", "size": 9}, "visible": bool(result.spec.visible),
            "hoverlabel": {"bgcolor": color, "font": {"color": "#ffffff"}}, "showlegend": False,
            "hovertemplate": f"{escape(result.label)}<br>step %{{pointNumber}}<br>x=%{{x:.4g}}, y=%{{y:.4g}}"
                             f"<br>loss %{{customdata:.4g}}<extra></extra>",
        })
    x0, x1, y0, y1 = (float(v) for v in view)
    layout = {
        "meta": {"token": token, "first_run_trace": FIRST_RUN_TRACE, "message": grid.message},
        "uirevision": f"{surface.name}:{x0}:{x1}:{y0}:{y1}",
        "margin": {"l": 50, "r": 10, "t": 8, "b": 40},
        "xaxis": {"range": [x0, x1], "title": {"text": "x"}, "zeroline": False, "showgrid": False},
        "yaxis": {"range": [y0, y1], "title": {"text": "y"}, "zeroline": False, "showgrid": False},
        "showlegend": False,
        "font": {"family": FONT, "size": 13},
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": GAP_COLOR if has_gaps else "#fcfcfd",
        "hovermode": "closest", "dragmode": "zoom",
    }
    if grid.message:
        layout["annotations"] = [{"text": escape(grid.message), "xref": "paper", "yref": "paper", "x": 0.5,
                                  "y": 0.98, "yanchor": "top", "showarrow": False, "bgcolor": "rgba(255,246,239,0.92)",
                                  "bordercolor": "#d55e00", "borderwidth": 1, "font": {"size": 13, "color": "#6b3300"}}]
    return {"data": data, "layout": layout}


# ------------------------------------------------------------------ loss plot
def loss_figure(surface, results, steps: int) -> dict:
    """Loss against step on a log axis, one line per run (trace i is run i; the player draws the cursor).

    With a known global minimum f*, the plot shows the gap f - f* (floored at
    1e-16 so exact zeros stay on the log axis); otherwise f itself, on a log axis
    only when every value is positive.
    """
    best = surface.global_minimum
    offset = best.value if best is not None else 0.0
    shown = [np.asarray(r.loss, dtype=np.float64) - offset for r in results]
    positive = best is not None or all(np.all(values > 0) for values in shown)
    title = "loss \u2212 min" if best is not None and offset != 0 else "loss"
    data = []
    for result, values in zip(results, shown):
        values = np.maximum(values, LOSS_FLOOR) if positive else values
        color = PALETTE[result.spec.color % len(PALETTE)]
        data.append({
            "type": "scatter", "mode": "lines", "name": result.label,
            "y": round_significant(values), "line": {"color": color, "width": 2},
            "visible": bool(result.spec.visible),
            "hovertemplate": f"{escape(result.label)}<br>step %{{x}}<br>{title} %{{y:.4g}}<extra></extra>",
        })
    layout = {
        "margin": {"l": 60, "r": 10, "t": 10, "b": 40},
        "xaxis": {"title": {"text": "step"}, "range": [0, max(steps, 1)], "zeroline": False},
        "yaxis": {"title": {"text": title + (" (log)" if positive else "")},
                  "type": "log" if positive else "linear", "exponentformat": "power"},
        "showlegend": False, "font": {"family": FONT, "size": 13},
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "#ffffff", "hovermode": "x unified",
    }
    return {"data": data, "layout": layout}
