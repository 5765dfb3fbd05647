"""The store every worker shares: one interface, two backends (SQLite, Redis).

A room is one JSON document under its code, with an integer ``"version"`` field
and an expiry (its idle time, renewed by every write). The room logic
(:mod:`webapp.rooms.service`) lives once, above this interface; a backend
only stores, and makes :meth:`Store.modify` atomic across threads, processes and
machines:

* SQLite (:mod:`webapp.rooms.sqlite_store`): ``BEGIN IMMEDIATE`` transactions on a
  WAL-mode file, one connection per thread and process;
* Redis (:mod:`webapp.rooms.redis_store`): ``WATCH``/``MULTI`` optimistic
  transactions, retried on conflict.

Besides rooms a store keeps followers (client id -> time last seen, per room)
and fixed-window counters for rate limits.
"""
from __future__ import annotations

from typing import Callable, Iterable

from webapp.rooms.settings import RoomSettings

__all__ = ["Store", "open_store", "Change"]

# change(doc) -> new doc to write, or None to leave the room as it is. It may raise (RoomError):
# nothing is written then.
Change = Callable[[dict], "dict | None"]


class Store:
    """What a rooms backend provides. Times are ``time.time()`` seconds; ``ttl`` in seconds."""

    name = "store"
    unavailable: tuple = ()   # exception types meaning the store is unreachable or busy (answered 503)

    def create(self, code: str, doc: dict, ttl: float) -> bool:
        """Store ``doc`` under ``code`` unless a live room has that code; whether it was stored."""
        raise NotImplementedError

    def load(self, code: str) -> dict | None:
        """The room's document, or ``None`` when there is none (never created, or expired)."""
        raise NotImplementedError

    def modify(self, code: str, change: Change, ttl: float) -> dict | None:
        """Apply ``change`` atomically; the document as it is afterwards (``None``: no such room).

        The write (when ``change`` returns a document) renews the expiry to ``ttl``.
        """
        raise NotImplementedError

    def versions(self, codes: Iterable[str]) -> dict[str, int]:
        """``{code: version}`` for the live rooms among ``codes`` (one round trip)."""
        raise NotImplementedError

    def touch_follower(self, code: str, client: str, now: float, ttl: float) -> None:
        """Record that ``client`` follows ``code`` at ``now``."""
        raise NotImplementedError

    def count_followers(self, code: str, since: float) -> int:
        """How many clients of ``code`` were seen at ``since`` or later."""
        raise NotImplementedError

    def count_hit(self, key: str, window: float, now: float) -> int:
        """Add one to ``key``'s counter for the current window of ``window`` seconds; the new count."""
        raise NotImplementedError

    def close(self) -> None:
        """Release connections (the store can still be used afterwards: they reopen)."""


def open_store(settings: RoomSettings) -> Store:
    """Redis when ``settings.redis_url`` is set, else SQLite under ``settings.data_dir``."""
    if settings.redis_url:
        from webapp.rooms.redis_store import RedisStore
        return RedisStore(settings.redis_url)
    from webapp.rooms.sqlite_store import SQLiteStore
    return SQLiteStore(settings.data_dir)
