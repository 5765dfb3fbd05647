"""Every gallery scenario parses cleanly, round-trips, and still shows its point.

The takeaway of each scenario is asserted on the engine's output computed from
the scenario's own parsed query (not from copied numbers), so tuning a
surface or an optimizer in a way that hides a scenario's point fails here.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pytest

import landscapes
from webapp import scenarios, validate
from webapp.state import from_query, to_query, to_store

BRIEF_IDS = ["zigzag_valley", "saddle_crawl", "local_minimum_trap", "nesterov_overshoot", "adagrad_stall",
             "adam_bias_correction", "learning_rate_choice", "minibatch_noise", "second_order",
             "polyak_snapshot", "l2_moves_minimum", "rotated_valley"]

ALL_QUERIES = [(s.id, index, query) for s in scenarios.SCENARIOS for index, query in enumerate(s.queries())]
QUERY_IDS = [f"{sid}-{index}" for sid, index, _ in ALL_QUERIES]


@lru_cache(maxsize=None)
def simulated(scenario_id: str, variant: int | None = None):
    """(state, surface, trajectories) of a scenario's main query or one variant."""
    state = scenarios.get(scenario_id).state(variant)
    return state, state.landscape(), tuple(scenarios.simulate_state(state))


def paths(scenario_id: str, variant: int | None = None) -> list[np.ndarray]:
    """One ``(T+1, 2)`` path per run."""
    return [t.path[:, 0] for t in simulated(scenario_id, variant)[2]]


def steps_to_tol(trajectory, tol: float = 1e-3) -> int:
    return int(trajectory.steps_to_tolerance(tol)[0])


def inside(box, point) -> bool:
    x_min, x_max, y_min, y_max = box
    return x_min <= point[0] <= x_max and y_min <= point[1] <= y_max


# --------------------------------------------------------------------- the registry
def test_the_twelve_scenarios_of_the_lecture_in_order():
    assert scenarios.ids() == BRIEF_IDS
    assert [s.number for s in scenarios.SCENARIOS] == list(range(1, 13))


@pytest.mark.parametrize("scenario", scenarios.SCENARIOS, ids=scenarios.ids())
def test_captions_are_present_and_distinct(scenario):
    for text in (scenario.title, scenario.claim, scenario.predict, scenario.takeaway):
        assert isinstance(text, str) and len(text.strip()) >= 10
    assert scenario.predict.rstrip().endswith("?"), "the predict caption asks a question"
    assert scenario.predict != scenario.takeaway
    for variant in scenario.variants:
        assert variant.label.strip()


def test_unknown_scenario_id_is_an_error_naming_the_known_ones():
    with pytest.raises(ValueError, match="zigzag_valley"):
        scenarios.get("no_such_scenario")


@pytest.mark.parametrize("sid, index, query", ALL_QUERIES, ids=QUERY_IDS)
def test_query_parses_without_notices_and_round_trips(sid, index, query):
    state, notices = from_query(query)
    assert notices == []
    assert to_query(state) == query, "scenario queries are written in the canonical form"
    again, notices_again = from_query(to_query(state))
    assert notices_again == []
    assert to_store(again) == to_store(state)
    # the page would compute every step the scenario asks for
    budget_notices: list = []
    assert validate.step_budget(state.runs, state.steps, budget_notices) == state.steps
    assert budget_notices == []
    assert 1 <= len(state.runs) <= validate.MAX_RUNS


@pytest.mark.parametrize("sid, index, query", ALL_QUERIES, ids=QUERY_IDS)
def test_start_is_inside_the_view(sid, index, query):
    state = scenarios.parse(query)
    assert inside(state.view_box(), state.start_point())


@pytest.mark.parametrize("scenario", scenarios.SCENARIOS, ids=scenarios.ids())
def test_share_query_names_the_scenario_and_carries_the_state(scenario):
    link = scenarios.share_query(scenario)
    assert link.startswith(f"?scenario={scenario.id}&surface=")
    assert link.endswith(scenario.query.lstrip("?"))
    state, notices = from_query(link)
    assert notices == []
    assert state.scenario == scenario.id
    assert to_store(state) == {**to_store(scenario.state()), "scenario": scenario.id}


