"""The one coercion module: everything a browser (or anyone) can post or put in a link becomes a valid value.

Dash checks ``min``/``max`` only in the browser, so every value read from a request,
a stored state or a URL passes through here. Each function either returns the
value unchanged, clamps it into range, or refuses it (falls back to a default);
every clamp and refusal appends a human notice, which the page shows next to the
control, and the control is then re-drawn with the value in force. Nothing here raises.

The View bar's and the Maps panel's settings become their typed records here
(:func:`view_options`, :func:`map_settings`), from link text, a stored dict or control values alike.

Caps bound the work per request: at most :data:`MAX_RUNS` runs and
:data:`MAX_STEPS` steps (the cost model in :mod:`webapp.compute.cost` may cut the
steps further), start points and view boxes inside ``±MAX_COORD``, noise σ ≤ :data:`MAX_NOISE`.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

import optimizers
from optimizers import schedules
from webapp import i18n
from webapp.i18n import msg
from optimizers.maps import MAX_BASIN_GRID, MAX_MAP_STEPS, MAX_SENSITIVITY_GRID
from webapp.state.model import (DEFAULT_GRID, DEFAULT_POLYAK_DECAY, DEFAULT_SIDE, DEFAULT_STEPS, MAP_COLORS, MAP_KEYS,
                                MAP_KINDS, PALETTE, VIEW_FLAGS, VIEW_KEYS, MapSettings, RunSpec, ViewOptions, default_run)

__all__ = ["MAX_RUNS", "MAX_STEPS", "GRID_SIZE", "MAX_GRID_SIZE", "MAX_COORD",
           "param_value", "param_dict", "steps", "point", "view_box", "noise", "seed", "number",
           "integer", "whole", "color_index", "run_from_dict", "short", "language"]

MAX_RUNS = 8
MAX_STEPS = 5000
MIN_STEPS = 1
GRID_SIZE = 120
MAX_GRID_SIZE = 200
MAX_COORD = 1e6               # start points and view boxes live inside [-1e6, 1e6]
MIN_VIEW_SPAN = 1e-6
MAX_NOISE = 100.0
MAX_SEED = 2**31 - 1
MAX_QUERY_LENGTH = 8000
MAX_TEXT = 40
MIN_MAP_GRID = 2              # a map has at least 2 x 2 cells (or values per axis)
MAX_MAP_RUNS = 32             # map_runs entries read (the panel shows at most 4 of them)
MAX_POLYAK_FROM = 100_000


def short(value: Any) -> str:
    """``repr(value)`` cut to :data:`MAX_TEXT` characters, for notices that quote what was posted."""
    text = repr(value)
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "..."


def number(value: Any) -> float | None:
    """A finite float from a number or numeric text, else ``None`` (bools are not numbers)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        if len(value) > 64:
            return None
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if not isinstance(value, (int, float, np.integer, np.floating)):
        return None
    try:
        value = float(value)
    except (OverflowError, ValueError):
        return None
    return value if math.isfinite(value) else None


def integer(value: Any, low: int, high: int, default: int) -> int:
    """An int clamped to ``[low, high]``; ``default`` when not a number."""
    as_float = number(value)
    if as_float is None:
        return default
    return int(min(max(round(as_float), low), high))


def param_value(param, value: Any, owner: str, notices: list) -> Any:
    """``value`` validated against a schema :class:`Param`; clamped or defaulted with a notice."""
    if param.kind == "text":            # a string under the schema's length cap; its owner parses it further
        try:
            return param.validate(value, owner)
        except ValueError:
            notices.append(f"{owner}: {param.name}={short(value)} is not {param.range_text()}; using the default.")
            return param.default
    if param.kind in ("bool", "choice"):
        if isinstance(value, list) and param.kind == "bool":      # a checklist's value
            value = bool(value)
        try:
            return param.validate(value, owner)
        except ValueError:
            notices.append(f"{owner}: {param.name}={short(value)} is not {param.range_text()}; "
                           f"using {param.default!r}.")
            return param.default
    if param.default is None and (value is None or (isinstance(value, str) and value.strip().lower() in
                                                    ("", "none", "auto"))):
        return None             # "automatic": the schema's own default
    as_float = number(value)
    if as_float is None:
        notices.append(f"{owner}: {param.name}={short(value)} is not a number; using {param.default!r}.")
        return param.default
    try:
        return param.validate(int(round(as_float)) if param.kind == "int" else as_float, owner)
    except ValueError:
        pass
    clamped = as_float
    if param.low is not None:
        low = param.low
        if param.low_open:
            low = low + max(abs(low) * 1e-9, 1e-12)
        clamped = max(clamped, low)
    if param.high is not None:
        high = param.high
        if param.high_open:
            high = high - max(abs(high) * 1e-9, 1e-12)
        clamped = min(clamped, high)
    if param.kind == "int":
        clamped = int(math.ceil(clamped) if param.low is not None and clamped < param.low else round(clamped))
    try:
        result = param.validate(clamped, owner)
    except ValueError:
        result = param.default
    notices.append(f"{owner}: {param.name}={as_float:g} is outside {param.range_text()}; using {result!r}.")
    return result


