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
    until(lambda: _lr_box(dash_duo).get_attribute("value") == first_lr, timeout=10,
          message=f"undo did not restore lr {first_lr}: {_lr_box(dash_duo).get_attribute('value')}")
    assert current_url(dash_duo) == first_url
    assert dash_duo.find_element("#undo-button").get_attribute("disabled") is not None
    dash_duo.find_element("body").send_keys(Keys.CONTROL, Keys.SHIFT, "z")
    until(lambda: _lr_box(dash_duo).get_attribute("value") == "0.002", timeout=10, message="redo failed")
    dash_duo.find_element("#redo-button").click()
    until(lambda: js(dash_duo, HIDDEN)[2], timeout=10, message="the second redo did not hide the run")
    assert dash_duo.find_element("#redo-button").get_attribute("disabled") is not None
