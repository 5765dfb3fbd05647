"""Map views beyond the overlay: the gradient field, the 3D surface, and one small map per run.

Trace orders (the player restyles run traces by index):

* :func:`surface_3d_figure`: ``0`` surface | ``1`` known minima | ``2 + 2i`` path of
  run i (full path, Scatter3d line) | ``3 + 2i`` current point of run i.
* :func:`small_multiples_figure` with P panels (one per run): ``0..P-1`` the contour
  of panel i | ``P..2P-1`` the known minima of panel i | ``2P + 2i`` path of run i
  (line, starts as the first point) | ``2P + 2i + 1`` current marker of run i. The
  same ``FIRST + 2i`` / ``+1`` pattern as the overlay map, with ``FIRST = 2P``, also
  given as ``layout.meta.first_run_trace`` and ``layout.meta.run_traces``.
"""
from __future__ import annotations

import math

import numpy as np
from plotly.subplots import make_subplots

from webapp.figures.encode import (coordinate_decimals, escape, finite, log_colour, log_colour_ticks,
                                   round_significant, rounded, typed, with_gaps)
from webapp.figures.surface_grid import drawable_grid
from webapp.figures.run_view import as_run_views
from webapp.figures.style import CONTOUR_SCALE, FONT

__all__ = ["gradient_field_trace", "surface_3d_figure", "small_multiples_figure", "surface_colour",
           "small_multiples_run_traces", "SURFACE_SCALE"]

# The 2-D map's scale (light at the bottom, darker uphill): the run palette reads on the low valley floor.
SURFACE_SCALE = CONTOUR_SCALE


def surface_colour(landscape, values: np.ndarray) -> tuple[np.ndarray, dict]:
    """Colour values for a grid of f, and the colour bar that reads them.

    With ``landscape.log_color``: ``log10(f - f_low + eps)`` (see
    :func:`webapp.views_common.log_colour`), ticks at powers of ten of f - f_low;
    otherwise f itself.
    """
    if not landscape.log_color:
        return finite(values), {"title": {"text": "f(x, y)"}}
    shown = log_colour(values)
    tickvals, ticktext = log_colour_ticks(shown)
    return shown, {"title": {"text": "f \u2212 f<sub>min</sub>"}, "tickvals": tickvals, "ticktext": ticktext}


# ------------------------------------------------------------------ gradient field
def gradient_field_trace(landscape, view, n: int = 21, color: str = "rgba(40,40,40,0.55)") -> dict:
    """Arrows of -grad f on an ``n x n`` grid of cell centres over ``view``, as one scatter trace.

    Each arrow is three entries ``(tail, tip, None)``; the tip carries an arrowhead
    (marker ``arrow``, ``angleref="previous"``). Direction: -grad f in data units.
    Length, measured in cells (so it reads the same on any axis scaling), grows
    with log |grad f|: ``L = cell * (0.3 + 0.6 * clip((log|g| - log g_lo) /
    (log g_hi - log g_lo), 0, 1))`` with g_lo, g_hi the 5th and 95th percentiles,
    so Rosenbrock's walls and its flat valley both stay readable. Points with a
    zero or non-finite gradient get no arrow.
    """
    x_min, x_max, y_min, y_max = (float(v) for v in view)
    cell_x, cell_y = (x_max - x_min) / n, (y_max - y_min) / n
    xs = x_min + cell_x * (np.arange(n) + 0.5)
    ys = y_min + cell_y * (np.arange(n) + 0.5)
    X, Y = np.meshgrid(xs, ys)
    points = np.stack([X, Y], axis=-1).reshape(-1, 2)               # (n*n, 2)
    descent = -landscape.grad(points)                                 # (n*n, 2)
    norm = np.linalg.norm(descent, axis=-1)                           # (n*n,)
    keep = np.isfinite(norm) & (norm > 0)
    points, descent, norm = points[keep], descent[keep], norm[keep]
    if norm.size:
        low, high = np.log(np.percentile(norm, 5)), np.log(np.percentile(norm, 95))
        level = np.clip((np.log(norm) - low) / max(high - low, 1e-12), 0.0, 1.0)
    else:
        level = norm
    cells = 0.3 + 0.6 * level                                         # arrow length in cells
    in_cells = descent / np.array([cell_x, cell_y])                   # direction in cell units
    in_cells /= np.linalg.norm(in_cells, axis=-1, keepdims=True)
    tips = points + in_cells * cells[:, None] * np.array([cell_x, cell_y])
    decimals = coordinate_decimals(view)
    x, y, size = [], [], []
    for (x0, y0), (x1, y1) in zip(np.round(points, decimals).tolist(), np.round(tips, decimals).tolist()):
        x += [x0, x1, None]
        y += [y0, y1, None]
        size += [0, 7, 0]
    return {
        "type": "scatter", "mode": "lines+markers", "x": x, "y": y, "name": "\u2212gradient field",
        "line": {"color": color, "width": 1.2},
        "marker": {"symbol": "arrow", "angleref": "previous", "size": size, "color": color, "line": {"width": 0}},
        "hoverinfo": "skip", "showlegend": False, "meta": {"overlay": "gradient_field"},
    }


