"""Server-side validation of everything a browser (or anyone) can post.

Dash checks ``min``/``max`` only in the browser, so every callback input passes
through here: values are coerced, clamped into range, or replaced by a default,
and each correction appends a human notice. Nothing here raises.

Caps bound the work per request: at most :data:`MAX_RUNS` runs and
:data:`MAX_STEPS` steps, and at most :data:`MAX_GROUP_STEPS` cost-weighted
optimizer steps in total (runs that share an optimizer step together as one
batch and count once; see :data:`STEP_COST`), which keeps the worst request
under 0.5 s of CPU.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["MAX_RUNS", "MAX_STEPS", "MAX_GROUP_STEPS", "GRID_SIZE", "MAX_GRID_SIZE", "MAX_COORD",
           "param_value", "param_dict", "steps", "point", "view_box", "noise", "seed", "number",
           "integer", "run_from_dict", "step_budget"]

MAX_RUNS = 8
MAX_STEPS = 5000
MIN_STEPS = 1
MAX_GROUP_STEPS = 20_000      # sum over stepping batches of (cost x steps)
# Relative CPU cost of one step (a first-order step of a whole batch, ~15-20 us here, is 1). Measured on
# Rosenbrock: Newton ~50-60 us per batch step; L-BFGS ~330 us per step *of each run* (it steps its runs
# one by one, so batching does not help). Unlisted optimizers count as first-order.
STEP_COST = {"newton": 3}             # per stepping batch
STEP_COST_PER_RUN = {"lbfgs": 22}     # per run
GRID_SIZE = 120
MAX_GRID_SIZE = 200
MAX_COORD = 1e6               # start points and view boxes live inside [-1e6, 1e6]
MIN_VIEW_SPAN = 1e-6
MAX_NOISE = 100.0
MAX_SEED = 2**31 - 1
MAX_QUERY_LENGTH = 8000
MAX_TEXT = 40


def _short(value: Any) -> str:
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
            notices.append(f"{owner}: {param.name}={_short(value)} is not {param.range_text()}; using the default.")
            return param.default
    if param.kind in ("bool", "choice"):
        if isinstance(value, list) and param.kind == "bool":      # a checklist's value
            value = bool(value)
        try:
            return param.validate(value, owner)
        except ValueError:
            notices.append(f"{owner}: {param.name}={_short(value)} is not {param.range_text()}; "
                           f"using {param.default!r}.")
            return param.default
    if param.default is None and (value is None or (isinstance(value, str) and value.strip().lower() in
                                                    ("", "none", "auto"))):
        return None             # "automatic": the schema's own default
    as_float = number(value)
    if as_float is None:
        notices.append(f"{owner}: {param.name}={_short(value)} is not a number; using {param.default!r}.")
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
            notices.append(f"{owner}: unknown parameter {_short(key)} ignored.")
    return values


def steps(value: Any, notices: list) -> int:
    """The number of steps, clamped to ``[1, MAX_STEPS]``."""
    as_float = number(value)
    if as_float is None:
        from webapp.state import DEFAULT_STEPS

        notices.append(f"Steps {_short(value)} is not a number; using {DEFAULT_STEPS}.")
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
        notices.append(f"Start {_short(value)} is not a pair 'x,y'; using the surface's start.")
        return None
    clamped = tuple(min(max(v, -MAX_COORD), MAX_COORD) for v in pair)
    if clamped != tuple(pair):
        notices.append(f"Start clamped into [-{MAX_COORD:g}, {MAX_COORD:g}].")
    return clamped


def view_box(value: Any, notices: list) -> tuple | None:
    """A view box ``(x_min, x_max, y_min, y_max)``; ``None`` (surface default) if unreadable or empty."""
    box = _floats(value, 4)
    if box is None:
        notices.append(f"View {_short(value)} is not 'x_min,x_max,y_min,y_max'; using the surface's view.")
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
        notices.append(f"{owner}: noise {_short(value)} is not a number; using 0.")
        return 0.0
    clamped = min(max(as_float, 0.0), MAX_NOISE)
    if clamped != as_float:
        notices.append(f"{owner}: noise {as_float:g} changed to {clamped:g} (allowed: 0 to {MAX_NOISE:g}).")
    return clamped


def seed(value: Any, notices: list, owner: str = "Run") -> int:
    """A random seed in ``[0, 2^31 - 1]``."""
    as_float = number(value)
    if as_float is None:
        notices.append(f"{owner}: seed {_short(value)} is not a number; using 0.")
        return 0
    clamped = int(min(max(round(as_float), 0), MAX_SEED))
    if clamped != as_float:
        notices.append(f"{owner}: seed changed to {clamped} (a whole number from 0 to {MAX_SEED}).")
    return clamped


def color_index(value: Any, position: int, notices: list, owner: str = "Run") -> int:
    from webapp.state import PALETTE

    as_float = number(value)
    if as_float is None or not 0 <= as_float < len(PALETTE):
        notices.append(f"{owner}: colour {_short(value)} unknown; using colour {position % len(PALETTE)}.")
        return position % len(PALETTE)
    return int(as_float)


def run_from_dict(raw: Any, position: int, notices: list):
    """A :class:`~webapp.state.RunSpec` from posted store data, or ``None`` (with a notice)."""
    import optimizers
    from optimizers import schedules
    from webapp.state import RunSpec, default_run

    owner = f"Run {position + 1}"
    if not isinstance(raw, dict):
        notices.append(f"{owner}: unreadable; removed.")
        return None
    name = raw.get("optimizer")
    if not isinstance(name, str) or name not in optimizers.names():
        notices.append(f"{owner}: unknown optimizer {_short(name)}; removed.")
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
        notices.append(f"{owner}: unknown schedule {_short(schedule)}; using constant.")
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


def group_key(run) -> tuple:
    """Runs with equal keys can step together as one ``(N, 2)`` batch.

    Numeric hyperparameters may differ (they become per-run arrays); switches,
    choices, the schedule and the noise level must match.
    """
    import optimizers

    fixed = tuple((p.name, run.hyper[p.name]) for p in optimizers.schema(run.optimizer)
                  if p.kind in ("bool", "choice") or not p.per_run)
    return (run.optimizer, fixed, run.schedule, tuple(sorted(run.schedule_params.items())), run.noise)


def step_cost(runs) -> int:
    """Cost of one step of all these runs: STEP_COST per stepping batch plus STEP_COST_PER_RUN per run."""
    batches = {group_key(run): run.optimizer for run in runs}
    per_batch = sum(STEP_COST.get(name, 1) for name in batches.values() if name not in STEP_COST_PER_RUN)
    per_run = sum(STEP_COST_PER_RUN.get(run.optimizer, 0) for run in runs)
    return per_batch + per_run or 1


def step_budget(runs, requested: int, notices: list) -> int:
    """Steps allowed for these runs: ``step_cost(runs) x steps <= MAX_GROUP_STEPS`` (deterministic, so a
    shared link shows the same steps on any machine)."""
    allowed = max(MIN_STEPS, min(requested, MAX_GROUP_STEPS // step_cost(runs)))
    if allowed < requested:
        notices.append(f"These runs x {requested} steps are more than one request may compute; "
                       f"showing the first {allowed} steps (fewer runs, or cheaper optimizers, allow more).")
    return allowed