# Runs whose point is to leave the picture: (scenario id, variant, run index).
MEANT_TO_LEAVE = {("saddle_crawl", None, 1), ("learning_rate_choice", None, 1),
                  ("second_order", 0, 1), ("second_order", 1, 1)}


@pytest.mark.parametrize("sid, index, query", ALL_QUERIES, ids=QUERY_IDS)
def test_runs_stay_in_the_view_unless_leaving_is_the_point(sid, index, query):
    variant = None if index == 0 else index - 1
    state, _, trajectories = simulated(sid, variant)
    box = state.view_box()
    for position, trajectory in enumerate(trajectories):
        path = trajectory.path[:, 0]                                       # (T+1, 2)
        shown = all(inside(box, point) for point in path)
        if (sid, variant, position) in MEANT_TO_LEAVE:
            assert not shown, f"run {position + 1} of {sid} should leave the view"
        else:
            assert shown, f"run {position + 1} of {sid} leaves the view"
            assert trajectory.diverged_at[0] == -1


# --------------------------------------------------------------------- 1. zig-zag
def test_1_sgd_zigzags_and_momentum_and_adam_arrive_sooner():
    state, _, (sgd, momentum, adam) = simulated("zigzag_valley")
    assert [r.optimizer for r in state.runs] == ["sgd", "momentum", "adam"]
    y = sgd.path[:, 0, 1]
    flips = np.sum(np.sign(y[1:21]) != np.sign(y[:20]))
    assert flips == 20, "SGD crosses the valley floor at every one of its first 20 steps"
    view_height = state.view_box()[3] - state.view_box()[2]
    assert np.abs(y[10]) > 0.05 * view_height, "the zig-zag is still visible after 10 steps"
    n_sgd, n_momentum, n_adam = (steps_to_tol(t) for t in (sgd, momentum, adam))
    assert n_sgd > 0 and 0 < n_momentum < n_sgd and 0 < n_adam < n_sgd
    assert n_sgd <= state.steps


def test_1_kappa_knob_makes_the_zigzag_worse():
    """Turning kappa up (the suggested knob) slows SGD, not momentum as much."""
    base = scenarios.get("zigzag_valley").state()
    steeper = landscapes.get("ill_conditioned", kappa=100)
    import optimizers
    start = np.array([base.start_point()])
    sgd_lr = 0.019                      # scaled with kappa to stay below 2/kappa
    slow = optimizers.simulate(steeper, optimizers.get("sgd", lr=sgd_lr), start, 400).steps_to_tolerance(1e-3)[0]
    fast = optimizers.simulate(steeper, optimizers.get("momentum", lr=0.005), start, 400).steps_to_tolerance(1e-3)[0]
    assert 0 < fast < slow


# --------------------------------------------------------------------- 2. saddle
def test_2_sgd_lingers_at_the_saddle_while_momentum_leaves():
    state, surface, (sgd, momentum) = simulated("saddle_crawl")
    saddle = next(p for p in surface.critical_points if p.kind == "saddle").as_array()
    assert np.linalg.norm(sgd.final[0] - saddle) < 0.1, "SGD is still next to the saddle at the end"
    assert not inside(state.view_box(), momentum.final[0]), "momentum has left the picture"
    left = np.argmax(np.abs(momentum.path[:, 0, 1]) > state.view_box()[3])
    assert 0 < left < state.steps
    assert sgd.diverged_at[0] == -1 and momentum.diverged_at[0] == -1


# --------------------------------------------------------------------- 3. local minimum
def test_3_sgd_ends_in_a_local_well_and_momentum_in_the_global():
    _, surface, (sgd, momentum) = simulated("local_minimum_trap")
    which_sgd, dist_sgd = surface.nearest_minimum(sgd.final[0])
    which_momentum, dist_momentum = surface.nearest_minimum(momentum.final[0])
    assert surface.minima[int(which_sgd)].kind == "local minimum" and dist_sgd < 1e-2
    assert surface.minima[int(which_momentum)].kind == "global minimum" and dist_momentum < 1e-2


