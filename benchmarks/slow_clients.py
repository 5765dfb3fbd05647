"""Idle and slow-header connections against gunicorn: is everyone else still answered? (issue 13, part 6)

    python benchmarks/slow_clients.py [--connections 64] [--duration 12] [--workers 4]
    python benchmarks/slow_clients.py --configs "sync" "gthread --threads 32"

For each worker configuration it starts gunicorn as ``make serve`` does (on a
free port of 127.0.0.1, ``server_process``) plus that configuration's flags,
then opens ``--connections`` hostile connections of one kind:

* ``idle``: connect and send nothing (a browser's unused preconnect socket);
* ``slow``: send a request line, then one header byte a second (slowloris).

Meanwhile an ordinary client asks for ``/_dash-layout`` every 0.25 s (each
request with a 5 s timeout) for ``--duration`` seconds, and the script prints
the share answered, the share answered within 1 s, and p50/p95/max latency
(the goal: 64 such connections, everyone else answered within 1 s). Bounded:
at most 256 connections and 60 s per configuration; it stops every server
and socket it opened. Never fails: exits 0.
"""
from __future__ import annotations

import argparse
import os
import shlex
import socket
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.append(HERE)

from server_process import free_port, start_gunicorn, stop, wait_until_up  # noqa: E402

DEFAULT_CONFIGS = ("--worker-class sync --threads 1", "--worker-class gthread --threads 8 --worker-connections 1000",
                   "")          # "": gunicorn.conf.py as it is (`make serve`)
PROBE_PERIOD = 0.25
PROBE_TIMEOUT = 5.0
TARGET = 1.0


def hostile(port: int, kind: str, stop_event: threading.Event, sockets: list) -> None:
    """One connection that never completes a request: silent, or a header byte a second."""
    try:
        connection = socket.create_connection(("127.0.0.1", port), timeout=5)
    except OSError:
        return
    sockets.append(connection)
    try:
        if kind == "slow":
            connection.sendall(b"GET /_dash-layout HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        while not stop_event.wait(1.0):
            if kind == "slow":
                connection.sendall(b"X")           # a header that never ends
    except OSError:
        pass                                        # the server closed it: fine


def probe(url: str, duration: float) -> list[float | None]:
    """Latency of an ordinary request every PROBE_PERIOD s; None for no answer within PROBE_TIMEOUT."""
    results: list[float | None] = []
    lock = threading.Lock()

    def one():
        began = time.perf_counter()
        try:
            with urllib.request.urlopen(url + "/_dash-layout", timeout=PROBE_TIMEOUT) as response:
                response.read()
                value = time.perf_counter() - began if response.status == 200 else None
        except (urllib.error.URLError, OSError):
            value = None
        with lock:
            results.append(value)

    threads = []
    end = time.monotonic() + duration
    while time.monotonic() < end:
        thread = threading.Thread(target=one, daemon=True)
        thread.start()
        threads.append(thread)
        time.sleep(PROBE_PERIOD)
    for thread in threads:
        thread.join(timeout=PROBE_TIMEOUT + 1)
    return results


def measure(config: str, kind: str, connections: int, duration: float, workers: int) -> str:
    label = config or "make serve (gunicorn.conf.py)"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = start_gunicorn(port, workers, tuple(shlex.split(config)))
    stop_event = threading.Event()
    sockets: list = []
    try:
        if not wait_until_up(url, process):
            return f"{label:<58}{kind:<6} the server did not come up"
        for _ in range(workers * 2):                       # warm every worker first
            probe_once(url)
        attackers = [threading.Thread(target=hostile, args=(port, kind, stop_event, sockets), daemon=True)
                     for _ in range(connections)]
        for thread in attackers:
            thread.start()
        time.sleep(1.0)
        results = probe(url, duration)
    finally:
        stop_event.set()
        for connection in list(sockets):
            try:
                connection.close()
            except OSError:
                pass
        stop(process)
    answered = sorted(r for r in results if r is not None)
    within = sum(1 for r in answered if r <= TARGET)
    if not answered:
        return f"{label:<58}{kind:<6}{0:>4}/{len(results):<4}{0:>8}/{len(results):<4}{'-':>8}{'-':>8}{'-':>8}   missed"
    p95 = answered[min(len(answered) - 1, int(round(0.95 * (len(answered) - 1))))]
    met = within == len(results)
    return (f"{label:<58}{kind:<6}{len(answered):>4}/{len(results):<4}{within:>8}/{len(results):<4}"
            f"{statistics.median(answered) * 1e3:8.0f}{p95 * 1e3:8.0f}{answered[-1] * 1e3:8.0f}   "
            f"{'met' if met else 'missed'}")


def probe_once(url: str) -> None:
    try:
        with urllib.request.urlopen(url + "/_dash-layout", timeout=10) as response:
            response.read()
    except (urllib.error.URLError, OSError):
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--duration", type=float, default=12.0)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "4")))
    parser.add_argument("--kinds", nargs="+", default=["idle", "slow"], choices=["idle", "slow"])
    parser.add_argument("--configs", nargs="+", default=list(DEFAULT_CONFIGS),
                        help="gunicorn flags added to the `make serve` command, one string per configuration")
    args = parser.parse_args()
    connections = max(1, min(args.connections, 256))
    duration = max(2.0, min(args.duration, 60.0))
    print(f"slow clients: {connections} hostile connections, an ordinary request every {PROBE_PERIOD:g} s "
          f"for {duration:g} s, {args.workers} workers (load average {os.getloadavg()[0]:.1f})")
    print(f"{'configuration':<58}{'kind':<6}{'answered':>9}{'<= 1 s':>12}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}"
          f"   every request <= {TARGET:g} s")
    for config in args.configs:
        for kind in args.kinds:
            try:
                print(measure(config, kind, connections, duration, args.workers), flush=True)
            except Exception as error:   # never fail
                print(f"{config or 'make serve':<58}{kind:<6} stopped: {type(error).__name__}: {error}")


if __name__ == "__main__":
    main()
