"""A poll's figure and true outcome (webapp.figures.poll, webapp.panels.room.callbacks), without a browser."""
from __future__ import annotations

import json

import pytest

from webapp.panels.room.callbacks import poll_figure, poll_outcome
from webapp.state import from_query


def test_settles_first_marks_the_run_that_truly_settles_first():
    state, notices = from_query("?surface=quadratic_bowl&steps=150")
    assert notices == []
    outcome = poll_outcome(state, {"kind": "settles_first"})
    assert outcome["truth"] is not None and f"run {outcome['truth'] + 1} " in outcome["text"]
    names = [run.name() for run in state.runs]
    poll = {"kind": "settles_first", "choices": names, "revealed": True,
            "results": {"total": 3, "counts": [1, 0, 0, 2]}}
    figure, text = poll_figure(state, poll)
    bar = figure["data"][0]
    assert bar["x"] == [2, 0, 0, 1]                        # reversed: the first run is drawn on top
    assert sum("true" in label for label in bar["y"]) == 1
    assert "settles first" in text
    json.dumps(figure, allow_nan=False)


def test_no_run_settles_says_so():
    state, _ = from_query("?surface=rosenbrock&steps=5")
    outcome = poll_outcome(state, {"kind": "settles_first"})
    assert outcome["truth"] is None and "no run settles" in outcome["text"]


def test_run_end_draws_the_clicks_the_path_and_the_true_end():
    state, _ = from_query("?surface=quadratic_bowl&steps=150")
    view = list(state.view_box())
    counts = [[0] * 20 for _ in range(20)]
    counts[10][10] = 3
    poll = {"kind": "run_end", "run": 2, "revealed": True,
            "results": {"total": 3, "bins": 20, "view": view, "counts": counts}}
    figure, text = poll_figure(state, poll)
    kinds = [trace["type"] for trace in figure["data"]]
    assert kinds == ["heatmap", "scatter", "scatter"]
    assert figure["data"][0]["z"][10][10] == 3 and figure["data"][0]["z"][0][0] is None
    star = figure["data"][2]
    assert star["marker"]["symbol"] == "star" and "ends at" in text
    json.dumps(figure, allow_nan=False)


def test_a_poll_about_a_run_the_page_does_not_have():
    state, _ = from_query("?surface=quadratic_bowl")
    outcome = poll_outcome(state, {"kind": "run_end", "run": 9})
    assert outcome["end"] is None and "no longer match" in outcome["text"]


POLL_KEY = "..room-poll-graph.figure...room-poll-graph.style...room-poll-outcome.children.."


@pytest.mark.parametrize("poll", [
    None, "x", 7, [], {"kind": "settles_first"}, {"kind": "volcano", "results": {}},
    {"kind": "settles_first", "revealed": True, "results": {"counts": "many"}, "choices": ["a"]},
    {"kind": "settles_first", "revealed": True, "results": {"counts": [1] * 500}, "choices": list(range(500))},
    {"kind": "run_end", "revealed": True, "run": 1, "results": {"view": [0, 1], "counts": [[1]]}},
    {"kind": "run_end", "revealed": True, "run": "<script>", "results": {"view": [0, 1, 0, 1], "counts": [[1e308]]}},
])
def test_whatever_is_posted_as_the_poll_the_server_answers_without_an_error(poll):
    import app as app_module

    outputs = [{"id": "room-poll-graph", "property": "figure"}, {"id": "room-poll-graph", "property": "style"},
               {"id": "room-poll-outcome", "property": "children"}]
    body = {"output": POLL_KEY, "outputs": outputs, "inputs": [{"id": "room-poll", "property": "data", "value": poll}],
            "state": [{"id": "state", "property": "data", "value": None}], "changedPropIds": ["room-poll.data"]}
    response = app_module.server.test_client().post("/_dash-update-component", data=json.dumps(body),
                                                    content_type="application/json")
    assert response.status_code in (200, 204), response.data[:300]
    assert b"Traceback" not in response.data and b"<script>" not in response.data
