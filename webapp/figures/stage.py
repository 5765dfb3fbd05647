"""Pure figure builders: arrays in, Plotly figure dicts out (tested without a browser).

The map is static and depends only on the surface and the view: a contour (its hover read-out gives
x, y and f at the grid node under the pointer) and the known critical points, plus the lecture
overlays that depend on the surface alone (the -grad f field), composed here in one pass. Everything
that depends on the runs travels in the payload of :func:`run_payload`: ``assets/`` draws each run's
path so far, its current point, the start marker and the runs' hover read-out (only steps the
animation has reached) as SVG inside the map's plot area. So a hyperparameter, start, steps or run edit
re-sends only the payload and Plotly never redraws the contour for it; restyling Plotly traces re-runs
Plotly's whole plot pipeline (80-200 ms a frame measured here), moving SVG elements costs well under a
millisecond.

Trace order on the map::

    0 contour (or an empty placeholder) | 1 minima | 2 saddles and maxima | 3 -grad f field (when on)

The map's ``layout.meta.token`` is :func:`map_token` of what it depends on; the payload names the map
it belongs on (``map_token``), so the player never draws runs on a stale map. All numbers are finite;
paths are rounded to a resolution far below a pixel.
"""
from __future__ import annotations

import zlib

import numpy as np

from webapp.figures.encode import coordinate_decimals, escape, round_significant, rounded, typed, with_gaps
from webapp.figures.lecture_maps import gradient_field_trace
from webapp.figures.markers import critical_point_traces, marker_key_annotation
from webapp.i18n import localize, t
from webapp.figures.style import CONTOUR_SCALE, FONT
from webapp.figures.surface_grid import drawable_grid
from webapp.state.model import PALETTE
from webapp.state.palette import DASH_ARRAYS, run_dashes, text_color

__all__ = ["map_figure", "map_token", "loss_figure", "run_payload", "equal_aspect", "equal_axes", "LOSS_FLOOR",
           "GAP_COLOR", "MAX_ELONGATION"]

LOSS_FLOOR = 1e-16     # the loss plot is logarithmic: a gap of exactly 0 is drawn at this floor
GAP_COLOR = "#efd9d9"  # behind the contour: shows through where f(x, y) is undefined (NaN)
MAX_ELONGATION = 2.5   # a view box up to 2.5 times wider than tall (or taller than wide) gets equal axes by default


def equal_aspect(view, aspect: str = "auto") -> bool:
    """Whether the map draws one unit the same length on x and y (so -grad f, which is perpendicular to
    the level sets, is drawn perpendicular to the contours). ``aspect``: ``"equal"``, ``"free"``, or
    ``"auto"``: equal when the view box's sides differ by at most :data:`MAX_ELONGATION` (a longer box
    would leave a thin strip of map)."""
    if aspect in ("equal", "free"):
        return aspect == "equal"
    width, height = float(view[1]) - float(view[0]), float(view[3]) - float(view[2])
    return width > 0 and height > 0 and 1 / MAX_ELONGATION <= width / height <= MAX_ELONGATION


def equal_axes(x_name: str = "x") -> dict:
    """A y axis's settings that tie its scale to the x axis ``x_name`` (Plotly shrinks the axis with room to
    spare, so the ranges stay the view box)."""
    return {"scaleanchor": x_name, "scaleratio": 1, "constrain": "domain"}


def map_token(key: str) -> int:
    """A stable token for a map: CRC-32 of ``key``, the canonical JSON of what the map depends on."""
    return zlib.crc32(str(key).encode("utf-8")) % 2_000_000_000


# ------------------------------------------------------------------ payload for the player
def run_payload(results, view, steps: int, token: int, start, map_token: int = 0, extras=None) -> dict:
    """What the browser animates: each run's full path and loss, sent once, finite and rounded.

    ``runs[i]`` has ``x``, ``y``, ``loss`` (length T+1), ``name``, ``color``, ``visible``,
    ``diverged_at`` (step or ``None``), ``text_color`` its name's colour (contrast >= 4.5:1), ``dash``
    its SVG stroke-dasharray ("" solid), and whatever ``extras[i]`` adds (the lecture overlays that
    depend on the run: arrows, Polyak path, loss against gradient evaluations). ``start`` is the start
    marker ``[x, y]``; ``map_token`` the token of the map the runs are drawn on.
    """
    decimals = coordinate_decimals(view)
    runs = []
    dashes = run_dashes([result.spec.color for result in results])
    for position, result in enumerate(results):
        runs.append({
            "name": result.label,
            "color": PALETTE[result.spec.color % len(PALETTE)],
            "text_color": text_color(result.spec.color),
            "dash": DASH_ARRAYS[dashes[position]],
            "visible": bool(result.spec.visible),
            "x": rounded(result.path[:, 0], decimals),
            "y": rounded(result.path[:, 1], decimals),
            "loss": round_significant(result.loss),
            "diverged_at": result.diverged_at if result.diverged_at >= 0 else None,
            **(extras[position] if extras else {}),
        })
    return {"token": token, "map_token": int(map_token), "steps": int(steps),
            "start": [round(float(start[0]), decimals), round(float(start[1]), decimals)], "runs": runs}


