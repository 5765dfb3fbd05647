"""Seed clouds (optimizers.clouds.seed_cloud): one batch equals separate seeded runs; summaries as stated."""
from __future__ import annotations

import time

import numpy as np
import pytest

import landscapes
import optimizers
from optimizers.base import FirstOrder, optimizer_class
from optimizers.clouds import MAX_SEEDS, seed_cloud
from optimizers.runspec import DeadlineExceeded, RunSpec

VALLEY = landscapes.get("ill_conditioned")
BOWL = landscapes.get("quadratic_bowl")
FIRST_ORDER = [n for n in optimizers.names() if issubclass(optimizer_class(n), FirstOrder)]
SECOND_ORDER = [n for n in optimizers.names() if n not in FIRST_ORDER]            # lbfgs, newton: they work too


def _separate(surface, spec: RunSpec, seed: int, steps: int):
    return optimizers.simulate(surface, spec.as_set(), spec.start_point(surface), steps,
                               schedule=spec.schedule, noise=spec.noise, seed=seed)


def test_cloud_equals_separate_seeded_runs():
    spec = RunSpec("adam", {"lr": 0.1}, noise=0.5, seed=3)
    cloud = seed_cloud(VALLEY, spec, 200, 32)
    np.testing.assert_array_equal(cloud.seeds, np.arange(3, 35))
    runs = [_separate(VALLEY, spec, int(s), 200) for s in cloud.seeds]
    paths = np.stack([run.path[:, 0] for run in runs], axis=1)
    np.testing.assert_array_equal(cloud.path, paths)                   # bit for bit
    np.testing.assert_array_equal(cloud.median_path, np.median(paths, axis=1))
    distance = np.linalg.norm(paths - cloud.median_path[:, None], axis=-1)
    np.testing.assert_array_equal(cloud.band, np.quantile(distance, cloud.quantiles, axis=1))
    assert np.all(np.diff(cloud.band, axis=0) >= 0)                    # quantiles ordered at every step
    settled = np.array([run.settled_at(1e-3)[0] for run in runs])
    np.testing.assert_array_equal(cloud.settled_at, settled)


def test_summary_medians_and_spread():
    spec = RunSpec("sgd", {"lr": 0.02}, noise=0.2, seed=0)
    cloud = seed_cloud(VALLEY, spec, 400, [5, 9, 11, 40, 41, 77, 100, 2])
    summary = cloud.summary
    loss = VALLEY.value(cloud.path[-1])
    assert summary["n_seeds"] == 8
    assert summary["final_loss_median"] == np.median(loss)
    q25, q75 = np.quantile(loss, (0.25, 0.75))
    assert summary["final_loss_iqr"] == q75 - q25 > 0                  # noise spreads the seeds
    settled = cloud.settled_at[cloud.settled_at >= 0]
    assert summary["settled_share"] == settled.size / 8
    if settled.size:
        assert summary["settled_median"] == np.median(settled)
    else:
        assert np.isnan(summary["settled_median"])
    assert summary["diverged_share"] == 0.0


def test_more_noise_spreads_the_cloud():
    for lr in (0.01, 0.02, 0.03):
        small = seed_cloud(VALLEY, RunSpec("sgd", {"lr": lr}, noise=0.05), 300, 64)
        large = seed_cloud(VALLEY, RunSpec("sgd", {"lr": lr}, noise=0.5), 300, 64)
        assert large.band[-1, -1] > small.band[-1, -1]                 # 90% distance quantile at the end
        assert large.summary["final_loss_iqr"] > small.summary["final_loss_iqr"]


def test_histogram_counts_every_point():
    cloud = seed_cloud(BOWL, RunSpec("momentum", {"lr": 0.05}, noise=0.3), 50, 16)
    counts, xe, ye = cloud.histogram(10)
    assert counts.shape == (10, 10) and xe.shape == (11,) and ye.shape == (11,)
    assert counts.sum() == 51 * 16
    counts, _, _ = cloud.histogram(8, view=(-5, 5, -5, 5), step=-1)
    assert counts.sum() == 16
    with pytest.raises(ValueError, match="bins"):
        cloud.histogram(0)


@pytest.mark.parametrize("name", FIRST_ORDER + SECOND_ORDER)
def test_every_registered_optimizer(name):
    spec = RunSpec(name, start=(0.8, -0.6), noise=0.2, seed=1)
    cloud = seed_cloud(BOWL, spec, 30, 6)
    np.testing.assert_array_equal(cloud.path[:, 4], _separate(BOWL, spec, 5, 30).path[:, 0])
    assert cloud.band.shape == (5, 31) and np.all(np.isfinite(cloud.band))


def test_up_to_256_seeds():
    cloud = seed_cloud(BOWL, RunSpec("adam", {"lr": 0.05}, noise=0.1), 10, MAX_SEEDS)
    assert cloud.path.shape == (11, 256, 2)


@pytest.mark.parametrize("kwargs, word", [
    ({"seeds": 257}, "seeds"), ({"seeds": 0}, "seeds"), ({"seeds": [1, 1]}, "distinct"),
    ({"seeds": [-1, 2]}, "seeds"), ({"quantiles": (0.5, 2.0)}, "quantiles"), ({"tol": 0}, "tol"),
    ({"budget": 100}, "budget"),
])
def test_bad_input(kwargs, word):
    with pytest.raises(ValueError, match=word):
        seed_cloud(BOWL, RunSpec("adam", noise=0.1), 50, **{"seeds": 8, **kwargs})


def test_needs_noise_and_honours_deadline():
    with pytest.raises(ValueError, match="noise must be > 0"):
        seed_cloud(BOWL, RunSpec("adam"), 50, 8)
    with pytest.raises(DeadlineExceeded, match="time limit"):
        seed_cloud(BOWL, RunSpec("adam", noise=0.1), 200, 8, deadline=time.monotonic() - 1.0)
