"""Pure figure builders for the Maps panel: basins of attraction and hyperparameter sensitivity.

Arrays in (:class:`optimizers.maps.BasinMap`, :class:`optimizers.maps.SensitivityMap`),
plain Plotly figure dicts out; tested without a browser. One panel per run, side
by side (``xaxis``, ``xaxis2``, ... laid out by hand: cheaper than ``make_subplots``).

Payloads stay small:

* a basin panel's colour is a class index ``(G, G)`` sent as an int8 typed array
  (40 kB of base64 for 200 x 200): ``0..M-1`` the known minima, ``M`` "not
  converged", ``M+1`` "diverged" (see :func:`basin_classes`);
* steps to tolerance are whole numbers (``None`` where never reached);
* a sensitivity panel's loss gap is ``log10(gap)`` rounded to 2 decimals, and its axes
  are ``log10(value)`` for log-scale parameters (ticks show the values), so every
  cell has the same width, which Plotly's heatmap on a log axis does not give.

``layout.meta.cells[p]`` lists the traces of panel ``p`` whose cells take clicks (its heatmap and
diverged overlay: a click can land on either). Trace order of a basin figure, per panel ``p``: heatmap
(``meta.heatmaps[p]``), diverged overlay (steps colouring only),
contour lines, known minima, start; then one legend-only trace per class.
Sensitivity figure, per panel: heatmap, diverged overlay, diverged X markers,
current setting; then the legend-only traces.
"""
from __future__ import annotations

import math

import numpy as np

from optimizers.maps import DIVERGED, NEVER, NOT_CONVERGED
from webapp.figures.encode import escape, finite, log_colour, typed
from webapp.figures.style import FONT
from webapp.i18n import t

__all__ = ["basin_classes", "basin_class_colours", "basin_figure", "sensitivity_figure", "axis_values",
           "DIVERGED_COLOUR", "NOT_CONVERGED_COLOUR", "MINIMUM_COLOURS", "MAX_LEGEND_MINIMA", "panel_domains"]

# Basin classes: a qualitative palette for the minima (Tableau 10, without red and grey, which mean
# "diverged" and "not converged" here).
MINIMUM_COLOURS = ("#4C78A8", "#F58518", "#54A24B", "#EECA3B", "#B279A2", "#72B7B2", "#FF9DA6", "#9D755D")
NOT_CONVERGED_COLOUR = "#BDBDBD"
DIVERGED_COLOUR = "#B42318"
STEPS_SCALE = "Viridis"
GAP_SCALE = "Viridis"
MAX_LEGEND_MINIMA = 10      # more minima (Rastrigin has 121) are coloured but not all named
PANEL_GAP = 0.06
HEIGHT = 460
CONTOUR_GRID = 70


# ------------------------------------------------------------------ layout helpers
def panel_domains(count: int, gap: float = PANEL_GAP) -> list[list[float]]:
    """``count`` equal horizontal domains in [0, 1] with ``gap`` between neighbours."""
    width = (1.0 - gap * (count - 1)) / count
    return [[round(i * (width + gap), 6), round(i * (width + gap) + width, 6)] for i in range(count)]


def _axis_names(index: int) -> tuple[str, str, str, str]:
    """Trace refs and layout keys of panel ``index``: ('x', 'y', 'xaxis', 'yaxis'), ('x2', 'y2', ...)."""
    suffix = "" if index == 0 else str(index + 1)
    return f"x{suffix}", f"y{suffix}", f"xaxis{suffix}", f"yaxis{suffix}"


