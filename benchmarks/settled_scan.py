"""The basin map's settled-step scan: with anchors (each run's own nearest minimum) beside the plain scan.

    python benchmarks/settled_scan.py [--grid 100] [--steps 300] [--repeats 3]

A basin cell counts as converged from the step after which its run stays within
``tol`` of a known minimum to the end (``settled_at``). The scan walks every run's
tail backwards; the plain scan measures the distance to all M known minima at every
point, the anchored scan first to the minimum nearest the run's last point (one
distance) and to all M only where that one is farther than ``tol``. Both give the
same steps (checked here); figures are the best of ``--repeats``. Never fails.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import landscapes  # noqa: E402
import optimizers  # noqa: E402
from optimizers import maps  # noqa: E402
from optimizers.loop import _iterate  # noqa: E402


def best_seconds(work, repeats: int):
    times, result = [], None
    for _ in range(repeats):
        begin = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - begin)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", type=int, default=100)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"{'surface (minima)':<24} {'plain scan':>11} {'anchored scan':>14} {'speed-up':>9}  same steps")
    for name in ("himmelblau", "rastrigin"):
        surface = landscapes.get(name)
        xs, ys = maps.cell_centres(surface.view, args.grid)
        X, Y = np.meshgrid(xs, ys)
        starts = np.stack([X.ravel(), Y.ravel()], axis=-1)
        out = _iterate(surface, optimizers.get("adam", lr=0.05), starts, args.steps)
        path, diverged_at = out["path"], out["diverged_at"]
        centres = np.array([m.as_array() for m in surface.minima])
        gap = maps._nearest_distance(centres)
        tol = maps.DEFAULT_BASIN_TOL_FRACTION * max(surface.view[1] - surface.view[0], surface.view[3] - surface.view[2])
        index, _ = surface.nearest_minimum(path[-1])
        anchors = centres[index]
        plain, a = best_seconds(lambda: maps._settled_within(path, gap, tol, diverged_at), args.repeats)
        anchored, b = best_seconds(lambda: maps._settled_within(path, gap, tol, diverged_at, anchors), args.repeats)
        print(f"{name + f' ({len(centres)})':<24} {plain:>9.3f} s {anchored:>12.3f} s {plain / anchored:>8.1f}x  "
              f"{np.array_equal(a, b)}")
    print(f"{args.grid}x{args.grid} Adam runs x {args.steps} steps, tol = 1% of the view; the scan only "
          f"(stepping excluded); best of {args.repeats}")


if __name__ == "__main__":
    main()
