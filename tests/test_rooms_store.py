"""The store contract, on real SQLite (WAL) and a real redis-server: each test runs on both."""
from __future__ import annotations

import multiprocessing
import os
import sqlite3
import threading
import time

import pytest

from rooms_support import *  # noqa: F401,F403 (fixtures)
from rooms_support import make_store
from webapp.rooms import RoomError
from webapp.rooms.sqlite_store import FILENAME, SQLiteStore


def room(code="K7Q2", version=1, **extra):
    return {"code": code, "version": version, **extra}


def test_create_load_and_refuse_a_live_duplicate(store):
    assert store.load("K7Q2") is None
    assert store.create("K7Q2", room(note="first"), ttl=60)
    assert not store.create("K7Q2", room(note="second"), ttl=60)
    assert store.load("K7Q2")["note"] == "first"
    assert store.versions(["K7Q2", "NOPE"]) == {"K7Q2": 1}


def test_modify_writes_and_renews_and_none_leaves_it(store):
    store.create("K7Q2", room(), ttl=60)

    def bump(doc):
        doc["version"] += 1
        return doc
    assert store.modify("K7Q2", bump, ttl=60)["version"] == 2
    assert store.modify("K7Q2", lambda doc: None, ttl=60)["version"] == 2
    assert store.versions(["K7Q2"]) == {"K7Q2": 2}
    assert store.modify("ZZZZ", bump, ttl=60) is None


def test_a_change_that_raises_writes_nothing(store):
    store.create("K7Q2", room(), ttl=60)

    def refuse(doc):
        doc["version"] = 99
        raise RoomError(409, "no")
    with pytest.raises(RoomError):
        store.modify("K7Q2", refuse, ttl=60)
    assert store.load("K7Q2")["version"] == 1


def test_rooms_expire_after_their_idle_time_and_the_code_is_free_again(store):
    store.create("K7Q2", room(note="old"), ttl=0.3)
    time.sleep(0.45)
    assert store.load("K7Q2") is None
    assert store.versions(["K7Q2"]) == {}
    assert store.modify("K7Q2", lambda doc: doc, ttl=60) is None
    assert store.create("K7Q2", room(note="new"), ttl=60)
    assert store.load("K7Q2")["note"] == "new"


def test_concurrent_read_modify_write_loses_no_update(store):
    store.create("K7Q2", room(count=0), ttl=60)

    def add_one(doc):
        doc["count"] += 1
        doc["version"] += 1
        return doc

    def worker():
        for _ in range(25):
            store.modify("K7Q2", add_one, ttl=60)
    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.load("K7Q2")["count"] == 150
    assert store.versions(["K7Q2"]) == {"K7Q2": 151}


def _increment_in_a_process(backend, tmp_path, url, prefix, times):
    store = make_store(backend, tmp_path, url, prefix)

    def add_one(doc):
        doc["count"] += 1
        return doc
    for _ in range(times):
        store.modify("K7Q2", add_one, ttl=60)


def test_several_processes_share_one_store(store, tmp_path):
    """What gunicorn workers do: separate processes, each with its own connections, one room."""
    url = getattr(store, "url", None)
    prefix = getattr(store, "prefix", None)
    store.create("K7Q2", room(count=0), ttl=60)
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=_increment_in_a_process, args=(store.name, tmp_path, url, prefix, 20))
                 for _ in range(3)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
    assert [process.exitcode for process in processes] == [0, 0, 0]
    assert store.load("K7Q2")["count"] == 60


def test_followers_are_counted_within_their_window(store):
    now = time.time()
    for client, seen in (("a", now - 100), ("b", now - 5), ("c", now)):
        store.touch_follower("K7Q2", client, seen, ttl=300)
    store.touch_follower("K7Q2", "a", now, ttl=300)          # a comes back
    assert store.count_followers("K7Q2", now - 30) == 3
    assert store.count_followers("K7Q2", now - 1) == 2
    assert store.count_followers("OTHR", now - 30) == 0


def test_hit_counters_count_per_key_and_window(store):
    now = 1000.5
    assert [store.count_hit("join:x", 10, now) for _ in range(3)] == [1, 2, 3]
    assert store.count_hit("join:y", 10, now) == 1
    assert store.count_hit("join:x", 10, now + 10) == 1       # the next window starts again


def test_sqlite_runs_in_wal_mode_under_the_data_dir(tmp_path):
    store = SQLiteStore(str(tmp_path / "data"))
    store.create("K7Q2", room(), ttl=60)
    assert os.path.exists(tmp_path / "data" / FILENAME)
    with sqlite3.connect(tmp_path / "data" / FILENAME) as db:    # WAL is a property of the file
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