# ------------------------------------------------------------------ 3D surface
def surface_3d_figure(landscape, view, runs, step: int | None = None, grid_size: int = 70,
                      lift: float = 0.04) -> dict:
    """The surface in 3D with every run's path lying on it and a marker at its current point.

    ``runs``: anything :func:`webapp.views_common.as_run_views` accepts. ``step``:
    the current point (default: the last). Paths are drawn at ``f(path) + lift *
    (f_high - f_low)`` over the grid's range so they sit visibly above the mesh (a straight segment
    between two lifted points still clears a curved floor), and the surface is slightly translucent
    (opacity 0.8), so a path stays visible from below or behind a ridge too.
    Colour is f, or log10(f - f_low + eps) when ``landscape.log_color`` (height stays f).
    """
    views = as_run_views(runs)
    xs, ys, values = landscape.grid(grid_size, view)                  # (n,), (n,), (n, n)
    values = finite(values)
    colour, colorbar = surface_colour(landscape, values)
    z_low, z_high = float(values.min()), float(values.max())
    offset = lift * max(z_high - z_low, 1e-12)
    decimals = coordinate_decimals(view)
    data = [{
        "type": "surface", "x": typed(xs), "y": typed(ys), "z": typed(values), "surfacecolor": typed(colour),
        "colorscale": SURFACE_SCALE, "opacity": 0.8, "name": "surface",
        "colorbar": {**colorbar, "thickness": 12, "len": 0.7, "outlinewidth": 0},
        "lighting": {"ambient": 0.7, "diffuse": 0.65, "specular": 0.05, "roughness": 0.9},
        "hovertemplate": "x=%{x:.3g}, y=%{y:.3g}<br>f=%{z:.4g}<extra></extra>", "showlegend": False,
    }]
    minima = [p for p in landscape.minima if view[0] <= p.x <= view[1] and view[2] <= p.y <= view[3]]
    data.append({
        "type": "scatter3d", "mode": "markers", "name": "minimum",
        "x": [round(p.x, decimals) for p in minima], "y": [round(p.y, decimals) for p in minima],
        "z": round_significant([p.value + offset for p in minima], 6),
        "marker": {"symbol": "diamond", "size": 5, "color": "#111111"}, "showlegend": False,
        "hovertemplate": "minimum<br>f=%{z:.4g}<extra></extra>",
    })
    for run in views:
        path = run.path                                              # (T+1, 2)
        heights = finite(landscape.value(path)) + offset              # (T+1,)
        current = len(path) - 1 if step is None else int(np.clip(step, 0, len(path) - 1))
        data.append({
            "type": "scatter3d", "mode": "lines", "name": run.name, "visible": run.visible,
            "x": rounded(path[:, 0], decimals), "y": rounded(path[:, 1], decimals),
            "z": _heights(heights), "line": {"color": run.color, "width": 6},
            "hovertemplate": f"{escape(run.name)}<br>step %{{pointNumber}}<br>f=%{{z:.4g}}<extra></extra>",
        })
        data.append({
            "type": "scatter3d", "mode": "markers", "name": run.name, "showlegend": False, "visible": run.visible,
            "x": rounded(path[current:current + 1, 0], decimals), "y": rounded(path[current:current + 1, 1], decimals),
            "z": _heights(heights[current:current + 1]),
            "marker": {"size": 6, "color": run.color, "line": {"color": "white", "width": 2}},
            "hovertemplate": f"{escape(run.name)}<br>step {current}<extra></extra>",
        })
    x0, x1, y0, y1 = (float(v) for v in view)
    aspect_y = max(min((y1 - y0) / max(x1 - x0, 1e-12), 2.0), 0.5)
    layout = {
        "margin": {"l": 0, "r": 0, "t": 10, "b": 0},
        "font": {"family": FONT, "size": 12}, "paper_bgcolor": "rgba(0,0,0,0)",
        "legend": {"orientation": "h", "x": 0, "y": 1.0, "yanchor": "top", "bgcolor": "rgba(255,255,255,0.8)"},
        "scene": {
            "xaxis": {"title": {"text": "x"}, "range": [x0, x1], "backgroundcolor": "#f4f6fa"},
            "yaxis": {"title": {"text": "y"}, "range": [y0, y1], "backgroundcolor": "#f4f6fa"},
            "zaxis": {"title": {"text": "f"}, "range": [z_low, z_high + 2 * offset], "backgroundcolor": "#eef1f6"},
            "aspectmode": "manual", "aspectratio": {"x": 1.0, "y": round(aspect_y, 3), "z": 0.55},
            "camera": {"eye": {"x": -1.05, "y": -1.25, "z": 0.85}, "center": {"x": 0, "y": 0, "z": -0.15}},
        },
        "uirevision": f"3d:{landscape.name}:{x0}:{x1}:{y0}:{y1}",
        "meta": {"first_run_trace": 2, "run_traces": [[2 + 2 * i, 3 + 2 * i] for i in range(len(views))]},
    }
    return {"data": data, "layout": layout}


