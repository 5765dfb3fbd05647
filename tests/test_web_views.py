"""The lecture views wired to the page, without a browser: URL keys, payload pieces, figures."""
from __future__ import annotations

import json

import numpy as np
import pytest

from webapp.panels.stage.render import render_page
from webapp.compute import simulate_runs
from webapp.state import from_query, from_store, to_query, to_store
from webapp.state.view_options import VIEW_KEYS, ViewOptions, view_settings
from webapp.panels.lecture.panel import settings_to_controls, toggles_to_settings
from webapp.panels.lecture.payload import inner_figure, inside_view, polyak_path, threed_figure, trajectories


def page(query: str):
    state, notices = from_query(query)
    assert notices == []
    return state, render_page(state, [])


# ------------------------------------------------------------------ URL keys
@pytest.mark.parametrize("query, expected", [
    ("view_mode=side", {"view_mode": "side"}),
    ("arrows=1&field=on&polyak=true&threed=yes&inner=1", {"arrows": "1", "field": "1", "polyak": "1",
                                                          "threed": "1", "inner": "1"}),
    ("loss_x=evals&polyak_from=25&inner_run=3", {"loss_x": "evals", "polyak_from": "25", "inner_run": "3"}),
])
def test_view_keys_round_trip_through_the_url_and_the_store(query, expected):
    state, notices = from_query("?surface=rosenbrock&" + query)
    assert notices == []
    assert state.views == expected
    again, notices = from_query(to_query(state))
    assert notices == [] and again.views == expected
    assert from_store(to_store(state))[0].views == expected


def test_invalid_view_values_get_a_notice_and_defaults_stay_out_of_the_link():
    state, notices = from_query("?view_mode=sideways&arrows=maybe&loss_x=steps&polyak_from=-3&inner_run=0"
                                "&view_mode=overlay&threed=0")
    assert len(notices) == 3 and all(n.startswith("View: ") for n in notices)
    assert "arrows='maybe'" in notices[0] and "polyak_from -3" in notices[1] and "inner_run='0'" in notices[2]
    assert state.views == {}
    assert all(key not in to_query(state) for key in VIEW_KEYS)


def test_posted_store_views_are_revalidated():
    assert view_settings({"arrows": "1", "evil": "1", "loss_x": "x" * 500, "view_mode": 3}) == {"arrows": "1"}
    assert view_settings("not a dict") == {}


def test_controls_and_settings_agree_both_ways():
    settings = toggles_to_settings({}, "side", ["arrows", "threed"], "evals", "2")
    assert settings == {"view_mode": "side", "arrows": "1", "threed": "1", "loss_x": "evals", "inner_run": "2"}
    assert settings_to_controls(settings) == ("side", ["arrows", "threed"], "evals", "2")
    options = view_settings(settings)
    assert options.side and options.arrows and options.threed and not options.field
    assert options.inner_run == 1 and options.loss_by_evals
    assert toggles_to_settings(settings, "overlay", [], "steps", "all") == {}


# ------------------------------------------------------------------ payload pieces
def test_no_view_on_leaves_the_payload_without_extras():
    _, shown = page("?steps=50")
    assert shown["payload"]["view_mode"] == "overlay"
    for run in shown["payload"]["runs"]:
        assert not {"arrows", "polyak", "loss_x"} & set(run)


def test_arrows_are_anchored_on_the_path_and_point_downhill():
    state, shown = page("?steps=60&arrows=1")
    surface = state.landscape()
    for run in shown["payload"]["runs"]:
        arrows = run["arrows"]
        assert arrows["kinds"][0] == "gradient" and arrows["kinds"][-1] == "step"
        steps = len(run["x"])
        assert all(len(tips) == steps for tips in arrows["x"] + arrows["y"])
        anchors = np.column_stack([run["x"], run["y"]])                     # (T+1, 2)
        tips = np.column_stack([arrows["x"][0], arrows["y"][0]])             # (T+1, 2)
        descent = -surface.grad(anchors)
        # the drawn -gradient arrow points where f decreases (positive dot product) wherever it is non-zero
        drawn = tips - anchors
        moving = np.linalg.norm(descent, axis=1) > 1e-6
        assert np.all(np.einsum("ij,ij->i", drawn[moving], descent[moving]) > 0)
    assert json.loads(json.dumps(shown["payload"]))  # plain JSON, no NaN


