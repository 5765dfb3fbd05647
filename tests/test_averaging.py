"""Polyak averaging (running mean and the lecture's EMA) against torch.optim.swa_utils; snapshot steps."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

import landscapes
import optimizers
from optimizers import averaging, schedules

BOWL = landscapes.get("quadratic_bowl")


def _noisy_path(steps=120, runs=3):
    starts = np.array([[1.5, -1.0], [0.3, 2.0], [-2.0, -0.5]])[:runs]
    return optimizers.simulate(BOWL, optimizers.get("sgd", lr=0.1), starts, steps, noise=1.0, seed=[1, 2, 3][:runs])


def _torch_average(path: np.ndarray, start: int, multi_avg_fn=None) -> np.ndarray:
    """AveragedModel updated with path[start], path[start+1], ...; ``(T+1-start, N, 2)``."""
    model = torch.nn.Linear(1, 1)
    model.weight = torch.nn.Parameter(torch.zeros(path.shape[1:], dtype=torch.float64))
    model.bias = None
    averaged = AveragedModel(model, multi_avg_fn=multi_avg_fn)
    out = []
    for point in path[start:]:
        with torch.no_grad():
            model.weight.copy_(torch.from_numpy(point))
        averaged.update_parameters(model)
        out.append(averaged.module.weight.detach().numpy().copy())
    return np.array(out)


@pytest.mark.parametrize("decay", [0.0, 0.5, 0.9, 0.99, 0.999, 1.0])
@pytest.mark.parametrize("start", [0, 40])
def test_ema_matches_torch_averaged_model(decay, start):
    trajectory = _noisy_path()
    ours = trajectory.ema(decay, start)                                   # (T+1, N, 2)
    reference = _torch_average(trajectory.path, start, get_ema_multi_avg_fn(decay))
    np.testing.assert_allclose(ours[start:], reference, rtol=1e-12, atol=1e-15)
    assert np.array_equal(ours[:start + 1], trajectory.path[:start + 1])


def test_running_mean_matches_torch_averaged_model_default():
    trajectory = _noisy_path()
    np.testing.assert_allclose(trajectory.polyak(30)[30:], _torch_average(trajectory.path, 30),
                               rtol=1e-12, atol=1e-15)


def test_ema_averages_the_noise_out_on_twenty_seeds():
    starts = np.zeros((20, 2))
    trajectory = optimizers.simulate(BOWL, optimizers.get("sgd", lr=0.1), starts, 400, noise=1.0,
                                     seed=np.arange(20))
    iterate = np.linalg.norm(trajectory.path[200:], axis=-1).mean(axis=0)          # (20,)
    ema = np.linalg.norm(trajectory.ema(0.99, 100)[200:], axis=-1).mean(axis=0)
    assert np.mean(ema < 0.5 * iterate) >= 0.9


def test_bad_decay_and_start_name_the_parameter():
    trajectory = _noisy_path(10, 1)
    for bad in (-0.1, 1.5, "x"):
        with pytest.raises(ValueError, match="decay"):
            trajectory.ema(bad)
    with pytest.raises(ValueError, match="start"):
        trajectory.ema(0.9, 11)


def test_snapshot_steps_of_the_triangular_cycle():
    cyclic = schedules.get("cyclic", max_lr=0.3, step_size_up=25)
    steps = averaging.snapshot_steps(cyclic, 0.01, 300)
    rates = cyclic.values(0.01, 301)
    assert steps.tolist() == [51, 101, 151, 201, 251]                    # rates[50k] is base_lr
    assert np.allclose(rates[steps - 1], 0.01) and np.all(rates[steps] > 0.01)


def test_snapshot_steps_of_cosine_past_t_max_and_none_for_monotone_decay():
    cosine = schedules.get("cosine", T_max=40)                             # climbs back after T_max, as torch
    assert averaging.snapshot_steps(cosine, 0.1, 200).tolist() == [41, 121]
    for name, params in (("constant", {}), ("step", {"step_size": 20}), ("exponential", {})):
        assert averaging.snapshot_steps(schedules.get(name, **params), 0.1, 200).size == 0


def test_snapshot_steps_on_a_trajectory():
    trajectory = optimizers.simulate(BOWL, optimizers.get("sgd", lr=0.01), (1.0, 1.0), 120,
                                     schedule=schedules.get("cyclic", max_lr=0.2, step_size_up=10))
    assert trajectory.snapshot_steps().tolist() == [21, 41, 61, 81, 101]


class _WarmRestarts:
    """A stand-in with the Schedule interface: cosine from lr down to 0 over T_0 steps, then a restart."""

    def __init__(self, T_0):
        self.T_0 = T_0

    def values(self, lr, steps):
        epochs = np.arange(steps) % self.T_0
        return lr * 0.5 * (1 + np.cos(np.pi * epochs / self.T_0))


def test_snapshot_steps_of_warm_restarts_are_the_points_before_each_restart():
    steps = averaging.snapshot_steps(_WarmRestarts(30), 0.1, 100)
    assert steps.tolist() == [30, 60, 90]               # rates[29] is the cycle's lowest, rates[30] restarts


def test_snapshot_steps_needs_one_rate_and_whole_steps():
    with pytest.raises(ValueError, match="steps"):
        averaging.snapshot_steps(schedules.get("cyclic"), 0.01, -1)
    with pytest.raises(ValueError, match="one learning rate"):
        averaging.snapshot_steps(schedules.get("cyclic"), np.array([[0.01], [0.02]]), 50)
