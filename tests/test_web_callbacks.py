"""Callbacks through the real HTTP endpoint: whatever is posted, a clear answer and never a 500.

Bodies here have the shape Dash sends; their values are hostile.
"""
from __future__ import annotations

import json
import time

import pytest

import app as app_module
from webapp.compute.cost import PAGE_BUDGET_US, batch_step_us
from webapp.state import coerce as validate
from webapp.state import default_state, to_store

CALLBACKS = app_module.app.callback_map


def callback_key(first_input: str, output_fragment: str) -> str:
    for key, spec in CALLBACKS.items():
        if output_fragment in key and spec["inputs"][0]["id"] == first_input:
            return key
    raise KeyError((first_input, output_fragment))


def outputs_of(key: str):
    if key.startswith(".."):
        parts = key[2:-2].split("...")
    else:
        parts = [key.split("@")[0]]
    out = []
    for part in parts:
        component, prop = part.rsplit(".", 1)
        out.append({"id": component, "property": prop})
    return out if key.startswith("..") else out[0]


def post(client, key: str, inputs: list, state: list | None = None, changed: list | None = None):
    body = {"output": key, "outputs": outputs_of(key), "inputs": inputs, "state": state or [],
            "changedPropIds": changed or [f"{inputs[0]['id']}.{inputs[0]['property']}"]}
    return client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")


@pytest.fixture(scope="module")
def client():
    return app_module.server.test_client()


SHOW = callback_key("state", "map-graph.figure")
STEPS = callback_key("steps-input", "state.data")
RUN_VALUES = next(k for k, v in CALLBACKS.items() if "hyper" in str(v["inputs"][0]["id"]) and "state.data" in k)


def unchanged(response) -> bool:
    """Dash answers "no update" with 204, or 200 and an empty response."""
    return response.status_code == 204 or (response.status_code == 200 and response.get_json()["response"] == {})


def show(client, value, rendered_key=None):
    response = post(client, SHOW, [{"id": "state", "property": "data", "value": value}],
                    [{"id": "rendered-key", "property": "data", "value": rendered_key}])
    assert response.status_code == 200, response.data[:300]
    return response.get_json()["response"]


def test_default_state_renders_contour_runs_and_share_link(client):
    started = time.perf_counter()
    out = show(client, to_store(default_state()))
    assert time.perf_counter() - started < 5
    figure = out["map-graph"]["figure"]
    assert figure["data"][0]["type"] == "contour"
    assert len(out["payload"]["data"]["runs"]) == 4
    assert out["share-query"]["data"].startswith("?surface=ill_conditioned")
    assert out["notices"]["children"] == []


@pytest.mark.parametrize("garbage", [
    "nonsense", 12, [1, 2], {"runs": "x"}, {"surface": {"$gt": 1}},
    {"steps": 1e12, "runs": [{"optimizer": "adam", "hyper": {"lr": "1e999"}}]},
    {"runs": [{"optimizer": "sgd", "hyper": {"lr": -5, "momentum": None, "nesterov": "yes"}}] * 30},
    {"start": ["1e400", 2], "view": [3, 1, 0, 0]},
    {"runs": [{"optimizer": "__import__('os')"}]},
])
def test_hostile_state_gets_notices_not_errors(client, garbage):
    out = show(client, garbage)
    payload = out["payload"]["data"]
    assert len(payload["runs"]) <= validate.MAX_RUNS
    assert payload["steps"] <= validate.MAX_STEPS
    text = json.dumps(out)
    assert "Traceback" not in text


def test_clamped_values_are_reported(client):
    out = show(client, {"steps": 1e12, "runs": [{"optimizer": "adam", "hyper": {"lr": -5}}]})
    notices = json.dumps(out["notices"]["children"])
    assert "Steps" in notices and "lr" in notices
    assert out["payload"]["data"]["steps"] == validate.MAX_STEPS


