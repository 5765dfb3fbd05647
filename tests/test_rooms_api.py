"""Rooms through HTTP (Flask's test client), each test on SQLite and on Redis; bad input posted directly."""
from __future__ import annotations

import threading
import time

import flask
import flask.testing
import pytest

from rooms_support import *  # noqa: F401,F403 (fixtures)
from rooms_support import make_app, teacher
from webapp.rooms import RoomSettings
from webapp.rooms import identity
from webapp.rooms.routes import CLIENT_COOKIE
from webapp.state import from_query, to_query

VALLEY = "?surface=ill_conditioned&run=sgd:lr=0.05&run=adam:lr=0.3"
HIMMELBLAU = "?surface=himmelblau&run=sgd:lr=0.01&run=momentum:lr=0.01&view=-5,5,-4,6"


def create(client, state=VALLEY):
    response = client.post("/api/rooms", json={"state": state})
    assert response.status_code == 201, response.json
    return response.json["code"], response.json["teacher_token"]


def student(rooms_app, code, address="10.0.0.1"):
    """A fresh browser: its own cookie jar, joined to the room."""
    browser = rooms_app.test_client()
    browser.environ_base["REMOTE_ADDR"] = address
    assert browser.post(f"/api/rooms/{code}/join").status_code == 200
    return browser


def assert_refused(response, status, *words):
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    message = response.json["error"]
    for word in words:
        assert word in message, message
    return message


# ------------------------------------------------------------------ rooms
def test_create_gives_a_short_code_a_link_and_a_secret_token(client, rooms_app):
    response = client.post("/api/rooms", json={"state": VALLEY})
    assert response.status_code == 201
    room = response.json
    assert identity.normalize_code(room["code"]) == room["code"] and len(room["code"]) == 4
    assert room["link"] == f"/room/{room['code']}" and room["version"] == 1 and room["teacher"] is True
    token = room["teacher_token"]
    assert len(token) >= 40
    assert room["state"] == to_query(from_query(VALLEY)[0])         # stored in canonical form
    seen = student(rooms_app, room["code"]).get(f"/api/rooms/{room['code']}")
    text = seen.get_data(as_text=True)
    assert seen.json["teacher"] is False and token not in text and identity.token_digest(token) not in text
    assert token not in room["link"]


def test_the_teacher_changes_the_state_and_only_the_teacher(client, rooms_app):
    code, token = create(client)
    other_code, other_token = create(client)
    browser = student(rooms_app, code)
    for headers in ({}, teacher("forged" * 8), teacher(other_token), {"Authorization": token}):
        assert_refused(browser.put(f"/api/rooms/{code}/state", json={"state": HIMMELBLAU}, headers=headers),
                       403, "teacher")
        assert_refused(browser.post(f"/api/rooms/{code}/player", json={"command": "play"}, headers=headers),
                       403)
        assert_refused(browser.post(f"/api/rooms/{code}/close", headers=headers), 403)
        assert_refused(browser.post(f"/api/rooms/{code}/polls", json={"kind": "settles_first"},
                                    headers=headers), 403)
    unchanged = browser.get(f"/api/rooms/{code}").json
    assert unchanged["version"] == 1 and "ill_conditioned" in unchanged["state"]
    changed = client.put(f"/api/rooms/{code}/state", json={"state": HIMMELBLAU}, headers=teacher(token))
    assert changed.status_code == 200 and changed.json["version"] == 2
    assert browser.get(f"/api/rooms/{code}").json["state"] == to_query(from_query(HIMMELBLAU)[0])