def _heights(values) -> list:
    """Heights to 6 significant digits, rounded up so a path never dips under the surface."""
    out = []
    for v in finite(values).tolist():
        r = float(f"{v:.6g}")
        if r < v:
            r = float(f"{v + abs(v) * 1e-5:.6g}")
        out.append(r)
    return out


# ------------------------------------------------------------------ small multiples
def small_multiples_run_traces(n_panels: int) -> list[list[int]]:
    """``[[path trace, marker trace], ...]`` of each run in :func:`small_multiples_figure`."""
    return [[2 * n_panels + 2 * i, 2 * n_panels + 2 * i + 1] for i in range(n_panels)]


def _grid_shape(count: int, columns: int | None) -> tuple[int, int]:
    if columns is None:
        columns = count if count <= 3 else (2 if count == 4 else 3)
    columns = max(1, min(int(columns), max(count, 1)))
    return max(1, math.ceil(count / columns)), columns


def small_multiples_figure(landscape, view, runs, columns: int | None = None, step: int = 0,
                           grid_size: int = 60, token: int = 0, with_runs: bool = True,
                           field: bool = False) -> dict:
    """One small contour map per run, in a grid, with linked zoom.

    The contour is computed once and repeated in each panel (same values, same
    colour scale). Every x axis ``matches`` the first and every y axis the first,
    so zooming one panel zooms all. Each panel is titled with its run's name and
    holds the run's path line (up to ``step``) and current marker, in the order
    given in the module docstring; ``layout.meta`` carries ``first_run_trace``,
    ``run_traces`` and ``token`` (the player's readiness check). ``with_runs=False``
    leaves the run traces out (the app's player draws the runs itself); ``field`` adds a
    -grad f field (:func:`gradient_field_trace`) to every panel, after every other trace.
    """
    views = as_run_views(runs)
    count = max(len(views), 1)
    rows, cols = _grid_shape(count, columns)
    titles = [escape(run.name) for run in views]
    grid = make_subplots(rows=rows, cols=cols, subplot_titles=titles or None, shared_xaxes="all",
                         shared_yaxes="all", horizontal_spacing=0.035, vertical_spacing=0.09 if rows > 1 else 0.05)
    layout = grid.layout.to_plotly_json()
    layout.pop("template", None)
    surface = drawable_grid(landscape, view, grid_size)
    if surface.z is None:          # nothing drawable: an empty placeholder keeps the trace order
        contour = {"type": "scatter", "mode": "markers", "x": [], "y": []}
    else:
        z = surface.z if np.isfinite(surface.z).all() else with_gaps(surface.z)
        contour = {"type": "contour", "x": typed(surface.xs), "y": typed(surface.ys),
                   "z": typed(z) if isinstance(z, np.ndarray) else z, "connectgaps": False,
                   "colorscale": CONTOUR_SCALE, "ncontours": 22, "contours": {"coloring": "fill"},
                   "line": {"width": 0.5, "color": "rgba(255,255,255,0.7)"}, "showscale": False}
    decimals = coordinate_decimals(view)

    def axes(panel: int) -> dict:
        suffix = "" if panel == 0 else str(panel + 1)
        return {"xaxis": f"x{suffix}", "yaxis": f"y{suffix}"}

    data = []
    for panel in range(len(views)):
        data.append({**contour, **axes(panel), "hoverinfo": "skip", "name": "surface", "showlegend": False})
    minima = landscape.minima
    for panel in range(len(views)):
        data.append({"type": "scatter", "mode": "markers", **axes(panel), "name": "minimum", "showlegend": False,
                     "x": [round(p.x, decimals) for p in minima], "y": [round(p.y, decimals) for p in minima],
                     "marker": {"symbol": "star", "size": 11, "color": "#111111"}, "hoverinfo": "skip"})
    for panel, run in enumerate(views if with_runs else []):
        current = int(np.clip(step, 0, len(run.path) - 1))
        data.append({"type": "scatter", "mode": "lines", **axes(panel), "name": run.name, "showlegend": False,
                     "x": rounded(run.path[:current + 1, 0], decimals), "y": rounded(run.path[:current + 1, 1], decimals),
                     "line": {"color": run.color, "width": 2.2}, "visible": run.visible,
                     "hovertemplate": f"{escape(run.name)}<br>step %{{pointNumber}}<extra></extra>"})
        data.append({"type": "scatter", "mode": "markers", **axes(panel), "name": run.name, "showlegend": False,
                     "x": rounded(run.path[current:current + 1, 0], decimals),
                     "y": rounded(run.path[current:current + 1, 1], decimals),
                     "text": [f"step {current}"], "visible": run.visible,
                     "marker": {"color": run.color, "size": 11, "line": {"color": "white", "width": 2}},
                     "hovertemplate": f"{escape(run.name)}<br>%{{text}}<extra></extra>"})
    if field:
        arrows = gradient_field_trace(landscape, view, n=15)
        data.extend({**arrows, **axes(panel)} for panel in range(len(views)))
    x0, x1, y0, y1 = (float(v) for v in view)
    for key in list(layout):
        # link every panel to the first directly (make_subplots may chain x2 -> x3 -> ...)
        if key not in ("xaxis", "yaxis") and key[:5] in ("xaxis", "yaxis"):
            layout[key]["matches"] = key[0]
        if key.startswith("xaxis"):
            layout[key].update({"range": [x0, x1], "showgrid": False, "zeroline": False, "ticks": "outside",
                                "ticklen": 3})
        elif key.startswith("yaxis"):
            layout[key].update({"range": [y0, y1], "showgrid": False, "zeroline": False, "ticks": "outside",
                                "ticklen": 3})
    for panel in range(count):          # axis titles: x under the bottom panel of each column, y left of each row
        suffix = "" if panel == 0 else str(panel + 1)
        row, col = divmod(panel, cols)
        if panel + cols >= count and f"xaxis{suffix}" in layout:
            layout[f"xaxis{suffix}"]["title"] = {"text": "x", "standoff": 2}
        if col == 0 and f"yaxis{suffix}" in layout:
            layout[f"yaxis{suffix}"]["title"] = {"text": "y", "standoff": 2}
    for annotation in layout.get("annotations", []):
        annotation["font"] = {"size": 12, "color": "#222222"}
    layout.update({
        "height": 40 + 270 * rows,
        "margin": {"l": 48, "r": 10, "t": 26, "b": 40},
        "font": {"family": FONT, "size": 11}, "showlegend": False,
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "#f7fbff", "hovermode": "closest", "dragmode": "zoom",
        "uirevision": f"multiples:{landscape.name}:{x0}:{x1}:{y0}:{y1}",
        "meta": {"token": token, "first_run_trace": 2 * len(views),
                 **({"run_traces": small_multiples_run_traces(len(views))} if with_runs else {})},
    })
    return {"data": data, "layout": layout}