def test_arrows_show_velocity_only_for_optimizers_that_have_one():
    _, shown = page("?steps=20&arrows=1&run=sgd:lr=0.03&run=momentum:lr=0.01&run=adam:lr=0.3")
    kinds = [run["arrows"]["kinds"] for run in shown["payload"]["runs"]]
    assert kinds == [["gradient", "step"], ["gradient", "velocity", "step"], ["gradient", "velocity", "step"]]


def test_polyak_path_is_the_running_mean_from_its_start():
    path = np.array([[0.0, 0.0], [2.0, 4.0], [4.0, 2.0], [6.0, 6.0]])
    out = polyak_path(path, 1, decimals=6)
    assert out["from"] == 1
    assert out["x"] == [2.0, 3.0, 4.0] and out["y"] == [4.0, 3.0, 4.0]
    assert polyak_path(path, 99, 6)["from"] == 3          # clamped to the last point


def test_polyak_payload_in_the_page():
    _, shown = page("?steps=40&polyak=1&polyak_from=10")
    for run in shown["payload"]["runs"]:
        assert run["polyak"]["from"] == 10
        assert len(run["polyak"]["x"]) == len(run["x"]) - 10
        assert run["polyak"]["x"][0] == pytest.approx(run["x"][10], abs=1e-4)


def test_loss_by_gradient_evaluations_for_lbfgs():
    _, shown = page("?surface=rosenbrock&steps=20&loss_x=evals&run=lbfgs&run=sgd:lr=0.001")
    lbfgs, sgd = shown["payload"]["runs"]
    assert sgd["loss_x"] == list(range(len(sgd["x"])))                 # one gradient a step
    assert lbfgs["loss_x"][0] == 0 and lbfgs["loss_x"][-1] > len(lbfgs["x"]) - 1
    assert all(b >= a for a, b in zip(lbfgs["loss_x"], lbfgs["loss_x"][1:]))
    assert shown["loss"]["data"][0]["x"] == lbfgs["loss_x"]
    assert shown["loss"]["layout"]["xaxis"]["title"]["text"] == "gradient evaluations"


def test_side_by_side_map_has_one_linked_panel_per_run_and_the_paths_travel_in_the_payload():
    state, shown = page("?steps=30&view_mode=side&field=1")
    runs = len(state.runs)
    figure = shown["map"]
    assert shown["payload"]["view_mode"] == "side"
    assert figure["layout"]["meta"]["token"] == shown["payload"]["map_token"]      # the player's readiness check
    contours = [t for t in figure["data"] if t["type"] == "contour"]
    assert len(contours) == runs
    for panel in range(2, runs + 1):
        assert figure["layout"][f"xaxis{panel}"]["matches"] == "x"
        assert figure["layout"][f"yaxis{panel}"]["matches"] == "y"
    titles = [a["text"] for a in figure["layout"]["annotations"]]
    assert titles == [r["name"] for r in shown["payload"]["runs"]]
    assert "run_traces" not in figure["layout"]["meta"]                 # no run trace: the player draws them
    assert all(len(r["x"]) == 31 for r in shown["payload"]["runs"])
    fields = [t for t in figure["data"] if (t.get("meta") or {}).get("overlay") == "gradient_field"]
    assert sorted(t["xaxis"] for t in fields) == sorted(["x"] + [f"x{i}" for i in range(2, runs + 1)])


def test_gradient_field_on_the_overlay_map():
    _, plain = page("?steps=10")
    _, shown = page("?steps=10&field=1")
    assert len(shown["map"]["data"]) == len(plain["map"]["data"]) + 1
    assert shown["map"]["data"][-1]["meta"] == {"overlay": "gradient_field"}


def test_a_value_edit_with_views_on_ships_the_overlays_with_the_runs_not_the_map():
    state, shown = page("?steps=40&arrows=1&polyak=1&field=1")
    state.runs[0].hyper["lr"] = 0.02
    again = render_page(state, [], map_on_screen=shown["map_key"])
    assert "map" not in again
    assert all("arrows" in r and "polyak" in r for r in again["payload"]["runs"])
    assert again["payload"]["runs"][0]["arrows"] != shown["payload"]["runs"][0]["arrows"]
    state.views = {**state.views, "view_mode": "side"}                  # one panel per run: a new map
    assert "map" in render_page(state, [], map_on_screen=shown["map_key"])


def test_trajectories_reproduce_the_page_paths_bit_for_bit():
    state, _ = from_query("?steps=50&run=adam:lr=0.3;noise=0.5;seed=4&run=momentum:lr=0.01")
    _, results, _ = simulate_runs(state, [])
    found = trajectories(state, results)
    for result in results:
        trajectory, column = found[result.index]
        assert np.array_equal(trajectory.path[:, column], result.path)


