"""Shared pieces of the "inside the optimizer" views: runs to draw, numbers for the browser, log colour.

Everything that leaves this package for the browser is finite and plain:
lists of Python floats (rounded), ``None`` only as a gap between segments,
and static grids as float32 typed arrays ``{dtype, bdata, shape}``.
"""
from __future__ import annotations

import base64
import math
from dataclasses import dataclass

import numpy as np

from webapp.figures import FONT, coordinate_decimals, round_significant
from webapp.state import PALETTE

__all__ = ["RunView", "as_run_views", "rounded", "typed", "log_colour", "log_colour_ticks",
           "coordinate_decimals", "round_significant", "escape", "PALETTE", "FONT", "HUGE"]

HUGE = 1e300   # stand-in for +-inf so JSON stays valid


@dataclass(frozen=True)
class RunView:
    """One run as the views draw it: a name, a colour and its path ``(T+1, 2)``."""

    name: str
    color: str
    path: np.ndarray          # (T+1, 2)
    visible: bool = True


def as_run_views(runs) -> list[RunView]:
    """Normalise what callers have into :class:`RunView` records.

    Accepts, mixed freely: :class:`RunView`; the app's ``RunResult`` (``.label``,
    ``.path`` ``(T+1, 2)``, ``.spec.color`` index, ``.spec.visible``); a
    :class:`optimizers.Trajectory` (one record per run, named after the
    optimizer); or a dict with ``name``, ``path`` and optionally ``color``.
    Colours default to the app's palette in order.
    """
    views: list[RunView] = []

    def colour(index) -> str:
        return PALETTE[index % len(PALETTE)]

    for item in runs:
        if isinstance(item, RunView):
            views.append(item)
        elif hasattr(item, "optimizer") and hasattr(item, "state") and np.ndim(item.path) == 3:
            label = getattr(item.optimizer, "label", "") or item.optimizer.name
            for column in range(item.path.shape[1]):
                name = label if item.path.shape[1] == 1 else f"{label} #{column + 1}"
                views.append(RunView(name, colour(len(views)), np.asarray(item.path[:, column], dtype=np.float64)))
        elif isinstance(item, dict):
            views.append(RunView(str(item["name"]), item.get("color") or colour(len(views)),
                                 np.asarray(item["path"], dtype=np.float64), bool(item.get("visible", True))))
        else:
            spec = getattr(item, "spec", None)
            index = getattr(spec, "color", len(views))
            views.append(RunView(str(item.label), colour(index), np.asarray(item.path, dtype=np.float64),
                                 bool(getattr(spec, "visible", True))))
    return views


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
    """Text safe for Plotly's HTML-ish labels."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
