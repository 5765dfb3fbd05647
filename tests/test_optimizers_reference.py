"""The optimizers beyond torch.optim against their authors' packages, generated from tests/reference_cases.py.

Same discipline as tests/test_optimizers_torch.py: every hyperparameter set of
every record runs on every surface of ``SURFACES``, all starts as one batch,
each row compared with the reference's path from that start (float64, rtol
1e-9, atol 1e-12, 150 steps), and so are the recorded states that the app
draws (Schedule-Free's y and z, Prodigy's d, SAM's probe). Per-run arrays are
compared row by row; schema names and defaults equal the references'
constructors; a missing reference package fails with a message.
"""
from __future__ import annotations

import dataclasses
import inspect
import math

import numpy as np
import pytest
import torch

import landscapes
import optimizers
from optimizers import schedules
from optimizer_cases import STARTS, SURFACES
from reference_cases import REFERENCE_CASES, reference_case
import reference_oracle
from reference_oracle import reference_class, reference_run, resolve
from torch_reference import assert_paths_close

SURFACE_OBJECTS = {name: landscapes.get(name) for name in SURFACES}


def _hyper_id(hyper: dict) -> str:
    return ",".join(f"{k}={v}" for k, v in hyper.items()) or "defaults"


def _compare(case, hyper: dict, surface: str, starts, steps: int, row_hypers=None, schedule=None,
             scheduler_factory=None) -> np.ndarray:
    landscape = SURFACE_OBJECTS[surface] if isinstance(surface, str) else surface
    starts = np.array(starts, dtype=np.float64)                                  # (N, 2)
    ours = optimizers.simulate(landscape, optimizers.get(case.name, **hyper), starts, steps, schedule=schedule)
    assert ours.path.shape == (steps + 1, len(starts), 2)
    assert np.all(ours.diverged_at == -1), "a run diverged: pick a tamer case"
    for row, start in enumerate(starts):
        row_hyper = row_hypers[row] if row_hypers else hyper
        theirs = reference_run(case, landscape, optimizers.get(case.name, **row_hyper), start, steps,
                               scheduler_factory=scheduler_factory)
        assert np.all(np.isfinite(theirs["path"])), "the reference's path left the finite numbers"
        assert_paths_close(ours.path[:, row], theirs["path"])
        for key in case.compare_state:
            assert_paths_close(ours.state[key][:, row], theirs[key])
    return ours.path


REFERENCE_PARAMS = [
    pytest.param(case, hyper, surface, id=f"{case.name}-{_hyper_id(hyper)}-{surface}")
    for case in REFERENCE_CASES for hyper in case.hypers for surface in case.surfaces
]


@pytest.mark.parametrize("case, hyper, surface", REFERENCE_PARAMS)
def test_path_and_state_match_the_reference(case, hyper, surface):
    _compare(case, hyper, surface, STARTS[surface], case.steps)


@pytest.mark.parametrize("case", REFERENCE_CASES, ids=str)
def test_every_reference_case_moves(case):
    """Guard against vacuous comparisons: each case's first set moves on every surface."""
    for surface in case.surfaces:
        path = optimizers.run(SURFACE_OBJECTS[surface], optimizers.get(case.name, **case.hypers[0]),
                              STARTS[surface][0], 50)
        assert np.linalg.norm(path[-1] - path[0]) > 1e-4, surface


# ------------------------------------------------------------- per-run arrays
PER_RUN_PARAMS = [pytest.param(case, hyper, id=f"{case.name}-{_hyper_id(hyper)}")
                  for case in REFERENCE_CASES for hyper in case.per_run]


@pytest.mark.parametrize("case, hyper", PER_RUN_PARAMS)
@pytest.mark.parametrize("surface", ["rosenbrock", "ill_conditioned"])
def test_per_run_arrays_match_the_reference_row_by_row(case, hyper, surface):
    n_runs = len(next(v for v in hyper.values() if isinstance(v, list)))
    rows = [{k: (v[row] if isinstance(v, list) else v) for k, v in hyper.items()} for row in range(n_runs)]
    batch = {k: (np.array(v) if isinstance(v, list) else v) for k, v in hyper.items()}
    path = _compare(case, batch, surface, np.tile(STARTS[surface][0], (n_runs, 1)), case.steps, row_hypers=rows)
    for row, row_hyper in enumerate(rows):    # and each row is the separate run, bit for bit
        single = optimizers.run(SURFACE_OBJECTS[surface], optimizers.get(case.name, **row_hyper),
                                STARTS[surface][0], case.steps)
        assert np.array_equal(path[:, row], single), f"row {row} differs from its separate run"
    assert any(not np.array_equal(path[:, 0], path[:, row]) for row in range(1, n_runs))   # a real sweep