def _base_layout(title_texts: list[str], domains) -> dict:
    annotations = [{"text": text, "x": (lo + hi) / 2, "y": 1.0, "xref": "paper", "yref": "paper",
                    "xanchor": "center", "yanchor": "bottom", "showarrow": False, "font": {"size": 13}}
                   for text, (lo, hi) in zip(title_texts, domains)]
    return {
        "height": HEIGHT, "margin": {"l": 56, "r": 20, "t": 58, "b": 64},
        "font": {"family": FONT, "size": 12}, "paper_bgcolor": "white", "plot_bgcolor": "white",
        "annotations": annotations, "hovermode": "closest", "dragmode": False,
        "legend": {"orientation": "h", "x": 0, "y": -0.2, "yanchor": "top", "font": {"size": 12}},
    }


def _legend_entry(name: str, colour: str, symbol: str = "square", group: str | None = None,
                  line_colour: str = "rgba(0,0,0,0.35)") -> dict:
    """A legend-only trace: no data, one swatch."""
    return {"type": "scatter", "mode": "markers", "x": [None], "y": [None], "name": name, "showlegend": True,
            "hoverinfo": "skip", "legendgroup": group or name,
            "marker": {"symbol": symbol, "size": 13, "color": colour, "line": {"width": 1, "color": line_colour}}}


def _small_list(values, digits: int = 6) -> list[float]:
    return [float(f"{v:.{digits}g}") for v in finite(values).tolist()]


# ------------------------------------------------------------------ basin maps
def basin_class_colours(n_minima: int) -> list[str]:
    """Colour of each class index: minima (palette cycled), then not converged, then diverged."""
    return [MINIMUM_COLOURS[i % len(MINIMUM_COLOURS)] for i in range(n_minima)] + \
        [NOT_CONVERGED_COLOUR, DIVERGED_COLOUR]


def basin_classes(labels: np.ndarray, n_minima: int) -> np.ndarray:
    """Engine labels -> class indices: ``i >= 0`` stays ``i``; NOT_CONVERGED -> M; DIVERGED -> M + 1."""
    labels = np.asarray(labels)
    out = labels.copy()
    out[labels == NOT_CONVERGED] = n_minima
    out[labels == DIVERGED] = n_minima + 1
    return out


def _discrete_scale(colours: list[str]) -> list:
    """A Plotly colourscale with one flat band per class index ``0..C-1`` (use ``zmin=-0.5, zmax=C-0.5``)."""
    count = len(colours)
    scale = []
    for i, colour in enumerate(colours):
        scale += [[i / count, colour], [(i + 1) / count, colour]]
    return scale


def _int_typed(values: np.ndarray) -> dict:
    """Small integers as an int8 (or int16) typed array with its 2-D shape."""
    import base64

    dtype = "<i1" if values.min(initial=0) >= -128 and values.max(initial=0) <= 127 else "<i2"
    data = np.ascontiguousarray(values, dtype=dtype)
    return {"dtype": dtype[1:], "bdata": base64.b64encode(data.tobytes()).decode("ascii"),
            "shape": ",".join(str(n) for n in data.shape)}


def _share(counts: dict, code: int) -> float:
    total = sum(counts.values()) or 1
    return 100.0 * counts.get(code, 0) / total


def _basin_subtitle(basin, colours) -> str:
    """Each class's share of the cells, largest first (at most 5), as a coloured square and a percentage:
    the legend names the colours, so the line stays short enough for narrow side-by-side panels."""
    shares = sorted(((n, code) for code, n in basin.counts.items() if n), reverse=True)[:5]
    parts = []
    for n, code in shares:
        index = code if code >= 0 else (len(colours) - 2 if code == NOT_CONVERGED else len(colours) - 1)
        parts.append(f"<span style='color:{colours[index]}'>\u25A0</span> {_share(basin.counts, code):.0f}%")
    return " ".join(parts)


def _contour_lines(landscape, view, ref: tuple[str, str]) -> dict:
    """Grey contour lines of ``landscape`` over ``view`` (log-spaced levels where the surface asks for it)."""
    xs, ys, values = landscape.grid(CONTOUR_GRID, view)                 # (n,), (n,), (n, n)
    shown = log_colour(values) if landscape.log_color else finite(values)
    return {"type": "contour", "x": typed(xs), "y": typed(ys), "z": typed(shown), "xaxis": ref[0],
            "yaxis": ref[1], "ncontours": 18, "contours": {"coloring": "none"}, "showscale": False,
            "line": {"width": 0.8, "color": "rgba(30,30,30,0.45)"}, "hoverinfo": "skip", "showlegend": False,
            "name": "contour lines"}