@pytest.mark.parametrize("state, status, word", [
    ("?surface=nowhere", 422, "Unknown surface"),
    ("?surface=saddle&run=adam:lr=-1", 422, "lr"),
    ("?steps=99999999", 422, "Steps"),
    ("?colour=red", 422, "colour"),
    ("?surface=custom&formula=__import__('os')", 422, "unknown function"),
    ("?surface=saddle&" + "x" * 9000, 413, "characters"),
    (["?surface=saddle"], 400, "string"),
    (None, 400, "string"),
])
def test_a_state_the_page_would_not_accept_is_refused(client, state, status, word):
    code, token = create(client)
    assert_refused(client.put(f"/api/rooms/{code}/state", json={"state": state}, headers=teacher(token)),
                   status, word)
    assert_refused(client.post("/api/rooms", json={"state": state}), status, word)
    assert client.get(f"/api/rooms/{code}").json["version"] == 1


def test_player_commands(client):
    code, token = create(client)
    play = client.post(f"/api/rooms/{code}/player", json={"command": "play", "speed": 2}, headers=teacher(token))
    assert play.json["player"]["playing"] is True and play.json["player"]["speed"] == 2.0
    step = client.post(f"/api/rooms/{code}/player", json={"command": "step", "step": 42}, headers=teacher(token))
    assert step.json["player"] == {**step.json["player"], "playing": False, "step": 42}
    assert step.json["version"] == 3
    for body, word in (({"command": "rewind"}, "command"), ({"command": "step"}, "step"),
                       ({"command": "step", "step": -1}, "step"), ({"command": "play", "step": 1e9}, "step"),
                       ({"command": "play", "step": True}, "step"), ({"command": "play", "speed": 100}, "speed"),
                       ({"command": "play", "speed": "fast"}, "speed")):
        assert_refused(client.post(f"/api/rooms/{code}/player", json=body, headers=teacher(token)), 400, word)
    assert client.get(f"/api/rooms/{code}").json["version"] == 3


def test_wrong_malformed_closed_and_expired_codes(client, rooms_app, store, settings):
    assert_refused(client.get("/api/rooms/K7Q2"), 404, "no room K7Q2")
    assert_refused(client.post("/api/rooms/k7q2/join"), 404, "no room K7Q2")   # codes are case-blind
    assert_refused(client.get("/api/rooms/<script>"), 404, "not a room code")
    assert_refused(client.get("/api/rooms/" + "A" * 500), 404, "not a room code")
    code, token = create(client)
    browser = student(rooms_app, code)
    closed = client.post(f"/api/rooms/{code}/close", headers=teacher(token))
    assert closed.status_code == 200 and closed.json["closed"] is True
    for response in (browser.get(f"/api/rooms/{code}"), browser.post(f"/api/rooms/{code}/join"),
                     browser.get(f"/api/rooms/{code}/changes?since=1"),
                     client.put(f"/api/rooms/{code}/state", json={"state": VALLEY}, headers=teacher(token)),
                     client.post(f"/api/rooms/{code}/close", headers=teacher(token))):
        assert_refused(response, 410, "closed")


def test_an_idle_room_expires(store, tmp_path):
    app = make_app(RoomSettings(data_dir=str(tmp_path), idle_seconds=0.5), store)
    client = app.test_client()
    code, token = create(client)
    assert client.get(f"/api/rooms/{code}").status_code == 200
    time.sleep(0.8)
    assert_refused(client.get(f"/api/rooms/{code}"), 404, "expired", "0.00833333 minutes")
    assert_refused(client.put(f"/api/rooms/{code}/state", json={"state": VALLEY}, headers=teacher(token)), 404)


# ------------------------------------------------------------------ following
def long_poll(browser, code, since, wait=8.0):
    """Start a long poll in a thread; returns (thread, box) where box[0] will be the response."""
    box = []
    thread = threading.Thread(target=lambda: box.append(
        browser.get(f"/api/rooms/{code}/changes?since={since}&wait={wait}")))
    thread.start()
    return thread, box


def wait_parked(rooms_app, count, timeout=5.0):
    rooms = rooms_app.extensions["optiscape.rooms"]
    deadline = time.monotonic() + timeout
    while rooms.feed.parked < count:
        assert time.monotonic() < deadline, "the long polls did not park"
        time.sleep(0.01)


