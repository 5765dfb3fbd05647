"""`make serve-cluster`: Redis, a Celery worker and two gunicorn instances sharing them, on this machine.

    python scripts/serve_cluster.py [--ports 8051,8052] [--workers 2] [--redis-port 6390] [--celery 2]

* ``redis-server`` (Debian's package) on 127.0.0.1, no persistence: the rooms' store and the
  background jobs' broker and result backend (``OPTISCAPE_REDIS_URL``);
* ``celery --app app:celery_app worker``: runs the maps' background jobs (any machine that reaches
  the Redis could run more of them);
* one gunicorn per port (``gunicorn.conf.py``, as ``make serve``): two web servers that share every
  room, poll and computed map, as servers on several machines would.

Ctrl-C (or SIGTERM) stops them all. :func:`cluster` does the same for tests and benchmarks.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _wait(check, what: str, process: subprocess.Popen, log: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if check():
                return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            tail = open(log, errors="replace").read()[-2000:] if os.path.exists(log) else ""
            raise RuntimeError(f"{what} did not start:\n{tail}")
        time.sleep(0.2)


def _answers(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=3) as response:
        return response.status == 200


def _stop(process: subprocess.Popen, timeout: float = 10.0) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout)


@contextlib.contextmanager
def cluster(ports=(8051, 8052), workers: int = 2, redis_port: int = 6390, celery: int = 2, quiet: bool = True):
    """Start the cluster; yields ``{"urls", "redis_url", "logs", "pids"}``; stops it all at the end."""
    redis_binary = shutil.which("redis-server")
    if redis_binary is None:
        raise RuntimeError("redis-server is not installed: make redis-deps (apt-get install redis-server)")
    directory = tempfile.mkdtemp(prefix="optiscape-cluster-")
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    env = {**os.environ, "PYTHONPATH": ROOT, "OPTISCAPE_REDIS_URL": redis_url,
           "OPTISCAPE_DATA_DIR": os.path.join(directory, "data")}
    processes: list[subprocess.Popen] = []

    def start(name: str, command: list) -> tuple[subprocess.Popen, str]:
        log = os.path.join(directory, f"{name}.log")
        with open(log, "ab") as out:
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True)
        processes.append(process)
        return process, log

    try:
        redis, log = start("redis", [redis_binary, "--port", str(redis_port), "--bind", "127.0.0.1", "--dir", directory,
                                     "--save", "", "--appendonly", "no"])
        _wait(lambda: subprocess.run(["redis-cli", "-p", str(redis_port), "ping"], capture_output=True,
                                     text=True).stdout.strip() == "PONG" if shutil.which("redis-cli") else True,
              "redis-server", redis, log)
        worker, log = start("celery", [sys.executable, "-m", "celery", "--app", "app:celery_app", "worker",
                                       "--loglevel", "WARNING", "--concurrency", str(celery), "--pool", "prefork",
                                       "--without-gossip", "--without-mingle", "--without-heartbeat"])
        urls = []
        for port in ports:
            server, log = start(f"gunicorn-{port}", [
                sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "app:server",
                "--workers", str(workers), "--bind", f"127.0.0.1:{port}"])
            url = f"http://127.0.0.1:{port}"
            _wait(lambda: _answers(url + "/"), f"gunicorn on port {port}", server, log)
            urls.append(url)
        celery_log = os.path.join(directory, "celery.log")
        _wait(lambda: "ready" in open(celery_log, errors="replace").read() or _celery_ready(redis_url),
              "the celery worker", worker, celery_log)
        if not quiet:
            print(json.dumps({"urls": urls, "redis_url": redis_url, "logs": directory}, indent=1), flush=True)
        yield {"urls": urls, "redis_url": redis_url, "logs": directory,
               "pids": [p.pid for p in processes]}          # redis, celery, the gunicorn masters
    finally:
        for process in reversed(processes):
            _stop(process)
        shutil.rmtree(directory, ignore_errors=True)


def _celery_ready(redis_url: str) -> bool:
    """Whether a worker answers a ping (``celery inspect ping``), without importing the app here."""
    result = subprocess.run([sys.executable, "-m", "celery", "--broker", redis_url, "inspect", "ping", "--timeout", "1"],
                            capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": ROOT})
    return "pong" in result.stdout.lower()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ports", default="8051,8052", help="comma-separated ports of the gunicorn instances")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per instance")
    parser.add_argument("--redis-port", type=int, default=6390)
    parser.add_argument("--celery", type=int, default=2, help="Celery worker processes")
    args = parser.parse_args()
    ports = tuple(int(p) for p in args.ports.split(",") if p.strip())
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    with cluster(ports, args.workers, args.redis_port, args.celery, quiet=False) as running:
        print("optiscape cluster: " + "  ".join(running["urls"]) + f"  (Redis {running['redis_url']}); "
              "Ctrl-C stops it", flush=True)
        try:
            while not stop:
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
