"""The URL codec: an :class:`~webapp.state.model.AppState` to and from a readable query string.

The outer split is ``key=value&...`` (percent-decoded); inside, runs use a readable grammar
generated from the schemas, writing only non-default values::

    ?surface=ill_conditioned&kappa=50&start=-8,1.5&steps=300
     &run=momentum:lr=0.01&run=adam:lr=0.1,beta2=0.99;sched=step:gamma=0.5;noise=0.1;seed=3;hidden

Parsing never raises: every value goes through :mod:`webapp.state.coerce`, so an unknown or
invalid value falls back to a default (or is clamped into range) with a notice.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, quote

import landscapes
import optimizers
from optimizers import schedules
from webapp.i18n import msg
from webapp.state import coerce, handout, scenario_links
from webapp.state.model import (DEFAULT_STEPS, MAP_KEYS, PALETTE, VIEW_KEYS, AppState, RunSpec, default_run, default_state,
                                schema_defaults)
from webapp.state.palette import optimizer_color

__all__ = ["to_query", "from_query", "format_number", "format_value", "parse_value", "language_in"]


# ------------------------------------------------------------------ values <-> text
def format_number(value: float) -> str:
    """Shortest text that reads back to the same float: 50.0 -> '50', 0.01 -> '0.01'."""
    value = float(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "none"
    if isinstance(value, (int, float)):
        return format_number(value)
    return str(value)


def parse_value(param, text: str) -> Any:
    """Text from a URL to a raw Python value for ``param`` (validation happens later)."""
    text = text.strip()
    if param.kind == "text":
        return text
    if param.kind == "bool":
        lowered = text.lower()
        if lowered in ("true", "1", "yes", "on"):
            return True
        if lowered in ("false", "0", "no", "off"):
            return False
        return text
    if param.kind == "choice":
        for choice in param.choices:
            if format_value(choice) == text:
                return choice
        return text
    try:
        return float(text)
    except ValueError:
        return text


def _pairs(text: str, separator: str = ",") -> list[tuple[str, str]]:
    """'a=1,b=2' -> [('a', '1'), ('b', '2')]; a bare word 'hidden' -> ('hidden', '')."""
    out = []
    for chunk in text.split(separator):
        if not chunk.strip():
            continue
        key, _, value = chunk.partition("=")
        out.append((key.strip(), value.strip()))
    return out


def _params_text(schema, values: dict) -> str:
    """Non-default parameters as 'a=1,b=2' in schema order."""
    parts = []
    for param in schema:
        if param.name in values and values[param.name] != param.default:
            parts.append(f"{param.name}={format_value(values[param.name])}")
    return ",".join(parts)


def _read_params(schema, pairs, owner: str, notices: list) -> dict:
    """Validate (name, text) pairs against ``schema``: defaults for the rest; never raises."""
    known = {p.name: p for p in schema}
    values = schema_defaults(schema)
    for key, text in pairs:
        if key not in known:
            notices.append(msg("notices.url_param_unknown", owner=owner, key=key,
                               known=", ".join(known) or msg("notices.none")))
            continue
        values[key] = coerce.param_value(known[key], parse_value(known[key], text), owner, notices)
    return values


# ------------------------------------------------------------------ URL
def to_query(state: AppState) -> str:
    """The state as a readable query string (with the leading '?'), non-default values only."""
    surface = state.landscape()
    parts = [("lesson", "1")] if state.lesson and state.scenario else []
    parts += [("scenario", state.scenario)] if state.scenario else []
    parts.append(("surface", state.surface))
    for param in landscapes.schema(state.surface):
        value = state.surface_params.get(param.name, param.default)
        if value != param.default:
            parts.append((param.name, format_value(value)))
    if state.start is not None and tuple(state.start) != tuple(surface.start):
        parts.append(("start", ",".join(format_number(v) for v in state.start)))
    if state.steps != DEFAULT_STEPS:
        parts.append(("steps", str(state.steps)))
    if not state.runs:
        parts.append(("run", ""))
    for position, run in enumerate(state.runs):
        text = run.optimizer
        hyper = _params_text(optimizers.schema(run.optimizer), run.hyper)
        if hyper:
            text += ":" + hyper
        if run.schedule != "constant":
            sched = _params_text(schedules.schema(run.schedule), run.schedule_params)
            text += ";sched=" + run.schedule + (":" + sched if sched else "")
        if run.noise:
            text += f";noise={format_number(run.noise)}"
        if run.seed:
            text += f";seed={run.seed}"
        if run.seeds != 1:
            text += f";seeds={run.seeds}"
        if not run.visible:
            text += ";hidden"
        if run.color != optimizer_color(run.optimizer):
            text += f";color={run.color}"
        parts.append(("run", text))
    if state.view is not None and tuple(state.view) != tuple(surface.view):
        parts.append(("view", ",".join(format_number(v) for v in state.view)))
    parts.extend(coerce.map_settings(state.maps).link_text().items())
    parts.extend(coerce.view_options(state.views).link_text().items())
    if state.lang != AppState.lang:
        parts.append(("lang", state.lang))
    parts.extend(handout.handout_settings(state.handout, state).items())
    safe = ":,;=!"
    return "?" + "&".join(f"{key}={quote(value, safe=safe)}" for key, value in parts)


def _split_query(search: str) -> list[tuple[str, str]]:
    """The outer split of a query, by :func:`urllib.parse.parse_qsl` (``&``, percent and ``+`` decoding;
    an empty value kept: ``run=`` means no runs), keys stripped; at most ``MAX_QUERY_LENGTH`` characters."""
    search = (search or "")[: coerce.MAX_QUERY_LENGTH].removeprefix("?")
    return [(key.strip(), value) for key, value in parse_qsl(search, keep_blank_values=True)]


def _read_run(text: str, position: int, notices: list) -> RunSpec | None:
    """One ``run=`` entry; ``None`` (with a notice) when its optimizer is unknown."""
    sections = text.split(";")
    head, _, hyper_text = sections[0].partition(":")
    name = head.strip().lower()
    if name not in optimizers.names():
        notices.append(msg("notices.url_optimizer_unknown", position=position + 1, name=head.strip()[:40],
                           known=", ".join(optimizers.names())))
        return None
    owner = msg("notices.owner_run_optimizer", position=position + 1, optimizer=name)
    hyper = _read_params(optimizers.schema(name), _pairs(hyper_text), owner, notices)
    try:
        optimizers.get(name, **hyper)
    except ValueError as error:
        notices.append(msg("notices.error_defaults", owner=owner, error=str(error)))
        hyper = default_run(name).hyper
    run = RunSpec(optimizer=name, hyper=hyper, color=optimizer_color(name))
    for key, value in _pairs(";".join(sections[1:]), separator=";"):
        if key == "sched":
            sched_name, _, sched_text = value.partition(":")
            sched_name = sched_name.strip().lower()
            if sched_name not in schedules.names():
                notices.append(msg("notices.url_schedule_unknown", owner=owner, name=sched_name[:40]))
                continue
            run.schedule = sched_name
            run.schedule_params = _read_params(schedules.schema(sched_name), _pairs(sched_text),
                                               msg("notices.owner_schedule", owner=owner), notices)
        elif key == "noise":
            run.noise = coerce.noise(value, notices, owner)
        elif key == "seed":
            run.seed = coerce.seed(value, notices, owner)
        elif key == "seeds":
            run.seeds = coerce.seeds(value, notices, owner)
        elif key == "hidden":
            run.visible = False
        elif key == "color":
            run.color = coerce.color_index(value, optimizer_color(name), notices, owner)
        else:
            notices.append(msg("notices.url_setting_unknown", owner=owner, key=key[:40]))
    return run


def _lesson_flag(given: dict, notices: list) -> bool:
    """``lesson=1`` (lesson mode) or ``lesson=0``; anything else is ignored with a notice. Needs a scenario."""
    text = given.get("lesson", "0").strip()
    if text not in ("0", "1"):
        notices.append(msg("notices.lesson_refused", value=text[:40]))
        return False
    if text == "1" and given.get("scenario") not in scenario_links.known_ids():
        notices.append(msg("notices.lesson_needs_scenario"))
        return False
    return text == "1"


def from_query(search: str) -> tuple[AppState, list[str]]:
    """Parse a query string into a state and a list of notices. Never raises.

    An empty query gives :func:`default_state` with no notices.
    """
    notices: list[str] = []
    pairs = _split_query(search)
    if not pairs:
        return default_state(), notices
    pairs = handout.migrate(pairs, notices)      # a link of an older URL schema, rewritten to this one
    given = dict(pairs)  # the last value wins for single-valued keys
    lang = coerce.language(given["lang"], notices) if "lang" in given else AppState.lang
    bare = set(given) - {"lang", "lesson", *handout.HANDOUT_KEYS}
    if bare == {"scenario"} and given["scenario"] in scenario_links.known_ids():
        # a bare ?scenario=<id> (typed or shortened) opens that scenario's own state (in lesson mode with lesson=1;
        # with its handout flags, e.g. embed=1)
        state, more = from_query(scenario_links.share_query(given["scenario"]))
        state.lang = lang
        state.lesson = _lesson_flag(given, more)
        state.handout = handout.handout_settings(given, state, notices)
        return state, notices + more
    if set(given) - {"lang"} == {"lesson"} and scenario_links.known_ids():
        # a bare ?lesson=1 starts the lesson at its first scenario
        state, more = from_query(f"?lesson={given['lesson']}&scenario={scenario_links.known_ids()[0]}")
        state.lang = lang
        return state, notices + more
    state = default_state()
    state.lang = lang
    surface = given.get("surface", state.surface).strip().lower()
    if surface not in landscapes.names():
        notices.append(msg("notices.url_surface_unknown", name=surface[:40], default=state.surface,
                           known=", ".join(landscapes.names())))
        surface = state.surface
    surface_schema = landscapes.schema(surface)
    surface_keys = {p.name for p in surface_schema}
    state.surface = surface
    state.surface_params = _read_params(
        surface_schema, [(k, v) for k, v in pairs if k in surface_keys], msg("notices.owner_surface", surface=surface),
        notices)
    try:
        landscapes.get(surface, **state.surface_params)
    except ValueError as error:
        notices.append(msg("notices.error_defaults", owner=msg("notices.owner_surface", surface=surface),
                           error=str(error)))
        state.surface_params = schema_defaults(surface_schema)

    run_texts = [v for k, v in pairs if k == "run" and v.strip()]
    if "run" in given:        # a bare "run=" means: no runs at all
        runs = []
        for text in run_texts:
            if len(runs) >= coerce.MAX_RUNS:
                notices.append(msg("notices.runs_fit", limit=coerce.MAX_RUNS))
                break
            run = _read_run(text, len(runs), notices)
            if run is not None:
                runs.append(run)
        if runs or not run_texts:
            state.runs = runs
    if "steps" in given:
        state.steps = coerce.steps(given["steps"], notices)
    if "start" in given:
        state.start = coerce.point(given["start"], notices)
    if "view" in given:
        state.view = coerce.view_box(given["view"], notices)
    if "scenario" in given:
        if given["scenario"] in scenario_links.known_ids():
            state.scenario = given["scenario"]
        else:
            notices.append(msg("notices.scenario_unknown", name=given["scenario"][:40]))
    if "lesson" in given:
        state.lesson = _lesson_flag(given, notices)
    state.maps = coerce.map_settings({k: v for k, v in given.items() if k in MAP_KEYS}, notices)
    state.views = coerce.view_options({k: v for k, v in given.items() if k in VIEW_KEYS}, notices)
    state.handout = handout.handout_settings(given, state, notices)
    known_keys = ({"surface", "run", "steps", "start", "view", "scenario", "lang", "lesson"} | surface_keys
                  | set(MAP_KEYS) | set(VIEW_KEYS) | set(handout.HANDOUT_KEYS))
    for key in dict.fromkeys(k for k, _ in pairs if k not in known_keys):
        notices.append(msg("notices.url_key_unknown", key=key[:40]))
    return state, notices


def language_in(search: str) -> str | None:
    """The ``lang=`` a query string names (coerced), or ``None`` when it names none."""
    given = dict(_split_query(search))
    return coerce.language(given["lang"], []) if "lang" in given else None
