"""ASGD, Rprop, Adafactor and Muon beyond the path comparisons of test_optimizers_torch.py.

* ASGD's averaged iterate ``ax`` and its ``eta``/``mu`` against torch's optimizer state, step by step,
  and ``ax`` as the Polyak average of the path.
* Muon's bfloat16: our rounding against torch's float32 -> bfloat16 conversion on random bit patterns,
  and our Newton–Schulz against torch's ``_zeropower_via_newtonschulz`` on random rows.

Muon's tolerance, and why: torch runs Newton–Schulz in bfloat16 (8 significand bits), so a float64
port would differ from torch by up to ~2^-8 relative per step (test_float64_newton_schulz_would_not_do
measures it). optiscape reproduces every bfloat16 rounding, so Muon is held to the same 1e-9 relative
as every other optimizer (test_optimizers_torch.py), and most cases are bit-identical. What 1e-9 still
allows: the bfloat16 input is rounded from the float64 momentum buffer, which can differ from torch's
in the last bit (FMA); such a difference changes a bfloat16 rounding only when the value sits within
an ulp of float64 of a bfloat16 rounding boundary (odds ~2^-44 per coordinate and step).
* Teaching claims, each on a neighbourhood: Muon's step is ~0.70 lr along the momentum whatever the
  gradient's size; Rprop ignores the gradient's size entirely.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import assume, given, settings, strategies as st
from torch.optim._muon import _zeropower_via_newtonschulz

import landscapes
import optimizers
from optimizers.bfloat16 import round_to_bfloat16
from optimizers.muon import newton_schulz
from torch_reference import assert_paths_close, torch_kwargs

torch.set_num_threads(1)


# ------------------------------------------------------------------ ASGD
def _torch_asgd_states(landscape, optimizer, start, steps):
    p = torch.tensor(np.asarray(start, dtype=np.float64), requires_grad=True)
    opt = torch.optim.ASGD([p], **torch_kwargs(optimizer))
    states = []
    for _ in range(steps):
        opt.zero_grad()
        p.grad = torch.from_numpy(landscape.grad(p.detach().numpy().copy()))
        opt.step()
        state = opt.state[p]
        states.append((state["ax"].numpy().copy(), float(state["eta"]), float(state["mu"])))
    return states


@pytest.mark.parametrize("hyper", [{"lr": 1e-3}, {"lr": 1e-3, "t0": 0.0}, {"lr": 2e-3, "t0": 20.0, "lambd": 0.05},
                                   {"lr": 1e-3, "t0": 5.0, "alpha": 1.0, "lambd": 0.5, "weight_decay": 0.2}])
@pytest.mark.parametrize("surface", ["rosenbrock", "ill_conditioned"])
def test_asgd_state_equals_torch_state(hyper, surface):
    landscape = landscapes.get(surface)
    optimizer = optimizers.get("asgd", **hyper)
    trajectory = optimizers.simulate(landscape, optimizer, landscape.start, 80)
    for t, (ax, eta, mu) in enumerate(_torch_asgd_states(landscape, optimizer, landscape.start, 80), start=1):
        assert_paths_close(trajectory.state["ax"][t, 0], ax)
        assert trajectory.state["eta"][t, 0, 0] == eta and trajectory.state["mu"][t, 0, 1] == mu   # float32, exact
    if hyper.get("t0", 1e6) < 80:    # averaging started: ax is no longer the iterate
        assert not np.allclose(trajectory.state["ax"][-1], trajectory.path[-1], rtol=1e-6)
    else:
        assert np.array_equal(trajectory.state["ax"][1:], trajectory.path[1:])


@settings(max_examples=15, deadline=None)
@given(t0=st.integers(0, 40), lr=st.floats(1e-3, 1e-2), x=st.floats(-5, 5), y=st.floats(-2, 2))
def test_asgd_ax_is_the_polyak_average_from_step_t0_plus_2(t0, lr, x, y):
    """With lambd = 0 the step size is constant and ax_t = mean(x_{t0+2}, ..., x_t): torch's bookkeeping
    (mu = 1 / max(1, t - t0), applied one step later) starts the average two steps after t0."""
    assume(abs(x) >= 1.0)     # started at the minimum the iterate barely moves: nothing to smooth
    landscape = landscapes.get("ill_conditioned", kappa=10)
    trajectory = optimizers.simulate(landscape, optimizers.get("asgd", lr=lr, lambd=0.0, t0=float(t0)), (x, y), 100,
                                     noise=1.0, seed=3)
    polyak = trajectory.polyak(start=t0 + 2)
    np.testing.assert_allclose(trajectory.state["ax"][t0 + 2:], polyak[t0 + 2:], rtol=1e-5, atol=1e-6)  # float32 mu
    assert np.abs(trajectory.state["ax"][-1] - trajectory.path[-1]).max() > 1e-3        # the average is smoother


def test_asgd_effective_lr_is_the_eta_each_step_used():
    landscape = landscapes.get("ill_conditioned")
    trajectory = optimizers.simulate(landscape, optimizers.get("asgd", lr=0.01, lambd=0.0), [(1.0, 1.0)], 20)
    step = np.diff(trajectory.path, axis=0)                                   # (T, N, 2)
    np.testing.assert_allclose(step, -trajectory.effective_lr[1:] * trajectory.grad[:-1], rtol=1e-6)


# ------------------------------------------------------------------ bfloat16
def test_bfloat16_rounding_equals_torch_on_random_bit_patterns():
    rng = np.random.default_rng(0)
    bits = rng.integers(0, 2 ** 32, size=200_000, dtype=np.uint64).astype(np.uint32)
    ties = (bits & np.uint32(0xFFFF0000)) | np.uint32(0x8000)                 # exactly halfway: ties to even
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 3.3895314e38, 1e-45, 1.0, 1.00390625], dtype=np.float32)
    values = np.concatenate([bits.view(np.float32), ties.view(np.float32), special])
    ours = round_to_bfloat16(values)
    theirs = torch.from_numpy(values.copy()).bfloat16().float().numpy()
    same = (ours.view(np.uint32) == theirs.view(np.uint32)) | (np.isnan(ours) & np.isnan(theirs))
    assert same.all(), values[~same][:5]
    assert np.all(ours.view(np.uint32)[np.isfinite(ours)] & np.uint32(0xFFFF) == 0)


COEFFICIENTS = [((3.4445, -4.775, 2.0315), 5, 1e-7), ((1.5, -0.5, 0.0), 10, 1e-7), ((2.0, -1.5, 0.5), 3, 1.0),
                ((3.4445, -4.775, 2.0315), 0, 1e-3), ((4.5, -6.0, 3.0), 7, 1e-9)]


@pytest.mark.parametrize("coefficients, steps, eps", COEFFICIENTS)
def test_newton_schulz_equals_torch_bit_for_bit(coefficients, steps, eps):
    rng = np.random.default_rng(steps)
    rows = rng.standard_normal((1500, 2)) * 10.0 ** rng.uniform(-9, 6, (1500, 1))
    rows[:5] = [[0.0, 0.0], [0.0, 2.5], [np.inf, 1.0], [np.nan, 1.0], [1e30, -1e30]]
    ours = newton_schulz(rows, *coefficients, steps, eps)
    theirs = np.array([_zeropower_via_newtonschulz(torch.from_numpy(row[None, :].copy()), coefficients, steps, eps)
                       .double().numpy()[0] for row in rows])
    same = (ours == theirs) | (np.isnan(ours) & np.isnan(theirs))
    assert same.all(), rows[~same.all(axis=1)][:3]


def _float64_newton_schulz(rows, a=3.4445, b=-4.775, c=2.0315, steps=5, eps=1e-7):
    """The same iteration in float64 throughout (no bfloat16): what a naive port would compute."""
    x = rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), eps)
    for _ in range(steps):
        s = np.sum(x * x, axis=1, keepdims=True)
        x = a * x + (b * s + c * s * s) * x
    return x


def test_float64_newton_schulz_would_not_do():
    """bfloat16 is visible in torch's Muon: a float64 port misses each update by ~2^-8, far beyond 1e-9."""
    rows = np.random.default_rng(5).standard_normal((2000, 2))
    gap = np.abs(newton_schulz(rows, 3.4445, -4.775, 2.0315, 5, 1e-7) - _float64_newton_schulz(rows)).max(axis=1)
    assert 1e-4 < np.median(gap) and gap.max() < 2 ** -5
    landscape = landscapes.get("ill_conditioned")
    ours = optimizers.run(landscape, optimizers.get("muon", lr=0.02), landscape.start, 100)
    x = np.array(landscape.start, dtype=np.float64)
    buf = np.zeros(2)
    for _ in range(100):                      # torch's Muon in float64: momentum 0.95, nesterov, weight decay 0.1
        g = landscape.grad(x)
        buf = 0.95 * buf + 0.05 * g
        x = x * (1 - 0.02 * 0.1) - 0.02 * _float64_newton_schulz((0.05 * g + 0.95 * buf)[None, :])[0]
    assert np.abs(ours[-1] - x).max() > 1e-4 * np.abs(x).max()


