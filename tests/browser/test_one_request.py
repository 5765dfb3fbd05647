"""One edit, one request, in real headless Chromium, acting as a user: each kind of edit redraws after one
server request (a counter injected around ``fetch``); a dragged slider moves the path before release;
refused values show a notice next to their control with the value in force; number boxes step for their
scale; huge formulas never raise a console error and the next valid formula draws."""
from __future__ import annotations

from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from app_helpers import current_url, element_id, js, open_app, player, severe_errors, type_into, until

COUNTER = """
if (!window.optiscapeRequests) {
  window.optiscapeRequests = [];
  window.optiscapePending = 0;
  window.optiscapeLastRequest = Date.now();
  var original = window.fetch;
  window.fetch = function (url, options) {
    if (String(url).indexOf('_dash-update-component') === -1) { return original.apply(this, arguments); }
    var body = options && options.body ? String(options.body) : '';
    var parsed = {}; try { parsed = JSON.parse(body); } catch (e) {}
    window.optiscapeRequests.push(JSON.stringify(parsed.changedPropIds || body.slice(0, 120)));
    window.optiscapePending += 1;
    window.optiscapeLastRequest = Date.now();
    var done = function () { window.optiscapePending -= 1; window.optiscapeLastRequest = Date.now(); };
    var answer = original.apply(this, arguments);
    answer.then(done, done);
    return answer;
  };
}
"""


def open_counting(dash_duo, query: str):
    """Open the app with the request counter in the page from its first script on, so a request the page
    sends by itself while loading (the run cards announcing their controls) is seen and waited out."""
    dash_duo.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": COUNTER})
    open_app(dash_duo, query)


def quiet(dash_duo):
    """No request in flight and none started or answered for 700 ms."""
    until(lambda: js(dash_duo, "return window.optiscapePending === 0 && "
                               "Date.now() - window.optiscapeLastRequest > 700;"), timeout=15,
          message="the page never went quiet")


def start_counting(dash_duo):
    quiet(dash_duo)
    js(dash_duo, "window.optiscapeRequests.length = 0;")


def requests(dash_duo) -> int:
    return js(dash_duo, "return window.optiscapeRequests.length;")


def settle(dash_duo, token, message):
    """Wait for new trajectories in the player, then for the page to go quiet (no request pending)."""
    until(lambda: player(dash_duo)["token"] != token, timeout=15, message=message)
    quiet(dash_duo)


def box(dash_duo, **key):
    selector = element_id(**key)
    return dash_duo.find_element(f"input{selector}, {selector} input")


MAP_REDRAWS = ("var gd = document.querySelector('#map-graph .js-plotly-plot');"
               "if (!gd._redrawCounted) { gd._redrawCounted = true; window.mapRedraws = 0;"
               " gd.on('plotly_afterplot', function () { window.mapRedraws += 1; }); }"
               "return window.mapRedraws;")


def test_each_kind_of_value_edit_is_one_request(dash_duo):
    open_counting(dash_duo, "?steps=200")
    start_counting(dash_duo)
    assert js(dash_duo, MAP_REDRAWS) == 0             # Plotly's redraws of the map (the contour) from now on
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
    # none of these edits re-sent the map: Plotly never redrew the contour, the player drew the new paths
    assert js(dash_duo, MAP_REDRAWS) == 0
    # a surface parameter does re-send it
    token = player(dash_duo)["token"]
    type_into(box(dash_duo, name="l2", type="surface-param"), "0.5")
    settle(dash_duo, token, "the surface edit drew no new path")
    until(lambda: js(dash_duo, MAP_REDRAWS) >= 1, message="the surface edit did not redraw the contour")
    assert severe_errors(dash_duo) == []


def test_structural_edits_cost_at_most_two_requests(dash_duo):
    open_counting(dash_duo, "?steps=100")
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


def mouse(dash_duo, kind: str, x: float, y: float):
    """A real mouse event through the DevTools protocol (the slider listens to pointer events)."""
    event = {"type": kind, "x": x, "y": y, "button": "left"}
    if kind != "mouseMoved":
        event["clickCount"] = 1
    else:
        event["buttons"] = 1
    dash_duo.driver.execute_cdp_cmd("Input.dispatchMouseEvent", event)


