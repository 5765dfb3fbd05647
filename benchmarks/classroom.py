"""A classroom against the production server: 50 users each change a control every 2 s for 30 s.

    python benchmarks/classroom.py [--phase edits|maps|room|poll|all] [--users 50] [--period 2] [--duration 30]
                                   [--workers 4] [--students 300] [--poll-students 50] [--map-clients 2] [--cluster]
    python benchmarks/classroom.py --url http://127.0.0.1:8050   # an already running `make serve`

Phases (``all`` runs them in turn):

* ``edits`` (the default): what follows.
* ``maps``: the same while ``--map-clients`` clients ask for new basin maps without pause
  (background jobs: each a fresh nonce, so never from the cache); prints how many were computed.
* ``room``: ``--students`` (300) follow one room (benchmarks/room_load.py: join, long poll) while
  the teacher changes the state every ``--period`` s for ``--duration`` s: errors, updates missed,
  follower latency (teacher's request sent -> the follower holding the new version) and the
  server's CPU seconds (gunicorn and its children, psutil).
* ``poll``: ``--poll-students`` (50) answer a "which run settles first?" poll at random moments
  within 5 s; the teacher reveals: answers counted, and how long until every page holds the reveal.

``--cluster`` runs them against scripts/serve_cluster.py instead: Redis, a Celery worker and two
gunicorn instances (``--workers`` split between them), the students spread over both.

Without ``--url`` it starts gunicorn itself on a free port of 127.0.0.1 with the
flags of ``make serve`` (gunicorn.conf.py: gthread workers, --timeout, --max-requests with jitter,
--no-control-socket), waits for it, runs the class, and stops it.

Each simulated user is a thread with urllib (no extra packages) playing a
browser tab (``dash_payload.Session``, built from ``/_dash-layout`` and
``/_dash-dependencies``, so it follows the app as it changes): after the page
load, it sets one numeric control (a slider or number box) to a nearby value,
posts that control's callback, then the callbacks it triggers all at once
(e.g. the state store, then figures, panel and formula in parallel, as the
browser does), and waits for the rest of its period; users start staggered
over the first period. A change's latency is the control's request plus the
slowest of those it triggered. Traffic goes to 127.0.0.1 only and
is bounded: at most ``users * (duration / period + 1)`` changes, and the run
stops after ``duration`` plus a few request timeouts. Prints errors and
p50/p95/max latency next to the targets (zero errors, p95 <= 1 s). Never
fails: exits 0.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shlex
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.append(HERE)

sys.path.append(ROOT)
sys.path.append(os.path.join(ROOT, "scripts"))

import room_load  # noqa: E402
from dash_payload import Session, build_request  # noqa: E402
from serve_cluster import cluster  # noqa: E402
from server_process import free_port, start_gunicorn, stop, wait_until_up  # noqa: E402

CALLBACK = "/_dash-update-component"
REQUEST_TIMEOUT = 10.0
TARGET_P95 = 1.0


def get_json(url: str, path: str):
    with urllib.request.urlopen(url + path, timeout=REQUEST_TIMEOUT) as response:
        return json.loads(response.read())


def post(url: str, body: dict) -> tuple[int, float, object]:
    """(status, seconds, parsed JSON) of one callback request; status 0 for a connection failure or timeout."""
    data = json.dumps(body).encode()
    request = urllib.request.Request(url + CALLBACK, data=data, method="POST",
                                     headers={"Content-Type": "application/json"})
    began = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
            payload = response.read()
            seconds = time.perf_counter() - began
            return response.status, seconds, json.loads(payload) if payload else None
    except urllib.error.HTTPError as error:
        return error.code, time.perf_counter() - began, None
    except (urllib.error.URLError, OSError, ValueError):
        return 0, time.perf_counter() - began, None


def new_value(rng: random.Random, current) -> float:
    """A nearby value of the same kind: users nudge a slider or a number box."""
    if isinstance(current, int):
        return max(1, current + rng.choice([-1, 1]) * max(1, abs(current) // 10))
    return current * rng.choice([0.8, 0.9, 1.1, 1.25]) if current else rng.choice([0.1, 0.5, 1.0])


def user(index: int, users: int, session: Session, controls: list, period: float, duration: float,
         start: float, results: list, lock: threading.Lock) -> None:
    """One student: every ``period`` seconds a new value of one control, until ``duration`` has passed.

    Student i works one control (round robin over the app's numeric controls);
    each change posts the control's callback and then the callbacks it triggers. Records ``[(output, status, seconds)]`` of each change.
    """
    rng = random.Random(index)
    time.sleep(period * index / users)                            # stagger over the first period
    spec, where = controls[index % len(controls)]
    while time.monotonic() - start < duration:
        began = time.monotonic()
        if where is None:                                         # nothing to change: reload the view
            requests = [(spec["output"], *session.fire(spec))]
        else:
            requests = session.change(spec, where, new_value(rng, _current_value(session, spec, where)))
        with lock:
            results.append(requests)
        time.sleep(max(0.0, period - (time.monotonic() - began)))


def _current_value(session: Session, spec: dict, where):
    """The control's value in this user's session (1.0 when it holds no number yet)."""
    body = build_request(spec, session.components)
    item = body["inputs"][where[0]] if where[1] is None else body["inputs"][where[0]][where[1]]
    value = item.get("value")
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else 1.0


def edits_phase(urls: list[str], users: int, period: float, duration: float, label: str) -> list:
    """The original benchmark: ``users`` students each change a control every ``period`` s (spread over ``urls``)."""
    url = urls[0]
    session = Session(get_json(url, "/_dash-layout"), get_json(url, "/_dash-dependencies"),
                      lambda body: post(url, body))
    if session.main is None:
        print("classroom benchmark skipped: the app has no server-side callback yet")
        return []
    loaded = session.load()                                  # warm-up, and the state every student starts from
    controls = session.controls()
    print(f"edits: {users} users, one change every {period:g} s for {duration:g} s, {label}")
    print(f"  page load statuses {[status for _, status, _ in loaded]}; controls the users change: "
          + (", ".join(str(spec["inputs"][where[0]]["id"])[:40] for spec, where in controls) or "none"))
    if not controls:
        controls = [(session.main, None)]
    results: list = []
    lock = threading.Lock()
    cpu_began = time.process_time()
    start = time.monotonic()
    threads = [threading.Thread(target=user, daemon=True,
                                args=(i, users, session.copy(lambda body, u=urls[i % len(urls)]: post(u, body)),
                                      controls, period, duration, start, results, lock))
               for i in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, duration + REQUEST_TIMEOUT * 4 + period - (time.monotonic() - start)))
    elapsed = time.monotonic() - start
    with lock:
        done = list(results)
    report(done, elapsed, time.process_time() - cpu_began)
    return done


def room_report(result: dict) -> None:
    print(f"room: {result['students']} students follow a teacher changing the state every 2 s "
          f"({result['changes']} changes in {result['wall']:.0f} s)")
    print(f"  joined {result['joined']}/{result['students']}; updates seen {result['updates']}, missed "
          f"{result['missed']}; errors {result['errors']} of {result['requests']} requests "
          f"({'met' if result['errors'] == 0 and result['missed'] == 0 else 'missed'}: 0); declined long polls "
          f"{result['declined']}")
    print(f"  follower latency p50 {result['p50'] * 1e3:.0f} ms, p95 {result['p95'] * 1e3:.0f} ms, max "
          f"{result['max'] * 1e3:.0f} ms (target p95 <= 1000 ms: {'met' if result['p95'] <= 1.0 else 'missed'}); "
          f"server CPU {result['cpu']:.1f} s in {result['wall']:.0f} s ({result['cpu'] / result['wall'] * 100:.0f}% "
          f"of one core)")


def poll_report(result: dict) -> None:
    print(f"poll: {result['students']} students answer within 5 s; answers accepted {result['answered']}, "
          f"refused {result['answer_errors']}, counted by the room {result['counted']}, in the revealed results "
          f"{result['results_total']} (target all {result['students']}: "
          f"{'met' if result['results_total'] == result['students'] else 'missed'})")
    print(f"  reveal: request {result['reveal_request'] * 1e3:.0f} ms (status {result['reveal_status']}); seen by "
          f"{result['reveal_seen']} pages, p95 {result['reveal_seen_p95'] * 1e3:.0f} ms, max "
          f"{result['reveal_seen_max'] * 1e3:.0f} ms (target <= 1000 ms: "
          f"{'met' if result['reveal_seen_max'] <= 1.0 else 'missed'}); server CPU {result['cpu']:.1f} s")


def run_phases(args, urls: list[str], pids: list[int], label: str) -> None:
    phases = ("edits", "maps", "room", "poll") if args.phase == "all" else (args.phase,)
    users = max(1, min(args.users, 200))                     # bounded
    duration = max(1.0, min(args.duration, 120.0))
    period = max(0.2, args.period)
    for phase in phases:
        print(f"--- {phase} ({label})", flush=True)
        if phase == "edits":
            edits_phase(urls, users, period, duration, label)
        elif phase == "maps":
            stop = threading.Event()
            clients = [room_load.MapClient(urls, stop, seed) for seed in range(max(1, args.map_clients))]
            for client in clients:
                client.start()
            edits_phase(urls, users, period, duration, label + f", {len(clients)} clients computing maps meanwhile")
            stop.set()
            for client in clients:
                client.join(60)
            times = sorted(t for c in clients for t in c.done)
            print(f"  maps computed in the background meanwhile: {len(times)} (each a new 60x60 basin map of 2 runs), "
                  f"errors {sum(c.errors for c in clients)}; time per map p50 "
                  f"{statistics.median(times) if times else float('nan'):.2f} s")
        elif phase == "room":
            room_report(room_load.follow_phase(urls, max(1, min(args.students, 400)), period, duration, pids))
        elif phase == "poll":
            poll_report(room_load.poll_phase(urls, max(1, min(args.poll_students, 200)), 5.0, pids))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phase", choices=("edits", "maps", "room", "poll", "all"), default="edits")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--students", type=int, default=300, help="room followers (phase room)")
    parser.add_argument("--poll-students", type=int, default=50, help="students answering (phase poll)")
    parser.add_argument("--map-clients", type=int, default=2, help="clients asking maps meanwhile (phase maps)")
    parser.add_argument("--period", type=float, default=2.0)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "4")))
    parser.add_argument("--cluster", action="store_true",
                        help="Redis, a Celery worker and two gunicorn instances (make serve-cluster) instead")
    parser.add_argument("--url", help="an already running server on 127.0.0.1 (default: start gunicorn)")
    parser.add_argument("--gunicorn-flags", default="",
                        help="flags added to the `make serve` command, e.g. '--worker-class sync'")
    args = parser.parse_args()

    if args.cluster:
        with cluster(ports=(free_port(), free_port()), workers=max(1, args.workers // 2), redis_port=free_port(),
                     celery=2) as running:
            run_phases(args, running["urls"], running["pids"],
                       f"cluster: Redis, 1 Celery worker x 2, 2 gunicorn instances x {max(1, args.workers // 2)} "
                       f"workers")
        return
    process = None
    if args.url:
        host = urllib.parse.urlparse(args.url).hostname
        if host not in ("127.0.0.1", "localhost"):
            print(f"classroom benchmark refused: {args.url} is not 127.0.0.1")
            return
        url = args.url.rstrip("/")
    else:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        process = start_gunicorn(port, args.workers, tuple(shlex.split(args.gunicorn_flags)))
    try:
        if not wait_until_up(url, process):
            print("classroom benchmark skipped: the server did not come up")
            return
        run_phases(args, [url], [process.pid] if process else [],
                   f"{args.workers if process else '?'} gunicorn workers (gunicorn.conf.py {args.gunicorn_flags}) "
                   f"at {url}")
    finally:
        if process is not None:
            stop(process)


def percentile(sorted_values: list[float], q: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(round(q * (len(sorted_values) - 1))))]


def short_name(output: str) -> str:
    """``"..map-graph.figure...loss-graph.figure.."`` -> ``"map-graph.figure+1"``, for the breakdown."""
    parts = output.strip(".").split("...")
    return parts[0][:36] + (f"+{len(parts) - 1}" if len(parts) > 1 else "")


def report(results: list, elapsed: float, client_cpu: float) -> None:
    """Errors and latency per change (the control's request and those it triggers), and per callback."""
    if not results:
        print("  no change completed")
        return
    statuses = [status for change in results for _, status, _ in change]
    errors = [status for status in statuses if status != 200]
    # the control's request, then its followers in parallel: the slowest follower ends the change
    latencies = sorted(change[0][2] + max((seconds for _, _, seconds in change[1:]), default=0.0)
                       for change in results)
    p50, p95 = statistics.median(latencies), percentile(latencies, 0.95)
    print(f"{'measure':<30}{'value':>10}   target")
    print(f"{'changes':<30}{len(results):10d}   ({len(results) / elapsed:.1f}/s over {elapsed:.1f} s)")
    print(f"{'requests':<30}{len(statuses):10d}   ({len(statuses) / elapsed:.1f}/s)")
    print(f"{'errors':<30}{len(errors):10d}   0 ({'met' if not errors else 'missed'})"
          + (f"  statuses {sorted(set(errors))}" if errors else ""))
    print(f"{'change latency p50 (ms)':<30}{p50 * 1e3:10.0f}")
    print(f"{'change latency p95 (ms)':<30}{p95 * 1e3:10.0f}   <= {TARGET_P95 * 1e3:.0f} ms "
          f"({'met' if p95 <= TARGET_P95 else 'missed'})")
    print(f"{'change latency max (ms)':<30}{latencies[-1] * 1e3:10.0f}")
    print(f"{'load generator CPU (s)':<30}{client_cpu:10.1f}   (this process; it shares the machine)")
    by_callback: dict[str, list[float]] = {}
    for change in results:
        for output, _, seconds in change:
            by_callback.setdefault(short_name(output), []).append(seconds)
    print("  per callback (request latency p50 / p95 ms, count):")
    for name, values in sorted(by_callback.items(), key=lambda item: -statistics.median(item[1])):
        values.sort()
        print(f"    {name:<40}{statistics.median(values) * 1e3:7.0f} /{percentile(values, 0.95) * 1e3:6.0f}"
              f"  x{len(values)}")


if __name__ == "__main__":
    main()
