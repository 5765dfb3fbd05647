"""Long polling: a request parks until its room's version passes the one it has, or its wait ends.

One daemon thread per process (started on the first wait, again after a fork)
reads the versions of the rooms someone waits on, every ``interval`` seconds,
in one store round trip, and wakes the waiters whose room moved. So a change
made by any worker on any machine reaches a parked follower within about
``interval`` plus one request, and 300 parked followers cost one query per
interval, not 300. A change made in this process wakes its waiters at once
(:meth:`ChangeFeed.publish`).

At most ``max_waiters`` requests park at once per process; :meth:`wait`
refuses the rest (returns ``None``), and the route answers them at once, telling
the client to poll again after a short pause, so long polls can never take
every thread of a threaded worker.
"""
from __future__ import annotations

import os
import threading
import time

__all__ = ["ChangeFeed", "GONE"]

GONE = -1     # the version a room has once it no longer exists (expired)


class ChangeFeed:
    def __init__(self, read_versions, interval: float = 0.1, max_waiters: int = 32):
        self._read_versions = read_versions       # codes -> {code: version} (missing: gone)
        self.interval = interval
        self.max_waiters = max_waiters
        self._cond = threading.Condition()
        self._waiting: dict[str, int] = {}        # code -> number of parked requests
        self._known: dict[str, int] = {}          # code -> latest version seen
        self._pid = None

    @property
    def parked(self) -> int:
        with self._cond:
            return sum(self._waiting.values())

    def publish(self, code: str, version: int) -> None:
        with self._cond:
            if code in self._waiting and (version > self._known.get(code, GONE) or version == GONE):
                self._known[code] = version
                self._cond.notify_all()

    def wait(self, code: str, since: int, current: int, timeout: float) -> int | None:
        """Park until ``code``'s version differs from ``since``; the version then (``GONE`` if the room went).

        ``current`` is the version the caller just read. ``None``: not parked
        (``max_waiters`` reached); the caller must answer at once.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            if sum(self._waiting.values()) >= self.max_waiters:
                return None
            self._known[code] = max(self._known.get(code, GONE), current)
            self._waiting[code] = self._waiting.get(code, 0) + 1
            self._ensure_thread()
            self._cond.notify_all()          # the watcher may be idle, waiting for a first waiter
            try:
                while True:
                    version = self._known.get(code, GONE)
                    if version != since:
                        return version
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        return version
                    self._cond.wait(remaining)
            finally:
                self._waiting[code] -= 1
                if not self._waiting[code]:
                    del self._waiting[code]
                    self._known.pop(code, None)

    def _ensure_thread(self) -> None:
        if self._pid != os.getpid():       # first use, or a forked child: threads do not survive fork
            self._pid = os.getpid()
            threading.Thread(target=self._watch, name="optiscape-rooms-feed", daemon=True).start()

    def _watch(self) -> None:
        while True:
            with self._cond:
                while not self._waiting:
                    self._cond.wait()
                codes = list(self._waiting)
            try:
                versions = self._read_versions(codes)
            except Exception:        # the store is briefly unreachable: waiters time out normally
                versions = None
            if versions is not None:
                with self._cond:
                    moved = False
                    for code in codes:
                        version = versions.get(code, GONE)
                        known = self._known.get(code)
                        if known is not None and (version > known or version == GONE):
                            self._known[code] = version
                            moved = True
                    if moved:
                        self._cond.notify_all()
            time.sleep(self.interval)
