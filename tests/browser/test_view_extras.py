"""The View bar's smaller views, as a teacher uses them in Chromium: Nesterov's look-ahead point with
the Arrows view, and the Polyak EMA's decay box."""
from __future__ import annotations

import pytest

from app_helpers import current_url, js, open_app, pause, player, severe_errors, toggle_view, type_into, until
from test_scenarios_in_browser import opened_paused, viewport
from webapp import scenarios

LOOKAHEAD = ("return Array.from(document.querySelectorAll('#map-graph g.optiscape-run')).map(function (run) {"
             " var g = run.querySelector('g.run-lookahead'), m = run.querySelector('circle.run-marker');"
             " if (!g) { return {run: run.getAttribute('data-run'), shown: false}; }"
             " var o = g.querySelector('circle.lookahead-origin'), p = g.querySelector('circle.lookahead-point');"
             " var s = g.querySelector('line.lookahead-segment');"
             " return {run: run.getAttribute('data-run'), shown: g.getAttribute('display') !== 'none',"
             " step: g.getAttribute('data-step'), dash: s.getAttribute('stroke-dasharray'),"
             " ox: +o.getAttribute('cx'), oy: +o.getAttribute('cy'), px: +p.getAttribute('cx'),"
             " py: +p.getAttribute('cy'), mx: +m.getAttribute('cx'), my: +m.getAttribute('cy')}; });")


def test_nesterov_shows_its_look_ahead_point_with_the_arrows_and_sgd_does_not(dash_duo):
    open_app(dash_duo, "?surface=ill_conditioned&run=nesterov:lr=0.01&run=sgd:lr=0.03&steps=60")
    pause(dash_duo)
    until(lambda: not js(dash_duo, "return document.querySelectorAll('#map-graph g.run-lookahead').length"),
          message="a look-ahead is drawn before Arrows is on")
    toggle_view(dash_duo, "Arrows")
    until(lambda: "arrows=1" in current_url(dash_duo), message="arrows are not in the share link")
    until(lambda: len([r for r in js(dash_duo, LOOKAHEAD) if r["shown"]]) == 1, timeout=15,
          message="no look-ahead drawn for the Nesterov run")
    dash_duo.find_element("[data-player=restart]").click()
    until(lambda: player(dash_duo)["step"] == 0, message="did not restart")
    forward = dash_duo.find_element("[data-player=forward]")
    for _ in range(6):                     # step a few times, as a user would, so the run has a velocity
        forward.click()
    until(lambda: player(dash_duo)["step"] == 6, message="did not step to 6")
    drawn = until(lambda: [r for r in js(dash_duo, LOOKAHEAD) if r.get("step") == "6"], message="look-ahead not at 6")
    nesterov, sgd = js(dash_duo, LOOKAHEAD)
    assert nesterov["run"] == "0" and nesterov["shown"] and drawn[0]["run"] == "0"
    assert not sgd["shown"], "plain SGD has no look-ahead"
    # the look-ahead ring sits on the run's point (torch's form steps from the look-ahead), the lecture's
    # iterate behind it, a dashed segment between them
    assert abs(nesterov["px"] - nesterov["mx"]) < 1 and abs(nesterov["py"] - nesterov["my"]) < 1
    assert abs(nesterov["ox"] - nesterov["px"]) + abs(nesterov["oy"] - nesterov["py"]) > 2
    assert nesterov["dash"]
    key = dash_duo.find_element("#arrow-legend .lookahead-key")
    assert key.is_displayed() and "look-ahead" in key.text, "the arrows' key names the look-ahead"
    toggle_view(dash_duo, "Arrows")
    until(lambda: not js(dash_duo, "return document.querySelectorAll('#map-graph g.run-lookahead').length"),
          message="the look-ahead stayed after Arrows went off")
    assert severe_errors(dash_duo) == []


EMA_LENGTH = ("return Array.from(document.querySelectorAll('#map-graph path.run-ema'))"
              ".map(function (p) { return p.getAttribute('d') || ''; });")


def type_decay(dash_duo, text: str):
    type_into(dash_duo.find_element("#polyak-decay"), text)


