"""Hostile requests straight to a real gunicorn, started as ``make serve`` does (gunicorn.conf.py), on a free port.

Raw sockets, so that nothing on the client side normalizes a path or a
header: unregistered and ``..`` component-suite paths, ``/_reload-hash``,
oversized or malformed requests, connections that never finish their headers,
a killed worker. The server's log (its stderr) must never show a traceback.
No assertion is about speed: waits have generous deadlines and only say
whether an answer came.
"""
from __future__ import annotations

import os
import signal
import socket
import threading
import time
import urllib.request

import pytest

from benchmarks.server_process import free_port, start_gunicorn, stop, wait_until_up

WORKERS = 4                 # as `make serve`: the hostile-connection goal is stated for 4 workers


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(port, process, log path) of gunicorn serving app:server with the project's gunicorn.conf.py."""
    log_path = tmp_path_factory.mktemp("gunicorn") / "stderr.log"
    port = free_port()
    with open(log_path, "wb") as log:
        process = start_gunicorn(port, WORKERS, ("--log-level", "info"), stderr=log, stdout=log)
    try:
        if not wait_until_up(f"http://127.0.0.1:{port}", process, timeout=120):
            pytest.fail("gunicorn did not come up: " + log_path.read_text()[-2000:])
        yield port, process, log_path
    finally:
        stop(process)


