"""The reveal flow and lesson mode as a teacher uses them, in real headless Chromium: a scenario opens
paused at step 0 with its question and the play bar in view, plays, and opens its takeaway at the last
step; the takeaway opens early only on purpose; the variant and "Try:" links open their pictures; lesson
mode walks forward and back; the results table says "settled" and which minimum."""
from __future__ import annotations

import time

from app_helpers import current_url, js, open_app, player, severe_errors, until
from webapp import scenarios
from webapp.panels.scenario.texts import TEXTS

BAR_IN_VIEW = ("var bar = document.getElementById('player-bar').getBoundingClientRect();"
               "var text = document.querySelector('.scenario-caption.predict .scenario-caption-text');"
               "var t = text.getBoundingClientRect();"
               "return {bar: bar.bottom <= innerHeight && bar.top >= 0, predict: t.top >= 0 && t.bottom <= innerHeight,"
               " bottom: bar.bottom, height: innerHeight};")


def viewport(dash_duo, width: int, height: int):
    """The page's viewport exactly ``width`` x ``height`` CSS pixels (as on that screen)."""
    dash_duo.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                    {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})


def caption_picture(dash_duo) -> str:
    return js(dash_duo, "var c = document.querySelector('.scenario-card'); return c ? c.getAttribute('data-picture') : null;")


def takeaway_shown(dash_duo) -> bool:
    return dash_duo.find_element(".scenario-caption.takeaway").is_displayed()


def fast(dash_duo):
    js(dash_duo, "var s = document.getElementById('speed-select'); s.value = '4';"
                 "s.dispatchEvent(new Event('change', {bubbles: true}));")


def opened_paused(dash_duo, picture: str, steps: int):
    """The page shows ``picture`` (its caption and its payload), paused at step 0."""
    until(lambda: caption_picture(dash_duo) == picture, timeout=15, message=f"no caption of {picture}")
    until(lambda: player(dash_duo)["steps"] == steps, timeout=15, message=f"the {steps} steps of {picture} did not load")
    stats = player(dash_duo)
    assert not stats["playing"] and stats["step"] == 0, f"{picture} did not open paused at step 0: {stats}"


def test_a_scenario_opens_paused_with_the_play_bar_in_view_plays_and_reveals_at_the_end(dash_duo):
    scenario = scenarios.get("adagrad_stall")
    viewport(dash_duo, 1280, 800)
    open_app(dash_duo, scenarios.share_query(scenario))
    opened_paused(dash_duo, scenario.id, scenario.state().steps)
    time.sleep(1.0)                                     # still paused a moment later: nothing autoplays
    assert player(dash_duo)["step"] == 0 and not player(dash_duo)["playing"]
    geometry = until(lambda: (lambda g: g if g["bar"] and g["predict"] else None)(js(dash_duo, BAR_IN_VIEW)),
                     timeout=5, message=f"the question and the play bar are not both in view at 1280x800: "
                                        f"{js(dash_duo, BAR_IN_VIEW)}")
    assert geometry["height"] == 800
    assert not takeaway_shown(dash_duo), "the takeaway waits for the end"
    fast(dash_duo)
    dash_duo.find_element("#play-button").click()
    until(lambda: player(dash_duo)["playing"] or player(dash_duo)["step"] > 0, message="did not play")
    assert not takeaway_shown(dash_duo)
    until(lambda: not player(dash_duo)["playing"] and player(dash_duo)["step"] == scenario.state().steps,
          timeout=40, message="the scenario did not play to its end")
    until(lambda: takeaway_shown(dash_duo), message="the takeaway did not open at the last step")
    takeaway = dash_duo.find_element(".scenario-caption.takeaway")
    assert "RMSProp" in takeaway.text and "40%" in takeaway.text
    hints = takeaway.find_elements("css selector", "a.scenario-hint")
    assert [h.text for h in hints] == list(scenario.hints)
    # the results table says it honestly: RMSProp settled, AdaGrad did not; distances to the global minimum
    rows = [r.text for r in dash_duo.find_elements("#results-table tbody tr")]
    assert "not converged in 300 steps" in rows[0] and "settled at step" in rows[1]
    assert all("global min" in row for row in rows)
    assert severe_errors(dash_duo) == []


