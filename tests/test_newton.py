"""Newton and saddle-free Newton: exact steps on quadratics, behaviour at saddles, safety."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import landscapes
import optimizers
from landscapes.base import Landscape
from optimizers.objective import Objective
from optimizers.newton import newton_direction, symmetric_eigen_2x2


def one_step(landscape, start, **hyper):
    return optimizers.run(landscape, optimizers.get("newton", **hyper), start, 1)[1]


@settings(max_examples=40, deadline=None)
@given(kappa=st.floats(1.0, 1e4), angle=st.floats(-90.0, 90.0),
       x=st.floats(-10.0, 10.0), y=st.floats(-3.0, 3.0))
def test_one_step_on_a_quadratic_lands_on_the_minimum(kappa, angle, x, y):
    landscape = landscapes.get("ill_conditioned", kappa=kappa, angle=angle)
    # the only error is rounding, amplified by the conditioning
    np.testing.assert_allclose(one_step(landscape, (x, y)), (0.0, 0.0), atol=1e-12 * kappa * 11)


def test_one_step_lands_on_the_minimum_from_every_corner_of_the_default_views():
    for surface in ("ill_conditioned", "quadratic_bowl"):
        if surface not in landscapes.names():
            continue
        landscape = landscapes.get(surface)
        x0, x1, y0, y1 = landscape.view
        corners = np.array([[x0, y0], [x0, y1], [x1, y0], [x1, y1]])
        final = optimizers.run(landscape, optimizers.get("newton"), corners, 1)[1]
        np.testing.assert_allclose(final, np.zeros((4, 2)) + landscape.global_minimum.as_array(), atol=1e-9)


def test_half_learning_rate_goes_half_way():
    landscape = landscapes.get("ill_conditioned", kappa=100.0, angle=20.0)
    np.testing.assert_allclose(one_step(landscape, (-8.0, 1.5), lr=0.5), (-4.0, 0.75), rtol=1e-10)


@pytest.mark.parametrize("start", [(0.7, 0.3), (-1.2, 0.001), (1.0, -1.4)])
def test_plain_newton_jumps_onto_the_saddle(start):
    saddle = landscapes.get("saddle")
    path = optimizers.run(saddle, optimizers.get("newton"), start, 5)
    np.testing.assert_allclose(path[1:], 0.0, atol=1e-15)          # and stays there: the gradient is zero


@pytest.mark.parametrize("start", [(0.7, 0.3), (-1.2, 0.001), (1.0, -1.4)])
def test_saddle_free_newton_escapes_along_negative_curvature(start):
    saddle = landscapes.get("saddle")
    path = optimizers.run(saddle, optimizers.get("newton", saddle_free=True), start, 3)
    # x (positive curvature) is solved exactly; y (negative curvature) doubles each step: away from the saddle
    np.testing.assert_allclose(path[1], (0.0, 2 * start[1]), atol=1e-15)
    assert np.all(np.abs(np.diff(np.abs(path[:, 1]))) > 0)
    assert saddle.value(path[-1]) < saddle.value(path[0])


def test_saddle_free_newton_equals_plain_newton_when_the_hessian_is_positive_definite():
    landscape = landscapes.get("rosenbrock")
    starts = np.array([[1.1, 1.2], [0.9, 0.8], [1.0, 1.0005]])   # near the minimum: H positive definite
    assert np.all(np.linalg.eigvalsh(landscape.hessian(starts)) > 0)
    np.testing.assert_allclose(optimizers.run(landscape, optimizers.get("newton"), starts, 3),
                               optimizers.run(landscape, optimizers.get("newton", saddle_free=True), starts, 3),
                               rtol=1e-12, atol=1e-15)


def test_newton_converges_fast_on_rosenbrock():
    landscape = landscapes.get("rosenbrock")
    traj = optimizers.simulate(landscape, optimizers.get("newton"), landscape.start, 30)
    assert 0 <= traj.steps_to_tolerance(1e-12, "distance")[0] <= 10
    np.testing.assert_array_equal(traj.evals[:, 0], np.arange(31))    # one gradient per step


def flat_in_y() -> Landscape:
    """f = x^2 + y: the Hessian diag(2, 0) is singular and the gradient has a constant y-part."""
    return Landscape(name="flat", label="flat", formula="x^2 + y",
                     value_fn=lambda x, y: x * x + y,
                     grad_fn=lambda x, y: (2 * x, 1.0 + 0 * y),
                     hessian_fn=lambda x, y: (2.0 + 0 * x, 0 * x, 0 * x))


@pytest.mark.parametrize("saddle_free", [False, True])
def test_singular_hessian_gives_a_finite_step_capped_by_the_trust_region(saddle_free):
    path = optimizers.run(flat_in_y(), optimizers.get("newton", saddle_free=saddle_free, max_step=2.0),
                          (1.0, 0.0), 5)
    assert np.all(np.isfinite(path))
    steps = np.linalg.norm(np.diff(path, axis=0), axis=1)
    np.testing.assert_allclose(steps, 2.0, rtol=1e-12)                # 1/damping * 1 = 1e4, cut to 2
    assert np.all(np.diff(path[:, 1]) < 0)                             # downhill in y


def test_damping_floors_small_curvature():
    hessian = np.array([[[2.0, 0.0], [0.0, 1e-9]], [[2.0, 0.0], [0.0, -1e-9]], [[2.0, 0.0], [0.0, 0.0]]])
    grad = np.array([[2.0, 1.0], [2.0, 1.0], [2.0, 1.0]])
    plain = newton_direction(hessian, grad, 1e-3, saddle_free=False)
    np.testing.assert_allclose(plain, [[1.0, 1e3], [1.0, -1e3], [1.0, 1e3]], rtol=1e-12)
    free = newton_direction(hessian, grad, 1e-3, saddle_free=True)
    np.testing.assert_allclose(free, [[1.0, 1e3]] * 3, rtol=1e-12)


def random_symmetric(rng, n):
    m = rng.standard_normal((n, 2, 2)) * rng.uniform(0.1, 10, (n, 1, 1))
    return 0.5 * (m + np.swapaxes(m, 1, 2))


def test_direction_is_the_solution_of_the_modified_newton_system():
    rng = np.random.default_rng(3)
    hessian = random_symmetric(rng, 500)
    grad = rng.standard_normal((500, 2))
    values = np.linalg.eigvalsh(hessian)
    keep = np.all(np.abs(values) > 1e-2, axis=1)              # away from the floor: plain Newton is H^-1 g
    np.testing.assert_allclose(newton_direction(hessian, grad, 1e-4, False)[keep],
                               np.linalg.solve(hessian[keep], grad[keep][..., None])[..., 0], rtol=1e-8, atol=1e-8)
    w, v = np.linalg.eigh(hessian)
    absolute = np.einsum("nij,nj,nkj->nik", v, np.maximum(np.abs(w), 1e-4), v)   # |H|
    np.testing.assert_allclose(newton_direction(hessian, grad, 1e-4, True),
                               np.linalg.solve(absolute, grad[..., None])[..., 0], rtol=1e-8, atol=1e-8)


def test_closed_form_eigendecomposition_matches_numpy():
    rng = np.random.default_rng(4)
    hessian = random_symmetric(rng, 300)
    hessian[:5, 0, 1] = hessian[:5, 1, 0] = 0.0              # diagonal ones
    hessian[5, :, :] = np.eye(2) * 3.0                         # a repeated eigenvalue
    values, vectors = symmetric_eigen_2x2(hessian)
    np.testing.assert_allclose(values, np.linalg.eigvalsh(hessian), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(hessian @ vectors, vectors * values[:, None, :], atol=1e-11)
    np.testing.assert_allclose(np.swapaxes(vectors, 1, 2) @ vectors, np.broadcast_to(np.eye(2), (300, 2, 2)),
                               atol=1e-12)


def test_nan_hessian_never_raises_and_stays_in_its_row():
    hole = Landscape(name="hole", label="hole", formula="",
                     value_fn=lambda x, y: np.where(x < 2, x * x + y * y, np.nan),
                     grad_fn=lambda x, y: (np.where(x < 2, 2 * x, np.nan), 2 * y),
                     hessian_fn=lambda x, y: (np.where(x < 2, 2.0, np.nan) + 0 * x, 0 * x, 2.0 + 0 * x))
    newton = optimizers.get("newton")
    params = np.array([[3.0, 1.0], [1.0, 1.0]])
    state = newton.init(params)
    with np.errstate(all="ignore"):
        newton.step(params, state, Objective(hole, 2), 1.0, np.ones(2, dtype=bool))
    assert np.all(np.isnan(params[0]))
    np.testing.assert_allclose(params[1], 0.0, atol=1e-15)
    traj = optimizers.simulate(hole, newton, [(3.0, 1.0), (1.0, 1.0)], 4)
    assert traj.diverged_at.tolist() == [1, -1]


def test_batch_equals_separate_runs_bit_for_bit():
    landscape = landscapes.get("rosenbrock")
    starts = np.array([[-1.5, 2.0], [1.2, -0.5], [0.0, 0.0], [0.3, 1.7]])
    lrs, caps = np.array([1.0, 0.5, 0.2, 0.9]), np.array([20.0, 0.3, 1.0, 5.0])
    for saddle_free in (False, True):
        batch = optimizers.run(landscape, optimizers.get("newton", lr=lrs, max_step=caps, saddle_free=saddle_free),
                               starts, 15, noise=0.5, seed=[4, 5, 6, 7])
        for i in range(4):
            alone = optimizers.run(landscape, optimizers.get("newton", lr=lrs[i], max_step=caps[i],
                                                             saddle_free=saddle_free),
                                   starts[i], 15, noise=0.5, seed=i + 4)
            np.testing.assert_array_equal(batch[:, i], alone)


def test_direction_state_is_the_last_move():
    landscape = landscapes.get("ill_conditioned")
    traj = optimizers.simulate(landscape, optimizers.get("newton", lr=0.5), landscape.start, 3)
    np.testing.assert_allclose(traj.state["direction"][1:], -np.diff(traj.path, axis=0), rtol=1e-12)


@pytest.mark.parametrize("hyper, name", [
    ({"lr": -1.0}, "lr"),
    ({"damping": 0.0}, "damping"),
    ({"damping": -1e-3}, "damping"),
    ({"max_step": 0.0}, "max_step"),
    ({"saddle_free": "yes"}, "saddle_free"),
    ({"trust_radius": 1.0}, "trust_radius"),
])
def test_invalid_hyperparameters_raise(hyper, name):
    with pytest.raises(ValueError, match=name):
        optimizers.get("newton", **hyper)


def test_newton_is_beyond_torch_and_describes_itself():
    opt = optimizers.get("newton", saddle_free=True)
    assert opt.torch_name is None and opt.rule
    assert opt.describe() == "Newton saddle_free=True"
