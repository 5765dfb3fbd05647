"""Rooms' follower latency through gunicorn: N students long-poll one room while the teacher changes it.

    python benchmarks/rooms_backend.py [--students 100] [--period 1] [--duration 20] [--workers 2]
                                       [--threads 64] [--backend sqlite|redis|both]

Starts ``gunicorn webapp.rooms.wsgi:app`` (the rooms endpoints only) with
gthread workers on a free port of 127.0.0.1, over SQLite in a temporary
directory, or over a redis-server it starts on a free port (Debian's
``redis-server``), or both one after the other. Each student is a thread
(urllib, its own cookie) that joins the room and long-polls ``changes``; the
teacher changes the state every ``period`` seconds. A follower's latency is
the time from the teacher's request being sent to the follower holding the new
version. Prints errors, p50/p95/max latency next to the target (p95 <= 1 s),
how many long polls were declined (``retry_ms`` > 0) and the server's CPU
seconds. Traffic is bounded (duration plus one long-poll wait). Never fails:
exits 0. ``ROOMS_BENCH_LOG=<file>`` keeps gunicorn's log (tracebacks of any 5xx).
"""
from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET_P95 = 1.0
STATES = ("?surface=saddle&run=sgd:lr=0.01&run=momentum:lr=0.01",
          "?surface=himmelblau&run=adam:lr=0.1&run=sgd:lr=0.01")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(check, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the server did not come up")


def start_redis(directory: str):
    port = free_port()
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", directory,
                                "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)

    def answers():
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    wait_until(answers, 10)
    return process, f"redis://127.0.0.1:{port}/0"


def start_gunicorn(env: dict, workers: int, threads: int):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "webapp.rooms.wsgi:app", "--chdir", ROOT, "--workers", str(workers),
         "--worker-class", "gthread", "--threads", str(threads), "--bind", f"127.0.0.1:{port}",
         "--no-control-socket", "--timeout", "30"],
        env={**os.environ, "PYTHONPATH": ROOT, **env}, stdout=subprocess.DEVNULL,
        stderr=open(os.environ["ROOMS_BENCH_LOG"], "ab") if os.environ.get("ROOMS_BENCH_LOG") else subprocess.DEVNULL,
        start_new_session=True)
    url = f"http://127.0.0.1:{port}"

    def answers():
        try:
            urllib.request.urlopen(url + "/api/rooms/ZZZZ", timeout=2)
        except urllib.error.HTTPError as error:
            return error.code == 404
        return False
    wait_until(answers, 60)
    return process, url


def stop(process) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (the gunicorn workers), from /proc."""
    total = 0.0
    pids = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            pids += [int(p) for p in handle.read().split()]
    except OSError:
        pass
    for each in pids:
        try:
            with open(f"/proc/{each}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            pass
    return total


def call(opener, method: str, url: str, body=None, headers=None, timeout: float = 30.0) -> dict:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    with opener.open(request, timeout=timeout) as response:
        return json.loads(response.read())


def run_class(url: str, students: int, period: float, duration: float) -> dict:
    teacher = urllib.request.build_opener()
    room = call(teacher, "POST", url + "/api/rooms", {"state": STATES[0]})
    code, token = room["code"], room["teacher_token"]
    sent: dict[int, float] = {}                # version -> when the teacher sent it
    latencies, errors, declined = [], [], [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def student(index: int) -> None:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        try:
            version = call(opener, "POST", f"{url}/api/rooms/{code}/join")["version"]
        except Exception as error:              # noqa: BLE001 - a benchmark reports, never raises
            with lock:
                errors.append(repr(error))
            return
        while time.monotonic() < stop_at:
            try:
                answer = call(opener, "GET", f"{url}/api/rooms/{code}/changes?since={version}&wait=10")
            except Exception as error:          # noqa: BLE001
                with lock:
                    errors.append(repr(error))
                time.sleep(0.5)
                continue
            now = time.monotonic()
            if answer.get("changed"):
                version = answer["version"]
                with lock:
                    if version in sent:
                        latencies.append(now - sent[version])
            elif answer.get("retry_ms"):
                with lock:
                    declined[0] += 1
                time.sleep(answer["retry_ms"] / 1000)

    threads = [threading.Thread(target=student, args=(i,), daemon=True) for i in range(students)]
    for thread in threads:
        thread.start()
    time.sleep(2.0)                             # everyone joined and parked
    changes = 0
    while time.monotonic() < stop_at - period:
        with lock:
            sent[room["version"] + 1] = time.monotonic()
        room = call(teacher, "PUT", f"{url}/api/rooms/{code}/state", {"state": STATES[changes % 2 - 1]},
                    {"Authorization": f"Bearer {token}"})
        changes += 1
        time.sleep(period)
    for thread in threads:
        thread.join(15)
    return {"changes": changes, "latencies": latencies, "errors": errors, "declined": declined[0]}


def report(name: str, result: dict, students: int, cpu: float, duration: float) -> None:
    latencies = sorted(result["latencies"])
    expected = result["changes"] * students
    if latencies:
        p50 = statistics.median(latencies)
        p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]
        figures = f"p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms"
        verdict = "meets" if p95 <= TARGET_P95 else "MISSES"
    else:
        figures, verdict = "no updates received", "MISSES"
    print(f"{name:7s} {students} students, {result['changes']} changes: {len(latencies)}/{expected} updates "
          f"seen, {len(result['errors'])} errors, {result['declined']} declined polls; follower latency "
          f"{figures} ({verdict} target p95 <= {TARGET_P95:g} s); server CPU {cpu:.1f} s in {duration:g} s")
    for error in result["errors"][:3]:
        print("   error:", error[:200])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--period", type=float, default=1.0)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=64)
    parser.add_argument("--backend", choices=("sqlite", "redis", "both"), default="both")
    args = parser.parse_args()
    backends = ("sqlite", "redis") if args.backend == "both" else (args.backend,)
    print(f"rooms backend: gunicorn gthread, {args.workers} workers x {args.threads} threads, "
          f"OPTISCAPE_ROOM_MAX_WAITERS={args.threads - 8} per worker")
    for backend in backends:
        directory = tempfile.mkdtemp(prefix="optiscape-bench-")
        redis_process = None
        env = {"OPTISCAPE_DATA_DIR": directory, "OPTISCAPE_REDIS_URL": "",
               "OPTISCAPE_ROOM_MAX_WAITERS": str(max(args.threads - 8, 0))}
        try:
            if backend == "redis":
                if shutil.which("redis-server") is None:
                    print("redis   skipped: redis-server is not installed (make redis-deps)")
                    continue
                redis_process, env["OPTISCAPE_REDIS_URL"] = start_redis(directory)
            server, url = start_gunicorn(env, args.workers, args.threads)
            try:
                before = cpu_seconds(server.pid)
                result = run_class(url, args.students, args.period, args.duration)
                report(backend, result, args.students, cpu_seconds(server.pid) - before, args.duration)
            finally:
                stop(server)
        finally:
            if redis_process is not None:
                stop(redis_process)
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
