"""The surface's known critical points as map traces, each kind with its own marker, and their key.

Kinds (``CriticalPoint.kind``) and how they are drawn (:data:`MARKERS`):

* global minimum: a large filled star with a white rim, always the one that stands out;
* local minimum: an open star; on a surface with many of them (more than :data:`MANY` = 8, e.g.
  Rastrigin's 120) a small light one, so the global minimum stays visible among them;
* saddle: a thin cross; maximum: an open triangle (light too when there are many).

:func:`critical_point_traces` returns two scatter traces, minima then saddles and maxima, with a
marker per point (callers must not rely on how many traces). :func:`marker_key` lists the kinds a
surface has, in that order, as ``(glyph, label)``; :func:`marker_key_annotation` is that key as a
Plotly annotation inside the map's lower right corner (plain dict).
"""
from __future__ import annotations

from collections import Counter

from webapp.figures.encode import escape
from webapp.i18n import t

__all__ = ["critical_point_traces", "marker_key", "marker_key_annotation", "marker_style", "MARKERS", "MANY",
           "KIND_ORDER"]

MANY = 8            # more points of one kind than this: drawn small and light
INK = "#111111"
LIGHT = "rgba(17, 17, 17, 0.35)"
KIND_ORDER = ("global minimum", "local minimum", "saddle", "maximum")
KIND_KEYS = {"global minimum": "global", "local minimum": "local", "saddle": "saddle", "maximum": "maximum"}
# the key's and the hover's words: markers.<key> and markers.kind_<key> in the catalogs (webapp.i18n)
# kind -> (Plotly symbol, size, glyph in the key, label in the key)
MARKERS = {
    "global minimum": ("star", 19, "\u2605", "global min"),
    "local minimum": ("star-open", 14, "\u2606", "local min"),
    "saddle": ("x-thin", 13, "\u2715", "saddle"),
    "maximum": ("triangle-up-open", 13, "\u25b3", "maximum"),
}


def marker_style(kind: str, crowded: bool) -> dict:
    """``{"symbol", "size", "color", "line"}`` of one point of ``kind``; ``crowded``: its kind has
    more than :data:`MANY` points (then small and light, except the global minimum)."""
    symbol, size, _, _ = MARKERS[kind]
    if kind == "global minimum":
        return {"symbol": symbol, "size": size, "color": INK, "line": {"width": 1.5, "color": "#ffffff"}}
    if crowded:
        return {"symbol": symbol, "size": max(7, size // 2), "color": LIGHT, "line": {"width": 1, "color": LIGHT}}
    return {"symbol": symbol, "size": size, "color": INK, "line": {"width": 2, "color": INK}}


def critical_point_traces(surface, decimals: int, lang: str = "en") -> list[dict]:
    """Scatter traces of the surface's known critical points, rounded to ``decimals``: minima (global
    drawn last, on top), then saddles and maxima (their hover text in ``lang``)."""
    counts = Counter(p.kind for p in surface.critical_points)
    minima = sorted((p for p in surface.critical_points if p.is_minimum), key=lambda p: p.kind == "global minimum")
    others = [p for p in surface.critical_points if not p.is_minimum]
    return [_points_trace(minima, "minimum", counts, decimals, lang),
            _points_trace(others, "saddle / maximum", counts, decimals, lang)]


def _kind_text(kind: str, lang: str) -> str:
    return t(f"markers.kind_{KIND_KEYS[kind]}", lang) if kind in KIND_KEYS else kind


def _points_trace(points, name: str, counts: Counter, decimals: int, lang: str = "en") -> dict:
    styles = [marker_style(p.kind, counts[p.kind] > MANY) for p in points]
    return {
        "type": "scatter", "mode": "markers", "name": name,
        "x": [round(p.x, decimals) for p in points], "y": [round(p.y, decimals) for p in points],
        "text": [f"{_kind_text(p.kind, lang)}, f = {p.value:.4g}" for p in points],
        "marker": {"symbol": [s["symbol"] for s in styles], "size": [s["size"] for s in styles],
                   "color": [s["color"] for s in styles],
                   "line": {"width": [s["line"]["width"] for s in styles],
                            "color": [s["line"]["color"] for s in styles]}},
        "hovertemplate": "%{text}<br>(%{x:.4g}, %{y:.4g})<extra></extra>", "showlegend": False,
    }


def marker_key(surface, lang: str = "en") -> list[tuple]:
    """``(glyph, label)`` for each kind of critical point the surface has, global minimum first (labels in
    ``lang``; in English those of :data:`MARKERS`)."""
    present = {p.kind for p in surface.critical_points}
    return [(MARKERS[kind][2], t(f"markers.{KIND_KEYS[kind]}", lang)) for kind in KIND_ORDER if kind in present]


def marker_key_annotation(surface, lang: str = "en") -> dict | None:
    """The key of the map's markers as a Plotly annotation (lower right, inside the plot), or ``None``
    when the surface has no known critical point."""
    entries = marker_key(surface, lang)
    if not entries:
        return None
    text = "\u2003".join(f"{glyph} {escape(label)}" for glyph, label in entries)
    return {"text": text, "xref": "paper", "yref": "paper", "x": 0.995, "y": 0.01, "xanchor": "right",
            "yanchor": "bottom", "showarrow": False, "align": "right", "bgcolor": "rgba(255, 255, 255, 0.85)",
            "borderpad": 3, "font": {"size": 12, "color": INK}, "name": "marker key"}
