"""Things stay inside their cards: the map fills its card when the card's size changes, and every
formula and update rule fits its box (scaled down, or scrollable with a fade, never clipped silently)."""
from __future__ import annotations

import pytest

from app_helpers import js, open_app, until

PLOT_FILLS_GRAPH = """
var holder = document.getElementById('map-graph'), gd = holder.querySelector('.js-plotly-plot');
return [Math.round(holder.getBoundingClientRect().height), gd._fullLayout.height];
"""


def test_map_follows_its_card_height_without_a_window_resize(dash_duo):
    """Plotly's own 'responsive' mode hears window resizes only: a card that grows left a dead band."""
    open_app(dash_duo)
    holder_height, plot_height = js(dash_duo, PLOT_FILLS_GRAPH)
    assert abs(holder_height - plot_height) <= 1
    for wanted in (holder_height + 90, holder_height - 60):
        js(dash_duo, "document.getElementById('map-graph').style.setProperty('height', arguments[0] + 'px', "
                     "'important');", wanted)
        until(lambda: abs(js(dash_duo, PLOT_FILLS_GRAPH)[1] - wanted) <= 1, timeout=3,
              message=f"the plot did not follow its container to {wanted} px: {js(dash_duo, PLOT_FILLS_GRAPH)}")


MATH_OVERFLOW = """
var out = [];
document.querySelectorAll('#surface-formula, #runs-panel .math').forEach(function (host) {
  var content = host.querySelector('mjx-container svg, mjx-container mjx-math');
  if (!content) { out.push(['unrendered', host.id || host.className]); return; }
  var over = content.getBoundingClientRect().width - host.clientWidth;
  var card = host.closest('.card').getBoundingClientRect();
  if (over > 1) { out.push(['too wide', over, host.closest('.run-card, .card').textContent.slice(0, 30)]); }
  if (host.getBoundingClientRect().right > card.right + 1) { out.push(['outside its card', host.className]); }
});
return out;
"""


def _check_math_fits(dash_duo, count: int, where: str):
    until(lambda: js(dash_duo, "return document.querySelectorAll('#runs-panel .math mjx-container').length")
          >= count, timeout=15, message=f"{where}: the rules were not typeset")
    until(lambda: js(dash_duo, MATH_OVERFLOW) == [], timeout=5,
          message=f"{where}: math wider than its card: {js(dash_duo, MATH_OVERFLOW)}")


def test_long_formulas_and_every_optimizer_rule_fit_their_cards(dash_duo):
    import optimizers
    from webapp.state import coerce as validate

    names = optimizers.names()
    groups = [names[i:i + validate.MAX_RUNS] for i in range(0, len(names), validate.MAX_RUNS)]
    open_app(dash_duo)
    for surface, group in zip(["beale", "six_hump_camel", "styblinski_tang", "himmelblau"] * 3, groups):
        runs = "&".join(f"run={name}" for name in group)
        dash_duo.driver.get(f"{dash_duo.server_url}/?surface={surface}&{runs}")
        _check_math_fits(dash_duo, len(group), f"{surface} with {group}")
    dash_duo.find_element("#contrast-toggle").click()          # projector mode: larger text, same cards
    until(lambda: "projector" in dash_duo.find_element("#root").get_attribute("class"), timeout=5)
    _check_math_fits(dash_duo, len(groups[-1]), "projector mode")


# ------------------------------------------------------------------ every screen
# (width, height, projector): a phone, a tablet, a laptop and a projector in large-text mode
SCREENS = [(390, 844, False), (768, 1024, False), (1280, 800, False), (1920, 1080, True)]

FIT = """
var W = document.documentElement.clientWidth, H = window.innerHeight;
function box(sel) { var e = document.querySelector(sel); if (!e) { return null; }
  var b = e.getBoundingClientRect(); return {left: b.left, top: b.top, right: b.right, bottom: b.bottom, width: b.width}; }
var outside = [];
document.querySelectorAll('.app-header button, .app-header input:not([type=hidden]), .app-header .dash-dropdown, '
                          + '#player-bar button, #player-bar select, #scrub').forEach(function (e) {
  var b = e.getBoundingClientRect();
  if (b.width > 0 && (b.left < -1 || b.right > W + 1)) { outside.push(e.id || e.className || e.tagName); }
});
var controls = document.querySelector('.controls');
return {scrollWidth: document.documentElement.scrollWidth, width: W, height: H, outside: outside,
        map: box('#map-graph'), bar: box('#player-bar'), scrub: box('#scrub'), runs: box('.runs-card'),
        nestedScroll: controls.scrollHeight > controls.clientHeight + 1 && getComputedStyle(controls).overflowY !== 'visible'};
"""


def set_screen(dash_duo, width: int, height: int, query: str = ""):
    """An exact viewport (a phone's is mobile, with touch) and the page opened anew in it."""
    driver = dash_duo.driver
    driver.set_window_size(max(width, 500), height + 200)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 900})
    driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": width < 900, "maxTouchPoints": 5})
    driver.get(dash_duo.server_url + "/" + query)
    until(lambda: js(dash_duo, "return document.querySelectorAll('#map-graph .contourlayer path').length") > 0,
          timeout=20, message="no contour on the map")
    until(lambda: (js(dash_duo, "return window.optiscapePlayer && window.optiscapePlayer.stats().steps")), timeout=20)