def test_the_play_bar_is_in_view_on_a_projector_with_large_text(dash_duo):
    scenario = scenarios.get("radford_beale")              # the longest caption of all
    viewport(dash_duo, 1920, 1080)
    open_app(dash_duo, scenarios.share_query(scenario))
    opened_paused(dash_duo, scenario.id, scenario.state().steps)
    dash_duo.find_element("#contrast-toggle").click()
    until(lambda: "projector" in dash_duo.find_element("#root").get_attribute("class"), timeout=5)
    until(lambda: (lambda g: g["bar"] and g["predict"])(js(dash_duo, BAR_IN_VIEW)), timeout=5,
          message=f"projector 1920x1080: {js(dash_duo, BAR_IN_VIEW)}")


def test_the_takeaway_opens_early_only_on_purpose(dash_duo):
    scenario = scenarios.get("nesterov_overshoot")
    open_app(dash_duo, scenarios.share_query(scenario))
    opened_paused(dash_duo, scenario.id, scenario.state().steps)
    dash_duo.find_element("#play-button").click()
    until(lambda: player(dash_duo)["step"] > 3, message="did not play")
    dash_duo.find_element("#play-button").click()                  # paused half way: still folded
    until(lambda: not player(dash_duo)["playing"])
    assert not takeaway_shown(dash_duo)
    button = dash_duo.find_element(".scenario-reveal")
    assert button.text == TEXTS["reveal"]
    button.click()
    until(lambda: takeaway_shown(dash_duo), message="the button did not open the takeaway")
    assert not button.is_displayed()


def test_variant_and_hint_links_open_their_pictures_in_the_page(dash_duo):
    scenario = scenarios.get("local_minimum_trap")
    open_app(dash_duo, scenarios.share_query(scenario))
    opened_paused(dash_duo, scenario.id, scenario.state().steps)
    js(dash_duo, "window.__samePage = true;")                       # a reload would forget this
    variant = scenario.variants[0]
    links = [a for a in dash_duo.find_elements("a.scenario-variant") if a.text == variant.label]
    assert links, "no link to the second picture"
    links[0].click()
    opened_paused(dash_duo, f"{scenario.id}~variant~0", scenario.state(0).steps)
    until(lambda: "start=-1.04" in current_url(dash_duo), message="the address does not show the second picture")
    assert variant.note in dash_duo.find_element(".scenario-caption.predict").text
    until(lambda: dash_duo.find_element("#start-x").get_attribute("value") == "-1.04",
          message="the start box does not show the second picture's start")
    main = [a for a in dash_duo.find_elements("a.scenario-variant") if a.text == TEXTS["main_picture"]]
    main[0].click()
    opened_paused(dash_duo, scenario.id, scenario.state().steps)
    # a "Try:" hint, after the reveal: its picture, with the hint as the note
    dash_duo.find_element(".scenario-reveal").click()
    until(lambda: takeaway_shown(dash_duo))
    dash_duo.find_element("a.scenario-hint").click()
    opened_paused(dash_duo, f"{scenario.id}~hint~0", scenario.state().steps)
    until(lambda: "momentum=0.5" in current_url(dash_duo), message="the hint's picture is not in the address")
    assert scenario.hints[0] in dash_duo.find_element(".scenario-caption.predict").text
    assert not takeaway_shown(dash_duo), "a new picture asks again"
    dash_duo.driver.back()                                          # the browser's back button: the main picture
    opened_paused(dash_duo, scenario.id, scenario.state().steps)
    assert js(dash_duo, "return window.__samePage === true;"), "the links reloaded the page"
    assert severe_errors(dash_duo) == []


