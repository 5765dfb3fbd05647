"""Load for the classroom benchmark's room phases (benchmarks/classroom.py): followers, a poll, map jobs.

Each simulated student is a thread with urllib and its own cookie (the anonymous client id), as a
page at /room/<code> is: it joins, then long-polls ``/api/rooms/<code>/changes``. The teacher is
the benchmark's main thread with the room's token. Only 127.0.0.1; every request has a timeout.
"""
from __future__ import annotations

import http.cookiejar
import json
import random
import statistics
import threading
import time
import urllib.error
import urllib.request

import psutil

from webapp.state import from_query, to_store

TIMEOUT = 15.0
WAIT_S = 5              # long-poll wait of the simulated pages (the page uses 20 s; shorter bounds the run's end)
STATES = ("?surface=ill_conditioned&run=sgd:lr=0.035&run=momentum:lr=0.01",
          "?surface=ill_conditioned&run=sgd:lr=0.02&run=momentum:lr=0.01")
MAPS_KEY = "..maps-result.data...maps-messages.children.."


def call(opener, method: str, url: str, body=None, token: str | None = None, timeout: float = TIMEOUT):
    """(status, JSON or None, seconds) of one request; status 0 when the connection failed or timed out."""
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = "Bearer " + token
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    began = time.perf_counter()
    try:
        with opener.open(request, timeout=timeout) as response:
            raw = response.read()
            return response.status, (json.loads(raw) if raw else None), time.perf_counter() - began
    except urllib.error.HTTPError as error:
        return error.code, None, time.perf_counter() - began
    except (urllib.error.URLError, OSError, ValueError):
        return 0, None, time.perf_counter() - began


def plain():
    return urllib.request.build_opener()


def server_cpu(pids: list[int]) -> float:
    """CPU seconds (user + system) of these processes and all their children, now."""
    total = 0.0
    for pid in pids:
        try:
            root = psutil.Process(pid)
            for process in [root, *root.children(recursive=True)]:
                try:
                    times = process.cpu_times()
                    total += times.user + times.system
                except psutil.NoSuchProcess:
                    pass
        except psutil.NoSuchProcess:
            pass
    return total


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else float("nan")


class Student(threading.Thread):
    """Joins ``code`` on ``url`` and follows it: records when it first held each version."""

    def __init__(self, url: str, code: str, stop: threading.Event, answer_window: float | None = None,
                 delay: float = 0.0, seed: int = 0):
        super().__init__(daemon=True)
        self.url, self.code, self.stop, self.delay = url, code, stop, delay
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.seen: dict[int, float] = {}           # version -> when this page held it
        self.statuses: list[int] = []
        self.declined = 0
        self.answer_window = answer_window
        self.rng = random.Random(seed)
        self.answered: dict[int, int] = {}         # poll id -> status of the answer
        self.revealed_at: float | None = None
        self.joined = threading.Event()

    def run(self) -> None:
        time.sleep(self.delay)
        status, room, _ = call(self.opener, "POST", f"{self.url}/api/rooms/{self.code}/join", {})
        self.statuses.append(status)
        if status != 200:
            self.joined.set()
            return
        version = room["version"]
        self.seen[version] = time.monotonic()
        self.joined.set()
        self.look_at(room)
        while not self.stop.is_set():
            status, answer, _ = call(self.opener, "GET",
                                     f"{self.url}/api/rooms/{self.code}/changes?since={version}&wait={WAIT_S}",
                                     timeout=WAIT_S + TIMEOUT)
            self.statuses.append(status)
            if status != 200:
                time.sleep(0.5)
                continue
            if answer.get("changed"):
                version = answer["version"]
                self.seen.setdefault(version, time.monotonic())
                self.look_at(answer)
            elif answer.get("retry_ms"):
                self.declined += 1
                time.sleep(answer["retry_ms"] / 1000)

    def look_at(self, room: dict) -> None:
        poll = room.get("poll")
        if not poll:
            return
        if poll.get("revealed") and self.revealed_at is None:
            self.revealed_at = time.monotonic()
        if self.answer_window is not None and not poll.get("revealed") and poll["id"] not in self.answered:
            self.answered[poll["id"]] = -1
            threading.Thread(target=self.answer, args=(poll,), daemon=True).start()

    def answer(self, poll: dict) -> None:
        time.sleep(self.rng.uniform(0, self.answer_window))        # the class answers within the window
        body = {"choice": self.rng.randrange(len(poll["choices"]))}
        status, _, _ = call(self.opener, "POST", f"{self.url}/api/rooms/{self.code}/polls/{poll['id']}/answer", body)
        self.answered[poll["id"]] = status


def open_room(url: str):
    status, room, _ = call(plain(), "POST", url + "/api/rooms", {"state": STATES[0]})
    if status != 201:
        raise RuntimeError(f"could not open a room: {status}")
    return room


def start_students(urls: list[str], code: str, count: int, stop, answer_window=None, ramp: float = 3.0):
    students = [Student(urls[i % len(urls)], code, stop, answer_window, delay=ramp * i / max(count, 1), seed=i)
                for i in range(count)]
    for student in students:
        student.start()
    for student in students:
        student.joined.wait(ramp + TIMEOUT)
    return students


