"""Controls, as a teacher uses them: change a rate, add a run, click the map, share a link, download CSV."""
from __future__ import annotations

import glob
import math
import os
import time

from selenium.webdriver.common.action_chains import ActionChains

from app_helpers import current_url, element_id, js, open_app, player, severe_errors, type_into, until

PATH_D = ("var p = document.querySelectorAll('#map-graph .optiscape-runs path.run-path')[arguments[0]];"
          "return p ? p.getAttribute('d') : null;")


def number_box(dash_duo, **key):
    selector = element_id(**key)
    return dash_duo.find_element(f"input{selector}, {selector} input")


def full_path_of_run(dash_duo, index: int):
    js(dash_duo, "window.optiscapePlayer.pause(); window.optiscapePlayer.seek(1e9);")
    return until(lambda: js(dash_duo, PATH_D, index))


def test_changing_a_learning_rate_reruns_and_updates_the_url(dash_duo):
    open_app(dash_duo)
    token = player(dash_duo)["token"]
    before = full_path_of_run(dash_duo, 0)
    type_into(number_box(dash_duo, name="lr", run=0, type="hyper"), "0.02")
    until(lambda: "run=sgd:lr=0.02" in current_url(dash_duo), message="the URL did not follow")
    until(lambda: player(dash_duo)["token"] != token, message="no new trajectories arrived")
    after = full_path_of_run(dash_duo, 0)
    assert after != before
    until(lambda: "SGD lr=0.02" in dash_duo.find_element("#results-table").text)
    until(lambda: dash_duo.find_element(element_id(run=0, type="run-name")).text == "SGD lr=0.02")
    slider_thumb = dash_duo.find_element(f"{element_id(name='lr', run=0, type='hyper-slider')} [role=slider]")
    assert abs(float(slider_thumb.get_attribute("aria-valuenow")) - math.log10(0.02)) < 0.02
    assert severe_errors(dash_duo) == []


def test_add_a_run(dash_duo):
    open_app(dash_duo)
    dash_duo.find_element("#add-run").click()
    until(lambda: len(dash_duo.find_elements(".run-card")) == 5, message="no fifth run card")
    until(lambda: len(dash_duo.find_elements("#results-table tbody tr")) == 5)
    until(lambda: current_url(dash_duo).count("run=") == 5)
    until(lambda: len(player(dash_duo) and js(dash_duo, "return window.optiscapePlayer.stats().steps") and
                      dash_duo.find_elements("#map-graph .optiscape-runs circle.run-marker")) == 5)
    dash_duo.find_element(element_id(run=4, type="run-remove")).click()
    until(lambda: len(dash_duo.find_elements(".run-card")) == 4, message="remove did not remove")


def test_click_on_the_map_sets_the_start(dash_duo):
    open_app(dash_duo)
    area = dash_duo.find_element("#map-graph .nsewdrag")
    width, height = area.size["width"], area.size["height"]
    # a quarter of the way from the left and a quarter from the top of the view (-10..10, -3..3);
    # selenium before 4.3 measures the offset from the element's top-left corner, later ones from its centre
    import selenium

    from_corner = tuple(int(v) for v in selenium.__version__.split(".")[:2]) < (4, 3)
    dx, dy = (width // 4, height // 4) if from_corner else (-width // 4, -height // 4)
    ActionChains(dash_duo.driver).move_to_element_with_offset(area, dx, dy).click().perform()
    until(lambda: "start=" in current_url(dash_duo), message="the click did not set a start")
    start_x = float(until(lambda: dash_duo.find_element("#start-x").get_attribute("value")))
    start_y = float(dash_duo.find_element("#start-y").get_attribute("value"))
    assert abs(start_x - (-5.0)) < 0.5 and abs(start_y - 1.5) < 0.3, (start_x, start_y)
    until(lambda: abs(float(js(dash_duo, "return window.optiscapePlayer.stats().token") or 0)) > 0)
    until(lambda: (js(dash_duo, PATH_D, 0) or "").startswith("M"))
    dash_duo.find_element("#start-reset").click()
    until(lambda: "start=" not in current_url(dash_duo), message="reset did not restore the start")


def test_a_share_link_restores_the_state_and_a_surface_can_be_picked(dash_duo):
    query = "?surface=rosenbrock&start=-1,2.5&steps=150&run=adam:lr=0.05&run=nesterov:lr=0.002"
    open_app(dash_duo, query)
    until(lambda: len(dash_duo.find_elements(".run-card")) == 2, message="the runs were not restored")
    assert dash_duo.find_element("#start-x").get_attribute("value") == "-1"
    assert dash_duo.find_element("#start-y").get_attribute("value") == "2.5"
    until(lambda: dash_duo.find_element("#step-readout").text.endswith("/ 150"))
    assert "Rosenbrock" in dash_duo.find_element("#surface-picker").text
    names = [r.text for r in dash_duo.find_elements("#map-legend .legend-chip")]
    assert names == ["Adam lr=0.05", "Nesterov lr=0.002"]
    assert current_url(dash_duo).endswith(query)
    # pick another surface from the dropdown
    dash_duo.find_element("#surface-picker").click()
    option = until(lambda: [o for o in dash_duo.find_elements(".dash-dropdown-options [role=option], "
                                                              ".dash-dropdown-options div")
                            if o.text.strip() == "Saddle point"])
    option[0].click()
    until(lambda: "surface=saddle" in current_url(dash_duo), message="picking a surface did not re-run")
    until(lambda: "x^2 - y^2" in dash_duo.find_element("#surface-formula").get_attribute("innerHTML") or
          "saddle" in dash_duo.find_element("#surface-note").text.lower())
    assert severe_errors(dash_duo) == []


def test_csv_and_html_downloads(dash_duo, tmp_path):
    open_app(dash_duo, "?steps=20")
    dash_duo.driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow",
                                                                 "downloadPath": str(tmp_path)})
    dash_duo.find_element("#download-csv-button").click()
    files = until(lambda: [f for f in glob.glob(os.path.join(tmp_path, "*.csv"))], timeout=15,
                  message="no CSV was downloaded")
    time.sleep(0.3)
    lines = open(files[0]).read().strip().splitlines()
    assert lines[0].startswith("run,name,optimizer,hyperparameters")
    assert len(lines) == 1 + 4 * 21
    dash_duo.find_element("#download-html-button").click()
    pages = until(lambda: [f for f in glob.glob(os.path.join(tmp_path, "*.html"))], timeout=20,
                  message="no HTML page was downloaded")
    text = until(lambda: open(pages[0], encoding="utf-8").read().rstrip().endswith("</html>") and
                 open(pages[0], encoding="utf-8").read())
    assert "window.optiscapePlayer" in text and '"steps":20' in text
