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


def test_copy_as_pytorch_writes_the_runs_script_and_copies_it(dash_duo):
    open_app(dash_duo, "?surface=rosenbrock&run=adam:lr=0.05,beta2=0.99&run=sgd:lr=0.0005")
    until(lambda: len(dash_duo.find_elements(".run-card")) == 2)
    dash_duo.find_element(element_id(run=0, type="run-torch")).click()
    script = until(lambda: dash_duo.find_element("#torch-snippet").get_attribute("value"), timeout=15,
                   message="no script in the text area")
    assert "torch.optim.Adam([p], lr=0.05" in script and "betas=(0.9, 0.99)" in script
    assert "def f(x, y):" in script and "STEPS = 0.0, 0, 300" in script
    assert dash_duo.find_element("#torch-details").get_attribute("open") is not None
    assert "Run 1" in dash_duo.find_element("#torch-status").text
    dash_duo.find_element(element_id(run=1, type="run-torch")).click()
    until(lambda: "torch.optim.SGD([p], lr=0.0005" in dash_duo.find_element("#torch-snippet").get_attribute("value"),
          timeout=15, message="the second run's button did not write its script")
    dash_duo.find_element("#torch-details .copy-button").click()     # the clipboard copy must not break the page
    assert severe_errors(dash_duo) == []
