"""Tune on the page, through the real answer callback: tuned copies or replaced values, the statement,
budget refusals, the per-run button; and the one conversion of a page run to the engine's RunSpec."""
from __future__ import annotations

import json

import numpy as np
import plotly
import pytest

import app as app_module
import optimizers
from optimizers.runspec import RunSpec as EngineRunSpec
from webapp.compute.variants import LR_POINTS, TUNE_BUDGET, engine_spec, robustness_scores, tune_runs
from webapp.compute import simulate_runs
from webapp.export import csv_text, hyperparameters_text
from webapp.panels.tune.edits import apply_tuning
from webapp.state import default_run, default_state, from_query, from_store, to_query, to_store

from web_answer import post, response_of


@pytest.fixture(scope="module")
def client():
    return app_module.server.test_client()


def texts(children) -> str:
    """Components (or their JSON, as the answer sends them) as one searchable text."""
    return json.dumps(children, cls=plotly.utils.PlotlyJSONEncoder)


def tune(client, stored, objective="settled", mode="add", fired="tune-button"):
    out = response_of(post(client, fired, "n_clicks", 1, stored=stored, rendered={"revision": -1},
                           extra={"tune-objective.value": objective, "tune-mode.value": mode}))
    return (out.get("state") or {}).get("data"), out


def test_engine_spec_is_the_page_run_with_its_schedule_noise_and_seed():
    run = default_run("adam", lr=0.05)
    run.schedule, run.schedule_params, run.noise, run.seed = "step", {"step_size": 20, "gamma": 0.5}, 0.3, 7
    spec = engine_spec(run, (1.0, -0.5))
    assert isinstance(spec, EngineRunSpec)
    assert spec.hyper["lr"] == 0.05 and spec.noise == 0.3 and spec.seed == 7 and spec.start == (1.0, -0.5)
    surface = default_state().landscape()
    ours = optimizers.simulate(surface, spec.as_set(), np.array([spec.start]), 40, schedule=spec.schedule,
                               noise=spec.noise, seed=spec.seed).path[:, 0]
    direct = optimizers.simulate(surface, run.build_optimizer(), np.array([[1.0, -0.5]]), 40,
                                 schedule=run.build_schedule(), noise=0.3, seed=7).path[:, 0]
    assert np.array_equal(ours, direct)


def test_tune_all_adds_tuned_copies_that_settle_sooner_and_are_in_the_link(client):
    state = default_state()
    state.runs = [default_run("sgd", lr=0.001, color=0), default_run("adam", lr=0.001, color=1)]
    stored, out = tune(client, to_store(state))
    report = texts(out["tune-report"]["children"])
    assert "steps until settled" in report and "tolerance 0.001" in report
    assert f"{LR_POINTS} learning rates" in report and "up to 128 candidates" in report and "run-steps" in report
    assert "as set" in report and "tuned" in report and "added as run 2" in report
    after, _ = from_store(stored)
    assert [r.optimizer for r in after.runs] == ["sgd", "sgd", "adam", "adam"]
    assert after.runs[1].hyper["lr"] != 0.001 and after.runs[3].hyper["lr"] != 0.001
    # the tuned value is a readable number, and it is in the share link and the run card
    lr = after.runs[1].hyper["lr"]
    assert float(f"{lr:.3g}") == lr
    assert f"lr={lr!r}" in to_query(after)
    assert from_query("?" + to_query(after))[0].runs[1].hyper["lr"] == lr
    cards = texts(out["runs-panel"]["children"])
    assert repr(lr) in cards or str(lr) in cards
    # "tuned" against "as set": the tuned copies settle, the runs as set (lr 0.001) do not
    surface, start = after.landscape(), np.array([after.start_point()])
    settled = [int(optimizers.simulate(surface, run.build_optimizer(), start, after.steps).settled_at(1e-3)[0])
               for run in after.runs]
    assert settled[0] < 0 and settled[2] < 0            # as set: never settles in 300 steps
    assert 0 <= settled[1] and 0 <= settled[3]          # tuned: settles
    assert "settled at step" in report and "never settles" in report
    assert "results-table" in out and "map-graph" in out   # the picture shows both
    # and the CSV has the tuned run with its value
    _, results, _ = simulate_runs(after, [])
    csv = csv_text(results)
    assert f"lr={lr:g}" in hyperparameters_text(after.runs[1].hyper) and hyperparameters_text(after.runs[1].hyper) in csv


