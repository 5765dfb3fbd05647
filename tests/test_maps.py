"""Basin-of-attraction and sensitivity maps: known basins, known stability limits, batch = single runs."""
from __future__ import annotations

import numpy as np
import pytest

import landscapes
import optimizers
from landscapes.base import CriticalPoint, Landscape
from optimizers import maps
from optimizers.maps import DIVERGED, NEVER, NOT_CONVERGED, basin_map, param_grid, sensitivity_map


# ----------------------------------------------------------------------------- surfaces built here
def double_well() -> Landscape:
    """f = (x^2 - 1)^2 + y^2: minima (+-1, 0), saddle at the origin; the basins are the half-planes."""
    return Landscape(
        name="double_well", label="double well", formula="(x^2-1)^2 + y^2",
        value_fn=lambda x, y: (x * x - 1) ** 2 + y * y,
        grad_fn=lambda x, y: (4 * x * (x * x - 1), 2 * y),
        hessian_fn=lambda x, y: (12 * x * x - 4, 0 * x, 2 + 0 * x),
        view=(-2.0, 2.0, -1.5, 1.5),
        critical_points=(CriticalPoint(1.0, 0.0, 0.0, "global minimum"),
                         CriticalPoint(-1.0, 0.0, 0.0, "global minimum"),
                         CriticalPoint(0.0, 0.0, 1.0, "saddle")),
    )


def four_wells() -> Landscape:
    """f = (x^2 - 1)^2 + (y^2 - 1)^2: minima (+-1, +-1); each open quadrant is one basin."""
    return Landscape(
        name="four_wells", label="four wells", formula="(x^2-1)^2 + (y^2-1)^2",
        value_fn=lambda x, y: (x * x - 1) ** 2 + (y * y - 1) ** 2,
        grad_fn=lambda x, y: (4 * x * (x * x - 1), 4 * y * (y * y - 1)),
        hessian_fn=lambda x, y: (12 * x * x - 4, 0 * x, 12 * y * y - 4),
        view=(-2.0, 2.0, -2.0, 2.0),
        critical_points=tuple(CriticalPoint(sx, sy, 0.0, "global minimum")
                              for sx in (1.0, -1.0) for sy in (1.0, -1.0)),
    )