def test_a_follower_gets_the_teachers_change_by_long_polling(client, rooms_app):
    code, token = create(client)
    browsers = [student(rooms_app, code, f"10.0.0.{i}") for i in range(3)]
    polls = [long_poll(browser, code, since=1) for browser in browsers]
    wait_parked(rooms_app, 3)
    client.put(f"/api/rooms/{code}/state", json={"state": HIMMELBLAU}, headers=teacher(token))
    for thread, box in polls:
        thread.join(10)
        assert box[0].status_code == 200
        assert box[0].json["changed"] is True and box[0].json["version"] == 2
        assert "himmelblau" in box[0].json["state"]
    # up to date: the long poll ends after its wait, saying nothing changed
    quiet = browsers[0].get(f"/api/rooms/{code}/changes?since=2&wait=0.2")
    assert quiet.json == {"code": code, "version": 2, "changed": False, "retry_ms": 0}
    # behind: answered at once with the room
    assert browsers[0].get(f"/api/rooms/{code}/changes?since=1&wait=5").json["version"] == 2


def test_closing_the_room_ends_the_parked_long_polls(client, rooms_app):
    code, token = create(client)
    thread, box = long_poll(student(rooms_app, code), code, since=1)
    wait_parked(rooms_app, 1)
    client.post(f"/api/rooms/{code}/close", headers=teacher(token))
    thread.join(10)
    assert_refused(box[0], 410, "closed")


def test_long_polls_beyond_the_cap_are_answered_at_once(store, tmp_path, settings):
    app = make_app(settings.with_(max_waiters=1, retry_ms=700), store)
    client = app.test_client()
    code, _ = create(client)
    thread, box = long_poll(student(app, code), code, since=1, wait=1.0)
    wait_parked(app, 1)
    declined = student(app, code, "10.0.0.9").get(f"/api/rooms/{code}/changes?since=1&wait=5")
    assert declined.json["changed"] is False and declined.json["retry_ms"] == 700
    thread.join(10)
    assert box[0].json["changed"] is False and box[0].json["retry_ms"] == 0


def test_a_single_threaded_server_never_parks_a_long_poll(rooms_app, settings):
    """Under a sync worker a parked request would stop everyone: answered at once, the client polls."""
    code, _ = create(rooms_app.test_client())
    plain = flask.testing.FlaskClient(rooms_app)                 # wsgi.multithread: False
    assert plain.post(f"/api/rooms/{code}/join").status_code == 200
    answer = plain.get(f"/api/rooms/{code}/changes?since=1&wait=10")
    assert answer.json == {"code": code, "version": 1, "changed": False, "retry_ms": settings.retry_ms}
    assert rooms_app.extensions["optiscape.rooms"].feed.parked == 0


def test_the_teacher_sees_how_many_follow(client, rooms_app):
    code, token = create(client)
    assert client.get(f"/api/rooms/{code}", headers=teacher(token)).json["followers"] == 0
    browsers = [student(rooms_app, code, f"10.0.1.{i}") for i in range(4)]
    browsers[0].post(f"/api/rooms/{code}/join")                    # joining again is one follower
    assert client.get(f"/api/rooms/{code}", headers=teacher(token)).json["followers"] == 4


@pytest.mark.parametrize("since, wait", [("", "1"), ("abc", "1"), ("-1", "1"), ("1", "nan"), ("1", "99"),
                                         ("1", "-2"), ("1e400", "1")])
def test_bad_long_poll_parameters(client, since, wait):
    code, _ = create(client)
    assert_refused(client.get(f"/api/rooms/{code}/changes?since={since}&wait={wait}"), 400)


# ------------------------------------------------------------------ polls
def start_poll(client, code, token, **body):
    response = client.post(f"/api/rooms/{code}/polls", json=body, headers=teacher(token))
    assert response.status_code == 201, response.json
    return response.json["poll"]


