"""Figure builders for the "inside the optimizer" views (webapp/views*.py), on real trajectories.

Expected values are computed here by hand from the lecture's formulas and the
recorded paths, never copied from the builders' output.
"""
from __future__ import annotations

import base64
import math
import re

import numpy as np
import plotly.graph_objects as go
import pytest

import landscapes
import optimizers
from webapp.figures.run_view import RunView, as_run_views
from webapp.figures.encode import log_colour
from webapp.figures.lecture_maps import gradient_field_trace, small_multiples_figure, small_multiples_run_traces, surface_3d_figure
from webapp.figures.inner_state import CURSOR_SHAPE, arrow_scale, arrow_traces, inner_state_figure, inner_state_series, loss_axis, polyak_traces, rule_markdown, state_arrows
from webapp.state import PALETTE

STEPS = 60
ROSENBROCK = landscapes.get("rosenbrock")
VALLEY = landscapes.get("ill_conditioned", kappa=20)

# name -> (hyperparameters, surface): real runs of the optimizers the app teaches with
CASES = {
    "sgd": ({"lr": 0.02}, VALLEY),
    "momentum": ({"lr": 0.02}, VALLEY),
    "adam": ({"lr": 0.1}, ROSENBROCK),
    "rmsprop": ({"lr": 0.02}, ROSENBROCK),
    "lbfgs": ({"lr": 1.0}, ROSENBROCK),
    "newton": ({"lr": 1.0}, ROSENBROCK),
}


def simulate(name, steps=STEPS, starts=None, **extra):
    hyper, surface = CASES.get(name, ({}, ROSENBROCK))
    if starts is None:
        starts = [list(surface.start), [surface.start[0] * 0.5, surface.start[1] * 0.7]]
    return optimizers.simulate(surface, optimizers.get(name, **{**hyper, **extra}), np.array(starts, float), steps)


@pytest.fixture(scope="module")
def runs():
    return {name: simulate(name) for name in CASES}


# ------------------------------------------------------------------ what goes to the browser
def decode(typed: dict) -> np.ndarray:
    assert typed["dtype"] == "f4"
    values = np.frombuffer(base64.b64decode(typed["bdata"]), dtype="<f4")
    shape = tuple(int(n) for n in typed["shape"].split(",")) if typed.get("shape") else values.shape
    return values.reshape(shape)


def assert_browser_safe(value, where="figure", allow_none=True):
    """Only plain JSON types; every number finite; typed arrays decode to finite values."""
    if isinstance(value, dict):
        if "bdata" in value:
            assert np.all(np.isfinite(decode(value))), f"non-finite typed array at {where}"
            return
        for key, item in value.items():
            assert isinstance(key, str), where
            assert_browser_safe(item, f"{where}.{key}", allow_none)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            assert_browser_safe(item, f"{where}[{i}]", allow_none)
    elif isinstance(value, bool) or isinstance(value, str):
        return
    elif value is None:
        assert allow_none, f"None at {where}"
    elif isinstance(value, (int, float)):
        assert type(value) in (int, float), f"numpy scalar {type(value)} at {where}"
        assert math.isfinite(value), f"{value} at {where}"
    else:
        raise AssertionError(f"{type(value).__name__} at {where} (numpy arrays and tuples are not promised lists)")


def assert_valid_plotly(figure: dict):
    """plotly's own validators accept every property (raises on an unknown or invalid one)."""
    go.Figure(figure)


def axis_values(figure, trace_index, axis="x"):
    values = figure["data"][trace_index][axis]
    return decode(values) if isinstance(values, dict) else np.array(values, dtype=float)


