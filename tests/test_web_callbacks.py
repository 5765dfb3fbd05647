"""Callbacks through the real HTTP endpoint: whatever is posted, a clear answer and never a 500.

Bodies here have the shape Dash sends; their values are hostile.
"""
from __future__ import annotations

import json
import time

import pytest

import app as app_module  # noqa: F401  (the app is built once)
from webapp.compute.cost import PAGE_BUDGET_US, batch_step_us
from webapp.state import coerce as validate
from webapp.state import default_state, to_store

from web_answer import post, response_of  # noqa: E402


@pytest.fixture(scope="module")
def client():
    return app_module.server.test_client()


def unchanged(response) -> bool:
    """Dash answers "no update" with 204, or 200 and an empty response."""
    return response.status_code == 204 or (response.status_code == 200 and response.get_json()["response"] == {})


def show(client, value, rendered=None):
    """The one answer drawing a stored state (nothing fired)."""
    return response_of(post(client, stored=value, rendered=rendered))


def edit(client, fired, value, stored=None, prop="value", extra=None):
    """One edit of the default page (or of ``stored``): the state it leaves, and the whole answer."""
    stored = to_store(default_state()) if stored is None else stored
    out = response_of(post(client, fired, prop, value, stored=stored, rendered={"revision": -1}, extra=extra))
    return (out.get("state") or {}).get("data"), out


def test_default_state_renders_contour_runs_and_share_link(client):
    started = time.perf_counter()
    out = show(client, to_store(default_state()))
    assert time.perf_counter() - started < 5
    figure = out["map-graph"]["figure"]
    assert out["rendered"]["data"]["picture"]
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
    stored, out = edit(client, "steps-input", 1e12)
    assert stored["steps"] == validate.MAX_STEPS
    assert "5000" in json.dumps(out["steps-notice"]["children"])    # the clamp is said next to the box
    assert out["steps-input"]["value"] == validate.MAX_STEPS        # and the box shows the value in force
    stored, out = edit(client, "steps-input", "abc")
    assert stored["steps"] == default_state().steps                 # refused: the steps stay
    assert "not a number" in json.dumps(out["steps-notice"]["children"])
    assert out["steps-input"]["value"] == default_state().steps


def test_hyperparameter_writer_validates_the_posted_value(client):
    lr_id = {"name": "lr", "run": 3, "type": "hyper"}

    def card_text(out):
        return json.dumps(out["runs-panel"]["children"][3])

    stored, _ = edit(client, lr_id, 0.05)
    assert stored["runs"][3]["hyper"]["lr"] == 0.05
    stored, out = edit(client, lr_id, -1)                       # clamped to the schema's range, with a notice
    assert stored["runs"][3]["hyper"]["lr"] == 0.0
    assert "lr=-1" in card_text(out)
    for bad in ("1e999", "abc", [1, 2], {"a": 1}):               # refused: the run keeps its rate, a notice says why
        stored, out = edit(client, lr_id, bad)
        assert stored["runs"][3]["hyper"]["lr"] == default_state().runs[3].hyper["lr"], bad
        assert "not a number" in card_text(out), bad
    assert unchanged(post(client, lr_id, "value", None, stored=to_store(default_state()), rendered={"x": 1}))
    for ghost in ({"name": "lr", "run": 99, "type": "hyper"}, {"name": "nope", "run": 0, "type": "hyper"}):
        assert unchanged(post(client, ghost, "value", 0.05, stored=to_store(default_state()), rendered={"x": 1}))


def test_zooming_the_map_sets_the_view_and_a_double_click_restores_it(client):
    def zoom(relayout, stored=None):
        return edit(client, "map-zoom", relayout, stored=stored, prop="data")[0]

    assert zoom({"xaxis.range[0]": -7, "xaxis.range[1]": -1, "yaxis.range[0]": -0.5,
                 "yaxis.range[1]": 1.5})["view"] == [-7, -1, -0.5, 1.5]
    assert zoom({"xaxis.range": [-5, 5], "yaxis.range": [-1, 1]})["view"] == [-5, 5, -1, 1]
    for hostile in ({"xaxis.range[0]": "x"}, {"xaxis.range[0]": 5, "xaxis.range[1]": 1}, {"autosize": True},
                    {"xaxis.range": [1e308, float("inf")]}, "zoom"):
        assert unchanged(post(client, "map-zoom", "data", hostile, stored=to_store(default_state()),
                              rendered={"x": 1})), hostile
    zoomed = {**to_store(default_state()), "view": [-5, 5, -1, 1]}
    assert zoom({"xaxis.autorange": True}, stored=zoomed)["view"] is None


