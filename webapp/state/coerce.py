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
from webapp.state.model import (ASPECTS, DEFAULT_GRID, DEFAULT_POLYAK_DECAY, DEFAULT_SIDE, DEFAULT_STEPS, MAP_COLORS,
                                MAP_KEYS, MAP_KINDS, PALETTE, VIEW_FLAGS, VIEW_KEYS, MapSettings, RunSpec, ViewOptions,
                                default_run)
from webapp.state.palette import optimizer_color

__all__ = ["MAX_RUNS", "MAX_STEPS", "GRID_SIZE", "MAX_GRID_SIZE", "MAX_COORD",
           "param_value", "param_dict", "steps", "point", "view_box", "noise", "seed", "seeds", "number",
           "integer", "whole", "color_index", "run_from_dict", "short", "language", "decay"]

MAX_RUNS = 8
MAX_STEPS = 5000
MIN_STEPS = 1
GRID_SIZE = 120
MAX_GRID_SIZE = 200
MAX_COORD = 1e6               # start points and view boxes live inside [-1e6, 1e6]
MIN_VIEW_SPAN = 1e-6
MAX_NOISE = 100.0
MAX_SEED = 2**31 - 1
MAX_SEEDS = 256          # a seed cloud: at most this many seeds of one noisy run
MAX_QUERY_LENGTH = 8000
MAX_TEXT = 40
MIN_MAP_GRID = 2              # a map has at least 2 x 2 cells (or values per axis)
MAX_MAP_RUNS = 32             # map_runs entries read (the panel shows at most 4 of them)
MAX_POLYAK_FROM = 100_000


def range_words(param):
    """A parameter's valid range as people read it (``[0, 1)``; "True or False" in the page's language)."""
    if param.kind == "bool":
        return msg("notices.range_bool")
    if param.kind == "choice":
        return msg("notices.range_choice", choices=", ".join(repr(c) for c in param.choices))
    if param.kind == "text":
        return msg("notices.range_text", length=param.max_length)
    return param.range_text()


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
            notices.append(msg("notices.param_text_refused", owner=owner, name=param.name, value=short(value),
                               range=range_words(param)))
            return param.default
    if param.kind in ("bool", "choice"):
        if isinstance(value, list) and param.kind == "bool":      # a checklist's value
            value = bool(value)
        try:
            return param.validate(value, owner)
        except ValueError:
            notices.append(msg("notices.param_choice_refused", owner=owner, name=param.name, value=short(value),
                               range=range_words(param), default=repr(param.default)))
            return param.default
    if param.default is None and (value is None or (isinstance(value, str) and value.strip().lower() in
                                                    ("", "none", "auto"))):
        return None             # "automatic": the schema's own default
    as_float = number(value)
    if as_float is None:
        notices.append(msg("notices.param_not_number", owner=owner, name=param.name, value=short(value),
                           default=repr(param.default)))
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
    notices.append(msg("notices.param_outside", owner=owner, name=param.name, value=f"{as_float:g}",
                       range=range_words(param), result=repr(result)))
    return result


def param_dict(schema, given: Any, owner: str, notices: list) -> dict:
    """Every entry of ``schema`` from the posted dict ``given`` (defaults for the rest)."""
    values = {p.name: p.default for p in schema}
    if given is None:
        return values
    if not isinstance(given, dict):
        notices.append(msg("notices.params_unreadable", owner=owner))
        return values
    known = {p.name: p for p in schema}
    for key, value in given.items():
        if key in known:
            values[key] = param_value(known[key], value, owner, notices)
        else:
            notices.append(msg("notices.param_unknown", owner=owner, name=short(key)))
    return values


def steps(value: Any, notices: list) -> int:
    """The number of steps, clamped to ``[1, MAX_STEPS]``."""
    as_float = number(value)
    if as_float is None:
        notices.append(msg("notices.steps_not_number", value=short(value), default=DEFAULT_STEPS))
        return DEFAULT_STEPS
    clamped = int(min(max(round(as_float), MIN_STEPS), MAX_STEPS))
    if clamped != as_float:
        notices.append(msg("notices.steps_clamped", value=f"{as_float:g}", clamped=clamped, low=MIN_STEPS,
                           high=MAX_STEPS))
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
        notices.append(msg("notices.start_unreadable", value=short(value)))
        return None
    clamped = tuple(min(max(v, -MAX_COORD), MAX_COORD) for v in pair)
    if clamped != tuple(pair):
        notices.append(msg("notices.start_clamped", limit=f"{MAX_COORD:g}"))
    return clamped


def view_box(value: Any, notices: list) -> tuple | None:
    """A view box ``(x_min, x_max, y_min, y_max)``; ``None`` (surface default) if unreadable or empty."""
    box = _floats(value, 4)
    if box is None:
        notices.append(msg("notices.view_unreadable", value=short(value)))
        return None
    box = [min(max(v, -MAX_COORD), MAX_COORD) for v in box]
    x0, x1, y0, y1 = box
    if not (x1 - x0 >= MIN_VIEW_SPAN and y1 - y0 >= MIN_VIEW_SPAN):
        notices.append(msg("notices.view_empty"))
        return None
    return tuple(box)


