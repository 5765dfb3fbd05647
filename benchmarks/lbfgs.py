"""L-BFGS speed: the vectorized optimizers.lbfgs beside the old row-by-row loop (benchmarks/lbfgs_rows.py).

    python benchmarks/lbfgs.py [--repeats 3] [--peer-rows 100] [--quick]

Workloads (the targets of issue 12, part 4):

* batch: 1000 random starts x 50 steps (``optimizers.run``) on Rosenbrock and
  Himmelblau, torch's defaults and with ``line_search_fn="strong_wolfe"``,
  against the row loop (target: >= 30x faster). The row loop is timed on
  ``--peer-rows`` of the starts and scaled to 1000 (labelled "extrapolated");
  both compute the same paths (the largest difference is printed);
* basin: a 100 x 100 L-BFGS basin map x 50 steps (``optimizers.basin_map``) on
  the same surfaces (target: < 2 s);
* cost: one L-BFGS step of one run relative to one Adam step of one run, both
  100 x 100 starts x 50 steps through ``optimizers.final_positions``; this is
  the figure behind ``LBFGS.step_cost``.

Figures are medians of ``--repeats`` runs (ours and the peer alternate). The
script always exits 0: a busy machine shows in the ratios, never as a failure.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

import landscapes  # noqa: E402
import optimizers  # noqa: E402
from lbfgs_rows import RowLBFGS  # noqa: E402

RUNS, STEPS, MAP_GRID = 1000, 50, 100
SURFACES = ("rosenbrock", "himmelblau")
CONFIGS = {"defaults": {}, "strong_wolfe": {"line_search_fn": "strong_wolfe"}}


def seconds(work, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def random_starts(surface, n: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    x0, x1, y0, y1 = surface.view
    return np.stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)], axis=-1)


def row(label, ours, peer, peer_name, ratio, target):
    peer_text = f"{peer * 1e3:10.0f}" if peer is not None else "       n/a"
    print(f"{label:<40}{ours * 1e3:9.0f}{peer_text}  {peer_name:<24}{ratio:>8}   {target}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--peer-rows", type=int, default=100)
    parser.add_argument("--quick", action="store_true", help="one repeat, 20 peer rows")
    args = parser.parse_args()
    repeats = 1 if args.quick else max(1, args.repeats)
    peer_rows = 20 if args.quick else max(1, min(RUNS, args.peer_rows))

    print(f"optiscape L-BFGS benchmark: median of {repeats}; numpy {np.__version__}; {os.cpu_count()} cores")
    print(f"{'workload':<40}{'ours ms':>9}{'peer ms':>10}  {'peer':<24}{'ratio':>8}   target")
    for name in SURFACES:
        surface = landscapes.get(name)
        starts = random_starts(surface, RUNS)
        for config_name, config in CONFIGS.items():
            ours_opt, peer_opt = optimizers.get("lbfgs", **config), RowLBFGS(**config)
            ours = seconds(lambda: optimizers.run(surface, ours_opt, starts, STEPS), repeats)
            peer = seconds(lambda: optimizers.run(surface, peer_opt, starts[:peer_rows], STEPS),
                           1) * RUNS / peer_rows
            ours_path = optimizers.run(surface, ours_opt, starts[:peer_rows], STEPS)
            peer_path = optimizers.run(surface, peer_opt, starts[:peer_rows], STEPS)
            gap = float(np.max(np.abs(ours_path - peer_path)))
            same = float(np.mean(np.all(ours_path == peer_path, axis=(0, 2))))
            row(f"batch {name} {config_name} {RUNS}x{STEPS}", ours, peer,
                f"row loop (extrapolated)", f"{peer / ours:6.1f}x", ">= 30x")
            print(f"  same paths as the row loop: {same:.0%} of {peer_rows} runs bit for bit, "
                  f"largest difference {gap:.1e}")

    for name in SURFACES:
        surface = landscapes.get(name)
        for config_name, config in CONFIGS.items():
            opt = optimizers.get("lbfgs", **config)
            ours = seconds(lambda: optimizers.basin_map(surface, opt, STEPS, grid=MAP_GRID), repeats)
            verdict = "met" if ours < 2.0 else "missed"
            row(f"basin {name} {config_name} {MAP_GRID}x{MAP_GRID}x{STEPS}", ours, None, "(absolute)",
                verdict, "< 2000 ms")

    costs = []
    for name in SURFACES:
        surface = landscapes.get(name)
        grid = random_starts(surface, MAP_GRID * MAP_GRID)
        adam = optimizers.get("adam", lr=0.05)
        first_order = seconds(lambda: optimizers.final_positions(surface, adam, grid, STEPS), repeats)
        for config_name, config in CONFIGS.items():
            opt = optimizers.get("lbfgs", **config)
            ours = seconds(lambda: optimizers.final_positions(surface, opt, grid, STEPS), repeats)
            costs.append(ours / first_order)
            row(f"cost {name} {config_name} vs adam", ours, first_order, "adam, same batch",
                f"{ours / first_order:6.1f}x", "step_cost")
    print(f"cost per run-step vs Adam: max {max(costs):.1f}x (LBFGS.step_cost = "
          f"{optimizers.base.optimizer_class('lbfgs').step_cost})")


if __name__ == "__main__":
    main()
