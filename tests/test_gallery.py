"""The gallery component and its pure helpers, without a browser."""
from __future__ import annotations

import json
import subprocess
import sys

import plotly
import pytest
from dash import dcc, html

from webapp import scenarios
from webapp.panels.scenario import caption as gallery
from webapp.panels.scenario import picture
from webapp.state import from_query, to_query, to_store


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
    def hint_lines(block):                           # hints are suggested only after playing
        return [text_of(n) for n in walk(block) if getattr(n, "className", "") == "scenario-caption-knobs"]
    assert hint_lines(before) == []
    assert all(hint in hint_lines(after)[0] for hint in scenario.hints)


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
    return [node for node in walk(component) if isinstance(node, dcc.Link)]


def _pictures(scenario):
    """Every picture's share link: the main one, each variant's and each hint's."""
    yield "main", None, scenarios.share_query(scenario)
    for index in range(len(scenario.variants)):
        yield "variant", index, scenarios.share_query(scenario, index)
    for index in range(len(scenario.hints)):
        link = scenarios.hint_share_query(scenario, index)
        if link is not None:
            yield "hint", index, link


def _captions(lesson: bool = False):
    """Every caption the page can show: each scenario's pictures (main, variants, hints)."""
    for scenario in scenarios.SCENARIOS:
        for kind, index, link in _pictures(scenario):
            search = picture.lesson_query(link) if lesson else link
            yield scenario, (index if kind == "variant" else None), gallery.caption(scenario.id, search)[0]


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


def test_every_hint_has_a_picture_that_turns_a_knob_of_the_main_one():
    for scenario in scenarios.SCENARIOS:
        assert len(scenario.hint_queries) == len(scenario.hints), scenario.id
        for index in range(len(scenario.hints)):
            link = scenarios.hint_share_query(scenario, index)
            assert link is not None, f"{scenario.id}: hint {index} has no picture"
            state, notices = from_query(link)
            assert notices == [] and state.scenario == scenario.id
            assert link not in (scenarios.share_query(scenario, v) for v in [None, *range(len(scenario.variants))]), \
                "a hint's picture is not one of the scenario's own pictures"
            found = picture.picture_of(scenario.id, link)
            assert (found.kind, found.index) == ("hint", index)


def test_the_caption_of_a_hint_picture_says_the_hint_and_links_back_to_the_main_picture():
    scenario = scenarios.get("zigzag_valley")
    block = gallery.caption(scenario.id, scenarios.hint_share_query(scenario, 0))[0]
    notes = [text_of(n) for n in walk(block) if getattr(n, "className", "") == "scenario-caption-note"]
    assert notes == [scenario.hints[0]]
    hrefs = [link.href for link in _links(block)]
    assert scenarios.share_query(scenario) in hrefs


def test_every_link_opens_its_scenario_state():
    reached = set()
    for lesson in (False, True):
        for scenario, _, block in _captions(lesson):
            ids = [json.dumps(node.id, sort_keys=True) for node in walk(block) if getattr(node, "id", None)]
            assert len(ids) == len(set(ids)), "ids are unique in one caption"
            for link in _links(block):
                state, notices = from_query(link.href)
                assert notices == [], link.href
                assert state.lesson == (lesson or link.id == {"type": gallery.LESSON_TYPE, "index": "start"}) \
                    or link.id == {"type": gallery.LESSON_TYPE, "index": "leave"}
                if link.id["type"] == gallery.LESSON_TYPE:
                    continue
                assert gallery.scenario_for_query(link.href) is scenario
                found = picture.picture_of(scenario.id, link.href)
                assert found is not None, link.href
                expected = scenario.state(found.variant) if found.kind != "hint" else \
                    scenarios.parse(scenario.hint_queries[found.index])
                assert to_store(state) == {**to_store(expected), "scenario": scenario.id, "lesson": lesson}
                reached.add((scenario.id, found.kind, found.index))
    expected = {(s.id, kind, index) for s in scenarios.SCENARIOS for kind, index, _ in _pictures(s)
                if s.variants or kind != "main"}
    assert expected - reached == set()


def test_captions_serialize_to_json():
    for scenario, _, block in _captions():
        encoded = json.dumps(block.to_plotly_json(), cls=plotly.utils.PlotlyJSONEncoder)
        for index in range(len(scenario.variants)):
            assert json.dumps(scenarios.share_query(scenario, index))[1:-1] in encoded or \
                gallery.variant_for_query(scenario, scenarios.share_query(scenario, index)) == index


def test_captions_render_in_a_dash_app():
    import dash

    app = dash.Dash(__name__)
    app.layout = html.Div(gallery.caption("zigzag_valley", picture.lesson_query(scenarios.share_query(
        scenarios.get("zigzag_valley")))))
    client = app.server.test_client()
    assert client.get("/").status_code == 200
    layout = client.get("/_dash-layout")
    assert layout.status_code == 200 and b"zigzag_valley" in layout.data and b"lesson-bar" in layout.data


