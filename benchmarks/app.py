"""Server time and response size of the app's main callback for the default view.

    python benchmarks/app.py [--repeats 15]

Posts the request the browser sends for the first view to
``/_dash-update-component`` through Flask's test client (no network, one
thread), built from the app's own layout and callback map (see
``dash_payload.py``), so it keeps working as the app changes. Prints the median
and p90 server time, and the response size raw and gzipped, next to the
targets (median <= 100 ms, response <= 300 KB). Never fails: a missing app or
callback is reported and the script exits 0.
"""
from __future__ import annotations

import argparse
import gzip
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# this script is itself named app.py: the repository root must come first so `import app` finds the real one
sys.path[:] = [os.path.dirname(HERE)] + [p for p in sys.path if os.path.abspath(p or ".") != HERE] + [HERE]

from dash_payload import main_request  # noqa: E402

TARGET_MS = 100.0
TARGET_KB = 300.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    try:
        from app import server
    except Exception as error:  # the app may be mid-construction
        print(f"app benchmark skipped: cannot import app.server ({type(error).__name__}: {error})")
        return
    client = server.test_client()

    def get_json(path):
        response = client.get(path)
        return response.get_json()

    found = main_request(get_json)
    if found is None:
        print("app benchmark skipped: the app has no server-side callback yet")
        return
    spec, body = found
    client.post("/_dash-update-component", json=body)          # warm-up: imports, caches
    times, sizes, statuses = [], [], set()
    for _ in range(max(1, args.repeats)):
        began = time.perf_counter()
        response = client.post("/_dash-update-component", json=body)
        times.append(time.perf_counter() - began)
        statuses.add(response.status_code)
        sizes.append(len(response.data))
    data = response.data
    median_ms = statistics.median(times) * 1e3
    p90_ms = sorted(times)[int(0.9 * (len(times) - 1))] * 1e3
    raw_kb, gzip_kb = len(data) / 1024, len(gzip.compress(data)) / 1024
    print(f"app benchmark: main callback {spec['output'][:70]}")
    print(f"  inputs {len(spec['inputs'])}, state {len(spec.get('state', []))}; HTTP status {sorted(statuses)}; "
          f"{len(times)} repeats")
    print(f"{'measure':<28}{'value':>10}   target")
    print(f"{'server time median (ms)':<28}{median_ms:10.1f}   <= {TARGET_MS:.0f} ms "
          f"({'met' if median_ms <= TARGET_MS else 'missed'})")
    print(f"{'server time p90 (ms)':<28}{p90_ms:10.1f}")
    print(f"{'response (KB)':<28}{raw_kb:10.1f}   <= {TARGET_KB:.0f} KB ({'met' if raw_kb <= TARGET_KB else 'missed'})")
    print(f"{'response gzipped (KB)':<28}{gzip_kb:10.1f}")
    if statuses != {200}:
        print(f"  note: the default request was answered with {sorted(statuses)}: {data[:200]!r}")


if __name__ == "__main__":
    main()
