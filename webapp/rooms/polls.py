"""Predict polls: what a poll is, which answers it takes, and its results. Pure functions on dicts.

Two kinds, both asked on the room's current picture:

* ``"settles_first"``: "Which run settles first?"; the choices are the runs'
  names; an answer is ``{"choice": i}`` (0-based); results are counts per choice.
* ``"run_end"``: "Click where run k ends"; an answer is a point ``{"x", "y"}``
  inside the poll's view box; results are a coarse ``bins x bins`` histogram of
  the clicks over that box, ``counts[row][col]`` with row = y bin (bottom first)
  and col = x bin, each bin half-open ``[lo, hi)`` except the last, closed.
"""
from __future__ import annotations

import math

from webapp.rooms.errors import RoomError

__all__ = ["KINDS", "new_poll", "read_answer", "results"]

KINDS = ("settles_first", "run_end")


def _question(body: dict, default: str, max_length: int) -> str:
    text = body.get("question", default)
    if not isinstance(text, str):
        raise RoomError(400, "'question' must be a string")
    text = " ".join(text.split())
    if not text:
        return default
    if len(text) > max_length:
        raise RoomError(413, f"'question' is {len(text)} characters; at most {max_length}")
    if not text.isprintable():
        raise RoomError(400, "'question' may hold printable characters only")
    return text


def new_poll(body: dict, poll_id: int, state_version: int, run_names: list[str], view: tuple,
             max_question: int) -> dict:
    """A poll document from the teacher's request ``{"kind", "run"?, "question"?}``."""
    kind = body.get("kind")
    if kind not in KINDS:
        raise RoomError(400, f"'kind' must be one of {', '.join(KINDS)}")
    poll = {"id": poll_id, "kind": kind, "state_version": state_version, "revealed": False,
            "answers": {}, "results": None}
    if kind == "settles_first":
        if len(run_names) < 2:
            raise RoomError(422, "a 'settles_first' poll needs at least two runs in the room's state")
        poll["question"] = _question(body, "Which run settles first?", max_question)
        poll["choices"] = list(run_names)
    else:
        run = body.get("run")
        if isinstance(run, bool) or not isinstance(run, int) or not 1 <= run <= len(run_names):
            raise RoomError(400, f"'run' must be a run number from 1 to {len(run_names)}" if run_names
                            else "the room's state has no runs to ask about")
        poll["question"] = _question(body, f"Click where run {run} ({run_names[run - 1]}) ends", max_question)
        poll["run"] = run
        poll["view"] = [float(v) for v in view]
    return poll


def _finite_number(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise RoomError(400, f"'{name}' must be a finite number")
    return float(value)


def read_answer(poll: dict, body: dict):
    """The stored form of an answer (an int, or ``[x, y]``); RoomError 400 when it does not fit the poll."""
    if poll["kind"] == "settles_first":
        choice = body.get("choice")
        if isinstance(choice, bool) or not isinstance(choice, int) or not 0 <= choice < len(poll["choices"]):
            raise RoomError(400, f"'choice' must be a whole number from 0 to {len(poll['choices']) - 1}")
        return choice
    x, y = _finite_number(body.get("x"), "x"), _finite_number(body.get("y"), "y")
    x_min, x_max, y_min, y_max = poll["view"]
    if not (x_min <= x <= x_max and y_min <= y <= y_max):
        raise RoomError(400, f"the point ({x:g}, {y:g}) is outside the poll's view "
                             f"[{x_min:g}, {x_max:g}] x [{y_min:g}, {y_max:g}]")
    return [x, y]


def _bin(value: float, low: float, high: float, bins: int) -> int:
    if high <= low:
        return 0
    return min(int((value - low) / (high - low) * bins), bins - 1)


def results(poll: dict, bins: int) -> dict:
    """Counts per choice, or the click histogram (module docstring), with the number of answers."""
    answers = list(poll["answers"].values())
    if poll["kind"] == "settles_first":
        counts = [0] * len(poll["choices"])
        for choice in answers:
            counts[choice] += 1
        return {"total": len(answers), "counts": counts}
    x_min, x_max, y_min, y_max = poll["view"]
    grid = [[0] * bins for _ in range(bins)]
    for x, y in answers:
        grid[_bin(y, y_min, y_max, bins)][_bin(x, x_min, x_max, bins)] += 1
    return {"total": len(answers), "bins": bins, "view": list(poll["view"]), "counts": grid}
