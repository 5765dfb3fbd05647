"""Controls generated from parameter schemas: adding an optimizer, schedule or surface needs no UI code.

Every numeric :class:`~landscapes.schema.Param` gets a slider and a number box;
the number box holds the exact value (the one the server reads) and the slider
moves along with it (a log10 slider for log-scale parameters, whose leftmost
stop means 0 when 0 is allowed). A switch becomes a checkbox, a choice a dropdown.

Pattern-matching ids, one family per owner ``kind`` (``"hyper"``,
``"sched-param"``, ``"surface-param"``)::

    {"type": kind, "run": i, "name": p}              a numeric value (number box: the exact value)
    {"type": kind + "-slider", "run": i, "name": p}  its slider (className "log" marks a log10 slider,
                                                     "zero" one whose leftmost stop means 0)
    {"type": kind + "-option", "run": i, "name": p}  a switch (checkbox) or a choice (dropdown)

Surface controls have no ``"run"`` key.
"""
from __future__ import annotations

import math
import re

from dash import dcc, html

import optimizers
from optimizers import schedules
from webapp.i18n import engine_text, localize, t
from webapp.panels.steppers import step_attrs, step_rule
from webapp.panels.surface.formula import text_control
from webapp.state import PALETTE, format_value
from webapp.state.palette import text_color

__all__ = ["CONTROL_KINDS", "param_control", "schema_controls", "slider_range", "run_card", "control_ids",
           "surface_controls", "LOG_ZERO_GAP"]

CONTROL_KINDS = ("hyper", "sched-param", "surface-param")
LOG_ZERO_GAP = 0.5      # decades left of slider_low where a log slider's "0" stop sits
SHOWN_UP_FRONT = 2      # numeric parameters shown before "More settings"


def slider_range(param) -> tuple[float, float, bool]:
    """``(low, high, log)`` of the slider for a numeric parameter (log10 units when ``log``).

    Uses the schema's slider range, else its valid range, else a span around the default, and
    always reaches the default (L-BFGS's history_size slides over 1-20 but defaults to 100: a slider
    that stopped at 20 showed 20 and rewrote 100 on the first nudge).
    """
    default = float(param.default) if isinstance(param.default, (int, float)) else 0.0
    if param.scale == "log":
        low = param.slider_low if param.slider_low else (param.low if param.low else max(abs(default), 1e-3) / 1e3)
        high = param.slider_high if param.slider_high else (param.high if param.high else max(abs(default), 1e-3) * 1e3)
        low_exp, high_exp = math.log10(low), math.log10(high)
        if default > 0:
            low_exp, high_exp = min(low_exp, math.log10(default)), max(high_exp, math.log10(default))
        if param.low == 0:
            low_exp -= LOG_ZERO_GAP       # the "0" stop
        return low_exp, high_exp, True
    low = param.slider_low if param.slider_low is not None else param.low
    high = param.slider_high if param.slider_high is not None else param.high
    if low is None or (isinstance(low, float) and math.isinf(low)):
        low = default - max(abs(default), 1.0) * 10
    if high is None or (isinstance(high, float) and math.isinf(high)):
        high = default + max(abs(default), 1.0) * 10
    if isinstance(param.default, (int, float)) and not isinstance(param.default, bool):
        low, high = min(low, default), max(high, default)
    return float(low), float(high), False


def _slider_position(param, value, low: float, log: bool) -> float:
    if value is None:            # "automatic" (a schema default of None)
        return low
    if not log:
        return float(value)
    if value <= 0:
        return low
    return math.log10(value)


def _log_marks(low: float, high: float, zero_stop: bool) -> dict:
    marks = {}
    first = math.ceil(low + (LOG_ZERO_GAP if zero_stop else 0) - 1e-9)
    for exponent in range(first, math.floor(high + 1e-9) + 1):
        marks[exponent] = f"{10.0 ** exponent:g}"
    if zero_stop:
        marks[low] = "0"
    if len(marks) > 7:                 # keep every other decade readable
        marks = {k: v for i, (k, v) in enumerate(sorted(marks.items())) if i % 2 == 0 or v == "0"}
    return marks


def _key(kind: str, run: int | None, name: str, suffix: str = "") -> dict:
    key = {"type": kind + suffix, "name": name}
    if run is not None:
        key["run"] = run
    return key


