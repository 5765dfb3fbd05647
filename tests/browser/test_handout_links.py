"""Handout links and the embed mode in real Chromium: what the link hides is gone, what it locks cannot
be changed, and the embed page shows only the map, the player and the caption."""
from __future__ import annotations

from selenium.webdriver.common.by import By

from app_helpers import element_id, js, open_app, player, severe_errors, type_into, until


def shown(dash_duo, selector) -> bool:
    found = dash_duo.driver.find_elements(By.CSS_SELECTOR, selector)
    return bool(found) and found[0].is_displayed()


def box(dash_duo, **key):
    selector = element_id(**key)
    return dash_duo.find_element(f"input{selector}, {selector} input")


def test_only_the_learning_rate_of_run_1_is_yours(dash_duo):
    open_app(dash_duo, "?steps=120&hide=maps,export&only=run1.lr")
    until(lambda: not shown(dash_duo, "#maps-details"), message="the Maps panel is still shown")
    assert not shown(dash_duo, "#download-csv-button") and not shown(dash_duo, "#share-link")
    assert shown(dash_duo, "#map-graph") and shown(dash_duo, ".runs-card")
    until(lambda: js(dash_duo, "return document.querySelector('.surface-card #surface-picker')"
                               ".closest('[inert]') !== null"), message="the surface menu is not locked")
    locked = box(dash_duo, name="lr", run=1, type="hyper")               # run 2's lr: locked
    assert js(dash_duo, "return arguments[0].closest('[inert]') !== null", locked)
    free = box(dash_duo, name="lr", run=0, type="hyper")                 # run 1's lr: yours
    assert js(dash_duo, "return arguments[0].closest('[inert]') === null", free)

    token = player(dash_duo)["token"]
    type_into(free, "0.02")
    until(lambda: "run=sgd:lr=0.02" in dash_duo.driver.current_url, message="run 1's lr did not change")
    until(lambda: player(dash_duo)["token"] != token)
    assert "only=run1.lr" in dash_duo.driver.current_url                 # the flags stay in the link
    # the locked box is still locked after the run cards were re-drawn
    relocked = box(dash_duo, name="lr", run=1, type="hyper")
    until(lambda: js(dash_duo, "return arguments[0].closest('[inert]') !== null", relocked))
    # a click on the locked box does not focus it: typing goes nowhere
    try:
        relocked.click()
    except Exception:       # noqa: BLE001 - selenium may refuse to click an inert element: that is the point
        pass
    assert js(dash_duo, "return document.activeElement !== arguments[0]", relocked)
    assert severe_errors(dash_duo) == []


def test_the_embed_page_shows_only_the_map_the_player_and_the_caption(dash_duo):
    open_app(dash_duo, "?steps=120&embed=1")
    until(lambda: js(dash_duo, "return document.documentElement.classList.contains('optiscape-embed')"))
    for selector in (".app-header", ".controls", "#view-bar", ".below-map", "#maps-details", ".app-footer"):
        assert not shown(dash_duo, selector), selector
    assert shown(dash_duo, "#map-graph") and shown(dash_duo, "#player-bar")
    dash_duo.find_element("#play-button").click()
    until(lambda: player(dash_duo)["playing"] or player(dash_duo)["step"] > 0)
    width = js(dash_duo, "return document.querySelector('#map-graph').getBoundingClientRect().width")
    assert width > 0.8 * js(dash_duo, "return window.innerWidth")      # the map takes the frame's width
    assert severe_errors(dash_duo) == []
