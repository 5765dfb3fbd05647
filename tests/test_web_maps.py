"""Maps panel, without a browser: request validation and caps, figure builders, clicks, cache, CSV, and the
compute callback through the real HTTP endpoint with hostile settings."""
from __future__ import annotations

import base64
import json
import time

import numpy as np
import pytest

import app as app_module
import landscapes
import optimizers
from optimizers.maps import DIVERGED, NEVER, NOT_CONVERGED
from webapp.figures import maps as maps_figures
from webapp.compute.cost import MAP_BUDGET_US
from webapp.panels.maps import request as maps_panel
from webapp.panels.maps.callbacks import control_values
from webapp.panels.maps.request import MapRequest, apply_click, parse_request, request_settings
from webapp.state import RunSpec, default_run, default_state, from_query, to_query, to_store
from webapp.state.model import DEFAULT_GRID


def decode_int_array(typed: dict) -> np.ndarray:
    shape = tuple(int(n) for n in typed["shape"].split(","))
    return np.frombuffer(base64.b64decode(typed["bdata"]), dtype="<" + typed["dtype"]).reshape(shape)


def himmelblau_state(*optimizer_names, **hyper):
    state = default_state()
    state.surface, state.surface_params = "himmelblau", {}
    state.runs = [default_run(name, color=i, **hyper) for i, name in enumerate(optimizer_names)]
    state.start = (-1.0, 1.0)
    return state


# ------------------------------------------------------------------ validation and caps
def test_no_map_is_asked_without_the_map_key():
    assert parse_request({}, default_state()) == (None, [])
    assert parse_request(None, default_state()) == (None, [])


def test_unknown_kind_is_refused_with_a_message():
    request, messages = parse_request({"map": "<script>"}, default_state())
    assert request is None and "unknown map" in messages[0]


@pytest.mark.parametrize("settings, field, expected, fragment", [
    ({"map": "basin", "map_grid": "100000"}, "grid", 200, "outside 2 to 200"),
    ({"map": "basin", "map_grid": "-3"}, "grid", 2, "outside 2 to 200"),
    ({"map": "basin", "map_grid": "lots"}, "grid", DEFAULT_GRID, "not a number"),
    ({"map": "basin", "map_steps": "1e9"}, "steps", 5000, "outside 1 to 5000"),
    ({"map": "sensitivity", "map_n": "51"}, "side", 50, "outside 2 to 50"),
    ({"map": "basin", "map_runs": "0,99,x"}, "runs", (0,), "does not exist"),
    ({"map": "basin", "map_runs": "3,2,1,0,3"}, "runs", (3, 2, 1, 0), None),
    ({"map": "basin", "map_color": "gap"}, "color", "minimum", "colour"),
    ({"map": "sensitivity", "map_color": "steps"}, "color", "steps", None),
])
def test_every_setting_is_clamped_into_its_cap_with_a_message(settings, field, expected, fragment):
    request, messages = parse_request(settings, default_state())
    assert getattr(request, field) == expected
    if fragment:
        assert any(fragment in m for m in messages), messages
    else:
        assert messages == []


def test_at_most_four_panels():
    state = default_state()
    state.runs = state.runs + [default_run("adam", color=4), default_run("sgd", color=5)]
    request, messages = parse_request({"map": "basin", "map_runs": "0,1,2,3,4,5"}, state)
    assert request.runs == (0, 1, 2, 3) and "at most 4" in messages[0]


def test_unknown_parameter_name_is_named_in_a_message():
    request, messages = parse_request({"map": "sensitivity", "map_x": "__class__"}, default_state())
    assert request is not None and "__class__" in messages[0]
    assert maps_panel.swept_pair("adam", request.x_param, request.y_param) == ("lr", "beta1")


def test_swept_pair_falls_back_per_run():
    assert maps_panel.swept_pair("momentum", "lr", "beta2") == ("lr", "momentum")
    assert maps_panel.swept_pair("adam", "beta2", "lr") == ("beta2", "lr")
    assert maps_panel.swept_pair("adam", "eps", "eps") == ("eps", "lr")


