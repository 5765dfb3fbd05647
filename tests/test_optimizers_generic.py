"""Generic tests of every registered first-order optimizer, driven by tests/optimizer_cases.py.

Schema sanity against torch's constructors, validation messages, batch = separate
runs bit for bit, property tests (hypothesis), and the lecture's "almost Adam".
"""
from __future__ import annotations

import inspect
import re

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings, strategies as st

import landscapes
import optimizers
from optimizers.base import FirstOrder, optimizer_class
from optimizer_cases import CASES, STARTS, case as case_of, first_order_cases
from torch_reference import TORCH_SHAPE
from reference_cases import NOT_ADAPTIVE, REFERENCE_CASES, reference_case

FIRST_ORDER = [name for name in optimizers.names() if issubclass(optimizer_class(name), FirstOrder)]
CASE_NAMES = [c.name for c in first_order_cases()] + [c.name for c in REFERENCE_CASES]
# optimizers beyond torch (tests/reference_cases.py) skip the torch-signature tests; their own are in
# tests/test_optimizers_reference.py
WITH_TORCH = [name for name in FIRST_ORDER if optimizer_class(name).torch_name is not None]
TORCH_ONLY_ARGS = {"self", "params", "foreach", "differentiable", "fused", "capturable"}
ROSENBROCK = landscapes.get("rosenbrock")


def test_every_first_order_optimizer_has_a_case_and_back():
    assert set(FIRST_ORDER) == set(CASE_NAMES)
    assert {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam", "adamw", "adamax",
            "nadam", "radam"} <= set(FIRST_ORDER)


# ------------------------------------------------------------------ schema
@pytest.mark.parametrize("name", FIRST_ORDER)
def test_schema_is_sane(name):
    cls = optimizer_class(name)
    assert cls.label and cls.rule and cls.__doc__ and len(cls.__doc__.strip()) > 40
    names = [p.name for p in cls.schema]
    assert len(names) == len(set(names))
    for param in cls.schema:
        assert param.help and "\n" not in param.help, param.name
        if param.default is not None:              # None: torch's "not given" (e.g. Adafactor's eps1)
            assert param.validate(param.default, name) == param.default, f"default of {param.name} is invalid"
        if param.kind in ("float", "int"):
            assert param.slider_low is not None and param.slider_high is not None, param.name
            assert param.slider_low < param.slider_high, param.name
            for end in (param.slider_low, param.slider_high):
                param.validate(end, name)          # the UI range lies inside the valid range
            if param.scale == "log":
                assert param.slider_low > 0, f"{param.name}: a log slider needs a positive low end"
    for rate in ("lr", "eps", "weight_decay"):
        if rate in names:
            assert cls.schema[names.index(rate)].scale == "log", rate
    assert set(cls.state_keys) <= set(cls().init(np.zeros((3, 2))))
    for key in cls.state_keys:
        assert cls().init(np.zeros((3, 2)))[key].shape == (3, 2), key


@pytest.mark.parametrize("name", WITH_TORCH)
def test_schema_names_and_defaults_match_torch(name):
    cls = optimizer_class(name)
    record = case_of(name)
    assert cls.torch_name == record.torch_class
    signature = inspect.signature(getattr(torch.optim, cls.torch_name).__init__).parameters
    torch_args = {k: v.default for k, v in signature.items() if k not in TORCH_ONLY_ARGS}
    ours = {p.name: p.default for p in cls.schema if p.name not in record.extras}
    for torch_arg, parts in cls.torch_tuples.items():       # betas=(beta1, beta2), etas=(etaminus, etaplus), ...
        if parts[0] in ours:
            ours[torch_arg] = tuple(ours.pop(part) for part in parts)
    assert set(ours) == set(torch_args)
    for key, default in ours.items():
        expected = record.preset.get(key, torch_args[key])
        assert default == expected and type(default) in (type(expected), float, tuple), (key, default, expected)


@pytest.mark.parametrize("name", WITH_TORCH)
def test_lower_bounds_match_torch_validation(name):
    """A negative value torch's constructor rejects, ours rejects too, naming the parameter.

    (Ours may be stricter: SGD's dampening must lie in [0, 1], which torch does not check.)"""
    cls = optimizer_class(name)
    torch_cls = getattr(torch.optim, cls.torch_name)
    record = case_of(name)
    checked = []
    defaults = {p.name: p.default for p in cls.schema}
    tuple_of = {part: (torch_arg, parts) for torch_arg, parts in cls.torch_tuples.items() for part in parts}
    shape = TORCH_SHAPE.get(name, (2,))
    for param in cls.schema:
        if param.kind != "float" or param.name in record.extras:
            continue
        value = -0.5
        if param.name in tuple_of:                           # betas=(-0.5, 0.999), etas=(0.5, -0.5), ...
            torch_arg, parts = tuple_of[param.name]
            torch_value = {torch_arg: tuple(value if part == param.name else defaults[part] for part in parts)}
        else:
            torch_value = {param.name: value}
        try:
            torch_cls([torch.zeros(shape, requires_grad=True)], **torch_value)
        except ValueError:
            checked.append(param.name)
            with pytest.raises(ValueError, match=param.name):
                optimizers.get(name, **{param.name: value})
    assert "lr" in checked


