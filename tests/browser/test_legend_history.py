"""The legend hides and isolates runs; undo and redo walk the page's history (the share links)."""
from __future__ import annotations

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from app_helpers import current_url, js, open_app, until

HIDDEN = "return Array.prototype.map.call(document.querySelectorAll('#map-legend .legend-chip'), " \
         "function (c) { return c.getAttribute('aria-pressed') === 'false'; });"
DRAWN = "return Array.prototype.map.call(document.querySelectorAll('#map-graph g.optiscape-run'), " \
        "function (g) { return g.getAttribute('display') !== 'none'; });"


def chip(dash_duo, index):
    return dash_duo.find_elements("#map-legend .legend-chip")[index]


def press(dash_duo, index, double=False):
    """Click (or double-click) legend chip ``index``; a chip re-drawn by an answer meanwhile is found again."""
    def attempt():
        try:
            if double:
                ActionChains(dash_duo.driver).double_click(chip(dash_duo, index)).perform()
            else:
                chip(dash_duo, index).click()
            return True
        except StaleElementReferenceException:
            return False
    until(attempt, timeout=5, message=f"could not press legend chip {index}")


def test_a_legend_click_hides_a_run_a_double_click_isolates_it(dash_duo):
    open_app(dash_duo)
    assert js(dash_duo, HIDDEN) == [False] * 4
    press(dash_duo, 1)
    until(lambda: js(dash_duo, HIDDEN) == [False, True, False, False], timeout=10, message=js(dash_duo, HIDDEN))
    until(lambda: js(dash_duo, DRAWN) == [True, False, True, True], timeout=10,
          message=f"the map still draws the hidden run: {js(dash_duo, DRAWN)}")
    assert ";hidden" in current_url(dash_duo)
    press(dash_duo, 3, double=True)
    until(lambda: js(dash_duo, HIDDEN) == [True, True, True, False], timeout=10, message=js(dash_duo, HIDDEN))
    press(dash_duo, 3, double=True)                            # again: every run back
    until(lambda: js(dash_duo, HIDDEN) == [False] * 4, timeout=10, message=js(dash_duo, HIDDEN))


def _lr_box(dash_duo):
    return dash_duo.find_element("[id='{\"name\":\"lr\",\"run\":0,\"type\":\"hyper\"}']")


def _lr(dash_duo):
    """The first run's learning rate box's value (None while an answer re-draws the run cards)."""
    try:
        return _lr_box(dash_duo).get_attribute("value")
    except StaleElementReferenceException:
        return None


def test_undo_restores_the_previous_state_and_redo_brings_the_edit_back(dash_duo):
    open_app(dash_duo)
    first_url, first_lr = current_url(dash_duo), _lr_box(dash_duo).get_attribute("value")
    assert dash_duo.find_element("#undo-button").get_attribute("disabled") is not None
    box = _lr_box(dash_duo)
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys("0.002", Keys.ENTER)
    until(lambda: "lr=0.002" in current_url(dash_duo), timeout=10)
    press(dash_duo, 2)                                          # a second edit: hide RMSProp
    until(lambda: js(dash_duo, HIDDEN)[2], timeout=10)
    dash_duo.find_element("#undo-button").click()              # the button: RMSProp back
    until(lambda: not js(dash_duo, HIDDEN)[2], timeout=10, message="undo did not show the run again")
    assert "lr=0.002" in current_url(dash_duo)
    dash_duo.find_element("body").send_keys(Keys.CONTROL, "z")  # the keyboard: the old learning rate
    until(lambda: _lr(dash_duo) == first_lr, timeout=10, message=f"undo did not restore lr {first_lr}: {_lr(dash_duo)}")
    assert current_url(dash_duo) == first_url
    assert dash_duo.find_element("#undo-button").get_attribute("disabled") is not None
    dash_duo.find_element("body").send_keys(Keys.CONTROL, Keys.SHIFT, "z")
    until(lambda: _lr(dash_duo) == "0.002", timeout=10, message="redo failed")
    dash_duo.find_element("#redo-button").click()
    until(lambda: js(dash_duo, HIDDEN)[2], timeout=10, message="the second redo did not hide the run")
    assert dash_duo.find_element("#redo-button").get_attribute("disabled") is not None


OLD_AND_NEW = ("var g = document.querySelector('#map-graph g.optiscape-run');"
               "return [g.querySelector('path.run-path-old').getAttribute('d').length,"
               "        g.querySelector('path.run-path').getAttribute('d').length];")


def test_fade_old_steps_draws_the_old_part_of_each_path_faint(dash_duo):
    from app_helpers import pause, player

    open_app(dash_duo)
    pause(dash_duo)
    dash_duo.find_element("[data-player=restart]").click()
    for _ in range(60):
        dash_duo.find_element("body").send_keys(Keys.ARROW_RIGHT)
    until(lambda: player(dash_duo)["step"] >= 60, timeout=10)
    old, whole = js(dash_duo, OLD_AND_NEW)
    assert old == 0 and whole > 0
    toggle = dash_duo.find_element("#fade-toggle")
    toggle.click()
    until(lambda: toggle.get_attribute("aria-pressed") == "true", timeout=5)
    faded, recent = until(lambda: (lambda v: v if v[0] > 0 else None)(js(dash_duo, OLD_AND_NEW)), timeout=5,
                          message="nothing was faded")
    assert recent < whole                              # the solid part is only the last steps
    assert js(dash_duo, "return document.querySelector('#map-graph path.run-path-old').getAttribute('opacity')") == "0.22"
    toggle.click()
    until(lambda: js(dash_duo, OLD_AND_NEW)[0] == 0, timeout=5, message="fading did not turn off")