def test_work_over_the_budget_is_refused_before_computing():
    state = default_state()
    request = MapRequest(kind="basin", runs=(0, 1, 2, 3), grid=200, steps=5000)
    messages = []
    assert maps_panel.compute_panels(request, state, messages) == []
    assert "too much work" in messages[0] and "smaller grid" in messages[0]


def test_the_worst_accepted_request_is_bounded():
    """Whatever passes the budget stays near the ~1 s target: 4 panels x the budget's share each."""
    state = default_state()
    worst = MapRequest(kind="basin", runs=(0,), grid=200, steps=1000)
    # the largest first-order basin map is accepted, and it is most of the budget (the cost model is not lax)
    assert 0.5 * MAP_BUDGET_US <= maps_panel.work_estimate(worst, state) <= MAP_BUDGET_US
    lbfgs = RunSpec(optimizer="lbfgs", hyper=default_run("lbfgs").hyper)
    state.runs = [lbfgs]
    request, _ = parse_request({"map": "basin"}, state)
    messages = []
    assert maps_panel.compute_panels(request, state, messages) == [] and "lbfgs" in messages[0]


def test_request_settings_round_trip_through_the_url_without_notices():
    state = default_state()
    request, _ = parse_request({"map": "sensitivity", "map_runs": "3,0", "map_x": "lr", "map_y": "beta2",
                                "map_n": "30", "map_color": "steps", "map_steps": "120"}, state)
    state.maps = request_settings(request, state)
    query = to_query(state)
    assert "map=sensitivity" in query and "map_runs=3,0" in query and "map_n=30" in query
    restored, notices = from_query(query)
    assert notices == []
    assert parse_request(restored.maps, restored) == (request, [])


def test_default_settings_stay_out_of_the_url():
    state = default_state()
    request, _ = parse_request({"map": "basin", "map_grid": str(DEFAULT_GRID)}, state)
    assert request_settings(request, state) == {"map": "basin"}


# ------------------------------------------------------------------ basin figures
@pytest.fixture(scope="module")
def himmelblau_basins():
    surface = landscapes.get("himmelblau")
    calm = optimizers.basin_map(surface, optimizers.get("adam", lr=0.3), 200, grid=12)
    wild = optimizers.basin_map(surface, optimizers.get("sgd", lr=0.05), 30, grid=12)
    return surface, calm, wild


def test_basin_classes_map_engine_codes_to_colour_indices():
    labels = np.array([[0, 3, DIVERGED], [NOT_CONVERGED, 1, 0]])
    classes = maps_figures.basin_classes(labels, 4)
    assert classes.tolist() == [[0, 3, 5], [4, 1, 0]]
    colours = maps_figures.basin_class_colours(4)
    assert colours[4] == maps_figures.NOT_CONVERGED_COLOUR and colours[5] == maps_figures.DIVERGED_COLOUR
    assert len(set(colours)) == 6


def test_basin_figure_colours_each_cell_by_its_minimum_and_names_them(himmelblau_basins):
    surface, calm, wild = himmelblau_basins
    assert (wild.labels == DIVERGED).any(), "the fixture needs diverged cells"
    figure = maps_figures.basin_figure([("Adam", calm), ("SGD", wild)], surface, (-1.0, 1.0))
    heatmaps = [figure["data"][i] for i in figure["layout"]["meta"]["heatmaps"]]
    assert [h["type"] for h in heatmaps] == ["heatmap", "heatmap"]
    for trace, basin in zip(heatmaps, (calm, wild)):
        z = decode_int_array(trace["z"])
        assert z.shape == (12, 12) and z.dtype == np.int8
        assert np.array_equal(z, maps_figures.basin_classes(basin.labels, len(surface.minima)))
    assert heatmaps[1]["xaxis"] == "x2" and figure["layout"]["xaxis2"]["domain"][0] > 0.5
    legend = [t["name"] for t in figure["data"] if t.get("showlegend")]
    present = {code for b in (calm, wild) for code, n in b.counts.items() if n and code >= 0}
    for code in present:
        assert calm.legend[code] in legend and "(" in calm.legend[code]
    assert {"not converged", "diverged", "current start"} <= set(legend)
    starts = [t for t in figure["data"] if t.get("name") == "current start" and not t.get("showlegend")]
    assert len(starts) == 2 and all(t["x"] == [-1.0] and t["y"] == [1.0] for t in starts)
    share = 100 * np.count_nonzero(wild.labels == DIVERGED) / wild.labels.size
    subtitle = figure["layout"]["annotations"][1]["text"]
    assert f"color:{maps_figures.DIVERGED_COLOUR}'>\u25A0</span> {share:.0f}%" in subtitle
    json.dumps(figure, allow_nan=False)          # valid JSON: no NaN anywhere


