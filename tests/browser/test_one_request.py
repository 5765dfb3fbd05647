"""One edit, one request, in real headless Chromium, acting as a user: each kind of edit redraws after one
server request (a counter injected around ``fetch``); a dragged slider moves the path before release;
refused values show a notice next to their control with the value in force; number boxes step for their
scale; huge formulas never raise a console error and the next valid formula draws."""
from __future__ import annotations

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from app_helpers import current_url, element_id, js, open_app, player, severe_errors, until

COUNTER = """
if (!window.optiscapeRequests) {
  window.optiscapeRequests = [];
  var original = window.fetch;
  window.fetch = function (url, options) {
    if (String(url).indexOf('_dash-update-component') !== -1) {
      var body = options && options.body ? String(options.body) : '';
      window.optiscapeRequests.push(body.slice(0, 120));
    }
    return original.apply(this, arguments);
  };
}
window.optiscapeRequests.length = 0;
"""


def start_counting(dash_duo):
    js(dash_duo, COUNTER)


def requests(dash_duo) -> int:
    return js(dash_duo, "return window.optiscapeRequests.length;")


def settle(dash_duo, token, message):
    """Wait for new trajectories in the player, then for the page to go quiet (no request pending)."""
    until(lambda: player(dash_duo)["token"] != token, timeout=15, message=message)
    until(lambda: js(dash_duo, "return !document.querySelector('[data-dash-is-loading=\"true\"]');"), timeout=10)
    count = requests(dash_duo)
    js(dash_duo, "return new Promise(function (done) { setTimeout(done, 600); });")
    until(lambda: requests(dash_duo) == count, message="requests kept coming")


def box(dash_duo, **key):
    selector = element_id(**key)
    return dash_duo.find_element(f"input{selector}, {selector} input")


def type_into(element, text: str):
    element.send_keys(Keys.CONTROL, "a")
    element.send_keys(Keys.BACKSPACE)
    element.send_keys(text + Keys.ENTER)


def test_each_kind_of_value_edit_is_one_request(dash_duo):
    open_app(dash_duo, "?steps=200")
    start_counting(dash_duo)
    # a learning rate typed into its box
    token = player(dash_duo)["token"]
    type_into(box(dash_duo, name="lr", run=0, type="hyper"), "0.02")
    settle(dash_duo, token, "the lr edit drew no new path")
    assert requests(dash_duo) == 1, js(dash_duo, "return window.optiscapeRequests;")
    assert "run=sgd:lr=0.02" in current_url(dash_duo)
    # the number of steps
    start_counting(dash_duo)
    token = player(dash_duo)["token"]
    type_into(dash_duo.find_element("#steps-input"), "500")
    settle(dash_duo, token, "the steps edit drew no new path")
    assert requests(dash_duo) == 1 and player(dash_duo)["steps"] == 500
    # a click on the map (every run starts there)
    start_counting(dash_duo)
    token = player(dash_duo)["token"]
    area = dash_duo.find_element("#map-graph .nsewdrag")
    ActionChains(dash_duo.driver).move_to_element_with_offset(area, 5, 5).click().perform()
    settle(dash_duo, token, "the map click drew no new path")
    assert requests(dash_duo) == 1 and "start=" in current_url(dash_duo)
    assert severe_errors(dash_duo) == []


def test_structural_edits_cost_at_most_two_requests(dash_duo):
    open_app(dash_duo, "?steps=100")
    for action in ("add", "optimizer"):
        start_counting(dash_duo)
        token = player(dash_duo)["token"]
        if action == "add":
            dash_duo.find_element("#add-run").click()
        else:
            dash_duo.find_element(element_id(run=0, type="run-optimizer")).click()
            option = until(lambda: [o for o in dash_duo.find_elements(".dash-dropdown-options [role=option]")
                                    if o.text.strip() == "Adam"], message="no Adam option")
            option[0].click()
        settle(dash_duo, token, f"{action}: no new paths")
        # the edit's answer, and the re-drawn cards announcing their controls (answered "no update")
        assert 1 <= requests(dash_duo) <= 2, (action, js(dash_duo, "return window.optiscapeRequests;"))
    assert current_url(dash_duo).count("run=") == 5 and "run=adam" in current_url(dash_duo)


def test_a_dragged_slider_moves_the_path_before_release(dash_duo):
    open_app(dash_duo, "?steps=150")
    js(dash_duo, "window.optiscapePlayer.pause();")
    thumb = dash_duo.find_element(f"{element_id(name='lr', run=0, type='hyper-slider')} [role=slider]")
    token = player(dash_duo)["token"]
    drag = ActionChains(dash_duo.driver).click_and_hold(thumb)
    drag.perform()
    seen = set()
    for _ in range(6):
        ActionChains(dash_duo.driver).move_by_offset(-12, 0).perform()
        js(dash_duo, "return new Promise(function (done) { setTimeout(done, 250); });")
        seen.add(player(dash_duo)["token"])
    moved_before_release = seen - {token}
    ActionChains(dash_duo.driver).release().perform()
    assert len(moved_before_release) >= 2, "the path did not follow the thumb while dragging"
    until(lambda: "run=sgd:lr=" in current_url(dash_duo))
    assert severe_errors(dash_duo) == []