def test_scenarios_module_imports_no_dash():
    code = "import sys, webapp.scenarios; sys.exit(1 if any(m.split('.')[0] == 'dash' for m in sys.modules) else 0)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# ------------------------------------------------------------------ pictures, run names, lesson mode
def test_a_scenario_picture_names_its_runs_on_the_page():
    from webapp.panels.stage.render import render_page

    scenario = scenarios.get("minibatch_noise")
    state, notices = from_query(scenarios.share_query(scenario))
    page = render_page(state, notices)
    assert [run["name"] for run in page["payload"]["runs"]] == list(scenario.run_names)
    assert "seed 3" in page["payload"]["runs"][3]["name"]
    assert [trace["name"] for trace in page["loss"]["data"]] == list(scenario.run_names)
    state.runs[1].hyper["lr"] = 0.02                    # edited away from the picture: the runs' own names
    edited = render_page(state, [])
    assert edited["payload"]["runs"][1]["name"] == state.runs[1].name()


def test_a_scenario_picture_opens_once_and_an_edited_one_plays_on():
    from webapp.panels.stage.render import render_page

    scenario = scenarios.get("zigzag_valley")
    state, _ = from_query(scenarios.share_query(scenario))
    assert render_page(state, [])["payload"]["opens"] == "zigzag_valley"
    state.runs[0].hyper["lr"] = 0.007
    assert render_page(state, [])["payload"]["opens"] is None
    assert picture.opening("zigzag_valley", scenarios.share_query(scenario, None)) == "zigzag_valley"
    assert picture.opening("second_order", scenarios.share_query(scenarios.get("second_order"), 1)) == \
        "second_order~variant~1"
    assert picture.opening("zigzag_valley", scenarios.hint_share_query(scenario, 1)) == "zigzag_valley~hint~1"
    assert picture.opening(None, "?surface=saddle") is None and picture.opening("nope", "?") is None


def test_lesson_mode_is_in_the_link_and_walks_every_scenario_in_order():
    first = scenarios.SCENARIOS[0]
    state, notices = from_query("?lesson=1")
    assert notices == [] and state.lesson and state.scenario == first.id
    assert to_query(state).startswith("?lesson=1&scenario=" + first.id + "&")
    state, notices = from_query("?lesson=1&scenario=saddle_crawl")        # a bare lesson position
    assert notices == [] and state.lesson and to_store(state) == {**to_store(scenarios.get("saddle_crawl").state()),
                                                                  "scenario": "saddle_crawl", "lesson": True}
    seen, search = [], to_query(from_query("?lesson=1")[0])
    while True:
        block = gallery.caption(from_query(search)[0].scenario, search)[0]
        bar = next(node for node in walk(block) if getattr(node, "className", "") == "lesson-bar")
        seen.append((from_query(search)[0].scenario, bar.to_plotly_json()["props"]["data-position"]))
        following = [link for link in _links(bar) if link.id["index"] == "next"]
        if not following:
            break
        search = following[0].href
        assert from_query(search)[0].lesson
    assert seen == [(s.id, str(s.number)) for s in scenarios.SCENARIOS]
    back = [link for link in _links(bar) if link.id["index"] == "previous"][0]
    assert from_query(back.href)[0].scenario == scenarios.SCENARIOS[-2].id
    leave = [link for link in _links(bar) if link.id["index"] == "leave"][0]
    left, notices = from_query(leave.href)
    assert notices == [] and not left.lesson and left.scenario == scenarios.SCENARIOS[-1].id


@pytest.mark.parametrize("search, notice", [("?lesson=yes&scenario=saddle_crawl", "Lesson setting 'yes' ignored"),
                                            ("?lesson=1&surface=saddle", "Lesson mode needs a scenario")])
def test_a_bad_lesson_flag_is_ignored_with_a_notice(search, notice):
    state, notices = from_query(search)
    assert not state.lesson and any(notice in text for text in notices)


def test_the_lesson_flag_survives_the_store_and_needs_a_scenario():
    from webapp.state import from_store

    state, _ = from_query("?lesson=1&scenario=adagrad_stall")
    assert from_store(to_store(state))[0].lesson
    assert not from_store({**to_store(state), "scenario": None})[0].lesson
    assert not from_store({**to_store(state), "lesson": "1"})[0].lesson


def test_the_readme_scenario_table_lists_every_scenario_in_lesson_order():
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### Lecture scenarios"):]
    section = section[:section.index("\n### ", 5)]
    rows = re.findall(r"^\| (\d+) \| [^|]+ \| `/\?scenario=(\w+)` \| ([^|]+) \|$", section, flags=re.M)
    assert [(int(n), sid) for n, sid, _ in rows] == [(s.number, s.id) for s in scenarios.SCENARIOS]
    assert all(len(asserts.strip()) > 20 for _, _, asserts in rows), "each row says what its test asserts"
    assert "/?lesson=1" in section and "Show the takeaway now" in section