def test_basin_steps_mode_blanks_never_and_paints_diverged_cells(himmelblau_basins):
    surface, _, wild = himmelblau_basins
    figure = maps_figures.basin_figure([("SGD", wild)], surface, (0, 0), color_by="steps")
    z = np.array(figure["data"][0]["z"], dtype=object)
    blank = (wild.steps_to_tol == NEVER) | (wild.labels == DIVERGED)
    assert all(v is None for v in z[blank]) and all(v is not None for v in z[~blank])
    assert z[~blank].astype(int).tolist() == wild.steps_to_tol[~blank].tolist()
    overlay = figure["data"][1]
    assert overlay["name"] == "diverged"
    painted = np.array(overlay["z"], dtype=object) == 1
    assert np.array_equal(painted, wild.labels == DIVERGED)
    json.dumps(figure, allow_nan=False)


def test_bad_colour_mode_raises(himmelblau_basins):
    surface, calm, _ = himmelblau_basins
    with pytest.raises(ValueError):
        maps_figures.basin_figure([("Adam", calm)], surface, (0, 0), color_by="gap")


# ------------------------------------------------------------------ sensitivity figures
@pytest.fixture(scope="module")
def momentum_sensitivity():
    schema = {p.name: p for p in optimizers.schema("momentum")}
    xs = optimizers.param_grid(schema["lr"], 8, low=1e-4, high=1.0)
    ys = optimizers.param_grid(schema["momentum"], 6, low=0.0, high=0.95)
    return optimizers.sensitivity_map(landscapes.get("rosenbrock"), "momentum", {}, "lr", xs, "momentum", ys,
                                      (-1.5, 2.0), 60)


def test_sensitivity_figure_marks_diverged_cells_and_the_current_setting(momentum_sensitivity):
    smap = momentum_sensitivity
    assert smap.diverged.any() and not smap.diverged.all()
    figure = maps_figures.sensitivity_figure([("Momentum", smap, (1e-3, 0.9))])
    heatmap = figure["data"][0]
    assert np.allclose(heatmap["x"], np.log10(smap.x_values), atol=1e-5)      # log parameter -> log10 axis
    assert np.allclose(heatmap["y"], smap.y_values)                           # linear parameter as is
    z = np.array(heatmap["z"], dtype=object)
    assert all(v is None for v in z[smap.diverged])
    expected = np.round(np.log10(smap.loss_gap[~smap.diverged]), 2)
    assert np.allclose(z[~smap.diverged].astype(float), expected)
    crosses = next(t for t in figure["data"] if t.get("mode") == "markers" and t["name"] == "diverged")
    rows, cols = np.nonzero(smap.diverged)
    assert sorted(zip(crosses["x"], crosses["y"])) == sorted(zip([heatmap["x"][c] for c in cols],
                                                                 [heatmap["y"][r] for r in rows]))
    assert crosses["marker"]["symbol"].startswith("x")
    current = next(t for t in figure["data"] if t["name"] == "current setting" and not t.get("showlegend"))
    assert current["x"] == [pytest.approx(-3.0)] and current["y"] == [pytest.approx(0.9)]
    legend = [t["name"] for t in figure["data"] if t.get("showlegend")]
    assert "diverged (\u00d7)" in legend and "current setting" in legend
    assert figure["layout"]["xaxis"]["title"]["text"] == "lr (log)"
    assert figure["layout"]["xaxis"]["ticktext"][0].startswith("1e")
    json.dumps(figure, allow_nan=False)


