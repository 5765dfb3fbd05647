"""Nesterov's look-ahead point (``Optimizer.lookahead``) against the lecture's form of the method,
and what the Arrows view's payload carries for it."""
from __future__ import annotations

import numpy as np
import pytest

import landscapes
import optimizers

VALLEY = landscapes.get("ill_conditioned")


def lecture_nesterov(landscape, start, lr, rho, steps):
    """The lecture's Nesterov, written independently of the engine:
    v_{t+1} = rho v_t - lr grad f(theta_t + rho v_t), theta_{t+1} = theta_t + v_{t+1}."""
    theta, v = np.array(start, dtype=np.float64), np.zeros(2)
    thetas, aheads = [theta.copy()], [theta.copy()]
    for _ in range(steps):
        ahead = theta + rho * v
        v = rho * v - lr * landscape.grad(ahead[None, :])[0]
        theta = theta + v
        thetas.append(theta.copy())
        aheads.append(theta + rho * v)
    return np.array(thetas), np.array(aheads)


@pytest.mark.parametrize("name, hyper", [("nesterov", {"lr": 0.01}),
                                         ("sgd", {"lr": 0.02, "momentum": 0.8, "nesterov": True})])
def test_the_look_ahead_is_the_lecture_iterate_plus_rho_v(name, hyper):
    optimizer = optimizers.get(name, **hyper)
    rho, lr = float(optimizer.hyper["momentum"]), hyper["lr"]
    trajectory = optimizers.simulate(VALLEY, optimizer, VALLEY.start, 60)
    lr_at = np.concatenate([trajectory.lr[:1], trajectory.lr])[:, :, None]      # (T+1, 1, 1)
    origin, point = optimizer.lookahead(trajectory.path, trajectory.state, lr_at)
    thetas, aheads = lecture_nesterov(VALLEY, VALLEY.start, lr, rho, 60)
    np.testing.assert_allclose(origin[:, 0], thetas, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(point[:, 0], aheads, rtol=1e-9, atol=1e-12)
    # the engine's point is the look-ahead: the gradient of the next update is taken there
    np.testing.assert_array_equal(point, trajectory.path)
    # and the look-ahead is not the iterate (the dashed segment has a length) once the run moves
    assert np.linalg.norm(origin[5:, 0] - point[5:, 0], axis=-1).min() > 0


@pytest.mark.parametrize("name, hyper", [("sgd", {"lr": 0.02}), ("momentum", {"lr": 0.01}),
                                         ("adam", {"lr": 0.1}), ("nadam", {"lr": 0.1})])
def test_methods_without_a_look_ahead_say_none(name, hyper):
    optimizer = optimizers.get(name, **hyper)
    trajectory = optimizers.simulate(VALLEY, optimizer, VALLEY.start, 5)
    assert optimizer.lookahead(trajectory.path, trajectory.state, 0.01) is None


def test_the_page_payload_carries_the_look_ahead_for_nesterov_runs_only_with_arrows_on():
    from webapp.panels.stage.render import render_page
    from webapp.state import from_query

    query = "surface=ill_conditioned&run=nesterov:lr=0.01&run=sgd:lr=0.03&run=sgd:lr=0.02,momentum=0.8,nesterov=1"
    state, notices = from_query(query + "&steps=40&arrows=1")
    assert notices == []
    runs = render_page(state, [])["payload"]["runs"]
    assert ["lookahead" in run for run in runs] == [True, False, True]
    for run in (runs[0], runs[2]):
        ahead = run["lookahead"]
        assert ahead["x"] == run["x"] and ahead["y"] == run["y"]            # torch's point is the look-ahead
        assert len(ahead["ox"]) == len(run["x"]) and ahead["ox"][0] == run["x"][0]
        assert ahead["ox"][10] != run["x"][10]                             # the iterate behind it
    state, _ = from_query(query + "&steps=40")
    assert not any("lookahead" in run for run in render_page(state, [])["payload"]["runs"])


def test_a_diverged_nesterov_run_and_zero_steps_give_a_plain_json_look_ahead():
    import json

    from webapp.panels.lecture.payload import lookahead_payload

    diverged = optimizers.simulate(VALLEY, optimizers.get("nesterov", lr=0.5), VALLEY.start, 80)
    assert diverged.diverged_at[0] >= 0
    json.dumps(lookahead_payload(diverged, 0, 3), allow_nan=False)                 # no NaN or inf for the browser
    none = optimizers.simulate(VALLEY, optimizers.get("nesterov", lr=0.01), VALLEY.start, 0)
    x0, y0 = (float(v) for v in VALLEY.start)
    assert lookahead_payload(none, 0, 3) == {"ox": [x0], "oy": [y0], "x": [x0], "y": [y0]}
