"""Our optimizers against torch.optim 2.13, generated from tests/optimizer_cases.py.

Every hyperparameter set of every record runs on every surface in
``SURFACES``: all starts as one batch through ``optimizers.run``, each row
compared with torch's path from that start (float64, rtol 1e-9). Per-run
hyperparameter arrays are compared with torch run by run, and an lr sweep in
one batch must equal separate runs bit for bit.
"""
from __future__ import annotations

import numpy as np
import pytest

import landscapes
import optimizers
from optimizer_cases import STARTS, SURFACES, first_order_cases
from torch_reference import assert_paths_close, torch_path

CASES = first_order_cases()
SURFACE_OBJECTS = {name: landscapes.get(name) for name in SURFACES}


def _hyper_id(hyper: dict) -> str:
    return ",".join(f"{k}={v}" for k, v in hyper.items()) or "defaults"


TORCH_PARAMS = [
    pytest.param(case, hyper, surface, id=f"{case.name}-{_hyper_id(hyper)}-{surface}")
    for case in CASES for hyper in case.torch_hypers for surface in SURFACES
]


def _compare_with_torch(name: str, hyper: dict, surface: str, steps: int) -> None:
    landscape = SURFACE_OBJECTS[surface]
    starts = np.array(STARTS[surface])                          # (N, 2)
    ours = optimizers.run(landscape, optimizers.get(name, **hyper), starts, steps)   # (T+1, N, 2)
    assert ours.shape == (steps + 1, len(starts), 2)
    for row, start in enumerate(starts):
        theirs = torch_path(landscape, optimizers.get(name, **hyper), start, steps)
        assert np.all(np.isfinite(theirs)), "torch's path left the finite numbers: pick a tamer case"
        assert_paths_close(ours[:, row], theirs)


@pytest.mark.parametrize("case, hyper, surface", TORCH_PARAMS)
def test_path_matches_torch(case, hyper, surface):
    _compare_with_torch(case.name, hyper, surface, case.steps)


def test_every_torch_case_moves():
    """Guard against vacuous comparisons: each case's default run actually moves on every surface."""
    for case in CASES:
        for surface in SURFACES:
            path = optimizers.run(SURFACE_OBJECTS[surface], optimizers.get(case.name), STARTS[surface][0], 20)
            assert np.linalg.norm(path[-1] - path[0]) > 1e-4, (case.name, surface)


# ------------------------------------------------------------- per-run arrays
PER_RUN_PARAMS = [
    pytest.param(case, hyper, id=f"{case.name}-{_hyper_id(hyper)}")
    for case in CASES for hyper in case.per_run
]


def _row_values(hyper: dict, row: int) -> dict:
    return {k: (v[row] if isinstance(v, list) else v) for k, v in hyper.items()}


@pytest.mark.parametrize("case, hyper", PER_RUN_PARAMS)
@pytest.mark.parametrize("surface", ["rosenbrock", "ill_conditioned"])
def test_per_run_arrays_match_torch_row_by_row(case, hyper, surface):
    """One batch sweeping a hyperparameter = torch run separately with each row's values."""
    landscape = SURFACE_OBJECTS[surface]
    n_runs = len(next(v for v in hyper.values() if isinstance(v, list)))
    start = STARTS[surface][0]
    starts = np.tile(start, (n_runs, 1))
    batch_hyper = {k: (np.array(v) if isinstance(v, list) else v) for k, v in hyper.items()}
    ours = optimizers.run(landscape, optimizers.get(case.name, **batch_hyper), starts, case.steps)
    for row in range(n_runs):
        theirs = torch_path(landscape, optimizers.get(case.name, **_row_values(hyper, row)), start, case.steps)
        assert_paths_close(ours[:, row], theirs)
    # the rows really differ: the sweep is not silently using one value
    assert not np.array_equal(ours[:, 0], ours[:, 1])


@pytest.mark.parametrize("case", CASES, ids=str)
def test_lr_sweep_equals_separate_runs_bit_for_bit_and_torch(case):
    landscape = SURFACE_OBJECTS["ill_conditioned"]
    base = optimizers.get(case.name).lr
    rates = np.array([0.5, 1.0, 2.0]) * base
    start = STARTS["ill_conditioned"][1]
    starts = np.tile(start, (len(rates), 1))
    batch = optimizers.run(landscape, optimizers.get(case.name, lr=rates), starts, 100)   # (T+1, 3, 2)
    for row, rate in enumerate(rates):
        single = optimizers.run(landscape, optimizers.get(case.name, lr=float(rate)), start, 100)
        assert np.array_equal(batch[:, row], single), f"lr={rate}: batch row differs from a separate run"
        assert_paths_close(batch[:, row], torch_path(landscape, optimizers.get(case.name, lr=float(rate)), start, 100))
    assert not np.array_equal(batch[:, 0], batch[:, 2])