# ------------------------------------------------------------------ teaching claims
class _Scaled:
    """A surface with every gradient multiplied by ``scale`` (the same minimum, steeper or flatter)."""

    def __init__(self, landscape, scale):
        self.landscape, self.scale = landscape, scale

    def value(self, xy):
        return self.scale * self.landscape.value(xy)

    def grad(self, xy, out=None):
        return self.scale * self.landscape.grad(xy)

    def hessian(self, xy):
        return self.scale * self.landscape.hessian(xy)


@settings(max_examples=25, deadline=None)
@given(scale_exp=st.floats(-4, 4), lr=st.floats(1e-3, 0.1), x=st.floats(-3, 3).filter(lambda v: abs(v) > 0.1),
       y=st.floats(-3, 3).filter(lambda v: abs(v) > 0.1))
def test_muon_steps_about_0_7_lr_along_the_gradient_whatever_its_size(scale_exp, lr, x, y):
    surface = _Scaled(landscapes.get("ill_conditioned", kappa=20), 10.0 ** scale_exp)
    path = optimizers.run(surface, optimizers.get("muon", lr=lr, momentum=0.0, weight_decay=0.0), (x, y), 1)
    step = path[1] - path[0]
    g = surface.grad(path[0])
    assert 0.68 * lr < np.linalg.norm(step) < 0.72 * lr
    assert -step @ g / (np.linalg.norm(step) * np.linalg.norm(g)) > 0.999          # along -g