def test_which_run_settles_first_poll(client, rooms_app):
    code, token = create(client, HIMMELBLAU)
    poll = start_poll(client, code, token, kind="settles_first")
    assert poll["choices"] == [run.name() for run in from_query(HIMMELBLAU)[0].runs]
    assert poll["question"] == "Which run settles first?" and poll["revealed"] is False
    browsers = [student(rooms_app, code, f"10.0.2.{i}") for i in range(5)]
    for browser, choice in zip(browsers, (0, 1, 1, 1, 0)):
        assert browser.post(f"/api/rooms/{code}/polls/{poll['id']}/answer", json={"choice": choice}).status_code == 201
    before = browsers[0].get(f"/api/rooms/{code}").json["poll"]
    assert before["answers"] == 5 and before["answered"] is True and "results" not in before
    assert client.get(f"/api/rooms/{code}", headers=teacher(token)).json["poll"]["results"]["counts"] == [2, 3]
    assert_refused(browsers[1].post(f"/api/rooms/{code}/polls/{poll['id']}/answer", json={"choice": 0}),
                   409, "already answered")
    assert_refused(browsers[1].post(f"/api/rooms/{code}/polls/{poll['id']}/reveal"), 403)
    revealed = client.post(f"/api/rooms/{code}/polls/{poll['id']}/reveal", headers=teacher(token))
    assert revealed.json["poll"]["results"] == {"total": 5, "counts": [2, 3]}
    late = student(rooms_app, code, "10.0.3.1")
    assert_refused(late.post(f"/api/rooms/{code}/polls/{poll['id']}/answer", json={"choice": 0}), 409, "revealed")
    assert late.get(f"/api/rooms/{code}").json["poll"]["results"] == {"total": 5, "counts": [2, 3]}
    assert_refused(client.post(f"/api/rooms/{code}/polls/{poll['id']}/reveal", headers=teacher(token)), 409)


def test_click_where_the_run_ends_poll_gives_a_histogram(client, rooms_app, settings):
    code, token = create(client, HIMMELBLAU)               # view -5..5 x -4..6
    poll = start_poll(client, code, token, kind="run_end", run=2, question="Where does Momentum end?")
    assert poll["view"] == [-5.0, 5.0, -4.0, 6.0] and poll["run"] == 2
    assert poll["question"] == "Where does Momentum end?"
    clicks = [(3.0, 2.0), (3.1, 2.05), (-2.8, 3.1), (5.0, 6.0)]
    for i, (x, y) in enumerate(clicks):
        browser = student(rooms_app, code, f"10.0.4.{i}")
        assert browser.post(f"/api/rooms/{code}/polls/1/answer", json={"x": x, "y": y}).status_code == 201
    outside = student(rooms_app, code, "10.0.4.9")
    for body, word in (({"x": 9.0, "y": 0.0}, "outside"), ({"x": "1", "y": 0}, "'x'"), ({"x": 1.0}, "'y'"),
                       ({"choice": 1}, "'x'")):
        assert_refused(outside.post(f"/api/rooms/{code}/polls/1/answer", json=body), 400, word)
    results = client.post(f"/api/rooms/{code}/polls/1/reveal", headers=teacher(token)).json["poll"]["results"]
    bins = settings.histogram_bins
    assert results["total"] == 4 and results["bins"] == bins and len(results["counts"]) == bins
    col, row = int((3.0 + 5) / 10 * bins), int((2.0 + 4) / 10 * bins)
    assert results["counts"][row][col] == 2                     # the two close clicks share a bin
    assert results["counts"][bins - 1][bins - 1] == 1           # the far corner is in the last bin
    assert sum(map(sum, results["counts"])) == 4