def basin_figure(panels, landscape, start, color_by: str = "minimum", lang: str = "en") -> dict:
    """Basin maps side by side, one panel per ``(title, BasinMap)`` in ``panels``, over contour lines.

    ``color_by="minimum"``: each cell coloured by the class its run ends in (a discrete
    scale, the legend names each class present in any panel); ``"steps"``: by steps to
    tolerance (cells never within tolerance are blank, diverged ones red). The current
    ``start`` is marked in every panel. ``layout.meta`` = ``{"kind": "basin", "heatmaps":
    [trace index per panel]}``.
    """
    if color_by not in ("minimum", "steps"):
        raise ValueError(f"color_by must be 'minimum' or 'steps', got {color_by!r}")
    domains = panel_domains(len(panels))
    minima = list(landscape.minima)
    colours = basin_class_colours(len(minima))
    steps_max = max([int(b.steps_to_tol.max(initial=0)) for _, b in panels] + [1])
    titles = [f"<b>{escape(title)}</b><br><span style='font-size:12px'>{_basin_subtitle(b, colours)}</span>"
              for title, b in panels]
    layout = _base_layout(titles, domains)
    data, heatmaps, cells = [], [], []
    for index, (title, basin) in enumerate(panels):
        ref = _axis_names(index)
        heatmaps.append(len(data))
        common = {"x": _small_list(basin.xs), "y": _small_list(basin.ys), "xaxis": ref[0], "yaxis": ref[1],
                  "opacity": 0.62, "showlegend": False, "name": title}
        if color_by == "minimum":
            classes = basin_classes(basin.labels, len(minima))               # (G, G)
            data.append({"type": "heatmap", "z": _int_typed(classes), "zmin": -0.5, "zmax": len(colours) - 0.5,
                         "colorscale": _discrete_scale(colours), "showscale": False,
                         "hovertemplate": t("mapfig.start", lang) + " (%{x:.3g}, %{y:.3g})<br>"
                                          + t("mapfig.click_start", lang) + "<extra></extra>",
                         **common})
        else:
            reached = np.where((basin.steps_to_tol == NEVER) | (basin.labels == DIVERGED), np.nan,
                               basin.steps_to_tol)                           # (G, G), NaN = blank
            data.append({"type": "heatmap", "z": _nullable(reached, 0), "zmin": 0, "zmax": steps_max,
                         "colorscale": STEPS_SCALE, "reversescale": True, "showscale": index == len(panels) - 1,
                         "colorbar": {"title": {"text": t("mapfig.steps_to_tol", lang)}, "thickness": 12, "len": 0.8},
                         "hovertemplate": t("mapfig.start", lang) + " (%{x:.3g}, %{y:.3g})<br>"
                                          + t("mapfig.z_steps", lang, z="%{z}") + "<extra></extra>",
                         **common})
            if (basin.labels == DIVERGED).any():
                data.append(_mask_heatmap(basin.labels == DIVERGED, common, DIVERGED_COLOUR))
        cells.append(list(range(heatmaps[-1], len(data))))
        data.append(_contour_lines(landscape, basin.view, ref))
        if minima:
            data.append({"type": "scatter", "mode": "markers", "xaxis": ref[0], "yaxis": ref[1],
                         "x": [m.x for m in minima], "y": [m.y for m in minima], "showlegend": False,
                         "marker": {"symbol": "star", "size": 11, "color": "#111", "line": {"width": 1,
                                                                                       "color": "white"}},
                         "hovertemplate": "%{text}<extra></extra>",
                         "text": [escape(basin.legend[i]) for i in range(len(minima))], "name": "known minima"})
        data.append({"type": "scatter", "mode": "markers", "xaxis": ref[0], "yaxis": ref[1],
                     "x": [float(start[0])], "y": [float(start[1])], "showlegend": False, "name": "current start",
                     "marker": {"symbol": "circle-open", "size": 13, "color": "#000", "line": {"width": 2.5}},
                     "hovertemplate": t("mapfig.current_start", lang) + " (%{x:.3g}, %{y:.3g})<extra></extra>"})
        x_min, x_max, y_min, y_max = basin.view
        layout[ref[2]] = {"domain": domains[index], "range": [x_min, x_max], "title": {"text": "x"},
                          "showgrid": False, "zeroline": False, "anchor": ref[1], "fixedrange": True}
        layout[ref[3]] = {"range": [y_min, y_max], "showgrid": False, "zeroline": False, "anchor": ref[0],
                          "fixedrange": True, **({"title": {"text": "y"}} if index == 0 else {})}
    data += _basin_legend(panels, minima, colours, color_by, lang)
    layout["meta"] = {"kind": "basin", "heatmaps": heatmaps, "cells": cells, "color_by": color_by}
    return {"data": data, "layout": layout}


