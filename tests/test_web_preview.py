"""The slider-drag preview route: one run re-simulated for a dragged value, the same as the full answer."""
from __future__ import annotations

import pytest

from app import app
from webapp.panels.stage.preview import PREVIEW_PATH
from webapp.panels.stage.render import render_page
from webapp.state import from_query

QUERY = "?steps=80&run=sgd:lr=0.03&run=adam:lr=0.3"


def post(body):
    return app.server.test_client().post("/" + PREVIEW_PATH, json=body)


def test_a_preview_is_the_run_the_answer_would_draw():
    answer = post({"query": QUERY, "run": 1, "control": {"type": "hyper", "name": "lr"}, "value": 0.05, "seq": 4})
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["seq"] == 4 and body["run"] == 1 and body["steps"] == 80
    state, _ = from_query(QUERY.replace("adam:lr=0.3", "adam:lr=0.05"))
    expected = render_page(state, [])["payload"]["runs"][1]
    assert body["entry"]["x"] == expected["x"] and body["entry"]["loss"] == expected["loss"]
    assert body["entry"]["name"] == expected["name"]


def test_a_preview_carries_the_views_overlays():
    body = post({"query": QUERY + "&arrows=1&polyak=1", "run": 0, "control": {"type": "hyper", "name": "lr"},
                 "value": 0.01}).get_json()
    assert "arrows" in body["entry"] and "polyak" in body["entry"]


def test_a_refused_value_is_coerced_as_by_the_answer():
    body = post({"query": QUERY, "run": 0, "control": {"type": "hyper", "name": "lr"}, "value": -1}).get_json()
    assert body["notices"] and "lr=-1" in body["notices"][0]


@pytest.mark.parametrize("body", [
    None, [], {"query": 3}, {"query": "?", "run": 0, "control": {"type": "hyper", "name": "lr"}, "value": "0.1"},
    {"query": QUERY, "run": 7, "control": {"type": "hyper", "name": "lr"}, "value": 0.1},
    {"query": QUERY, "run": True, "control": {"type": "hyper", "name": "lr"}, "value": 0.1},
    {"query": QUERY, "run": 0, "control": {"type": "surface-param", "name": "l2"}, "value": 0.1},
    {"query": QUERY, "run": 0, "control": {"type": "hyper", "name": "learning_rate"}, "value": 0.1},
    {"query": QUERY, "run": 0, "control": {"type": "sched-param", "name": "lr"}, "value": 0.1},
    {"query": "x" * 9000, "run": 0, "control": {"type": "hyper", "name": "lr"}, "value": 0.1},
])
def test_malformed_previews_get_a_400_with_a_reason(body):
    answer = post(body)
    assert answer.status_code == 400 and answer.get_json()["error"]
