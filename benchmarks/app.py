"""Server time and response size of the app's main callback for the default view.

    python benchmarks/app.py [--repeats 15]

Plays the page load through Flask's test client (no network, one thread),
with requests built from the app's own layout and callback map (see
``dash_payload.py``, so it keeps working as the app changes), then posts the
main callback's request for the default view to ``/_dash-update-component``
again and again, accepting compressed answers as Chromium does
(``Accept-Encoding: gzip, deflate, br, zstd``), so the server time includes
the compression ``webapp.server.harden`` applies. Prints the median and p90
server time, and the response size raw, as sent (brotli) and gzipped, next
to the targets (median <= 100 ms, response <= 300 KB). Never fails: a missing app or
callback is reported and the script exits 0.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# this script is itself named app.py: the repository root must come first so `import app` finds the real one
sys.path[:] = [os.path.dirname(HERE)] + [p for p in sys.path if os.path.abspath(p or ".") != HERE] + [HERE]

from dash_payload import Session  # noqa: E402

BROWSER_ENCODINGS = {"Accept-Encoding": "gzip, deflate, br, zstd"}     # what Chromium 156 sends
TARGET_MS = 100.0
TARGET_KB = 300.0


def bump_seeds(tree, seed: int) -> bool:
    """Set every ``seed`` field in the session's stored values, so the server cannot answer from a cache.

    With noise off the seed changes nothing in the work done; returns whether any seed was found.
    """
    found = False
    if isinstance(tree, dict):
        for key, value in tree.items():
            if key == "seed" and isinstance(value, int) and not isinstance(value, bool):
                tree[key] = seed
                found = True
            else:
                found = bump_seeds(value, seed) or found
    elif isinstance(tree, list):
        for value in tree:
            found = bump_seeds(value, seed) or found
    return found


def decoded(data: bytes, encoding: str | None) -> bytes:
    """The body as the app produced it, before the server's compression."""
    if encoding == "br":
        import brotli
        return brotli.decompress(data)
    if encoding == "gzip":
        return gzip.decompress(data)
    return data


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
    last = {}

    def post(body):
        began = time.perf_counter()
        response = client.post("/_dash-update-component", json=body, headers=BROWSER_ENCODINGS)
        seconds = time.perf_counter() - began
        sent = response.data
        data = decoded(sent, response.headers.get("Content-Encoding"))
        last.update(data=data, sent=sent, encoding=response.headers.get("Content-Encoding") or "none")
        return response.status_code, seconds, json.loads(data) if response.status_code == 200 and data else None

    session = Session(client.get("/_dash-layout").get_json(), client.get("/_dash-dependencies").get_json(), post)
    if session.main is None:
        print("app benchmark skipped: the app has no server-side callback yet")
        return
    loaded = session.load()                          # the page load: URL -> state -> ... -> figures
    repeats = max(1, args.repeats)
    statuses = set()

    def time_main(fresh: bool) -> list[float]:
        times = []
        for repeat in range(repeats):
            twin = session.copy()                    # the default view every time
            if fresh and not bump_seeds(twin.components, 1000 + repeat):
                return []
            status, seconds = twin.fire(session.main)
            times.append(seconds)
            statuses.add(status)
        return times

    cached = time_main(False)
    fresh = time_main(True)
    data = last["data"]
    times = fresh or cached
    median_ms = statistics.median(times) * 1e3
    p90_ms = sorted(times)[int(0.9 * (len(times) - 1))] * 1e3
    raw_kb, gzip_kb, sent_kb = len(data) / 1024, len(gzip.compress(data)) / 1024, len(last["sent"]) / 1024
    print(f"app benchmark: main callback {session.main['output'][:80]}")
    print("  page load: " + ", ".join(f"{output.split('.')[0].strip('.')[:24]} {status} {seconds * 1e3:.0f} ms"
                                      for output, status, seconds in loaded))
    print(f"  default view: HTTP status {sorted(statuses)}; {len(times)} repeats through Flask's test client")
    print(f"{'measure':<28}{'value':>10}   target")
    kind = "uncached" if fresh else "repeat"
    print(f"{'server time median (ms)':<28}{median_ms:10.1f}   <= {TARGET_MS:.0f} ms "
          f"({'met' if median_ms <= TARGET_MS else 'missed'}; {kind})")
    print(f"{'server time p90 (ms)':<28}{p90_ms:10.1f}")
    if fresh:
        print(f"{'same view again (ms)':<28}{statistics.median(cached) * 1e3:10.1f}   (the app's own cache)")
    print(f"{'response (KB)':<28}{raw_kb:10.1f}   <= {TARGET_KB:.0f} KB ({'met' if raw_kb <= TARGET_KB else 'missed'})")
    print(f"{'response as sent (KB)':<28}{sent_kb:10.1f}   (Content-Encoding: {last['encoding']})")
    print(f"{'response gzipped (KB)':<28}{gzip_kb:10.1f}")
    if statuses != {200}:
        print(f"  note: the default request was answered with {sorted(statuses)}: {data[:200]!r}")


if __name__ == "__main__":
    main()
