"""Per-run scalar state over time (the optimizer class's ``state_series``): Prodigy's distance estimate d,
ASGD's eta and mu, drawn as rows of the inner-state panel; every other optimizer declares none."""
from __future__ import annotations

import numpy as np
import pytest

import landscapes
import optimizers
from optimizers.base import optimizer_class
from webapp.figures.inner_state import inner_state_figure, inner_state_series


@pytest.fixture(scope="module")
def valley():
    return landscapes.get("ill_conditioned")


def rows_of(figure) -> list:
    return figure["layout"]["meta"]["rows"]


def test_every_state_series_key_is_a_recorded_state_key():
    for name in optimizers.names():
        cls = optimizer_class(name)
        assert set(cls.state_series) <= set(cls.state_keys), name
    assert set(optimizer_class("prodigy").state_series) == {"d"}
    assert set(optimizer_class("asgd").state_series) == {"eta", "mu"}
    assert optimizer_class("adam").state_series == {}


def test_prodigys_distance_estimate_is_a_row_and_grows_from_d0(valley):
    trajectory = optimizers.simulate(valley, optimizers.get("prodigy"), np.array([valley.start]), 100)
    series = inner_state_series(trajectory)
    (title, d), = series["state_series"].items()
    assert title.startswith("distance estimate d")
    np.testing.assert_array_equal(d, trajectory.state["d"][:, 0, 0])
    assert d[0] == pytest.approx(1e-6) and d[-1] > 100 * d[0]           # d0 = 1e-6, then it grows
    figure = inner_state_figure(series)
    assert title in rows_of(figure) and rows_of(figure)[-1] == "learning rate (schedule)"
    trace = next(t for t in figure["data"] if t["name"] == title)
    assert trace["y"][-1] == pytest.approx(float(d[-1]), rel=1e-3)


def test_asgds_eta_and_mu_are_rows_with_the_documented_values(valley):
    optimizer = optimizers.get("asgd", lr=0.01, lambd=1e-2, alpha=0.75, t0=20)
    trajectory = optimizers.simulate(valley, optimizer, np.array([valley.start]), 60)
    series = inner_state_series(trajectory)["state_series"]
    eta = next(v for k, v in series.items() if k.startswith("step size"))
    mu = next(v for k, v in series.items() if k.startswith("averaging weight"))
    t = np.arange(1, 61)
    np.testing.assert_allclose(eta[1:], 0.01 / (1 + 1e-2 * 0.01 * t) ** 0.75, rtol=1e-6)   # float32 in torch
    np.testing.assert_allclose(mu[1:], 1 / np.maximum(1, t - 20), rtol=1e-6)
    figure = inner_state_figure(inner_state_series(trajectory))
    assert len(rows_of(figure)) == len({*rows_of(figure)}) and sum(r.startswith(("step size", "averaging"))
                                                                   for r in rows_of(figure)) == 2


def test_an_optimizer_without_state_series_draws_the_same_rows_as_before(valley):
    trajectory = optimizers.simulate(valley, optimizers.get("sgd", lr=0.01), np.array([valley.start]), 20)
    series = inner_state_series(trajectory)
    assert series["state_series"] == {}
    assert rows_of(inner_state_figure(series)) == ["gradient norm |\u2207f|", "step length |x\u209c \u2212 x\u209c\u208b\u2081|",
                                                   "learning rate (schedule)"]


def test_the_polyak_view_draws_asgds_own_average_ax():
    from webapp.compute import simulate_runs
    from webapp.figures.encode import coordinate_decimals
    from webapp.panels.lecture.payload import run_extras
    from webapp.state import from_query

    state, notices = from_query("?surface=ill_conditioned&run=asgd:lr=0.01,t0=20&run=sgd:lr=0.01&steps=80&polyak=1")
    assert notices == []
    surface, results, _ = simulate_runs(state, [])
    extras, _ = run_extras(state, results, state.view_box())
    ax = results[0].trajectory.state["ax"][:, results[0].column]
    decimals = coordinate_decimals(state.view_box())
    assert extras[0]["polyak"]["from"] == 0
    np.testing.assert_allclose(extras[0]["polyak"]["x"], np.round(ax[:, 0], decimals))
    # averaging starts at t0 = 20: before it ax follows x, after it lags behind the iterates
    path = results[0].path
    np.testing.assert_allclose(ax[5], path[5], atol=1e-12)      # recorded after the step into t
    assert np.linalg.norm(ax[-1] - path[-1]) > 1e-3
    # SGD keeps no average of its own: the page's running mean from polyak_from
    assert extras[1]["polyak"]["x"][-1] == pytest.approx(np.round(path_mean(results[1].path)[0], decimals))


def path_mean(path):
    return np.mean(path, axis=0)


def test_the_arrows_view_points_to_sams_probe_and_schedule_frees_y_and_z(valley):
    from webapp.figures.inner_state import state_arrows

    sam = optimizers.simulate(valley, optimizers.get("sam", lr=0.01, rho=0.05), np.array([valley.start]), 10)
    series = inner_state_series(sam)
    arrows = {a["kind"]: a for a in state_arrows(series, 1.0, decimals=12)["arrows"]}
    probe = np.stack([arrows["probe"]["x"], arrows["probe"]["y"]], axis=1)
    assert "ascent probe" in arrows["probe"]["name"]
    np.testing.assert_allclose(np.linalg.norm(probe[:-1] - sam.path[:-1, 0], axis=1), 0.05, rtol=1e-6)   # radius rho
    # the probe goes uphill from x_t (along +gradient); the step taken goes downhill
    assert np.all(np.sum((probe[:-1] - sam.path[:-1, 0]) * sam.grad[:-1, 0], axis=1) > 0)
    free = optimizers.simulate(valley, optimizers.get("sgd_schedulefree", lr=0.01), np.array([valley.start]), 10)
    arrows = {a["kind"]: a for a in state_arrows(inner_state_series(free), 1.0, decimals=12)["arrows"]}
    np.testing.assert_allclose(arrows["y"]["x"], free.state["y"][:, 0, 0])
    np.testing.assert_allclose(arrows["z"]["y"], free.state["z"][:, 0, 1])
    np.testing.assert_allclose(free.path[:, 0], free.state["x"][:, 0])              # the path drawn is x, the model
    assert "gradient is taken" in arrows["y"]["name"] and "base SGD" in arrows["z"]["name"]
    adam = optimizers.simulate(valley, optimizers.get("adam"), np.array([valley.start]), 5)
    assert {a["kind"] for a in state_arrows(inner_state_series(adam), 1.0)["arrows"]} == {"gradient", "velocity", "step"}
