"""The gallery component and its pure helpers, without a browser."""
from __future__ import annotations

import json
import subprocess
import sys

import plotly
import pytest
from dash import html

from webapp import scenarios
from webapp.panels.scenario import caption as gallery
from webapp.state import from_query, to_store


def walk(component):
    """Every component in a Dash tree, depth first."""
    yield component
    children = getattr(component, "children", None)
    if children is None or isinstance(children, (str, int, float)):
        return
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if hasattr(child, "to_plotly_json"):
            yield from walk(child)


def text_of(component) -> str:
    parts = []
    for node in walk(component):
        children = getattr(node, "children", None)
        items = children if isinstance(children, (list, tuple)) else [children]
        parts.extend(str(item) for item in items if isinstance(item, (str, int, float)))
    return " ".join(parts)


# ------------------------------------------------------------------ scenario_for_query
@pytest.mark.parametrize("scenario", scenarios.SCENARIOS, ids=scenarios.ids())
def test_share_link_leads_back_to_its_scenario(scenario):
    assert gallery.scenario_for_query(scenarios.share_query(scenario)) is scenario
    for index in range(len(scenario.variants)):
        search = scenarios.share_query(scenario, index)
        assert gallery.scenario_for_query(search) is scenario
        assert gallery.variant_for_query(scenario, search) == index
    assert gallery.variant_for_query(scenario, scenarios.share_query(scenario)) is None


@pytest.mark.parametrize("search", [None, "", "?", "?surface=saddle", "?scenario=", "?scenario=nope&surface=saddle",
                                    "?scenario=%3Cscript%3E", 42])
def test_no_scenario_for_searches_without_a_known_id(search):
    assert gallery.scenario_for_query(search) is None


def test_scenario_id_is_found_anywhere_and_without_the_question_mark():
    assert gallery.scenario_for_query("surface=saddle&scenario=saddle_crawl").id == "saddle_crawl"
    assert gallery.scenario_for_query("?scenario=adagrad_stall&scenario=saddle_crawl").id == "adagrad_stall"
    assert gallery.scenario_for_query("?scenario=%20rotated_valley%20").id == "rotated_valley"


# ------------------------------------------------------------------ captions
@pytest.mark.parametrize("scenario", scenarios.SCENARIOS, ids=scenarios.ids())
def test_caption_block_shows_the_right_phase(scenario):
    before = gallery.caption_block(scenario, "predict")
    after = gallery.caption_block(scenario, "takeaway")
    assert scenario.predict in text_of(before) and scenario.takeaway not in text_of(before)
    assert scenario.takeaway in text_of(after) and scenario.predict not in text_of(after)
    assert "predict" in before.className and "takeaway" in after.className
    assert scenario.title in text_of(before)
    def knob_lines(block):                           # knobs are suggested only after playing
        return [text_of(n) for n in walk(block) if getattr(n, "className", "") == "scenario-caption-knobs"]
    assert knob_lines(before) == []
    assert all(knob in knob_lines(after)[0] for knob in scenario.knobs)


def test_caption_text_and_unknown_phase():
    scenario = scenarios.get("zigzag_valley")
    assert gallery.caption_text(scenario, "predict") == scenario.predict
    assert gallery.caption_text(scenario, "takeaway") == scenario.takeaway
    with pytest.raises(ValueError, match="predict"):
        gallery.caption_text(scenario, "during")
    with pytest.raises(ValueError):
        gallery.caption_block(scenario, "")


def test_variant_caption_carries_the_variant_note():
    scenario = scenarios.get("second_order")
    block = gallery.caption_block(scenario, "predict", variant=0)
    assert scenario.variants[0].note in text_of(block)


def test_the_caption_place_is_a_live_region_and_empty_without_a_scenario():
    from webapp.panels.stage.layout import stage

    slot = next(node for node in walk(stage()) if getattr(node, "id", None) == "scenario-panel")
    assert not slot.children and slot.to_plotly_json()["props"]["aria-live"] == "polite"
    assert gallery.caption(None) == []


# ------------------------------------------------------------------ the caption a scenario shows
def _links(component):
    return [node for node in walk(component) if isinstance(node, html.A)]


def _captions():
    """Every caption the page can show: each scenario's main picture and each of its variants."""
    for scenario in scenarios.SCENARIOS:
        yield scenario, None, gallery.caption(scenario.id, scenarios.share_query(scenario))[0]
        for index in range(len(scenario.variants)):
            yield scenario, index, gallery.caption(scenario.id, scenarios.share_query(scenario, index))[0]


def test_every_caption_asks_first_and_holds_the_takeaway_for_the_reveal():
    for scenario, variant, block in _captions():
        assert block.to_plotly_json()["props"]["data-scenario"] == scenario.id
        text = text_of(block)
        assert scenario.title in text and scenario.claim in text and scenario.predict in text
        phases = [node.to_plotly_json()["props"].get("data-phase") for node in walk(block)
                  if "scenario-caption " in (getattr(node, "className", "") or "")]
        assert phases == ["predict", "takeaway"]          # the takeaway is there, for the player to reveal
        if variant is not None and scenario.variants[variant].note:
            assert scenario.variants[variant].note in text


def test_every_link_opens_its_scenario_state():
    links = [(scenario, link) for scenario, _, block in _captions() for link in _links(block)]
    # from the main picture: one link per variant; from a variant: the main picture and the other variants
    expected = sum(len(s.variants) + len(s.variants) * len(s.variants) for s in scenarios.SCENARIOS)
    assert len(links) == expected
    reached = set()
    for scenario, link in links:
        assert link.href.startswith("?scenario=")
        assert gallery.scenario_for_query(link.href) is scenario
        assert link.id == {"type": gallery.LINK_TYPE, "index": link.id["index"]}
        variant = gallery.variant_for_query(scenario, link.href)
        state, notices = from_query(link.href)
        assert notices == []
        assert state.scenario == scenario.id
        assert to_store(state) == {**to_store(scenario.state(variant)), "scenario": scenario.id}
        reached.add((scenario.id, variant))
    with_variants = [s for s in scenarios.SCENARIOS if s.variants]
    assert reached == {(s.id, v) for s in with_variants for v in [None, *range(len(s.variants))]}


def test_captions_serialize_to_json():
    for scenario, _, block in _captions():
        encoded = json.dumps(block.to_plotly_json(), cls=plotly.utils.PlotlyJSONEncoder)
        for index in range(len(scenario.variants)):
            assert json.dumps(scenarios.share_query(scenario, index))[1:-1] in encoded or \
                gallery.variant_for_query(scenario, scenarios.share_query(scenario, index)) == index


def test_captions_render_in_a_dash_app():
    import dash

    app = dash.Dash(__name__)
    app.layout = html.Div([block for _, variant, block in _captions() if variant is None])   # ids unique per page
    client = app.server.test_client()
    assert client.get("/").status_code == 200
    layout = client.get("/_dash-layout")
    assert layout.status_code == 200 and b"zigzag_valley" in layout.data


def test_scenarios_module_imports_no_dash():
    code = "import sys, webapp.scenarios; sys.exit(1 if any(m.split('.')[0] == 'dash' for m in sys.modules) else 0)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
