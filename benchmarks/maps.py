"""Map speed: basin-of-attraction and sensitivity maps as one batch, beside a Python loop of runs.

    python benchmarks/maps.py [--repeats 3] [--naive-cells 200]

Workloads (the targets of the maps issue, each under 1 s):

* basin: 200 x 200 starts x 300 Adam steps on Himmelblau (Rosenbrock when
  Himmelblau is not registered): ``optimizers.basin_map``;
* sensitivity: 50 x 50 hyperparameter pairs x 300 steps on Rosenbrock,
  lr x beta1 for Adam and lr x momentum for SGD: ``optimizers.sensitivity_map``.

The naive peer computes the same cells one separate run at a time
(``optimizers.simulate`` per cell, then ``steps_to_tolerance``), the way a
notebook would. It is timed on ``--naive-cells`` cells and extrapolated to the
whole map (labelled "extrapolated"). Every figure is the median of
``--repeats`` runs. Peak memory of one basin map is measured with tracemalloc
in a separate, untimed run. The script always exits 0.
"""
from __future__ import annotations

import argparse
import os
import sys
import tracemalloc

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import landscapes  # noqa: E402
import optimizers  # noqa: E402
from benchmarks.timing import median_seconds  # noqa: E402

BASIN_GRID, STEPS = 200, 300
SENSITIVITY_SIDE = 50
START = (-1.5, 2.0)


def basin_surface():
    return landscapes.get("himmelblau") if "himmelblau" in landscapes.names() else landscapes.get("rosenbrock")


def naive_basin(surface, hyper, starts, tol) -> None:
    """One simulate() per start: final point, nearest minimum, steps to tolerance."""
    for start in starts:
        trajectory = optimizers.simulate(surface, optimizers.get("adam", **hyper), start, STEPS)
        surface.nearest_minimum(trajectory.final)
        trajectory.steps_to_tolerance(tol, measure="distance")


def naive_sensitivity(surface, name, x_param, y_param, pairs) -> None:
    for x, y in pairs:
        trajectory = optimizers.simulate(surface, optimizers.get(name, **{x_param: x, y_param: y}), START, STEPS)
        trajectory.steps_to_tolerance(1e-3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--naive-cells", type=int, default=200)
    args = parser.parse_args()
    rows = []

    # ---- basin map
    surface = basin_surface()
    hyper = dict(lr=0.05)
    result = optimizers.basin_map(surface, optimizers.get("adam", **hyper), STEPS, grid=BASIN_GRID)
    ours = median_seconds(lambda: optimizers.basin_map(surface, optimizers.get("adam", **hyper), STEPS,
                                                       grid=BASIN_GRID), args.repeats)
    cells = BASIN_GRID * BASIN_GRID
    X, Y = np.meshgrid(result.xs, result.ys)
    every = np.stack([X.ravel(), Y.ravel()], axis=-1)
    sample = every[np.random.default_rng(0).choice(cells, args.naive_cells, replace=False)]
    naive = median_seconds(lambda: naive_basin(surface, hyper, sample, result.tol), args.repeats)
    naive *= cells / args.naive_cells
    rows.append((f"basin {BASIN_GRID}x{BASIN_GRID} x {STEPS} adam on {surface.name}", ours, naive))
    tracemalloc.start()
    optimizers.basin_map(surface, optimizers.get("adam", **hyper), STEPS, grid=BASIN_GRID)
    peak_mb = tracemalloc.get_traced_memory()[1] / 2 ** 20
    tracemalloc.stop()
    full_path_mb = (STEPS + 1) * cells * 2 * 8 / 2 ** 20
    counts = {result.legend[code]: n for code, n in result.counts.items()}

    # ---- sensitivity maps
    rosenbrock = landscapes.get("rosenbrock")
    for name, x_param, y_param in [("adam", "lr", "beta1"), ("sgd", "lr", "momentum")]:
        schema = {p.name: p for p in optimizers.schema(name)}
        high = 1.0 if name == "adam" else 1e-2
        xs = optimizers.param_grid(schema[x_param], SENSITIVITY_SIDE, low=1e-5, high=high)
        ys = optimizers.param_grid(schema[y_param], SENSITIVITY_SIDE)

        def ours_work():
            return optimizers.sensitivity_map(rosenbrock, name, {}, x_param, xs, y_param, ys, START, STEPS)

        ours = median_seconds(ours_work, args.repeats)
        X, Y = np.meshgrid(xs, ys)
        pairs = np.stack([X.ravel(), Y.ravel()], axis=-1)
        n = min(args.naive_cells, pairs.shape[0])
        sample = pairs[np.random.default_rng(1).choice(pairs.shape[0], n, replace=False)]
        naive = median_seconds(lambda: naive_sensitivity(rosenbrock, name, x_param, y_param, sample),
                               args.repeats) * pairs.shape[0] / n
        diverged = int(ours_work().diverged.sum())
        rows.append((f"sensitivity {SENSITIVITY_SIDE}x{SENSITIVITY_SIDE} x {STEPS} {name} {x_param} x {y_param}"
                     f" ({diverged} diverged)", ours, naive))

    print(f"median of {args.repeats}; naive = one simulate() per cell, timed on {args.naive_cells} cells "
          f"and extrapolated to the whole map")
    print(f"{'workload':<62} {'batched map':>12} {'naive loop (extrapolated)':>27} {'speed-up':>9}")
    for label, ours, naive in rows:
        print(f"{label:<62} {ours:>10.3f} s {naive:>25.1f} s {naive / ours:>8.0f}x")
    print(f"basin map peak traced memory: {peak_mb:.0f} MB (the full (K+1, N, 2) path would be "
          f"{full_path_mb:.0f} MB); classes: {counts}")


if __name__ == "__main__":
    main()
