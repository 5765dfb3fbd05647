"""The animation, as a student sees it: the page plays, the contour stays, the controls move the step."""
from __future__ import annotations

import time

from selenium.webdriver.common.keys import Keys

from app_helpers import js, open_app, pause, player, severe_errors, shown_step, until

CONTOUR_PATHS = "return document.querySelectorAll('#map-graph .contourlayer path').length"
# the first run's current point, drawn by assets/player.js inside the map's plot area
MARKER_DOM = ("var m = document.querySelector('#map-graph .optiscape-runs circle.run-marker');"
              "return m ? [m.getAttribute('cx'), m.getAttribute('cy'), m.getAttribute('data-step')] : null;")
PATH_LENGTH = ("var p = document.querySelector('#map-graph .optiscape-runs path.run-path');"
               "return p ? p.getAttribute('d').length : 0;")


def test_page_loads_with_contour_four_runs_and_no_console_errors(dash_duo):
    open_app(dash_duo)
    assert js(dash_duo, CONTOUR_PATHS) > 10
    rows = dash_duo.find_elements("#results-table tbody tr")
    assert len(rows) == 4
    assert [r.text.split()[0] for r in rows] == ["SGD", "Momentum", "RMSProp", "Adam"]
    assert len(dash_duo.find_elements(".run-card")) == 4
    assert "ill_conditioned" in dash_duo.driver.current_url
    formula = until(lambda: dash_duo.find_elements("#surface-formula mjx-container, #surface-formula .MathJax"),
                    message="the formula was not typeset")
    assert formula
    assert severe_errors(dash_duo) == []


def test_playback_moves_the_markers_while_the_contour_stays(dash_duo):
    open_app(dash_duo)
    until(lambda: player(dash_duo)["playing"], message="the page did not start playing")
    markers, lengths, contours = [], [], []
    started = player(dash_duo)["frames"]
    t0 = time.monotonic()
    for _ in range(8):
        markers.append(tuple(js(dash_duo, MARKER_DOM)))
        lengths.append(js(dash_duo, PATH_LENGTH))
        contours.append(js(dash_duo, CONTOUR_PATHS))
        time.sleep(0.2)
    elapsed = time.monotonic() - t0
    frames_per_second = (player(dash_duo)["frames"] - started) / elapsed
    print(f"\nplayback: {frames_per_second:.1f} frames/s in headless Chromium")
    assert len({m[:2] for m in markers}) >= 4, markers        # the first run's marker moves on screen
    assert lengths == sorted(lengths) and lengths[-1] > lengths[0]   # its path grows
    assert min(contours) > 10                                 # the contour never vanished
    assert player(dash_duo)["frames"] - started >= 5   # it drew frames (the rate is a benchmark's, not a test's)


def test_pause_step_scrub_and_keyboard_change_the_step(dash_duo):
    open_app(dash_duo)
    pause(dash_duo)
    body = dash_duo.find_element("body")
    step = shown_step(dash_duo)
    time.sleep(0.3)
    assert shown_step(dash_duo) == step                       # paused means paused
    body.send_keys(Keys.ARROW_RIGHT)
    until(lambda: shown_step(dash_duo) == min(step + 1, 300))
    dash_duo.find_element("[data-player=back]").click()
    until(lambda: shown_step(dash_duo) == step)
    dash_duo.find_element("[data-player=restart]").click()
    until(lambda: shown_step(dash_duo) == 0)
    marker_at_start = js(dash_duo, MARKER_DOM)
    assert marker_at_start[2] == "0"
    start = js(dash_duo, "var p = document.querySelectorAll('#map-graph .scatterlayer g.trace')[2]"
                         ".querySelector('path.point'); return p.getAttribute('transform');")
    x, y = (float(v) for v in start[len("translate("):-1].split(","))
    assert abs(float(marker_at_start[0]) - x) < 1.5 and abs(float(marker_at_start[1]) - y) < 1.5  # on the start
    js(dash_duo, "var s = document.getElementById('scrub'); s.value = '150';"
                 "s.dispatchEvent(new Event('input', {bubbles: true}));")
    until(lambda: shown_step(dash_duo) == 150)
    assert js(dash_duo, MARKER_DOM)[2] == "150"
    cursor = js(dash_duo, "return document.querySelector('#loss-graph .optiscape-cursor line').getAttribute('data-step')")
    assert cursor == "150"
    body.send_keys(Keys.SPACE)
    until(lambda: player(dash_duo)["playing"], message="space did not play")
    until(lambda: shown_step(dash_duo) > 150)
    body.send_keys(Keys.SPACE)
    until(lambda: not player(dash_duo)["playing"], message="space did not pause")
