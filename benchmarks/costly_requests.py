"""The costliest requests a link can ask for, answered through the hardened app (Flask's test client):
wall time from the post to the answer, against the request's bound, and what the page says.

    python benchmarks/costly_requests.py [--repeats 3]

Workloads (a 432-character formula of nested ``sin``: each evaluation costs about 250 quadratics):

* page: the formula with eight runs of eight optimizers x 5000 steps (the one answer);
* maps: basin 200 x 200 x 5000 steps (refused by the declared cost), basin 80 x 80 x 300 Adam steps
  (passes the declared cost, refused by the probe on the surface), basin 40 x 40 x 300 (accepted,
  about half the budget), sensitivity 50 x 50 x 5000 (refused), and the largest cheap basin map
  (200 x 200 x 1000 SGD steps on the default surface, accepted: the budget is nearly all used).

Each repeat uses another learning rate, so nothing comes from a cache. Targets: the page request
at most 1 s, a map at most 1.5 s, and every request under its deadline (``REQUEST_SECONDS``, 3 s).
Medians and maxima of ``--repeats``; the script always exits 0.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from urllib.parse import quote

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests"))

import app as app_module  # noqa: E402
from web_answer import post, response_of  # noqa: E402
from webapp.server import REQUEST_SECONDS  # noqa: E402
from webapp.state import from_query, to_store  # noqa: E402

FORMULA = " + ".join(f"sin(sin(sin(sin(x + {i}*y))))" for i in range(14)) + " + sin(x*y)"
KINDS = ["adam", "sgd", "momentum", "rmsprop", "nesterov", "adagrad", "lbfgs", "newton"]
COSTLY = f"?surface=custom&formula={quote(FORMULA)}"
MAPS = [
    ("maps: basin 200x200 x 5000, formula", COSTLY, {"map": "basin", "map_grid": "200", "map_steps": "5000"}),
    ("maps: basin 80x80 x 300 adam, formula", COSTLY, {"map": "basin", "map_grid": "80", "map_steps": "300"}),
    ("maps: basin 40x40 x 300 adam, formula", COSTLY, {"map": "basin", "map_grid": "40", "map_steps": "300"}),
    ("maps: sensitivity 50x50 x 5000, formula", COSTLY, {"map": "sensitivity", "map_n": "50", "map_steps": "5000"}),
    ("maps: basin 200x200 x 1000 sgd, default", "?steps=1000", {"map": "basin", "map_grid": "200"}),
]


def compute_key() -> str:
    return next(k for k in app_module.app.callback_map if k.startswith("..maps-result.data"))


def post_map(client, stored):
    body = {"output": compute_key(), "outputs": [{"id": "maps-result", "property": "data"},
                                                 {"id": "maps-messages", "property": "children"}],
            "inputs": [{"id": "maps-request", "property": "data", "value": {"state": stored}}],
            "state": [{"id": "maps-cancel", "property": "n_clicks", "value": 0}],
            "changedPropIds": ["maps-request.data"]}
    return client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")


def timed(call):
    began = time.perf_counter()
    response = call()
    return time.perf_counter() - began, response


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    client = app_module.server.test_client()
    rows = []
    seconds, said = [], ""
    for repeat in range(args.repeats):
        lr = 0.01 + 0.001 * repeat + 1e-6 * (time.time_ns() % 1000)
        runs = "&".join(f"run={name}:lr={lr:.6g}" for name in KINDS)
        state, _ = from_query(f"{COSTLY}&steps=5000&{runs}")
        elapsed, response = timed(lambda: post(client, stored=to_store(state), rendered=None))
        out = response_of(response)
        seconds.append(elapsed)
        said = f"{out['payload']['data']['steps']} of 5000 steps shown, {len(out['notices']['children'][0]['props']['children'])} notices"
    rows.append(("page: formula, 8 runs x 5000 steps", seconds, 1.0, said))
    for label, query, maps in MAPS:
        seconds, said = [], ""
        for repeat in range(args.repeats):
            lr = 0.01 + 0.001 * repeat + 1e-6 * (time.time_ns() % 1000)
            state, _ = from_query(f"{query}&run={'sgd' if 'sgd' in label else 'adam'}:lr={lr:.6g}")
            stored = to_store(state)
            stored["maps"] = maps
            elapsed, response = timed(lambda: post_map(client, stored))
            seconds.append(elapsed)
            data = response.get_json()["response"]
            text = json.dumps(data["maps-messages"]["children"])
            said = (f"HTTP {response.status_code}, " + ("a map" if "figure" in data["maps-result"]["data"] else
                                                         "refused: " + text[text.find("Maps:"):][:70]))
        rows.append((label, seconds, 1.5, said))
    print(f"{'request':44} {'median s':>9} {'max s':>7} {'target s':>9} {'bound s':>8}  answer")
    for label, seconds, target, said in rows:
        print(f"{label:44} {statistics.median(seconds):9.3f} {max(seconds):7.3f} {target:9.1f} "
              f"{REQUEST_SECONDS:8.1f}  {said}")


if __name__ == "__main__":
    main()