def test_3_the_outcome_holds_for_nearby_starts():
    """The point does not hang on one lucky start: a 3 x 3 patch of starts 0.1 apart agrees."""
    import optimizers
    state = scenarios.get("local_minimum_trap").state()
    surface = state.landscape()
    offsets = 0.1 * np.array([(dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)])
    starts = np.asarray(state.start_point()) + offsets                          # (9, 2)
    finals = {}
    for run in state.runs:
        trajectory = optimizers.simulate(surface, run.build_optimizer(), starts, state.steps)
        index, _ = surface.nearest_minimum(trajectory.final)
        finals[run.optimizer] = [surface.minima[i].kind for i in index]
    assert set(finals["sgd"]) == {"local minimum"}
    assert set(finals["momentum"]) == {"global minimum"}


# --------------------------------------------------------------------- 4. Nesterov
def test_4_nesterov_overshoots_less_than_momentum():
    _, surface, (momentum, nesterov) = simulated("nesterov_overshoot")
    start = momentum.path[0, 0]
    minimum = surface.global_minimum.as_array()
    heading = (minimum - start) / np.linalg.norm(minimum - start)

    def overshoot_along(trajectory):        # farthest point past the minimum, along the way in
        return np.max((trajectory.path[:, 0] - minimum) @ heading)

    def swing_across(trajectory):           # largest swing across the steep axis after the first 5 steps
        return np.max(np.abs(trajectory.path[5:, 0, 1] - minimum[1]))

    assert overshoot_along(momentum) > 0 and overshoot_along(nesterov) < overshoot_along(momentum)
    assert swing_across(nesterov) < 0.5 * swing_across(momentum)
    assert 0 < steps_to_tol(nesterov) < steps_to_tol(momentum)