def test_worst_allowed_request_is_bounded(client):
    import optimizers

    names = optimizers.names()
    runs = [{"optimizer": names[i % len(names)], "hyper": {"lr": 0.01 * (i + 1)}} for i in range(12)]
    started = time.process_time()
    out = show(client, {"surface": "rosenbrock", "steps": 10**9, "runs": runs})
    cpu = time.process_time() - started
    payload = out["payload"]["data"]
    assert len(payload["runs"]) == validate.MAX_RUNS
    # eight different first-order optimizers: eight batches of one run each, inside the cost model's budget
    assert payload["steps"] * len(payload["runs"]) * batch_step_us("sgd", 1) <= PAGE_BUDGET_US
    assert cpu < 2.0             # the budget is 0.5 s; generous here so a busy machine does not fail the test


def test_steps_writer_clamps_and_ignores_non_numbers(client):
    state = {"id": "state", "property": "data", "value": to_store(default_state())}
    response = post(client, STEPS, [{"id": "steps-input", "property": "value", "value": 1e12}], [state])
    assert response.status_code == 200
    stored = response.get_json()["response"]["state"]["data"]
    assert stored["steps"] == validate.MAX_STEPS
    assert "5000" in stored["notices_at"]["steps"][0]            # the clamp is said next to the box
    response = post(client, STEPS, [{"id": "steps-input", "property": "value", "value": "abc"}], [state])
    stored = response.get_json()["response"]["state"]["data"]
    assert stored["steps"] == default_state().steps              # refused: the steps stay
    assert "not a number" in stored["notices_at"]["steps"][0]


def test_hyperparameter_writer_validates_the_posted_value(client):
    spec = CALLBACKS[RUN_VALUES]
    state = {"id": "state", "property": "data", "value": to_store(default_state())}
    lr_id = {"name": "lr", "run": 3, "type": "hyper"}

    def send(value, run_id=lr_id):
        inputs = [[{"id": run_id, "property": "value", "value": value}]] + [[] for _ in spec["inputs"][1:]]
        return post(client, RUN_VALUES, inputs, [state], [json.dumps(run_id, separators=(",", ":")) + ".value"])

    response = send(0.05)
    assert response.status_code == 200
    assert response.get_json()["response"]["state"]["data"]["runs"][3]["hyper"]["lr"] == 0.05
    response = send(-1)                                      # clamped to the schema's range, with a notice
    stored = response.get_json()["response"]["state"]["data"]
    assert stored["runs"][3]["hyper"]["lr"] == 0.0
    assert "lr=-1" in stored["notices_at"]["run:3"][0]
    for bad in ("1e999", "abc", [1, 2], {"a": 1}):          # refused: the run keeps its rate, a notice says why
        stored = send(bad).get_json()["response"]["state"]["data"]
        assert stored["runs"][3]["hyper"]["lr"] == default_state().runs[3].hyper["lr"], bad
        assert "not a number" in stored["notices_at"]["run:3"][0], bad
    assert unchanged(send(None))                             # an emptied box: still typing
    assert unchanged(send(0.05, {"name": "lr", "run": 99, "type": "hyper"}))       # no such run
    assert unchanged(send(0.05, {"name": "nope", "run": 0, "type": "hyper"}))


def test_zooming_the_map_sets_the_view_and_a_double_click_restores_it(client):
    key = callback_key("map-graph", "state.data")
    state = {"id": "state", "property": "data", "value": to_store(default_state())}

    def zoom(relayout):
        return post(client, key, [{"id": "map-graph", "property": "relayoutData", "value": relayout}], [state])

    response = zoom({"xaxis.range[0]": -7, "xaxis.range[1]": -1, "yaxis.range[0]": -0.5, "yaxis.range[1]": 1.5})
    assert response.get_json()["response"]["state"]["data"]["view"] == [-7, -1, -0.5, 1.5]
    response = zoom({"xaxis.range": [-5, 5], "yaxis.range": [-1, 1]})
    assert response.get_json()["response"]["state"]["data"]["view"] == [-5, 5, -1, 1]
    for hostile in ({"xaxis.range[0]": "x"}, {"xaxis.range[0]": 5, "xaxis.range[1]": 1}, {"autosize": True},
                    {"xaxis.range": [1e308, float("inf")]}, "zoom"):
        assert unchanged(zoom(hostile)), hostile
    zoomed = {"id": "state", "property": "data",
              "value": {**to_store(default_state()), "view": [-5, 5, -1, 1]}}
    response = post(client, key, [{"id": "map-graph", "property": "relayoutData",
                                   "value": {"xaxis.autorange": True}}], [zoomed])
    assert response.get_json()["response"]["state"]["data"]["view"] is None


