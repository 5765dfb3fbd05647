"""WCAG 2.2 AA on what a browser can check, as axe-core (vendored, tests/browser/vendor/axe-core) and a
few checks of our own see it: every control named, the page's language, the plots' text alternative,
contrast of every run name, visible focus, no tab stops inside formulas, reduced motion."""
from __future__ import annotations

import os
import re

import pytest
from selenium.webdriver.common.keys import Keys

from app_helpers import js, open_app, player, until
from webapp.state.palette import contrast_ratio

AXE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vendor", "axe-core", "axe.min.js")
# the rules of the issue: names of inputs, sliders, option groups and buttons; lang; text alternatives;
# contrast (axe's own rule list: https://dequeuniversity.com/rules/axe/4.14)
RULES = ["label", "aria-input-field-name", "aria-toggle-field-name", "button-name", "select-name",
         "input-button-name", "link-name", "aria-command-name", "html-has-lang", "html-lang-valid",
         "valid-lang", "color-contrast", "svg-img-alt", "role-img-alt", "image-alt", "document-title",
         "aria-valid-attr-value", "aria-allowed-attr"]
RUN_AXE = """
var done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'rule', values: arguments[0]}}).then(function (result) {
  done(result.violations.map(function (v) {
    return [v.id, v.nodes.map(function (n) { return n.target.join(' '); }).slice(0, 6)];
  }));
}, function (error) { done([['axe failed', String(error)]]); });
"""


def axe_violations(dash_duo) -> list:
    if not js(dash_duo, "return !!window.axe"):
        with open(AXE, encoding="utf-8") as source:
            dash_duo.driver.execute_script(source.read())
    dash_duo.driver.set_script_timeout(60)
    return dash_duo.driver.execute_async_script(RUN_AXE, RULES)


def settle(dash_duo):
    """The run cards and formulas typeset and named (assets/a11y.js runs once a frame after a change)."""
    until(lambda: js(dash_duo, "return document.querySelectorAll('#runs-panel .math mjx-container').length") > 0,
          timeout=15, message="the rules were not typeset")
    until(lambda: js(dash_duo, "return document.getElementById('plot-summary') !== null"), timeout=10)


PAGES = ["", "?lang=ko", "?scenario=adam_bias_correction",
         "?scenario=zigzag_valley&view_mode=side&arrows=1&inner=1&threed=1",
         "?run=sgd&run=momentum&run=nesterov&run=adagrad&run=rmsprop&run=adam&run=adamw&run=momentum:lr=0.001"]


@pytest.mark.parametrize("query", PAGES, ids=["default", "korean", "inner-state", "side-3d", "eight-runs"])
def test_axe_finds_no_violation_of_the_rules(dash_duo, query):
    open_app(dash_duo, query)
    settle(dash_duo)
    assert axe_violations(dash_duo) == []
    dash_duo.find_element("#contrast-toggle").click()          # projector mode: black on white, larger text
    until(lambda: "projector" in dash_duo.find_element("#root").get_attribute("class"), timeout=5)
    assert axe_violations(dash_duo) == []


def test_axe_itself_reports_what_we_removed(dash_duo):
    """The check can fail: a number box with no name and a run name in the raw palette colour."""
    open_app(dash_duo)
    settle(dash_duo)
    # outside the app's root, where assets/a11y.js names nothing
    js(dash_duo, "var box = document.createElement('input'); box.type = 'number';"
                 "document.body.appendChild(box);"
                 "document.querySelector('.run-name').style.color = '#E69F00';")
    found = dict(axe_violations(dash_duo))
    assert "color-contrast" in found
    assert "label" in found


RGB = re.compile(r"rgba?\((\d+), (\d+), (\d+)(?:, ([\d.]+))?\)")
COLOURS = """
function background(e) {
  for (; e; e = e.parentElement) {
    var c = getComputedStyle(e).backgroundColor;
    if (c && c !== 'transparent' && !/, 0\\)$/.test(c)) { return c; }
  }
  return 'rgb(255, 255, 255)';
}
return Array.prototype.map.call(document.querySelectorAll(arguments[0]), function (e) {
  return [e.textContent.trim().slice(0, 40), getComputedStyle(e).color, background(e)];
});
"""


def _hex(css: str) -> str:
    r, g, b, _ = RGB.match(css).groups()
    return "#%02x%02x%02x" % (int(r), int(g), int(b))