def test_sensitivity_panels_share_one_colour_scale(momentum_sensitivity):
    figure = maps_figures.sensitivity_figure([("a", momentum_sensitivity, (None, None)),
                                              ("b", momentum_sensitivity, (None, None))])
    first, second = (figure["data"][i] for i in figure["layout"]["meta"]["heatmaps"])
    assert (first["zmin"], first["zmax"]) == (second["zmin"], second["zmax"])
    assert not first["showscale"] and second["showscale"]
    assert not any(t["name"] == "current setting" and not t.get("showlegend") for t in figure["data"])


# ------------------------------------------------------------------ clicks
def test_control_values_follow_the_state_map_settings():
    state = default_state()
    assert control_values(state) is None
    state.maps = {"map": "sensitivity", "map_runs": "1", "map_y": "beta2", "map_n": "12", "map_color": "steps"}
    kind, runs, grid, steps, basin_colour, x, y, side, sens_colour = control_values(state)
    assert (kind, runs, steps, x, y, side, sens_colour) == ("sensitivity", [1], None, "lr", "momentum", 12, "steps")


def test_clicking_a_basin_cell_starts_every_run_there():
    state = default_state()
    meta = {"kind": "basin", "panels": [{"run": 0, "traces": [0]}]}
    assert apply_click(state, meta, {"curveNumber": 0, "x": 2.5, "y": -1.25})
    assert state.start == (2.5, -1.25)


@pytest.mark.parametrize("meta, point", [
    (None, {"curveNumber": 0, "x": 1, "y": 1}),
    ({"kind": "basin", "panels": [{"run": 0, "traces": [0]}]}, {"curveNumber": 5, "x": 1, "y": 1}),
    ({"kind": "basin", "panels": [{"run": 0, "traces": [0]}]}, {"curveNumber": 0, "x": "nan", "y": 1}),
    ({"kind": "sensitivity", "panels": [{"run": 9, "traces": [0], "x_param": "lr", "y_param": "momentum",
                                         "x_values": [0.1], "y_values": [0.5]}]}, {"curveNumber": 0, "x": 0, "y": 0}),
    ({"kind": "sensitivity", "panels": [{"run": 0, "traces": [0], "x_param": "__dict__", "y_param": "momentum",
                                         "x_values": [0.1], "y_values": [0.5]}]}, {"curveNumber": 0, "x": 0, "y": 0}),
    ({"kind": "sensitivity", "panels": [{"run": 0, "traces": [0], "x_param": "lr", "y_param": "momentum",
                                         "x_values": [], "y_values": [0.5]}]}, {"curveNumber": 0, "x": 0, "y": 0}),
])
def test_hostile_clicks_change_nothing(meta, point):
    state = default_state()
    before = to_store(state)
    assert not apply_click(state, meta, point)
    assert to_store(state) == before


def test_clicking_a_sensitivity_cell_loads_the_snapped_values_into_its_run():
    state = default_state()                       # run 1 is momentum
    meta = {"kind": "sensitivity", "panels": [
        {"run": 0, "traces": [0], "x_param": "lr", "y_param": "momentum", "x_log": True, "y_log": False,
         "x_values": [1e-3, 1e-2, 1e-1], "y_values": [0.0, 0.5, 0.9]},
        {"run": 1, "traces": [4, 5], "x_param": "lr", "y_param": "momentum", "x_log": True, "y_log": False,
         "x_values": [1e-3, 1e-2, 1e-1], "y_values": [0.0, 0.5, 0.9]}]}
    assert apply_click(state, meta, {"curveNumber": 5, "x": -2.04, "y": 0.52})   # the diverged overlay too   # log10 axis: 10^-2.04 ~ 1e-2
    assert state.runs[1].hyper["lr"] == 0.01 and state.runs[1].hyper["momentum"] == 0.5
    assert state.runs[0].hyper == default_state().runs[0].hyper


def test_a_click_that_breaks_a_cross_check_is_refused():
    state = default_state()
    state.runs = [default_run("nesterov")]
    meta = {"kind": "sensitivity", "panels": [{"run": 0, "traces": [0], "x_param": "lr", "y_param": "momentum",
                                               "x_log": True, "x_values": [0.01], "y_values": [0.0]}]}
    assert not apply_click(state, meta, {"curveNumber": 0, "x": -2, "y": 0.0})   # Nesterov needs momentum > 0