# --------------------------------------------------------------------- 5. AdaGrad
def test_5_adagrad_steps_decay_and_it_stops_short_while_rmsprop_arrives():
    state, surface, (adagrad, rmsprop) = simulated("adagrad_stall")
    assert adagrad.optimizer.hyper["lr"] == rmsprop.optimizer.hyper["lr"], "same lr, different memory"
    length = adagrad.step_length[1:, 0]                                    # (T,)
    windows = length[: (len(length) // 50) * 50].reshape(-1, 50).mean(axis=1)
    assert np.all(np.diff(windows) < 0), "AdaGrad's average step shrinks window after window"
    assert windows[-1] < 0.2 * windows[0]
    start_distance = np.linalg.norm(adagrad.path[0, 0] - surface.global_minimum.as_array())
    _, final_distance = surface.nearest_minimum(adagrad.final[0])
    assert final_distance > 0.25 * start_distance, "AdaGrad stops well short of the minimum"
    assert 0 < steps_to_tol(rmsprop) <= state.steps


# --------------------------------------------------------------------- 6. bias correction
def test_6_first_step_without_bias_correction_is_much_larger():
    state, _, (corrected, uncorrected) = simulated("adam_bias_correction")
    assert corrected.optimizer.hyper["bias_correction"] is True
    assert uncorrected.optimizer.hyper["bias_correction"] is False
    first_corrected = corrected.step_length[1, 0]
    first_uncorrected = uncorrected.step_length[1, 0]
    lr = corrected.optimizer.hyper["lr"]
    assert first_corrected == pytest.approx(lr * np.sqrt(2), rel=1e-6), "lr per axis, on both axes"
    beta1, beta2 = (uncorrected.optimizer.hyper[k] for k in ("beta1", "beta2"))
    expected_ratio = (1 - beta1) / np.sqrt(1 - beta2)
    assert first_uncorrected / first_corrected == pytest.approx(expected_ratio, rel=1e-6)
    assert first_uncorrected > 3 * first_corrected
    # and the early steps stay outsized
    assert uncorrected.step_length[1:11, 0].sum() > 3 * corrected.step_length[1:11, 0].sum()


# --------------------------------------------------------------------- 7. learning rate
def test_7_too_small_too_large_just_right():
    state, surface, (small, large, right) = simulated("learning_rate_choice")
    minimum = surface.global_minimum.as_array()
    start_distance = np.linalg.norm(small.path[0, 0] - minimum)
    moved = np.linalg.norm(small.final[0] - small.path[0, 0])
    assert small.diverged_at[0] == -1 and moved < 0.25 * start_distance, "too small barely moves"
    assert 0 < large.diverged_at[0] < state.steps, "too large diverges within the run"
    assert right.diverged_at[0] == -1 and 0 < steps_to_tol(right) <= state.steps


def _late_loss(trajectory, window: int = 50) -> float:
    return float(trajectory.loss[-window:, 0].mean())


def test_7_decay_schedules_settle_closer_than_constant_under_noise():
    state, _, (constant, *decayed) = simulated("learning_rate_choice", 0)
    assert constant.noise > 0 and [r.schedule for r in state.runs] == [
        "constant", "step", "exponential", "inverse_time"]
    for trajectory in decayed:
        assert _late_loss(trajectory) < 0.2 * _late_loss(constant)


@pytest.mark.parametrize("seed", [2, 3])
def test_7_decay_beats_constant_for_other_seeds_too(seed):
    state = scenarios.get("learning_rate_choice").state(0)
    for run in state.runs:
        run.seed = seed
    constant, *decayed = scenarios.simulate_state(state)
    for trajectory in decayed:
        assert _late_loss(trajectory) < 0.2 * _late_loss(constant)


# --------------------------------------------------------------------- 8. mini-batch noise
def _turning(path: np.ndarray) -> float:
    """Total absolute change of heading (radians) along a ``(T+1, 2)`` path."""
    steps = np.diff(path, axis=0)
    steps = steps[np.linalg.norm(steps, axis=1) > 1e-12]
    heading = np.unwrap(np.arctan2(steps[:, 1], steps[:, 0]))
    return float(np.abs(np.diff(heading)).sum())


def test_8_noisy_paths_fan_out_and_the_full_gradient_path_is_smooth():
    state, _, (full, *noisy) = simulated("minibatch_noise")
    assert full.noise == 0 and len(noisy) >= 3
    assert all(t.noise > 0 for t in noisy)
    assert len({run.seed for run in state.runs[1:]}) == len(noisy), "one seed per noisy run"
    assert np.all(np.diff(full.loss[:, 0]) <= 0), "the full-gradient loss never rises"
    assert all(np.any(np.diff(t.loss[:, 0]) > 0) for t in noisy), "every noisy run goes uphill sometimes"
    half = state.steps // 2
    middles = np.array([t.path[half, 0] for t in noisy])                   # (K, 2)
    gaps = np.linalg.norm(middles[:, None] - middles[None], axis=-1)[np.triu_indices(len(noisy), 1)]
    assert gaps.min() > 0.05, "different seeds give visibly different paths"
    view = state.view_box()
    assert middles[:, 0].std() > 0.01 * (view[1] - view[0]), "the fan is wide enough to see"
    assert all(_turning(t.path[:, 0]) > 20 * _turning(full.path[:, 0]) for t in noisy)


# --------------------------------------------------------------------- 9. second order
def test_9_newton_and_lbfgs_arrive_in_few_steps_and_evaluations():
    state, _, trajectories = simulated("second_order")
    by_name = {run.optimizer: t for run, t in zip(state.runs, trajectories)}
    newton, lbfgs, adam = by_name["newton"], by_name["lbfgs"], by_name["adam"]
    n_newton, n_lbfgs, n_adam = (steps_to_tol(t) for t in (newton, lbfgs, adam))
    assert 0 < n_newton <= 10 and 0 < n_lbfgs <= 10
    assert n_adam >= 100 and n_adam > 20 * max(n_newton, n_lbfgs), "the first-order run needs hundreds"
    evals_newton, evals_lbfgs, evals_adam = (int(t.evals[k, 0]) for t, k in
                                             ((newton, n_newton), (lbfgs, n_lbfgs), (adam, n_adam)))
    assert evals_newton == n_newton, "one gradient per Newton step"
    assert evals_lbfgs >= n_lbfgs, "a line search costs extra evaluations"
    assert evals_adam > 5 * max(evals_newton, evals_lbfgs), "even counting evaluations, second order wins"


@pytest.mark.parametrize("variant", [0, 1], ids=["saddle", "monkey_saddle"])
def test_9_plain_newton_converges_onto_the_saddle_and_saddle_free_escapes(variant):
    state, surface, trajectories = simulated("second_order", variant)
    assert state.surface in ("saddle", "monkey_saddle")
    saddle = next(p for p in surface.critical_points if p.kind == "saddle").as_array()
    plain, free = trajectories[0], trajectories[1]
    assert plain.optimizer.hyper["saddle_free"] is False and free.optimizer.hyper["saddle_free"] is True
    assert np.linalg.norm(plain.final[0] - saddle) < 1e-3
    assert plain.grad_norm[-1, 0] < 1e-4, "it stopped where the gradient vanishes, which is no minimum"
    assert np.linalg.norm(free.final[0] - saddle) > 1.0
    assert free.loss[-1, 0] < plain.loss[-1, 0], "saddle-free Newton went downhill"


# --------------------------------------------------------------------- 10. Polyak and snapshots
def test_10_polyak_average_is_closer_than_a_typical_iterate():
    scenario = scenarios.get("polyak_snapshot")
    state, surface, trajectories = simulated("polyak_snapshot")
    k = scenario.polyak_from
    assert 0 < k < state.steps
    minimum = surface.global_minimum.as_array()
    for trajectory in trajectories:
        assert trajectory.noise > 0
        average = trajectory.polyak(k)[-1, 0]
        typical = np.linalg.norm(trajectory.path[k:, 0] - minimum, axis=1).mean()
        assert np.linalg.norm(average - minimum) < 0.5 * typical


def _snapshot_distances(state, trajectory, minimum):
    run = state.runs[1]
    assert run.schedule == "cyclic"
    snap_steps = scenarios.cycle_minimum_steps(run, state.steps)
    snapshots = trajectory.path[snap_steps, 0]                             # (K, 2)
    each = np.linalg.norm(snapshots - minimum, axis=1)
    return snap_steps, each, np.linalg.norm(snapshots.mean(axis=0) - minimum)


def test_10_snapshots_sit_at_the_cycle_minima_of_the_rate():
    state, _, trajectories = simulated("polyak_snapshot")
    run = state.runs[1]
    snap_steps = scenarios.cycle_minimum_steps(run, state.steps)
    period = 2 * run.schedule_params["step_size_up"]
    assert len(snap_steps) >= 4
    assert np.all(snap_steps % period == 0)
    rates = trajectories[1].lr[:, 0]                                       # rate of the step t -> t+1
    inside_run = snap_steps[snap_steps < state.steps]
    assert np.allclose(rates[inside_run], run.hyper["lr"])


@pytest.mark.parametrize("seed", [None, 2, 3, 4, 5])
def test_10_snapshot_average_beats_a_typical_snapshot(seed):
    state = scenarios.get("polyak_snapshot").state()
    if seed is not None:
        for run in state.runs:
            run.seed = seed
    surface = state.landscape()
    trajectories = scenarios.simulate_state(state)
    minimum = surface.global_minimum.as_array()
    snap_steps, each, average = _snapshot_distances(state, trajectories[1], minimum)
    assert average < np.median(each)
    if seed is None:     # the scenario as shown: snapshots are better points than the run's typical iterate
        typical = np.linalg.norm(trajectories[1].path[snap_steps[0]:, 0] - minimum, axis=1).mean()
        assert np.median(each) < 0.75 * typical


# --------------------------------------------------------------------- 11. L2
def test_11_with_l2_the_runs_end_at_the_shifted_minimum():
    state, surface, trajectories = simulated("l2_moves_minimum")
    assert state.surface_params["l2"] > 0
    original = landscapes.get(state.surface).global_minimum.as_array()
    shifted = surface.global_minimum.as_array()
    assert np.linalg.norm(shifted - original) > 0.5, "the L2 term moved the minimum visibly"
    assert "(0.55, 0.31)" in scenarios.get("l2_moves_minimum").takeaway
    assert shifted == pytest.approx([0.55, 0.31], abs=0.01), "the caption names the shifted minimum"
    for trajectory in trajectories:
        assert np.linalg.norm(trajectory.final[0] - shifted) < 1e-2
        assert np.linalg.norm(trajectory.final[0] - original) > 0.5


def test_11_without_l2_the_same_runs_end_at_the_original_minimum():
    state, surface, trajectories = simulated("l2_moves_minimum", 0)
    main = scenarios.get("l2_moves_minimum").state()
    assert [r.optimizer for r in state.runs] == [r.optimizer for r in main.runs]
    assert state.surface_params["l2"] == 0
    for trajectory in trajectories:
        assert np.linalg.norm(trajectory.final[0] - surface.global_minimum.as_array()) < 5e-2


# --------------------------------------------------------------------- 12. rotation
def test_12_rotation_takes_away_the_edge_of_per_coordinate_adaptivity():
    rotated_state, _, rotated = simulated("rotated_valley")
    aligned_state, _, aligned = simulated("rotated_valley", 0)
    assert rotated_state.surface_params["angle"] == 45 and aligned_state.surface_params["angle"] == 0
    # same start in the valley's own coordinates
    assert np.linalg.norm(rotated_state.start_point()) == pytest.approx(np.linalg.norm(aligned_state.start_point()),
                                                                       rel=1e-4)
    names = [r.optimizer for r in rotated_state.runs]
    assert names[0] == "momentum" and names == [r.optimizer for r in aligned_state.runs]
    n_rotated = [steps_to_tol(t) for t in rotated]
    n_aligned = [steps_to_tol(t) for t in aligned]
    assert all(n > 0 for n in n_rotated + n_aligned)
    assert abs(n_rotated[0] - n_aligned[0]) <= 1, "momentum does not care about the axes"
    for name, before, after in zip(names[1:], n_aligned[1:], n_rotated[1:]):
        ratio_before, ratio_after = before / n_aligned[0], after / n_rotated[0]
        assert ratio_after > 1.5 * ratio_before, f"{name} loses ground against momentum"
        assert after > n_rotated[0], f"{name} is slower than momentum in the rotated valley"
    assert n_aligned[1] < n_aligned[0], "AdaGrad beats momentum while the valley follows the axes"


# --------------------------------------------------------------------- captions match their states
def test_numbers_in_captions_match_the_scenario_states():
    assert f"{scenarios.get('saddle_crawl').state().steps} steps" in scenarios.get("saddle_crawl").predict
    adagrad = scenarios.get("adagrad_stall")
    state = adagrad.state()
    assert f"{state.steps} steps" in adagrad.predict
    assert all(f"lr = {run.hyper['lr']:g}" in adagrad.predict for run in state.runs)
    lr_state = scenarios.get("learning_rate_choice").state()
    kappa = lr_state.surface_params["kappa"]
    assert f"2/kappa = {2 / kappa:g}" in scenarios.get("learning_rate_choice").takeaway
    for run in lr_state.runs:
        assert f"lr = {run.hyper['lr']:g}" in scenarios.get("learning_rate_choice").takeaway
    assert f"{scenarios.get('polyak_snapshot').polyak_from}" in scenarios.get("polyak_snapshot").takeaway
    assert f"{scenarios.get('rotated_valley').state().surface_params['angle']:g} degrees" in \
        scenarios.get("rotated_valley").predict


@pytest.mark.parametrize("scenario", scenarios.SCENARIOS, ids=lambda s: s.id)
def test_a_bare_scenario_link_opens_the_scenario_state(scenario):
    """``?scenario=<id>`` alone (as a teacher might type it) loads the scenario, not the default page."""
    state, notices = from_query(f"?scenario={scenario.id}")
    assert notices == []
    assert to_store(state) == {**to_store(scenario.state()), "scenario": scenario.id}