# ------------------------------------------------------------------ errors
ERROR_PARAMS = [pytest.param(c.name, hyper, word, id=f"{c.name}-{word}-{i}")
                for c in first_order_cases() + REFERENCE_CASES for i, (hyper, word) in enumerate(c.errors)]


@pytest.mark.parametrize("name, hyper, word", ERROR_PARAMS)
def test_bad_value_raises_naming_the_parameter(name, hyper, word):
    with pytest.raises(ValueError, match=re.compile(re.escape(word), re.IGNORECASE)):
        optimizers.get(name, **hyper)


@pytest.mark.parametrize("name", FIRST_ORDER)
def test_unknown_parameter_raises(name):
    with pytest.raises(ValueError, match="learning_rate"):
        optimizers.get(name, learning_rate=0.1)


@pytest.mark.parametrize("name", FIRST_ORDER)
def test_per_run_array_of_wrong_length_raises(name):
    optimizer = optimizers.get(name, lr=np.array([1e-3, 2e-3]))
    with pytest.raises(ValueError, match="lr"):
        optimizers.run(ROSENBROCK, optimizer, np.zeros((3, 2)), 5)


# ------------------------------------------------------------------ batching
def _starts(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).uniform([-1.5, -0.5], [1.5, 2.0], size=(n, 2))


def _assert_batch_equals_separate(name: str, starts: np.ndarray, steps: int, **hyper) -> None:
    batch = optimizers.run(ROSENBROCK, optimizers.get(name, **hyper), starts, steps)   # (T+1, N, 2)
    for row, start in enumerate(starts):
        single = optimizers.run(ROSENBROCK, optimizers.get(name, **hyper), start, steps)   # (T+1, 2)
        assert np.array_equal(batch[:, row], single), f"{name}: row {row} of the batch differs"


@pytest.mark.parametrize("name", FIRST_ORDER)
def test_batch_of_starts_equals_separate_runs(name):
    record_hypers = reference_case(name).hypers if optimizer_class(name).torch_name is None \
        else case_of(name).torch_hypers
    hypers = [{}] + [h for h in record_hypers if len(h) > 1][:2]
    for hyper in hypers:
        _assert_batch_equals_separate(name, _starts(5, 0), 100, **hyper)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(FIRST_ORDER), seed=st.integers(0, 2**32 - 1), n=st.integers(2, 6))
def test_batch_equals_separate_runs_for_random_starts(name, seed, n):
    _assert_batch_equals_separate(name, _starts(n, seed), 40)


# ------------------------------------------------------------------ properties
@settings(max_examples=25, deadline=None)
@given(kappa=st.floats(1.0, 1e3), angle=st.floats(-90.0, 90.0), fraction=st.floats(0.01, 0.99),
       x=st.floats(-10, 10), y=st.floats(-3, 3))
def test_gradient_descent_never_increases_a_convex_quadratic_below_2_over_L(kappa, angle, fraction, x, y):
    """On f = 0.5 (u^2 + kappa v^2), L = kappa; with lr < 2/L every eigen-component shrinks, so f never grows."""
    surface = landscapes.get("ill_conditioned", kappa=kappa, angle=angle)
    lr = fraction * 2.0 / kappa
    trajectory = optimizers.simulate(surface, optimizers.get("sgd", lr=lr), (x, y), 200)
    loss = trajectory.loss[:, 0]                                      # (T+1,)
    increase = np.diff(loss)
    assert np.all(increase <= 1e-12 * loss[:-1] + 1e-300), f"loss rose by {increase.max()}"


@settings(max_examples=20, deadline=None)
@given(x=st.floats(-10, 10).filter(lambda v: abs(v) > 0.1), y=st.floats(-3, 3).filter(lambda v: abs(v) > 0.1),
       lr=st.floats(1e-3, 0.1))
def test_adam_without_bias_correction_takes_a_larger_first_step(x, y, lr):
    """The lecture's point: with m and v starting at 0, the uncorrected first step is about
    (1 - beta1) / sqrt(1 - beta2) ~ 3.16 times the corrected one (which is ~lr per axis)."""
    surface = landscapes.get("ill_conditioned")
    corrected = optimizers.run(surface, optimizers.get("adam", lr=lr), (x, y), 1)
    uncorrected = optimizers.run(surface, optimizers.get("adam", lr=lr, bias_correction=False), (x, y), 1)
    step_corrected = np.abs(corrected[1] - corrected[0])
    step_uncorrected = np.abs(uncorrected[1] - uncorrected[0])
    assert np.all(step_uncorrected > 3.0 * step_corrected)
    np.testing.assert_allclose(step_corrected, lr, rtol=1e-6)


