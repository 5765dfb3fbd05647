"""The time bound every computation of a request passes to the engine as ``deadline``.

The engine (``optimizers.simulate``, ``basin_map``, ``sensitivity_map``, ``tune``) reads the clock
inside its loop and stops at ``deadline``, a ``time.monotonic()`` instant. Where that instant comes
from is the server's business: :func:`webapp.server.harden` gives every request one and registers
its reader here with :func:`read_deadlines_from`, so the computing code never imports the web
server and every caller of :mod:`webapp.compute` is bounded without passing anything. Outside a
request (a script, a test without a server) there is no deadline: the work budgets alone bound it.
"""
from __future__ import annotations

import contextlib
from typing import Callable

__all__ = ["read_deadlines_from", "current_deadline", "deadline_at"]

_SOURCE: list[Callable[[], float | None]] = []


def read_deadlines_from(source: Callable[[], float | None]) -> None:
    """Make ``source()`` (the current request's deadline, or None outside a request) the one source."""
    _SOURCE[:] = [source]


def current_deadline() -> float | None:
    """The current request's deadline (a ``time.monotonic()`` instant), or None."""
    return _SOURCE[0]() if _SOURCE else None


@contextlib.contextmanager
def deadline_at(instant: float):
    """Within the block, :func:`current_deadline` is ``instant``: for work that runs outside a request
    (a background job in its own process, :mod:`webapp.background`); the source is put back after."""
    previous = list(_SOURCE)
    _SOURCE[:] = [lambda: instant]
    try:
        yield
    finally:
        _SOURCE[:] = previous
