"""The results table and the CSV say what the engine measured: "settled at step k" (stays within 1e-3
to the end), "touched at k, left again", and which minimum (global or local) a distance is measured to."""
from __future__ import annotations

import csv
import io

import pytest
from dash import html

from webapp import export, scenarios
from webapp.compute import simulate_runs
from webapp.figures.results import outcome, results_rows
from webapp.panels.stage.results import results_table
from webapp.panels.scenario.texts import RESULTS_HEADINGS
from webapp.state import AppState, default_run, default_state


def diverging_state() -> AppState:
    state = default_state()
    state.runs = [default_run("sgd", lr=1.0), default_run("adam", color=1)]   # lr * kappa >> 2: SGD explodes
    return state


def nesterov_state(steps: int) -> AppState:
    """Nesterov on the default valley touches 1e-3 at step 24, climbs back out, and stays within from 88."""
    state = default_state()
    state.runs = [default_run("nesterov", lr=0.01, momentum=0.9)]
    state.steps = steps
    return state


def rows_of(state):
    _, results, steps = simulate_runs(state, [])
    return results, results_rows(results, steps)


def text_of(component) -> str:
    children = getattr(component, "children", component)
    if isinstance(children, (list, tuple)):
        return "".join(text_of(child) for child in children)
    return "" if children is None else (children if isinstance(children, str) else text_of(children))


def test_a_diverged_run_and_a_settled_run():
    results, rows = rows_of(diverging_state())
    assert rows[0]["status"] == f"diverged at step {results[0].diverged_at}" and rows[0]["diverged"]
    settled = int(results[1].trajectory.settled_at(1e-3)[results[1].column])
    assert settled > 0 and rows[1]["settled_at"] == str(settled)
    assert rows[1]["status"] == f"settled at step {settled}"
    assert float(rows[1]["distance"]) == pytest.approx(results[1].distance_to_minimum, rel=1e-2)
    assert rows[1]["minimum"] == "global min"


def test_a_run_that_touched_and_left_again_is_not_called_converged():
    results, rows = rows_of(nesterov_state(35))
    touched = int(results[0].trajectory.steps_to_tolerance(1e-3)[0])
    assert touched == 24 and results[0].trajectory.settled_at(1e-3)[0] == -1
    assert rows[0]["status"] == "touched at 24, left again" and rows[0]["settled_at"] == "\u2014"
    assert rows[0]["left_again"] and "converged" not in rows[0]["status"]


def test_a_run_that_touched_left_and_settled_later_says_both():
    _, rows = rows_of(nesterov_state(300))
    assert rows[0]["status"] == "settled at step 88 (touched at 24, left again)" and rows[0]["settled_at"] == "88"


def test_the_distance_says_local_where_a_run_ends_in_a_local_well():
    scenario = scenarios.get("local_minimum_trap")
    results, rows = rows_of(scenario.state())
    kinds = [row["minimum"] for row in rows]
    assert kinds == ["local min", "global min", "local min"]          # SGD, Momentum, SGD at lr/(1 - rho)
    assert all(float(row["distance"]) < 1e-3 for row in rows)
    assert rows[0]["status"].startswith("not converged")              # near a minimum, but not the global one


def test_the_table_shows_the_settled_step_and_the_minimum_kind():
    _, rows = rows_of(nesterov_state(35))
    table = results_table(rows)
    head, = [part for part in table.children if isinstance(part, html.Thead)]
    body, = [part for part in table.children if isinstance(part, html.Tbody)]
    assert [text_of(th) for th in head.children.children] == list(RESULTS_HEADINGS)
    cells = [text_of(td) for td in body.children[0].children]
    assert cells[2].endswith("global min") and cells[3] == "\u2014" and cells[4] == "touched at 24, left again"
    assert "left-again" in body.children[0].children[4].className


def test_the_csv_carries_the_same_status_and_the_minimum_per_step():
    scenario = scenarios.get("local_minimum_trap")
    _, results, steps = simulate_runs(scenario.state(), [])
    rows = list(csv.DictReader(io.StringIO(export.csv_text(results))))
    assert tuple(rows[0]) == export.CSV_COLUMNS and len(rows) == len(results) * (steps + 1)
    table = results_rows(results, steps)
    for number, row in enumerate(table, start=1):
        mine = [r for r in rows if r["run"] == str(number)]
        assert {r["status"] for r in mine} == {row["status"]}
        assert mine[-1]["nearest_min"] + " min" == row["minimum"]
        assert float(mine[-1]["distance_to_min"]) == pytest.approx(outcome(results[number - 1]).distance)
    momentum = [r for r in rows if r["run"] == "2"]
    assert momentum[0]["settled_at"] == table[1]["settled_at"] and momentum[0]["touched_at"] != ""
    assert [r for r in rows if r["run"] == "1"][0]["settled_at"] == ""      # never settled: empty, not -1
    assert momentum[0]["nearest_min"] == "local"                            # the start is nearer the local well
    assert momentum[-1]["nearest_min"] == "global"


def test_the_csv_of_a_nesterov_run_says_touched_and_left_again():
    _, results, _ = simulate_runs(nesterov_state(35), [])
    rows = list(csv.DictReader(io.StringIO(export.csv_text(results))))
    assert rows[0]["status"] == "touched at 24, left again"
    assert rows[0]["touched_at"] == "24" and rows[0]["settled_at"] == ""


def test_the_csv_of_a_scenario_names_its_runs_as_the_page_does():
    from webapp.panels.scenario.picture import run_labels
    from webapp.state import from_query, to_query

    scenario = scenarios.get("minibatch_noise")
    state, _ = from_query(scenarios.share_query(scenario))
    _, results, _ = simulate_runs(state, [])
    rows = list(csv.DictReader(io.StringIO(export.csv_text(run_labels(results, state.scenario, to_query(state))))))
    assert [r["name"] for r in rows if r["step"] == "0"] == list(scenario.run_names)