def _almost_adam_reference(grad_fn, start, steps, lr, beta1, beta2, eps):
    """The lecture's "almost Adam", written out plainly: no bias correction."""
    x = np.array(start, dtype=np.float64)
    m = np.zeros(2)
    v = np.zeros(2)
    path = [x.copy()]
    for _ in range(steps):
        g = grad_fn(x)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        x = x - lr * m / (np.sqrt(v) + eps)
        path.append(x.copy())
    return np.array(path)


@pytest.mark.parametrize("surface_name", ["rosenbrock", "ill_conditioned", "saddle"])
@pytest.mark.parametrize("hyper", [{}, {"lr": 0.01, "betas": (0.5, 0.9)}, {"eps": 0.1, "lr": 0.003}])
def test_adam_without_bias_correction_is_the_lectures_almost_adam(surface_name, hyper):
    surface = landscapes.get(surface_name)
    optimizer = optimizers.get("adam", bias_correction=False, **hyper)
    h = optimizer.hyper
    for start in STARTS[surface_name]:
        ours = optimizers.run(surface, optimizer, start, 150)
        reference = _almost_adam_reference(surface.grad, start, 150, h["lr"], h["beta1"], h["beta2"], h["eps"])
        np.testing.assert_allclose(ours, reference, rtol=1e-9, atol=1e-12)
        # and it is not Adam: the corrected path differs
        assert not np.allclose(ours, optimizers.run(surface, optimizers.get("adam", **hyper), start, 150))


# ------------------------------------------------------------------ effective lr
ADAPTIVE = [name for name in FIRST_ORDER if name not in ("sgd", "momentum", "nesterov") + NOT_ADAPTIVE]


@pytest.mark.parametrize("name", ADAPTIVE)
def test_effective_lr_has_the_path_shape_and_is_positive(name):
    trajectory = optimizers.simulate(ROSENBROCK, optimizers.get(name), _starts(3, 1), 30)
    rate = trajectory.effective_lr
    assert rate is not None and rate.shape == trajectory.path.shape      # (T+1, N, 2)
    assert np.all(np.isfinite(rate[1:])) and np.all(rate[1:] > 0)


@pytest.mark.parametrize("name", ["adagrad", "rmsprop", "adamax"])
def test_effective_lr_predicts_the_step(name):
    """For AdaGrad, RMSProp (no momentum) and Adamax, step = -rate * (gradient or momentum), per axis."""
    surface = landscapes.get("ill_conditioned")
    trajectory = optimizers.simulate(surface, optimizers.get(name, lr=0.01), _starts(2, 2), 20)
    step = np.diff(trajectory.path, axis=0)                               # (T, N, 2)
    direction = trajectory.state["exp_avg"][1:] if name == "adamax" else trajectory.grad[:-1]
    np.testing.assert_allclose(step, -trajectory.effective_lr[1:] * direction, rtol=1e-9, atol=1e-15)


def test_sgd_has_no_effective_lr():
    assert optimizers.simulate(ROSENBROCK, optimizers.get("sgd"), (0.0, 0.0), 3).effective_lr is None


# ------------------------------------------------------------------ hyperparameter arrays
def test_sgd_mixed_per_run_momentum_equals_separate_runs():
    """momentum [0, 0.9] with dampening: the momentum-0 row is plain SGD (torch ignores dampening there)."""
    starts = np.array([[-1.0, 1.5], [-1.0, 1.5]])
    batch = optimizers.run(ROSENBROCK, optimizers.get("sgd", momentum=np.array([0.0, 0.9]), dampening=0.5),
                           starts, 60)
    plain = optimizers.run(ROSENBROCK, optimizers.get("sgd", dampening=0.5), starts[0], 60)
    heavy = optimizers.run(ROSENBROCK, optimizers.get("sgd", momentum=0.9, dampening=0.5), starts[1], 60)
    assert np.array_equal(batch[:, 0], plain) and np.array_equal(batch[:, 1], heavy)


def test_rmsprop_mixed_per_run_momentum_equals_separate_runs():
    starts = np.array([[-1.0, 1.5], [-1.0, 1.5]])
    batch = optimizers.run(ROSENBROCK, optimizers.get("rmsprop", lr=1e-3, momentum=np.array([0.0, 0.9])),
                           starts, 60)
    plain = optimizers.run(ROSENBROCK, optimizers.get("rmsprop", lr=1e-3), starts[0], 60)
    heavy = optimizers.run(ROSENBROCK, optimizers.get("rmsprop", lr=1e-3, momentum=0.9), starts[1], 60)
    assert np.array_equal(batch[:, 0], plain) and np.array_equal(batch[:, 1], heavy)


def test_rmsprop_momentum_zero_rows_keep_no_buffer():
    """torch creates no momentum buffer when momentum == 0: the recorded state of that row stays 0."""
    trajectory = optimizers.simulate(ROSENBROCK, optimizers.get("rmsprop", lr=1e-3, momentum=np.array([0.0, 0.9])),
                                     np.array([[-1.0, 1.5], [-1.0, 1.5]]), 30)
    buffer = trajectory.state["momentum_buffer"]                          # (T+1, 2, 2)
    assert np.all(buffer[:, 0] == 0) and np.any(buffer[:, 1] != 0)
