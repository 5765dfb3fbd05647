"""The practitioner's bench in the browser, as a user: Tune all runs, a run card's Tune button."""
from __future__ import annotations

import re

from app_helpers import current_url, element_id, open_app, severe_errors, until

SLOW_PAGE = "?surface=ill_conditioned&run=sgd:lr=0.001&run=adam:lr=0.001"


def test_tune_all_adds_tuned_copies_and_states_the_objective(dash_duo):
    open_app(dash_duo, SLOW_PAGE)
    until(lambda: len(dash_duo.find_elements(".run-card")) == 2)
    dash_duo.find_element("#tune-button").click()
    until(lambda: "added as run" in dash_duo.find_element("#tune-report").text, timeout=20,
          message="no Tune report")
    report = dash_duo.find_element("#tune-report").text
    assert "steps until settled" in report and "tolerance 0.001" in report and "run-steps" in report
    assert "never settles" in report and "settled at step" in report
    until(lambda: len(dash_duo.find_elements(".run-card")) == 4, message="no tuned copies in the run cards")
    until(lambda: current_url(dash_duo).count("run=") == 4, message="the tuned runs are not in the link")
    until(lambda: len(dash_duo.find_elements("#results-table tbody tr")) == 4)
    assert severe_errors(dash_duo) == []


def test_a_run_cards_tune_button_replaces_that_runs_values(dash_duo):
    open_app(dash_duo, SLOW_PAGE)
    until(lambda: len(dash_duo.find_elements(".run-card")) == 2)
    dash_duo.find_element("#tune-mode input[value='replace']").click()
    dash_duo.find_element(element_id(run=1, type="run-tune")).click()
    until(lambda: "values replaced" in dash_duo.find_element("#tune-report").text, timeout=20)
    until(lambda: re.search(r"run=adam:lr=([0-9.e-]+)", current_url(dash_duo)).group(1) != "0.001",
          message=f"the link does not carry the tuned value: {current_url(dash_duo)}")
    assert "run=sgd&" in current_url(dash_duo)         # SGD untouched (lr 0.001 is its default)
    assert len(dash_duo.find_elements(".run-card")) == 2
    assert severe_errors(dash_duo) == []
