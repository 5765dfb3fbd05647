"""The Maps panel's server time per request: engine, figure building, JSON payload, and the whole callback.

    python benchmarks/maps_callback.py [--repeats 3]

Workloads (the maps issue's targets, each under 1 s of server time):

* basin 200 x 200 x 300 Adam steps on Himmelblau, one panel (and two side by side);
* sensitivity 50 x 50 x 300 Adam steps on Rosenbrock (lr x beta1), one panel.

Columns: ``engine`` = the uncached map computation; ``figure`` = building the figure
dict from the map; ``json`` = encoding it the way Dash does (plotly's JSON encoder);
``payload`` = its size; ``callback`` = the compute callback through Flask's test
client (validation, cache miss, figure, Dash serialization), ``cached`` = the same
request again (the LRU hit a click or a re-render gets). Medians of ``--repeats``.
The script always exits 0.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import plotly.io  # noqa: E402
from plotly.utils import PlotlyJSONEncoder  # noqa: E402

import app as app_module  # noqa: E402
from webapp.panels.maps import request as maps_panel  # noqa: E402
from webapp.state import default_run, default_state, to_store  # noqa: E402

WORKLOADS = [
    ("basin 200x200 x 300 adam, himmelblau", "himmelblau", ["adam"],
     {"map": "basin", "map_grid": "200", "map_steps": "300"}),
    ("basin 200x200 x 300, adam | sgd side by side", "himmelblau", ["adam", "sgd"],
     {"map": "basin", "map_grid": "200", "map_steps": "300", "map_runs": "0,1"}),
    ("sensitivity 50x50 x 300 adam lr x beta1, rosenbrock", "rosenbrock", ["adam"],
     {"map": "sensitivity", "map_n": "50", "map_steps": "300"}),
]


def state_for(surface: str, names: list[str]):
    state = default_state()
    state.surface, state.surface_params = surface, {}
    state.runs = [default_run(name, color=i, lr=0.05) for i, name in enumerate(names)]
    return state


def timed(work):
    begin = time.perf_counter()
    out = work()
    return time.perf_counter() - begin, out


def post_compute(client, stored) -> float:
    key = next(k for k in app_module.app.callback_map if k.startswith("..maps-result.data"))
    body = {"output": key, "outputs": [{"id": "maps-result", "property": "data"},
                                       {"id": "maps-messages", "property": "children"}],
            "inputs": [{"id": "state", "property": "data", "value": stored}],
            "state": [{"id": "maps-cancel", "property": "n_clicks", "value": 0}], "changedPropIds": ["state.data"]}
    begin = time.perf_counter()
    response = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
    elapsed = time.perf_counter() - begin
    assert response.status_code == 200 and b"figure" in response.data, response.data[:200]
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    client = app_module.server.test_client()
    print(f"median of {args.repeats}; times in seconds")
    print(f"{'workload':<52} {'engine':>7} {'figure':>7} {'json':>7} {'payload':>9} {'callback':>9} {'cached':>7}")
    for label, surface, names, settings in WORKLOADS:
        state = state_for(surface, names)
        request, messages = maps_panel.parse_request(settings, state)
        assert request is not None and not messages, messages
        engine, figure, encode, callback, cached = [], [], [], [], []
        size = 0
        for _ in range(args.repeats):
            maps_panel.CACHE.items.clear()
            seconds, panels = timed(lambda: maps_panel.compute_panels(request, state, []))
            engine.append(seconds)
            seconds, (built, _) = timed(lambda: maps_panel.map_figure(request, state, panels))
            figure.append(seconds)
            seconds, text = timed(lambda: json.dumps(built, cls=PlotlyJSONEncoder))
            encode.append(seconds)
            size = len(text)
            maps_panel.CACHE.items.clear()
            stored = to_store(state)
            stored["maps"] = settings
            callback.append(post_compute(client, stored))
            cached.append(post_compute(client, stored))
        med = statistics.median
        print(f"{label:<52} {med(engine):>7.3f} {med(figure):>7.3f} {med(encode):>7.3f} {size / 1024:>6.0f} kB "
              f"{med(callback):>9.3f} {med(cached):>7.3f}")
    print(f"(plotly {plotly.__version__}; JSON engine {plotly.io.json.config.default_engine})")


if __name__ == "__main__":
    import plotly

    main()
