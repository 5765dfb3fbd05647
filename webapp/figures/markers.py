"""The surface's known critical points as map traces (minima, saddles and maxima).

:func:`critical_point_traces` returns a list of scatter traces; callers must not rely on how many
(today two: minima, then saddles and maxima).
"""
from __future__ import annotations

__all__ = ["critical_point_traces"]


def critical_point_traces(surface, decimals: int) -> list[dict]:
    """Scatter traces of the surface's known critical points, rounded to ``decimals``."""
    minima = [p for p in surface.critical_points if p.is_minimum]
    others = [p for p in surface.critical_points if not p.is_minimum]
    return [_points_trace(minima, "minimum", "star", "#111111", decimals),
            _points_trace(others, "saddle / maximum", "x-thin", "#111111", decimals)]


def _points_trace(points, name: str, symbol: str, color: str, decimals: int) -> dict:
    return {
        "type": "scatter", "mode": "markers", "name": name,
        "x": [round(p.x, decimals) for p in points], "y": [round(p.y, decimals) for p in points],
        "text": [f"{p.kind}, f = {p.value:.4g}" for p in points],
        "marker": {"symbol": symbol, "size": 16, "color": color, "line": {"width": 2, "color": color}},
        "hovertemplate": "%{text}<br>(%{x:.4g}, %{y:.4g})<extra></extra>", "showlegend": False,
    }