def test_poll_requests_that_do_not_fit(client, rooms_app):
    code, token = create(client, "?surface=saddle&run=adam")
    for body, status, word in (({"kind": "settles_first"}, 422, "two runs"), ({"kind": "vote"}, 400, "kind"),
                               ({"kind": "run_end", "run": 2}, 400, "run"), ({"kind": "run_end"}, 400, "run"),
                               ({"kind": "run_end", "run": 1, "question": "q" * 500}, 413, "question"),
                               ({"kind": "run_end", "run": 1, "question": 7}, 400, "question")):
        assert_refused(client.post(f"/api/rooms/{code}/polls", json=body, headers=teacher(token)), status, word)
    browser = student(rooms_app, code)
    assert_refused(browser.post(f"/api/rooms/{code}/polls/1/answer", json={"x": 0, "y": 0}), 404, "no poll")
    first = start_poll(client, code, token, kind="run_end", run=1)
    second = start_poll(client, code, token, kind="run_end", run=1)        # replaces the first
    assert second["id"] == first["id"] + 1
    assert_refused(browser.post(f"/api/rooms/{code}/polls/{first['id']}/answer", json={"x": 0, "y": 0}),
                   409, "current poll is 2")
    anonymous = rooms_app.test_client()
    assert_refused(anonymous.post(f"/api/rooms/{code}/polls/2/answer", json={"x": 0, "y": 0}), 400, "join")


# ------------------------------------------------------------------ bad input and floods
def test_malformed_and_huge_bodies(client, settings):
    code, token = create(client)
    url = f"/api/rooms/{code}/state"
    headers = {**teacher(token), "Content-Type": "application/json"}
    cases = [
        (b"{not json", 400, "JSON"),
        (b"[1, 2]", 400, "object"),
        (b'"?surface=saddle"', 400, "object"),
        (b"\xff\xfe{}", 400, "JSON"),
        (b"[" * 10_000 + b"]" * 10_000, 413, "bytes"),
        (b"[" * 8_000 + b"]" * 8_000, 400, "JSON"),          # under the size cap, but 8000 levels deep
        (b'{"state": "' + b"a" * 20_000 + b'"}', 413, "bytes"),
        (b"{}", 400, "'state' is required"),
    ]
    for body, status, word in cases:
        assert_refused(client.put(url, data=body, headers=headers), status, word)
    assert_refused(client.put(url, data="state=?surface=saddle", headers={
        **teacher(token), "Content-Type": "application/x-www-form-urlencoded"}), 415, "JSON")
    assert client.get(f"/api/rooms/{code}").json["version"] == 1


def test_wrong_methods_and_unknown_paths_are_json(client):
    code, _ = create(client)
    message = assert_refused(client.get("/api/rooms"), 405, "allowed: POST")
    assert "GET" in message
    assert client.get("/api/rooms").headers["Allow"] == "POST"
    assert_refused(client.post(f"/api/rooms/{code}/changes?since=1"), 405)
    assert_refused(client.get(f"/api/rooms/{code}/polls/1/answer"), 405)
    assert_refused(client.get(f"/api/rooms/{code}/nothing/here"), 404, "no such rooms endpoint")
    assert_refused(client.post(f"/api/rooms/{code}/polls/x/answer"), 404)


def test_a_flood_of_joins_is_rate_limited_per_client_and_per_address(rooms_app, settings):
    teacher_client = rooms_app.test_client()
    code, _ = create(teacher_client)
    browser = rooms_app.test_client()
    browser.environ_base["REMOTE_ADDR"] = "10.9.0.1"
    statuses = [browser.post(f"/api/rooms/{code}/join").status_code for _ in range(settings.join_per_client.limit + 3)]
    assert statuses == [200] * settings.join_per_client.limit + [429] * 3
    refused = browser.post(f"/api/rooms/{code}/join")
    assert "too many join" in refused.json["error"] and int(refused.headers["Retry-After"]) > 0
    # a flood without cookies (a new client each time) from one address meets the address limit
    statuses = []
    for _ in range(settings.join_per_address.limit + 2):
        fresh = rooms_app.test_client()
        fresh.environ_base["REMOTE_ADDR"] = "10.9.0.2"
        statuses.append(fresh.post(f"/api/rooms/{code}/join").status_code)
    assert statuses.count(200) == settings.join_per_address.limit and statuses[-2:] == [429, 429]
    # wrong codes count too: guessing codes is a flood of joins
    guesser = rooms_app.test_client()
    guesser.environ_base["REMOTE_ADDR"] = "10.9.0.3"
    guesses = [guesser.post(f"/api/rooms/{c * 4}/join").status_code for c in "ABCDEFGH"]
    assert guesses == [404] * settings.join_per_client.limit + [429] * (8 - settings.join_per_client.limit)
    # other students are unaffected
    assert student(rooms_app, code, "10.9.0.4").get(f"/api/rooms/{code}").status_code == 200


