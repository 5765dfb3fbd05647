"""The whole page state as one object, and its readable URL form.

An :class:`AppState` holds the surface and its parameters, the runs (optimizer,
hyperparameters, schedule, noise, seed, visibility, colour), the start point,
the number of steps and the view box. It serializes

* to a JSON-friendly dict (the ``dcc.Store`` that is the page's source of truth), and
* to a URL query string generated from the schemas, writing only non-default values::

    ?surface=ill_conditioned&kappa=50&start=-8,1.5&steps=300
     &run=momentum:lr=0.01&run=adam:lr=0.1,beta2=0.99;sched=step:gamma=0.5;noise=0.1;seed=3;hidden

Parsing never raises: every unknown or invalid value falls back to a default
(or is clamped into range) and adds a human notice, shown on the page.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote, unquote_plus

import landscapes
import optimizers
from optimizers import schedules
from webapp import validate
from webapp.view_options import VIEW_KEYS, view_settings

__all__ = ["RunSpec", "AppState", "default_state", "default_run", "to_query", "from_query",
           "to_store", "from_store", "PALETTE", "STARTER_HYPER", "DEFAULT_SURFACE", "DEFAULT_STEPS"]

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#7F6A00", "#000000")

DEFAULT_SURFACE = "ill_conditioned"
DEFAULT_STEPS = 300
DEFAULT_OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adam")

# Teaching-friendly first values on the default valley (torch's lr=1e-3 barely moves in 300 steps).
# Only a suggestion for a new run; any optimizer not listed starts from its schema defaults.
STARTER_HYPER = {
    "sgd": {"lr": 0.035},
    "momentum": {"lr": 0.01},
    "nesterov": {"lr": 0.01},
    "rmsprop": {"lr": 0.05},
    "adagrad": {"lr": 1.0},
    "adam": {"lr": 0.3},
    "adamw": {"lr": 0.3},
    "nadam": {"lr": 0.3},
    "radam": {"lr": 0.3},
    "adamax": {"lr": 0.3},
    "adadelta": {"lr": 1.0},
}

RUN_FLAGS = ("hidden",)


@dataclass
class RunSpec:
    """One run: an optimizer with its hyperparameters, a schedule, gradient noise and a seed.

    ``hyper`` and ``schedule_params`` hold every schema entry (defaults filled in);
    ``color`` is an index into :data:`PALETTE`.
    """

    optimizer: str
    hyper: dict
    schedule: str = "constant"
    schedule_params: dict = field(default_factory=dict)
    noise: float = 0.0
    seed: int = 0
    visible: bool = True
    color: int = 0

    def build_optimizer(self):
        return optimizers.get(self.optimizer, **self.hyper)

    def build_schedule(self):
        return schedules.get(self.schedule, **self.schedule_params)

    def name(self) -> str:
        """A readable name, e.g. ``"Adam lr=0.01"`` (plus the schedule and noise when set)."""
        try:
            text = self.build_optimizer().describe()
        except ValueError:
            text = self.optimizer
        if self.schedule != "constant":
            try:
                text += f", {self.build_schedule().describe()}"
            except ValueError:
                text += f", {self.schedule}"
        if self.noise:
            text += f", noise={self.noise:g}"
        return text


@dataclass
class AppState:
    """Everything needed to reproduce the page. ``start``/``view`` ``None`` mean the surface's own."""

    surface: str = DEFAULT_SURFACE
    surface_params: dict = field(default_factory=dict)
    runs: list = field(default_factory=list)
    start: tuple | None = None
    steps: int = DEFAULT_STEPS
    view: tuple | None = None
    scenario: str | None = None   # a lecture scenario this page was opened from (webapp.scenarios)
    maps: dict = field(default_factory=dict)   # Maps panel settings as URL text (webapp.maps_panel validates)
    views: dict = field(default_factory=dict)  # lecture views (arrows, side by side, 3D...): webapp.view_options
    revision: int = 0      # bumped on structural edits so the run panel re-renders

    def landscape(self):
        return landscapes.get(self.surface, **self.surface_params)

    def start_point(self) -> tuple:
        return tuple(self.start) if self.start is not None else tuple(self.landscape().start)

    def view_box(self) -> tuple:
        return tuple(self.view) if self.view is not None else tuple(self.landscape().view)


# ------------------------------------------------------------------ defaults
def schema_defaults(schema) -> dict:
    return {p.name: p.default for p in schema}


def default_run(optimizer: str, color: int = 0, **overrides) -> RunSpec:
    """A new run of ``optimizer`` with the teaching-friendly starter values."""
    hyper = schema_defaults(optimizers.schema(optimizer))
    hyper.update({k: v for k, v in STARTER_HYPER.get(optimizer, {}).items() if k in hyper})
    hyper.update(overrides)
    return RunSpec(optimizer=optimizer, hyper=hyper, color=color)


