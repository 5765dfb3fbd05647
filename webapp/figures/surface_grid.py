r"""A surface sampled for a contour, made drawable: every map's contour goes through :func:`drawable_grid`.

The browser draws float32 and Plotly's contour cannot draw a grid with no finite value or no
variation (it raised in the browser and then stopped drawing runs). So, over the view:

* NaN (the formula is undefined there) stays NaN: a gap the map shows tinted;
* values at or above :data:`OVERFLOW` (1e38, near float32's limit) or infinite are clipped to the
  largest drawable value (a clipped colour scale), with a message;
* a grid that varies less than float32 can show (span < 1e-5 |f|) is drawn as ``f - f_low``;
* nothing drawable (every value undefined or overflowing) or a flat grid: no contour
  (``z`` is ``None``) and a message that the map shows instead.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from webapp.i18n import msg

__all__ = ["SurfaceGrid", "drawable_grid", "OVERFLOW"]

OVERFLOW = 1e38


@dataclass(frozen=True)
class SurfaceGrid:
    xs: np.ndarray              # (n,)
    ys: np.ndarray              # (n,)
    z: np.ndarray | None        # (n, n) float64, NaN where undefined; None: nothing to contour
    title: str                  # the colour bar's title
    message: str                # what the map should say ("" when all is well)
    f: np.ndarray | None = None  # (n, n) f itself (clipped) when ``z`` is a log colour of it, for read-outs


def _log_height(values: np.ndarray) -> np.ndarray:
    """log10 of the height above the lowest defined value; the offset keeps the floor finite."""
    defined = values[np.isfinite(values)]
    lowest, span = (float(defined.min()), float(np.ptp(defined))) if defined.size else (0.0, 0.0)
    return np.log10(values - lowest + max(1e-6 * span, 1e-12))


def drawable_grid(surface, view, grid_size: int, log_color: bool | None = None) -> SurfaceGrid:
    """``surface`` on a ``grid_size`` square grid over ``view``, drawable (see the module docstring)."""
    xs, ys, values = surface.grid(grid_size, view)                      # (n,), (n,), (n, n)
    values = np.asarray(values, dtype=np.float64)
    log_color = surface.log_color if log_color is None else log_color
    with np.errstate(invalid="ignore"):
        undefined = np.isnan(values)
        overflowing = ~undefined & ~(np.abs(values) < OVERFLOW)
    drawable = ~undefined & ~overflowing
    if not drawable.any():
        reason = msg("grid.undefined" if undefined.all() else "grid.infinite")
        return SurfaceGrid(xs, ys, None, "f(x, y)", msg("grid.nothing_to_draw", reason=reason))
    low, high = float(values[drawable].min()), float(values[drawable].max())
    message = ""
    if overflowing.any():
        values = np.where(overflowing, np.where(values > 0, high, low), values)
        message = msg("grid.clipped")
    if high == low:
        return SurfaceGrid(xs, ys, None, "f(x, y)", msg("grid.flat_clipped" if message else "grid.flat",
                                                        value=f"{low:.6g}"))
    if log_color:
        return SurfaceGrid(xs, ys, _log_height(values), "log\u2081\u2080 f", message, f=values)
    if high - low < 1e-5 * max(abs(low), abs(high)):
        # float32 (what the browser draws) would flatten this: draw the height above the lowest value
        shift = f"\u2212 {low:.6g}" if low >= 0 else f"+ {-low:.6g}"
        return SurfaceGrid(xs, ys, values - low, f"f {shift}", message)
    return SurfaceGrid(xs, ys, values, "f(x, y)", message)
