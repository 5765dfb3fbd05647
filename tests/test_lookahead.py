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
