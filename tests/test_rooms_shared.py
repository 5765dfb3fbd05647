"""Several servers, one store: two Flask apps in this process, then two gunicorn servers, one killed.

Each test runs on SQLite (one file) and on a real redis-server.
"""
from __future__ import annotations

import os
import signal
import threading
import time

import pytest
import requests

from rooms_support import *  # noqa: F401,F403 (fixtures)
from rooms_support import make_app, make_store, start_gunicorn, stop_process, teacher
from webapp.rooms import RoomSettings

VALLEY = "?surface=ill_conditioned&run=sgd:lr=0.05&run=adam:lr=0.3"
SADDLE = "?surface=saddle&run=sgd:lr=0.01&run=momentum:lr=0.01"


@pytest.fixture
def two_apps(store, tmp_path):
    """Two apps, each with its own store object (its own connections) on the same data."""
    second = make_store(store.name, tmp_path, getattr(store, "url", None), getattr(store, "prefix", None))
    apps = []
    for name, each in (("a", store), ("b", second)):
        apps.append(make_app(RoomSettings(data_dir=str(tmp_path / "data"), max_wait=10.0), each, f"rooms_{name}"))
    yield apps
    second.close()


def test_a_follower_of_one_app_sees_the_teachers_change_made_through_the_other(two_apps):
    app_a, app_b = two_apps
    teacher_client, follower = app_a.test_client(), app_b.test_client()
    room = teacher_client.post("/api/rooms", json={"state": VALLEY}).json
    code, token = room["code"], room["teacher_token"]
    assert follower.post(f"/api/rooms/{code}/join").json["version"] == 1
    box = []
    thread = threading.Thread(target=lambda: box.append(follower.get(f"/api/rooms/{code}/changes?since=1&wait=8")))
    thread.start()
    rooms_b = app_b.extensions["optiscape.rooms"]
    while rooms_b.feed.parked < 1:
        time.sleep(0.01)
    teacher_client.put(f"/api/rooms/{code}/state", json={"state": SADDLE}, headers=teacher(token))
    thread.join(10)
    assert box[0].json["changed"] is True and "saddle" in box[0].json["state"] and box[0].json["version"] == 2
    # a poll started on A, answered on B, revealed on A
    teacher_client.post(f"/api/rooms/{code}/polls", json={"kind": "settles_first"}, headers=teacher(token))
    assert follower.post(f"/api/rooms/{code}/polls/1/answer", json={"choice": 1}).status_code == 201
    revealed = teacher_client.post(f"/api/rooms/{code}/polls/1/reveal", headers=teacher(token)).json
    assert revealed["poll"]["results"]["counts"] == [0, 1]
    # the token works on either app; a student's request on either is refused
    assert follower.post(f"/api/rooms/{code}/player", json={"command": "play"}).status_code == 403
    assert follower.post(f"/api/rooms/{code}/player", json={"command": "play"},
                         headers=teacher(token)).json["player"]["playing"] is True


def _env(store, tmp_path) -> dict:
    """The environment that points gunicorn at the same data as ``store`` (Redis: a db of its own, emptied)."""
    if store.name == "redis":
        import redis
        url = store.url.rsplit("/", 1)[0] + "/1"     # servers use the default key prefix: their own db
        redis.Redis.from_url(url).flushdb()
        return {"OPTISCAPE_REDIS_URL": url, "OPTISCAPE_DATA_DIR": ""}
    return {"OPTISCAPE_DATA_DIR": str(tmp_path / "data"), "OPTISCAPE_REDIS_URL": ""}


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as handle:
        return [int(p) for p in handle.read().split()]


def test_two_gunicorn_servers_share_rooms_and_a_killed_worker_loses_nothing(store, tmp_path):
    env = _env(store, tmp_path)
    servers = []
    try:
        for name in "ab":
            servers.append(start_gunicorn(env, tmp_path / f"{name}.log"))
        (server_a, url_a), (server_b, url_b) = servers
        teacher_session, student_session = requests.Session(), requests.Session()
        room = teacher_session.post(url_a + "/api/rooms", json={"state": VALLEY}, timeout=10).json()
        code, token = room["code"], room["teacher_token"]
        assert student_session.post(f"{url_b}/api/rooms/{code}/join", timeout=10).status_code == 200
        # a follower parked on B gets the change made on A
        box = []
        thread = threading.Thread(target=lambda: box.append(
            student_session.get(f"{url_b}/api/rooms/{code}/changes", params={"since": 1, "wait": 10}, timeout=20)))
        thread.start()
        time.sleep(0.3)
        teacher_session.put(f"{url_a}/api/rooms/{code}/state", json={"state": SADDLE}, headers=teacher(token),
                            timeout=10)
        thread.join(20)
        assert box[0].status_code == 200 and box[0].json()["version"] == 2 and "saddle" in box[0].json()["state"]

        # kill every worker of A (SIGKILL: no cleanup) while a follower is parked on it
        parked = []
        thread = threading.Thread(target=lambda: parked.append(_get_or_error(
            f"{url_a}/api/rooms/{code}/changes", {"since": 2, "wait": 10})))
        thread.start()
        time.sleep(0.3)
        for worker in _children(server_a.pid):
            os.kill(worker, signal.SIGKILL)
        thread.join(20)
        assert parked, "the parked request did not end"      # it ended (an error or a reply), it did not hang
        # the master respawns workers; nothing of the room is lost, on A or on B
        deadline = time.monotonic() + 20
        while True:
            try:
                again = requests.get(f"{url_a}/api/rooms/{code}", timeout=2)
                break
            except (requests.ConnectionError, requests.Timeout):
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert again.json()["version"] == 2 and "saddle" in again.json()["state"]
        step = teacher_session.post(f"{url_a}/api/rooms/{code}/player", json={"command": "step", "step": 7},
                                    headers=teacher(token), timeout=10)
        assert step.status_code == 200 and step.json()["version"] == 3

        # kill server A whole; B serves the room and its teacher
        os.killpg(server_a.pid, signal.SIGKILL)
        server_a.wait(10)
        seen = student_session.get(f"{url_b}/api/rooms/{code}", timeout=10).json()
        assert seen["version"] == 3 and seen["player"]["step"] == 7 and seen["followers"] >= 1
        closed = teacher_session.post(f"{url_b}/api/rooms/{code}/close", headers=teacher(token), timeout=10)
        assert closed.status_code == 200
        assert student_session.get(f"{url_b}/api/rooms/{code}", timeout=10).status_code == 410
    finally:
        for server, _ in servers:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGTERM)
            stop_process(server)


def _get_or_error(url, params):
    try:
        return requests.get(url, params=params, timeout=20).status_code
    except requests.RequestException as error:
        return error