def param_control(param, value, kind: str, run: int | None = None, lang: str = "en") -> html.Div:
    """One labelled control for ``param`` with current ``value`` (its title and help in ``lang``)."""
    if param.kind == "text":             # e.g. the custom surface's formula (webapp.panels.surface.formula)
        return text_control(param, value, kind, run, lang)
    title, help_text = engine_text(param.title, lang), engine_text(param.help, lang)
    label = html.Label(title, title=help_text, className="param-label")
    if param.kind == "bool":
        box = dcc.Checklist(id=_key(kind, run, param.name, "-option"), options=[{"label": title, "value": "on"}],
                            value=["on"] if value else [], className="param-switch", inline=True)
        return html.Div([box], className="param param-bool", title=help_text)
    if param.kind == "choice":
        dropdown = dcc.Dropdown(id=_key(kind, run, param.name, "-option"), clearable=False, searchable=False,
                                options=[{"label": format_value(c), "value": format_value(c)} for c in param.choices],
                                value=format_value(value), className="param-dropdown")
        return html.Div([label, dropdown], className="param param-choice", title=help_text)
    low, high, log = slider_range(param)
    zero_stop = log and param.low == 0
    if log:
        marks = _log_marks(low, high, zero_stop)
        step = 0.01
    else:
        marks = {low: f"{low:g}", high: f"{high:g}"}
        step = 1 if param.kind == "int" else (high - low) / 200
    position = min(max(_slider_position(param, value, low, log), low), high)
    slider_class = "param-slider" + (" log" if log else "") + (" zero" if zero_stop else "")
    slider = dcc.Slider(id=_key(kind, run, param.name, "-slider"), min=low, max=high, step=step, value=position,
                        marks=marks, updatemode="mouseup", className=slider_class,
                        allow_direct_input=False)
    # no min/max on the box: the browser would send nothing for an out-of-range value; the server
    # clamps or refuses it with a notice next to the control, and the box then shows the value in force
    number = dcc.Input(id=_key(kind, run, param.name), type="number", value=value, debounce=True,
                       step="any", className="param-number",
                       placeholder=t("runs.auto", lang) if param.default is None else None)
    floor = 10.0 ** (low + (LOG_ZERO_GAP if zero_stop else 0)) if log else None
    return html.Div([html.Div([label, number], className="param-head", **step_attrs(step_rule(param), floor)),
                     slider], className="param param-numeric", title=help_text)


def schema_controls(schema, values: dict, kind: str, run: int | None = None, up_front: int = SHOWN_UP_FRONT,
                    lang: str = "en"):
    """Controls for every entry of ``schema``: the first few numeric ones up front, the rest folded."""
    numeric = [p for p in schema if p.kind in ("float", "int")]
    first = {p.name for p in numeric[:up_front]}
    shown = [param_control(p, values.get(p.name, p.default), kind, run, lang) for p in schema if p.name in first]
    folded = [param_control(p, values.get(p.name, p.default), kind, run, lang) for p in schema if p.name not in first]
    children = list(shown)
    if folded:
        children.append(html.Details([html.Summary(t("runs.more_settings", lang)),
                                      html.Div(folded, className="param-grid")], className="more-settings"))
    return children


def surface_controls(schema, values: dict, lang: str = "en") -> list:
    """Controls for a surface's parameters (kappa, rotation, L2 ...): all shown."""
    return [param_control(p, values.get(p.name, p.default), "surface-param", lang=lang) for p in schema]


SEPARATORS = (r"\quad", ",\\ ", r"\Big/")  # where a long rule may break: \quad, ",\ " (comma, thin space), \Big/
KEPT_SEPARATORS = (r"\Big/",)          # an operator: it starts the next line instead of vanishing
OPENERS, CLOSERS = "{([", "})]"


def rule_lines(latex: str) -> list[str]:
    """A long update rule split into lines at its separators (``\\quad``, ``,\\ ``, ``\\Big/``) outside any group.

    A separator inside braces, parentheses or brackets (Newton's "(eigenvalues floored at
    \\pm\\delta,\\ step <= Delta)") does not split; the group stays on one line. Pieces keep
    their text, minus the separator and a trailing comma.
    """
    pieces, depth, start, i = [], 0, 0, 0
    while i < len(latex):
        char = latex[i]
        if depth == 0:
            separator = next((sep for sep in SEPARATORS if latex.startswith(sep, i)), None)
            command_goes_on = separator == r"\quad" and latex[i + len(separator):i + len(separator) + 1].isalpha()
            if separator is not None and not command_goes_on:
                pieces.append(latex[start:i])
                start = i if separator in KEPT_SEPARATORS else i + len(separator)
                i += len(separator)
                continue
        if char == "\\":
            i += 2                      # an escaped character (\{, \,) never opens or closes a group
            continue
        if char in OPENERS:
            depth += 1
        elif char in CLOSERS:
            depth = max(depth - 1, 0)
        i += 1
    pieces.append(latex[start:])
    pieces = [p.strip().rstrip(",").strip() for p in pieces]
    pieces = [p for p in pieces if p]
    return pieces if len(pieces) >= 2 else [latex]


def _math(latex: str) -> dcc.Markdown:
    """Display math, one line per piece of the rule (so it fits a narrow card)."""
    if not latex:
        return html.Div()
    lines = rule_lines(latex)
    body = lines[0] if len(lines) == 1 else r"\begin{gathered}" + r" \\ ".join(lines) + r"\end{gathered}"
    return dcc.Markdown(f"$${body}$$", mathjax=True, className="math")