# ------------------------------------------------------------------ inner state series
@pytest.mark.parametrize("name", list(CASES))
def test_series_shapes_and_exact_quantities(runs, name):
    trajectory = runs[name]
    for run in range(trajectory.n_runs):
        series = inner_state_series(trajectory, run)
        path = trajectory.path[:, run]
        T = trajectory.steps
        assert series["path"].shape == series["gradient"].shape == series["step"].shape == (T + 1, 2)
        assert series["lr"].shape == series["step_length"].shape == series["update"].shape == (T,)
        np.testing.assert_array_equal(series["update"], np.arange(1, T + 1))
        # the gradient is the surface's, at the recorded point
        np.testing.assert_allclose(series["gradient"], trajectory.landscape.grad(path), rtol=0, atol=0)
        # the step actually taken from point t lands on point t+1
        np.testing.assert_allclose(path[:-1] + series["step"][:-1], path[1:], rtol=0, atol=1e-12)
        np.testing.assert_array_equal(series["step"][-1], [0.0, 0.0])
        np.testing.assert_allclose(series["step_length"], np.hypot(*(path[1:] - path[:-1]).T), atol=1e-15)
        np.testing.assert_allclose(series["grad_norm"], np.hypot(*series["gradient"].T))
        np.testing.assert_array_equal(series["lr"], trajectory.lr[:, run])


EXPECTED_VELOCITY = {"sgd": None, "momentum": "momentum_buffer", "adam": "exp_avg", "rmsprop": None,
                     "lbfgs": None, "newton": None}


@pytest.mark.parametrize("name", list(CASES))
def test_velocity_is_the_optimizers_first_moment_state(runs, name):
    series = inner_state_series(runs[name], 1)
    assert series["velocity_key"] == EXPECTED_VELOCITY[name]
    if EXPECTED_VELOCITY[name] is None:
        assert series["velocity"] is None
    else:
        np.testing.assert_array_equal(series["velocity"], runs[name].state[EXPECTED_VELOCITY[name]][:, 1])


def test_rmsprop_with_momentum_has_a_velocity():
    trajectory = simulate("rmsprop", momentum=0.8)
    series = inner_state_series(trajectory)
    assert series["velocity_key"] == "momentum_buffer"
    np.testing.assert_array_equal(series["velocity"], trajectory.state["momentum_buffer"][:, 0])


def test_per_run_momentum_zero_has_no_velocity_but_the_other_run_does():
    trajectory = optimizers.simulate(VALLEY, optimizers.get("sgd", lr=0.02, momentum=np.array([0.0, 0.9])),
                                     np.array([VALLEY.start, VALLEY.start], float), 20)
    assert inner_state_series(trajectory, 0)["velocity"] is None
    assert inner_state_series(trajectory, 1)["velocity_key"] == "momentum_buffer"


def test_momentum_step_is_the_sum_of_carried_velocity_and_fresh_gradient(runs):
    """The lecture's picture: step = -lr (rho v_t + g_t); the first step is -lr g_0 (torch: buffer = g)."""
    series = inner_state_series(runs["momentum"])
    lr, rho = 0.02, 0.9
    g, v, step = series["gradient"], series["velocity"], series["step"]
    np.testing.assert_allclose(step[0], -lr * g[0], rtol=1e-12)
    np.testing.assert_allclose(step[1:-1], -lr * (rho * v[1:-1] + g[1:-1]), rtol=1e-10, atol=1e-14)


def test_adam_effective_lr_and_bias_corrections_by_hand(runs):
    """Rebuild m, v from the recorded gradients; effective lr = lr / (sqrt(v_hat) + eps); step = -eff * m_hat."""
    series = inner_state_series(runs["adam"])
    lr, beta1, beta2, eps = 0.1, 0.9, 0.999, 1e-8
    m = np.zeros(2)
    v = np.zeros(2)
    for t in range(1, 8):
        g = series["gradient"][t - 1]                     # update t uses the gradient at point t-1
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
        effective = lr / (np.sqrt(v_hat) + eps)
        np.testing.assert_allclose(series["effective_lr"][t - 1], effective, rtol=1e-9)
        np.testing.assert_allclose(series["step"][t - 1], -effective * m_hat, rtol=1e-9, atol=1e-15)
        np.testing.assert_allclose(series["velocity"][t], m, rtol=1e-9)
    t = np.arange(1, STEPS + 1)
    np.testing.assert_allclose(series["bias_correction"]["beta1"], 1 - 0.9 ** t, rtol=1e-14)
    np.testing.assert_allclose(series["bias_correction"]["beta2"], 1 - 0.999 ** t, rtol=1e-14)