# ------------------------------------------------------------------ cache, figure metadata, CSV
def test_results_are_cached_per_request_and_clicks_reuse_them():
    state = himmelblau_state("momentum", lr=0.01)
    request, _ = parse_request({"map": "sensitivity", "map_n": "6", "map_steps": "40"}, state)
    first = maps_panel.compute_panels(request, state, [])
    again = maps_panel.compute_panels(request, state, [])
    assert again[0][2] is first[0][2]
    figure, meta = maps_panel.map_figure(request, state, first)
    panel = meta["panels"][0]
    assert panel["traces"][0] == figure["layout"]["meta"]["heatmaps"][0] and panel["x_param"] == "lr"
    assert apply_click(state, meta, {"curveNumber": panel["traces"][-1], "x": np.log10(panel["x_values"][2]),
                                     "y": panel["y_values"][3]})
    after = maps_panel.compute_panels(request, state, [])
    assert after[0][2] is first[0][2]                       # the swept values are not part of the key
    state.start = (0.5, 0.5)
    assert maps_panel.compute_panels(request, state, [])[0][2] is not first[0][2]


def test_basin_cache_ignores_the_start_but_not_the_view():
    state = himmelblau_state("adam", lr=0.3)
    request, _ = parse_request({"map": "basin", "map_grid": "10", "map_steps": "50"}, state)
    first = maps_panel.compute_panels(request, state, [])[0][2]
    state.start = (3.0, 2.0)
    assert maps_panel.compute_panels(request, state, [])[0][2] is first
    state.view = (-2.0, 2.0, -2.0, 2.0)
    assert maps_panel.compute_panels(request, state, [])[0][2].view == (-2.0, 2.0, -2.0, 2.0)


def test_csv_has_one_row_per_cell_and_panel():
    state = himmelblau_state("sgd", "adam", lr=0.01)
    request, _ = parse_request({"map": "basin", "map_runs": "0,1", "map_grid": "7", "map_steps": "20"}, state)
    panels = maps_panel.compute_panels(request, state, [])
    lines = maps_panel.csv_text(request, panels).strip().splitlines()
    assert lines[0].split(",")[:5] == ["run", "name", "x", "y", "label"]
    assert len(lines) == 1 + 2 * 49
    assert {line.split(",")[0] for line in lines[1:]} == {"1", "2"}


# ------------------------------------------------------------------ the callback over HTTP
def _compute_key() -> str:
    return next(k for k, v in app_module.app.callback_map.items() if k.startswith("..maps-result.data"))


@pytest.fixture(scope="module")
def client():
    return app_module.server.test_client()


def _post_compute(client, stored, nonce=None):
    """Ask for the map as the browser does. The map is a background callback: the first answer names
    the job (``cacheKey``, ``job``), and the same request is posted again with them until the answer
    holds the ``response`` (each poll answered at once; the job runs in its own process)."""
    key = _compute_key()
    outputs = [{"id": "maps-result", "property": "data"}, {"id": "maps-messages", "property": "children"}]
    body = json.dumps({"output": key, "outputs": outputs,
                       "inputs": [{"id": "maps-request", "property": "data",
                                   "value": {"state": stored, "nonce": nonce}}],
                       "state": [{"id": "maps-cancel", "property": "n_clicks", "value": 0}],
                       "changedPropIds": ["maps-request.data"]})
    response = client.post("/_dash-update-component", data=body, content_type="application/json")
    job = response.get_json(silent=True) if response.status_code == 200 else None
    if not (isinstance(job, dict) and "cacheKey" in job):
        return response                                    # refused (4xx), or answered from the cache
    for _ in range(600):                                   # at most 60 s of polls
        answer = response.get_json(silent=True) if response.status_code == 200 else None
        if not isinstance(answer, dict) or "response" in answer:
            return response
        time.sleep(0.1)
        response = client.post(f"/_dash-update-component?cacheKey={job['cacheKey']}&job={job['job']}",
                               data=body, content_type="application/json")
    raise AssertionError("the background map job gave no answer in 60 s")