def notice_in_card(dash_duo, run: int) -> str:
    return until(lambda: dash_duo.find_element(element_id(run=run, type="run-notice")).text, timeout=15,
                 message=f"no notice in run {run + 1}'s card")


def test_refused_values_show_a_notice_and_the_value_in_force(dash_duo):
    open_app(dash_duo, "?steps=50&run=sgd:lr=0.03&run=nesterov:lr=0.01")
    type_into(box(dash_duo, name="lr", run=0, type="hyper"), "-1")
    assert "lr=-1" in notice_in_card(dash_duo, 0)
    until(lambda: box(dash_duo, name="lr", run=0, type="hyper").get_attribute("value") == "0",
          message="the box does not show the value in force")
    # Nesterov with momentum 0 is refused with the optimizer's own reason; momentum stays 0.9
    momentum = box(dash_duo, name="momentum", run=1, type="hyper")
    type_into(momentum, "0")
    assert "momentum" in notice_in_card(dash_duo, 1).lower()
    until(lambda: box(dash_duo, name="momentum", run=1, type="hyper").get_attribute("value") == "0.9")
    # noise and seed live under "Schedule, noise, seed"
    dash_duo.find_element(f"{element_id(run=0, type='run-card')} details.more-settings summary").click()
    type_into(box(dash_duo, run=0, type="run-noise"), "1000")
    assert "noise 1000" in notice_in_card(dash_duo, 0)
    until(lambda: box(dash_duo, run=0, type="run-noise").get_attribute("value") == "100")
    dash_duo.find_element(f"{element_id(run=0, type='run-card')} details.more-settings summary").click()
    type_into(box(dash_duo, run=0, type="run-seed"), "-3")
    assert "seed" in notice_in_card(dash_duo, 0)
    until(lambda: box(dash_duo, run=0, type="run-seed").get_attribute("value") == "0")
    # steps out of range
    type_into(dash_duo.find_element("#steps-input"), "99999")
    until(lambda: "5000" in dash_duo.find_element("#steps-notice").text, message="no notice by the steps box")
    until(lambda: dash_duo.find_element("#steps-input").get_attribute("value") == "5000")
    assert severe_errors(dash_duo) == []


def test_a_maps_grid_too_large_is_clamped_with_a_notice(dash_duo):
    open_app(dash_duo, "?steps=30")
    dash_duo.find_element("#maps-details summary").click()
    grid = dash_duo.find_element("#maps-grid")
    type_into(grid, "500")
    steps = dash_duo.find_element("#maps-steps")
    type_into(steps, "20")
    dash_duo.find_element("#maps-compute").click()
    until(lambda: "grid 500" in dash_duo.find_element("#maps-messages").text, timeout=20,
          message="no notice for the clamped grid")
    until(lambda: dash_duo.find_element("#maps-grid").get_attribute("value") == "200",
          message="the grid box does not show the value in force")
    assert severe_errors(dash_duo) == []


def test_arrow_up_in_a_learning_rate_box_steps_by_its_scale(dash_duo):
    open_app(dash_duo, "?steps=30&run=sgd:lr=0.03")
    lr = box(dash_duo, name="lr", run=0, type="hyper")
    lr.click()
    lr.send_keys(Keys.ARROW_UP)
    until(lambda: "run=sgd:lr=0.0378" in current_url(dash_duo), message="ArrowUp did not step by 10^0.1")
    lr = box(dash_duo, name="lr", run=0, type="hyper")
    lr.send_keys(Keys.ARROW_DOWN)
    until(lambda: "run=sgd:lr=0.03" in current_url(dash_duo) and "0.0378" not in current_url(dash_duo))
    steps = dash_duo.find_element("#steps-input")
    steps.click()
    steps.send_keys(Keys.ARROW_UP)
    until(lambda: "steps=31" in current_url(dash_duo), message="the steps box does not step by 1")


def formula_box(dash_duo):
    return dash_duo.find_element(f"input{element_id(name='formula', type='surface-param-text')}")


def test_huge_formulas_never_raise_and_the_next_valid_formula_draws(dash_duo):
    open_app(dash_duo, "?surface=custom&steps=40")
    for text in ("1e39 + x^2", "exp(1000)", "9^9^9 + x^2 + y^2", "log(-1 - x^2)", "exp(60*x) + y^2"):
        token = player(dash_duo)["token"]
        type_into(formula_box(dash_duo), text)
        until(lambda: player(dash_duo)["token"] != token, timeout=15, message=f"{text}: nothing drawn")
        message = js(dash_duo, "var a = document.querySelector('#map-graph .annotation-text');"
                               "return a ? a.textContent : '';")
        if text != "exp(60*x) + y^2":
            assert "nothing to draw" in message or "everywhere" in message, (text, message)
        errors = severe_errors(dash_duo)
        assert errors == [], (text, [e["message"][-300:] for e in errors])
    token = player(dash_duo)["token"]
    type_into(formula_box(dash_duo), "x^2 + 3*y^2")
    until(lambda: player(dash_duo)["token"] != token, timeout=15)
    until(lambda: js(dash_duo, "return document.querySelectorAll('#map-graph .contourlayer path').length") > 0,
          message="the valid formula drew no contour")
    until(lambda: js(dash_duo, "return document.querySelectorAll('#map-graph .optiscape-runs path.run-path')"
                               ".length") >= 1, message="no run paths after recovering")
    assert severe_errors(dash_duo) == []
