"""Which scenario ids a link may name, and what a bare ``?scenario=<id>`` opens.

The state package never imports the scenarios (they import the state to parse their
queries). Instead the scenarios are *registered* here by whoever composes the app
(``webapp/__init__.py``): :func:`register` takes the scenarios' ``ids()`` and a function
``id -> share query``. Until then no scenario id is known and a ``scenario=`` key is
ignored with a notice.
"""
from __future__ import annotations

from typing import Callable

__all__ = ["register", "known_ids", "share_query"]

_ids: Callable[[], list] = lambda: []               # noqa: E731
_share_query: Callable[[str], str] | None = None


def register(ids: Callable[[], list], share_query_of_id: Callable[[str], str]) -> None:
    """Make the scenarios known: ``ids()`` lists them, ``share_query_of_id(id)`` is a scenario's full link."""
    global _ids, _share_query
    _ids, _share_query = ids, share_query_of_id


def known_ids() -> list[str]:
    return list(_ids())


def share_query(scenario_id: str) -> str | None:
    """The full share query of a known scenario, or ``None``."""
    if _share_query is None or scenario_id not in known_ids():
        return None
    return _share_query(scenario_id)