def test_slow_batches_are_cut_to_a_ladder_step_and_cheap_ones_keep_every_step(monkeypatch):
    from webapp.compute import runs as compute

    # pretend Adam costs a microsecond per step and everything else a second
    monkeypatch.setattr(compute, "_probe",
                        lambda surface, state, specs, start, steps: 1e-6 if specs[0].optimizer == "adam" else 1.0)
    compute._CACHE.clear()
    notices = []
    state = default_state()
    state.steps = 3000
    _, results, steps = compute.simulate_runs(state, notices)
    lengths = {r.spec.optimizer: r.path.shape[0] - 1 for r in results}
    assert lengths == {"adam": 3000, "sgd": 1, "momentum": 1, "rmsprop": 1}
    assert steps == 3000
    slow = [n for n in notices if "slow to compute" in n]
    assert len(slow) == 3 and any(n.startswith("SGD") for n in slow)
    monkeypatch.setattr(compute, "_probe", lambda *args: 0.0)
    compute._CACHE.clear()
    notices = []
    _, results, steps = compute.simulate_runs(state, notices)
    assert steps == 3000 and notices == [] and all(r.path.shape[0] == 3001 for r in results)
    compute._CACHE.clear()


def test_picking_a_scenario_loads_its_link(client):
    from webapp import scenarios

    key = callback_key("scenario-picker", "state.data")
    state = {"id": "state", "property": "data", "value": to_store(default_state())}
    scenario = scenarios.SCENARIOS[1]
    response = post(client, key, [{"id": "scenario-picker", "property": "value", "value": scenario.id}], [state])
    data = response.get_json()["response"]["state"]["data"]
    assert data["scenario"] == scenario.id and data["notices"] == []
    assert data["revision"] == state["value"]["revision"] + 1
    out = show(client, data)
    assert out["share-query"]["data"] == scenarios.share_query(scenario)
    assert scenario.title in json.dumps(out["scenario-panel"]["children"])
    hostile = post(client, key, [{"id": "scenario-picker", "property": "value", "value": {"$ne": 1}}], [state])
    assert unchanged(hostile)


def test_changing_only_the_map_settings_keeps_the_picture(client):
    """Compute in the Maps section writes map settings into the state: the main picture (and a
    playing animation) must not be re-rendered, but the share link must follow."""
    first = show(client, to_store(default_state()))
    key = first["rendered-key"]["data"]
    state = default_state()
    state.maps = {**state.maps, "map": "basin", "map_grid": 40}
    again = show(client, to_store(state), rendered_key=key)
    assert "map-graph" not in again and "payload" not in again and "rendered-key" not in again
    assert "map=basin" in again["share-query"]["data"]
    # any other change re-renders
    state.steps = 123
    changed = show(client, to_store(state), rendered_key=key)
    assert changed["payload"]["data"]["steps"] == 123 and changed["rendered-key"]["data"] != key


def test_picture_key_ignores_only_the_maps():
    from webapp.panels.stage.render import picture_key

    state = default_state()
    base = picture_key(state, [])
    state.maps = {**state.maps, "map": "sensitivity"}
    assert picture_key(state, []) == base
    assert picture_key(state, ["a notice"]) != base
    state.runs[0].hyper["lr"] = 0.5
    assert picture_key(state, []) != base