def test_a_dragged_slider_moves_the_path_before_release(dash_duo):
    open_app(dash_duo, "?steps=150")
    js(dash_duo, "window.optiscapePlayer.pause();")
    thumb = dash_duo.find_element(f"{element_id(name='lr', run=0, type='hyper-slider')} [role=slider]")
    js(dash_duo, "arguments[0].scrollIntoView({block: 'center'});", thumb)
    x, y = js(dash_duo, "var b = arguments[0].getBoundingClientRect(); return [b.x + b.width / 2, b.y + b.height / 2];",
              thumb)
    token = player(dash_duo)["token"]
    mouse(dash_duo, "mousePressed", x, y)
    seen = []
    for step in range(1, 7):
        mouse(dash_duo, "mouseMoved", x - 12 * step, y)
        js(dash_duo, "return new Promise(function (done) { setTimeout(done, 300); });")
        seen.append(player(dash_duo)["token"])
    held = player(dash_duo)["previews"]
    mouse(dash_duo, "mouseReleased", x - 72, y)
    # new trajectories arrived while the thumb was held, several times (previews of the dragged run)
    assert len(set(seen) - {token}) >= 2, "the path did not follow the thumb while dragging"
    assert held["answered"] >= 2, held
    until(lambda: "run=sgd:lr=" in current_url(dash_duo))
    assert float(box(dash_duo, name="lr", run=0, type="hyper").get_attribute("value")) < 0.01
    assert severe_errors(dash_duo) == []


def text_of(dash_duo, selector: str) -> str:
    """An element's text, or "" while the cards are being re-drawn."""
    try:
        return dash_duo.find_element(selector).text
    except (StaleElementReferenceException, NoSuchElementException):
        return ""


def value_of(dash_duo, **key) -> str | None:
    try:
        return box(dash_duo, **key).get_attribute("value")
    except (StaleElementReferenceException, NoSuchElementException):
        return None


def notice_in_card(dash_duo, run: int, containing: str) -> str:
    return until(lambda: containing in text_of(dash_duo, element_id(run=run, type="run-notice")) and
                 text_of(dash_duo, element_id(run=run, type="run-notice")), timeout=15,
                 message=f"no notice with {containing!r} in run {run + 1}'s card")


def open_noise_and_seed(dash_duo, run: int):
    """Unfold the run card's "Schedule, noise, seed" (a re-drawn card may have it open already)."""
    for details in dash_duo.find_elements(f"{element_id(run=run, type='run-card')} details.more-settings"):
        summary = details.find_element("css selector", "summary")
        if "noise" in summary.text and details.get_attribute("open") is None:
            summary.click()


def test_refused_values_show_a_notice_and_the_value_in_force(dash_duo):
    open_app(dash_duo, "?steps=50&run=sgd:lr=0.03&run=nesterov:lr=0.01")
    type_into(box(dash_duo, name="lr", run=0, type="hyper"), "-1")
    assert "outside" in notice_in_card(dash_duo, 0, "lr=-1")
    until(lambda: value_of(dash_duo, name="lr", run=0, type="hyper") == "0",
          message="the box does not show the value in force")
    # Nesterov with momentum 0 is refused with the optimizer's own reason; momentum stays 0.9
    momentum = box(dash_duo, name="momentum", run=1, type="hyper")
    type_into(momentum, "0")
    assert "kept momentum=0.9" in notice_in_card(dash_duo, 1, "Nesterov momentum requires")
    until(lambda: value_of(dash_duo, name="momentum", run=1, type="hyper") == "0.9")
    # noise and seed live under "Schedule, noise, seed"
    open_noise_and_seed(dash_duo, 0)
    type_into(box(dash_duo, run=0, type="run-noise"), "1000")
    assert "changed to 100" in notice_in_card(dash_duo, 0, "noise 1000")
    until(lambda: value_of(dash_duo, run=0, type="run-noise") == "100")
    open_noise_and_seed(dash_duo, 0)
    type_into(box(dash_duo, run=0, type="run-seed"), "-3")
    assert "whole number" in notice_in_card(dash_duo, 0, "seed")
    until(lambda: value_of(dash_duo, run=0, type="run-seed") == "0")
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
