"""Tuning (optimizers.tuning.tune) and robustness: against brute-force loops over separate runs."""
from __future__ import annotations

import time

import numpy as np
import pytest

import landscapes
import optimizers
from optimizers import runspec as runspec_module, schedules, tuning
from optimizers.base import FirstOrder, optimizer_class
from optimizers.runspec import DeadlineExceeded, RunSpec
from optimizers.tuning import candidate_grid, robustness, tune

VALLEY = landscapes.get("ill_conditioned")          # kappa = 50: SGD is stable for lr < 2/kappa = 0.04
BOWL = landscapes.get("quadratic_bowl")
FIRST_ORDER = [n for n in optimizers.names() if issubclass(optimizer_class(n), FirstOrder)]
SECOND_ORDER = [n for n in optimizers.names() if n not in FIRST_ORDER]            # lbfgs, newton: they work too


def _brute_force_value(surface, spec: RunSpec, values: dict, steps: int, objective: str, tol: float) -> float:
    """The objective of one candidate, from a separate optimizers.simulate run (written out, not shared)."""
    traj = optimizers.simulate(surface, spec.build(**values), spec.start_point(surface), steps,
                               schedule=spec.schedule, noise=spec.noise, seed=spec.seed)
    gap = traj.loss[:, 0] - surface.global_minimum.value
    diverged = traj.diverged_at[0] >= 0
    if objective == "settled":
        settled = int(traj.settled_at(tol)[0])
        return float(settled) if settled >= 0 else np.inf
    if diverged:
        return np.inf
    if objective == "final_gap":
        return float(gap[-1])
    return float(np.mean(np.log10(np.maximum(gap, 1e-16))))


@pytest.mark.parametrize("objective", ["settled", "final_gap", "auc"])
def test_tuned_is_best_and_equals_brute_force(objective):
    specs = [RunSpec("momentum", {"lr": 0.01}, noise=0.01, seed=5), RunSpec("adam", {"lr": 0.3}),
             RunSpec("rmsprop", {"lr": 0.05})]
    steps, tol = 150, 1e-3
    result = tune(VALLEY, specs, steps, objective=objective, lr_points=6, second_points=3, tol=tol)
    assert [r.spec for r in result.results] == specs
    for res in result.results:
        grid = candidate_grid(res.spec, 6, 3)
        table = res.candidates
        brute = np.array([_brute_force_value(VALLEY, res.spec, {k: float(v[i]) for k, v in grid.items()},
                                             steps, objective, tol) for i in range(len(grid["lr"]))])
        np.testing.assert_array_equal(table["value"], brute)           # bit for bit: rows never interact
        assert res.best is not None and res.message is None
        assert all(res.best_value <= v for v in table["value"])       # at least as good as every candidate
        assert res.best_value == np.min(brute)
        assert res.best == {k: float(v[res.best_index]) for k, v in grid.items()}
        as_set = _brute_force_value(VALLEY, res.spec, {}, steps, objective, tol)
        assert res.as_set_value == as_set
        assert res.improved == (res.best_value < as_set)


@pytest.mark.parametrize("schedule", [schedules.get("step", step_size=40, gamma=0.5),
                                      schedules.get("plateau", patience=3, factor=0.5)])
def test_tuning_with_a_schedule_equals_separate_runs(schedule):
    spec = RunSpec("momentum", {"lr": 0.01}, schedule=schedule)
    res = tune(VALLEY, spec, 120, objective="final_gap", lr_points=5, second_points=2).results[0]
    grid = candidate_grid(spec, 5, 2)
    brute = [_brute_force_value(VALLEY, spec, {k: float(v[i]) for k, v in grid.items()}, 120, "final_gap", 1e-3)
             for i in range(10)]
    np.testing.assert_array_equal(res.candidates["value"], brute)
    assert res.best_value == min(brute)


