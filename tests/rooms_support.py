"""Real components for the rooms tests: a redis-server on a free port, SQLite in a temp dir, gunicorn.

Import the fixtures into a test module (``from rooms_support import *``).
``store`` is parametrized over both backends, so every test that takes it (or
``rooms_app``) runs against SQLite and against Redis. Nothing is mocked.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid

import flask
import pytest
from flask.testing import FlaskClient

from webapp.rooms import RoomSettings, register_rooms
from webapp.rooms.redis_store import RedisStore
from webapp.rooms.settings import RateLimit
from webapp.rooms.sqlite_store import SQLiteStore

__all__ = ["free_port", "redis_server", "store", "make_store", "make_app", "settings", "rooms_app", "client", "teacher",
           "start_gunicorn", "stop_process", "BACKENDS"]

BACKENDS = ("sqlite", "redis")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_process(process: subprocess.Popen, timeout: float = 10.0) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)


@pytest.fixture(scope="session")
def redis_server():
    """A real redis-server (Debian's package) on a free port, no persistence; its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (make test-fast installs it: apt-get install redis-server)")
    directory = tempfile.mkdtemp(prefix="optiscape-redis-")
    port = free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", directory,
                                "--save", "", "--appendonly", "no", "--protected-mode", "yes"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    import redis
    deadline = time.monotonic() + 10
    while True:
        try:
            redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
            break
        except redis.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                stop_process(process)
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)
    yield url
    stop_process(process)
    shutil.rmtree(directory, ignore_errors=True)


def make_store(backend: str, tmp_path, redis_url: str | None, prefix: str | None = None):
    if backend == "sqlite":
        return SQLiteStore(str(tmp_path / "data"))
    return RedisStore(redis_url, prefix=prefix or f"test:{uuid.uuid4().hex}:")


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    """A fresh store of each backend (Redis: a key prefix of its own on the session's server)."""
    url = request.getfixturevalue("redis_server") if request.param == "redis" else None
    made = make_store(request.param, tmp_path, url)
    yield made
    made.close()


@pytest.fixture
def settings(tmp_path):
    """Small limits so the tests can reach them; a short wait so long polls end quickly."""
    return RoomSettings(data_dir=str(tmp_path / "data"), idle_seconds=600.0, max_wait=10.0, default_wait=2.0,
                        join_per_client=RateLimit(5, 600.0), join_per_address=RateLimit(40, 600.0),
                        answer_per_client=RateLimit(8, 600.0), answer_per_address=RateLimit(60, 600.0),
                        create_per_address=RateLimit(12, 600.0))


class ThreadedClient(FlaskClient):
    """A test client that says what is true here: requests may run in several threads at once.

    (Werkzeug's test environ says ``wsgi.multithread: False``, and rooms never park a long poll
    on a single-threaded server.)
    """

    def open(self, *args, **kwargs):
        kwargs["environ_overrides"] = {"wsgi.multithread": True, **(kwargs.get("environ_overrides") or {})}
        return super().open(*args, **kwargs)


def make_app(settings, store, name: str = "rooms_test") -> flask.Flask:
    app = flask.Flask(name)
    app.test_client_class = ThreadedClient
    register_rooms(app, settings, store)
    return app


@pytest.fixture
def rooms_app(store, settings):
    return make_app(settings, store)


@pytest.fixture
def client(rooms_app):
    return rooms_app.test_client()


def teacher(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def start_gunicorn(env: dict, log_path, workers: int = 2, threads: int = 8):
    """gunicorn serving webapp.rooms.wsgi (a Flask app with only rooms) on a free port: (process, url).

    Its own session (process group), so a test can kill it whole; its log goes to ``log_path``.
    """
    port = free_port()
    log = open(log_path, "ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "webapp.rooms.wsgi:app", "--chdir", ROOT,
         "--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads),
         "--bind", f"127.0.0.1:{port}", "--no-control-socket", "--timeout", "30", "--graceful-timeout", "2"],
        env={**os.environ, "PYTHONPATH": ROOT, **env}, stdout=log, stderr=log, start_new_session=True)
    log.close()
    import requests
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(url + "/api/rooms/ZZZZ", timeout=3)
            return process, url
        except (requests.ConnectionError, requests.Timeout):
            if process.poll() is not None or time.monotonic() > deadline:
                stop_process(process)
                raise RuntimeError("gunicorn did not start: " + open(log_path, errors="replace").read()[-2000:])
            time.sleep(0.1)
