"""Pure figure builders: the right traces, finite numbers only, small payloads."""
from __future__ import annotations

import base64
import json
import math

import numpy as np
import pytest

import landscapes
from webapp.figures import stage as figures
from webapp.panels.stage.render import render_page
from webapp.compute import simulate_runs
from webapp.state import AppState, default_run, default_state


def finite_everywhere(node) -> bool:
    """Every number in a figure dict (typed arrays decoded) is finite."""
    if isinstance(node, dict):
        if "bdata" in node and "dtype" in node:
            values = np.frombuffer(base64.b64decode(node["bdata"]), dtype=node["dtype"])
            return bool(np.all(np.isfinite(values)))
        return all(finite_everywhere(v) for v in node.values())
    if isinstance(node, (list, tuple)):
        return all(finite_everywhere(v) for v in node)
    if isinstance(node, float):
        return math.isfinite(node)
    return True


def computed(state):
    notices = []
    surface, results, steps = simulate_runs(state, notices)
    return surface, results, steps, notices


def diverging_state() -> AppState:
    state = default_state()
    state.runs = [default_run("sgd", lr=1.0), default_run("adam", color=1)]   # lr * kappa >> 2: SGD explodes
    return state


def decode(typed: dict) -> np.ndarray:
    return np.frombuffer(base64.b64decode(typed["bdata"]), dtype=typed["dtype"])


def test_map_is_a_static_contour_with_no_run_traces():
    state = default_state()
    surface, results, steps, _ = computed(state)
    fig = figures.map_figure(surface, state.view_box(), token=7)
    data = fig["data"]
    assert [t["name"] for t in data] == ["surface", "minimum", "saddle / maximum"]   # runs and start: the player's
    assert data[0]["type"] == "contour"
    z = decode(data[0]["z"])
    assert z.size == 120 * 120 and data[0]["z"]["shape"] == "120,120"
    assert "f %{z" in data[0]["hovertemplate"] and "x %{x" in data[0]["hovertemplate"]   # x, y, f anywhere
    assert data[1]["name"] == "minimum" and data[1]["x"] == [0.0] and data[1]["y"] == [0.0]
    assert fig["layout"]["meta"]["token"] == 7
    assert fig["layout"]["xaxis"]["range"] == [-10.0, 10.0]
    assert finite_everywhere(fig)
    json.dumps(fig, allow_nan=False)


def test_a_log_coloured_map_reads_out_f_itself():
    surface = landscapes.get("rosenbrock")
    fig = figures.map_figure(surface, surface.view, grid_size=30)
    contour = fig["data"][0]
    assert "%{text}" in contour["hovertemplate"] and len(contour["text"]) == 30
    xs, ys, values = surface.grid(30, surface.view)
    assert float(contour["text"][0][0]) == pytest.approx(values[0, 0], rel=1e-3)


def test_the_payload_carries_the_hover_read_out_and_the_start():
    state = default_state()
    surface, results, steps, _ = computed(state)
    payload = figures.run_payload(results, state.view_box(), steps, 3, state.start_point(), map_token=11)
    assert payload["start"] == [-8.0, 1.5] and payload["map_token"] == 11
    for run, result in zip(payload["runs"], results):
        assert run["name"] == result.label
        assert len(run["x"]) == len(run["loss"]) == steps + 1                 # read-out at every step
        np.testing.assert_allclose(run["x"], result.path[:, 0], atol=1e-3)
        np.testing.assert_allclose(run["loss"], result.loss, rtol=1e-3, atol=1e-30)


def test_a_value_edit_ships_no_map_and_a_surface_edit_does():
    state = default_state()
    first = render_page(state, [])
    assert "map" in first and first["payload"]["map_token"] == first["map"]["layout"]["meta"]["token"]
    state.runs[0].hyper["lr"] = 0.02
    state.steps = 120
    state.start = (3.0, 1.0)
    again = render_page(state, [], map_on_screen=first["map_key"])
    assert "map" not in again and again["payload"]["map_token"] == first["payload"]["map_token"]
    assert again["payload"]["start"] == [3.0, 1.0]
    state.surface_params = {**state.surface_params, "l2": 0.5}
    moved = render_page(state, [], map_on_screen=first["map_key"])
    assert "map" in moved and moved["payload"]["map_token"] != first["payload"]["map_token"]
    state.view = (-5.0, 5.0, -2.0, 2.0)
    assert "map" in render_page(state, [], map_on_screen=moved["map_key"])


