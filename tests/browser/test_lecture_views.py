"""The lecture views as a teacher uses them: a scenario from the picker, arrows, side by side, the
inner-state panel and the 3D view, each checked in real Chromium by what is drawn on the page."""
from __future__ import annotations

import time

from selenium.webdriver.common.keys import Keys

from app_helpers import current_url, js, open_app, pause, player, severe_errors, toggle_view, until
from webapp import scenarios

ARROWS = ("return Array.from(document.querySelectorAll('#map-graph .run-arrows line.arrow-gradient'))"
          ".map(function (l) { return [l.getAttribute('x2'), l.getAttribute('y2'), l.getAttribute('data-step')]; });")
PANEL_MARKERS = ("return Array.from(document.querySelectorAll('#map-graph svg.optiscape-runs')).map(function (svg) {"
                 " var m = svg.querySelector('circle.run-marker'); var box = svg.getBoundingClientRect();"
                 " return {left: box.left, top: box.top, step: m && m.getAttribute('data-step'),"
                 " x: m && m.getAttribute('cx'), y: m && m.getAttribute('cy')}; });")
INNER_CURSOR = ("var gd = document.querySelector('#inner-graph .js-plotly-plot');"
                "var line = gd && gd.querySelector('svg.optiscape-inner-cursor line.cursor');"
                "if (!line) { return null; }"
                "var xa = gd._fullLayout.xaxis;"
                "return {step: Number(line.getAttribute('data-step')), x: Number(line.getAttribute('x1')),"
                " expected: xa.c2p(Number(line.getAttribute('data-step')))};")

DRAG_BOX = ("var el = document.querySelector(\"#map-graph .nsewdrag[data-subplot='\" + arguments[0] + \"']\");"
            "var r = el.getBoundingClientRect(), x0 = r.left + 0.3 * r.width, y0 = r.top + 0.3 * r.height;"
            "function fire(target, type, x, y, buttons) { target.dispatchEvent(new MouseEvent(type, {bubbles: true,"
            " cancelable: true, clientX: x, clientY: y, button: 0, buttons: buttons, view: window})); }"
            "fire(el, 'mousedown', x0, y0, 1);"
            "for (var i = 1; i <= 5; i++) { fire(document, 'mousemove', x0 + i * 0.06 * r.width,"
            " y0 + i * 0.06 * r.height, 1); }"
            "fire(document, 'mouseup', x0 + 0.3 * r.width, y0 + 0.3 * r.height, 0);")


def fps_while_playing(dash_duo, seconds: float = 1.5) -> float:
    before, t0 = player(dash_duo)["frames"], time.monotonic()
    time.sleep(seconds)
    return (player(dash_duo)["frames"] - before) / (time.monotonic() - t0)


def restart_and_play(dash_duo):
    pause(dash_duo)
    js(dash_duo, "window.optiscapePlayer.seek(0); window.optiscapePlayer.play();")
    until(lambda: player(dash_duo)["playing"], message="did not play")


def test_a_scenario_from_the_picker_shows_its_caption_plays_and_ends_on_the_takeaway(dash_duo):
    open_app(dash_duo)
    dash_duo.find_element("#scenario-picker").click()
    option = until(lambda: [o for o in dash_duo.find_elements(".dash-dropdown-options [role=option]")
                            if o.text.startswith("1.")], message="no scenario 1 in the picker")
    option[0].click()
    title = until(lambda: [t for t in dash_duo.find_elements(".scenario-caption-title") if "Scenario 1" in t.text],
                  timeout=15, message="no caption for scenario 1")
    assert "zig" in title[0].text.lower()
    assert "Predict" in dash_duo.find_element(".scenario-caption.predict").text
    takeaway = dash_duo.find_element(".scenario-caption.takeaway")
    assert not takeaway.is_displayed(), "the takeaway waits for the end"
    until(lambda: "scenario=zigzag_valley" in current_url(dash_duo), message="the link does not name the scenario")
    steps = scenarios.get("zigzag_valley").state().steps
    until(lambda: player(dash_duo)["steps"] == steps, timeout=15, message=f"the scenario's {steps} steps did not load")
    dash_duo.driver.execute_script("var s = document.getElementById('speed-select'); s.value = '4';"
                                   "s.dispatchEvent(new Event('change', {bubbles: true}));")
    restart_and_play(dash_duo)
    until(lambda: not player(dash_duo)["playing"] and player(dash_duo)["step"] == steps, timeout=25,
          message="the scenario did not play to its end")
    takeaway = dash_duo.find_element(".scenario-caption.takeaway")
    until(takeaway.is_displayed, message="the takeaway was not revealed at the last step")
    text = takeaway.find_element("css selector", ".scenario-caption-text").text
    assert "momentum" in text.lower() or "adam" in text.lower()
    assert severe_errors(dash_duo) == []


