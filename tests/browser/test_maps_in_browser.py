"""The Maps panel as a teacher uses it: open it, compute a basin map, click a cell to start there; compute a
sensitivity map and click a cell to load that learning rate into the run."""
from __future__ import annotations

import selenium
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains

from app_helpers import current_url, element_id, js, open_app, player, severe_errors, until

MAPS_GD = "document.querySelector('#maps-graph .js-plotly-plot')"
# selenium before 4.3 measures an offset from the element's top-left corner, later ones from its centre
FROM_CORNER = tuple(int(v) for v in selenium.__version__.split(".")[:2]) < (4, 3)


def heatmap_shown(dash_duo) -> bool:
    return bool(js(dash_duo, f"var gd = {MAPS_GD}; return !!(gd && gd._fullData && gd._fullData.length && "
                             "gd._fullData[0].type === 'heatmap' && "
                             "document.querySelectorAll('#maps-graph .heatmaplayer image').length);"))


def legend_names(dash_duo) -> list:
    return [e.text for e in dash_duo.find_elements("#maps-graph .legendtext")]


def click_cell(dash_duo, fraction_x: float, fraction_y: float) -> dict:
    """Click the first panel at a fraction of its width (from the left) and height (from the top);
    return the data coordinates under the pointer, read from Plotly's axes."""
    area = dash_duo.find_element("#maps-graph .nsewdrag")
    width, height = area.size["width"], area.size["height"]
    dx, dy = int(width * fraction_x), int(height * fraction_y)
    if not FROM_CORNER:
        dx, dy = dx - width // 2, dy - height // 2
    where = js(dash_duo, f"var gd = {MAPS_GD}, xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;"
                         "return {x: xa.p2l(arguments[0]), y: ya.p2l(arguments[1]), xs: gd._fullData[0].x,"
                         " ys: gd._fullData[0].y};", int(width * fraction_x), int(height * fraction_y))
    ActionChains(dash_duo.driver).move_to_element_with_offset(area, dx, dy).pause(0.3).click().perform()
    return where


def nearest(values, target):
    return min(values, key=lambda v: abs(v - target))


def test_basin_map_then_click_a_cell_to_start_there(dash_duo):
    open_app(dash_duo)
    dash_duo.find_element("#maps-details > summary").click()
    dash_duo.find_element("#maps-compute").click()
    until(lambda: heatmap_shown(dash_duo), timeout=15, message="no basin heatmap")
    until(lambda: "map=basin" in current_url(dash_duo), message="the map is not in the share URL")
    names = until(lambda: legend_names(dash_duo))
    assert "global minimum (0, 0)" in names and "diverged" in names and "not converged" in names
    token = player(dash_duo)["token"]
    where = click_cell(dash_duo, 0.3, 0.25)
    expected_x, expected_y = nearest(where["xs"], where["x"]), nearest(where["ys"], where["y"])
    until(lambda: dash_duo.find_element("#start-x").get_attribute("value") not in ("-8", ""),
          message="the click did not move the start")
    assert abs(float(dash_duo.find_element("#start-x").get_attribute("value")) - expected_x) < 1e-6
    assert abs(float(dash_duo.find_element("#start-y").get_attribute("value")) - expected_y) < 1e-6
    until(lambda: player(dash_duo)["token"] != token, message="no new trajectories from the new start")
    until(lambda: player(dash_duo)["playing"], message="the animation does not play from the new start")
    assert "start=" in current_url(dash_duo) and "map=basin" in current_url(dash_duo)
    errors = severe_errors(dash_duo)
    assert errors == [], [e["message"][-600:] for e in errors]


