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
    if schedule.name == "multistep":
        return LR_SCHEDULER.MultiStepLR(opt, milestones=list(schedule.milestones), gamma=p["gamma"])
    if schedule.name == "constant_factor":
        return LR_SCHEDULER.ConstantLR(opt, factor=p["factor"], total_iters=p["total_iters"])
    if schedule.name == "polynomial":
        return LR_SCHEDULER.PolynomialLR(opt, total_iters=p["total_iters"], power=p["power"])
    if schedule.name == "cosine_restarts":
        return LR_SCHEDULER.CosineAnnealingWarmRestarts(opt, T_0=p["T_0"], T_mult=p["T_mult"], eta_min=p["eta_min"])
    if schedule.name == "one_cycle":
        return LR_SCHEDULER.OneCycleLR(opt, max_lr=opt.param_groups[0]["lr"], total_steps=p["total_steps"],
                                       pct_start=p["pct_start"], anneal_strategy=p["anneal_strategy"],
                                       div_factor=p["div_factor"], final_div_factor=p["final_div_factor"],
                                       three_phase=p["three_phase"], cycle_momentum=False)
    if schedule.name == "plateau":
        return LR_SCHEDULER.ReduceLROnPlateau(opt, **p)
    if schedule.name in ("sequential", "warmup_cosine"):
        parts = schedule.sequence.parts if schedule.name == "warmup_cosine" else schedule.parts
        milestones = schedule.sequence.milestones if schedule.name == "warmup_cosine" else schedule.milestones
        return LR_SCHEDULER.SequentialLR(opt, [torch_scheduler(part, opt) or LR_SCHEDULER.LambdaLR(opt, lambda e: 1.0)
                                               for part in parts], milestones=milestones)
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
    ("multistep", {}),
    ("multistep", {"milestones": "7", "gamma": 0.5}),
    ("multistep", {"milestones": "3, 10 11 250", "gamma": 0.9}),
    ("constant_factor", {}),
    ("constant_factor", {"factor": 0.05, "total_iters": 40}),
    ("constant_factor", {"factor": 1.0, "total_iters": 1}),
    ("polynomial", {}),
    ("polynomial", {"total_iters": 37, "power": 2.0}),
    ("polynomial", {"total_iters": 5, "power": 0.5}),
    ("polynomial", {"total_iters": 1, "power": 0.0}),
    ("cosine_restarts", {}),
    ("cosine_restarts", {"T_0": 7, "T_mult": 2, "eta_min": 1e-4}),
    ("cosine_restarts", {"T_0": 1}),
    ("cosine_restarts", {"T_0": 30, "T_mult": 3}),
    ("one_cycle", {"total_steps": 600}),
    ("one_cycle", {"total_steps": 600, "pct_start": 0.1, "anneal_strategy": "linear"}),
    ("one_cycle", {"total_steps": 600, "three_phase": True, "div_factor": 10.0, "final_div_factor": 100.0}),
    ("one_cycle", {"total_steps": 601, "pct_start": 0.0}),
    ("one_cycle", {"total_steps": 600, "pct_start": 1.0, "three_phase": True, "anneal_strategy": "linear"}),
    ("warmup_cosine", {}),
    ("warmup_cosine", {"start_factor": 0.5, "warmup_iters": 3, "T_max": 50, "eta_min": 1e-3}),
    ("warmup_cosine", {"warmup_iters": 599}),
]
# plateau follows a run's loss: compared with torch in test_plateau_* below
REACTIVE = {"plateau"}


def test_every_registered_schedule_is_covered():
    assert {name for name, _ in CASES} | REACTIVE == set(schedules.names())