def noise(value: Any, notices: list, owner: str | None = None) -> float:
    """Gradient-noise sigma in ``[0, MAX_NOISE]``."""
    as_float = number(value)
    if as_float is None:
        notices.append(msg("notices.noise_not_number", owner=owner or msg("notices.owner_any_run"), value=short(value)))
        return 0.0
    clamped = min(max(as_float, 0.0), MAX_NOISE)
    if clamped != as_float:
        notices.append(msg("notices.noise_clamped", owner=owner or msg("notices.owner_any_run"),
                           value=f"{as_float:g}", clamped=f"{clamped:g}", high=f"{MAX_NOISE:g}"))
    return clamped


def _whole_in(value: Any, low: int, high: int, fallback: int, key: str, notices: list, owner: str | None) -> int:
    """``value`` rounded to a whole number in ``[low, high]``; ``fallback`` for a non-number. A refused or
    changed value leaves the notice ``notices.<key>_not_number`` or ``notices.<key>_clamped``."""
    owner = owner or msg("notices.owner_any_run")
    as_float = number(value)
    if as_float is None:
        notices.append(msg(f"notices.{key}_not_number", owner=owner, value=short(value)))
        return fallback
    clamped = int(min(max(round(as_float), low), high))
    if clamped != as_float:
        notices.append(msg(f"notices.{key}_clamped", owner=owner, clamped=clamped, high=high))
    return clamped


def seed(value: Any, notices: list, owner: str | None = None) -> int:
    """A random seed in ``[0, 2^31 - 1]``."""
    return _whole_in(value, 0, MAX_SEED, 0, "seed", notices, owner)


def seeds(value: Any, notices: list, owner: str | None = None) -> int:
    """How many seeds a noisy run is drawn with, as a cloud: a whole number in ``[1, MAX_SEEDS]`` (1: no cloud)."""
    return _whole_in(value, 1, MAX_SEEDS, 1, "seeds", notices, owner)


def color_index(value: Any, default: int, notices: list, owner: str | None = None) -> int:
    """A palette index; anything else is refused for ``default`` (the optimizer's own colour), with a notice."""
    as_float = number(value)
    if as_float is None or not 0 <= as_float < len(PALETTE):
        notices.append(msg("notices.colour_unknown", owner=owner or msg("notices.owner_any_run"), value=short(value),
                           index=default % len(PALETTE)))
        return default % len(PALETTE)
    return int(as_float)


def run_from_dict(raw: Any, position: int, notices: list):
    """A :class:`~webapp.state.model.RunSpec` from posted store data, or ``None`` (with a notice)."""
    owner = msg("notices.owner_run", position=position + 1)
    if not isinstance(raw, dict):
        notices.append(msg("notices.run_unreadable", owner=owner))
        return None
    name = raw.get("optimizer")
    if not isinstance(name, str) or name not in optimizers.names():
        notices.append(msg("notices.optimizer_unknown_removed", owner=owner, name=short(name)))
        return None
    owner = msg("notices.owner_run_optimizer", position=position + 1, optimizer=name)
    hyper = param_dict(optimizers.schema(name), raw.get("hyper"), owner, notices)
    try:
        optimizers.get(name, **hyper)
    except ValueError as error:
        notices.append(msg("notices.error_defaults", owner=owner, error=str(error)))
        hyper = default_run(name).hyper
    schedule = raw.get("schedule", "constant")
    if not isinstance(schedule, str) or schedule not in schedules.names():
        notices.append(msg("notices.schedule_unknown", owner=owner, name=short(schedule)))
        schedule = "constant"
    schedule_params = param_dict(schedules.schema(schedule), raw.get("schedule_params"),
                                 msg("notices.owner_schedule", owner=owner), notices)
    try:
        schedules.get(schedule, **schedule_params)
    except ValueError as error:
        notices.append(msg("notices.error_schedule_defaults", owner=owner, error=str(error)))
        schedule_params = {p.name: p.default for p in schedules.schema(schedule)}
    return RunSpec(
        optimizer=name, hyper=hyper, schedule=schedule, schedule_params=schedule_params,
        noise=noise(raw.get("noise", 0.0), notices, owner),
        seed=seed(raw.get("seed", 0), notices, owner),
        visible=raw.get("visible", True) is not False,
        color=color_index(raw.get("color", optimizer_color(name)), optimizer_color(name), notices, owner),
        seeds=seeds(raw.get("seeds", 1), notices, owner),
    )



def whole(value: Any, low: int, high: int, default: int, name: str, notices: list) -> int:
    """A whole number in ``[low, high]`` for the setting ``name``; empty means ``default`` (no notice),
    text that is not a number is refused and a value out of range is clamped, each with a notice."""
    if value is None or value == "":
        return default
    as_float = number(value)
    if as_float is None:
        notices.append(msg("notices.whole_not_number", name=name, value=short(value), default=default))
        return default
    clamped = int(min(max(round(as_float), low), high))
    if clamped != as_float:
        notices.append(msg("notices.whole_outside", name=name, value=f"{as_float:g}", low=low, high=high,
                           clamped=clamped))
    return clamped


