"""Small helpers shared by the app's browser tests (dash_duo + selenium)."""
from __future__ import annotations

import json
import socket
import time

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.keys import Keys


def severe_errors(dash_duo) -> list:
    """Console entries at level SEVERE (JS errors, failed loads, CSP violations)."""
    return [entry for entry in (dash_duo.get_logs() or []) if entry.get("level") == "SEVERE"]


def until(condition, timeout: float = 10.0, interval: float = 0.1, message: str = ""):
    """Poll ``condition()`` until it returns something truthy; return it, or fail after ``timeout`` s.

    An element that React re-rendered between being found and being read (a stale reference) counts as
    "not yet": the page is still drawing the answer the condition waits for."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = condition()
        except StaleElementReferenceException as stale:
            last = stale
            time.sleep(interval)
            continue
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(message or f"condition not met within {timeout} s (last value {last!r})")


def type_into(element, text: str) -> None:
    """Replace what a box holds by ``text`` and press Enter, as a user would (select all, delete, type)."""
    element.send_keys(Keys.CONTROL, "a")
    element.send_keys(Keys.BACKSPACE)
    element.send_keys(text + Keys.ENTER)


def toggle_view(dash_duo, text: str) -> None:
    """Click the View bar option whose label reads ``text`` (as a user would)."""
    labels = [label for label in dash_duo.find_elements("#view-bar label") if label.text.strip() == text]
    assert labels, f"no '{text}' in the View bar"
    labels[0].click()


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (never 8050: other engineers' servers and tests run beside these)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(dash_duo, app) -> None:
    """``dash_duo.start_server`` on a free port."""
    dash_duo.start_server(app, port=free_port())


def open_app(dash_duo, query: str = ""):
    """Start the real app and wait until the map shows a contour and the player has data."""
    from app import app

    start(dash_duo, app)
    if query:
        dash_duo.driver.get(dash_duo.server_url + "/" + query)
    until(lambda: js(dash_duo, "return document.querySelectorAll('#map-graph .contourlayer path').length") > 0,
          timeout=20, message="no contour on the map")
    until(lambda: (player(dash_duo) or {}).get("steps"), timeout=20, message="the player got no data")


def js(dash_duo, script: str, *args):
    return dash_duo.driver.execute_script(script, *args)


def player(dash_duo) -> dict:
    return js(dash_duo, "return window.optiscapePlayer ? window.optiscapePlayer.stats() : null;")


def shown_step(dash_duo) -> int:
    text = dash_duo.find_element("#step-readout").text          # "step k / T"
    return int(text.split()[1])


def pause(dash_duo):
    if player(dash_duo)["playing"]:
        dash_duo.find_element("#play-button").click()
    until(lambda: not player(dash_duo)["playing"], message="did not pause")


def element_id(**key) -> str:
    """The DOM id Dash gives a pattern-matching component id (JSON with sorted keys)."""
    return "[id='" + json.dumps(key, sort_keys=True, separators=(",", ":")) + "']"


def current_url(dash_duo) -> str:
    return dash_duo.driver.current_url