@pytest.mark.parametrize("maps, fragment", [
    ({"map": "basin", "map_grid": "99999", "map_steps": "20"}, "outside 2 to 200"),
    ({"map": "basin", "map_grid": "200", "map_steps": "5000", "map_runs": "0,1,2,3"}, "too much work"),
    ({"map": "sensitivity", "map_x": "'; DROP", "map_n": "3", "map_steps": "5"}, "no chosen run"),
    ({"map": "volcano"}, "unknown map"),
])
def test_hostile_map_settings_get_messages_not_errors(client, maps, fragment):
    stored = to_store(default_state())
    stored["maps"] = maps
    response = _post_compute(client, stored)
    assert response.status_code == 200, response.data[:300]
    text = json.dumps(response.get_json())
    assert fragment in text and "Traceback" not in text


def test_compute_callback_answers_a_figure_and_click_metadata(client):
    stored = to_store(himmelblau_state("sgd", "adam", lr=0.01))
    stored["maps"] = {"map": "basin", "map_runs": "0,1", "map_grid": "20", "map_steps": "50"}
    out = _post_compute(client, stored).get_json()["response"]["maps-result"]["data"]
    assert out["meta"]["kind"] == "basin" and [p["run"] for p in out["meta"]["panels"]] == [0, 1]
    assert out["figure"]["layout"]["xaxis2"]["range"] == [-5.0, 5.0]


# ------------------------------------------------------------------ measured cost and the request's deadline
COSTLY_FORMULA = " + ".join(f"sin(sin(sin(sin(x + {i}*y))))" for i in range(14)) + " + sin(x*y)"


def costly_state(**maps):
    from urllib.parse import quote

    state, notices = from_query(f"?surface=custom&formula={quote(COSTLY_FORMULA)}&run=adam:lr=0.01")
    assert notices == []
    state.maps = maps
    return state


def test_a_map_of_a_costly_surface_is_refused_by_the_probe_before_computing():
    """The declared cost (the optimizer's) passes it; a probe on the surface itself measures 250x more."""
    state = costly_state(map="basin", map_grid="80", map_steps="300")
    request, messages = parse_request(state.maps, state)
    assert messages == [] and maps_panel.budget_refusal(request, state) is None
    assert maps_panel.compute_panels(request, state, messages) == []
    assert "slow to compute" in messages[0] and "at most" in messages[0] and "steps" in messages[0]
    # the probe never refuses a cheap surface's map that the declared cost accepts (nearly all the budget)
    worst = MapRequest(kind="basin", runs=(0,), grid=200, steps=1000)
    assert maps_panel.budget_refusal(worst, default_state()) is None
    assert maps_panel.measured_refusal(worst, default_state()) is None


def test_the_costliest_map_request_answers_a_message_not_a_500(client):
    for maps in ({"map": "basin", "map_grid": "200", "map_steps": "5000"},
                 {"map": "basin", "map_grid": "80", "map_steps": "300"},
                 {"map": "sensitivity", "map_n": "50", "map_steps": "5000"}):
        stored = to_store(costly_state(**maps))
        response = _post_compute(client, stored)
        assert response.status_code == 200, response.data[:300]
        text = json.dumps(response.get_json()["response"]["maps-messages"])
        assert "too much work" in text or "slow to compute" in text, text


def test_a_map_past_the_request_deadline_stops_with_the_engines_message(client, monkeypatch):
    from webapp import background

    monkeypatch.setattr(background, "JOB_SECONDS", 0.0)        # the background job's deadline (no request)
    stored = to_store(himmelblau_state("sgd", lr=0.0123))
    stored["maps"] = {"map": "basin", "map_grid": "23", "map_steps": "80"}
    response = _post_compute(client, stored, nonce=time.time_ns())    # a fresh job (results are cached by input)
    assert response.status_code == 200, response.data[:300]
    out = response.get_json()["response"]
    assert out["maps-result"]["data"]["empty"] is True
    assert "time limit" in json.dumps(out["maps-messages"])
    monkeypatch.undo()
    out = _post_compute(client, stored, nonce=time.time_ns()).get_json()["response"]   # Compute again: not cut
    assert "figure" in out["maps-result"]["data"]