def test_arrows_turn_on_and_move_with_playback(dash_duo):
    open_app(dash_duo, "?steps=300")
    pause(dash_duo)
    assert js(dash_duo, ARROWS) == []
    toggle_view(dash_duo, "Arrows")
    until(lambda: len(js(dash_duo, ARROWS)) == 4, timeout=15, message="no gradient arrow per run")
    until(lambda: "arrows=1" in current_url(dash_duo), message="arrows are not in the share link")
    assert dash_duo.find_element("#arrow-legend").is_displayed()
    restart_and_play(dash_duo)
    first = js(dash_duo, ARROWS)
    time.sleep(0.6)
    fps = fps_while_playing(dash_duo)
    second = js(dash_duo, ARROWS)
    assert [a[2] for a in first] != [a[2] for a in second]             # the step they are drawn at
    assert [a[:2] for a in first] != [a[:2] for a in second]           # and where their tips are
    steps = {a[2] for a in second}
    assert len(steps) == 1                                             # all runs at the same step
    print(f"arrows on: {fps:.1f} frames/s")
    assert fps > 0                     # frames were drawn (the rate itself is measured by benchmarks)
    # every run carries a step-taken arrow; velocity only where the optimizer has one (SGD and RMSProp
    # without momentum have none)
    kinds = js(dash_duo, "return Array.from(document.querySelectorAll('#map-graph .optiscape-run')).map("
                         "function (g) { return g.querySelectorAll('line.arrow').length; });")
    assert kinds == [2, 3, 2, 3]
    assert severe_errors(dash_duo) == []


def test_side_by_side_panels_move_in_sync(dash_duo):
    open_app(dash_duo, "?steps=300")
    toggle_view(dash_duo, "Side by side")
    panels = until(lambda: (lambda p: p if len(p) == 4 else None)(js(dash_duo, PANEL_MARKERS)), timeout=15,
                   message="not one panel per run")
    assert len({(round(p["left"]), round(p["top"])) for p in panels}) == 4     # four places on the page
    assert len(dash_duo.find_elements("#map-graph .contourlayer")) >= 4
    until(lambda: "view_mode=side" in current_url(dash_duo), message="the mode is not in the share link")
    restart_and_play(dash_duo)
    time.sleep(0.5)
    fps = fps_while_playing(dash_duo)
    samples = []
    for _ in range(3):
        samples.append(js(dash_duo, PANEL_MARKERS))
        time.sleep(0.3)
    for sample in samples:
        assert len({p["step"] for p in sample}) == 1                   # one timeline for every panel
    assert samples[0][0]["step"] != samples[-1][0]["step"]
    assert [p["x"] for p in samples[0]] != [p["x"] for p in samples[-1]]
    print(f"side by side: {fps:.1f} frames/s")
    assert fps > 0                     # frames were drawn (the rate itself is measured by benchmarks)
    # linked zoom: a box dragged on the second panel zooms every panel, and the runs follow. (Selenium's
    # ActionChains drag does not reach Plotly here, on the overlay map either: the mouse events are
    # dispatched as the browser would send them.)
    pause(dash_duo)
    js(dash_duo, DRAG_BOX, "x2y2")
    ranges = ("var full = document.querySelector('#map-graph .js-plotly-plot')._fullLayout;"
              "return [1, 2, 3, 4].map(function (i) { var a = full['xaxis' + (i > 1 ? i : '')];"
              " return a.range[1] - a.range[0]; });")
    spans = until(lambda: (lambda r: r if r[0] < 19 else None)(js(dash_duo, ranges)), timeout=15,
                  message="the panel did not zoom")
    assert max(spans) - min(spans) < 1e-9                              # every panel shows the same box
    until(lambda: "view=" in current_url(dash_duo), timeout=15, message="the zoom is not in the share link")
    until(lambda: len(js(dash_duo, PANEL_MARKERS)) == 4, timeout=15, message="panels lost after the zoom")
    toggle_view(dash_duo, "Overlay")
    until(lambda: len(js(dash_duo, PANEL_MARKERS)) == 1, timeout=15, message="overlay did not come back")
    assert severe_errors(dash_duo) == []


