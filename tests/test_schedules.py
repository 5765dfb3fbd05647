"""Learning-rate schedules against torch.optim.lr_scheduler (the oracle)."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

import landscapes
import optimizers
from optimizers import schedules
from torch_reference import assert_paths_close, torch_path

LR_SCHEDULER = torch.optim.lr_scheduler


def torch_scheduler(schedule, opt):
    """The real torch scheduler equivalent to our ``schedule`` on torch optimizer ``opt``."""
    p = schedule.params
    if schedule.name == "step":
        return LR_SCHEDULER.StepLR(opt, step_size=p["step_size"], gamma=p["gamma"])
    if schedule.name == "exponential":
        return LR_SCHEDULER.ExponentialLR(opt, gamma=p["gamma"])
    if schedule.name == "inverse_time":
        decay = p["decay"]
        return LR_SCHEDULER.LambdaLR(opt, lr_lambda=lambda e: 1.0 / (1.0 + decay * e))
    if schedule.name == "cosine":
        return LR_SCHEDULER.CosineAnnealingLR(opt, T_max=p["T_max"], eta_min=p["eta_min"])
    if schedule.name == "cyclic":
        return LR_SCHEDULER.CyclicLR(opt, base_lr=opt.param_groups[0]["lr"], max_lr=p["max_lr"],
                                     step_size_up=p["step_size_up"], step_size_down=p["step_size_down"],
                                     mode="triangular", cycle_momentum=False)
    if schedule.name == "warmup":
        return LR_SCHEDULER.LinearLR(opt, start_factor=p["start_factor"], end_factor=p["end_factor"],
                                     total_iters=p["total_iters"])
    if schedule.name == "constant":
        return None
    raise AssertionError(f"no torch scheduler for {schedule.name}")


def torch_rates(schedule, lr: float, steps: int) -> np.ndarray:
    """``param_groups[0]["lr"]`` before each of ``steps`` optimizer steps, from the real scheduler."""
    p = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr)
    scheduler = torch_scheduler(schedule, opt)
    rates = []
    for _ in range(steps):
        rates.append(opt.param_groups[0]["lr"])
        p.grad = torch.zeros_like(p)
        opt.step()
        if scheduler is not None:
            scheduler.step()
    return np.array(rates, dtype=np.float64)


CASES = [
    ("constant", {}),
    ("step", {}),
    ("step", {"step_size": 7, "gamma": 0.5}),
    ("step", {"step_size": 1, "gamma": 0.9}),
    ("exponential", {}),
    ("exponential", {"gamma": 0.9}),
    ("exponential", {"gamma": 0.999}),
    ("inverse_time", {}),
    ("inverse_time", {"decay": 0.3}),
    ("inverse_time", {"decay": 0.0}),
    ("cosine", {}),
    ("cosine", {"T_max": 10}),
    ("cosine", {"T_max": 37, "eta_min": 1e-3}),
    ("cosine", {"T_max": 1}),
    ("cyclic", {}),
    ("cyclic", {"max_lr": 0.5, "step_size_up": 7}),
    ("cyclic", {"max_lr": 0.2, "step_size_up": 3, "step_size_down": 11}),
    ("cyclic", {"max_lr": 0.001, "step_size_up": 10, "step_size_down": None}),
    ("warmup", {}),
    ("warmup", {"start_factor": 0.01, "total_iters": 100}),
    ("warmup", {"start_factor": 0.5, "end_factor": 0.1, "total_iters": 13}),
    ("warmup", {"start_factor": 1.0, "end_factor": 0.0, "total_iters": 1}),
]


def test_every_registered_schedule_is_covered():
    assert {name for name, _ in CASES} == set(schedules.names())


@pytest.mark.parametrize("name, params", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
@pytest.mark.parametrize("lr", [0.1, 3e-4])
def test_rates_equal_torch_scheduler(name, params, lr):
    schedule = schedules.get(name, **params)
    ours = schedule.values(lr, 600)
    assert ours.shape == (600,)
    np.testing.assert_allclose(ours, torch_rates(schedule, lr, 600), rtol=1e-12, atol=0)


@pytest.mark.parametrize("name, params", CASES[::3])
def test_per_run_rates_are_columns_of_scalar_rates(name, params):
    schedule = schedules.get(name, **params)
    lrs = np.array([[0.1], [0.02], [1.5]])
    values = schedule.values(lrs, 50)
    assert values.shape == (50, 3, 1)
    for i, lr in enumerate(lrs[:, 0]):
        np.testing.assert_array_equal(values[:, i, 0], schedule.values(float(lr), 50))


def test_zero_steps_give_no_rates():
    for name in schedules.names():
        assert schedules.get(name).values(0.1, 0).shape == (0,)


RUN_CASES = [
    ("sgd", {"lr": 1e-3}, "rosenbrock", ("step", {"step_size": 20, "gamma": 0.5})),
    ("sgd", {"lr": 0.02, "momentum": 0.9}, "ill_conditioned", ("cosine", {"T_max": 30})),
    ("sgd", {"lr": 1e-3, "momentum": 0.9, "nesterov": True}, "rosenbrock",
     ("cyclic", {"max_lr": 2e-3, "step_size_up": 10, "step_size_down": 5})),
    ("sgd", {"lr": 0.01}, "ill_conditioned", ("inverse_time", {"decay": 0.1})),
    ("adam", {"lr": 0.1}, "rosenbrock", ("exponential", {"gamma": 0.97})),
    ("adam", {"lr": 0.05}, "ill_conditioned", ("warmup", {"start_factor": 0.1, "total_iters": 20})),
    ("adam", {"lr": 0.05, "amsgrad": True}, "saddle", ("cyclic", {"max_lr": 0.3, "step_size_up": 8})),
    ("adam", {"lr": 0.02}, "rosenbrock", ("cosine", {"T_max": 25, "eta_min": 1e-3})),
]


@pytest.mark.parametrize("optimizer, hyper, surface, schedule", RUN_CASES)
def test_scheduled_run_equals_torch_optimizer_with_scheduler(optimizer, hyper, surface, schedule):
    landscape = landscapes.get(surface)
    opt = optimizers.get(optimizer, **hyper)
    sched = schedules.get(schedule[0], **schedule[1])
    ours = optimizers.run(landscape, opt, landscape.start, 80, schedule=sched)
    theirs = torch_path(landscape, opt, landscape.start, 80, scheduler_factory=lambda o: torch_scheduler(sched, o))
    assert_paths_close(ours, theirs)
    # and the schedule really changed the path
    plain = optimizers.run(landscape, opt, landscape.start, 80)
    assert not np.allclose(ours, plain)


def test_trajectory_records_the_scheduled_rates():
    landscape = landscapes.get("ill_conditioned")
    sched = schedules.get("step", step_size=5, gamma=0.5)
    traj = optimizers.simulate(landscape, optimizers.get("sgd", lr=0.01), [(1.0, 1.0), (2.0, -1.0)], 12,
                               schedule=sched)
    expected = 0.01 * 0.5 ** (np.arange(12) // 5)
    np.testing.assert_allclose(traj.lr, np.repeat(expected[:, None], 2, axis=1), rtol=1e-15)


# ---------------------------------------------------------------- closed forms
@settings(max_examples=25, deadline=None)
@given(lr=st.floats(1e-5, 10.0), gamma=st.floats(0.5, 1.0), step_size=st.integers(1, 50),
       T_max=st.integers(1, 300), eta=st.floats(0.0, 1.0), decay=st.floats(0.0, 2.0),
       start=st.floats(0.01, 1.0), end=st.floats(0.0, 1.0), total=st.integers(1, 100))
def test_rates_follow_the_documented_closed_forms(lr, gamma, step_size, T_max, eta, decay, start, end, total):
    e = np.arange(400)
    scale = dict(rtol=1e-9, atol=1e-12 * lr)
    np.testing.assert_allclose(schedules.get("step", step_size=step_size, gamma=gamma).values(lr, 400),
                               lr * gamma ** (e // step_size), **scale)
    np.testing.assert_allclose(schedules.get("exponential", gamma=gamma).values(lr, 400), lr * gamma ** e, **scale)
    np.testing.assert_allclose(schedules.get("inverse_time", decay=decay).values(lr, 400), lr / (1 + decay * e),
                               **scale)
    eta_min = eta * lr
    cosine = eta_min + 0.5 * (lr - eta_min) * (1 + np.cos(np.pi * e / T_max))
    np.testing.assert_allclose(schedules.get("cosine", T_max=T_max, eta_min=eta_min).values(lr, 400), cosine,
                               rtol=1e-7, atol=1e-9 * lr)
    warm = lr * (start + (end - start) * np.minimum(e, total) / total)
    np.testing.assert_allclose(
        schedules.get("warmup", start_factor=start, end_factor=end, total_iters=total).values(lr, 400), warm,
        rtol=1e-9, atol=1e-12 * lr)


@settings(max_examples=25, deadline=None)
@given(lr=st.floats(1e-4, 1.0), top=st.floats(1e-4, 5.0), up=st.integers(1, 40), down=st.integers(1, 40))
def test_cyclic_is_a_triangle_wave_between_lr_and_max_lr(lr, top, up, down):
    rates = schedules.get("cyclic", max_lr=top, step_size_up=up, step_size_down=down).values(lr, 300)
    u = np.arange(300) % (up + down)
    tri = np.where(u <= up, u / up, (up + down - u) / down)
    np.testing.assert_allclose(rates, lr + (top - lr) * tri, rtol=1e-9, atol=1e-12)
    assert rates[0] == lr
    assert np.isclose(rates[up], top)


# ---------------------------------------------------------------- validation
BAD = [
    ("step", {"step_size": 0}, "step_size"),
    ("step", {"step_size": 2.5}, "step_size"),
    ("step", {"gamma": 0.0}, "gamma"),
    ("step", {"gamma": 1.5}, "gamma"),
    ("exponential", {"gamma": -0.5}, "gamma"),
    ("exponential", {"gamma": float("nan")}, "gamma"),
    ("inverse_time", {"decay": -1.0}, "decay"),
    ("inverse_time", {"decay": "fast"}, "decay"),
    ("cosine", {"T_max": 0}, "T_max"),
    ("cosine", {"eta_min": -0.1}, "eta_min"),
    ("cyclic", {"max_lr": -1.0}, "max_lr"),
    ("cyclic", {"step_size_up": 0}, "step_size_up"),
    ("cyclic", {"step_size_down": 0}, "step_size_down"),
    ("warmup", {"start_factor": 0.0}, "start_factor"),
    ("warmup", {"start_factor": 1.5}, "start_factor"),
    ("warmup", {"end_factor": 2.0}, "end_factor"),
    ("warmup", {"total_iters": 0}, "total_iters"),
    ("cosine", {"tmax": 10}, "tmax"),
]


@pytest.mark.parametrize("name, params, bad", BAD)
def test_invalid_parameters_raise_naming_the_parameter(name, params, bad):
    with pytest.raises(ValueError, match=bad):
        schedules.get(name, **params)


def test_unknown_schedule_raises():
    with pytest.raises(ValueError, match="unknown schedule"):
        schedules.get("linear_decay")


@pytest.mark.parametrize("name", schedules.names())
def test_schema_formula_and_description(name):
    cls = schedules.schedule_class(name)
    assert cls.formula and cls.label
    if name != "constant":
        assert cls.schema and cls.torch_name and hasattr(LR_SCHEDULER, cls.torch_name)
    schedule = schedules.get(name)
    assert schedule.describe().startswith(cls.label)
    assert set(schedule.params) == {p.name for p in cls.schema}
    # every non-optional default passes its own validation
    for param in cls.schema:
        if param.default is not None:
            assert param.validate(param.default) == param.default


def test_optional_none_is_accepted_explicitly():
    assert schedules.get("cyclic", step_size_down=None).params["step_size_down"] is None
    assert "step_size_up=7" in schedules.get("cyclic", step_size_up=7).describe()
    assert math.isclose(schedules.get("cyclic", step_size_up=4, step_size_down=None).values(1.0, 9)[8], 1.0)
