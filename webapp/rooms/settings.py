"""Limits and configuration of rooms, read once from the environment.

=============================  =====================================================  ==========
Environment variable           Meaning                                                Default
=============================  =====================================================  ==========
``OPTISCAPE_REDIS_URL``        use Redis at this URL (``redis://host:port/db``)       unset: SQLite
``OPTISCAPE_DATA_DIR``         directory of the SQLite file ``rooms.sqlite3``         ``$TMPDIR/optiscape``
``OPTISCAPE_ROOM_IDLE_SECONDS`` a room with no teacher request for this long expires   7200 (2 h)
``OPTISCAPE_ROOM_MAX_WAITERS`` long polls parked at once per process (more: answered   32
                               at once with ``retry_ms``, never a blocked thread)
=============================  =====================================================  ==========
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field, replace

from webapp.state.coerce import MAX_QUERY_LENGTH, MAX_STEPS

__all__ = ["RoomSettings", "RateLimit", "settings_from_env"]


@dataclass(frozen=True)
class RateLimit:
    """At most ``limit`` requests per ``window`` seconds (a fixed window shared by every worker)."""

    limit: int
    window: float


@dataclass(frozen=True)
class RoomSettings:
    redis_url: str | None = None
    data_dir: str = field(default_factory=lambda: os.path.join(tempfile.gettempdir(), "optiscape"))
    idle_seconds: float = 7200.0
    max_waiters: int = 32            # parked long polls per process
    max_wait: float = 25.0           # longest long poll, seconds (below gunicorn's --timeout 30)
    default_wait: float = 20.0
    retry_ms: int = 500              # what a declined long poll is told to wait before polling again
    feed_interval: float = 0.1       # how often a process reads the versions of watched rooms
    follower_window: float = 40.0    # a follower counts while it polled within this many seconds
    max_body: int = 16_384           # bytes of one request body
    max_state: int = MAX_QUERY_LENGTH   # characters of a room state: what the page's URL parser reads
    max_step: int = MAX_STEPS        # the player's step k
    max_question: int = 200
    max_answers: int = 2000          # answers one poll keeps
    histogram_bins: int = 20         # a click poll's results: bins x bins over the poll's view
    create_per_address: RateLimit = RateLimit(30, 600.0)
    join_per_client: RateLimit = RateLimit(20, 60.0)
    join_per_address: RateLimit = RateLimit(600, 60.0)
    answer_per_client: RateLimit = RateLimit(30, 60.0)
    answer_per_address: RateLimit = RateLimit(1200, 60.0)

    def with_(self, **changes) -> "RoomSettings":
        return replace(self, **changes)


def settings_from_env(environ=None) -> RoomSettings:
    """:class:`RoomSettings` with the environment's values (module docstring); bad numbers raise ValueError."""
    environ = os.environ if environ is None else environ
    settings = RoomSettings()
    changes = {}
    if environ.get("OPTISCAPE_REDIS_URL", "").strip():
        changes["redis_url"] = environ["OPTISCAPE_REDIS_URL"].strip()
    if environ.get("OPTISCAPE_DATA_DIR", "").strip():
        changes["data_dir"] = environ["OPTISCAPE_DATA_DIR"].strip()
    for name, key, kind, low in (("OPTISCAPE_ROOM_IDLE_SECONDS", "idle_seconds", float, 1.0),
                                 ("OPTISCAPE_ROOM_MAX_WAITERS", "max_waiters", int, 0)):
        text = environ.get(name, "").strip()
        if text:
            try:
                value = kind(text)
            except ValueError:
                raise ValueError(f"{name} must be a number, not {text[:40]!r}") from None
            if not value >= low:
                raise ValueError(f"{name} must be at least {low:g}, not {text[:40]!r}")
            changes[key] = value
    return replace(settings, **changes)