def test_lesson_mode_walks_forward_and_back(dash_duo):
    first, second = scenarios.SCENARIOS[0], scenarios.SCENARIOS[1]
    open_app(dash_duo, "?lesson=1")
    opened_paused(dash_duo, first.id, first.state().steps)
    position = lambda: dash_duo.find_element(".lesson-position").text          # noqa: E731
    assert position() == TEXTS["lesson_position"].format(position=1, count=len(scenarios.SCENARIOS))
    assert "lesson=1" in current_url(dash_duo) and f"scenario={first.id}" in current_url(dash_duo)
    assert dash_duo.find_elements(".lesson-step.disabled")[0].text == TEXTS["previous"]   # nothing before 1
    next_link = [a for a in dash_duo.find_elements("a.lesson-step") if a.text == TEXTS["next"]][0]
    next_link.click()
    opened_paused(dash_duo, second.id, second.state().steps)
    assert position().startswith("Lesson 2 /")
    until(lambda: "lesson=1&scenario=" + second.id in current_url(dash_duo), message="the position is not in the URL")
    assert not takeaway_shown(dash_duo)
    # predict -> play -> reveal in the lesson
    fast(dash_duo)
    dash_duo.find_element("#play-button").click()
    until(lambda: not player(dash_duo)["playing"] and player(dash_duo)["step"] == second.state().steps, timeout=30,
          message="scenario 2 did not play to its end")
    until(lambda: takeaway_shown(dash_duo), message="no takeaway at the end")
    previous = [a for a in dash_duo.find_elements("a.lesson-step") if a.text == TEXTS["previous"]][0]
    previous.click()
    opened_paused(dash_duo, first.id, first.state().steps)
    assert position().startswith("Lesson 1 /") and not takeaway_shown(dash_duo)
    # the picker jumps to another position and stays in the lesson
    dash_duo.find_element("#scenario-picker").click()
    option = until(lambda: [o for o in dash_duo.find_elements(".dash-dropdown-options [role=option]")
                            if o.text.startswith("5.")], message="no scenario 5 in the picker")
    option[0].click()
    fifth = scenarios.SCENARIOS[4]
    opened_paused(dash_duo, fifth.id, fifth.state().steps)
    assert position().startswith("Lesson 5 /")
    dash_duo.find_element("a.lesson-leave").click()
    until(lambda: "lesson=1" not in current_url(dash_duo), message="did not leave the lesson")
    until(lambda: not dash_duo.find_elements(".lesson-bar"), message="the lesson bar stayed")
    assert severe_errors(dash_duo) == []


def test_polyak_scenario_draws_the_ema_beside_the_mean_and_the_snapshot_points(dash_duo):
    scenario = scenarios.get("polyak_snapshot")
    open_app(dash_duo, scenarios.share_query(scenario))
    opened_paused(dash_duo, scenario.id, scenario.state().steps)
    count = ("return Array.from(document.querySelectorAll('#map-graph .run-snapshot'))"
             ".filter(function (c) { return c.getAttribute('display') === 'inline'; }).length;")
    assert js(dash_duo, count) == 0                                   # none taken yet at step 0
    key = dash_duo.find_element("#map-graph .averages-key")
    assert "EMA, decay 0.98" in key.text and "running mean" in key.text and "snapshots" in key.text
    fast(dash_duo)
    dash_duo.find_element("#play-button").click()
    until(lambda: player(dash_duo)["step"] >= 120, timeout=30, message="did not play past step 120")
    emas = js(dash_duo, "return Array.from(document.querySelectorAll('#map-graph path.run-ema'))"
                        ".map(function (p) { return (p.getAttribute('d') || '').length; });")
    assert len(emas) == 2 and all(length > 0 for length in emas), "the EMA is drawn from step 100 on"
    until(lambda: js(dash_duo, count) >= 2, message="the snapshots at steps 51 and 101 are not shown")
    until(lambda: not player(dash_duo)["playing"], timeout=40, message="did not finish")
    assert js(dash_duo, count) == 5                                   # steps 51, 101, 151, 201, 251
    assert severe_errors(dash_duo) == []