def himmelblau_here() -> Landscape:
    """Himmelblau f = (x^2 + y - 11)^2 + (x + y^2 - 7)^2, with its four minima (value 0)."""
    def grad(x, y):
        a, b = x * x + y - 11, x + y * y - 7
        return 4 * x * a + 2 * b, 2 * a + 4 * y * b

    def hess(x, y):
        return 12 * x * x + 4 * y - 42, 4 * x + 4 * y, 4 * x + 12 * y * y - 26 + 0 * x

    minima = [(3.0, 2.0), (-2.805118086952745, 3.131312518250573),
              (-3.779310253377747, -3.283185991286170), (3.584428340330492, -1.848126526964404)]
    return Landscape(
        name="himmelblau_here", label="Himmelblau", formula="himmelblau",
        value_fn=lambda x, y: (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2,
        grad_fn=grad, hessian_fn=hess, view=(-5.0, 5.0, -5.0, 5.0),
        critical_points=tuple(CriticalPoint(x, y, 0.0, "global minimum") for x, y in minima),
    )


def himmelblau_surfaces():
    surfaces = [himmelblau_here()]
    if "himmelblau" in landscapes.names():
        surfaces.append(landscapes.get("himmelblau"))
    return surfaces


def minimum_index(result, x, y) -> int:
    return next(i for i, m in enumerate(result.minima) if np.hypot(m.x - x, m.y - y) < 1e-9)


def assert_finite(*arrays):
    for array in arrays:
        assert np.all(np.isfinite(array))


# ----------------------------------------------------------------------------- basin maps
def test_double_well_half_planes_are_the_basins():
    result = basin_map(double_well(), optimizers.get("sgd", lr=0.02), 300, grid=24)
    right, left = minimum_index(result, 1, 0), minimum_index(result, -1, 0)
    X = np.broadcast_to(result.xs, result.labels.shape)          # labels are [row=y, col=x]
    assert np.all(result.labels[X > 0] == right)
    assert np.all(result.labels[X < 0] == left)
    assert result.counts[right] == result.counts[left] == 24 * 12
    assert result.counts[DIVERGED] == result.counts[NOT_CONVERGED] == 0
    assert np.all(result.steps_to_tol >= 0)
    assert_finite(result.final, result.xs, result.ys)
    # each final point lies within tol of the minimum of its label
    centres = np.array([[m.x, m.y] for m in result.minima])[result.labels]
    assert np.all(np.linalg.norm(result.final - centres, axis=-1) <= result.tol)


def test_cells_are_centres_of_the_view_partition():
    result = basin_map(double_well(), optimizers.get("sgd", lr=0.02), 5, grid=4, view=(-2, 2, 0, 1))
    np.testing.assert_allclose(result.xs, [-1.5, -0.5, 0.5, 1.5])
    np.testing.assert_allclose(result.ys, [0.125, 0.375, 0.625, 0.875])
    assert result.tol == pytest.approx(0.04)                     # 1% of the larger side


def test_four_wells_quadrants():
    result = basin_map(four_wells(), optimizers.get("sgd", lr=0.02), 300, grid=20)
    X, Y = np.meshgrid(result.xs, result.ys)
    for sx in (1, -1):
        for sy in (1, -1):
            quadrant = (np.sign(X) == sx) & (np.sign(Y) == sy)
            assert np.all(result.labels[quadrant] == minimum_index(result, sx, sy))


@pytest.mark.parametrize("surface", himmelblau_surfaces(), ids=lambda s: s.name)
def test_himmelblau_each_minimum_owns_its_cell(surface):
    grid, view = 50, (-5.0, 5.0, -5.0, 5.0)
    result = basin_map(surface, optimizers.get("adam", lr=0.05), 400, grid=grid, view=view)
    assert len(result.minima) == 4
    width = (view[1] - view[0]) / grid
    for index, m in enumerate(result.minima):
        col, row = int((m.x - view[0]) // width), int((m.y - view[2]) // width)
        assert result.labels[row, col] == index
        assert result.counts[index] > 0
    assert sum(result.counts.values()) == grid * grid


def test_too_large_lr_marks_every_cell_diverged():
    surface = landscapes.get("ill_conditioned", kappa=50)        # curvature 50 along y: SGD needs lr < 2/50
    result = basin_map(surface, optimizers.get("sgd", lr=0.05), 300, grid=10)
    assert np.all(result.labels == DIVERGED)
    assert result.counts[DIVERGED] == 100
    assert np.all(result.diverged_at > 0)
    assert_finite(result.final)
    stable = basin_map(surface, optimizers.get("sgd", lr=0.03), 1500, grid=10)
    assert np.all(stable.labels == 0) and np.all(stable.diverged_at == -1)


def test_diverged_label_only_where_the_run_diverged():
    result = basin_map(double_well(), optimizers.get("sgd", lr=0.3), 100, grid=16)
    went_bad = result.diverged_at >= 0
    assert went_bad.any() and not went_bad.all()
    np.testing.assert_array_equal(result.labels == DIVERGED, went_bad)
    assert np.all(result.steps_to_tol[went_bad] < result.diverged_at[went_bad])
    rows, cols = np.nonzero(went_bad)
    calm_rows, calm_cols = np.nonzero(~went_bad)
    for row, col in list(zip(rows[:3], cols[:3])) + list(zip(calm_rows[:3], calm_cols[:3])):
        trajectory = optimizers.simulate(double_well(), optimizers.get("sgd", lr=0.3),
                                         (result.xs[col], result.ys[row]), 100)
        assert result.diverged_at[row, col] == trajectory.diverged_at[0]
        assert result.steps_to_tol[row, col] == trajectory.settled_at(result.tol, measure="distance")[0]
        np.testing.assert_array_equal(result.final[row, col], trajectory.final[0])


def test_basin_cells_equal_single_runs():
    surface = double_well()
    optimizer = optimizers.get("momentum", lr=0.01)
    result = basin_map(surface, optimizer, 120, grid=12, tol=0.05)
    for row, col in [(0, 0), (3, 7), (11, 11), (6, 5)]:
        start = (result.xs[col], result.ys[row])
        trajectory = optimizers.simulate(surface, optimizers.get("momentum", lr=0.01), start, 120)
        np.testing.assert_array_equal(result.final[row, col], trajectory.final[0])
        assert result.steps_to_tol[row, col] == trajectory.settled_at(0.05, measure="distance")[0]


def test_chunking_changes_nothing(monkeypatch):
    surface = double_well()
    whole = basin_map(surface, optimizers.get("adam", lr=0.1), 80, grid=14)
    monkeypatch.setattr(maps, "PATH_BUDGET_BYTES", 81 * 16 * 9)   # 9 rows per chunk: 22 chunks
    monkeypatch.setattr(maps, "SCAN_BLOCK", 3)                      # and scan 3 steps at a time
    chunked = basin_map(surface, optimizers.get("adam", lr=0.1), 80, grid=14)
    for name in ("labels", "steps_to_tol", "final", "diverged_at"):
        np.testing.assert_array_equal(getattr(whole, name), getattr(chunked, name))


def test_noise_cells_equal_single_noisy_runs():
    surface = double_well()
    result = basin_map(surface, optimizers.get("sgd", lr=0.02), 60, grid=6, noise=0.5, seed=3)
    start = (result.xs[2], result.ys[4])
    path = optimizers.run(surface, optimizers.get("sgd", lr=0.02), start, 60, noise=0.5, seed=3)
    np.testing.assert_array_equal(result.final[4, 2], path[-1])


def test_basin_frame():
    result = basin_map(double_well(), optimizers.get("sgd", lr=0.02), 50, grid=6)
    frame = result.to_frame()
    assert len(frame) == 36
    assert {"x", "y", "label", "steps_to_tol"} <= set(frame.columns)
    row = frame.iloc[6 * 2 + 4]                                    # row-major: y index 2, x index 4
    assert row["x"] == result.xs[4] and row["y"] == result.ys[2]
    assert row["label"] == result.labels[2, 4]
    assert row["label_text"] == result.legend[int(result.labels[2, 4])]


# ----------------------------------------------------------------------------- sensitivity maps
def test_sgd_lr_stability_limit_on_ill_conditioned():
    """Heavy ball on curvature L is stable iff 0 < lr L < 2 (1 + momentum); L = kappa = 50."""
    surface = landscapes.get("ill_conditioned", kappa=50)
    lrs = np.geomspace(1e-3, 1.0, 40)
    momenta = np.array([0.0, 0.5, 0.9])
    result = sensitivity_map(surface, "sgd", {}, "lr", lrs, "momentum", momenta, (-8.0, 1.5), 600)
    assert result.diverged.shape == (3, 40)
    for j, m in enumerate(momenta):
        limit = 2 * (1 + m) / 50
        assert not result.diverged[j, lrs < 0.95 * limit].any()
        assert result.diverged[j, lrs > 1.1 * limit].all()
    plain = result.diverged[0]
    assert not plain[lrs < 2 / 50 * 0.95].any() and plain[lrs > 2 / 50 * 1.1].all()
    assert_finite(result.loss_gap, result.final)
    assert np.all(result.loss_gap >= maps.LOSS_GAP_FLOOR)


def single_run_hyper(base, x_param, x, y_param, y) -> dict:
    hyper = dict(base)
    if "betas" in hyper:                                          # the map expands torch's pair first
        hyper["beta1"], hyper["beta2"] = hyper.pop("betas")
    hyper.update({x_param: x, y_param: y})
    return hyper


@pytest.mark.parametrize("name, base, x_param, xs, y_param, ys", [
    ("sgd", {}, "lr", [0.001, 0.01, 0.03, 0.05], "momentum", [0.0, 0.5, 0.9]),
    ("sgd", {"momentum": 0.9}, "lr", [0.001, 0.02], "dampening", [0.0, 0.3, 0.7]),
    ("adam", {"betas": (0.8, 0.99)}, "lr", [0.01, 0.1, 0.5], "eps", [1e-8, 1e-2]),
])
def test_sensitivity_cells_equal_single_runs(name, base, x_param, xs, y_param, ys):
    surface, start, steps = landscapes.get("rosenbrock"), (-1.5, 2.0), 150
    result = sensitivity_map(surface, name, base, x_param, xs, y_param, ys, start, steps, tol=1e-2)
    for j, y in enumerate(ys):
        for i, x in enumerate(xs):
            hyper = single_run_hyper(base, x_param, x, y_param, y)
            trajectory = optimizers.simulate(surface, optimizers.get(name, **hyper), start, steps)
            np.testing.assert_array_equal(result.final[j, i], trajectory.final[0])
            assert result.diverged_at[j, i] == trajectory.diverged_at[0]
            assert result.steps_to_tol[j, i] == trajectory.settled_at(1e-2)[0]
            if not result.diverged[j, i]:
                assert result.loss_gap[j, i] == max(trajectory.loss[-1, 0] - 0.0, maps.LOSS_GAP_FLOOR)


def test_sensitivity_of_adam_betas_equals_the_batch_and_single_runs_exactly():
    """Swept betas: the map is the engine's batch, and each cell the separate run, bit for bit
    (bias corrections ``beta ** step`` use Python's pow on per-run columns too)."""
    surface, start, steps = landscapes.get("rosenbrock"), (-1.5, 2.0), 150
    lrs, beta2s = [0.01, 0.1, 0.5], [0.9, 0.95, 0.999]
    result = sensitivity_map(surface, "adam", {"beta1": 0.8}, "lr", lrs, "beta2", beta2s, start, steps)
    X, Y = np.meshgrid(lrs, beta2s)
    batch = optimizers.run(surface, optimizers.get("adam", beta1=0.8, lr=X.ravel(), beta2=Y.ravel()),
                           np.tile(start, (X.size, 1)), steps)
    np.testing.assert_array_equal(result.final.reshape(-1, 2), batch[-1])
    for j, beta2 in enumerate(beta2s):
        for i, lr in enumerate(lrs):
            single = optimizers.run(surface, optimizers.get("adam", beta1=0.8, lr=lr, beta2=beta2), start, steps)
            np.testing.assert_array_equal(result.final[j, i], single[-1])


def test_sensitivity_with_schedule_and_frame():
    surface = landscapes.get("ill_conditioned", kappa=10)
    schedule = optimizers.schedules.get("constant")
    result = sensitivity_map(surface, "momentum", {}, "lr", [0.01, 0.1], "dampening", [0.0, 0.5],
                             (-8.0, 1.5), 200, schedule=schedule)
    assert result.x_scale == "log" and result.y_scale == "linear"
    frame = result.to_frame()
    assert list(frame.columns[:2]) == ["lr", "dampening"] and len(frame) == 4
    assert frame["loss_gap"].iloc[3] == result.loss_gap[1, 1]
    assert result.steps_to_tol[0, 1] != NEVER                      # lr 0.1 with momentum 0.9 converges


def test_sensitivity_without_known_minimum_is_finite():
    surface = landscapes.get("saddle")                              # no minimum: steps by gradient norm
    result = sensitivity_map(surface, "sgd", {}, "lr", [0.01, 0.1, 2.0], "momentum", [0.0, 0.9],
                             surface.start, 300)
    assert result.measure == "grad_norm"
    assert result.diverged.any()                                    # the saddle sends runs off along y
    assert_finite(result.loss_gap, result.final)
    assert np.all(result.loss_gap >= maps.LOSS_GAP_FLOOR)


# ----------------------------------------------------------------------------- grids and validation
def test_param_grid_follows_the_schema():
    lr = next(p for p in optimizers.schema("adam") if p.name == "lr")
    np.testing.assert_allclose(param_grid(lr, 7), np.geomspace(1e-5, 10.0, 7))
    values = param_grid(lr, 4, low=1e-3, high=1e-0)
    np.testing.assert_allclose(np.diff(np.log10(values)), 1.0)
    momentum = next(p for p in optimizers.schema("sgd") if p.name == "momentum")
    np.testing.assert_allclose(param_grid(momentum, 5), np.linspace(0.0, 0.999, 5))
    with pytest.raises(ValueError, match="low must be > 0"):
        param_grid(lr, 5, low=0.0, high=1.0)
    beta1 = next(p for p in optimizers.schema("adam") if p.name == "beta1")
    with pytest.raises(ValueError, match="beta1"):
        param_grid(beta1, 5, low=0.5, high=1.0)                     # beta1 < 1
    with pytest.raises(ValueError, match="n must be"):
        param_grid(lr, 51)
    nesterov = next(p for p in optimizers.schema("sgd") if p.name == "nesterov")
    with pytest.raises(ValueError, match="not a numeric"):
        param_grid(nesterov, 3)


@pytest.mark.parametrize("kwargs, message", [
    (dict(grid=201), "grid must be"),
    (dict(grid=1), "grid must be"),
    (dict(grid=2.5), "grid must be"),
    (dict(steps=5001), "steps must be"),
    (dict(steps=-1), "steps must be"),
    (dict(tol=-1.0), "tol must be"),
    (dict(view=(1, 0, 0, 1)), "view must be"),
    (dict(view=(0, 1, 0)), "view must be"),
])
def test_basin_caps(kwargs, message):
    options = dict(grid=4, steps=10) | kwargs
    steps = options.pop("steps")
    with pytest.raises(ValueError, match=message):
        basin_map(double_well(), optimizers.get("sgd", lr=0.01), steps, **options)


def test_basin_rejects_per_run_hyperparameters():
    with pytest.raises(ValueError, match="one value for every cell"):
        basin_map(double_well(), optimizers.get("sgd", lr=np.array([0.1, 0.2])), 10, grid=4)


@pytest.mark.parametrize("args, message", [
    (("sgd", "lr", [0.1], "speed", [1.0]), "unknown hyperparameter 'speed'"),
    (("sgd", "lr", [0.1], "nesterov", [True]), "not a numeric"),
    (("adam", "amsgrad", [0, 1], "lr", [0.1]), "not a numeric"),
    (("sgd", "lr", [0.1], "lr", [0.2]), "must differ"),
    (("sgd", "lr", np.geomspace(1e-3, 1, 51), "momentum", [0.0]), "1 to 50 values"),
    (("sgd", "lr", [0.1], "momentum", np.zeros(51)), "1 to 50 values"),
    (("sgd", "lr", [-0.1], "momentum", [0.0]), "Invalid lr"),
    (("adam", "lr", [0.1], "beta1", [1.0]), "Invalid beta1"),
    (("rmsprop_typo", "lr", [0.1], "momentum", [0.0]), "unknown optimizer"),
])
def test_sensitivity_bad_params(args, message):
    name, x_param, xs, y_param, ys = args
    with pytest.raises(ValueError, match=message):
        sensitivity_map(landscapes.get("rosenbrock"), name, {}, x_param, xs, y_param, ys, (0.0, 0.0), 10)


def test_sensitivity_caps_on_steps_and_start():
    surface = landscapes.get("rosenbrock")
    with pytest.raises(ValueError, match="steps must be"):
        sensitivity_map(surface, "sgd", {}, "lr", [0.1], "momentum", [0.0], (0.0, 0.0), 5001)
    with pytest.raises(ValueError, match="start must be"):
        sensitivity_map(surface, "sgd", {}, "lr", [0.1], "momentum", [0.0], (0.0, np.nan), 10)
    with pytest.raises(ValueError, match="tol must be"):
        sensitivity_map(surface, "sgd", {}, "lr", [0.1], "momentum", [0.0], (0.0, 0.0), 10, tol=0)


@pytest.mark.parametrize("config", [{}, {"line_search_fn": "strong_wolfe"}])
def test_lbfgs_basin_map_is_one_batch_and_equals_separate_runs(config):
    """L-BFGS steps every cell together (no time estimate, no refusal); each cell is its own run."""
    surface = landscapes.get("himmelblau")
    opt = optimizers.get("lbfgs", **config)
    result = basin_map(surface, opt, 15, grid=24)
    assert result.labels.shape == (24, 24)
    found = [code for code, n in result.counts.items() if code >= 0 and n > 0]
    assert len(found) == 4                                     # Himmelblau's four minima all have a basin
    assert result.counts[DIVERGED] == 0
    for j, i in [(0, 0), (5, 17), (23, 23), (12, 3)]:
        alone = optimizers.run(surface, opt, (result.xs[i], result.ys[j]), 15)
        np.testing.assert_array_equal(result.final[j, i], alone[-1])
    # chunking rows (a small path budget) changes nothing
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(maps, "PATH_BUDGET_BYTES", 16 * 8 * 50)
        chunked = basin_map(surface, opt, 15, grid=24)
    np.testing.assert_array_equal(chunked.final, result.final)
    np.testing.assert_array_equal(chunked.steps_to_tol, result.steps_to_tol)


def test_every_numeric_pair_of_every_optimizer_maps_or_refuses_cleanly():
    """For every registered optimizer and pair of numeric hyperparameters: the map is finite and
    equals the engine's batch, or, when the optimizer itself rejects the combination, ValueError."""
    surface, start, steps = landscapes.get("rosenbrock"), (-1.5, 2.0), 8
    for name in optimizers.names():
        numeric = [p for p in optimizers.schema(name) if p.kind in ("float", "int") and p.per_run]
        for a, b in zip(numeric, numeric[1:]):
            xs, ys = param_grid(a, 3), param_grid(b, 2)
            X, Y = np.meshgrid(xs, ys)
            try:
                batch_optimizer = optimizers.get(name, **{a.name: X.ravel(), b.name: Y.ravel()})
            except ValueError:
                with pytest.raises(ValueError):
                    sensitivity_map(surface, name, {}, a.name, xs, b.name, ys, start, steps)
                continue
            result = sensitivity_map(surface, name, {}, a.name, xs, b.name, ys, start, steps)
            batch = optimizers.run(surface, batch_optimizer, np.tile(start, (X.size, 1)), steps)
            np.testing.assert_array_equal(result.final.reshape(-1, 2), batch[-1], err_msg=f"{name} {a.name}")
            assert_finite(result.loss_gap, result.final)