@pytest.mark.parametrize("case", REFERENCE_CASES, ids=str)
def test_lr_sweep_equals_separate_runs_bit_for_bit_and_the_reference(case):
    base = optimizers.get(case.name, **case.hypers[0]).lr
    rates = np.array([0.5, 1.0, 2.0]) * base
    start = STARTS["ill_conditioned"][1]
    hyper = {**case.hypers[0], "lr": rates}
    path = _compare(case, hyper, "ill_conditioned", np.tile(start, (3, 1)), 100,
                    row_hypers=[{**case.hypers[0], "lr": float(rate)} for rate in rates])
    for row, rate in enumerate(rates):
        single = optimizers.run(SURFACE_OBJECTS["ill_conditioned"],
                                optimizers.get(case.name, **{**case.hypers[0], "lr": float(rate)}), start, 100)
        assert np.array_equal(path[:, row], single)
    assert not np.array_equal(path[:, 0], path[:, 2])


@pytest.mark.parametrize("case", REFERENCE_CASES, ids=str)
def test_a_schedule_scales_lr_as_a_torch_scheduler_does(case):
    """Our StepLR-like schedule = torch's StepLR stepping the reference (Lion's decoupled decay divides by lr_0)."""
    hyper = dict(case.hypers[0])
    if case.name == "lion":
        hyper.update(weight_decay=0.05, decoupled_weight_decay=True)
    _compare(case, hyper, "rosenbrock", STARTS["rosenbrock"], 90,
             schedule=schedules.get("step", step_size=30, gamma=0.5),
             scheduler_factory=lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=30, gamma=0.5))


# ------------------------------------------------------------- schemas
def _reference_defaults(case) -> dict:
    """The constructor arguments of the reference classes (SAM: its own and its base SGD's), with defaults."""
    args = {}
    for dotted in case.signature:
        cls = resolve(dotted, case.package)
        for key, value in inspect.signature(cls.__init__).parameters.items():
            if value.kind in (value.VAR_KEYWORD, value.VAR_POSITIONAL):
                continue
            args[key] = value.default
    for key in ("self", "params", "base_optimizer", "foreach", "differentiable", "fused", *case.not_exposed):
        args.pop(key, None)
    return args


@pytest.mark.parametrize("case", REFERENCE_CASES, ids=str)
def test_schema_names_and_defaults_are_the_references(case):
    cls = optimizers.base.optimizer_class(case.name)
    assert cls.torch_name is None and case.package.split("==")[0] in cls.reference
    ours = {p.name: p.default for p in cls.schema}
    if "beta1" in ours and "momentum" not in ours:
        ours["betas"] = (ours.pop("beta1"), ours.pop("beta2"))
    theirs = _reference_defaults(case)
    assert set(ours) == set(theirs)
    for key, default in ours.items():
        expected = theirs[key]
        if key in case.spelled:
            assert default is None and expected == case.spelled[key], key
        else:
            assert default == expected, (key, default, expected)


@pytest.mark.parametrize("case", REFERENCE_CASES, ids=str)
def test_the_reference_rejects_what_we_reject_where_it_checks(case):
    """Where the reference's constructor rejects a negative value, ours does too, naming the parameter.

    (Ours is stricter where the reference does not check, e.g. Lion's weight_decay; never looser.)"""
    cls = reference_class(case)
    defaults = reference_oracle.reference_kwargs(case, optimizers.get(case.name))
    checked = []
    for param in optimizers.schema(case.name):
        if param.kind != "float" or param.default is None:
            continue
        value = -0.5
        kwargs = dict(defaults)
        if param.name in ("beta1", "beta2") and "betas" in kwargs:
            betas = list(kwargs["betas"])
            betas[int(param.name[-1]) - 1] = value
            kwargs["betas"] = tuple(betas)
        else:
            kwargs[param.name] = value
        try:
            cls([torch.zeros(2, requires_grad=True)], **kwargs)
        except (ValueError, AssertionError):
            checked.append(param.name)
            with pytest.raises(ValueError, match=param.name):
                optimizers.get(case.name, **{param.name: value})
    assert checked or case.name in ("adamw_schedulefree",), "the reference checks nothing?"


