"""The stepping loop: shapes, divergence, batch = separate, Trajectory fields, noise, final_positions.

Expected values come from closed forms or from a few lines of Python written
here (gradient descent on 0.5 |w|^2 multiplies w by 1 - lr each step), never
from the loop's own output.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import landscapes
import optimizers
from optimizers import loop
from optimizers.base import FirstOrder


class Surface:
    """A duck-typed surface from plain functions of (x, y) (value, gradient), for hand-made cases."""

    global_minimum = None

    def __init__(self, value, grad):
        self._value, self._grad = value, grad

    def value(self, xy):
        xy = np.asarray(xy, dtype=np.float64)
        with np.errstate(all="ignore"):
            return self._value(xy[..., 0], xy[..., 1])

    def grad(self, xy, out=None):
        xy = np.asarray(xy, dtype=np.float64)
        out = np.empty(xy.shape) if out is None else out
        with np.errstate(all="ignore"):
            gx, gy = self._grad(xy[..., 0], xy[..., 1])
        out[..., 0], out[..., 1] = gx, gy
        return out

    def hessian(self, xy):
        raise NotImplementedError


BOWL = landscapes.get("ill_conditioned", kappa=1.0)              # f = 0.5 (x^2 + y^2), grad = (x, y)
VALLEY = landscapes.get("ill_conditioned", kappa=50.0)           # f = 0.5 (x^2 + 50 y^2)
FLAT = Surface(lambda x, y: 0.0 * x, lambda x, y: (0.0 * x, 0.0 * y))


# ------------------------------------------------------------------ shapes and start
def test_shapes_and_start():
    sgd = optimizers.get("sgd", lr=0.1)
    one = optimizers.run(BOWL, sgd, (1.0, -2.0), 7)
    assert one.shape == (8, 2)
    assert np.array_equal(one[0], [1.0, -2.0])
    starts = np.array([[1.0, 2.0], [3.0, 4.0], [-5.0, 0.5]])
    many = optimizers.run(BOWL, sgd, starts, 5)
    assert many.shape == (6, 3, 2)
    assert np.array_equal(many[0], starts)
    assert optimizers.run(BOWL, sgd, (1.0, 2.0), 0).shape == (1, 2)


def test_gradient_descent_on_a_bowl_follows_the_closed_form():
    lr, steps = 0.1, 40
    path = optimizers.run(BOWL, optimizers.get("sgd", lr=lr), (3.0, -1.0), steps)
    expected = np.array([[3.0, -1.0]]) * (1 - lr) ** np.arange(steps + 1)[:, None]
    np.testing.assert_allclose(path, expected, rtol=1e-12)


@pytest.mark.parametrize("bad", [np.zeros((0, 2)), np.zeros((2, 3)), [1.0], [np.nan, 0.0]])
def test_bad_starts_raise(bad):
    with pytest.raises(ValueError):
        optimizers.run(BOWL, optimizers.get("sgd"), bad, 3)


def test_negative_steps_and_noise_raise():
    with pytest.raises(ValueError):
        optimizers.run(BOWL, optimizers.get("sgd"), (1.0, 1.0), -1)
    with pytest.raises(ValueError):
        optimizers.run(BOWL, optimizers.get("sgd"), (1.0, 1.0), 3, noise=-1.0)


# ------------------------------------------------------------------ divergence
def first_escape(y0: float, factor: float, bound: float) -> int:
    """First k with |y0 * factor^k| > bound (plain Python)."""
    k, y = 0, y0
    while abs(y) <= bound:
        k, y = k + 1, y * factor
    return k


@pytest.mark.parametrize("lr", [0.1, 0.05])          # escapes before and after the first check window
def test_a_run_that_leaves_the_bound_is_held_at_its_last_good_point(lr):
    # on the valley, SGD multiplies y by 1 - 50 lr (-4 or -1.5): it escapes; x shrinks by 1 - lr
    steps = 120
    starts = np.array([[1.0, 1.5], [2.0, 0.0]])       # the second row has y = 0 and converges
    trajectory = optimizers.simulate(VALLEY, optimizers.get("sgd", lr=lr), starts, steps)
    k = first_escape(1.5, 1 - 50 * lr, loop.DEFAULT_BOUND)
    assert 0 < k < steps
    assert trajectory.diverged_at.tolist() == [k, -1]
    path = trajectory.path
    expected_y = 1.5 * (1 - 50 * lr) ** np.arange(k)
    np.testing.assert_allclose(path[:k, 0, 1], expected_y, rtol=1e-12)
    assert np.all(path[k:, 0] == path[k - 1, 0])      # held at the last good point
    np.testing.assert_allclose(path[:, 1, 0], 2.0 * (1 - lr) ** np.arange(steps + 1), rtol=1e-12)
    assert np.all(np.isfinite(path)) and np.all(np.isfinite(trajectory.loss))


def test_a_non_finite_gradient_stops_a_run():
    # grad is NaN where x < 0; SGD lr=1.5 on 0.5|w|^2 sends (1, 1) to (-0.5, -0.5) at step 1, NaN at step 2
    surface = Surface(lambda x, y: 0.5 * (x * x + y * y),
                      lambda x, y: (np.where(x < 0, np.nan, x), y))
    trajectory = optimizers.simulate(surface, optimizers.get("sgd", lr=1.5), [[1.0, 1.0], [0.0, 1.0]], 50)
    assert trajectory.diverged_at.tolist() == [2, -1]
    assert np.all(trajectory.path[2:, 0] == [-0.5, -0.5])
    for values in [trajectory.path, trajectory.loss, *trajectory.state.values()]:
        assert np.all(np.isfinite(values))


def test_every_run_diverging_ends_cleanly():
    trajectory = optimizers.simulate(VALLEY, optimizers.get("momentum", lr=0.5), [[1.0, 1.0], [0.5, -2.0]], 200)
    assert np.all(trajectory.diverged_at > 0)
    last = trajectory.diverged_at.max()
    assert np.all(trajectory.evals[last:] == trajectory.evals[last])   # nothing counted after the end
    assert np.all(np.isfinite(trajectory.path))
    assert np.all(np.isfinite(trajectory.state["momentum_buffer"]))


def test_a_custom_bound_stops_early():
    # SGD lr=2.5 on the bowl multiplies w by -1.5: |x| = 1.5^k passes 10 at k = 6
    trajectory = optimizers.simulate(BOWL, optimizers.get("sgd", lr=2.5), [[1.0, 0.0]], 30, bound=10.0)
    assert trajectory.diverged_at.tolist() == [first_escape(1.0, -1.5, 10.0)] == [6]


class ActiveRecorder(FirstOrder):
    """Plain SGD whose ``step`` reads ``active``, as per-row methods do (L-BFGS)."""

    name = "active_recorder"
    label = "recorder"
    schema = optimizers.get("sgd").schema

    def init(self, params):
        self.seen = []
        return {"step": 0}

    def step(self, params, state, objective, lr, active):
        self.seen.append(active.copy())
        state["step"] += 1
        params -= lr * objective.grad(params)


def test_optimizers_that_read_active_see_a_divergence_at_once():
    opt = ActiveRecorder(lr=2.5)
    trajectory = optimizers.simulate(BOWL, opt, [[1.0, 0.0], [0.0, 0.0]], 20, bound=10.0)
    assert trajectory.diverged_at.tolist() == [6, -1]
    # the step after the divergence (step 7, index 6) already treats run 0 as stopped
    assert opt.seen[5].tolist() == [True, True]
    assert opt.seen[6].tolist() == [False, True]


def test_lazy_and_per_step_divergence_checks_agree(monkeypatch):
    rng = np.random.default_rng(7)
    starts = rng.uniform(-3, 3, size=(12, 2))
    # momentum on the valley is stable for 50 lr < 2 (1 + 0.9): some rates escape, at different steps
    opt = optimizers.get("momentum", lr=np.linspace(0.02, 0.1, 12))
    cases = [dict(), dict(noise=2.0, seed=3), dict(bound=20.0)]
    lazy = [optimizers.simulate(VALLEY, opt, starts, 150, **kw) for kw in cases]
    monkeypatch.setattr(loop, "CHECK_EVERY", 1)
    eager = [optimizers.simulate(VALLEY, opt, starts, 150, **kw) for kw in cases]
    assert all(0 < np.sum(t.diverged_at >= 0) < 12 for t in lazy)
    assert any(len(set(t.diverged_at[t.diverged_at >= 0].tolist())) > 1 for t in lazy)
    for a, b in zip(lazy, eager):
        for name in ("path", "lr", "evals", "diverged_at", "state_steps"):
            assert np.array_equal(getattr(a, name), getattr(b, name)), name
        for key in a.state:
            assert np.array_equal(a.state[key], b.state[key]), key


# ------------------------------------------------------------------ batch equals separate
def assert_batch_equals_separate(surface, opt, starts, steps, **options):
    batch = optimizers.simulate(surface, opt, starts, steps, **options)
    seeds = np.broadcast_to(options.pop("seed", 0), (len(starts),))
    for i, start in enumerate(starts):
        alone = optimizers.simulate(surface, opt, start[None], steps, seed=int(seeds[i]), **options)
        assert np.array_equal(batch.path[:, i], alone.path[:, 0])
        assert batch.diverged_at[i] == alone.diverged_at[0]
        for key in batch.state:
            assert np.array_equal(batch.state[key][:, i], alone.state[key][:, 0])
    return batch


def test_batch_equals_separate_when_some_runs_diverge():
    starts = np.array([[1.0, 1.5], [2.0, 0.0], [-1.0, 0.01], [0.5, -3.0]])
    batch = assert_batch_equals_separate(VALLEY, optimizers.get("sgd", lr=0.05), starts, 80)
    assert 0 < np.sum(batch.diverged_at >= 0) < len(starts)


def test_batch_equals_separate_with_noise():
    starts = np.array([[1.0, 1.0], [-2.0, 0.5], [0.3, -0.7]])
    assert_batch_equals_separate(BOWL, optimizers.get("adam", lr=0.05), starts, 60, noise=0.5,
                                 seed=np.array([1, 2, 3]))


@settings(max_examples=25, deadline=None)
@given(name=st.sampled_from(optimizers.names()),
       lr=st.floats(1e-3, 3.0),
       steps=st.integers(0, 70),
       starts=st.lists(st.tuples(st.floats(-3, 3), st.floats(-3, 3)), min_size=1, max_size=4),
       noise=st.sampled_from([0.0, 0.3]))
def test_property_batch_equals_separate(name, lr, steps, starts, noise):
    try:
        opt = optimizers.get(name, lr=lr)
    except ValueError:                       # lr outside this optimizer's range
        return
    batch = assert_batch_equals_separate(VALLEY, opt, np.array(starts), steps, noise=noise, seed=5)
    assert np.all(np.isfinite(batch.path)) and np.all(np.isfinite(batch.loss))


# ------------------------------------------------------------------ Trajectory fields
def test_lr_evals_and_momentum_state_by_hand():
    lrs = np.array([0.1, 0.2])
    steps = 6
    trajectory = optimizers.simulate(BOWL, optimizers.get("momentum", lr=lrs), [[1.0, 2.0], [1.0, 2.0]], steps)
    assert trajectory.lr.shape == (steps, 2)
    assert np.all(trajectory.lr == lrs)
    assert np.array_equal(trajectory.evals, np.repeat(np.arange(steps + 1)[:, None], 2, axis=1))
    # torch's SGD momentum by hand: b_1 = g_1, b_t = 0.9 b_{t-1} + g_t, w -= lr b_t; g = w on the bowl
    for run, lr in enumerate(lrs):
        w, b = np.array([1.0, 2.0]), np.zeros(2)
        for t in range(1, steps + 1):
            g = w.copy()
            b = g if t == 1 else 0.9 * b + g
            w = w - lr * b
            np.testing.assert_allclose(trajectory.path[t, run], w, rtol=1e-12)
            np.testing.assert_allclose(trajectory.state["momentum_buffer"][t, run], b, rtol=1e-12)
    assert np.all(trajectory.state["momentum_buffer"][0] == 0)
    assert trajectory.effective_lr is None                       # not an adaptive method


def test_a_step_schedule_shows_in_lr():
    schedule = optimizers.schedules.get("step", step_size=3, gamma=0.5)
    trajectory = optimizers.simulate(BOWL, optimizers.get("sgd", lr=0.2), (1.0, 1.0), 8, schedule=schedule)
    assert trajectory.lr[:, 0].tolist() == pytest.approx([0.2] * 3 + [0.1] * 3 + [0.05] * 2)


def test_adam_state_and_effective_lr_by_hand():
    lr, b1, b2, eps, steps = 0.1, 0.9, 0.999, 1e-8, 5
    trajectory = optimizers.simulate(BOWL, optimizers.get("adam", lr=lr), (1.0, -2.0), steps)
    w, m, v = np.array([1.0, -2.0]), np.zeros(2), np.zeros(2)
    for t in range(1, steps + 1):
        g = w.copy()
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        rate = (lr / (1 - b1 ** t)) / (np.sqrt(v) / math.sqrt(1 - b2 ** t) + eps)
        w = w - rate * m
        np.testing.assert_allclose(trajectory.path[t, 0], w, rtol=1e-10)
        np.testing.assert_allclose(trajectory.state["exp_avg"][t, 0], m, rtol=1e-10)
        np.testing.assert_allclose(trajectory.state["exp_avg_sq"][t, 0], v, rtol=1e-10)
        np.testing.assert_allclose(trajectory.effective_lr[t, 0], rate, rtol=1e-10)
    assert np.all(np.isnan(trajectory.effective_lr[0]))


def test_polyak_is_the_running_mean():
    trajectory = optimizers.simulate(BOWL, optimizers.get("sgd", lr=0.3), [[2.0, -1.0], [0.5, 0.5]], 10)
    path = trajectory.path
    averaged = trajectory.polyak()
    for t in range(11):
        np.testing.assert_allclose(averaged[t], path[:t + 1].mean(axis=0), rtol=1e-12)
    late = trajectory.polyak(start=4)
    assert np.array_equal(late[:4], path[:4])
    np.testing.assert_allclose(late[10], path[4:11].mean(axis=0), rtol=1e-12)


def test_steps_to_tolerance_by_hand():
    # loss_t = 0.5 * 4 * (1 - lr)^(2t) on the bowl from (2, 0)
    lr, tol = 0.1, 1e-3
    expected = next(t for t in range(1000) if 0.5 * 4.0 * (1 - lr) ** (2 * t) <= tol)
    starts = np.array([[2.0, 0.0], [0.0, 0.0]])
    trajectory = optimizers.simulate(BOWL, optimizers.get("sgd", lr=lr), starts, 100)
    assert trajectory.steps_to_tolerance(tol).tolist() == [expected, 0]
    assert trajectory.steps_to_tolerance(tol, measure="distance")[0] == next(
        t for t in range(1000) if 2.0 * (1 - lr) ** t <= tol)
    short = optimizers.simulate(BOWL, optimizers.get("sgd", lr=lr), starts, expected - 1)
    assert short.steps_to_tolerance(tol)[0] == -1
    with pytest.raises(ValueError):
        trajectory.steps_to_tolerance(tol, measure="nonsense")


def test_a_diverged_run_never_counts_as_converged():
    # escapes the bound 10 at step 6; once held, its loss could be anything: it must not count
    trajectory = optimizers.simulate(BOWL, optimizers.get("sgd", lr=2.5), [[1.0, 0.0]], 30, bound=10.0)
    assert trajectory.steps_to_tolerance(1e6).tolist() == [0]
    assert trajectory.steps_to_tolerance(1e-3).tolist() == [-1]


def test_to_frame_columns_and_values():
    trajectory = optimizers.simulate(BOWL, optimizers.get("adam", lr=0.1), [[1.0, 2.0], [3.0, -1.0]], 4)
    frame = trajectory.to_frame()
    assert len(frame) == 5 * 2
    for column in ("run", "step", "x", "y", "loss", "grad_x", "grad_y", "grad_norm", "lr", "evals", "diverged",
                   "exp_avg_x", "exp_avg_y", "exp_avg_sq_x", "exp_avg_sq_y"):
        assert column in frame.columns, column
    row = frame[(frame.run == 1) & (frame.step == 3)].iloc[0]
    x, y = trajectory.path[3, 1]
    assert (row.x, row.y) == (x, y)
    assert row.loss == pytest.approx(0.5 * (x * x + y * y))
    assert (row.grad_x, row.grad_y) == pytest.approx((x, y))        # grad of 0.5|w|^2 is w
    assert row.grad_norm == pytest.approx(math.hypot(x, y))
    assert row.lr == 0.1 and row.evals == 3 and not row.diverged
    assert np.isnan(frame[frame.step == 0].lr).all()


# ------------------------------------------------------------------ noise
def test_same_seed_same_path_and_different_seeds_differ():
    opt = optimizers.get("sgd", lr=0.1)
    a = optimizers.run(BOWL, opt, (1.0, 1.0), 50, noise=0.5, seed=11)
    b = optimizers.run(BOWL, opt, (1.0, 1.0), 50, noise=0.5, seed=11)
    c = optimizers.run(BOWL, opt, (1.0, 1.0), 50, noise=0.5, seed=12)
    clean = optimizers.run(BOWL, opt, (1.0, 1.0), 50)
    assert np.array_equal(a, b)
    assert not np.allclose(a, c)
    assert not np.allclose(a, clean)


def test_noise_has_mean_zero_and_std_sigma():
    # on a flat surface, SGD with lr = 1 moves by exactly minus the noise: x_{t+1} - x_t = -sigma z
    sigma, steps, runs = 0.7, 2000, 4
    path = optimizers.run(FLAT, optimizers.get("sgd", lr=1.0), np.zeros((runs, 2)), steps,
                          noise=sigma, seed=np.arange(runs))
    increments = -np.diff(path, axis=0).ravel()                     # (T * N * 2,)
    n = increments.size
    assert abs(increments.mean()) < 5 * sigma / math.sqrt(n)
    assert increments.std() == pytest.approx(sigma, rel=0.05)
    x, y = -np.diff(path, axis=0)[..., 0].ravel(), -np.diff(path, axis=0)[..., 1].ravel()
    assert abs(np.corrcoef(x, y)[0, 1]) < 0.05                       # the two coordinates are independent


# ------------------------------------------------------------------ final_positions
def test_final_positions_equals_the_last_row_of_run():
    starts = np.array([[1.0, 1.5], [2.0, 0.0], [-0.5, 0.2]])
    for opt, options in [(optimizers.get("sgd", lr=0.05), {}),
                         (optimizers.get("adam", lr=0.2), dict(noise=0.3, seed=4))]:
        final, diverged_at = optimizers.final_positions(VALLEY, opt, starts, 90, **options)
        trajectory = optimizers.simulate(VALLEY, opt, starts, 90, **options)
        assert np.array_equal(final, optimizers.run(VALLEY, opt, starts, 90, **options)[-1])
        assert np.array_equal(diverged_at, trajectory.diverged_at)