def test_rmsprop_effective_lr_by_hand(runs):
    series = inner_state_series(runs["rmsprop"])
    v = np.zeros(2)
    for t in range(1, 6):
        g = series["gradient"][t - 1]
        v = 0.99 * v + 0.01 * g * g
        np.testing.assert_allclose(series["effective_lr"][t - 1], 0.02 / (np.sqrt(v) + 1e-8), rtol=1e-9)
    assert series["bias_correction"] is None


def test_per_run_betas_and_almost_adam():
    trajectory = optimizers.simulate(ROSENBROCK, optimizers.get("adam", lr=0.05, beta1=np.array([0.9, 0.5])),
                                     np.array([ROSENBROCK.start] * 2, float), 10)
    t = np.arange(1, 11)
    np.testing.assert_allclose(inner_state_series(trajectory, 1)["bias_correction"]["beta1"], 1 - 0.5 ** t)
    almost = optimizers.simulate(ROSENBROCK, optimizers.get("adam", lr=0.05, bias_correction=False),
                                 np.array([ROSENBROCK.start], float), 10)
    series = inner_state_series(almost)
    assert series["bias_correction"] is None
    v = (1 - 0.999) * series["gradient"][0] ** 2                      # v_1 without correction
    np.testing.assert_allclose(series["effective_lr"][0], 0.05 / (np.sqrt(v) + 1e-8), rtol=1e-9)


@pytest.mark.parametrize("name", ["sgd", "momentum", "lbfgs", "newton"])
def test_non_adaptive_methods_have_no_effective_lr_or_bias(runs, name):
    series = inner_state_series(runs[name])
    assert series["effective_lr"] is None and series["bias_correction"] is None


def test_series_rejects_a_missing_run(runs):
    with pytest.raises(ValueError, match="run"):
        inner_state_series(runs["sgd"], 2)


# ------------------------------------------------------------------ the panel over time
ROWS = {"sgd": 3, "momentum": 3, "adam": 5, "rmsprop": 4, "lbfgs": 3, "newton": 3}


@pytest.mark.parametrize("name", list(CASES))
def test_inner_state_figure(runs, name):
    series = inner_state_series(runs[name])
    figure = inner_state_figure(series, PALETTE[2], step=7)
    assert_browser_safe(figure)
    assert_valid_plotly(figure)
    rows = ROWS[name]
    assert len(figure["layout"]["meta"]["rows"]) == rows
    y_axes = [key for key in figure["layout"] if key.startswith("yaxis")]
    assert len(y_axes) == rows
    for index in range(2, rows + 1):
        assert figure["layout"][f"xaxis{index}"]["matches"] == "x"
    cursor = figure["layout"]["shapes"][CURSOR_SHAPE]
    assert cursor["xref"] == "x" and cursor["yref"] == "paper" and cursor["x0"] == cursor["x1"] == 7
    assert cursor["y0"] == 0 and cursor["y1"] == 1
    for trace in figure["data"]:
        assert trace["line"]["color"] == PALETTE[2]
        axis = trace["yaxis"].replace("y", "yaxis")
        if figure["layout"][axis]["type"] == "log":
            assert all(y > 0 for y in trace["y"])
        assert len(trace["x"]) == len(trace["y"])
        assert all(isinstance(x, int) and 0 <= x <= STEPS for x in trace["x"])
    # the first row is the gradient norm, point by point
    grad_norm = np.hypot(*series["gradient"].T)
    positive = grad_norm > 0
    np.testing.assert_allclose(figure["data"][0]["y"], grad_norm[positive], rtol=1e-3)


