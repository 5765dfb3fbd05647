"""An honest "converged": first touch, settled step, "touched, left again", and which minimum.

The issue's own examples: Nesterov on the default valley touches 1e-3 at step 24
and leaves; RMSProp at constant lr reaches 1e-89 and leaves; on Beale at lr 0.1
RMSProp touches and never settles while Adam settles.
"""
from __future__ import annotations

import numpy as np
import pytest

import landscapes
import optimizers
from optimizers import convergence
from optimizers.maps import basin_map, sensitivity_map

VALLEY = landscapes.get("ill_conditioned")
BOWL = landscapes.get("quadratic_bowl")


def test_rules_on_hand_written_gaps():
    gap = np.array([[5.0, 0.0, 5.0, 5.0, np.nan],
                    [0.5, 0.0, 5.0, 0.5, 0.5],
                    [5.0, 0.0, 0.5, 0.5, 0.5],
                    [0.5, 0.0, 0.5, 0.5, 0.5]])                     # (T+1=4, N=5)
    result = convergence.convergence(gap, 1.0, np.array([-1, -1, -1, 2, -1]))
    assert result.touched_at.tolist() == [1, 0, 2, 1, 1]
    assert result.settled_at.tolist() == [3, 0, 2, -1, 1]           # run 3 diverged at step 2: never settled
    assert result.left_again.tolist() == [True, False, False, True, False]
    assert [result.describe(i) for i in range(5)] == [
        "settled at step 3 (touched at 1, left again)", "settled at step 0", "settled at step 2",
        "diverged at step 2", "settled at step 1"]
    assert convergence.describe(4, -1, -1) == "touched at 4, left again"
    assert convergence.describe(-1, -1, -1) == "not converged"


def test_nesterov_touches_at_24_leaves_and_settles_at_88():
    trajectory = optimizers.simulate(VALLEY, optimizers.get("nesterov", lr=0.01), VALLEY.start, 150)
    result = trajectory.convergence(1e-3)
    assert result.touched_at[0] == 24 and trajectory.steps_to_tolerance(1e-3)[0] == 24
    assert trajectory.loss[35, 0] > 0.4, "its loss climbs back to 0.46 by step 35"
    assert result.settled_at[0] == 88 and trajectory.settled_at(1e-3)[0] == 88
    assert result.left_again[0]
    assert np.all(trajectory.loss[88:, 0] <= 1e-3) and trajectory.loss[87, 0] > 1e-3


def test_rmsprop_at_constant_lr_reaches_1e_minus_89_and_leaves_again():
    trajectory = optimizers.simulate(VALLEY, optimizers.get("rmsprop", lr=0.05), VALLEY.start, 1000)
    loss = trajectory.loss[:, 0]
    best = int(np.argmin(loss))
    assert loss[best] < 1e-80
    assert loss[best:].max() > 1.0, "after its best point the loss climbs above 1"
    result = trajectory.convergence(1e-3)
    assert 0 < result.touched_at[0] < best < result.settled_at[0]
    assert result.left_again[0]


def test_beale_at_lr_0_1_rmsprop_touches_and_never_settles_while_adam_settles():
    beale = landscapes.get("beale")
    rmsprop = optimizers.simulate(beale, optimizers.get("rmsprop", lr=0.1), beale.start, 500).convergence(1e-3)
    adam = optimizers.simulate(beale, optimizers.get("adam", lr=0.1), beale.start, 500).convergence(1e-3)
    assert rmsprop.touched_at[0] < adam.touched_at[0], "RMSProp touches the tolerance first ..."
    assert rmsprop.settled_at[0] == -1 and rmsprop.describe(0).startswith("touched at")
    assert adam.settled_at[0] == adam.touched_at[0] > 0, "... but only Adam stays"


