"""The practitioner's bench in the browser, as a user: Tune all runs, a run card's Tune button."""
from __future__ import annotations

import re


from app_helpers import current_url, element_id, js, open_app, player, severe_errors, type_into, until

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


def test_high_dimensions_card_opens_to_the_computed_chances_and_costs(dash_duo):
    open_app(dash_duo)
    dash_duo.find_element("#hd-details summary").click()
    until(lambda: len(dash_duo.find_elements("#hd-chance .barlayer .point")) == 5, timeout=20,
          message="no bars of P(minimum) for N = 1..5")
    costs = until(lambda: dash_duo.find_element("#hd-costs").text, message="no cost table")
    assert "80 PB" in costs and "31,700 years" in costs and "16 GB" in costs and "4 ms" in costs
    box = dash_duo.find_element("#hd-n")
    type_into(box, "1e6")
    until(lambda: "8 TB" in dash_duo.find_element("#hd-costs").text, message="N did not change the table")
    type_into(box, "-3")
    until(lambda: "N must be a number from 1" in dash_duo.find_element("#hd-message").text)
    assert severe_errors(dash_duo) == []


def test_local_model_card_shows_newton_at_the_players_step_and_refuses_a_bad_step(dash_duo):
    open_app(dash_duo, "?surface=saddle&run=sgd:lr=0.05&run=newton&steps=40")
    js(dash_duo, "window.optiscapePlayer.pause(); window.optiscapePlayer.seek(3);")
    until(lambda: player(dash_duo)["step"] == 3)
    dash_duo.find_element("#local-details summary").click()
    dash_duo.find_element("#local-show").click()
    until(lambda: dash_duo.find_element("#local-step").get_attribute("value") == "3",
          message="Show did not read the player's step")
    verdict = until(lambda: dash_duo.find_element("#local-verdict").text, timeout=15, message="no verdict")
    assert "indefinite" in verdict and "saddle" in verdict
    until(lambda: len(dash_duo.find_elements("#local-graph .contour")) >= 2, message="no model contours")
    until(lambda: len(dash_duo.find_elements("#local-slice .scatterlayer .trace")) == 3, message="no slice")
    step = dash_duo.find_element("#local-step")
    type_into(step, "99")
    until(lambda: "step must be a whole number from 0 to 40" in dash_duo.find_element("#local-message").text)
    assert severe_errors(dash_duo) == []


def test_the_robustness_toggle_adds_a_scored_column_and_goes_in_the_link(dash_duo):
    open_app(dash_duo, "?surface=ill_conditioned&run=sgd:lr=0.038&run=adam:lr=0.1")
    assert "Robust" not in dash_duo.find_element("#results-table").text
    dash_duo.find_element("#view-toggles input[value='robust']").click()
    until(lambda: "Robust" in dash_duo.find_element("#results-table thead").text, timeout=15,
          message="no robustness column")
    cells = until(lambda: [c.text for c in dash_duo.find_elements("#results-table td.robust")])
    assert len(cells) == 2 and all(c.endswith("%") for c in cells)
    assert int(cells[0][:-1]) < int(cells[1][:-1])          # SGD just under 2/kappa is fragile, Adam is not
    until(lambda: "robust=1" in current_url(dash_duo), message="the toggle is not in the link")
    assert severe_errors(dash_duo) == []


def test_typing_seeds_draws_the_runs_seed_cloud_and_its_medians(dash_duo):
    open_app(dash_duo, "?surface=ill_conditioned&run=adam:lr=0.1;noise=0.5;seed=3&run=sgd:lr=0.01")
    assert dash_duo.find_element("#cloud-card").value_of_css_property("display") == "none"
    box = dash_duo.find_element(f"input{element_id(run=0, type='run-seeds')}")
    type_into(box, "32")
    until(lambda: dash_duo.find_element("#cloud-card").value_of_css_property("display") != "none", timeout=15,
          message="the seed-cloud card did not open")
    until(lambda: len(dash_duo.find_elements("#cloud-graph .scatterlayer .trace")) >= 4,
          message="no bands, median path and final points")
    until(lambda: "32 seeds: final loss median" in dash_duo.find_element("#results-table").text,
          message="no medians in the results table")
    until(lambda: "seeds=32" in current_url(dash_duo), message="seeds is not in the link")
    assert severe_errors(dash_duo) == []


def test_the_arrows_view_shows_sams_probe_and_schedule_frees_y_and_z(dash_duo):
    open_app(dash_duo, "?surface=ill_conditioned&run=sam:lr=0.01,rho=0.5&run=sgd_schedulefree:lr=0.05&arrows=1"
                       "&steps=60")
    for kind in ("probe", "y", "z"):
        until(lambda: len(dash_duo.find_elements(f"#map-graph .arrow-head-{kind}")) == 1, timeout=15,
              message=f"no {kind} arrow on the map")
    assert severe_errors(dash_duo) == []