def param_dict(schema, given: Any, owner: str, notices: list) -> dict:
    """Every entry of ``schema`` from the posted dict ``given`` (defaults for the rest)."""
    values = {p.name: p.default for p in schema}
    if given is None:
        return values
    if not isinstance(given, dict):
        notices.append(f"{owner}: parameters unreadable; using defaults.")
        return values
    known = {p.name: p for p in schema}
    for key, value in given.items():
        if key in known:
            values[key] = param_value(known[key], value, owner, notices)
        else:
            notices.append(f"{owner}: unknown parameter {short(key)} ignored.")
    return values


def steps(value: Any, notices: list) -> int:
    """The number of steps, clamped to ``[1, MAX_STEPS]``."""
    as_float = number(value)
    if as_float is None:
        notices.append(f"Steps {short(value)} is not a number; using {DEFAULT_STEPS}.")
        return DEFAULT_STEPS
    clamped = int(min(max(round(as_float), MIN_STEPS), MAX_STEPS))
    if clamped != as_float:
        notices.append(f"Steps {as_float:g} changed to {clamped} (allowed: {MIN_STEPS} to {MAX_STEPS}).")
    return clamped


def _floats(value: Any, count: int) -> list[float] | None:
    if isinstance(value, str):
        value = value[:200].replace(" ", "").split(",")
    if not isinstance(value, (list, tuple)) or len(value) != count:
        return None
    out = [number(v) for v in value]
    return None if any(v is None for v in out) else out


def point(value: Any, notices: list) -> tuple | None:
    """A start point ``(x, y)`` clamped into ``[-MAX_COORD, MAX_COORD]``; ``None`` (surface default) if unreadable."""
    pair = _floats(value, 2)
    if pair is None:
        notices.append(f"Start {short(value)} is not a pair 'x,y'; using the surface's start.")
        return None
    clamped = tuple(min(max(v, -MAX_COORD), MAX_COORD) for v in pair)
    if clamped != tuple(pair):
        notices.append(f"Start clamped into [-{MAX_COORD:g}, {MAX_COORD:g}].")
    return clamped


def view_box(value: Any, notices: list) -> tuple | None:
    """A view box ``(x_min, x_max, y_min, y_max)``; ``None`` (surface default) if unreadable or empty."""
    box = _floats(value, 4)
    if box is None:
        notices.append(f"View {short(value)} is not 'x_min,x_max,y_min,y_max'; using the surface's view.")
        return None
    box = [min(max(v, -MAX_COORD), MAX_COORD) for v in box]
    x0, x1, y0, y1 = box
    if not (x1 - x0 >= MIN_VIEW_SPAN and y1 - y0 >= MIN_VIEW_SPAN):
        notices.append("View box is empty or reversed; using the surface's view.")
        return None
    return tuple(box)


def noise(value: Any, notices: list, owner: str = "Run") -> float:
    """Gradient-noise sigma in ``[0, MAX_NOISE]``."""
    as_float = number(value)
    if as_float is None:
        notices.append(f"{owner}: noise {short(value)} is not a number; using 0.")
        return 0.0
    clamped = min(max(as_float, 0.0), MAX_NOISE)
    if clamped != as_float:
        notices.append(f"{owner}: noise {as_float:g} changed to {clamped:g} (allowed: 0 to {MAX_NOISE:g}).")
    return clamped


def seed(value: Any, notices: list, owner: str = "Run") -> int:
    """A random seed in ``[0, 2^31 - 1]``."""
    as_float = number(value)
    if as_float is None:
        notices.append(f"{owner}: seed {short(value)} is not a number; using 0.")
        return 0
    clamped = int(min(max(round(as_float), 0), MAX_SEED))
    if clamped != as_float:
        notices.append(f"{owner}: seed changed to {clamped} (a whole number from 0 to {MAX_SEED}).")
    return clamped


def color_index(value: Any, position: int, notices: list, owner: str = "Run") -> int:
    as_float = number(value)
    if as_float is None or not 0 <= as_float < len(PALETTE):
        notices.append(f"{owner}: colour {short(value)} unknown; using colour {position % len(PALETTE)}.")
        return position % len(PALETTE)
    return int(as_float)


