"""Exports: trajectories as CSV, and a standalone HTML page that plays the animation offline.

Both are pure functions of already computed results/figures, so they are
tested without a server or a browser.
"""
from __future__ import annotations

import csv
import html
import io
import json
import math
import re
from pathlib import Path

from webapp import i18n
from webapp.figures.results import outcome

__all__ = ["CSV_COLUMNS", "csv_text", "hyperparameters_text", "standalone_html"]

CSV_COLUMNS = ("run", "name", "optimizer", "hyperparameters", "schedule", "noise", "seed", "status", "settled_at",
               "touched_at", "step", "x", "y", "loss", "grad_norm", "lr", "distance_to_min", "nearest_min")
ASSETS = Path(__file__).resolve().parent.parent / "assets"
# the player's files (assets/player-*.js, one namespace; any order works) and its stylesheet
PLAYER_FILES = ("player-core.js", "player-plotly.js", "player-layer.js", "player-map.js", "player-fade.js",
                "player-arrows.js", "player-hover.js", "player-cards.js", "player-slider.js", "player-playback.js")
PLAYER_CSS = "player.css"


def _number(value) -> str:
    value = float(value)
    return repr(value) if math.isfinite(value) else ""


def hyperparameters_text(values: dict) -> str:
    """``{"lr": 0.1, "nesterov": False}`` -> ``"lr=0.1;nesterov=False"`` (every value, schema order)."""
    return ";".join(f"{key}={value:g}" if isinstance(value, float) else f"{key}={value}"
                    for key, value in values.items())


def _step_text(step: int) -> str:
    return str(step) if step >= 0 else ""


def csv_text(results) -> str:
    """One row per run and step: ``run`` (1-based), its name, optimizer, hyperparameters, schedule, noise,
    seed, its status as the results table says it ("settled at step k", "touched at k, left again", ...)
    with ``settled_at`` (the first step from which its loss gap stays within 1e-3 to the end) and
    ``touched_at`` (the first step within; both empty when never), then per step: x, y, loss, gradient
    norm, the learning rate used by the step into this point (empty at step 0), the distance to the
    nearest known minimum and which one it is (``global``/``local``; empty when none is known)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for number, result in enumerate(results, start=1):
        spec = result.spec
        facts = outcome(result)
        fixed = [number, result.label, spec.optimizer, hyperparameters_text(spec.hyper),
                 spec.schedule if not spec.schedule_params else
                 f"{spec.schedule}({hyperparameters_text(spec.schedule_params)})",
                 _number(spec.noise), spec.seed, facts.status, _step_text(facts.settled_at),
                 _step_text(facts.touched_at)]
        path = result.path                                              # (T+1, 2)
        nearest, distance = _nearest_minima(result)                     # (T+1,) each
        for step in range(path.shape[0]):
            writer.writerow(fixed + [step, _number(path[step, 0]), _number(path[step, 1]),
                                     _number(result.loss[step]), _number(result.grad_norm[step]),
                                     _number(result.lr[step]), _number(distance[step]), nearest[step]])
    return buffer.getvalue()


def _nearest_minima(result) -> tuple[list, list]:
    """Per step, the kind (``"global"``/``"local"``, ``""`` for none) of the known minimum nearest to the
    run's point and the distance to it (NaN for none)."""
    steps = result.path.shape[0]
    landscape = getattr(result.trajectory, "landscape", None)
    if landscape is None or not landscape.minima:
        return [""] * steps, [math.nan] * steps
    index, distance = landscape.nearest_minimum(result.path)           # (T+1,) each
    kinds = [m.kind.split()[0] for m in landscape.minima]
    finite = [math.isfinite(d) for d in distance]
    return ([kinds[i] if ok else "" for i, ok in zip(index, finite)],
            [float(d) for d in distance])


def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def _script_json(value) -> str:
    """JSON safe inside a <script> element (no '</' sequences)."""
    return json.dumps(value, allow_nan=False, separators=(",", ":")).replace("</", "<\\/")