def test_replace_mode_changes_the_runs_values_in_place(client):
    state = default_state()
    state.runs = [default_run("momentum", lr=0.0005, color=0)]
    stored, out = tune(client, to_store(state), mode="replace", objective="final_gap")
    after, _ = from_store(stored)
    assert len(after.runs) == 1 and after.runs[0].hyper["lr"] != 0.0005
    assert "final loss gap" in texts(out["tune-report"]["children"])
    assert "values replaced" in texts(out["tune-report"]["children"])


def test_the_run_cards_tune_button_tunes_that_run_only(client):
    state = default_state()
    state.runs = [default_run("sgd", lr=0.001, color=0), default_run("adam", lr=0.001, color=1)]
    stored, out = tune(client, to_store(state), fired={"type": "run-tune", "run": 1}, mode="replace")
    after, _ = from_store(stored)
    assert after.runs[0].hyper["lr"] == 0.001 and after.runs[1].hyper["lr"] != 0.001
    report = texts(out["tune-report"]["children"])
    assert "1 run(s)" in report and "Adam" in report and "SGD" not in report


def test_over_the_budget_is_refused_with_a_message_and_nothing_changes(client):
    state = default_state()
    state.runs = [default_run("adam", color=i) for i in range(8)]
    state.steps = 5000
    stored, out = tune(client, to_store(state))
    report = texts(out["tune-report"]["children"])
    assert "Tune refused" in report and f"{TUNE_BUDGET:,}" in report and "over the budget" in report
    assert stored is None or len(from_store(stored)[0].runs) == 8


def test_lbfgs_tuning_is_refused_by_its_step_cost():
    state = default_state()
    state.runs = [default_run("lbfgs")]
    report = tune_runs(state, [0], "settled")
    assert report.refusal and "over the budget" in report.refusal and not report.rows


def test_a_past_deadline_stops_tuning_with_a_message():
    state = default_state()
    report = tune_runs(state, [0, 1, 2, 3], "auc", deadline=0.0)
    assert report.refusal and report.refusal.startswith("Tune stopped") and "time limit" in report.refusal


def test_unknown_objective_and_mode_are_refused_or_defaulted(client):
    state = default_state()
    stored, out = tune(client, to_store(state), objective="__import__('os')", mode="explode")
    assert "unknown objective" in texts(out["tune-report"]["children"])
    state = default_state()
    state.runs = [default_run("sgd", lr=0.001)]
    changed, children = apply_tuning(state, [0], "settled", "explode")     # an unknown mode: add
    assert changed and len(state.runs) == 2 and "added as run 2" in texts(children)


def test_a_full_page_keeps_its_runs_and_says_so():
    state = default_state()
    state.runs = [default_run("sgd", lr=0.001 * (i + 1), color=i) for i in range(8)]
    changed, children = apply_tuning(state, [0], "settled", "add")
    assert not changed and len(state.runs) == 8
    assert "not added: at most 8 runs" in texts(children)


# ------------------------------------------------------------------ robustness column
def test_robust_flag_adds_a_robustness_column_where_fragile_sgd_scores_below_adam(client):
    state, _ = from_query("?surface=ill_conditioned&run=sgd:lr=0.038&run=adam:lr=0.1&robust=1")
    assert state.views.robust and "robust=1" in to_query(state)
    out = response_of(post(client, stored=to_store(state)))
    table = texts(out["results-table"]["children"])
    assert "Robust" in table
    scores = robustness_scores(state, state.steps, [])
    assert all(0 <= s <= 1 for s in scores) and scores[0] < scores[1]     # SGD just under 2/kappa is fragile
    assert f"{100 * scores[0]:.0f}%" in table and f"{100 * scores[1]:.0f}%" in table


def test_without_the_flag_there_is_no_robustness_column(client):
    out = response_of(post(client, stored=to_store(default_state())))
    assert "Robust" not in texts(out["results-table"]["children"])


def test_robustness_over_its_budget_leaves_the_column_empty_with_a_notice():
    state = default_state()
    state.runs = [default_run("adam", lr=0.01 * (i + 1), color=i) for i in range(8)]
    notices: list = []
    scores = robustness_scores(state, 5000, notices)
    assert scores == [None] * 8 and "over the budget" in notices[0]


def test_a_bad_robust_value_in_a_link_is_refused_with_a_notice():
    state, notices = from_query("?robust=maybe")
    assert not state.views.robust and any("robust" in str(n) for n in notices)
