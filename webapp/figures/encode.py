"""The one encoder: numbers and text as the browser gets them (finite, rounded, typed, escaped).

Everything a figure sends is finite and plain: lists of Python floats (rounded),
``None`` only as a gap, static grids as float32 typed arrays ``{dtype, bdata, shape}``,
and text escaped for Plotly's HTML-ish labels. Every figure module encodes through here.
"""
from __future__ import annotations

import base64
import math

import numpy as np

__all__ = ["finite", "rounded", "typed", "with_gaps", "log_colour", "log_colour_ticks", "coordinate_decimals",
           "round_significant", "escape", "HUGE"]

HUGE = 1e300   # stand-in for +-inf so JSON stays valid


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


def with_gaps(values: np.ndarray) -> list:
    """A grid as nested lists with ``None`` (JSON null: a gap in the contour) where it is not finite;
    6 significant digits, far finer than the contour levels."""
    return [[float(f"{v:.6g}") if math.isfinite(v) else None for v in row] for row in values.tolist()]


def finite(values) -> np.ndarray:
    """float64 copy with NaN -> 0 and +-inf -> +-1e300 (JSON has no NaN)."""
    return np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0, posinf=HUGE, neginf=-HUGE)


def rounded(values, decimals: int) -> list:
    """Finite floats rounded to ``decimals`` places, as (nested) plain lists."""
    return np.round(finite(values), decimals).tolist()


def typed(values) -> dict:
    """A float32 typed array for a static trace (plotly.js decodes ``{dtype, bdata, shape}``)."""
    values = np.ascontiguousarray(np.clip(finite(values), -3e38, 3e38), dtype="<f4")
    return {"dtype": "f4", "bdata": base64.b64encode(values.tobytes()).decode("ascii"),
            "shape": ",".join(str(n) for n in values.shape)}


def log_colour(values, floor: float | None = None) -> np.ndarray:
    r"""Colour values for surfaces with a huge range: ``log10(f - f_low + eps)``.

    ``f_low`` is the lowest finite value (or ``floor`` when given);
    ``eps = max(1e-6 (f_high - f_low), 1e-12)`` keeps the lowest point finite. The map
    is strictly increasing in f, so colour order equals height order.
    """
    values = finite(values)
    low = float(values.min()) if floor is None else float(floor)
    eps = max(1e-6 * float(values.max() - low), 1e-12)
    return np.log10(np.maximum(values - low, 0.0) + eps)


def log_colour_ticks(shown) -> tuple[list, list]:
    """Colour-bar ticks for :func:`log_colour`: whole powers of ten of ``f - f_low``, at most about 7."""
    top, bottom = float(np.max(shown)), float(np.min(shown))
    powers = list(range(math.ceil(bottom), math.floor(top) + 1))
    if len(powers) > 7:
        powers = powers[::-1][::math.ceil(len(powers) / 7)][::-1]
    labels = {0: "1", 1: "10", 2: "100", 3: "1000"}
    return [float(p) for p in powers], [labels.get(p, f"1e{p}") for p in powers]


def escape(text: str) -> str:
    """Text safe for Plotly's HTML-ish labels and inside a hovertemplate (``%{`` would be read as a variable)."""
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("%{", "%\u200b{"))