@pytest.mark.parametrize("name, params", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
@pytest.mark.parametrize("lr", [0.1, 3e-4])
def test_rates_equal_torch_scheduler(name, params, lr):
    schedule = schedules.get(name, **params)
    ours = schedule.values(lr, 600)
    assert ours.shape == (600,)
    np.testing.assert_array_equal(ours, torch_rates(schedule, lr, 600))   # the same recursion: bit for bit


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
    ("adam", {"lr": 0.05}, "ill_conditioned", ("multistep", {"milestones": "10 30", "gamma": 0.3})),
    ("sgd", {"lr": 0.02, "momentum": 0.5}, "ill_conditioned", ("polynomial", {"total_iters": 50, "power": 2.0})),
    ("sgd", {"lr": 0.03}, "ill_conditioned", ("constant_factor", {"factor": 0.2, "total_iters": 15})),
    ("adam", {"lr": 0.1}, "rosenbrock", ("cosine_restarts", {"T_0": 10, "T_mult": 2})),
    ("adam", {"lr": 0.05}, "saddle", ("one_cycle", {"total_steps": 80, "three_phase": True})),
    ("adam", {"lr": 0.05}, "ill_conditioned", ("warmup_cosine", {"warmup_iters": 10, "T_max": 40})),
    # the rest of torch.optim under schedules: Rprop reads lr at its first step only, ASGD one step late
    ("rprop", {"lr": 0.05}, "ill_conditioned", ("warmup", {"start_factor": 0.1, "total_iters": 20})),
    ("asgd", {"lr": 0.01}, "ill_conditioned", ("cosine", {"T_max": 30})),
    ("adafactor", {"lr": 0.05}, "ill_conditioned", ("cosine_restarts", {"T_0": 15})),
    ("muon", {"lr": 0.05}, "ill_conditioned", ("one_cycle", {"total_steps": 80})),
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


# ---------------------------------------------------------------- the rest of torch.optim.lr_scheduler
SEQUENCES = [
    ([("warmup", {"start_factor": 0.2, "total_iters": 10}), ("cosine", {"T_max": 40})], [10]),
    ([("constant_factor", {"factor": 0.5, "total_iters": 3}), ("exponential", {"gamma": 0.95}),
      ("step", {"step_size": 7, "gamma": 0.5})], [5, 60]),
    ([("cyclic", {"max_lr": 0.5, "step_size_up": 4}), ("inverse_time", {"decay": 0.1})], [17]),
    ([("multistep", {"milestones": "3 8"}), ("cosine_restarts", {"T_0": 6, "T_mult": 2}),
      ("polynomial", {"total_iters": 30, "power": 1.5})], [12, 100]),
    ([("exponential", {"gamma": 0.9}), ("warmup", {"start_factor": 0.5, "end_factor": 0.1, "total_iters": 9}),
      ("constant", {})], [4, 20]),
    ([("cosine", {"T_max": 10, "eta_min": 1e-3})], []),
]


@pytest.mark.parametrize("parts, milestones", SEQUENCES)
@pytest.mark.parametrize("lr", [0.1, 3e-4])
def test_sequential_equals_torch_sequential_lr(parts, milestones, lr):
    sequence = schedules.sequential([schedules.get(n, **p) for n, p in parts], milestones)
    ours = sequence.values(lr, 300)
    np.testing.assert_array_equal(ours, torch_rates(sequence, lr, 300))
    if milestones:        # the hand-over is visible: the second part does not continue the first
        first = schedules.get(*parts[0][:1], **parts[0][1]).values(lr, 300)
        assert not np.array_equal(ours[milestones[0]:], first[milestones[0]:])
    lrs = np.array([[lr], [2 * lr]])
    np.testing.assert_array_equal(sequence.values(lrs, 300)[:, 1, 0], sequence.values(2 * lr, 300))


def test_sequential_refuses_what_torch_refuses_and_more():
    cosine = schedules.get("cosine")
    for parts, milestones, word in (([cosine, cosine], [], "milestones"), ([cosine], [5], "milestones"),
                                    ([cosine, cosine], [0], "milestones"), ([cosine, cosine, cosine], [9, 9], "milestones"),
                                    ([cosine, schedules.get("plateau")], [5], "plateau"),
                                    ([cosine, schedules.get("one_cycle")], [5], "one_cycle"),
                                    ([cosine, "cosine"], [5], "schedules"), ([], [], "schedules")):
        with pytest.raises(ValueError, match=word):
            schedules.sequential(parts, milestones)


@settings(max_examples=25, deadline=None)
@given(lr=st.floats(1e-5, 10.0), total=st.integers(1, 300), power=st.floats(0.0, 4.0), T_0=st.integers(1, 60),
       eta=st.floats(0.0, 1.0), factor=st.floats(0.01, 1.0), iters=st.integers(1, 100))
def test_new_rates_follow_their_closed_forms(lr, total, power, T_0, eta, factor, iters):
    e = np.arange(400)
    scale = dict(rtol=1e-9, atol=1e-12 * lr)
    np.testing.assert_allclose(schedules.get("polynomial", total_iters=total, power=power).values(lr, 400),
                               lr * (1 - np.minimum(e, total) / total) ** power, rtol=1e-7, atol=1e-9 * lr)
    eta_min = eta * lr
    sgdr = eta_min + 0.5 * (lr - eta_min) * (1 + np.cos(np.pi * (e % T_0) / T_0))
    rates = schedules.get("cosine_restarts", T_0=T_0, eta_min=eta_min).values(lr, 400)
    np.testing.assert_allclose(rates, sgdr, **scale)
    assert np.all(rates[::T_0] == lr) or eta_min > 0                      # a warm restart: back to the full rate
    np.testing.assert_allclose(schedules.get("constant_factor", factor=factor, total_iters=iters).values(lr, 400),
                               np.where(e < iters, lr * factor, lr), **scale)


@settings(max_examples=25, deadline=None)
@given(lr=st.floats(1e-4, 1.0), total=st.integers(20, 400), pct=st.floats(0.1, 0.9), div=st.floats(2.0, 100.0),
       final=st.floats(2.0, 1e4), linear=st.booleans())
def test_one_cycle_rises_to_lr_then_anneals_to_its_floor(lr, total, pct, div, final, linear):
    cycle = schedules.get("one_cycle", total_steps=total, pct_start=pct, div_factor=div, final_div_factor=final,
                          anneal_strategy="linear" if linear else "cos")
    rates = cycle.values(lr, total + 10)
    peak = int(np.argmax(rates))
    np.testing.assert_allclose(rates[0], lr / div, rtol=1e-12)
    assert rates.max() <= lr * (1 + 1e-12) and abs(peak - (pct * total - 1)) <= 1
    np.testing.assert_allclose(rates[total - 1:], lr / div / final, rtol=1e-9)   # held after the cycle (torch raises)
    assert np.all(np.diff(rates[:peak + 1]) >= -1e-15 * lr) and np.all(np.diff(rates[peak:total]) <= 1e-15 * lr)


def test_one_cycle_spans_the_run_by_default_and_refuses_an_empty_phase():
    rates = schedules.get("one_cycle").values(1.0, 200)
    assert np.isclose(rates.max(), 1.0) and np.isclose(rates[-1], 1.0 / 25 / 1e4)
    with pytest.raises(ValueError, match="pct_start"):
        schedules.get("one_cycle", total_steps=1, pct_start=1.0).values(1.0, 5)


def test_multistep_milestones_are_text_and_describe_reads_them():
    schedule = schedules.get("multistep", milestones="5,  9 12")
    assert schedule.milestones == (5, 9, 12)
    assert "milestones=5,  9 12" in schedule.describe()
    np.testing.assert_allclose(schedule.values(1.0, 14)[[4, 5, 9, 12]], [1.0, 0.1, 0.01, 0.001], rtol=1e-12)


NEW_BAD = [
    ("multistep", {"milestones": ""}, "milestones"),
    ("multistep", {"milestones": "10 5"}, "milestones"),
    ("multistep", {"milestones": "0 5"}, "milestones"),
    ("multistep", {"milestones": "1.5"}, "milestones"),
    ("multistep", {"milestones": "import os"}, "milestones"),
    ("multistep", {"milestones": 100}, "milestones"),
    ("multistep", {"gamma": 0.0}, "gamma"),
    ("constant_factor", {"factor": 0.0}, "factor"),
    ("constant_factor", {"factor": 1.5}, "factor"),
    ("constant_factor", {"total_iters": 0}, "total_iters"),
    ("polynomial", {"power": -1.0}, "power"),
    ("polynomial", {"total_iters": 0}, "total_iters"),
    ("cosine_restarts", {"T_0": 0}, "T_0"),
    ("cosine_restarts", {"T_mult": 0}, "T_mult"),
    ("cosine_restarts", {"T_mult": 1.5}, "T_mult"),
    ("cosine_restarts", {"eta_min": -1.0}, "eta_min"),
    ("one_cycle", {"pct_start": 1.5}, "pct_start"),
    ("one_cycle", {"anneal_strategy": "exp"}, "anneal_strategy"),
    ("one_cycle", {"div_factor": 0.5}, "div_factor"),
    ("one_cycle", {"total_steps": 0}, "total_steps"),
    ("one_cycle", {"three_phase": 1}, "three_phase"),
    ("plateau", {"factor": 1.0}, "factor"),
    ("plateau", {"mode": "up"}, "mode"),
    ("plateau", {"threshold_mode": "x"}, "threshold_mode"),
    ("plateau", {"patience": -1}, "patience"),
    ("plateau", {"cooldown": 2.5}, "cooldown"),
    ("plateau", {"min_lr": -1.0}, "min_lr"),
    ("warmup_cosine", {"warmup_iters": 0}, "warmup_iters"),
    ("warmup_cosine", {"start_factor": 0.0}, "start_factor"),
    ("warmup_cosine", {"T_max": 0}, "T_max"),
]


@pytest.mark.parametrize("name, params, bad", NEW_BAD)
def test_invalid_new_parameters_raise_naming_the_parameter(name, params, bad):
    with pytest.raises(ValueError, match=bad):
        schedules.get(name, **params)


# ---------------------------------------------------------------- ReduceLROnPlateau: each run's own loss
def torch_plateau_run(landscape, optimizer, start, steps, params):
    """Path and rates of torch's optimizer with ReduceLROnPlateau stepped on the loss at each new point."""
    rates = []

    def factory(opt):
        scheduler = LR_SCHEDULER.ReduceLROnPlateau(opt, **params)
        original = opt.step

        def step(closure=None):                 # record the rate each torch step uses
            rates.append(opt.param_groups[0]["lr"])
            return original(closure)
        opt.step = step
        return scheduler

    path = torch_path(landscape, optimizer, start, steps, scheduler_factory=factory)
    return path, np.array(rates)


PLATEAU_CASES = [
    ("adam", {"lr": 0.3}, "ill_conditioned", {}),
    ("momentum", {"lr": 0.03}, "ill_conditioned", {"patience": 3, "factor": 0.5, "cooldown": 4}),
    ("momentum", {"lr": 0.03}, "ill_conditioned", {"threshold_mode": "abs", "threshold": 1e-3, "patience": 2}),
    ("adam", {"lr": 0.3}, "rosenbrock", {"patience": 3, "factor": 0.3, "min_lr": 0.01}),
    ("adam", {"lr": 0.3}, "rosenbrock", {"patience": 0, "factor": 0.9, "eps": 0.02}),   # eps stops at 0.197
    ("adam", {"lr": 0.1}, "quadratic_bowl", {"mode": "max", "patience": 2}),
    ("sgd", {"lr": 1e-3, "maximize": True}, "saddle", {"mode": "max", "threshold_mode": "abs", "threshold": 0.05}),
    ("muon", {"lr": 0.2}, "ill_conditioned", {"patience": 4}),
]


@pytest.mark.parametrize("optimizer, hyper, surface, params", PLATEAU_CASES)
def test_plateau_equals_torch_reduce_lr_on_plateau(optimizer, hyper, surface, params):
    landscape = landscapes.get(surface)
    opt = optimizers.get(optimizer, **hyper)
    plateau = schedules.get("plateau", **params)
    ours = optimizers.simulate(landscape, opt, landscape.start, 120, schedule=plateau)
    path, rates = torch_plateau_run(landscape, opt, landscape.start, 120, plateau.params)
    assert_paths_close(ours.path[:, 0], path)
    np.testing.assert_array_equal(ours.lr[:, 0], rates)
    assert rates[-1] < rates[0], "the case never reached a plateau: pick one that does"


@pytest.mark.parametrize("lr", [0.02, 0.03, 0.035])
def test_plateau_rates_are_per_run_and_a_batch_equals_separate_runs(lr):
    """Runs from different starts reach their plateaus at different steps; each keeps its own rate."""
    landscape = landscapes.get("ill_conditioned")
    plateau = schedules.get("plateau", patience=3, factor=0.5)
    starts = np.array([[-8.0, 1.5], [5.0, 0.0], [0.0, 1.0]])             # mixed, shallow-only, steep-only
    batch = optimizers.simulate(landscape, optimizers.get("momentum", lr=lr), starts, 150, schedule=plateau)
    for row, start in enumerate(starts):
        alone = optimizers.simulate(landscape, optimizers.get("momentum", lr=lr), start, 150, schedule=plateau)
        assert np.array_equal(batch.path[:, row], alone.path[:, 0])
        assert np.array_equal(batch.lr[:, row], alone.lr[:, 0])
    assert len({tuple(rates) for rates in batch.lr.T}) > 1               # per-run: the rows' rates differ


def test_plateau_with_per_run_lr_and_in_final_positions():
    landscape = landscapes.get("ill_conditioned")
    plateau = schedules.get("plateau", patience=3)
    rates = np.array([0.01, 0.03])
    starts = np.tile([-8.0, 1.5], (2, 1))
    batch = optimizers.simulate(landscape, optimizers.get("momentum", lr=rates), starts, 100, schedule=plateau)
    for row, rate in enumerate(rates):
        alone = optimizers.simulate(landscape, optimizers.get("momentum", lr=float(rate)), starts[0], 100,
                                    schedule=plateau)
        assert np.array_equal(batch.path[:, row], alone.path[:, 0])
        assert alone.lr[-1, 0] < rate                                   # both reached a plateau
    final, _ = optimizers.final_positions(landscape, optimizers.get("momentum", lr=rates), starts, 100,
                                          schedule=plateau)
    assert np.array_equal(final, batch.final)


def test_plateau_has_no_rates_before_a_run():
    with pytest.raises(ValueError, match="loss"):
        schedules.get("plateau").values(0.1, 10)