def test_the_decay_box_shows_with_polyak_and_sets_the_ema(dash_duo):
    open_app(dash_duo, "?surface=ill_conditioned&run=sgd:lr=0.03&steps=80&arrows=1")
    pause(dash_duo)
    assert not dash_duo.find_element("#arrow-legend .lookahead-key").is_displayed(), "no look-ahead key for SGD"
    box = dash_duo.find_element("#polyak-decay-box")
    assert not box.is_displayed(), "the decay box waits for the Polyak overlay"
    toggle_view(dash_duo, "Polyak avg")
    until(box.is_displayed, message="the decay box did not show with Polyak avg")
    assert dash_duo.find_element("#polyak-decay").get_attribute("value") == "0.99"
    dash_duo.find_element("[data-player=forward]").click()
    js(dash_duo, "window.optiscapePlayer.seek(80);")
    before = until(lambda: [d for d in js(dash_duo, EMA_LENGTH) if d], message="no EMA path drawn")
    type_decay(dash_duo, "0.9")
    until(lambda: "polyak_decay=0.9" in current_url(dash_duo), message="the link did not take the decay")
    until(lambda: "EMA, decay 0.9" in dash_duo.find_element("#map-graph .averages-key").text,
          message="the key does not say the new decay")
    js(dash_duo, "window.optiscapePlayer.seek(80);")
    after = until(lambda: [d for d in js(dash_duo, EMA_LENGTH) if d and d != before[0]],
                  message="the EMA path did not change with the decay")
    assert after
    # out of range: refused with a notice, the decay in force stays and the box shows it again
    type_decay(dash_duo, "1.5")
    until(lambda: "1.5" in dash_duo.find_element("#notices").text, message="no notice for decay 1.5")
    assert "using 0.9" in dash_duo.find_element("#notices").text
    until(lambda: dash_duo.find_element("#polyak-decay").get_attribute("value") == "0.9",
          message="the box does not show the decay in force")
    assert "polyak_decay=0.9" in current_url(dash_duo)
    toggle_view(dash_duo, "Polyak avg")
    until(lambda: not box.is_displayed(), message="the decay box stayed after Polyak avg went off")
    assert severe_errors(dash_duo) == []


PHONE_GEOMETRY = ("var bar = document.getElementById('player-bar').getBoundingClientRect();"
                  "var map = document.getElementById('map-graph').getBoundingClientRect();"
                  "var q = document.querySelector('.scenario-caption.predict .scenario-caption-text');"
                  "var t = q ? q.getBoundingClientRect() : null;"
                  "return {bar_top: bar.top, bar_bottom: bar.bottom, map_top: map.top, map_height: map.height,"
                  " map_width: map.width, predict_top: t && t.top, predict_bottom: t && t.bottom,"
                  " height: innerHeight, width: innerWidth, scroll: scrollY,"
                  " wide: document.documentElement.scrollWidth};")


@pytest.mark.parametrize("scenario_id", ["zigzag_valley", "radford_beale"])   # the first, the longest caption
def test_on_a_phone_a_scenario_opens_with_its_play_bar_in_view(dash_duo, scenario_id):
    scenario = scenarios.get(scenario_id)
    viewport(dash_duo, 390, 844)
    open_app(dash_duo, scenarios.share_query(scenario))
    opened_paused(dash_duo, scenario.id, scenario.state().steps)
    print(js(dash_duo, PHONE_GEOMETRY)); dash_duo.driver.save_screenshot(f"/tmp/ahead10-phone-{scenario_id}.png")
    geometry = until(lambda: (lambda g: g if 0 <= g["bar_top"] and g["bar_bottom"] <= g["height"] else None)(
        js(dash_duo, PHONE_GEOMETRY)), timeout=5, message=f"390x844: {js(dash_duo, PHONE_GEOMETRY)}")
    assert geometry["width"] == 390 and geometry["wide"] <= 390, "no sideways scrolling"
    assert geometry["scroll"] == 0, "in view on first load, without scrolling"
    assert geometry["map_height"] >= 200, f"the map is still usable: {geometry}"
    # and the play bar works there: a tap on play plays
    dash_duo.find_element("#play-button").click()
    until(lambda: player(dash_duo)["playing"] or player(dash_duo)["step"] > 0, message="did not play")
    assert severe_errors(dash_duo) == []