def decay(value: Any, name: str, notices: list) -> float:
    """An averaging decay in ``[0, 1)`` (0: no memory; 0.99: about 100 steps); empty means
    :data:`~webapp.state.model.DEFAULT_POLYAK_DECAY`; anything else is refused with a notice."""
    if value is None or value == "":
        return DEFAULT_POLYAK_DECAY
    as_float = number(value)
    if as_float is None or not 0 <= as_float < 1:
        notices.append(msg("notices.decay_refused", name=name, value=short(value), default=f"{DEFAULT_POLYAK_DECAY:g}"))
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
        notices.append(msg("notices.settings_unreadable", owner=owner))
        return {}
    out = {}
    for key in keys:
        if key in given and given[key] is not None:
            text = _text(given[key])
            if text is None:
                notices.append(msg("notices.setting_not_text", owner=owner, key=key, value=short(given[key])))
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
    text = _settings(given, VIEW_KEYS, msg("notices.owner_view"), notices)
    values: dict = {}
    mode = text.get("view_mode", "overlay").lower()
    if mode not in ("overlay", "side"):
        notices.append(msg("notices.view_mode_refused", value=short(text["view_mode"])))
    values["side"] = mode == "side"
    for flag in VIEW_FLAGS:
        word = text.get(flag, "0").lower()
        if word not in ON + OFF:
            notices.append(msg("notices.view_flag_refused", flag=flag, value=short(text[flag])))
        values[flag] = word in ON
    loss_x = text.get("loss_x", "steps").lower()
    if loss_x not in ("steps", "evals"):
        notices.append(msg("notices.loss_x_refused", value=short(text["loss_x"])))
    values["loss_by_evals"] = loss_x == "evals"
    aspect = text.get("aspect", "auto").lower()
    if aspect not in ASPECTS:
        notices.append(msg("notices.aspect_refused", value=short(text["aspect"])))
    values["aspect"] = aspect if aspect in ASPECTS else "auto"
    values["polyak_from"] = whole(text.get("polyak_from"), 0, MAX_POLYAK_FROM, 0, msg("notices.polyak_from"), notices)
    values["polyak_decay"] = decay(text.get("polyak_decay"), msg("notices.polyak_decay"), notices)
    inner_run = text.get("inner_run", "all").lower()
    chosen = number(inner_run)
    values["inner_run"] = None
    if inner_run != "all":
        if chosen is None or chosen != int(chosen) or not 1 <= chosen <= MAX_RUNS:
            notices.append(msg("notices.inner_run_refused", value=short(text["inner_run"]), high=MAX_RUNS))
        else:
            values["inner_run"] = int(chosen) - 1
    return ViewOptions(**values)


def _run_indices(text: str, notices: list) -> tuple:
    chosen = []
    for item in text.split(",")[:MAX_MAP_RUNS]:
        index = number(item)
        if index is None or index != int(index) or not 0 <= index < MAX_RUNS:
            notices.append(msg("notices.maps_run_missing", value=short(item.strip())))
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
    text = _settings(given, MAP_KEYS, msg("notices.owner_maps"), notices)
    kind = text.get("map")
    if kind is None:
        if text:
            notices.append(msg("notices.maps_without_kind", keys=", ".join(text)))
        return MapSettings()
    if kind not in MAP_KINDS:
        notices.append(msg("notices.maps_kind_unknown", value=short(kind), known=", ".join(MAP_KINDS)))
        return MapSettings()
    color = text.get("map_color")
    if color is not None and color not in MAP_COLORS[kind]:
        notices.append(msg("notices.maps_colour_unknown", value=short(color), kind=kind, default=MAP_COLORS[kind][0]))
        color = None
    steps = None
    if "map_steps" in text:
        if number(text["map_steps"]) is None:
            notices.append(msg("notices.maps_steps_not_number", value=short(text["map_steps"])))
        else:
            steps = whole(text["map_steps"], 1, MAX_MAP_STEPS, 1, msg("notices.maps_steps"), notices)
    names = []
    for key, default in (("map_x", "lr"), ("map_y", "")):
        name = text.get(key, default)
        if len(name) > MAX_TEXT:
            notices.append(msg("notices.maps_param_name", key=key, value=short(name),
                               default=default or msg("notices.maps_each_default")))
            name = default
        names.append(name)
    return MapSettings(kind=kind, runs=_run_indices(text.get("map_runs", "0"), notices),
                       grid=whole(text.get("map_grid"), MIN_MAP_GRID, MAX_BASIN_GRID, DEFAULT_GRID, msg("notices.maps_grid"),
                                  notices),
                       steps=steps, color=color, x_param=names[0], y_param=names[1],
                       side=whole(text.get("map_n"), MIN_MAP_GRID, MAX_SENSITIVITY_GRID, DEFAULT_SIDE,
                                  msg("notices.maps_side"), notices))