def _basin_legend(panels, minima, colours, color_by: str, lang: str = "en") -> list[dict]:
    """Legend-only traces: each class present in a panel (minima by name and position), then start."""
    present = {code for _, basin in panels for code, n in basin.counts.items() if n}
    entries = []
    if color_by == "minimum":
        named = [i for i in range(len(minima)) if i in present]
        for i in named[:MAX_LEGEND_MINIMA]:
            entries.append(_legend_entry(panels[0][1].legend[i], colours[i]))
        if len(named) > MAX_LEGEND_MINIMA:
            entries.append(_legend_entry(t("mapfig.more_minima", lang, count=len(named) - MAX_LEGEND_MINIMA), "#ffffff"))
        entries.append(_legend_entry(t("mapfig.not_converged", lang), NOT_CONVERGED_COLOUR))
    else:
        entries.append(_legend_entry(t("mapfig.never_within", lang), "#ffffff"))
    entries.append(_legend_entry(t("mapfig.diverged", lang), DIVERGED_COLOUR))
    entries.append(_legend_entry(t("mapfig.current_start", lang), "#000", "circle-open"))
    return entries


def _nullable(values: np.ndarray, decimals: int) -> list:
    """A 2-D list with ``None`` where ``values`` is NaN (a blank heatmap cell), rounded."""
    rounded = np.round(np.asarray(values, dtype=np.float64), decimals)
    out = rounded.astype(object)
    out[np.isnan(rounded)] = None
    if decimals == 0:
        finite_cells = ~np.isnan(rounded)
        out[finite_cells] = rounded[finite_cells].astype(np.int64)
    return out.tolist()


def _mask_heatmap(mask: np.ndarray, common: dict, colour: str) -> dict:
    """One flat colour where ``mask`` is true, blank elsewhere (e.g. the diverged cells)."""
    z = np.where(mask, 1.0, np.nan)
    return {"type": "heatmap", "z": _nullable(z, 0), "zmin": 0, "zmax": 1, "showscale": False,
            "colorscale": [[0, colour], [1, colour]], **{**common, "name": "diverged"}, "hoverongaps": False,
            "hovertemplate": "diverged<extra></extra>"}


# ------------------------------------------------------------------ sensitivity maps
def axis_values(values, scale: str) -> list[float]:
    """Where a parameter's grid values sit on the panel axis: ``log10(v)`` on a log scale, else ``v``."""
    values = np.asarray(values, dtype=np.float64)
    if scale == "log":
        return _small_list(np.log10(np.maximum(values, 1e-300)))
    return _small_list(values)