def follow_phase(urls: list[str], students: int, period: float, duration: float, pids: list[int]) -> dict:
    """``students`` follow a teacher (on ``urls[0]``) who changes the state every ``period`` s for ``duration`` s."""
    room = open_room(urls[0])
    stop = threading.Event()
    pupils = start_students(urls, room["code"], students, stop)
    joined = sum(1 for p in pupils if p.seen)
    sent: dict[int, float] = {}
    teacher_statuses = []
    cpu0, wall0 = server_cpu(pids), time.monotonic()
    change = 0
    while time.monotonic() - wall0 < duration:
        began = time.monotonic()
        change += 1
        status, answer, _ = call(plain(), "PUT", f"{urls[0]}/api/rooms/{room['code']}/state",
                                 {"state": STATES[change % 2]}, token=room["teacher_token"])
        teacher_statuses.append(status)
        if status == 200:
            sent[answer["version"]] = began
        time.sleep(max(0.0, period - (time.monotonic() - began)))
    time.sleep(2.0)                                  # the last change reaches everyone
    cpu, wall = server_cpu(pids) - cpu0, time.monotonic() - wall0
    stop.set()
    for pupil in pupils:
        pupil.join(WAIT_S + TIMEOUT)
    latencies, missed = [], 0
    for pupil in pupils:
        if not pupil.seen:
            continue
        for version, at in sent.items():
            later = [t for v, t in pupil.seen.items() if v >= version]
            if later:
                latencies.append(min(later) - at)
            else:
                missed += 1
    statuses = [s for p in pupils for s in p.statuses] + teacher_statuses
    return {"students": students, "joined": joined, "changes": len(sent), "updates": len(latencies), "missed": missed,
            "errors": sum(1 for s in statuses if s != 200), "requests": len(statuses),
            "declined": sum(p.declined for p in pupils),
            "p50": statistics.median(latencies) if latencies else float("nan"),
            "p95": percentile(latencies, 0.95), "max": max(latencies) if latencies else float("nan"),
            "cpu": cpu, "wall": wall}


def poll_phase(urls: list[str], students: int, window: float, pids: list[int]) -> dict:
    """A "which run settles first?" poll answered by ``students`` within ``window`` s, then revealed."""
    room = open_room(urls[0])
    stop = threading.Event()
    pupils = start_students(urls, room["code"], students, stop, answer_window=window)
    cpu0 = server_cpu(pids)
    status, answer, _ = call(plain(), "POST", f"{urls[0]}/api/rooms/{room['code']}/polls", {"kind": "settles_first"},
                             token=room["teacher_token"])
    if status != 201:
        stop.set()
        raise RuntimeError(f"could not start the poll: {status}")
    poll_id = answer["poll"]["id"]
    time.sleep(window + 1.5)
    _, view, _ = call(plain(), "GET", f"{urls[0]}/api/rooms/{room['code']}", token=room["teacher_token"])
    counted = view["poll"]["answers"] if view and view.get("poll") else 0
    began = time.monotonic()
    status, revealed, reveal_seconds = call(plain(), "POST",
                                            f"{urls[0]}/api/rooms/{room['code']}/polls/{poll_id}/reveal", {},
                                            token=room["teacher_token"])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(p.seen and p.revealed_at is None for p in pupils):
        time.sleep(0.05)
    seen = [p.revealed_at - began for p in pupils if p.revealed_at is not None]
    cpu = server_cpu(pids) - cpu0
    stop.set()
    for pupil in pupils:
        pupil.join(WAIT_S + TIMEOUT)
    answers = [p.answered.get(poll_id) for p in pupils]
    return {"students": students, "answered": sum(1 for s in answers if s == 201),
            "answer_errors": sum(1 for s in answers if s not in (201, None)), "counted": counted,
            "results_total": (revealed or {}).get("poll", {}).get("results", {}).get("total"),
            "reveal_request": reveal_seconds, "reveal_seen_p95": percentile(seen, 0.95) if seen else float("nan"),
            "reveal_seen_max": max(seen) if seen else float("nan"), "reveal_seen": len(seen), "cpu": cpu,
            "reveal_status": status}


def map_body(nonce: int) -> dict:
    """The Maps panel's request for a 60 x 60 basin map of two runs on Himmelblau (about a second of work)."""
    stored = to_store(from_query("?surface=himmelblau&run=sgd:lr=0.01&run=adam:lr=0.1")[0])
    stored["maps"] = {"map": "basin", "map_grid": "60", "map_steps": "150", "map_runs": "0,1"}
    return {"output": MAPS_KEY,
            "outputs": [{"id": "maps-result", "property": "data"}, {"id": "maps-messages", "property": "children"}],
            "inputs": [{"id": "maps-request", "property": "data", "value": {"state": stored, "nonce": nonce}}],
            "state": [{"id": "maps-cancel", "property": "n_clicks", "value": 0}], "changedPropIds": ["maps-request.data"]}


class MapClient(threading.Thread):
    """Asks for a new map (a fresh nonce: never from the cache) as soon as the last one is done."""

    def __init__(self, urls: list[str], stop: threading.Event, seed: int):
        super().__init__(daemon=True)
        self.urls, self.stop, self.seed = urls, stop, seed
        self.done: list[float] = []
        self.errors = 0

    def run(self) -> None:
        opener = plain()
        n = 0
        while not self.stop.is_set():
            n += 1
            url = self.urls[(self.seed + n) % len(self.urls)]
            body = map_body(time.time_ns() + self.seed)
            began = time.monotonic()
            status, job, _ = call(opener, "POST", url + "/_dash-update-component", body)
            if status != 200 or not isinstance(job, dict):
                self.errors += 1
                time.sleep(0.5)
                continue
            answer = job
            while "response" not in answer and "cacheKey" in job and not self.stop.is_set() \
                    and time.monotonic() - began < 60:
                time.sleep(0.25)
                status, polled, _ = call(opener, "POST", f"{url}/_dash-update-component?cacheKey={job['cacheKey']}"
                                                          f"&job={job['job']}", body)
                if status != 200 or not isinstance(polled, dict):
                    self.errors += 1
                    break
                answer = polled
            if "response" in answer:
                self.done.append(time.monotonic() - began)
