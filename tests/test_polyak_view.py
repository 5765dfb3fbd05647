"""Polyak averaging on the page as in the lecture: the EMA (decay in the link) beside the running mean,
and the snapshot points of a cyclic schedule, in the player's payload."""
from __future__ import annotations

import numpy as np
import pytest

from webapp import scenarios
from webapp.panels.stage.render import render_page
from webapp.state import from_query, to_query
from webapp.state.model import DEFAULT_POLYAK_DECAY


def polyak_page():
    scenario = scenarios.get("polyak_snapshot")
    state, notices = from_query(scenarios.share_query(scenario))
    assert notices == []
    return scenario, state, render_page(state, [])


def test_scenario_10_carries_the_ema_and_the_snapshots_in_its_link():
    scenario, state, _ = polyak_page()
    assert "polyak_decay=0.98" in to_query(state) and state.views.polyak_decay == 0.98
    assert scenario.polyak_decay == 0.98 and scenario.polyak_from == 100
    assert scenarios.get("zigzag_valley").polyak_decay is None


def test_the_payload_has_the_ema_beside_the_running_mean_equal_to_the_engine():
    scenario, state, page = polyak_page()
    trajectories = scenarios.simulate_state(state)
    for run, trajectory in zip(page["payload"]["runs"], trajectories):
        ema, mean = run["ema"], run["polyak"]
        assert ema["decay"] == 0.98 and ema["from"] == mean["from"] == 100
        expected = trajectory.ema(0.98, 100)[100:, 0]                      # (T-99, 2): the engine's EMA
        np.testing.assert_allclose(np.c_[ema["x"], ema["y"]], expected, atol=1e-4)
        running = trajectory.polyak(100)[100:, 0]
        np.testing.assert_allclose(np.c_[mean["x"], mean["y"]], running, atol=1e-4)
        assert not np.allclose(expected, running, atol=1e-3)                # two different averages


def test_snapshot_points_sit_on_the_cyclic_runs_low_rate_steps():
    scenario, state, page = polyak_page()
    constant, cyclic = page["payload"]["runs"]
    trajectory = scenarios.simulate_state(state)[1]
    assert "snapshots" not in constant                                       # a constant rate has no cycles
    steps = [int(t) for t in trajectory.snapshot_steps()]
    assert cyclic["snapshots"]["steps"] == steps == [51, 101, 151, 201, 251]      # the caption's steps
    points = trajectory.path[steps, 0]
    np.testing.assert_allclose(np.c_[cyclic["snapshots"]["x"], cyclic["snapshots"]["y"]], points, atol=1e-4)
    np.testing.assert_allclose(cyclic["snapshots"]["mean"], points.mean(axis=0), atol=1e-4)


def test_without_the_overlay_nothing_is_sent_and_the_default_decay_is_left_out_of_the_link():
    state, _ = from_query("?surface=quadratic_bowl&run=sgd:lr=0.1;noise=1")
    assert "ema" not in render_page(state, [])["payload"]["runs"][0]
    state, _ = from_query("?surface=quadratic_bowl&run=sgd:lr=0.1;noise=1&polyak=1")
    assert state.views.polyak_decay == DEFAULT_POLYAK_DECAY and "polyak_decay" not in to_query(state)
    assert render_page(state, [])["payload"]["runs"][0]["ema"]["decay"] == DEFAULT_POLYAK_DECAY


@pytest.mark.parametrize("value", ["1", "1.5", "-0.1", "soon", "nan"])
def test_a_bad_decay_is_refused_with_a_notice(value):
    state, notices = from_query(f"?polyak=1&polyak_decay={value}")
    assert state.views.polyak_decay == DEFAULT_POLYAK_DECAY
    assert any("polyak_decay" in notice for notice in notices)


def test_a_decay_close_to_one_survives_the_link():
    # the link writes 12 significant digits: 0.9999999 stays below 1 (with %g it became "1", refused)
    state, notices = from_query("polyak=1&polyak_decay=0.9999999")
    assert notices == [] and state.views.polyak_decay == 0.9999999
    again, notices = from_query(to_query(state))
    assert notices == [] and again.views.polyak_decay == 0.9999999
