"""The results table: rows (pure) and the Dash table built from them."""
from __future__ import annotations

import pytest

from webapp.compute import simulate_runs
from webapp.figures.results import results_rows
from webapp.panels.stage.results import results_table
from webapp.state import AppState, default_run, default_state


def diverging_state() -> AppState:
    state = default_state()
    state.runs = [default_run("sgd", lr=1.0), default_run("adam", color=1)]   # lr * kappa >> 2: SGD explodes
    return state


def test_results_rows_say_converged_or_diverged():
    _, results, steps = simulate_runs(diverging_state(), [])
    rows = results_rows(results, steps)
    assert rows[0]["status"] == f"diverged at step {results[0].diverged_at}" and rows[0]["diverged"]
    assert rows[1]["status"].startswith("converged at step ")
    assert rows[1]["steps_to_tolerance"] == str(results[1].steps_to_tolerance)
    assert float(rows[1]["distance"]) == pytest.approx(results[1].distance_to_minimum, rel=1e-2)


def test_the_table_has_one_row_per_run():
    _, results, steps = simulate_runs(diverging_state(), [])
    table = results_table(results_rows(results, steps))
    body = table.children[1]
    assert len(body.children) == len(results)