def run_card(run, position: int, label: str, can_add: bool, notices: list | None = None,
             lang: str = "en") -> html.Div:
    """The card for one run: optimizer, rule, hyperparameters, schedule, noise, seed, and its buttons.

    ``notices``: what the server clamped or refused in this run's last edit, shown in the card;
    ``lang``: the language of its words.
    """
    color = PALETTE[run.color % len(PALETTE)]
    optimizer_class = optimizers.base.optimizer_class(run.optimizer)
    schedule_class = schedules.schedule_class(run.schedule)
    header = html.Div([
        html.Span(className="swatch", style={"backgroundColor": color}),
        dcc.Dropdown(id={"type": "run-optimizer", "run": position}, clearable=False, searchable=False,
                     options=[{"label": optimizers.base.optimizer_class(n).label or n, "value": n}
                              for n in optimizers.names()],
                     value=run.optimizer, className="run-optimizer"),
        html.Div([
            html.Button("\u25C9" if run.visible else "\u25CB", id={"type": "run-visible", "run": position},
                        title=t("runs.hide" if run.visible else "runs.show", lang),
                        className="icon-button" + ("" if run.visible else " off"), n_clicks=0),
            html.Button("\u2750", id={"type": "run-duplicate", "run": position}, title=t("runs.duplicate", lang),
                        className="icon-button", n_clicks=0, disabled=not can_add),
            html.Button("\u2715", id={"type": "run-remove", "run": position}, title=t("runs.remove", lang),
                        className="icon-button", n_clicks=0),
        ], className="run-buttons"),
    ], className="run-header")
    actions = html.Div([          # this run only: Tune (the Tune card's objective and mode), Copy as PyTorch
        html.Button(t("runs.tune", lang), id={"type": "run-tune", "run": position}, n_clicks=0,
                    title=t("runs.tune_title", lang), className="button small text-button"),
        html.Button("PyTorch", id={"type": "run-torch", "run": position}, n_clicks=0,
                    title=t("runs.torch_title", lang), className="button small text-button"),
    ], className="run-actions")
    schedule_row = html.Div([
        html.Label(t("runs.schedule", lang), className="param-label"),
        dcc.Dropdown(id={"type": "run-schedule", "run": position}, clearable=False, searchable=False,
                     options=[{"label": engine_text(schedules.schedule_class(n).label or n, lang), "value": n}
                              for n in schedules.names()],
                     value=run.schedule, className="run-schedule"),
    ], className="param param-choice")
    noise_seed = html.Div([
        html.Div([html.Label(t("runs.noise", lang), className="param-label", title=t("runs.noise_help", lang)),
                  dcc.Input(id={"type": "run-noise", "run": position}, type="number", value=run.noise,
                            step="any", debounce=True, className="param-number")], className="param-head",
                 **step_attrs("linear:0.1")),
        html.Div([html.Label(t("runs.seed", lang), className="param-label", title=t("runs.seed_help", lang)),
                  dcc.Input(id={"type": "run-seed", "run": position}, type="number", value=run.seed,
                            step="any", debounce=True, className="param-number")], className="param-head",
                 **step_attrs("int")),
        html.Div([html.Label(t("runs.seeds", lang), className="param-label", title=t("runs.seeds_help", lang)),
                  dcc.Input(id={"type": "run-seeds", "run": position}, type="number", value=run.seeds,
                            step="any", debounce=True, className="param-number")], className="param-head",
                 **step_attrs("int")),
    ], className="noise-seed")
    folded_extra = [schedule_row, *[param_control(p, run.schedule_params.get(p.name, p.default), "sched-param",
                                                  position, lang) for p in schedule_class.schema]]
    if run.schedule != "constant" and schedule_class.formula:
        folded_extra.append(_math(schedule_class.formula))
    folded_extra.append(noise_seed)
    return html.Div([
        header,
        actions,
        html.Div(label, className="run-name", style={"color": text_color(run.color)},
                 id={"type": "run-name", "run": position}),
        html.Div([html.P(localize(text, lang)) for text in notices or []], className="control-notice", role="status",
                 id={"type": "run-notice", "run": position}),
        _math(optimizer_class.rule_for(run.hyper)),        # the terms its settings use (plain SGD: no velocity)
        *schema_controls(optimizer_class.schema, run.hyper, "hyper", position, lang=lang),
        html.Details([html.Summary(t("runs.schedule_noise_seed", lang)), html.Div(folded_extra, className="param-grid")],
                     className="more-settings", open=run.schedule != "constant" or bool(run.noise)),
    ], className="run-card" + ("" if run.visible else " hidden-run"), style={"borderTopColor": color},
        id={"type": "run-card", "run": position})


def control_ids(component) -> list[dict]:
    """Every pattern-matching id in a component tree (for tests)."""
    found = []

    def walk(node):
        if isinstance(node, (list, tuple)):
            for child in node:
                walk(child)
            return
        node_id = getattr(node, "id", None)
        if isinstance(node_id, dict):
            found.append(node_id)
        children = getattr(node, "children", None)
        if children is not None and not isinstance(children, str):
            walk(children)

    walk(component)
    return found