def run_from_dict(raw: Any, position: int, notices: list):
    """A :class:`~webapp.state.model.RunSpec` from posted store data, or ``None`` (with a notice)."""
    owner = f"Run {position + 1}"
    if not isinstance(raw, dict):
        notices.append(f"{owner}: unreadable; removed.")
        return None
    name = raw.get("optimizer")
    if not isinstance(name, str) or name not in optimizers.names():
        notices.append(f"{owner}: unknown optimizer {short(name)}; removed.")
        return None
    owner = f"{owner} ({name})"
    hyper = param_dict(optimizers.schema(name), raw.get("hyper"), owner, notices)
    try:
        optimizers.get(name, **hyper)
    except ValueError as error:
        notices.append(f"{owner}: {error}; using defaults.")
        hyper = default_run(name).hyper
    schedule = raw.get("schedule", "constant")
    if not isinstance(schedule, str) or schedule not in schedules.names():
        notices.append(f"{owner}: unknown schedule {short(schedule)}; using constant.")
        schedule = "constant"
    schedule_params = param_dict(schedules.schema(schedule), raw.get("schedule_params"), f"{owner} schedule",
                                 notices)
    try:
        schedules.get(schedule, **schedule_params)
    except ValueError as error:
        notices.append(f"{owner}: {error}; using the schedule's defaults.")
        schedule_params = {p.name: p.default for p in schedules.schema(schedule)}
    return RunSpec(
        optimizer=name, hyper=hyper, schedule=schedule, schedule_params=schedule_params,
        noise=noise(raw.get("noise", 0.0), notices, owner),
        seed=seed(raw.get("seed", 0), notices, owner),
        visible=raw.get("visible", True) is not False,
        color=color_index(raw.get("color", position), position, notices, owner),
    )



def whole(value: Any, low: int, high: int, default: int, name: str, notices: list) -> int:
    """A whole number in ``[low, high]`` for the setting ``name``; empty means ``default`` (no notice),
    text that is not a number is refused and a value out of range is clamped, each with a notice."""
    if value is None or value == "":
        return default
    as_float = number(value)
    if as_float is None:
        notices.append(f"{name} {short(value)} is not a number; using {default}.")
        return default
    clamped = int(min(max(round(as_float), low), high))
    if clamped != as_float:
        notices.append(f"{name} {as_float:g} is outside {low} to {high}; using {clamped}.")
    return clamped


def decay(value: Any, name: str, notices: list) -> float:
    """An averaging decay in ``[0, 1)`` (0: no memory; 0.99: about 100 steps); empty means
    :data:`~webapp.state.model.DEFAULT_POLYAK_DECAY`; anything else is refused with a notice."""
    if value is None or value == "":
        return DEFAULT_POLYAK_DECAY
    as_float = number(value)
    if as_float is None or not 0 <= as_float < 1:
        notices.append(f"{name} {short(value)} is not a number from 0 to below 1; using {DEFAULT_POLYAK_DECAY:g}.")
        return DEFAULT_POLYAK_DECAY
    return as_float


def language(value: Any, notices: list) -> str:
    """The page's language: one of :data:`webapp.i18n.LANGUAGES`; anything else is English, with a notice."""
    if isinstance(value, str) and value.strip().lower() in i18n.LANGUAGES:
        return value.strip().lower()
    notices.append(msg("coerce.language_unknown", value=short(value), known=", ".join(i18n.LANGUAGES)))
    return i18n.DEFAULT_LANGUAGE