def test_slow_batches_are_cut_to_a_ladder_step_and_cheap_ones_keep_every_step(monkeypatch):
    from webapp.compute import runs as compute

    # pretend Adam costs a microsecond per step and everything else a second
    monkeypatch.setattr(compute, "_probe",
                        lambda surface, state, specs, start, steps, *deadline: 1e-6 if specs[0].optimizer == "adam" else 1.0)
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

    scenario = scenarios.SCENARIOS[1]
    before = to_store(default_state())
    stored, out = edit(client, "scenario-picker", scenario.id, stored=before)
    assert stored["scenario"] == scenario.id
    assert stored["revision"] == before["revision"] + 1
    assert out["notices"]["children"] == []
    assert out["share-query"]["data"] == scenarios.share_query(scenario)
    assert scenario.title in json.dumps(out["scenario-panel"]["children"])
    assert unchanged(post(client, "scenario-picker", "value", {"$ne": 1}, stored=before, rendered={"x": 1}))


def test_changing_only_the_map_settings_keeps_the_picture(client):
    """Compute in the Maps section writes map settings into the state: the main picture (and a
    playing animation) must not be re-rendered, but the share link must follow."""
    first = show(client, to_store(default_state()))
    rendered = first["rendered"]["data"]
    state = default_state()
    state.maps = {**state.maps, "map": "basin", "map_grid": "40"}
    again = response_of(post(client, "maps-compute", "n_clicks", 1, stored=first["state"]["data"],
                             rendered=rendered, extra={"maps-kind.value": "basin", "maps-runs.value": [0],
                                                       "maps-grid.value": 40}))
    assert "map-graph" not in again and "payload" not in again
    assert "map=basin" in again["share-query"]["data"] and "map_grid=40" in again["share-query"]["data"]
    assert again["maps-request"]["data"]["state"]["maps"]["map"] == "basin"       # the map is asked for
    # any other change re-renders the picture
    stored, changed = edit(client, "steps-input", 123, stored=again["state"]["data"])
    assert changed["payload"]["data"]["steps"] == 123


def test_picture_key_ignores_only_the_maps():
    from webapp.panels.stage.render import picture_key

    state = default_state()
    base = picture_key(state, [])
    state.maps = {**state.maps, "map": "sensitivity"}
    assert picture_key(state, []) == base
    assert picture_key(state, ["a notice"]) != base
    state.runs[0].hyper["lr"] = 0.5
    assert picture_key(state, []) != base


# ------------------------------------------------------------------ every request is bounded by its deadline
# a 432-character formula of nested sin: each evaluation costs hundreds of times a quadratic's
COSTLY_FORMULA = " + ".join(f"sin(sin(sin(sin(x + {i}*y))))" for i in range(14)) + " + sin(x*y)"
EVERY_KIND = ["adam", "sgd", "momentum", "rmsprop", "nesterov", "adagrad", "lbfgs", "newton"]


def costly_store(steps: int = 5000, lr: float = 0.01) -> dict:
    """The costly formula with eight runs of eight optimizers x ``steps`` steps (``lr`` keeps it uncached)."""
    from webapp.state import from_query
    from urllib.parse import quote

    runs = "&".join(f"run={name}:lr={lr}" for name in EVERY_KIND)
    state, notices = from_query(f"?surface=custom&formula={quote(COSTLY_FORMULA)}&steps={steps}&{runs}")
    assert notices == [] and len(state.runs) == 8 and state.steps == steps
    return to_store(state)


def test_the_costliest_page_is_cut_by_the_probe_with_notices(client):
    out = show(client, costly_store(lr=0.011))
    payload = out["payload"]["data"]
    assert len(payload["runs"]) == 8 and payload["steps"] < 5000
    notices = json.dumps(out["notices"]["children"])
    assert "slow to compute on this surface" in notices or "more than one request may compute" in notices


def test_a_page_request_past_its_deadline_is_cut_with_a_notice(client, monkeypatch):
    """The probe is the first bound; the request's deadline (webapp.server) stops whatever it missed."""
    from webapp import server

    monkeypatch.setattr(server, "REQUEST_SECONDS", 0.0)          # every request is already at its deadline
    out = show(client, costly_store(lr=0.012))
    notices = json.dumps(out["notices"]["children"])
    assert "stopped at this request's time limit" in notices
    assert "Traceback" not in json.dumps(out)
    assert 0 < out["payload"]["data"]["steps"] < 5000
    monkeypatch.undo()
    again = show(client, costly_store(lr=0.012))                  # a cut batch was not cached as the answer
    assert "stopped at this request's time limit" not in json.dumps(again["notices"]["children"])


def test_a_link_with_invalid_view_and_map_values_opens_with_notices(client):
    """Opening a link (nothing stored yet): each value refused or clamped is named in the page."""
    out = response_of(post(client, "url", "search", "?arrows=maybe&view_mode=sideways&map=basin&map_grid=500",
                           stored=None, rendered=None))
    notices = json.dumps(out["notices"]["children"])
    assert "arrows='maybe' is not 1 or 0" in notices and "view_mode='sideways'" in notices
    assert "grid 500 is outside 2 to 200; using 200" in notices
    assert out["state"]["data"]["maps"] == {"map": "basin", "map_grid": "200"}
    assert out["state"]["data"]["views"] == {}
    assert "map_grid=200" in out["share-query"]["data"] and "arrows" not in out["share-query"]["data"]