def test_settled_is_never_before_the_first_touch_on_many_runs():
    starts = np.random.default_rng(0).uniform(-8, 8, size=(64, 2))
    lrs = np.geomspace(1e-3, 0.05, 64)
    trajectory = optimizers.simulate(VALLEY, optimizers.get("momentum", lr=lrs), starts, 300)
    result = trajectory.convergence(1e-2)
    reached = result.settled_at >= 0
    assert reached.any() and (~reached).any()
    assert np.all(result.settled_at[reached] >= result.touched_at[reached])
    for run in np.flatnonzero(reached):
        k = result.settled_at[run]
        assert np.all(trajectory.loss[k:, run] <= 1e-2) and (k == 0 or trajectory.loss[k - 1, run] > 1e-2)


def test_maps_count_the_settled_step_not_the_first_touch():
    sens = sensitivity_map(VALLEY, "nesterov", {}, "lr", [0.01, 0.005], "momentum", [0.9], VALLEY.start, 150)
    assert sens.steps_to_tol[0].tolist() == [88, optimizers.simulate(
        VALLEY, optimizers.get("nesterov", lr=0.005), VALLEY.start, 150).settled_at(1e-3)[0]]
    basin = basin_map(VALLEY, optimizers.get("rmsprop", lr=0.05), 400, grid=6, tol=0.05)
    for row, col in [(0, 0), (2, 3), (5, 5)]:
        trajectory = optimizers.simulate(VALLEY, optimizers.get("rmsprop", lr=0.05),
                                         (basin.xs[col], basin.ys[row]), 400)
        assert basin.steps_to_tol[row, col] == trajectory.settled_at(0.05, measure="distance")[0]


def test_nearest_critical_point_names_its_kind():
    wells = landscapes.get("local_minima")
    for point in wells.critical_points:
        index, distance = wells.nearest_critical_point(point.as_array() + 1e-3)
        assert wells.critical_points[int(index)] == point and distance == pytest.approx(np.sqrt(2) * 1e-3)
    local = next(p for p in wells.critical_points if p.kind == "local minimum")
    found, distance = wells.nearest_known_minimum(local.as_array() + (0.01, 0.0))
    assert found.kind == "local minimum" and distance == pytest.approx(0.01)
    saddle = landscapes.get("saddle")
    index, _ = saddle.nearest_critical_point([[0.1, 0.1]])
    assert saddle.critical_points[int(index[0])].kind == "saddle"
    assert saddle.nearest_known_minimum((0.1, 0.1)) == (None, pytest.approx(np.nan, nan_ok=True))
    trajectory = optimizers.simulate(wells, optimizers.get("sgd", lr=0.1), [local.as_array()], 3)
    (point, gap), = trajectory.nearest_minimum()
    assert point == local and gap < 1e-6


def test_the_anchored_basin_scan_equals_the_plain_scan():
    from optimizers import maps
    from optimizers.loop import _iterate

    surface = landscapes.get("rastrigin")                            # 121 known minima
    xs, ys = maps.cell_centres(surface.view, 12)
    X, Y = np.meshgrid(xs, ys)
    starts = np.stack([X.ravel(), Y.ravel()], axis=-1)
    out = _iterate(surface, optimizers.get("momentum", lr=0.002), starts, 40)
    centres = np.array([m.as_array() for m in surface.minima])
    gap = maps._nearest_distance(centres)
    anchors = centres[surface.nearest_minimum(out["path"][-1])[0]]
    for tol in (0.05, 0.3, 1.0):
        plain = maps._settled_within(out["path"], gap, tol, out["diverged_at"])
        anchored = maps._settled_within(out["path"], gap, tol, out["diverged_at"], anchors)
        assert np.array_equal(plain, anchored)
        if tol == 0.05:
            assert (plain > 0).any() and (plain < 0).any(), "settled late, and never, both occur"
    basin = basin_map(surface, optimizers.get("momentum", lr=0.002), 40, grid=12, tol=0.3)
    assert np.array_equal(basin.steps_to_tol.ravel(), maps._settled_within(out["path"], gap, 0.3, out["diverged_at"]))
