"""A room's state is the page's share query (``webapp.state``): validated here and nowhere else.

The rooms backend treats the state as an opaque string, except that a posted
state must parse with ``webapp.state.from_query`` without a single notice, and
is stored in its canonical form (``to_query`` of the parsed state). Polls read
the runs' names and the view box from it.
"""
from __future__ import annotations

from webapp.rooms.errors import RoomError

__all__ = ["canonical_state", "poll_subject"]


def _parse(text: str):
    from webapp.state import from_query     # the page's one codec
    return from_query(text)


def canonical_state(text, max_length: int) -> str:
    """The canonical query of a posted state; RoomError 413 when too long, 422 when it gives notices."""
    if not isinstance(text, str):
        raise RoomError(400, "'state' must be a string: the page's share query, e.g. '?surface=saddle'")
    if len(text) > max_length:
        raise RoomError(413, f"'state' is {len(text)} characters; at most {max_length}")
    if text and not text.startswith("?"):
        text = "?" + text
    from webapp.state import to_query
    state, notices = _parse(text)
    if notices:
        raise RoomError(422, "'state' is not a valid page state: " + " ".join(notices)[:600])
    return to_query(state)


def poll_subject(text: str) -> tuple[list[str], tuple[float, float, float, float]]:
    """The run names (in order) and the view box ``(x_min, x_max, y_min, y_max)`` of a stored state."""
    state, _ = _parse(text)
    return [run.name() for run in state.runs], tuple(float(v) for v in state.view_box())