def test_inner_state_panel_cursor_follows_the_scrubber(dash_duo):
    open_app(dash_duo, "?steps=200")
    pause(dash_duo)
    assert not dash_duo.find_element("#inner-card").is_displayed()
    toggle_view(dash_duo, "Inner state")
    until(lambda: dash_duo.find_element("#inner-card").is_displayed(), message="the panel did not open")
    until(lambda: js(dash_duo, INNER_CURSOR), timeout=15, message="no cursor on the inner-state panel")
    scrub = dash_duo.find_element("#scrub")
    scrub.click()
    for _ in range(5):
        scrub.send_keys(Keys.ARROW_RIGHT)
    step = player(dash_duo)["step"]
    assert step > 5
    cursor = until(lambda: (lambda c: c if c and c["step"] == step else None)(js(dash_duo, INNER_CURSOR)),
                   message="the cursor did not follow the scrubber")
    assert abs(cursor["x"] - cursor["expected"]) < 1.5
    readout = dash_duo.find_elements("#inner-readout .inner-row")
    assert len(readout) == 4
    assert all(f"step {step}:" in row.text for row in readout)
    assert "effective lr" in readout[3].text and "1\u2212\u03b2\u2081" in readout[3].text   # Adam's row
    # one run only, from the dropdown's choice in the link
    dash_duo.driver.get(dash_duo.server_url + "/?steps=200&inner=1&inner_run=2")
    until(lambda: len(dash_duo.find_elements("#inner-readout .inner-row")) == 1, timeout=20,
          message="the panel did not narrow to one run")
    assert severe_errors(dash_duo) == []


def test_3d_view_shows_a_scene_whose_markers_follow_the_player(dash_duo):
    open_app(dash_duo, "?surface=rosenbrock&steps=200")
    pause(dash_duo)
    toggle_view(dash_duo, "3D")
    until(lambda: js(dash_duo, "var gd = document.querySelector('#threed-graph .js-plotly-plot');"
                               "return !!(gd && gd._fullLayout && gd._fullLayout.scene &&"
                               " gd.querySelector('canvas'));"), timeout=20, message="no 3D scene")
    assert js(dash_duo, "return document.querySelector('#threed-graph .js-plotly-plot')._fullData[0].type") == "surface"
    js(dash_duo, "window.optiscapePlayer.seek(120);")
    marker = ("var gd = document.querySelector('#threed-graph .js-plotly-plot'); var i = gd.layout.meta.run_traces[3][1];"
              "var line = gd.data[i - 1]; var n = Math.min(120, line.x.length - 1);"
              "return [gd.data[i].x[0], line.x[n], gd.getAttribute('data-step')];")
    shown = until(lambda: (lambda m: m if m[2] == "120" else None)(js(dash_duo, marker)), timeout=10,
                  message="the 3D markers did not move to the player's step")
    assert shown[0] == shown[1]                                        # Adam's marker at its point of step 120
    assert severe_errors(dash_duo) == []


SCALES = ("var p = window.optiscapePlayer.plotly, gd = document.querySelector('#map-graph .js-plotly-plot');"
          "var xa = p.axis(gd, 'xaxis'), ya = p.axis(gd, 'yaxis');"
          "return xa && ya ? [Math.abs(xa.toPixel(1) - xa.toPixel(0)), Math.abs(ya.toPixel(1) - ya.toPixel(0))] : null;")


def aspect_box(dash_duo) -> bool:
    return dash_duo.find_element("#view-aspect input").is_selected()


def test_equal_axes_by_default_and_stretched_on_request(dash_duo):
    open_app(dash_duo, "?surface=himmelblau&steps=50&field=1")
    pause(dash_duo)
    x, y = until(lambda: js(dash_duo, SCALES), message="no axes on the map")
    assert abs(x - y) < 0.5, (x, y)                      # one unit as long on x as on y: -grad f looks perpendicular
    assert aspect_box(dash_duo)
    labels = [label for label in dash_duo.find_elements("#view-aspect label")]
    labels[0].click()                                     # untick "1:1 axes"
    until(lambda: "aspect=free" in current_url(dash_duo), message="the stretched axes are not in the link")
    stretched = until(lambda: (lambda s: s if s and abs(s[0] - s[1]) > 5 else None)(js(dash_duo, SCALES)),
                      timeout=15, message="the axes did not stretch to fill the map")
    assert stretched[0] != stretched[1]
    until(lambda: len(dash_duo.find_elements("#map-graph .optiscape-runs path.run-path")) >= 1)
    # the elongated valley is stretched by default, and equal when asked
    dash_duo.driver.get(dash_duo.server_url + "/?surface=ill_conditioned&steps=50&aspect=equal")
    until(lambda: (lambda s: s and abs(s[0] - s[1]) < 0.5)(js(dash_duo, SCALES)), timeout=20,
          message="aspect=equal did not give equal axes")
    assert aspect_box(dash_duo)
    assert severe_errors(dash_duo) == []