@pytest.mark.parametrize("width,height,projector", SCREENS, ids=[f"{w}x{h}" for w, h, _ in SCREENS])
def test_every_screen_fits_with_the_map_and_the_play_bar_in_view(dash_duo, width, height, projector):
    open_app(dash_duo)
    set_screen(dash_duo, width, height)
    if projector:
        dash_duo.find_element("#contrast-toggle").click()
        until(lambda: "projector" in dash_duo.find_element("#root").get_attribute("class"), timeout=5)
    fit = until(lambda: (lambda f: f if f["bar"]["bottom"] <= f["height"] + 1 else None)(js(dash_duo, FIT)),
                timeout=5, message=f"the play bar is below the window: {js(dash_duo, FIT)}")
    assert fit["scrollWidth"] <= fit["width"], f"horizontal overflow: {fit}"
    assert fit["outside"] == [], f"controls off screen at {width} px: {fit['outside']}"
    assert 0 <= fit["map"]["top"] < fit["height"] * 0.5, f"the map starts too far down: {fit['map']}"
    assert fit["map"]["width"] >= min(width - 40, 700), f"the map is squashed: {fit['map']}"
    assert fit["scrub"]["width"] >= 150, f"the scrub bar is too short for a thumb: {fit['scrub']}"
    if 900 <= width <= 1400:
        assert not fit["nestedScroll"], "the controls scroll in a column of their own"
        assert fit["runs"]["top"] < fit["height"] - 100, f"the Runs card is off screen: {fit['runs']}"


def _start_box(dash_duo):
    return [dash_duo.find_element(f"#start-{axis}").get_attribute("value") for axis in ("x", "y")]


PLOT_POINT = """
var gd = document.querySelector('#map-graph .js-plotly-plot'), drag = gd.querySelector('.nsewdrag');
var r = drag.getBoundingClientRect(), xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
var px = r.width * arguments[0], py = r.height * arguments[1];
return [r.left + px, r.top + py, xa.p2l(px), ya.p2l(py)];
"""


def _touch(dash_duo, kind, x=None, y=None):
    points = [] if kind == "touchEnd" else [{"x": x, "y": y, "id": 1}]
    dash_duo.driver.execute_cdp_cmd("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})


def test_a_tap_and_a_finger_drag_on_the_map_set_the_start_on_a_phone(dash_duo):
    open_app(dash_duo)
    set_screen(dash_duo, 390, 844)
    before = _start_box(dash_duo)
    client_x, client_y, x, y = js(dash_duo, PLOT_POINT, 0.7, 0.3)
    _touch(dash_duo, "touchStart", client_x, client_y)
    _touch(dash_duo, "touchEnd")
    until(lambda: _start_box(dash_duo) != before, timeout=10, message="a tap did not move the start")
    shown = [float(v) for v in _start_box(dash_duo)]
    span_x, span_y = js(dash_duo, "var f = document.querySelector('#map-graph .js-plotly-plot')._fullLayout;"
                                  "return [f.xaxis.range[1] - f.xaxis.range[0], f.yaxis.range[1] - f.yaxis.range[0]];")
    assert abs(shown[0] - x) < 0.02 * abs(span_x) and abs(shown[1] - y) < 0.02 * abs(span_y), (shown, x, y)
    # a drag: the start goes where the finger lifts
    tapped = _start_box(dash_duo)
    x0, y0, _, _ = js(dash_duo, PLOT_POINT, 0.3, 0.6)
    x1, y1, x, y = js(dash_duo, PLOT_POINT, 0.2, 0.8)
    _touch(dash_duo, "touchStart", x0, y0)
    for share in (0.25, 0.5, 0.75, 1.0):
        _touch(dash_duo, "touchMove", x0 + (x1 - x0) * share, y0 + (y1 - y0) * share)
    _touch(dash_duo, "touchEnd")
    until(lambda: _start_box(dash_duo) != tapped, timeout=10, message="a finger drag did not move the start")
    shown = [float(v) for v in _start_box(dash_duo)]
    assert abs(shown[0] - x) < 0.02 * abs(span_x) and abs(shown[1] - y) < 0.02 * abs(span_y), (shown, x, y)
    assert "start=" in dash_duo.driver.current_url


SMALL_TEXT = """
var small = {};
document.querySelectorAll('body *').forEach(function (e) {
  var own = false;
  for (var c = e.firstChild; c; c = c.nextSibling) { if (c.nodeType === 3 && c.textContent.trim()) { own = true; } }
  if (!own || e.closest('mjx-assistive-mml, .visually-hidden') || !e.getClientRects().length) { return; }
  var style = getComputedStyle(e);
  if (style.visibility === 'hidden' || parseFloat(style.fontSize) >= 18) { return; }
  var key = e.tagName + ' ' + (e.getAttribute('class') || '') + ' ' + style.fontSize;
  small[key] = e.textContent.trim().slice(0, 30);
});
return small;
"""


def test_projector_mode_puts_every_text_at_18_px_or_more_plotly_included(dash_duo):
    open_app(dash_duo)
    set_screen(dash_duo, 1920, 1080)
    dash_duo.find_element("#contrast-toggle").click()
    until(lambda: js(dash_duo, "return document.querySelector('#map-graph .xtick text').style.fontSize") == "18px",
          timeout=10, message="Plotly's text did not follow")
    until(lambda: js(dash_duo, SMALL_TEXT) == {}, timeout=10,
          message=f"text under 18 px in projector mode: {js(dash_duo, SMALL_TEXT)}")
    # turned off, the page's own sizes come back
    dash_duo.find_element("#contrast-toggle").click()
    until(lambda: js(dash_duo, SMALL_TEXT) != {}, timeout=10)