@settings(max_examples=15, deadline=None)
@given(scale_exp=st.floats(-6, 6), lr=st.floats(1e-3, 0.1))
def test_rprop_ignores_the_size_of_the_gradient(scale_exp, lr):
    landscape = landscapes.get("rosenbrock")
    plain = optimizers.run(landscape, optimizers.get("rprop", lr=lr), landscape.start, 100)
    scaled = optimizers.run(_Scaled(landscape, 10.0 ** scale_exp), optimizers.get("rprop", lr=lr), landscape.start, 100)
    assert np.array_equal(plain, scaled)                   # bit for bit: only signs enter the update


def test_rprop_step_sizes_grow_while_the_sign_holds_and_shrink_at_a_flip():
    landscape = landscapes.get("quadratic_bowl")
    trajectory = optimizers.simulate(landscape, optimizers.get("rprop", lr=0.01), [(5.0, -0.05)], 30)
    sizes = trajectory.state["step_size"][:, 0]                  # (T+1, 2)
    np.testing.assert_allclose(sizes[1:6, 0], 0.01 * 1.2 ** np.arange(0, 5), rtol=1e-12)   # x: sign holds
    flips = np.flatnonzero(np.diff(np.sign(trajectory.path[:, 0, 1])) != 0)                 # y overshoots 0
    assert flips.size and sizes[flips[0] + 2, 1] == pytest.approx(0.5 * sizes[flips[0] + 1, 1])


def test_adafactor_effective_rate_predicts_the_step():
    landscape = landscapes.get("ill_conditioned")
    trajectory = optimizers.simulate(landscape, optimizers.get("adafactor", lr=0.05), [(2.0, 1.0), (-3.0, 0.5)], 20)
    step = np.diff(trajectory.path, axis=0)
    np.testing.assert_allclose(step, -trajectory.effective_lr[1:] * trajectory.grad[:-1], rtol=1e-9)


def test_adafactor_steps_relative_to_the_size_of_x():
    """The same valley far from the origin and at it: Adafactor's first step scales with RMS(x)."""
    first = {}
    for shift in (0.0, 30.0):
        surface = landscapes.formula(f"(x - {shift})^2 + 5*(y - {shift})^2", view=(-50, 50, -50, 50))
        path = optimizers.run(surface, optimizers.get("adafactor"), (shift + 1.0, shift + 1.0), 1)
        first[shift] = np.linalg.norm(path[1] - path[0])
    assert first[30.0] > 20 * first[0.0]
