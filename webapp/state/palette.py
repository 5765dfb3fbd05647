"""Run colours: the path palette, darker text variants of it, line dashes, and the colour each
optimizer keeps across pages.

* :data:`PALETTE`: Okabe-Ito (Okabe & Ito 2008), distinguishable with the common colour-vision
  deficiencies; the colours of paths, markers and swatches.
* :data:`TEXT_PALETTE`: the same hues darkened (each channel scaled by one factor) until the contrast
  ratio against the page background ``#f3f5f9`` and the white cards is at least 4.6:1 (WCAG 2.2 AA asks
  4.5:1 for text). Run names are written in these; paths keep the palette. The contrast ratio is
  ``(L1 + 0.05) / (L2 + 0.05)`` of the relative luminances ``L = 0.2126 R + 0.7152 G + 0.0722 B`` of
  the linearised sRGB channels (:func:`contrast_ratio`).
* :data:`OPTIMIZER_COLORS`: the palette index each optimizer has by default, so Momentum is the same
  orange in every scenario; other optimizers follow their registry order.
* :func:`run_dashes`: a second channel besides colour. The first run of a colour is solid, the next
  runs of the same colour (the same optimizer twice, with other settings) are dashed, dotted, ...
"""
from __future__ import annotations

import optimizers

__all__ = ["PALETTE", "TEXT_PALETTE", "DASHES", "DASH_ARRAYS", "OPTIMIZER_COLORS", "optimizer_color", "run_dashes",
           "text_color", "contrast_ratio", "relative_luminance"]

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#7F6A00", "#000000")
TEXT_PALETTE = ("#0072B2", "#936500", "#007E5B", "#B75000", "#985A7D", "#377497", "#7F6A00", "#000000")
# Plotly's dash names, in order of use; the SVG player draws the same patterns (stroke-dasharray)
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
DASH_ARRAYS = {"solid": "", "dash": "9,6", "dot": "2,5", "dashdot": "9,5,2,5", "longdash": "16,6",
               "longdashdot": "16,5,2,5"}          # SVG stroke-dasharray of each, in px

OPTIMIZER_COLORS = {
    "sgd": 0, "momentum": 1, "rmsprop": 2, "adam": 3, "nesterov": 4, "adagrad": 5, "adamw": 6, "newton": 7,
    "lbfgs": 7, "adadelta": 5, "nadam": 3, "radam": 3, "adamax": 6,
}


def optimizer_color(name: str) -> int:
    """The palette index ``name`` has by default: its fixed one, else its place in the registry."""
    if name in OPTIMIZER_COLORS:
        return OPTIMIZER_COLORS[name]
    names = optimizers.names()
    return (names.index(name) if name in names else len(name)) % len(PALETTE)


def run_dashes(colors) -> list[str]:
    """The dash of each run, given their palette indices in page order: the k-th run of a colour gets
    ``DASHES[k]`` (cycling), so two runs of one colour never look alike."""
    seen: dict[int, int] = {}
    dashes = []
    for color in colors:
        count = seen.get(color % len(PALETTE), 0)
        seen[color % len(PALETTE)] = count + 1
        dashes.append(DASHES[count % len(DASHES)])
    return dashes


def text_color(index: int) -> str:
    """The text variant of palette colour ``index`` (contrast >= 4.6:1 on the page)."""
    return TEXT_PALETTE[index % len(TEXT_PALETTE)]


def relative_luminance(hex_color: str) -> float:
    """WCAG relative luminance of ``#rrggbb``: linearise each sRGB channel c (c/12.92 below 0.04045, else
    ((c + 0.055)/1.055)^2.4) and weight them 0.2126, 0.7152, 0.0722."""
    channels = [int(hex_color[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(foreground: str, background: str = "#ffffff") -> float:
    """WCAG contrast ratio (L1 + 0.05) / (L2 + 0.05), L1 the lighter luminance."""
    high, low = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)