def test_log_colour_surface_uses_a_log_scale():
    state = AppState(surface="rosenbrock", surface_params={"l2": 0.0}, runs=[default_run("adam")])
    surface, results, _, _ = computed(state)
    assert surface.log_color
    fig = figures.map_figure(surface, state.view_box())
    assert "log" in fig["data"][0]["colorbar"]["title"]["text"]
    z = np.frombuffer(base64.b64decode(fig["data"][0]["z"]["bdata"]), dtype="<f4")
    _, _, values = surface.grid(120)
    assert z.max() - z.min() < 10 < values.max() - values.min()     # decades, not raw values


def test_payload_carries_full_finite_paths_even_when_a_run_diverges():
    state = diverging_state()
    surface, results, steps, _ = computed(state)
    assert results[0].diverged_at > 0
    payload = figures.run_payload(results, state.view_box(), steps, 3, state.start_point())
    assert payload["token"] == 3 and payload["steps"] == steps
    for run, result in zip(payload["runs"], results):
        assert len(run["x"]) == len(run["y"]) == len(run["loss"]) == steps + 1
        assert run["x"][0] == -8.0 and run["y"][0] == 1.5
    assert payload["runs"][0]["diverged_at"] == results[0].diverged_at
    assert payload["runs"][1]["diverged_at"] is None
    assert finite_everywhere(payload)
    json.dumps(payload, allow_nan=False)


def test_loss_figure_is_logarithmic_with_one_line_per_run():
    state = default_state()
    surface, results, steps, _ = computed(state)
    fig = figures.loss_figure(surface, results, steps)
    assert fig["layout"]["yaxis"]["type"] == "log"
    assert len(fig["data"]) == len(results)
    assert [trace["name"] for trace in fig["data"]] == [r.label for r in results]
    assert all(len(trace["y"]) == steps + 1 for trace in fig["data"])
    assert all(min(trace["y"]) >= figures.LOSS_FLOOR for trace in fig["data"])
    assert finite_everywhere(fig)


def test_loss_figure_is_linear_for_a_surface_with_negative_values_and_no_minimum():
    state = AppState(surface="saddle", surface_params={"l2": 0.0}, runs=[default_run("sgd")])
    surface, results, steps, _ = computed(state)
    assert surface.global_minimum is None
    assert figures.loss_figure(surface, results, steps)["layout"]["yaxis"]["type"] == "linear"


def test_hidden_runs_keep_their_place_but_are_invisible():
    state = default_state()
    state.runs[2].visible = False
    surface, results, steps, _ = computed(state)
    payload = figures.run_payload(results, state.view_box(), steps, 0, state.start_point())
    assert payload["runs"][2]["visible"] is False and payload["runs"][1]["visible"] is True
    assert figures.loss_figure(surface, results, steps)["data"][2]["visible"] is False


def test_default_view_response_is_small():
    page = render_page(default_state(), [])
    from plotly.io.json import to_json_plotly

    body = to_json_plotly({k: page[k] for k in ("map", "loss", "table", "payload", "notices", "query")})
    assert len(body) <= 300 * 1024


def test_rounding_keeps_paths_well_below_a_pixel():
    view = (-10.0, 10.0, -3.0, 3.0)
    decimals = figures.coordinate_decimals(view)
    assert 10.0 ** -decimals <= 20 / 1e5
    assert figures.round_significant([1.23456789e-7, 0.0, float("inf")]) == [1.235e-7, 0.0, 1e300]


@pytest.mark.parametrize("name", landscapes.names())
def test_every_surface_renders(name):
    state = AppState(surface=name, surface_params={p.name: p.default for p in landscapes.schema(name)},
                     runs=[default_run("adam"), default_run("sgd", color=1)], steps=50)
    page = render_page(state, [])
    assert page["map"]["data"][0]["type"] == "contour"
    assert finite_everywhere(page["map"]) and finite_everywhere(page["payload"])
