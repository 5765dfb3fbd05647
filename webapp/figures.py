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

import base64
import math

import numpy as np

from webapp.state import PALETTE

__all__ = ["PALETTE", "FIRST_RUN_TRACE", "map_figure", "loss_figure", "results_rows", "run_payload",
           "coordinate_decimals", "round_significant"]

FIRST_RUN_TRACE = 4
LOSS_FLOOR = 1e-16     # the loss plot is logarithmic: a gap of exactly 0 is drawn at this floor
GAP_COLOR = "#efd9d9"  # behind the contour: shows through where f(x, y) is undefined (NaN)
FONT = "Inter, system-ui, -apple-system, Segoe UI, Roboto, sans-serif"

# Light at the minimum, darker uphill, and colourless: every run colour (blue and sky blue included)
# stays readable on top of it.
CONTOUR_SCALE = [
    [0.0, "#fcfcfd"], [0.2, "#eceef2"], [0.4, "#d9dde4"], [0.6, "#c2c8d2"],
    [0.8, "#a7afbd"], [1.0, "#8a94a6"],
]


# ------------------------------------------------------------------ numbers
def coordinate_decimals(view) -> int:
    """Decimals that keep 1e-5 of the view's span: far below a pixel, small in JSON."""
    span = max(view[1] - view[0], view[3] - view[2], 1e-12)
    return int(min(max(5 - math.floor(math.log10(span)), 0), 15))


def round_significant(values, digits: int = 4) -> list:
    """Floats rounded to ``digits`` significant digits, as a plain list (short JSON).

    NaN (a loss where a formula is undefined) becomes ``None``: JSON null, a gap in
    a Plotly line; infinities are clipped to +-1e300.
    """
    values = np.clip(np.asarray(values, dtype=np.float64), -1e300, 1e300)
    return [None if v != v else float(f"{v:.{digits}g}") for v in values.tolist()]


def _rounded(values, decimals: int) -> list[float]:
    values = np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0, posinf=1e300, neginf=-1e300)
    return np.round(values, decimals).tolist()


def _typed(values: np.ndarray) -> dict:
    """A float32 typed array for a static trace (plotly.js decodes ``{dtype, bdata}``)."""
    values = np.ascontiguousarray(values, dtype="<f4")
    return {"dtype": "f4", "bdata": base64.b64encode(values.tobytes()).decode("ascii"),
            "shape": ",".join(str(n) for n in values.shape)}


def _with_gaps(values: np.ndarray) -> list:
    """A grid as nested lists with ``None`` (JSON null: a gap in the contour) where it is not finite;
    6 significant digits, far finer than the contour levels."""
    return [[float(f"{v:.6g}") if math.isfinite(v) else None for v in row] for row in values.tolist()]


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
            "x": _rounded(result.path[:, 0], decimals),
            "y": _rounded(result.path[:, 1], decimals),
            "loss": round_significant(result.loss),
            "diverged_at": result.diverged_at if result.diverged_at >= 0 else None,
        })
    return {"token": token, "steps": int(steps), "runs": runs}