def default_state() -> AppState:
    """The page a student first sees: the ill-conditioned valley, four classic optimizers, 300 steps."""
    surface = DEFAULT_SURFACE if DEFAULT_SURFACE in landscapes.names() else landscapes.names()[0]
    known = [name for name in DEFAULT_OPTIMIZERS if name in optimizers.names()]
    for name in optimizers.names():      # fill up to four if a classic one is not registered (yet)
        if len(known) >= 4:
            break
        if name not in known:
            known.append(name)
    runs = [default_run(name, color=i) for i, name in enumerate(known[:4])]
    return AppState(surface=surface, surface_params=schema_defaults(landscapes.schema(surface)), runs=runs)


def scenario_ids() -> list[str]:
    """Known lecture scenario ids (none while webapp.scenarios is absent)."""
    try:
        from webapp import scenarios
    except ImportError:
        return []
    return list(scenarios.ids())


def free_color(runs) -> int:
    """The first palette colour no run uses (cycling when all are taken)."""
    used = {run.color for run in runs}
    for index in range(len(PALETTE)):
        if index not in used:
            return index
    return len(runs) % len(PALETTE)


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
            notices.append(f"{owner}: unknown parameter '{key}' ignored (known: {', '.join(known) or 'none'}).")
            continue
        values[key] = validate.param_value(known[key], parse_value(known[key], text), owner, notices)
    return values


# ------------------------------------------------------------------ URL
def to_query(state: AppState) -> str:
    """The state as a readable query string (with the leading '?'), non-default values only."""
    surface = state.landscape()
    parts = [("scenario", state.scenario)] if state.scenario else []
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
        if not run.visible:
            text += ";hidden"
        if run.color != position % len(PALETTE):
            text += f";color={run.color}"
        parts.append(("run", text))
    if state.view is not None and tuple(state.view) != tuple(surface.view):
        parts.append(("view", ",".join(format_number(v) for v in state.view)))
    parts.extend(map_settings(state.maps).items())
    parts.extend(view_settings(state.views).items())
    safe = ":,;=!"
    return "?" + "&".join(f"{key}={quote(value, safe=safe)}" for key, value in parts)


def _split_query(search: str) -> list[tuple[str, str]]:
    search = (search or "")[: validate.MAX_QUERY_LENGTH]
    if search.startswith("?"):
        search = search[1:]
    out = []
    for chunk in search.split("&"):
        if not chunk:
            continue
        key, _, value = chunk.partition("=")
        out.append((unquote_plus(key).strip(), unquote_plus(value)))
    return out


def _read_run(text: str, position: int, notices: list) -> RunSpec | None:
    """One ``run=`` entry; ``None`` (with a notice) when its optimizer is unknown."""
    sections = text.split(";")
    head, _, hyper_text = sections[0].partition(":")
    name = head.strip().lower()
    if name not in optimizers.names():
        notices.append(f"Run {position + 1}: unknown optimizer '{head.strip()[:40]}' skipped "
                       f"(known: {', '.join(optimizers.names())}).")
        return None
    owner = f"Run {position + 1} ({name})"
    hyper = _read_params(optimizers.schema(name), _pairs(hyper_text), owner, notices)
    try:
        optimizers.get(name, **hyper)
    except ValueError as error:
        notices.append(f"{owner}: {error}; using defaults.")
        hyper = default_run(name).hyper
    run = RunSpec(optimizer=name, hyper=hyper, color=position % len(PALETTE))
    for key, value in _pairs(";".join(sections[1:]), separator=";"):
        if key == "sched":
            sched_name, _, sched_text = value.partition(":")
            sched_name = sched_name.strip().lower()
            if sched_name not in schedules.names():
                notices.append(f"{owner}: unknown schedule '{sched_name[:40]}'; using constant.")
                continue
            run.schedule = sched_name
            run.schedule_params = _read_params(schedules.schema(sched_name), _pairs(sched_text),
                                               f"{owner} schedule", notices)
        elif key == "noise":
            run.noise = validate.noise(value, notices, owner)
        elif key == "seed":
            run.seed = validate.seed(value, notices, owner)
        elif key == "hidden":
            run.visible = False
        elif key == "color":
            run.color = validate.color_index(value, position, notices, owner)
        else:
            notices.append(f"{owner}: unknown setting '{key[:40]}' ignored.")
    return run