def test_a_missing_reference_package_fails_naming_it(monkeypatch):
    monkeypatch.setitem(reference_oracle.MISSING, "lion_pytorch", ImportError("No module named 'lion_pytorch'"))
    with pytest.raises(pytest.fail.Exception, match=r"lion-pytorch==0\.2\.5.*not installed"):
        reference_class(reference_case("lion"))


def test_every_beyond_torch_optimizer_has_a_reference_record():
    beyond = {name for name in optimizers.names() if getattr(optimizers.base.optimizer_class(name), "reference", None)}
    assert beyond == {case.name for case in REFERENCE_CASES}
    assert {"lion", "sgd_schedulefree", "adamw_schedulefree", "adabelief", "prodigy", "sam"} <= beyond


# ------------------------------------------------------------- what the app draws, and reference quirks
@pytest.mark.parametrize("lr, momentum", [(0.003, 0.9), (0.01, 0.9), (0.01, 0.5), (0.03, 0.3)])
def test_schedule_free_records_x_y_z_and_x_is_the_average_of_z(lr, momentum):
    """With r = 0 and no warm-up, c_{k+1} = 1/(k+1): x_k is the plain mean of z_1..z_k,
    and y = (1 - beta) z + beta x."""
    surface = SURFACE_OBJECTS["ill_conditioned"]
    trajectory = optimizers.simulate(surface, optimizers.get("sgd_schedulefree", lr=lr, momentum=momentum),
                                     STARTS["ill_conditioned"], 60)
    x, y, z = (trajectory.state[key] for key in ("x", "y", "z"))
    assert np.array_equal(x, trajectory.path)
    mean = np.cumsum(z[1:], axis=0) / np.arange(1, 61)[:, None, None]   # c_1 = 1: x_1 = z_1
    np.testing.assert_allclose(x[1:], mean, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(y, (1 - momentum) * z + momentum * x, rtol=1e-9, atol=1e-12)
    assert not np.allclose(x[1:], z[1:])                    # three different sequences
    np.testing.assert_array_equal(trajectory.evals[-1], 60)  # one gradient per step, at y


@pytest.mark.parametrize("surface", ["rosenbrock", "ill_conditioned"])
@pytest.mark.parametrize("d0", [1e-7, 1e-6, 1e-5])
def test_prodigy_records_d_growing_from_d0(surface, d0):
    trajectory = optimizers.simulate(SURFACE_OBJECTS[surface], optimizers.get("prodigy", d0=d0), STARTS[surface], 100)
    d = trajectory.state["d"]                                # (T+1, N, 2), both columns d
    assert np.all(d[0] == d0) and np.array_equal(d[..., 0], d[..., 1])
    assert np.all(np.diff(d[..., 0], axis=0) >= 0)           # d never decreases
    assert np.all(d[-1, :, 0] > 1e3 * d0)                    # and grows by orders of magnitude


def test_prodigy_a_run_with_zero_gradients_takes_no_step_like_the_reference():
    """At the saddle's critical point the gradient is exactly 0: |s|_1 = 0 and the reference returns early."""
    surface = SURFACE_OBJECTS["saddle"]
    case = reference_case("prodigy")
    starts = np.array([[0.0, 0.0], [1.0, 1e-3]])
    ours = optimizers.simulate(surface, optimizers.get("prodigy"), starts, 30)
    assert np.all(ours.path[:, 0] == 0.0) and np.all(ours.state["d"][:, 0] == 1e-6)
    for row in range(2):
        theirs = reference_run(case, surface, optimizers.get("prodigy"), starts[row], 30)
        assert_paths_close(ours.path[:, row], theirs["path"])
        assert_paths_close(ours.state["d"][:, row], theirs["d"])


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize("rho", [0.01, 0.05, 0.2])
def test_sam_counts_two_gradients_a_step_and_records_the_probe(surface, rho):
    surface = SURFACE_OBJECTS[surface]
    trajectory = optimizers.simulate(surface, optimizers.get("sam", rho=rho, lr=1e-4), STARTS[surface.name], 40)
    assert np.array_equal(trajectory.evals[:, 0], 2 * np.arange(41))
    offset = trajectory.state["probe"][1:] - trajectory.path[:-1]          # (T, N, 2) the ascent of each step
    np.testing.assert_allclose(np.linalg.norm(offset, axis=-1), rho, rtol=1e-6)   # on the sphere of radius rho
    gradient = surface.grad(trajectory.path[:-1])
    assert np.all(np.sum(offset * gradient, axis=-1) > 0)                  # uphill


def test_sam_use_gc_is_the_identity_on_a_2_vector_in_the_reference():
    """The reference's use_gc (not exposed) centralizes only tensors of 2+ dimensions."""
    case = reference_case("sam")
    surface = SURFACE_OBJECTS["rosenbrock"]
    plain = reference_run(case, surface, optimizers.get("sam", momentum=0.9), STARTS["rosenbrock"][0], 30)
    with_gc = reference_run(dataclasses.replace(case, fixed={**case.fixed, "use_gc": True}),
                            surface, optimizers.get("sam", momentum=0.9), STARTS["rosenbrock"][0], 30)
    np.testing.assert_array_equal(plain["path"], with_gc["path"])


@pytest.mark.parametrize("start", [(-1.5, 2.0), (0.5, -0.5), (1.2, 1.0)])
@pytest.mark.parametrize("lr", [3e-3, 1e-2, 3e-2])
def test_adabelief_amsgrad_changes_nothing_while_rectified_as_in_the_reference(start, lr):
    """A reference quirk the docstring states: with rectify, neither branch reads the running maximum."""
    surface = SURFACE_OBJECTS["rosenbrock"]
    plain = optimizers.run(surface, optimizers.get("adabelief", lr=lr), start, 120)
    ams = optimizers.run(surface, optimizers.get("adabelief", lr=lr, amsgrad=True), start, 120)
    unrectified = optimizers.run(surface, optimizers.get("adabelief", lr=lr, amsgrad=True, rectify=False), start, 120)
    assert np.array_equal(plain, ams)
    assert not np.array_equal(unrectified, optimizers.run(surface, optimizers.get("adabelief", lr=lr, rectify=False),
                                                          start, 120))


@pytest.mark.parametrize("lr", [1e-3, 1e-2, 0.1])
@pytest.mark.parametrize("start", [(-8.0, 1.5), (3.0, -2.0), (0.5, 0.5)])
def test_lion_moves_every_coordinate_by_exactly_lr(lr, start):
    path = optimizers.run(SURFACE_OBJECTS["ill_conditioned"], optimizers.get("lion", lr=lr), start, 40)
    steps = np.abs(np.diff(path, axis=0))
    np.testing.assert_allclose(steps[steps > 0], lr, rtol=1e-9)
    assert np.mean(steps > 0) > 0.9


def test_growth_rate_and_beta3_accept_the_references_spellings():
    assert optimizers.get("prodigy", growth_rate=math.inf).hyper["growth_rate"] is None
    assert optimizers.get("prodigy", growth_rate=None, beta3=None).hyper["beta3"] is None
    assert optimizers.get("prodigy", growth_rate=1.5).hyper["growth_rate"] == 1.5


@pytest.mark.parametrize("case", REFERENCE_CASES, ids=str)
def test_noisy_batch_equals_separate_runs_bit_for_bit(case):
    """Gradient noise is a function of (seed, evaluation count): SAM's two evaluations a step and
    Schedule-Free's gradient at y draw the same noise alone as in a batch."""
    surface = SURFACE_OBJECTS["ill_conditioned"]
    starts = np.array([[-8.0, 1.5], [3.0, -2.0], [0.5, 0.5]])
    hyper = case.hypers[0]
    batch = optimizers.run(surface, optimizers.get(case.name, **hyper), starts, 60, noise=0.5, seed=[4, 5, 6])
    for row, seed in enumerate([4, 5, 6]):
        alone = optimizers.run(surface, optimizers.get(case.name, **hyper), starts[row], 60, noise=0.5, seed=seed)
        assert np.array_equal(batch[:, row], alone)
    clean = optimizers.run(surface, optimizers.get(case.name, **hyper), starts, 60)
    assert not np.array_equal(batch, clean)
