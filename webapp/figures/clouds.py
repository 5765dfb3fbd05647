r"""Seed clouds: N seeds of a noisy run drawn as a density band around their median path.

For a cloud (:class:`optimizers.clouds.SeedCloud`) with median path :math:`m_t` (per-coordinate
median over the seeds) and distance quantiles :math:`r_q(t)` (the q-quantile over seeds of
:math:`\|x_t^{(s)} - m_t\|`), the band of level q is the tube of radius :math:`r_q(t)` around the
median path: the polygon :math:`m_t + r_q(t)\, n_t` forward and :math:`m_t - r_q(t)\, n_t` back,
with :math:`n_t` the unit normal of the median path (the last non-zero one where the path stands
still). Half the seeds lie within the 0.5 band at each step, 90% within the 0.9 band. The final
points of every seed are drawn as small dots, so the spread at the end is visible as it is.

:func:`cloud_figure` draws every cloud of the page over a light contour of the surface;
:func:`cloud_summary_text` is the results table's line (medians and spreads).
"""
from __future__ import annotations

import numpy as np

from webapp.figures.encode import coordinate_decimals, escape, rounded, typed
from webapp.figures.surface_grid import drawable_grid

__all__ = ["tube", "cloud_figure", "cloud_summary_text", "BAND_LEVELS"]

BAND_LEVELS = (0.9, 0.5)       # drawn widest first
MAX_POINTS = 400               # vertices of a band polygon (the median path is subsampled to this)


def _normals(path: np.ndarray) -> np.ndarray:
    """``(T, 2)`` unit normals of a polyline (the previous one where it does not move)."""
    tangent = np.gradient(path, axis=0) if path.shape[0] > 1 else np.array([[1.0, 0.0]])
    norm = np.hypot(tangent[:, 0], tangent[:, 1])
    normals = np.zeros_like(path)
    last = np.array([0.0, 1.0])
    for i in range(path.shape[0]):
        if norm[i] > 1e-300:
            last = np.array([-tangent[i, 1], tangent[i, 0]]) / norm[i]
        normals[i] = last
    return normals


def tube(median_path: np.ndarray, radius: np.ndarray) -> np.ndarray:
    """``(2 T + 1, 2)`` the closed polygon of the tube of ``radius`` ``(T,)`` around ``median_path`` ``(T, 2)``."""
    keep = np.all(np.isfinite(median_path), axis=1) & np.isfinite(radius)
    path, radius = median_path[keep], radius[keep]
    if path.shape[0] == 0:
        return np.zeros((0, 2))
    if path.shape[0] > MAX_POINTS:
        index = np.unique(np.linspace(0, path.shape[0] - 1, MAX_POINTS).round().astype(int))
        path, radius = path[index], radius[index]
    normals = _normals(path)
    left, right = path + radius[:, None] * normals, path - radius[:, None] * normals
    return np.concatenate([left, right[::-1], left[:1]])


def _rgba(hex_color: str, alpha: float) -> str:
    value = hex_color.lstrip("#")
    r, g, b = (int(value[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def cloud_figure(surface, view, clouds: list) -> dict:
    """``clouds``: ``[(label, colour, SeedCloud)]``. The surface (light contour), each cloud's bands
    (0.9 then 0.5), its median path and every seed's final point."""
    decimals = coordinate_decimals(view)
    grid = drawable_grid(surface, view, 60)
    data = []
    if grid.z is not None:
        data.append({"type": "contour", "x": typed(grid.xs), "y": typed(grid.ys), "z": typed(np.nan_to_num(grid.z)),
                     "colorscale": "Greys", "reversescale": True, "opacity": 0.35, "showscale": False,
                     "ncontours": 20, "hoverinfo": "skip", "contours": {"coloring": "lines"}, "name": "surface"})
    for label, color, cloud in clouds:
        name = escape(label)
        for level, alpha in zip(BAND_LEVELS, (0.18, 0.35)):
            row = int(np.argmin(np.abs(cloud.quantiles - level)))
            polygon = tube(cloud.median_path, cloud.band[row])
            data.append({"type": "scatter", "mode": "lines", "x": rounded(polygon[:, 0], decimals),
                         "y": rounded(polygon[:, 1], decimals), "fill": "toself", "fillcolor": _rgba(color, alpha),
                         "line": {"width": 0}, "hoverinfo": "skip",
                         "name": f"{name}: {int(round(100 * cloud.quantiles[row]))}% of seeds"})
        median = cloud.median_path[np.all(np.isfinite(cloud.median_path), axis=1)]
        data.append({"type": "scatter", "mode": "lines", "x": rounded(median[:, 0], decimals),
                     "y": rounded(median[:, 1], decimals), "line": {"color": color, "width": 2.5},
                     "name": f"{name}: median path", "hoverinfo": "skip"})
        final = cloud.path[-1][np.all(np.isfinite(cloud.path[-1]), axis=1)]
        data.append({"type": "scatter", "mode": "markers", "x": rounded(final[:, 0], decimals),
                     "y": rounded(final[:, 1], decimals), "marker": {"color": color, "size": 4, "opacity": 0.7},
                     "name": f"{name}: final points ({cloud.seeds.size} seeds)",
                     "hovertemplate": "(%{x}, %{y})<extra></extra>"})
    x0, x1, y0, y1 = (float(v) for v in view)
    return {"data": data, "layout": {
        "height": 420, "margin": {"l": 50, "r": 10, "t": 10, "b": 40},
        "xaxis": {"range": [x0, x1], "zeroline": False, "showgrid": False, "title": {"text": "x"}},
        "yaxis": {"range": [y0, y1], "zeroline": False, "showgrid": False, "title": {"text": "y"}},
        "legend": {"orientation": "h", "y": -0.15}, "hovermode": "closest"}}


def cloud_summary_text(cloud) -> str:
    """The results table's line: the cloud's medians and spreads (IQR), and the shares that settled and diverged."""
    s = cloud.summary
    text = f"{s['n_seeds']} seeds: final loss median {s['final_loss_median']:.3g} (IQR {s['final_loss_iqr']:.3g})"
    if s["settled_share"] > 0:
        text += (f"; settled {100 * s['settled_share']:.0f}%, median step {s['settled_median']:.0f} "
                 f"(IQR {s['settled_iqr']:.0f})")
    else:
        text += "; none settled"
    if s["diverged_share"] > 0:
        text += f"; diverged {100 * s['diverged_share']:.0f}%"
    return text