# ------------------------------------------------------------------ the View bar and the Maps panel
def _text(value: Any) -> str | None:
    """A setting's value as stripped text (numbers as written), or ``None`` when it is no text at all."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        return f"{value:g}"
    return value.strip() if isinstance(value, str) else None


def _settings(given: Any, keys: tuple, owner: str, notices: list) -> dict:
    """The ``keys`` of ``given`` (a link's or a store's dict) as text; anything unreadable gets a notice."""
    if given is None:
        return {}
    if not isinstance(given, Mapping):
        notices.append(f"{owner}: settings unreadable; using the defaults.")
        return {}
    out = {}
    for key in keys:
        if key in given and given[key] is not None:
            text = _text(given[key])
            if text is None:
                notices.append(f"{owner}: {key}={short(given[key])} is not text; using its default.")
            elif text:
                out[key] = text[:200]
    return out


ON, OFF = ("1", "true", "on", "yes"), ("0", "false", "off", "no")


def view_options(given: Any, notices: list | None = None) -> ViewOptions:
    """The View bar's settings from link text (the keys of :data:`~webapp.state.model.VIEW_KEYS`).

    An empty value is the default; a value that is not one of the allowed ones is refused (its
    default applies) and a number out of range is clamped, each with a notice.
    """
    notices = [] if notices is None else notices
    if isinstance(given, ViewOptions):
        return given
    text = _settings(given, VIEW_KEYS, "View", notices)
    values: dict = {}
    mode = text.get("view_mode", "overlay").lower()
    if mode not in ("overlay", "side"):
        notices.append(f"View: view_mode={short(text['view_mode'])} is not overlay or side; using overlay.")
    values["side"] = mode == "side"
    for flag in VIEW_FLAGS:
        word = text.get(flag, "0").lower()
        if word not in ON + OFF:
            notices.append(f"View: {flag}={short(text[flag])} is not 1 or 0; leaving it off.")
        values[flag] = word in ON
    loss_x = text.get("loss_x", "steps").lower()
    if loss_x not in ("steps", "evals"):
        notices.append(f"View: loss_x={short(text['loss_x'])} is not steps or evals; using steps.")
    values["loss_by_evals"] = loss_x == "evals"
    values["polyak_from"] = whole(text.get("polyak_from"), 0, MAX_POLYAK_FROM, 0, "View: polyak_from", notices)
    values["polyak_decay"] = decay(text.get("polyak_decay"), "View: polyak_decay", notices)
    inner_run = text.get("inner_run", "all").lower()
    chosen = number(inner_run)
    values["inner_run"] = None
    if inner_run != "all":
        if chosen is None or chosen != int(chosen) or not 1 <= chosen <= MAX_RUNS:
            notices.append(f"View: inner_run={short(text['inner_run'])} is not all or a run from 1 to {MAX_RUNS}; "
                           f"showing every run.")
        else:
            values["inner_run"] = int(chosen) - 1
    return ViewOptions(**values)


def _run_indices(text: str, notices: list) -> tuple:
    chosen = []
    for item in text.split(",")[:MAX_MAP_RUNS]:
        index = number(item)
        if index is None or index != int(index) or not 0 <= index < MAX_RUNS:
            notices.append(f"Maps: run {short(item.strip())} does not exist; ignored.")
        elif int(index) not in chosen:
            chosen.append(int(index))
    return tuple(chosen) if chosen else (0,)


def map_settings(given: Any, notices: list | None = None) -> MapSettings:
    """The Maps panel's settings from link text or control values (the keys of
    :data:`~webapp.state.model.MAP_KEYS`). No ``map`` key: no map. A grid, steps or values per axis
    out of range is clamped, an unknown kind, colour or run is refused, each with a notice; which
    runs and parameters exist is checked against the page when the map is computed."""
    notices = [] if notices is None else notices
    if isinstance(given, MapSettings):
        return given
    if isinstance(given, Mapping) and isinstance(given.get("map_runs"), (list, tuple)):   # a checklist's value
        given = {**given, "map_runs": ",".join(str(_text(v)) for v in given["map_runs"])}
    text = _settings(given, MAP_KEYS, "Maps", notices)
    kind = text.get("map")
    if kind is None:
        if text:
            notices.append(f"Maps: {', '.join(text)} ignored without map=basin or map=sensitivity.")
        return MapSettings()
    if kind not in MAP_KINDS:
        notices.append(f"Maps: unknown map {short(kind)} (known: {', '.join(MAP_KINDS)}).")
        return MapSettings()
    color = text.get("map_color")
    if color is not None and color not in MAP_COLORS[kind]:
        notices.append(f"Maps: colour {short(color)} unknown for a {kind} map; using {MAP_COLORS[kind][0]}.")
        color = None
    steps = None
    if "map_steps" in text:
        if number(text["map_steps"]) is None:
            notices.append(f"Maps: steps {short(text['map_steps'])} is not a number; using the runs' steps.")
        else:
            steps = whole(text["map_steps"], 1, MAX_MAP_STEPS, 1, "Maps: steps", notices)
    names = []
    for key, default in (("map_x", "lr"), ("map_y", "")):
        name = text.get(key, default)
        if len(name) > MAX_TEXT:
            notices.append(f"Maps: {key}={short(name)} is no parameter name; using {default or 'each run default'}.")
            name = default
        names.append(name)
    return MapSettings(kind=kind, runs=_run_indices(text.get("map_runs", "0"), notices),
                       grid=whole(text.get("map_grid"), MIN_MAP_GRID, MAX_BASIN_GRID, DEFAULT_GRID, "Maps: grid",
                                  notices),
                       steps=steps, color=color, x_param=names[0], y_param=names[1],
                       side=whole(text.get("map_n"), MIN_MAP_GRID, MAX_SENSITIVITY_GRID, DEFAULT_SIDE,
                                  "Maps: values per axis", notices))