def test_sensitivity_map_from_a_link_then_click_loads_the_learning_rate(dash_duo):
    # run 2 is Momentum (lr 0.01, momentum 0.9): lr x momentum, 10 x 10 values, 100 steps
    open_app(dash_duo, "?map=sensitivity&map_runs=1,3&map_n=10&map_steps=100")
    until(lambda: heatmap_shown(dash_duo), timeout=15, message="no sensitivity heatmap from the link")
    assert js(dash_duo, "return document.getElementById('maps-details').open") is True
    titles = js(dash_duo, f"return {MAPS_GD}.layout.annotations.map(function (a) {{ return a.text; }});")
    assert "Momentum" in titles[0] and "lr \u00d7 momentum" in titles[0] and "lr \u00d7 beta1" in titles[1]
    assert "current setting" in legend_names(dash_duo)
    def shown_lr() -> float:      # the run panel re-renders when a click loads values: find the box anew
        try:
            return float(dash_duo.find_element(f"input{element_id(name='lr', run=1, type='hyper')}")
                         .get_attribute("value") or 0)
        except StaleElementReferenceException:
            return 0.0

    assert shown_lr() == 0.01
    where = click_cell(dash_duo, 0.15, 0.5)
    expected_lr = 10 ** nearest(where["xs"], where["x"])
    until(lambda: abs(shown_lr() - expected_lr) < 1e-3 * expected_lr,
          message="the click did not load the learning rate into the run")
    until(lambda: "run=momentum:lr=" in current_url(dash_duo), message="the URL did not follow")
    errors = severe_errors(dash_duo)
    assert errors == [], [e["message"][-600:] for e in errors]


def test_cancel_discards_and_caps_are_explained(dash_duo):
    open_app(dash_duo, "?map=basin&map_grid=200&map_steps=5000&map_runs=0,1,2,3")
    message = until(lambda: dash_duo.find_element("#maps-messages").text, timeout=15)
    assert "too much work" in message
    assert not heatmap_shown(dash_duo)
    # the Cancel button appears while a map computes and its answer is then discarded
    grid = dash_duo.find_element("#maps-grid")
    grid.clear()
    grid.send_keys("200\n")
    steps = dash_duo.find_element("#maps-steps")
    steps.clear()
    steps.send_keys("1000\n")
    js(dash_duo, "Array.from(document.querySelectorAll('#maps-runs input')).forEach(function (box, i) {"
                 " if (box.checked !== (i < 1)) { box.click(); } });")
    # watch in the page (no polling latency): record "computing..." and press Cancel as soon as it shows
    js(dash_duo, """
        window.mapsSeen = {computing: false, cancel: false};
        var button = document.getElementById('maps-cancel'), progress = document.getElementById('maps-progress');
        new MutationObserver(function () {
            if (!progress.hidden && progress.textContent.indexOf('computing') !== -1) { window.mapsSeen.computing = true; }
            if (button.style.display !== 'none' && !window.mapsSeen.cancel) {
                window.mapsSeen.cancel = true; setTimeout(function () { button.click(); }, 30);
            }
        }).observe(document.querySelector('.maps-actions'), {subtree: true, childList: true, attributes: true,
                                                             characterData: true});""")
    dash_duo.find_element("#maps-compute").click()
    until(lambda: js(dash_duo, "return window.mapsSeen.cancel"), timeout=10, message="no Cancel while computing")
    assert js(dash_duo, "return window.mapsSeen.computing"), "no 'computing...' shown"
    until(lambda: dash_duo.find_element("#maps-status").text == "cancelled", timeout=15,
          message="the answer was not discarded")
    until(lambda: "map_steps=1000" in current_url(dash_duo))
    assert not heatmap_shown(dash_duo)


def test_a_link_with_out_of_range_map_and_view_values_says_so_and_shows_the_values_in_force(dash_duo):
    open_app(dash_duo, "?map=basin&map_grid=500&map_steps=40&arrows=maybe")
    notices = until(lambda: dash_duo.find_element("#notices").text, timeout=15, message="no notice shown")
    assert "grid 500 is outside 2 to 200; using 200" in notices
    assert "arrows='maybe' is not 1 or 0" in notices
    until(lambda: dash_duo.find_element("#maps-grid").get_attribute("value") == "200",
          message="the grid box does not show the value in force")
    until(lambda: "map_grid=200" in current_url(dash_duo), message="the share link keeps the refused value")
    assert "arrows" not in current_url(dash_duo)
    assert not dash_duo.find_element("#arrow-legend").is_displayed()       # the arrows view stayed off
    errors = severe_errors(dash_duo)
    assert errors == [], [e["message"][-600:] for e in errors]