# ------------------------------------------------------------------ map
def contour_hover(grid) -> dict:
    """The contour's hover read-out: x, y and f at the grid node under the pointer.

    Where the contour shows f itself (or f minus a constant, said in the colour bar's title) ``%{z}``
    is that value; a log-coloured contour carries f as ``text`` (4 significant digits) instead.
    """
    if grid.title == "f(x, y)":
        return {"hovertemplate": "x %{x:.4g}, y %{y:.4g}<br>f %{z:.4g}<extra></extra>"}
    if grid.f is not None:
        text = [[f"{v:.4g}" if np.isfinite(v) else "undefined" for v in row] for row in grid.f.tolist()]
        return {"text": text, "hovertemplate": "x %{x:.4g}, y %{y:.4g}<br>f %{text}<extra></extra>"}
    return {"hovertemplate": f"x %{{x:.4g}}, y %{{y:.4g}}<br>{escape(grid.title)} = %{{z:.4g}}<extra></extra>"}


def map_figure(surface, view, token: int = 0, grid_size: int = 120, field: bool = False, lang: str = "en",
               equal: bool = False) -> dict:
    """The static map of ``surface`` over ``view``: contour, known critical points, optional -grad f field;
    ``equal``: one unit the same length on both axes (:func:`equal_axes`).

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
            "contours": {"coloring": "fill"}, "showscale": True,
            "colorbar": {"title": {"text": grid.title}, "thickness": 12, "len": 0.9, "outlinewidth": 0},
            "name": "surface", "showlegend": False, **contour_hover(grid),
        }]
    data.extend(critical_point_traces(surface, decimals, lang))
    if field:
        data.append(gradient_field_trace(surface, view))
    x0, x1, y0, y1 = (float(v) for v in view)
    layout = {
        "meta": {"token": token, "message": grid.message, "equal_aspect": bool(equal)},
        "uirevision": f"{surface.name}:{x0}:{x1}:{y0}:{y1}",
        "margin": {"l": 50, "r": 10, "t": 8, "b": 40},
        "xaxis": {"range": [x0, x1], "title": {"text": "x"}, "zeroline": False, "showgrid": False,
                  **({"constrain": "domain"} if equal else {})},
        "yaxis": {"range": [y0, y1], "title": {"text": "y"}, "zeroline": False, "showgrid": False,
                  **(equal_axes() if equal else {})},
        "showlegend": False,
        "font": {"family": FONT, "size": 13},
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": GAP_COLOR if has_gaps else "#fcfcfd",
        "hovermode": "closest", "dragmode": "zoom",
    }
    if grid.message:
        layout["annotations"] = [{"text": escape(localize(grid.message, lang)), "xref": "paper", "yref": "paper", "x": 0.5,
                                  "y": 0.98, "yanchor": "top", "showarrow": False, "bgcolor": "rgba(255,246,239,0.92)",
                                  "bordercolor": "#d55e00", "borderwidth": 1, "font": {"size": 13, "color": "#6b3300"}}]
    key = marker_key_annotation(surface, lang)          # which marker is a global / local minimum, a saddle, a maximum
    if key is not None:
        layout.setdefault("annotations", []).append(key)
    return {"data": data, "layout": layout}


# ------------------------------------------------------------------ loss plot
def loss_figure(surface, results, steps: int, loss_x=None, lang: str = "en") -> dict:
    """Loss against step on a log axis, one line per run (trace i is run i; the player draws the cursor).

    With a known global minimum f*, the plot shows the gap f - f* (floored at
    1e-16 so exact zeros stay on the log axis); otherwise f itself, on a log axis
    only when every value is positive. ``loss_x`` (one list per run, or ``None``): the loss against
    gradient evaluations instead of steps, ``loss_x[i][t]`` evaluations after step t of run i.
    """
    best = surface.global_minimum
    offset = best.value if best is not None else 0.0
    shown = [np.asarray(r.loss, dtype=np.float64) - offset for r in results]
    positive = best is not None or all(np.all(values > 0) for values in shown)
    title = t("figures.loss_gap" if best is not None and offset != 0 else "figures.loss", lang)
    along = t("figures.along_evals" if loss_x is not None else "figures.along_step", lang, x="%{x}")
    data = []
    dashes = run_dashes([result.spec.color for result in results])
    for position, (result, values) in enumerate(zip(results, shown)):
        dash = dashes[position]
        values = np.maximum(values, LOSS_FLOOR) if positive else values
        color = PALETTE[result.spec.color % len(PALETTE)]
        trace = {
            "type": "scatter", "mode": "lines", "name": result.label,
            "y": round_significant(values), "line": {"color": color, "width": 2, "dash": dash},
            "visible": bool(result.spec.visible),
            "hovertemplate": f"{escape(result.label)}<br>{along}<br>{title} %{{y:.4g}}<extra></extra>",
        }
        if loss_x is not None:
            trace["x"] = loss_x[position]
        data.append(trace)
    top = max([1] + [xs[-1] for xs in loss_x if xs]) if loss_x is not None else max(steps, 1)
    layout = {
        "margin": {"l": 60, "r": 10, "t": 10, "b": 40},
        "xaxis": {"title": {"text": t("figures.evals" if loss_x is not None else "figures.step", lang)},
                  "range": [0, top],
                  "zeroline": False},
        "yaxis": {"title": {"text": title + (" " + t("figures.log", lang) if positive else "")},
                  "type": "log" if positive else "linear", "exponentformat": "power"},
        "showlegend": False, "font": {"family": FONT, "size": 13},
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "#ffffff", "hovermode": "x unified",
    }
    return {"data": data, "layout": layout}