# ------------------------------------------------------------------ map
def _contour_values(surface, view, grid_size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    xs, ys, values = surface.grid(grid_size, view)        # (n,), (n,), (n, n)
    # NaN (the formula is undefined there) stays NaN: the map shows a gap; overflow is clipped to float32
    values = np.nan_to_num(values, nan=np.nan, posinf=3e38, neginf=-3e38).clip(-3e38, 3e38)
    if surface.log_color:
        # log10 of the height above the lowest grid value; the offset keeps the floor finite
        defined = values[np.isfinite(values)]
        lowest, span = (float(defined.min()), float(np.ptp(defined))) if defined.size else (0.0, 0.0)
        offset = max(1e-6 * span, 1e-12)
        shown = np.log10(values - lowest + offset)
        return xs, ys, shown, "log\u2081\u2080 f"
    return xs, ys, values, "f(x, y)"


def map_figure(surface, view, results, start, token: int = 0, grid_size: int = 120) -> dict:
    """The static map: contour, known critical points, start, and one invisible hover trace per run."""
    xs, ys, z, colorbar_title = _contour_values(surface, view, grid_size)
    has_gaps = not np.isfinite(z).all()          # where f is undefined: null in z, GAP_COLOR behind it
    decimals = coordinate_decimals(view)
    data = [{
        "type": "contour", "x": _typed(xs), "y": _typed(ys), "z": _typed(z) if not has_gaps else _with_gaps(z),
        "connectgaps": False,
        "colorscale": CONTOUR_SCALE, "ncontours": 28, "line": {"width": 0.7, "color": "rgba(255,255,255,0.9)"},
        "contours": {"coloring": "fill"}, "hoverinfo": "skip", "showscale": True,
        "colorbar": {"title": {"text": colorbar_title}, "thickness": 12, "len": 0.9, "outlinewidth": 0},
        "name": "surface", "showlegend": False,
    }]
    minima = [p for p in surface.critical_points if p.is_minimum]
    others = [p for p in surface.critical_points if not p.is_minimum]
    data.append(_points_trace(minima, "minimum", "star", "#111111", decimals))
    data.append(_points_trace(others, "saddle / maximum", "x-thin", "#111111", decimals))
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
            "x": _typed(np.round(result.path[:, 0], decimals)), "y": _typed(np.round(result.path[:, 1], decimals)),
            "customdata": _typed(np.nan_to_num(result.loss, nan=0.0, posinf=3e38, neginf=-3e38).clip(-3e38, 3e38)),
            "marker": {"color": "rgba(0,0,0,0)", "size": 9}, "visible": bool(result.spec.visible),
            "hoverlabel": {"bgcolor": color, "font": {"color": "#ffffff"}}, "showlegend": False,
            "hovertemplate": f"{_escape(result.label)}<br>step %{{pointNumber}}<br>x=%{{x:.4g}}, y=%{{y:.4g}}"
                             f"<br>loss %{{customdata:.4g}}<extra></extra>",
        })
    x0, x1, y0, y1 = (float(v) for v in view)
    layout = {
        "meta": {"token": token, "first_run_trace": FIRST_RUN_TRACE},
        "uirevision": f"{surface.name}:{x0}:{x1}:{y0}:{y1}",
        "margin": {"l": 50, "r": 10, "t": 8, "b": 40},
        "xaxis": {"range": [x0, x1], "title": {"text": "x"}, "zeroline": False, "showgrid": False},
        "yaxis": {"range": [y0, y1], "title": {"text": "y"}, "zeroline": False, "showgrid": False},
        "showlegend": False,
        "font": {"family": FONT, "size": 13},
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": GAP_COLOR if has_gaps else "#fcfcfd",
        "hovermode": "closest", "dragmode": "zoom",
    }
    return {"data": data, "layout": layout}


def _points_trace(points, name: str, symbol: str, color: str, decimals: int) -> dict:
    return {
        "type": "scatter", "mode": "markers", "name": name,
        "x": [round(p.x, decimals) for p in points], "y": [round(p.y, decimals) for p in points],
        "text": [f"{p.kind}, f = {p.value:.4g}" for p in points],
        "marker": {"symbol": symbol, "size": 16, "color": color, "line": {"width": 2, "color": color}},
        "hovertemplate": "%{text}<br>(%{x:.4g}, %{y:.4g})<extra></extra>", "showlegend": False,
    }


def _escape(text: str) -> str:
    return text.replace("<", "&lt;").replace(">", "&gt;").replace("%", "%%").replace("%%{", "%{")


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
            "hovertemplate": f"{_escape(result.label)}<br>step %{{x}}<br>{title} %{{y:.4g}}<extra></extra>",
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


# ------------------------------------------------------------------ results table
def _fmt(value: float) -> str:
    if value is None or not math.isfinite(value):
        return "\u2014"
    return f"{value:.3g}"


def results_rows(results, steps: int) -> list[dict]:
    """One row per run: final loss, distance to the nearest known minimum, steps to tolerance, divergence."""
    rows = []
    for result in results:
        if result.diverged_at >= 0:
            status = f"diverged at step {result.diverged_at}"
        elif result.steps_to_tolerance >= 0:
            status = f"converged at step {result.steps_to_tolerance}"
        else:
            status = f"not converged in {result.path.shape[0] - 1} steps"
        rows.append({
            "run": result.label,
            "color": PALETTE[result.spec.color % len(PALETTE)],
            "final_loss": _fmt(float(result.loss[-1])),
            "distance": _fmt(result.distance_to_minimum),
            "steps_to_tolerance": str(result.steps_to_tolerance) if result.steps_to_tolerance >= 0 else "\u2014",
            "status": status,
            "diverged": result.diverged_at >= 0,
        })
    return rows
