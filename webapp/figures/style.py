"""Style shared by every figure: the font and the surfaces' colour scale."""
from __future__ import annotations

__all__ = ["FONT", "CONTOUR_SCALE"]

FONT = "Inter, system-ui, -apple-system, Segoe UI, Roboto, sans-serif"

# Light at the minimum, darker uphill, and colourless: every run colour (blue and sky blue included)
# stays readable on top of it.
CONTOUR_SCALE = [
    [0.0, "#fcfcfd"], [0.2, "#eceef2"], [0.4, "#d9dde4"], [0.6, "#c2c8d2"],
    [0.8, "#a7afbd"], [1.0, "#8a94a6"],
]
