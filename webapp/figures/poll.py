"""A poll's results next to the true outcome, as plain figure dicts (pure: numbers in, dicts out).

* :func:`answer_bars`: "which run settles first?": one horizontal bar per run (its colour),
  the count of students who chose it; the run that truly settles first is marked "true".
* :func:`click_heatmap`: "click where run k ends": the students' clicks binned over the poll's
  view box (``counts[row = y bin][col = x bin]``, bottom row first), with the run's path and its
  true end point (a star) drawn over it.
"""
from __future__ import annotations

import numpy as np

from webapp.figures.encode import coordinate_decimals, escape, rounded
from webapp.figures.style import FONT

__all__ = ["answer_bars", "click_heatmap"]

_LAYOUT = {"margin": {"l": 10, "r": 10, "t": 30, "b": 30}, "height": 240, "font": {"family": FONT, "size": 12},
           "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)", "showlegend": False}


def answer_bars(names: list, counts: list, colors: list, truth: int | None, title: str) -> dict:
    """Bars of ``counts`` per run name; ``truth`` is the index of the true answer (None: no run settles)."""
    labels = [escape(str(name))[:60] + ("  \u2714 true" if i == truth else "") for i, name in enumerate(names)]
    total = max(sum(counts), 1)
    bar = {"type": "bar", "orientation": "h", "y": labels[::-1], "x": [int(c) for c in counts][::-1],
           "marker": {"color": list(colors)[::-1],
                      "line": {"width": [3 if i == truth else 0 for i in range(len(names))][::-1], "color": "#000"}},
           "text": [f"{int(c)} ({100 * c / total:.0f}%)" for c in counts][::-1], "textposition": "auto",
           "hovertemplate": "%{y}: %{x}<extra></extra>", "cliponaxis": False}
    layout = {**_LAYOUT, "title": {"text": escape(title), "font": {"size": 13}},
              "xaxis": {"title": {"text": "students"}, "rangemode": "tozero", "dtick": 1 if total <= 10 else None},
              "yaxis": {"automargin": True}, "height": 80 + 34 * len(names)}
    return {"data": [bar], "layout": layout}


def click_heatmap(view, counts, path: np.ndarray | None, end, color: str, title: str) -> dict:
    """The clicks' histogram over ``view`` = (x_min, x_max, y_min, y_max), the run's ``path`` (T+1, 2)
    and its true ``end`` point (or None when it diverged)."""
    x_min, x_max, y_min, y_max = (float(v) for v in view)
    grid = np.asarray(counts, dtype=np.float64)            # (bins, bins): rows are y
    rows, cols = grid.shape
    decimals = coordinate_decimals((x_min, x_max, y_min, y_max))
    xs = x_min + (np.arange(cols) + 0.5) * (x_max - x_min) / cols
    ys = y_min + (np.arange(rows) + 0.5) * (y_max - y_min) / rows
    data = [{"type": "heatmap", "x": rounded(xs, decimals), "y": rounded(ys, decimals),
             "z": [[int(v) if v else None for v in row] for row in grid.tolist()],
             "colorscale": [[0, "#fde0c5"], [1, "#b30000"]], "zmin": 0, "showscale": False,
             "hovertemplate": "%{z} clicks near (%{x}, %{y})<extra></extra>"}]
    if path is not None and len(path):
        inside = np.clip(path, [x_min, y_min], [x_max, y_max])
        data.append({"type": "scatter", "mode": "lines", "x": rounded(inside[:, 0], decimals),
                     "y": rounded(inside[:, 1], decimals), "line": {"color": color, "width": 2},
                     "hoverinfo": "skip"})
    if end is not None:
        data.append({"type": "scatter", "mode": "markers+text", "x": [round(float(end[0]), decimals)],
                     "y": [round(float(end[1]), decimals)], "text": ["true end"], "textposition": "top center",
                     "marker": {"symbol": "star", "size": 18, "color": color, "line": {"width": 1.5, "color": "#000"}},
                     "hovertemplate": "true end (%{x}, %{y})<extra></extra>"})
    layout = {**_LAYOUT, "height": 300, "title": {"text": escape(title), "font": {"size": 13}},
              "xaxis": {"range": [x_min, x_max], "showgrid": False, "zeroline": False},
              "yaxis": {"range": [y_min, y_max], "showgrid": False, "zeroline": False, "scaleanchor": "x"}}
    return {"data": data, "layout": layout}
