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
    # from the start (on a loaded machine the autoplay may be near the end, where the runs have settled)
    js(dash_duo, "window.optiscapePlayer.seek(0); window.optiscapePlayer.play();")
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
    start = js(dash_duo, "var c = document.querySelector('#map-graph .optiscape-runs circle.start-marker');"
                         "var xa = document.querySelector('#map-graph .js-plotly-plot')._fullLayout.xaxis;"
                         "var ya = document.querySelector('#map-graph .js-plotly-plot')._fullLayout.yaxis;"
                         "return [c.getAttribute('cx'), c.getAttribute('cy'), xa.c2p(-8), ya.c2p(1.5)];")
    x, y = float(start[0]), float(start[1])
    assert abs(x - start[2]) < 1.5 and abs(y - start[3]) < 1.5         # the start marker sits on (-8, 1.5)
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


# where run 0's point of step t is on the page (client pixels), from the player's own drawing
POINT = ("var gd = document.querySelector('#map-graph .js-plotly-plot'); var drag = gd.querySelector('.nsewdrag');"
         "var r = drag.getBoundingClientRect(); var xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;"
         "var run = window.optiscapePlayer.payload().runs[arguments[0]];"
         "return [r.left + xa.c2p(run.x[arguments[1]]), r.top + ya.c2p(run.y[arguments[1]])];")
HOVER = ("var l = document.querySelector('#map-graph .optiscape-hover');"
         "return l && l.style.display !== 'none' ? [l.getAttribute('data-run'), l.getAttribute('data-step'),"
         " l.textContent] : null;")


def hover(dash_duo, x: float, y: float):
    """The pointer moved over the page to (x, y), as a mouse does (DevTools protocol)."""
    dash_duo.driver.execute_cdp_cmd("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y})


def test_hover_reads_out_only_steps_the_animation_has_reached(dash_duo):
    open_app(dash_duo, "?steps=100&run=sgd:lr=0.02")
    pause(dash_duo)
    js(dash_duo, "window.optiscapePlayer.seek(3);")
    until(lambda: shown_step(dash_duo) == 3)
    x, y = js(dash_duo, POINT, 0, 2)
    hover(dash_duo, x + 1, y)
    shown = until(lambda: js(dash_duo, HOVER), message="no read-out over a reached point")
    assert shown[0] == "0" and shown[1] == "2" and "step 2" in shown[2] and "loss" in shown[2]
    far = js(dash_duo, POINT, 0, 60)                    # a step the animation has not reached
    hover(dash_duo, far[0], far[1])
    until(lambda: js(dash_duo, HOVER) is None, message="the read-out shows a step not reached yet")
    js(dash_duo, "window.optiscapePlayer.seek(80);")
    until(lambda: shown_step(dash_duo) == 80)
    hover(dash_duo, far[0] + 1, far[1])
    shown = until(lambda: js(dash_duo, HOVER), message="no read-out once the step is reached")
    assert 55 <= int(shown[1]) <= 65, shown
    # away from the path, the contour reads out x, y and f (Plotly's label)
    corner = js(dash_duo, "var r = document.querySelector('#map-graph .nsewdrag').getBoundingClientRect();"
                          "return [r.right - 8, r.bottom - 8];")
    hover(dash_duo, corner[0], corner[1])
    label = until(lambda: js(dash_duo, "var t = document.querySelector('#map-graph .hoverlayer .hovertext');"
                                       "return t ? t.textContent : '';"), message="no x, y, f read-out")
    assert "f " in label and "x " in label, label
    assert js(dash_duo, HOVER) is None
    assert severe_errors(dash_duo) == []
