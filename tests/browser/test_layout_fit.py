"""Things stay inside their cards: the map fills its card when the card's size changes, and every
formula and update rule fits its box (scaled down, or scrollable with a fade, never clipped silently)."""
from __future__ import annotations

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