def test_grid_rule():
    grid = candidate_grid(RunSpec("momentum", {"lr": 0.01}), 4, 3)
    assert set(grid) == {"lr", "momentum"} and grid["lr"].size == 12
    np.testing.assert_allclose(np.unique(grid["lr"]), np.geomspace(1e-5, 10.0, 4))
    np.testing.assert_allclose(np.unique(grid["momentum"]), 1 - np.geomspace(0.5, 0.01, 3))
    assert set(candidate_grid(RunSpec("sgd"), 4, 3)) == {"lr"}         # momentum 0 as set: SGD stays SGD
    assert set(candidate_grid(RunSpec("adam"), 4, 3)) == {"lr", "beta1"}
    assert set(candidate_grid(RunSpec("adagrad"), 4, 3)) == {"lr"}


def test_result_states_objective_and_values():
    tuning = tune(VALLEY, [RunSpec("momentum", {"lr": 0.01}), RunSpec("sgd", {"lr": 0.01})], 6, lr_points=4,
                  second_points=2)
    assert tuning.statement == ("objective: steps until the loss gap stays within tol (tol 0.001), "
                                "6 steps per candidate, 84 of 2,000,000 run-steps")
    assert tuning.work == (9 + 5) * 6
    assert tuning.results[1].describe() == ("no candidate settles within 0.001 in 6 steps "
                                            "(as set lr=0.01: never settles)")
    res = tune(VALLEY, RunSpec("momentum", {"lr": 0.01}), 300, lr_points=8, second_points=2).results[0]
    assert res.describe().startswith(f"tuned lr={res.best['lr']:.3g} momentum={res.best['momentum']:.3g}: "
                                     f"settled at step {int(res.best_value)} (as set lr=0.01 momentum=0.9: ")


def test_lr_at_grid_edge_is_said():
    res = tune(VALLEY, RunSpec("adagrad", {"lr": 0.5}), 100, lr_points=6).results[0]
    assert res.best["lr"] == 10.0 and res.lr_at_grid_edge                # AdaGrad wants the largest rate here
    assert res.describe().endswith(", lr at the grid's edge)")
    res = tune(VALLEY, RunSpec("momentum", {"lr": 0.01}), 300, lr_points=8, second_points=2).results[0]
    assert not res.lr_at_grid_edge and "edge" not in res.describe()


def test_tuned_spec_reproduces_best():
    res = tune(VALLEY, RunSpec("adam", {"betas": (0.9, 0.99)}), 100, lr_points=5, second_points=2).results[0]
    tuned = res.tuned_spec()
    assert tuned.hyper["beta2"] == 0.99 and tuned.hyper["beta1"] == res.best["beta1"]
    assert _brute_force_value(VALLEY, tuned, {}, 100, "settled", 1e-3) == res.best_value


def test_budget_refused_before_any_work(monkeypatch):
    def no_stepping(*args, **kwargs):
        raise AssertionError("stepped despite the budget")

    monkeypatch.setattr(tuning, "step_variants", no_stepping)
    specs = [RunSpec("sgd", {"lr": 0.01})] * 4
    words = r"4 run\(s\) x 16 candidates \(\+1 as set\) x 1000 steps needs 68,000 run-steps, over the budget of 10,000"
    with pytest.raises(ValueError, match=words):
        tune(VALLEY, specs, 1000, lr_points=16, budget=10_000)
    with pytest.raises(ValueError, match="budget"):
        robustness(VALLEY, specs[0], 1000, budget=1000)
    with pytest.raises(ValueError, match="budget must be a positive"):
        tune(VALLEY, specs, 10, budget=0)


def test_no_candidate_reaches_the_objective():
    res = tune(VALLEY, RunSpec("sgd", {"lr": 0.01}), 5, lr_points=8).results[0]
    assert res.best is None and res.best_value is None and res.best_index == -1
    assert res.message == "no candidate settles within 0.001 in 5 steps"
    assert np.all(np.isinf(res.candidates["value"]))
    # every candidate diverges: lr far past 2/kappa on a steep valley
    steep = landscapes.get("ill_conditioned", kappa=1e4)
    spec = RunSpec("sgd", {"lr": 0.5})
    res = tune(steep, spec, 50, objective="final_gap", lr_points=1).results[0]
    assert res.message == "every candidate diverged in 50 steps" and res.best is None


