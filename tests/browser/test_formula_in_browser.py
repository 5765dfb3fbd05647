"""'Your own surface', as a student uses it: pick "Your formula", type one, break it, fix it."""
from __future__ import annotations

from urllib.parse import unquote


from app_helpers import current_url, element_id, js, open_app, player, severe_errors, type_into, until

FORMULA_BOX = "input" + element_id(name="formula", type="surface-param-text")
FORMULA_ERROR = "#surface-notice"          # the Surface card's notice place, under the box
CONTOUR_PATHS = "return document.querySelectorAll('#map-graph .contourlayer path').length"


def shown_url(dash_duo) -> str:
    return unquote(current_url(dash_duo))


def type_formula(dash_duo, text: str):
    type_into(dash_duo.find_element(FORMULA_BOX), text)


def pick_your_formula(dash_duo):
    dash_duo.find_element("#surface-picker").click()
    option = until(lambda: [o for o in dash_duo.find_elements(".dash-dropdown-options [role=option], "
                                                              ".dash-dropdown-options *")
                            if o.text.strip() == "Your formula"], message="no 'Your formula' option")
    option[0].click()
    until(lambda: "surface=custom" in current_url(dash_duo), message="the URL did not switch to custom")
    until(lambda: dash_duo.find_elements(FORMULA_BOX), message="no formula box")


def test_type_a_formula_break_it_and_fix_it(dash_duo):
    open_app(dash_duo)
    pick_your_formula(dash_duo)
    token = player(dash_duo)["token"]

    type_formula(dash_duo, "x^2 + 3*y^2")
    until(lambda: "formula=x^2 + 3*y^2" in shown_url(dash_duo), message="formula not in the URL")
    until(lambda: player(dash_duo)["token"] != token, message="no new trajectories")
    until(lambda: js(dash_duo, CONTOUR_PATHS) > 0, message="no contour")
    shown = dash_duo.find_element("#surface-formula").text
    assert "3" in shown and "y" in shown                       # the typed formula is shown as math
    runs_before = dash_duo.find_element("#results-table").text
    token = player(dash_duo)["token"]

    type_formula(dash_duo, "x^2 + z")
    message = until(lambda: dash_duo.find_element(FORMULA_ERROR).text, message="no error message")
    assert "unknown name 'z' at column 7" in message
    assert "x^2 + z\n      ^" in message                      # the caret sits under column 7
    # nothing else changed: the same URL, trajectories, results and a contour on the map
    assert "formula=x^2 + 3*y^2" in shown_url(dash_duo)
    assert player(dash_duo)["token"] == token
    assert dash_duo.find_element("#results-table").text == runs_before
    assert js(dash_duo, CONTOUR_PATHS) > 0

    type_formula(dash_duo, "x^2 + y^2")
    until(lambda: dash_duo.find_element(FORMULA_ERROR).text == "", message="the message did not go away")
    until(lambda: "formula=x^2 + y^2" in shown_url(dash_duo))
    until(lambda: player(dash_duo)["token"] != token, message="the fixed formula did not re-run")
    assert severe_errors(dash_duo) == []


def test_a_shared_link_with_a_broken_formula_shows_the_default_and_a_notice(dash_duo):
    open_app(dash_duo, "?surface=custom&formula=sin(x%20%2B%20y&run=adam")
    notices = until(lambda: dash_duo.find_element("#notices").text, message="no notice")
    assert "missing ')'" in notices or "formula" in notices
    assert dash_duo.find_element(FORMULA_BOX).get_attribute("value") == "(x^2 - 1)^2 + 0.5*y^2 + 0.2*x"


def test_an_undefined_region_is_a_gap_and_a_run_there_diverges(dash_duo):
    open_app(dash_duo, "?surface=custom&formula=sqrt(x)%20%2B%20y%5E2&start=1,0&run=sgd:lr=1")
    status = until(lambda: dash_duo.find_element("#results-table").text, message="no results")
    assert "diverged at step 3" in status
    background = js(dash_duo, "return document.querySelector('#map-graph .bg').style.fill || "
                              "getComputedStyle(document.querySelector('#map-graph .bg')).fill")
    assert background.replace(" ", "") in ("rgb(239,217,217)", "#efd9d9")