def from_query(search: str) -> tuple[AppState, list[str]]:
    """Parse a query string into a state and a list of notices. Never raises.

    An empty query gives :func:`default_state` with no notices.
    """
    notices: list[str] = []
    pairs = _split_query(search)
    if not pairs:
        return default_state(), notices
    given = dict(pairs)  # the last value wins for single-valued keys
    if set(given) == {"scenario"} and given["scenario"] in scenario_ids():
        # a bare ?scenario=<id> (typed or shortened) opens that scenario's own state
        from webapp import scenarios
        return from_query(scenarios.share_query(scenarios.get(given["scenario"])))
    state = default_state()
    surface = given.get("surface", state.surface).strip().lower()
    if surface not in landscapes.names():
        notices.append(f"Unknown surface '{surface[:40]}'; showing {state.surface}. "
                       f"Known: {', '.join(landscapes.names())}.")
        surface = state.surface
    surface_schema = landscapes.schema(surface)
    surface_keys = {p.name for p in surface_schema}
    state.surface = surface
    state.surface_params = _read_params(
        surface_schema, [(k, v) for k, v in pairs if k in surface_keys], f"Surface {surface}", notices)
    try:
        landscapes.get(surface, **state.surface_params)
    except ValueError as error:
        notices.append(f"Surface {surface}: {error}; using defaults.")
        state.surface_params = schema_defaults(surface_schema)

    run_texts = [v for k, v in pairs if k == "run" and v.strip()]
    if "run" in given:        # a bare "run=" means: no runs at all
        runs = []
        for text in run_texts:
            if len(runs) >= validate.MAX_RUNS:
                notices.append(f"Only {validate.MAX_RUNS} runs fit on one page; the rest were dropped.")
                break
            run = _read_run(text, len(runs), notices)
            if run is not None:
                runs.append(run)
        if runs or not run_texts:
            state.runs = runs
    if "steps" in given:
        state.steps = validate.steps(given["steps"], notices)
    if "start" in given:
        state.start = validate.point(given["start"], notices)
    if "view" in given:
        state.view = validate.view_box(given["view"], notices)
    if "scenario" in given:
        if given["scenario"] in scenario_ids():
            state.scenario = given["scenario"]
        else:
            notices.append(f"Unknown scenario '{given['scenario'][:40]}' ignored.")
    state.maps = map_settings(given)
    state.views = view_settings(given)
    known_keys = ({"surface", "run", "steps", "start", "view", "scenario"} | surface_keys | set(state.maps)
                  | set(VIEW_KEYS))
    for key in dict.fromkeys(k for k, _ in pairs if k not in known_keys):
        notices.append(f"Unknown URL setting '{key[:40]}' ignored.")
    return state, notices


# ------------------------------------------------------------------ store (JSON)
def to_store(state: AppState) -> dict:
    """A JSON-friendly dict for ``dcc.Store``."""
    return {
        "surface": state.surface,
        "surface_params": dict(state.surface_params),
        "runs": [
            {"optimizer": r.optimizer, "hyper": dict(r.hyper), "schedule": r.schedule,
             "schedule_params": dict(r.schedule_params), "noise": r.noise, "seed": r.seed,
             "visible": r.visible, "color": r.color}
            for r in state.runs
        ],
        "start": list(state.start) if state.start is not None else None,
        "steps": state.steps,
        "view": list(state.view) if state.view is not None else None,
        "scenario": state.scenario,
        "maps": dict(state.maps),
        "views": dict(state.views),
        "revision": state.revision,
    }


def from_store(data: Any) -> tuple[AppState, list[str]]:
    """Rebuild (and re-validate) a state from store data that anyone could have posted. Never raises."""
    notices: list[str] = []
    if data is None:          # nothing stored yet
        return default_state(), notices
    if not isinstance(data, dict):
        return default_state(), ["The page state was unreadable; showing the default page."]
    state = default_state()
    surface = data.get("surface")
    if isinstance(surface, str) and surface in landscapes.names():
        state.surface = surface
        state.surface_params = validate.param_dict(
            landscapes.schema(surface), data.get("surface_params"), f"Surface {surface}", notices)
        try:
            landscapes.get(surface, **state.surface_params)
        except ValueError as error:
            notices.append(f"Surface {surface}: {error}; using defaults.")
            state.surface_params = schema_defaults(landscapes.schema(surface))
    elif surface is not None:
        notices.append(f"Unknown surface {str(surface)[:40]!r}; showing {state.surface}.")
    raw_runs = data.get("runs")
    if isinstance(raw_runs, list):
        if len(raw_runs) > validate.MAX_RUNS:
            notices.append(f"At most {validate.MAX_RUNS} runs; the rest were dropped.")
        state.runs = [run for run in (validate.run_from_dict(raw, i, notices)
                                      for i, raw in enumerate(raw_runs[: validate.MAX_RUNS])) if run is not None]
    state.steps = validate.steps(data.get("steps", DEFAULT_STEPS), notices)
    state.start = validate.point(data.get("start"), notices) if data.get("start") is not None else None
    state.view = validate.view_box(data.get("view"), notices) if data.get("view") is not None else None
    state.revision = validate.integer(data.get("revision", 0), 0, 2**31, 0)
    scenario = data.get("scenario")
    state.scenario = scenario if isinstance(scenario, str) and scenario in scenario_ids() else None
    state.maps = map_settings(data.get("maps"))
    state.views = view_settings(data.get("views"))
    return state, notices


MAP_KEYS = ("map", "map_runs", "map_grid", "map_steps", "map_color", "map_x", "map_y", "map_n")


def map_settings(given: Any) -> dict:
    """The Maps panel's URL keys (:data:`MAP_KEYS`, in that order) as short text; anything else dropped.

    Only shape is checked here (never raises, no notices); ``webapp.maps_panel`` validates the values.
    """
    if not isinstance(given, dict):
        return {}
    return {key: given[key][:80] for key in MAP_KEYS if isinstance(given.get(key), str) and given[key]}


def with_runs(state: AppState, runs: list) -> AppState:
    return replace(state, runs=list(runs), revision=state.revision + 1)