def test_inner_state_figure_rows_for_adam_hold_both_bias_factors(runs):
    figure = inner_state_figure(inner_state_series(runs["adam"]), "#000000")
    names = [trace["name"] for trace in figure["data"]]
    assert names.count("effective lr (x)") == 1 and names.count("effective lr (y)") == 1
    beta1 = next(trace for trace in figure["data"] if trace["name"] == "1\u2212\u03b2\u2081\u1d57")
    np.testing.assert_allclose(beta1["y"], 1 - 0.9 ** np.array(beta1["x"], float), rtol=1e-3)


# ------------------------------------------------------------------ arrows
def arrow_vectors(arrows, kind):
    arrow = next(a for a in arrows["arrows"] if a["kind"] == kind)
    return np.c_[arrow["x"], arrow["y"]] - np.c_[arrows["x"], arrows["y"]]


def assert_parallel(drawn, expected, atol):
    """Same direction and sense (zero stays zero), row by row."""
    cross = drawn[:, 0] * expected[:, 1] - drawn[:, 1] * expected[:, 0]
    scale = np.linalg.norm(drawn, axis=1) * np.linalg.norm(expected, axis=1)
    assert np.all(np.abs(cross) <= atol * np.maximum(scale, 1e-300) + 1e-9)
    assert np.all(np.sum(drawn * expected, axis=1) >= -1e-12)