_PAGE = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font-family: system-ui, -apple-system, Segoe UI, Roboto, "Noto Sans KR", "Noto Sans CJK KR", "Apple SD Gothic Neo", "Malgun Gothic", sans-serif; margin: 16px; color: #1b2430; background: #f4f6fa; }}
:lang(ko) {{ word-break: keep-all; }}
h1 {{ font-size: 20px; margin: 0 0 8px; }}
.card {{ background: #fff; border-radius: 10px; box-shadow: 0 1px 3px rgba(0,0,0,.12); padding: 10px; margin-bottom: 12px; }}
#map-graph > div {{ height: 540px; }}
#loss-graph > div {{ height: 240px; }}
.player-bar {{ display: flex; align-items: center; gap: 8px; padding-top: 8px; }}
.player-button {{ font-size: 18px; min-width: 40px; height: 36px; border-radius: 8px; border: 1px solid #c9d2e0; background: #fff; cursor: pointer; }}
.scrub-holder {{ flex: 1; }} .scrub {{ width: 100%; }}
.step-readout {{ font-variant-numeric: tabular-nums; min-width: 110px; }}
.surface {{ margin: 0 0 10px; font-size: 16px; }} .formula {{ font-family: "STIX Two Math", "Cambria Math", serif; }}
.legend {{ display: flex; flex-wrap: wrap; gap: 4px 16px; padding: 0 4px 6px; font-weight: 600; font-size: 15px; }}
.legend-chip {{ display: inline-flex; align-items: center; gap: 6px; }}
</style>
<style>{player_css}</style>
<script>{plotly}</script>
</head><body>
<h1>{title}</h1>
{surface}
<div class="card">
<div class="legend">{legend}</div>
<div id="map-graph"><div id="map-plot"></div></div>
<div class="player-bar" id="player-bar">
<button class="player-button" data-player="restart" title="{restart}">&#x21E4;</button>
<button class="player-button" data-player="back" title="{back}">|&#x25C0;</button>
<button class="player-button" id="play-button" data-player="toggle" title="{play}">&#x25B6;</button>
<button class="player-button" data-player="forward" title="{forward}">&#x25B6;|</button>
<div id="scrub-holder" class="scrub-holder"></div>
<span id="step-readout" class="step-readout" data-template="{readout_template}">{readout}</span>
<label>{speed} <select id="speed-select"><option value="0.25">0.25&times;</option><option value="0.5">0.5&times;</option>
<option value="1" selected>1&times;</option><option value="2">2&times;</option><option value="4">4&times;</option></select></label>
</div></div>
<div class="card"><div id="loss-graph"><div id="loss-plot"></div></div></div>
<script type="application/json" id="optiscape-export">{{"map": {map_json}, "loss": {loss_json}, "payload": {payload_json}}}</script>
<script>{player}</script>
</body></html>
"""


def plain_formula(latex: str) -> str:
    r"""A surface's LaTeX formula as readable text for a page without MathJax (the export plays offline):
    ``\frac{a}{b}`` -> ``(a)/(b)``, ``x^{2}`` -> ``x^2``, Greek letters and ``\cdot`` as symbols, spacing
    commands and ``\left``/``\right`` dropped. Approximate by design; the page itself typesets the LaTeX."""
    text = latex
    for _ in range(4):                                  # nested fractions, innermost first
        text = re.sub(r"\\[dt]?frac\{([^{}]*)\}\{([^{}]*)\}", r"(\1)/(\2)", text)
    text = re.sub(r"\\[dt]?frac(\d)(\d)", r"\1/\2", text)            # \tfrac12
    text = text.replace("\\|", "\u2016")
    text = re.sub(r"\\sqrt\{([^{}]*)\}", "\u221a(\\1)", text)
    text = re.sub(r"\^\{([^{}]*)\}", lambda m: "^" + (m.group(1) if len(m.group(1)) == 1 else f"({m.group(1)})"), text)
    text = re.sub(r"_\{([^{}]*)\}", r"_\1", text)
    text = re.sub(r"\\(left|right|big|Big|bigl|bigr|Bigl|Bigr)(?![A-Za-z])", "", text)
    text = re.sub(r"\\([A-Za-z]+)(?![A-Za-z])", lambda m: _LATEX_SYMBOLS.get(m.group(1), m.group(0)), text)
    text = re.sub(r"\\(operatorname|mathrm|text)\{([^{}]*)\}", r"\2", text)
    text = re.sub(r"\\[,;:! ]|~", " ", text)
    text = re.sub(r"\\([A-Za-z]+)", r"\1", text)           # \sin, \exp, \log ... as words
    text = text.replace("{", "").replace("}", "")
    return re.sub(r"\s+", " ", text).strip()


_LATEX_SYMBOLS = {"cdot": "\u00b7", "times": "\u00d7", "pi": "\u03c0", "kappa": "\u03ba", "lambda": "\u03bb",
                  "theta": "\u03b8", "alpha": "\u03b1", "beta": "\u03b2", "mu": "\u03bc", "sigma": "\u03c3",
                  "varepsilon": "\u03b5", "epsilon": "\u03b5", "le": "\u2264", "leq": "\u2264", "ge": "\u2265",
                  "geq": "\u2265", "infty": "\u221e", "pm": "\u00b1"}


def _legend_html(payload: dict) -> str:
    """The runs' legend: a line in each run's colour and dash, and its name in the readable text colour."""
    chips = []
    for run in payload.get("runs", []):
        dash = f' stroke-dasharray="{html.escape(str(run.get("dash") or ""), quote=True)}"' if run.get("dash") else ""
        colour = html.escape(str(run.get("color", "#000")), quote=True)
        text_colour = html.escape(str(run.get("text_color") or run.get("color", "#000")), quote=True)
        chips.append(f'<span class="legend-chip"><svg width="26" height="8" aria-hidden="true">'
                     f'<line x1="1" y1="4" x2="25" y2="4" stroke="{colour}" stroke-width="3"{dash}/></svg>'
                     f'<span style="color:{text_colour}">{html.escape(str(run.get("name", "")))}</span></span>')
    return "".join(chips)


def _player_js() -> str:
    """The player's files as one script (``</`` cannot occur in them: they hold no HTML)."""
    return "\n".join((ASSETS / name).read_text(encoding="utf-8") for name in PLAYER_FILES)


def standalone_html(map_figure: dict, loss_figure: dict, payload: dict, title: str = "optiscape",
                    lang: str = "en", surface_name: str = "", formula: str = "") -> str:
    """A single self-contained HTML file: plotly.js inline, the figures and paths as JSON, and the player
    script, which draws the figures and plays when it finds that JSON (``#optiscape-export``). Above the
    map: the surface's name and formula (``formula`` LaTeX, written as text by :func:`plain_formula`) and
    the legend, each run's line and name.

    It plays offline (no server, no network): open it from a USB stick on a classroom computer.
    ``lang``: the page's language (``<html lang>`` and the player's words).
    """
    lang = i18n.language(lang)
    surface = ""
    if surface_name or formula:
        surface = (f'<p class="surface"><strong>{html.escape(surface_name)}</strong>'
                   + (f': <span class="formula">f(x, y) = {html.escape(plain_formula(formula))}</span>' if formula else "")
                   + "</p>")
    words = {key: html.escape(i18n.t(f"player.{key}", lang), quote=True)
             for key in ("restart", "back", "play", "forward", "speed")}
    template = i18n.t("player.step_readout", lang, step="{step}", steps="{steps}")
    return _PAGE.format(
        lang=lang, **words, readout_template=html.escape(template, quote=True),
        readout=html.escape(i18n.t("player.step_readout", lang, step=0, steps=0)),
        title=html.escape(title), plotly=_plotly_js(), player=_player_js(),
        player_css=(ASSETS / PLAYER_CSS).read_text(encoding="utf-8"),
        map_json=_script_json(map_figure), loss_json=_script_json(loss_figure),
        payload_json=_script_json(payload), surface=surface, legend=_legend_html(payload),
    )