def test_answers_and_room_creation_are_rate_limited(rooms_app, settings):
    client = rooms_app.test_client()
    code, token = create(client)
    browser = student(rooms_app, code)
    for _ in range(settings.answer_per_client.limit):
        assert_refused(browser.post(f"/api/rooms/{code}/polls/1/answer", json={"choice": 0}), 404)
    assert_refused(browser.post(f"/api/rooms/{code}/polls/1/answer", json={"choice": 0}), 429, "answer")
    creator = rooms_app.test_client()
    creator.environ_base["REMOTE_ADDR"] = "10.8.0.1"
    statuses = [creator.post("/api/rooms", json={}).status_code for _ in range(settings.create_per_address.limit + 1)]
    assert statuses == [201] * settings.create_per_address.limit + [429]


def test_no_hostile_request_gets_a_server_error(client, rooms_app):
    code, token = create(client)
    browser = student(rooms_app, code)
    start_poll(client, code, token, kind="settles_first")
    paths = ["", f"/{code}", f"/{code}/join", f"/{code}/changes?since=1&wait=0", f"/{code}/state",
             f"/{code}/player", f"/{code}/polls", f"/{code}/polls/1/answer", f"/{code}/polls/1/reveal",
             f"/{code}/close", "/%00", "/..%2F..%2Fetc", f"/{code}/polls/99999999999999999999/answer"]
    bodies = [None, b"", b"null", b"{}", b'{"state": {"$gt": 1}}', b'{"choice": 1e999}', b'{"choice": -1}',
              b'{"command": null}', b'{"kind": ["run_end"]}', b'{"x": NaN, "y": Infinity}', b"\x00" * 64]
    for path in paths:
        for method in ("GET", "POST", "PUT", "DELETE", "PATCH"):
            for body in bodies:
                for headers in ({}, teacher("x"), {"Authorization": "Bearer " + "y" * 5000},
                                {"Cookie": f"{CLIENT_COOKIE}=" + "z" * 300}):
                    response = browser.open("/api/rooms" + path, method=method, data=body,
                                            headers={**headers, "Content-Type": "application/json"})
                    assert response.status_code < 500, (method, path, body, response.status_code)
                    if response.status_code >= 400:
                        assert isinstance(response.json["error"], str)
    room = client.get(f"/api/rooms/{code}", headers=teacher(token)).json
    assert room["version"] == 2 and room["closed"] is False           # no student changed anything


def test_rooms_on_the_real_hardened_dash_server(store, settings):
    """What the lead wires: register_rooms(app.server) next to the page, under webapp.server.harden."""
    from app import create_app
    dash_app = create_app(rooms_settings=settings, rooms_store=store)
    client = dash_app.server.test_client()
    assert client.get("/").status_code == 200                                   # the page is untouched
    code, token = create(client)
    response = client.get(f"/api/rooms/{code}")
    assert response.status_code == 200 and response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response.headers
    assert_refused(client.put(f"/api/rooms/{code}/state", data=b"{", headers={
        **teacher(token), "Content-Type": "application/json"}), 400, "JSON")
    assert_refused(client.post("/api/rooms", data=b"x" * 2_000_000,
                               headers={"Content-Type": "application/json"}), 413)