@pytest.mark.parametrize("name", list(CASES))
def test_state_arrows_point_along_the_states(runs, name):
    series = inner_state_series(runs[name])
    scale = arrow_scale(runs[name].landscape.view)
    arrows = state_arrows(series, scale, compress=False, decimals=12)
    assert_browser_safe(arrows)
    kinds = [a["kind"] for a in arrows["arrows"]]
    assert kinds == (["gradient", "velocity", "step"] if series["velocity"] is not None else ["gradient", "step"])
    for arrow in arrows["arrows"]:
        assert len(arrow["x"]) == len(arrow["y"]) == STEPS + 1
        assert arrow["color"].startswith("#") and arrow["name"]
    np.testing.assert_allclose(np.c_[arrows["x"], arrows["y"]], series["path"], atol=1e-12)
    assert_parallel(arrow_vectors(arrows, "gradient"), -series["gradient"], 1e-6)
    assert_parallel(arrow_vectors(arrows, "step"), series["step"], 1e-6)
    if series["velocity"] is not None:
        # velocity and gradient share one reference: linear arrows are -state / reference, for both
        drawn_v, drawn_g = arrow_vectors(arrows, "velocity"), arrow_vectors(arrows, "gradient")
        assert arrows["references"]["velocity"] == arrows["references"]["gradient"]
        factor = 1.0 / arrows["references"]["velocity"]
        np.testing.assert_allclose(drawn_v, -series["velocity"] * factor, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(drawn_g, -series["gradient"] * factor, rtol=1e-8, atol=1e-10)


def test_step_arrow_true_size_lands_on_the_next_point(runs):
    series = inner_state_series(runs["momentum"])
    arrows = state_arrows(series, 0.5, step_true_size=True, decimals=12)
    step = next(a for a in arrows["arrows"] if a["kind"] == "step")
    path = series["path"]
    np.testing.assert_allclose(np.c_[step["x"], step["y"]][:-1], path[1:], atol=1e-11)
    np.testing.assert_allclose(arrow_vectors(arrows, "step"), series["step"], atol=1e-11)


def test_compressed_arrow_lengths_are_monotone_and_bounded(runs):
    series = inner_state_series(runs["adam"])     # Rosenbrock: gradients span decades
    scale = (0.4, 0.5)
    arrows = state_arrows(series, scale, decimals=12)
    drawn = arrow_vectors(arrows, "gradient") / np.asarray(scale)
    lengths = np.linalg.norm(drawn, axis=1)
    norms = np.linalg.norm(series["gradient"] / np.asarray(scale), axis=1)
    order = np.argsort(norms)
    assert np.all(np.diff(lengths[order]) >= -1e-9)
    assert lengths.max() < 2.0 and lengths[norms > 0].min() > 0
    r = norms / arrows["references"]["gradient"]
    np.testing.assert_allclose(lengths, 2 * r / (1 + r), rtol=1e-7)


def test_zero_vectors_stay_at_the_anchor(runs):
    series = inner_state_series(runs["momentum"])
    arrows = state_arrows(series, 1.0, decimals=12)
    np.testing.assert_array_equal(arrow_vectors(arrows, "velocity")[0], [0.0, 0.0])   # v_0 = 0
    np.testing.assert_array_equal(arrow_vectors(arrows, "step")[-1], [0.0, 0.0])      # no step after T
    with pytest.raises(ValueError, match="scale"):
        state_arrows(series, 0.0)


def test_arrow_traces_at_a_step(runs):
    series = inner_state_series(runs["momentum"])
    arrows = state_arrows(series, arrow_scale(VALLEY.view))
    traces = arrow_traces(arrows, step=5)
    assert len(traces) == 3
    for trace, arrow in zip(traces, arrows["arrows"]):
        assert trace["type"] == "scatter" and trace["mode"] == "lines+markers"
        assert trace["marker"]["symbol"] == "arrow" and trace["marker"]["angleref"] == "previous"
        assert trace["marker"]["size"][0] == 0 and trace["marker"]["size"][1] > 0   # a head only at the tip
        assert trace["x"] == [arrows["x"][5], arrow["x"][5]] and trace["y"] == [arrows["y"][5], arrow["y"][5]]
        assert trace["line"]["color"] == arrow["color"]
    figure = {"data": traces, "layout": {}}
    assert_browser_safe(figure)
    assert_valid_plotly(figure)                   # plotly 7 knows marker.angleref
    assert arrow_traces(arrows, step=10_000)[0]["x"][0] == arrows["x"][-1]


# ------------------------------------------------------------------ gradient field
@pytest.mark.parametrize("surface", [ROSENBROCK, VALLEY, landscapes.get("saddle")], ids=lambda s: s.name)
def test_gradient_field_arrows(surface):
    view = surface.view
    n = 15
    trace = gradient_field_trace(surface, view, n=n)
    assert_browser_safe({"data": [trace]})
    assert_valid_plotly({"data": [trace]})
    x, y = trace["x"], trace["y"]
    assert len(x) == len(y) == len(trace["marker"]["size"]) and len(x) % 3 == 0
    assert x[2::3] == [None] * (len(x) // 3) and y[2::3] == [None] * (len(y) // 3)
    assert len(x) // 3 >= n * n - 2                      # at most a few exact critical points are skipped
    tails = np.c_[x[0::3], y[0::3]].astype(float)
    tips = np.c_[x[1::3], y[1::3]].astype(float)
    cell = np.array([(view[1] - view[0]) / n, (view[3] - view[2]) / n])
    assert np.all((tails >= [view[0], view[2]]) & (tails <= [view[1], view[3]]))
    descent = -surface.grad(tails)
    assert_parallel(tips - tails, descent, 1e-3)
    lengths = np.linalg.norm((tips - tails) / cell, axis=1)    # in cells
    assert lengths.min() >= 0.3 - 1e-3 and lengths.max() <= 0.9 + 1e-3
    norms = np.linalg.norm(descent, axis=1)
    order = np.argsort(norms)
    assert np.all(np.diff(lengths[order]) >= -1e-3)          # steeper, longer
    assert trace["marker"]["size"][1::3] == [trace["marker"]["size"][1]] * (len(x) // 3)


def test_gradient_field_is_readable_on_rosenbrock():
    """Gradients span orders of magnitude there; the log length keeps both walls and valley visible."""
    trace = gradient_field_trace(ROSENBROCK, ROSENBROCK.view, n=21)
    tails = np.c_[trace["x"][0::3], trace["y"][0::3]].astype(float)
    norms = np.linalg.norm(ROSENBROCK.grad(tails), axis=1)
    assert norms.max() / norms.min() > 1e3
    cell = np.array([4 / 21, 4 / 21])
    lengths = np.linalg.norm((np.c_[trace["x"][1::3], trace["y"][1::3]] - tails) / cell, axis=1)
    assert np.ptp(lengths) > 0.4


# ------------------------------------------------------------------ 3D surface
def test_surface_3d_figure(runs):
    trajectory = runs["adam"]
    figure = surface_3d_figure(ROSENBROCK, ROSENBROCK.view, [trajectory], step=20, grid_size=40)
    assert_browser_safe(figure)
    assert_valid_plotly(figure)
    data = figure["data"]
    assert [t["type"] for t in data] == ["surface", "scatter3d"] + ["scatter3d"] * 4
    assert figure["layout"]["meta"]["run_traces"] == [[2, 3], [4, 5]]
    surface = data[0]
    z = decode(surface["z"])
    assert z.shape == (40, 40)
    for run in range(2):
        line, marker = data[2 + 2 * run], data[3 + 2 * run]
        assert line["mode"] == "lines" and marker["mode"] == "markers"
        assert line["line"]["color"] == marker["marker"]["color"] == PALETTE[run]
        path = np.c_[line["x"], line["y"]]
        assert len(path) == STEPS + 1
        heights = ROSENBROCK.value(path)
        assert np.all(np.array(line["z"]) >= heights)                    # on top of the surface
        assert np.all(np.array(line["z"]) - heights <= 0.05 * np.ptp(z))   # ... and close to it
        assert marker["x"] == [line["x"][20]] and marker["z"] == [line["z"][20]]
    scene = figure["layout"]["scene"]
    assert scene["xaxis"]["range"] == [-2.0, 2.0] and scene["aspectmode"] == "manual"
    assert set(scene["camera"]["eye"]) == {"x", "y", "z"}


def test_surface_3d_log_colour_is_monotone_in_height():
    figure = surface_3d_figure(ROSENBROCK, ROSENBROCK.view, [], grid_size=40)
    z, colour = decode(figure["data"][0]["z"]).ravel(), decode(figure["data"][0]["surfacecolor"]).ravel()
    order = np.argsort(z, kind="stable")
    assert np.all(np.diff(colour[order]) >= -1e-4)              # float32 rounding only
    assert np.ptp(colour) < 12 and np.ptp(z) > 1000              # log compresses the range
    bar = figure["data"][0]["colorbar"]
    assert bar["tickvals"] == sorted(bar["tickvals"]) and len(bar["tickvals"]) == len(bar["ticktext"]) >= 3
    assert all(colour.min() <= v <= colour.max() for v in bar["tickvals"])
    # a surface without log colour is coloured by its height
    plain = surface_3d_figure(VALLEY, VALLEY.view, [], grid_size=20)["data"][0]
    np.testing.assert_allclose(decode(plain["surfacecolor"]), decode(plain["z"]))


def test_log_colour_is_strictly_increasing():
    values = np.array([0.0, 1e-9, 1e-3, 1.0, 10.0, 1e4])
    shown = log_colour(values)
    assert np.all(np.diff(shown) > 0) and np.all(np.isfinite(shown))


# ------------------------------------------------------------------ small multiples
def test_small_multiples_figure(runs):
    trajectory_runs = [runs["sgd"], runs["momentum"]]          # 4 runs: two per trajectory
    figure = small_multiples_figure(VALLEY, VALLEY.view, trajectory_runs, step=0, grid_size=30, token=7)
    assert_browser_safe(figure)
    assert_valid_plotly(figure)
    data, layout = figure["data"], figure["layout"]
    panels = 4
    assert len(data) == 4 * panels
    assert [t["type"] for t in data[:panels]] == ["contour"] * panels
    first = decode(data[0]["z"])
    for i in range(panels):
        np.testing.assert_array_equal(decode(data[i]["z"]), first)   # the same contour in every panel
        suffix = "" if i == 0 else str(i + 1)
        assert data[i]["xaxis"] == f"x{suffix}" and data[panels + i]["yaxis"] == f"y{suffix}"
    # linked zoom: every axis matches the first
    for i in range(2, panels + 1):
        assert layout[f"xaxis{i}"]["matches"] == "x" and layout[f"yaxis{i}"]["matches"] == "y"
    assert layout["meta"]["token"] == 7 and layout["meta"]["first_run_trace"] == 2 * panels
    assert layout["meta"]["run_traces"] == small_multiples_run_traces(panels)
    titles = [a["text"] for a in layout["annotations"]]
    assert titles == ["SGD #1", "SGD #2", "Momentum #1", "Momentum #2"]
    paths = [trajectory_runs[0].path[:, 0], trajectory_runs[0].path[:, 1],
             trajectory_runs[1].path[:, 0], trajectory_runs[1].path[:, 1]]
    for i, (line_index, marker_index) in enumerate(layout["meta"]["run_traces"]):
        line, marker = data[line_index], data[marker_index]
        suffix = "" if i == 0 else str(i + 1)
        assert line["mode"] == "lines" and marker["mode"] == "markers"
        assert line["xaxis"] == marker["xaxis"] == f"x{suffix}"
        assert line["line"]["color"] == marker["marker"]["color"] == PALETTE[i]
        assert isinstance(line["x"], list) and line["x"] == marker["x"]        # step 0: the start
        np.testing.assert_allclose([line["x"][0], line["y"][0]], paths[i][0], atol=1e-4)


def test_small_multiples_grid_shapes(runs):
    for count, (rows, cols) in {1: (1, 1), 2: (1, 2), 3: (1, 3), 4: (2, 2), 5: (2, 3), 7: (3, 3)}.items():
        run_views = [RunView(f"run {i}", "#000000", runs["sgd"].path[:, 0]) for i in range(count)]
        layout = small_multiples_figure(VALLEY, VALLEY.view, run_views, grid_size=10)["layout"]
        x_domains = {tuple(layout[k]["domain"]) for k in layout if k.startswith("xaxis")}
        y_domains = {tuple(layout[k]["domain"]) for k in layout if k.startswith("yaxis")}
        assert (len(y_domains), len(x_domains)) == (rows, cols), count
    layout = small_multiples_figure(VALLEY, VALLEY.view, run_views[:4], columns=4, grid_size=10)["layout"]
    assert len({tuple(layout[k]["domain"]) for k in layout if k.startswith("yaxis")}) == 1


def test_small_multiples_full_path_at_the_last_step(runs):
    figure = small_multiples_figure(ROSENBROCK, ROSENBROCK.view, [runs["adam"]], step=STEPS, grid_size=10)
    line = figure["data"][figure["layout"]["meta"]["run_traces"][0][0]]
    assert len(line["x"]) == STEPS + 1


# ------------------------------------------------------------------ Polyak, loss axis, rule
def test_polyak_traces_are_running_means(runs):
    trajectory = runs["momentum"]
    for start in (0, 10):
        traces = polyak_traces(trajectory, start=start, colors=["#111111", "#222222"])
        assert_browser_safe({"data": traces})
        assert_valid_plotly({"data": traces})
        assert len(traces) == trajectory.n_runs
        for run, trace in enumerate(traces):
            assert trace["line"]["dash"] == "dash" and trace["line"]["color"] == ["#111111", "#222222"][run]
            path = trajectory.path[:, run]
            expected = path.copy()
            for t in range(start, len(path)):
                expected[t] = path[start:t + 1].mean(axis=0)
            np.testing.assert_allclose(np.c_[trace["x"], trace["y"]], expected, atol=1e-6)
    assert polyak_traces(trajectory)[1]["line"]["color"] == PALETTE[1]


def test_loss_axis_by_steps_and_evaluations(runs):
    for name in CASES:
        steps = loss_axis(runs[name], "steps")
        assert steps["title"] == "step" and steps["x"] == [list(range(STEPS + 1))] * 2
        evals = loss_axis(runs[name], "evals")
        assert_browser_safe(evals)
        for x in evals["x"]:
            assert x[0] == 0 and all(b >= a for a, b in zip(x, x[1:]))
    lbfgs = loss_axis(runs["lbfgs"], by="evals")["x"][0]
    assert lbfgs[-1] > STEPS and lbfgs[1] > 1                      # line search / inner iterations count
    assert loss_axis(runs["newton"], by="evals")["x"][0][-1] >= 1
    assert loss_axis(runs["sgd"], by="evals")["x"][0] == list(range(STEPS + 1))
    with pytest.raises(ValueError):
        loss_axis(runs["sgd"], by="seconds")


def display_blocks(markdown):
    return re.findall(r"\$\$\n(.*?)\n\$\$", markdown, flags=re.S)


@pytest.mark.parametrize("name", optimizers.names())
def test_rule_markdown_is_display_math_with_balanced_braces(name):
    optimizer = optimizers.get(name)
    markdown = rule_markdown(optimizer)
    assert markdown.startswith(f"**{optimizer.label}**")
    assert markdown.count("$$") % 2 == 0
    blocks = display_blocks(markdown)
    assert blocks, markdown
    for block in blocks:
        depth = 0
        for char in block:
            depth += (char == "{") - (char == "}")
            assert depth >= 0
        assert depth == 0 and block.count("(") == block.count(")")
    assert "\\\\" not in markdown                  # no LaTeX line breaks Markdown could eat
    # every equation of the rule survives the split, in order
    def bare(text):
        return re.sub(r",|\\quad|\\ | ", "", text)

    assert bare("".join(blocks)) == bare(optimizer.rule)


def test_rule_markdown_names_symbols_with_values():
    adam = rule_markdown(optimizers.get("adam", lr=0.05))
    assert len(display_blocks(adam)) == 3                          # m, v, x updates on their own lines
    assert r"$\alpha$ = lr = 0.05" in adam and r"$\beta_2$ = beta2 = 0.999" in adam
    assert r"$\epsilon$ = eps = 1e-8" in adam
    rmsprop = rule_markdown(optimizers.get("rmsprop", lr=0.02))
    assert r"$\eta$ = lr = 0.02" in rmsprop and r"$\alpha$ = alpha = 0.99" in rmsprop
    sweep = rule_markdown(optimizers.get("momentum", lr=np.array([0.1, 0.01])))
    assert "lr = 0.01, 0.1" in sweep
    newton = rule_markdown(optimizers.get("newton"))
    assert len(display_blocks(newton)) == 1                       # the parenthesised note stays whole


# ------------------------------------------------------------------ divergence and odd inputs
def test_a_diverged_run_gives_finite_figures():
    trajectory = optimizers.simulate(ROSENBROCK, optimizers.get("sgd", lr=0.05), np.array([ROSENBROCK.start]), 40)
    assert trajectory.diverged_at[0] >= 0
    series = inner_state_series(trajectory)
    assert series["diverged_at"] == trajectory.diverged_at[0]
    assert_browser_safe(inner_state_figure(series))
    arrows = state_arrows(series, arrow_scale(ROSENBROCK.view))
    assert_browser_safe(arrows)
    assert_browser_safe({"data": arrow_traces(arrows, 39)})
    assert_browser_safe(surface_3d_figure(ROSENBROCK, ROSENBROCK.view, [trajectory], grid_size=20))
    assert_browser_safe(small_multiples_figure(ROSENBROCK, ROSENBROCK.view, [trajectory], grid_size=20))
    assert_browser_safe({"data": polyak_traces(trajectory)})


def test_run_views_from_app_results_and_dicts():
    class Spec:
        color, visible = 3, False

    class Result:
        label, spec, path = "Adam lr=0.1", Spec(), np.zeros((4, 2))

    run_views = as_run_views([Result(), {"name": "mine", "path": [[0, 0], [1, 1]]}])
    assert run_views[0] == RunView("Adam lr=0.1", PALETTE[3], run_views[0].path, False)
    assert run_views[1].name == "mine" and run_views[1].color == PALETTE[1] and run_views[1].path.shape == (2, 2)
    figure = surface_3d_figure(VALLEY, VALLEY.view, run_views, grid_size=10)
    assert figure["data"][2]["visible"] is False and figure["data"][2]["name"] == "Adam lr=0.1"
