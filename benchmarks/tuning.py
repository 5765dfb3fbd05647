"""Tuning and seed-cloud speed: one batch per run, beside a Python loop of separate runs.

    python benchmarks/tuning.py [--repeats 3] [--naive-runs 16]

Workloads (the targets of issue 12):

* tune: 8 runs x 64 candidates (16 learning rates x 4 momentum/beta1 values, plus the run
  as set) x 500 steps on the ill-conditioned valley, objective "settled":
  ``optimizers.tuning.tune`` (target: under 1 s);
* cloud: 256 seeds x 500 steps of Adam with gradient noise: ``optimizers.clouds.seed_cloud``
  (target: under 0.3 s);
* robustness: 5 learning rates x 25 starts x 500 steps for each of the 8 runs;
* the page's Tune: "Tune all runs" of a page with the same 8 runs, 500 steps
  (``webapp.compute.variants.tune_runs``: 32 learning rates, x 4 momentum/beta1 values where the
  run sets one, plus the run as set; target: under 1 s of server time);
* the page's robustness column (5 lr x 16 starts x 500 steps per run) and a 256-seed cloud
  through ``webapp.compute.variants`` (their caches cleared before each repeat).

The naive peer steps the same rows one ``optimizers.simulate`` at a time, the way a
notebook would; it is timed on ``--naive-runs`` rows and extrapolated (labelled so).
Every figure is the median of ``--repeats`` runs. The script always exits 0.
"""
from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import landscapes  # noqa: E402
import optimizers  # noqa: E402
from benchmarks.timing import median_seconds  # noqa: E402
from webapp.compute import variants  # noqa: E402
from webapp.state import AppState, default_run  # noqa: E402
from optimizers.clouds import seed_cloud  # noqa: E402
from optimizers.runspec import RunSpec  # noqa: E402
from optimizers.tuning import candidate_grid, robustness, tune  # noqa: E402

STEPS = 500
RUNS = [RunSpec("momentum", {"lr": 0.01}), RunSpec("nesterov", {"lr": 0.01, "momentum": 0.9}),
        RunSpec("rmsprop", {"lr": 0.01, "momentum": 0.9}), RunSpec("adam", {"lr": 0.3}),
        RunSpec("adamw", {"lr": 0.1}), RunSpec("nadam"), RunSpec("radam"), RunSpec("lion", {"lr": 0.01})]
CLOUD = RunSpec("adam", {"lr": 0.1}, noise=0.5, seed=3)


def naive_tune(surface, count: int) -> None:
    """``count`` candidates of the first run, each a separate simulate() and settled_at()."""
    grid = candidate_grid(RUNS[0], 16, 4)
    for i in range(count):
        values = {k: float(v[i]) for k, v in grid.items()}
        optimizers.simulate(surface, RUNS[0].build(**values), surface.start, STEPS).settled_at(1e-3)


def naive_cloud(surface, count: int) -> None:
    for seed in range(count):
        optimizers.simulate(surface, CLOUD.as_set(), surface.start, STEPS, noise=CLOUD.noise, seed=seed)


def page_state() -> AppState:
    """A page with the benchmark's 8 runs on the ill-conditioned valley, 500 steps."""
    runs = []
    for i, spec in enumerate(RUNS):
        run = default_run(spec.optimizer, color=i)
        run.hyper.update(spec.hyper)
        runs.append(run)
    return AppState(surface="ill_conditioned", surface_params={}, runs=runs, steps=STEPS)


def row(label: str, seconds: float, target: str, peer: float | None, peer_label: str) -> None:
    peer_text = "" if peer is None else f"   {peer_label} {peer:7.3f} s ({peer / seconds:5.1f}x)"
    print(f"{label:<44} {seconds:7.3f} s   target {target:<8}{peer_text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--naive-runs", type=int, default=16)
    args = parser.parse_args()
    surface = landscapes.get("ill_conditioned")
    rows = 8 * 65
    tune_s = median_seconds(lambda: tune(surface, RUNS, STEPS, lr_points=16, second_points=4), args.repeats)
    naive = median_seconds(lambda: naive_tune(surface, args.naive_runs), 1) * rows / args.naive_runs
    row(f"tune: 8 runs x 64 candidates x {STEPS} steps", tune_s, "< 1 s", naive, "simulate loop (extrapolated)")
    cloud_s = median_seconds(lambda: seed_cloud(surface, CLOUD, STEPS, 256), args.repeats)
    naive = median_seconds(lambda: naive_cloud(surface, args.naive_runs), 1) * 256 / args.naive_runs
    row(f"cloud: 256 seeds x {STEPS} steps (Adam, noise)", cloud_s, "< 0.3 s", naive, "simulate loop (extrapolated)")
    rob_s = median_seconds(lambda: [robustness(surface, spec, STEPS) for spec in RUNS], args.repeats)
    row(f"robustness: 8 runs x 5 lr x 25 starts x {STEPS}", rob_s, "-", None, "")
    page = page_state()
    page_s = median_seconds(lambda: variants.tune_runs(page, range(len(page.runs)), "settled",
                                                       deadline=float("inf")), args.repeats)
    row(f"page Tune: 8 runs x 32 lr (x 4) x {STEPS} steps", page_s, "< 1 s", None, "")
    report = variants.tune_runs(page, range(len(page.runs)), "settled", deadline=float("inf"))
    print("  " + (report.refusal or report.statement))

    def page_robustness():
        variants.clear_caches()
        return variants.robustness_scores(page, STEPS, [], deadline=float("inf"))

    row(f"page robustness: 8 runs x 5 lr x 16 starts x {STEPS}", median_seconds(page_robustness, args.repeats),
        "-", None, "")
    result = tune(surface, RUNS, STEPS)
    print(result.statement)
    for res in result.results:
        print(f"  {res.spec.optimizer:<10} {res.describe()}")

if __name__ == "__main__":
    try:
        main()
    except Exception as error:          # a benchmark never fails the bench target
        print(f"benchmarks/tuning.py: {type(error).__name__}: {error}")