def raw(port: int, data: bytes, timeout: float = 20.0) -> bytes:
    """Send ``data`` as is and return the whole answer (the server closes or the deadline passes)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(data)
        chunks = []
        try:
            while True:
                chunk = connection.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
                if b"\r\n\r\n" in b"".join(chunks) and b"Connection: close" not in b"".join(chunks)[:2000]:
                    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
                    length = [line.split(b":", 1)[1] for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length:")]
                    if length and len(body) >= int(length[0]):
                        break
        except socket.timeout:
            pass
    return b"".join(chunks)


def status_of(answer: bytes) -> int:
    assert answer.startswith(b"HTTP/1."), answer[:200]
    return int(answer.split(b" ", 2)[1])


def get(path: str, extra: bytes = b"") -> bytes:
    return b"GET " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + extra + b"\r\n"


def no_traceback_in_log(log_path) -> None:
    time.sleep(0.3)                       # the worker may still be writing
    text = log_path.read_text(errors="replace")
    assert "Traceback" not in text, text[-3000:]


UNKNOWN_SUITE_PATHS = [
    "/_dash-component-suites/dash/../../../etc/passwd",
    "/_dash-component-suites/dash/dcc/../../../../etc/passwd",
    "/_dash-component-suites/dash/%2e%2e/%2e%2e/etc/passwd",
    "/_dash-component-suites/dash/..%2f..%2fetc/passwd",
    "/_dash-component-suites/no_such_package/x.js",
    "/_dash-component-suites/dash/dcc/no_such_file.js",
    "/_dash-component-suites/dash/dash.py",                 # a real file of a registered package
    "/_dash-component-suites/os/__init__.py",
    "/_dash-component-suites/dash/",
    "/_dash-component-suites/dash/dcc\\..\\..\\x.js",
]


@pytest.mark.parametrize("path", UNKNOWN_SUITE_PATHS)
def test_unknown_and_dotdot_component_suite_paths_are_404(served, path):
    port, _, log_path = served
    answer = raw(port, get(path))
    assert status_of(answer) == 404, answer[:300]
    assert b"root:" not in answer and b"Traceback" not in answer
    no_traceback_in_log(log_path)


def test_a_registered_component_suite_file_is_still_served(served):
    port, _, _ = served
    answer = raw(port, get("/_dash-component-suites/plotly/package_data/plotly.min.js",
                           b"Accept-Encoding: br\r\n"))
    assert status_of(answer) == 200
    assert b"Content-Encoding: br" in answer.partition(b"\r\n\r\n")[0]


def test_reload_hash_is_404_with_debug_off(served):
    port, _, log_path = served
    answer = raw(port, get("/_reload-hash"))
    assert status_of(answer) == 404
    assert b"packages" not in answer and b"dash_core_components" not in answer
    no_traceback_in_log(log_path)


def test_oversized_and_malformed_requests_get_4xx(served):
    port, _, log_path = served
    body = b"{" + b" " * 1_100_000 + b"}"
    too_big = (b"POST /_dash-update-component HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
               b"Content-Type: application/json\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    assert status_of(raw(port, too_big)) == 413
    assert status_of(raw(port, get("/?" + "a" * 10_000))) == 414                    # request line too long
    many = b"".join(b"X-Filler-%d: y\r\n" % i for i in range(200))
    assert status_of(raw(port, get("/", many))) in (400, 431)                      # too many header fields
    assert status_of(raw(port, get("/", b"X-Big: " + b"z" * 20_000 + b"\r\n"))) in (400, 431)
    assert status_of(raw(port, b"NOT A REQUEST\r\n\r\n")) == 400
    assert status_of(raw(port, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: nope\r\n\r\n")) == 400
    delete = b"DELETE /_dash-update-component HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    assert status_of(raw(port, delete)) == 405                                     # callbacks are POST only
    put = b"PUT /_dash-layout HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    assert status_of(raw(port, put)) == 405
    garbage = (b"POST /_dash-update-component HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
               b"Content-Type: application/json\r\nContent-Length: 9\r\n\r\n{\"a\": [1,")
    assert status_of(raw(port, garbage)) == 400
    no_traceback_in_log(log_path)


def test_script_in_url_keys_is_never_echoed_into_the_page(served):
    port, _, _ = served
    payload = "%3Cscript%3Ealert(1)%3C/script%3E"
    answer = raw(port, get(f"/?surface={payload}&{payload}=1&run={payload}&formula={payload}"))
    assert status_of(answer) == 200
    assert b"<script>alert(1)</script>" not in answer and b"alert(1)" not in answer


def test_connections_that_never_finish_their_headers_leave_others_served(served):
    """32 slowloris connections (a header byte a second) and 32 silent ones stay open; others still get 200.

    With sync workers (the old `make serve`) 4 such connections stopped the server.
    """
    port, _, _ = served
    stop_sending = threading.Event()
    hostile = []
    for i in range(64):
        connection = socket.create_connection(("127.0.0.1", port), timeout=5)
        if i % 2:
            connection.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        hostile.append(connection)

    def trickle():
        while not stop_sending.wait(1.0):
            for connection in hostile[1::2]:
                try:
                    connection.sendall(b"X")
                except OSError:
                    pass

    sender = threading.Thread(target=trickle, daemon=True)
    sender.start()
    try:
        time.sleep(1.0)
        statuses = []
        for _ in range(8):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_dash-layout", timeout=20) as response:
                statuses.append(response.status)
        assert statuses == [200] * 8
    finally:
        stop_sending.set()
        for connection in hostile:
            connection.close()


def _workers(master: int) -> list[int]:
    with open(f"/proc/{master}/task/{master}/children") as children:
        return [int(pid) for pid in children.read().split()]


def test_a_killed_worker_is_respawned_and_others_keep_answering(served):
    port, process, _ = served
    before = _workers(process.pid)
    assert len(before) == WORKERS
    os.kill(before[0], signal.SIGKILL)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_dash-dependencies", timeout=20) as response:
        assert response.status == 200                      # the other worker answers meanwhile
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        now = _workers(process.pid)
        if len(now) == WORKERS and before[0] not in now:
            break
        time.sleep(0.2)
    now = _workers(process.pid)
    assert len(now) == WORKERS and before[0] not in now, (before, now)
    for _ in range(4):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_dash-layout", timeout=20) as response:
            assert response.status == 200


def test_make_serve_uses_the_project_settings():
    """`make serve` and the benchmarks start the same command: gunicorn.conf.py with gthread workers."""
    import runpy
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    settings = runpy.run_path(os.path.join(root, "gunicorn.conf.py"))
    assert settings["worker_class"] == "gthread"
    assert settings["worker_connections"] <= settings["threads"]   # a busy worker stops accepting
    from webapp.rooms.settings import settings_from_env
    parked = settings_from_env({}).max_waiters                      # long polls parked per worker
    assert settings["threads"] >= parked + 32, "rooms' parked polls would leave too few threads"
    assert settings["max_requests"] >= 10_000 and settings["control_socket_disable"] is True
    makefile = open(os.path.join(root, "Makefile")).read()
    serve = makefile.split("\nserve:", 1)[1].split("\n\n", 1)[0]
    assert "--config gunicorn.conf.py" in serve and "app:server" in serve