def test_deadline_is_honoured():
    with pytest.raises(DeadlineExceeded, match="time limit"):
        tune(VALLEY, RunSpec("adam"), 400, deadline=time.monotonic() - 1.0)
    assert issubclass(DeadlineExceeded, ValueError)


@pytest.mark.parametrize("kwargs, word", [
    ({"objective": "fastest"}, "objective"), ({"tol": -1}, "tol"), ({"tol": "x"}, "tol"),
    ({"lr_points": 0}, "lr_points"), ({"lr_points": 100, "second_points": 100}, "second_points"),
    ({"steps": 0}, "steps"),
])
def test_bad_input_names_the_parameter(kwargs, word):
    args = {"steps": 20, **kwargs}
    steps = args.pop("steps")
    with pytest.raises(ValueError, match=word):
        tune(VALLEY, RunSpec("adam"), steps, **args)


def test_bad_specs():
    with pytest.raises(ValueError, match="unknown optimizer"):
        RunSpec("adamm")
    with pytest.raises(ValueError, match="lr must be one value"):
        RunSpec("adam", {"lr": np.array([0.1, 0.2])})
    with pytest.raises(ValueError, match="seed"):
        RunSpec("adam", seed=-1)
    with pytest.raises(ValueError, match="noise"):
        RunSpec("adam", noise=float("nan"))
    with pytest.raises(ValueError, match="specs"):
        tune(VALLEY, [], 10)


@pytest.mark.parametrize("name", FIRST_ORDER + SECOND_ORDER)
def test_every_registered_optimizer_tunes(name):
    spec = RunSpec(name, start=(0.8, -0.6), noise=0.1, seed=2)
    res = tune(BOWL, spec, 40, objective="final_gap", lr_points=3, second_points=2).results[0]
    table = res.candidates
    assert res.best is not None, res.message
    assert np.all(res.best_value <= table["value"])
    row = res.best_index
    assert _brute_force_value(BOWL, spec, res.best, 40, "final_gap", 1e-3) == table["value"][row]


# --------------------------------------------------------------------------- robustness
def test_robustness_equals_separate_runs():
    spec = RunSpec("momentum", {"lr": 0.02})
    rob = robustness(VALLEY, spec, 120, lr_points=3, grid=3)
    assert rob.settled.shape == (3, 9) and 0.0 <= rob.score <= 1.0
    np.testing.assert_allclose(rob.lrs, 0.02 * np.array([1 / 3, 1.0, 3.0]))
    for f, lr in enumerate(rob.lrs):
        for s, start in enumerate(rob.starts):
            traj = optimizers.simulate(VALLEY, spec.build(lr=float(lr)), start, 120)
            assert rob.settled[f, s] == (traj.settled_at(1e-3)[0] >= 0)
    assert rob.score == rob.settled.mean()


@pytest.mark.parametrize("sgd_lr", [0.036, 0.038, 0.039])          # just under 2/kappa = 0.04
@pytest.mark.parametrize("adam_lr", [0.05, 0.1, 0.2])
def test_sgd_near_its_limit_is_less_robust_than_adam(sgd_lr, adam_lr):
    sgd = robustness(VALLEY, RunSpec("sgd", {"lr": sgd_lr}), 300)
    adam = robustness(VALLEY, RunSpec("adam", {"lr": adam_lr}), 300)
    assert 0.0 <= sgd.score < adam.score <= 1.0
    # lr x3 is past 2/kappa: only starts exactly on the valley floor (y = 0, no steep component) settle
    assert not sgd.settled[-1][sgd.starts[:, 1] != 0].any()


def test_robustness_bad_input():
    with pytest.raises(ValueError, match="grid"):
        robustness(VALLEY, RunSpec("adam"), 10, grid=0)
    with pytest.raises(ValueError, match="view"):
        robustness(VALLEY, RunSpec("adam"), 10, view=(1, 0, 0, 1))
    with pytest.raises(ValueError, match="spec"):
        robustness(VALLEY, "adam", 10)


def test_step_variants_rows_need_one_size():
    with pytest.raises(ValueError, match="same number of rows"):
        runspec_module.step_variants(VALLEY, RunSpec("adam"), 5, overrides={"lr": np.ones(3)}, seeds=np.arange(4))