def _log_ticks(values) -> dict:
    """Ticks at whole powers of ten inside the grid (the axis holds log10 values)."""
    logs = np.log10(np.maximum(np.asarray(values, dtype=np.float64), 1e-300))
    powers = list(range(math.ceil(logs.min() - 1e-9), math.floor(logs.max() + 1e-9) + 1))
    if len(powers) > 8:
        powers = powers[::math.ceil(len(powers) / 8)]
    if not powers:
        return {}
    return {"tickvals": [float(p) for p in powers], "ticktext": [f"1e{p}" if not 0 <= p <= 2 else str(10 ** p)
                                                                  for p in powers]}


def _gap_ticks(low: float, high: float) -> dict:
    powers = list(range(math.ceil(low), math.floor(high) + 1))
    if len(powers) > 8:
        powers = powers[::math.ceil(len(powers) / 8)]
    return {"tickvals": [float(p) for p in powers], "ticktext": [f"1e{p}" for p in powers]}


def sensitivity_figure(panels, color_by: str = "gap", lang: str = "en") -> dict:
    """Sensitivity heatmaps side by side: one panel per ``(title, SensitivityMap, current)`` in ``panels``.

    ``current`` is the run's ``(x value, y value)`` (``None`` entries when unset), marked with
    an open circle. ``color_by="gap"``: ``log10`` of the final loss gap, one colour scale
    shared by all panels; ``"steps"``: steps to tolerance (blank = never). Diverged
    cells are drawn in :data:`DIVERGED_COLOUR` and crossed with X markers. Log-scale
    parameters sit on ``log10`` axes (ticks show values). ``layout.meta`` = ``{"kind":
    "sensitivity", "heatmaps": [...], "x_log": [...], "y_log": [...]}``.
    """
    if color_by not in ("gap", "steps"):
        raise ValueError(f"color_by must be 'gap' or 'steps', got {color_by!r}")
    domains = panel_domains(len(panels))
    logs = [np.log10(np.clip(s.loss_gap[~s.diverged], 1e-16, None)) for _, s, _ in panels]
    values = np.concatenate([v.ravel() for v in logs]) if logs else np.array([])
    gap_low = float(np.floor(values.min())) if values.size else -16.0
    gap_high = float(np.ceil(values.max())) if values.size else 0.0
    if gap_high <= gap_low:
        gap_high = gap_low + 1.0
    steps_max = max([int(s.steps_to_tol.max(initial=0)) for _, s, _ in panels] + [1])
    titles = []
    for title, smap, _ in panels:
        share = 100.0 * smap.diverged.mean() if smap.diverged.size else 0.0
        titles.append(f"<b>{escape(title)}</b><br><span style='font-size:11px'>{escape(smap.x_param)} \u00d7 "
                      f"{escape(smap.y_param)} \u00b7 {t('mapfig.diverged_share', lang, share=f'{share:.0f}')}</span>")
    layout = _base_layout(titles, domains)
    data, heatmaps, cells, x_log, y_log = [], [], [], [], []
    any_diverged = False
    for index, (title, smap, current) in enumerate(panels):
        ref = _axis_names(index)
        xs, ys = axis_values(smap.x_values, smap.x_scale), axis_values(smap.y_values, smap.y_scale)
        x_log.append(smap.x_scale == "log")
        y_log.append(smap.y_scale == "log")
        common = {"x": xs, "y": ys, "xaxis": ref[0], "yaxis": ref[1], "showlegend": False, "name": title}
        x_label = "10^%{x:.3g}" if smap.x_scale == "log" else "%{x:.4g}"
        y_label = "10^%{y:.3g}" if smap.y_scale == "log" else "%{y:.4g}"
        where = f"{escape(smap.x_param)}={x_label}, {escape(smap.y_param)}={y_label}"
        heatmaps.append(len(data))
        if color_by == "gap":
            z = np.where(smap.diverged, np.nan, np.log10(np.clip(smap.loss_gap, 1e-16, None)))
            data.append({"type": "heatmap", "z": _nullable(z, 2), "zmin": gap_low, "zmax": gap_high,
                         "colorscale": GAP_SCALE, "showscale": index == len(panels) - 1,
                         "colorbar": {"title": {"text": t("mapfig.final_gap", lang)}, "thickness": 12, "len": 0.8,
                                      **_gap_ticks(gap_low, gap_high)},
                         "hovertemplate": where + "<br>" + t("mapfig.gap_hover", lang, z="%{z}") + "<br>"
                                          + t("mapfig.click_use", lang) + "<extra></extra>",
                         **common})
        else:
            z = np.where(smap.diverged | (smap.steps_to_tol == NEVER), np.nan, smap.steps_to_tol)
            data.append({"type": "heatmap", "z": _nullable(z, 0), "zmin": 0, "zmax": steps_max,
                         "colorscale": STEPS_SCALE, "reversescale": True, "showscale": index == len(panels) - 1,
                         "colorbar": {"title": {"text": t("mapfig.steps_to_tol", lang)}, "thickness": 12, "len": 0.8},
                         "hovertemplate": where + "<br>" + t("mapfig.z_steps", lang, z="%{z}") + "<br>"
                                          + t("mapfig.click_use", lang) + "<extra></extra>",
                         **common})
        rows, cols = np.nonzero(smap.diverged)
        if rows.size:
            any_diverged = True
            data.append(_mask_heatmap(smap.diverged, common, DIVERGED_COLOUR))
            data.append({"type": "scatter", "mode": "markers", "xaxis": ref[0], "yaxis": ref[1],
                         "x": [xs[c] for c in cols.tolist()], "y": [ys[r] for r in rows.tolist()],
                         "marker": {"symbol": "x-thin", "size": 6, "line": {"width": 1.2, "color": "white"}},
                         "hoverinfo": "skip", "showlegend": False, "name": "diverged"})
        cells.append([heatmaps[-1]] + ([heatmaps[-1] + 1] if rows.size else []))
        cx, cy = current
        if cx is not None and cy is not None:
            data.append({"type": "scatter", "mode": "markers", "xaxis": ref[0], "yaxis": ref[1],
                         "x": axis_values([cx], smap.x_scale), "y": axis_values([cy], smap.y_scale),
                         "marker": {"symbol": "circle-open", "size": 16, "color": "#000", "line": {"width": 3}},
                         "showlegend": False, "name": "current setting",
                         "hovertemplate": f"{t('mapfig.current_setting', lang)}: {escape(smap.x_param)}={cx:.4g}, "
                                          f"{escape(smap.y_param)}={cy:.4g}<extra></extra>"})
        layout[ref[2]] = {"domain": domains[index], "title": {"text": smap.x_param + (" (log)" if x_log[-1] else "")},
                          "showgrid": False, "zeroline": False, "anchor": ref[1], "fixedrange": True,
                          **(_log_ticks(smap.x_values) if x_log[-1] else {})}
        layout[ref[3]] = {"title": {"text": smap.y_param + (" (log)" if y_log[-1] else "")}, "showgrid": False,
                          "zeroline": False, "anchor": ref[0], "fixedrange": True,
                          **(_log_ticks(smap.y_values) if y_log[-1] else {})}
    if any_diverged:
        data.append(_legend_entry(t("mapfig.diverged", lang) + " (\u00d7)", DIVERGED_COLOUR))
    if color_by == "steps":
        data.append(_legend_entry(t("mapfig.never_within", lang), "#ffffff"))
    data.append(_legend_entry(t("mapfig.current_setting", lang), "#000", "circle-open"))
    layout["meta"] = {"kind": "sensitivity", "heatmaps": heatmaps, "cells": cells, "x_log": x_log, "y_log": y_log,
                      "color_by": color_by}
    layout["margin"]["l"] = 64
    return {"data": data, "layout": layout}
