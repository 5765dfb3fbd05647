"""Help on a touch screen: a tap on a parameter's label opens its explanation, a long press on a
control opens its title; a tap elsewhere closes it."""
from __future__ import annotations

import time

from app_helpers import js, open_app, until
from test_layout_fit import set_screen

CENTRE = "var b = arguments[0].getBoundingClientRect(); return [b.left + b.width / 2, b.top + b.height / 2];"
BUBBLE = "var b = document.getElementById('help-bubble'); return b ? b.textContent : null;"


def _touch(dash_duo, kind, x=None, y=None):
    points = [] if kind == "touchEnd" else [{"x": x, "y": y, "id": 1}]
    dash_duo.driver.execute_cdp_cmd("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})


def _tap(dash_duo, element, hold: float = 0.0):
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    x, y = js(dash_duo, CENTRE, element)
    _touch(dash_duo, "touchStart", x, y)
    if hold:
        time.sleep(hold)                  # a long press is a duration by definition
    _touch(dash_duo, "touchEnd")


def test_a_tap_on_a_label_and_a_long_press_on_a_button_open_their_explanation(dash_duo):
    open_app(dash_duo)
    set_screen(dash_duo, 390, 844)
    label = dash_duo.find_element("#runs-panel .param-label")
    help_text = label.find_element("xpath", "./ancestor-or-self::*[@title][1]").get_attribute("title")
    assert help_text
    _tap(dash_duo, label)
    until(lambda: js(dash_duo, BUBBLE) == help_text, timeout=5, message=f"no explanation: {js(dash_duo, BUBBLE)}")
    assert js(dash_duo, "return document.getElementById('help-bubble').getAttribute('role')") == "tooltip"
    _tap(dash_duo, dash_duo.find_element(".card-title"))     # a tap elsewhere closes it
    until(lambda: js(dash_duo, BUBBLE) is None, timeout=5)
    restart = dash_duo.find_element("[data-player=restart]")
    _tap(dash_duo, restart, hold=0.8)
    until(lambda: js(dash_duo, BUBBLE) == restart.get_attribute("title"), timeout=5,
          message=f"a long press did not explain the button: {js(dash_duo, BUBBLE)}")
