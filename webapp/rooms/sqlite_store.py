"""The SQLite backend: one WAL-mode file shared by every worker process of one machine.

WAL lets readers run while one writer writes; every read-modify-write runs in a
``BEGIN IMMEDIATE`` transaction, so two workers changing one room queue up
instead of losing an update. ``synchronous=NORMAL``: a commit survives a killed
process (the WAL is in the OS's page cache), though not a power cut, which is
enough for rooms that expire anyway. Connections are per thread and per process
(a gunicorn worker forked from a master that touched the store opens its own).
"""
from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from typing import Iterable

from webapp.rooms.store import Change, Store

__all__ = ["SQLiteStore", "FILENAME"]

FILENAME = "rooms.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS rooms (code TEXT PRIMARY KEY, version INTEGER NOT NULL, doc TEXT NOT NULL,
                                  expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS followers (code TEXT NOT NULL, client TEXT NOT NULL, seen REAL NOT NULL,
                                      expires REAL NOT NULL, PRIMARY KEY (code, client)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS hits (key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires REAL NOT NULL)
                                 WITHOUT ROWID;
"""


class SQLiteStore(Store):
    name = "sqlite"
    unavailable = (sqlite3.Error,)     # errors that mean "the store cannot answer now" (503)

    def __init__(self, data_dir: str, busy_timeout: float = 10.0):
        os.makedirs(data_dir, mode=0o700, exist_ok=True)
        self.path = os.path.join(data_dir, FILENAME)
        self.busy_timeout = busy_timeout
        self._local = threading.local()
        self._last_purge = 0.0
        self._connection().executescript(_SCHEMA)     # IF NOT EXISTS: every worker may run it

    # ------------------------------------------------------------------ connections
    def _connection(self) -> sqlite3.Connection:
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            db = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            local.db, local.pid = db, os.getpid()
        return local.db

    class _Transaction:
        def __init__(self, db):
            self.db = db

        def __enter__(self):
            self.db.execute("BEGIN IMMEDIATE")
            return self.db

        def __exit__(self, kind, error, trace):
            self.db.execute("COMMIT" if kind is None else "ROLLBACK")
            return False

    def _transaction(self):
        return self._Transaction(self._connection())

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None and self._local.pid == os.getpid():
            db.close()
        self._local = threading.local()

    # ------------------------------------------------------------------ rooms
    def _purge(self, db, now: float) -> None:
        """Drop expired rows, at most once a minute per process."""
        if now - self._last_purge < 60.0:
            return
        self._last_purge = now
        db.execute("DELETE FROM rooms WHERE expires <= ?", (now,))
        db.execute("DELETE FROM followers WHERE expires <= ?", (now,))
        db.execute("DELETE FROM hits WHERE expires <= ?", (now,))

    def create(self, code: str, doc: dict, ttl: float) -> bool:
        now = time.time()
        with self._transaction() as db:
            self._purge(db, now)
            db.execute("DELETE FROM rooms WHERE code = ? AND expires <= ?", (code, now))
            cursor = db.execute("INSERT OR IGNORE INTO rooms (code, version, doc, expires) VALUES (?, ?, ?, ?)",
                                (code, int(doc["version"]), json.dumps(doc), now + ttl))
            return cursor.rowcount == 1

    def load(self, code: str) -> dict | None:
        row = self._connection().execute("SELECT doc FROM rooms WHERE code = ? AND expires > ?",
                                         (code, time.time())).fetchone()
        return None if row is None else json.loads(row[0])

    def modify(self, code: str, change: Change, ttl: float) -> dict | None:
        with self._transaction() as db:
            now = time.time()
            row = db.execute("SELECT doc FROM rooms WHERE code = ? AND expires > ?", (code, now)).fetchone()
            if row is None:
                return None
            doc = json.loads(row[0])
            new = change(doc)
            if new is None:
                return doc
            db.execute("UPDATE rooms SET version = ?, doc = ?, expires = ? WHERE code = ?",
                       (int(new["version"]), json.dumps(new), now + ttl, code))
            return new

    def versions(self, codes: Iterable[str]) -> dict[str, int]:
        codes = list(codes)
        if not codes:
            return {}
        marks = ",".join("?" * len(codes))
        rows = self._connection().execute(
            f"SELECT code, version FROM rooms WHERE code IN ({marks}) AND expires > ?", (*codes, time.time()))
        return dict(rows.fetchall())

    # ------------------------------------------------------------------ followers and counters
    def touch_follower(self, code: str, client: str, now: float, ttl: float) -> None:
        with self._transaction() as db:
            db.execute("INSERT INTO followers (code, client, seen, expires) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT (code, client) DO UPDATE SET seen = excluded.seen, expires = excluded.expires",
                       (code, client, now, now + ttl))

    def count_followers(self, code: str, since: float) -> int:
        row = self._connection().execute("SELECT COUNT(*) FROM followers WHERE code = ? AND seen >= ?",
                                         (code, since)).fetchone()
        return int(row[0])

    def count_hit(self, key: str, window: float, now: float) -> int:
        slot = int(now // window)
        with self._transaction() as db:
            row = db.execute("INSERT INTO hits (key, count, expires) VALUES (?, 1, ?) "
                             "ON CONFLICT (key) DO UPDATE SET count = count + 1 RETURNING count",
                             (f"{key}:{slot}", (slot + 1) * window + 1.0)).fetchone()
            return int(row[0])