def test_every_run_name_reads_at_4_5_to_1_in_its_colour(dash_duo):
    open_app(dash_duo, PAGES[-1])
    settle(dash_duo)
    names = js(dash_duo, COLOURS, ".run-name, #map-legend .legend-chip, #results-table td:first-child")
    assert len(names) == 3 * 8
    low = [(text, colour, back, round(contrast_ratio(_hex(colour), _hex(back)), 2)) for text, colour, back in names
           if contrast_ratio(_hex(colour), _hex(back)) < 4.5]
    assert low == []
    # the names really are in their run's (darker) colour, not all in black
    assert len({colour for _, colour, _ in names[:8]}) >= 6


def test_the_plots_have_a_text_alternative_that_follows_the_runs(dash_duo):
    open_app(dash_duo)
    settle(dash_duo)
    described = js(dash_duo, """
      return ['map-graph', 'loss-graph'].map(function (id) {
        var g = document.getElementById(id), label = document.getElementById(g.getAttribute('aria-labelledby') || '');
        var text = document.getElementById(g.getAttribute('aria-describedby') || '');
        return [g.getAttribute('role'), label && label.textContent, text && text.textContent];
      });""")
    for role, label, text in described:
        assert role == "figure" and label and "Adam" in text and "final loss" in text, described
    assert "Map" in described[0][1] and "Loss" in described[1][1]
    before = described[0][2]
    box = dash_duo.find_element("[id='{\"name\":\"lr\",\"run\":0,\"type\":\"hyper\"}']")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys("0.5", Keys.ENTER)                         # SGD at lr 0.5 on kappa 50 diverges
    until(lambda: js(dash_duo, "return document.getElementById('a11y-live').textContent") != before, timeout=15,
          message="the live summary did not follow the edit")
    assert "diverged" in js(dash_duo, "return document.getElementById('a11y-live').textContent")


FOCUSABLE_IN_MATH = """
return Array.prototype.filter.call(document.querySelectorAll('.math *, .formula *, mjx-container'), function (e) {
  return e.tabIndex >= 0 && (e.hasAttribute('tabindex') || /^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(e.tagName));
}).length;
"""


def test_formulas_hold_no_tab_stop_and_focus_is_visible(dash_duo):
    open_app(dash_duo)
    settle(dash_duo)
    until(lambda: js(dash_duo, FOCUSABLE_IN_MATH) == 0, timeout=5, message="a formula is a tab stop")
    body = dash_duo.find_element("body")
    body.send_keys(Keys.TAB)
    seen = []
    for _ in range(25):                     # tab through the header and into the controls
        focused = js(dash_duo, "var e = document.activeElement, s = getComputedStyle(e);"
                               "return [e.tagName, e.id || e.className, s.outlineStyle, parseFloat(s.outlineWidth),"
                               "!!e.closest('mjx-container')];")
        seen.append(focused)
        dash_duo.driver.switch_to.active_element.send_keys(Keys.TAB)
    assert not any(inside_math for *_, inside_math in seen)
    unseen = [f for f in seen if f[0] != "BODY" and (f[2] == "none" or f[3] < 2)]
    assert unseen == [], f"focus not visible on {unseen}"


def test_reduced_motion_from_the_system_or_the_footer_stops_autoplay(dash_duo):
    from app import app
    from app_helpers import start

    start(dash_duo, app)
    dash_duo.driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                                    {"features": [{"name": "prefers-reduced-motion", "value": "reduce"}]})
    dash_duo.driver.get(dash_duo.server_url + "/")
    until(lambda: (player(dash_duo) or {}).get("steps"), timeout=20, message="the player got no data")
    until(lambda: "reduced-motion" in dash_duo.find_element("#root").get_attribute("class"), timeout=5)
    assert dash_duo.find_element("#motion-toggle").get_attribute("aria-pressed") == "true"
    assert not player(dash_duo)["playing"] and player(dash_duo)["step"] == 0
    dash_duo.find_element("#play-button").click()             # the user may still play
    until(lambda: player(dash_duo)["playing"] or player(dash_duo)["step"] > 0, timeout=5)
    # the footer's switch overrides the system for this browser: motion back on, autoplay back
    dash_duo.find_element("#motion-toggle").click()
    until(lambda: dash_duo.find_element("#motion-toggle").get_attribute("aria-pressed") == "false", timeout=5)
    dash_duo.driver.get(dash_duo.server_url + "/")
    until(lambda: (player(dash_duo) or {}).get("playing"), timeout=20, message="autoplay did not come back")