# ------------------------------------------------------------------ cards
def test_inner_figure_for_one_run_and_for_all():
    state, _ = from_query("?steps=40&run=sgd:lr=0.03&run=adam:lr=0.3")
    _, results, _ = simulate_runs(state, [])
    one, readout = inner_figure(state, results, 0)
    assert len(readout) == 1 and readout[0]["eff_x"] is None and readout[0]["bc1"] is None
    assert len(readout[0]["grad_norm"]) == 41 and len(readout[0]["lr"]) == 40
    assert one["layout"]["shapes"] == []                    # the player draws the cursor
    both, readout = inner_figure(state, results, None)
    assert [r["optimizer"] for r in readout] == ["sgd", "adam"]
    assert readout[1]["bc1"][0] == pytest.approx(1 - 0.9)  # 1 - beta1^1
    assert "bias correction" in " ".join(both["layout"]["meta"]["rows"])
    colours = {t["line"]["color"] for t in both["data"]}
    assert colours == {readout[0]["color"], readout[1]["color"]}


def test_threed_figure_keeps_paths_inside_the_view():
    path = np.array([[0.0, 0.0], [0.5, 0.5], [5.0, 0.0], [0.0, 0.0]])
    assert inside_view(path, (-1, 1, -1, 1)).shape == (2, 2)
    state, _ = from_query("?surface=rosenbrock&steps=30")
    surface, results, _ = simulate_runs(state, [])
    figure = threed_figure(surface, state.view_box(), results)
    assert figure["data"][0]["type"] == "surface"
    x0, x1, y0, y1 = state.view_box()
    for line, marker in figure["layout"]["meta"]["run_traces"]:
        xs, ys = figure["data"][line]["x"], figure["data"][line]["y"]
        assert all(x0 <= x <= x1 for x in xs) and all(y0 <= y <= y1 for y in ys)
        assert figure["data"][marker]["mode"] == "markers"


def test_payload_stays_small_with_arrows_on():
    _, plain = page("?steps=300")
    _, shown = page("?steps=300&arrows=1")
    size = len(json.dumps(shown["payload"]))
    assert size < 4 * len(json.dumps(plain["payload"])) and size < 400_000


# ------------------------------------------------------------------ equal axes
def test_equal_axes_by_default_where_the_view_allows_it():
    _, square = page("?surface=himmelblau&steps=10")
    assert square["map"]["layout"]["yaxis"]["scaleanchor"] == "x"
    assert square["map"]["layout"]["yaxis"]["scaleratio"] == 1
    _, valley = page("?surface=ill_conditioned&steps=10")         # a 20 x 6 box: stretched to fill
    assert "scaleanchor" not in valley["map"]["layout"]["yaxis"]
    _, forced = page("?surface=ill_conditioned&steps=10&aspect=equal")
    assert forced["map"]["layout"]["yaxis"]["scaleanchor"] == "x"
    _, free = page("?surface=himmelblau&steps=10&aspect=free")
    assert "scaleanchor" not in free["map"]["layout"]["yaxis"]
    _, side = page("?surface=himmelblau&steps=10&view_mode=side")
    layout = side["map"]["layout"]
    assert layout["yaxis2"]["scaleanchor"] == "x2" and layout["yaxis"]["scaleanchor"] == "x"


def test_the_aspect_is_in_the_link_only_when_it_differs_from_the_default():
    from webapp.panels.lecture.panel import aspect_setting

    state, _ = from_query("?surface=himmelblau")
    assert "aspect" not in to_query(state)
    state.views = aspect_setting(state.views, state.view_box(), [])          # unticked: stretched
    assert "aspect=free" in to_query(state)
    state.views = aspect_setting(state.views, state.view_box(), ["equal"])   # back to the default
    assert "aspect" not in to_query(state)
    valley, _ = from_query("?surface=ill_conditioned&arrows=1")
    valley.views = aspect_setting(valley.views, valley.view_box(), ["equal"])
    assert "aspect=equal" in to_query(valley) and "arrows=1" in to_query(valley)
    _, notices = from_query("?aspect=square")
    assert notices and "aspect" in notices[0]


def test_the_aspect_is_part_of_what_the_map_depends_on():
    state, shown = page("?surface=himmelblau&steps=10")
    state.views = {"aspect": "free"}
    assert "map" in render_page(state, [], map_on_screen=shown["map_key"])
