"""Worker memory under a class, with recycling off: what ``max_requests`` should be (issue 13, part 6).

    python benchmarks/worker_memory.py [--duration 60] [--users 50] [--workers 4]

Starts gunicorn as ``make serve`` does (``server_process``) but with
``--max-requests 0``, runs benchmarks/classroom.py against it for
``--duration`` seconds, and samples each worker's resident memory (VmRSS from
/proc) every 2 s. Prints each worker's RSS after warm-up (the first sample
after 10 s) and at the end, the growth per 1000 requests, and the requests per
worker per minute, so that ``max_requests`` can be chosen: large enough that a
class does not recycle its workers (and their caches) every few minutes, small
enough that a leak of the measured rate stays small. Bounded (at most 300 s),
127.0.0.1 only, stops its server. Never fails: exits 0.
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.append(HERE)

from server_process import free_port, start_gunicorn, stop, wait_until_up  # noqa: E402


def workers_of(master: int) -> list[int]:
    try:
        with open(f"/proc/{master}/task/{master}/children") as children:
            return [int(pid) for pid in children.read().split()]
    except OSError:
        return []


def rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as status:
            match = re.search(r"VmRSS:\s+(\d+) kB", status.read())
        return int(match.group(1)) / 1024 if match else None
    except OSError:
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "4")))
    args = parser.parse_args()
    duration = max(20.0, min(args.duration, 300.0))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = start_gunicorn(port, args.workers, ("--max-requests", "0"))
    try:
        if not wait_until_up(url, process):
            print("worker memory benchmark skipped: the server did not come up")
            return
        load = subprocess.Popen([sys.executable, os.path.join(HERE, "classroom.py"), "--url", url,
                                 "--users", str(args.users), "--duration", str(duration)],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        began = time.monotonic()
        samples: dict[int, list[tuple[float, float]]] = {}
        while load.poll() is None and time.monotonic() - began < duration + 60:
            for pid in workers_of(process.pid):
                value = rss_mb(pid)
                if value is not None:
                    samples.setdefault(pid, []).append((time.monotonic() - began, value))
            time.sleep(2.0)
        output = load.communicate(timeout=60)[0] if load.poll() is not None else ""
        if load.poll() is None:
            load.kill()
        match = re.search(r"^requests\s+(\d+)", output, re.M)
        requests = int(match.group(1)) if match else 0
        per_worker = requests / max(1, len(samples))
        print(f"worker memory: {args.users} users for {duration:g} s against {args.workers} workers "
              f"(gunicorn.conf.py, --max-requests 0); {requests} requests, "
              f"{per_worker / (duration / 60):.0f} per worker per minute")
        print(f"{'worker':>8}{'warm MB':>10}{'end MB':>10}{'max MB':>10}{'MB per 1000 req':>18}")
        for pid, values in samples.items():
            warm = next((v for t, v in values if t >= 10.0), values[0][1])
            end, peak = values[-1][1], max(v for _, v in values)
            growth = (end - warm) / max(1e-9, per_worker * (1 - 10.0 / duration) / 1000)
            print(f"{pid:>8}{warm:10.0f}{end:10.0f}{peak:10.0f}{growth:18.2f}")
        print("  classroom figures of the same run:")
        for line in output.splitlines():
            if line.startswith(("errors", "change latency p95", "change latency p50")):
                print("   ", line)
    finally:
        stop(process)


if __name__ == "__main__":
    main()
