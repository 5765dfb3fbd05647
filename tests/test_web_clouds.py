"""Seed clouds on the page: the run's "seeds" in the link and the card, the cloud figure (bands, median
path, final points), the results table's medians and spreads, and the refusals."""
from __future__ import annotations

import json

import numpy as np
import plotly
import pytest

import app as app_module
import landscapes
from optimizers.clouds import seed_cloud
from webapp.compute.variants import engine_spec
from webapp.figures.clouds import cloud_summary_text, tube
from webapp.state import from_query, to_query, to_store

from web_answer import post, response_of

NOISY = "?surface=ill_conditioned&run=adam:lr=0.1;noise=0.5;seed=3;seeds=64&run=sgd:lr=0.01"


@pytest.fixture(scope="module")
def client():
    return app_module.server.test_client()


def texts(children) -> str:
    return json.dumps(children, cls=plotly.utils.PlotlyJSONEncoder)


def test_seeds_round_trip_through_the_link_and_name_the_run():
    state, notices = from_query(NOISY)
    assert notices == [] and state.runs[0].seeds == 64 and state.runs[1].seeds == 1
    assert ";seeds=64" in to_query(state) and "seeds" not in to_query(state).split("run=sgd")[1]
    assert from_query("?" + to_query(state))[0].runs[0].seeds == 64
    assert "64 seeds" in state.runs[0].name()


@pytest.mark.parametrize("text, expected, words", [("1000", 256, "seeds changed to 256"),
                                                   ("0", 1, "seeds changed to 1"),
                                                   ("many", 1, "is not a number")])
def test_bad_seeds_are_clamped_or_refused_with_a_notice(text, expected, words):
    state, notices = from_query(f"?run=adam:lr=0.1;noise=0.5;seeds={text}")
    assert state.runs[0].seeds == expected and any(words in str(n) for n in notices)


def test_the_answer_draws_the_cloud_and_the_table_gives_medians_and_spreads(client):
    state, _ = from_query(NOISY)
    out = response_of(post(client, stored=to_store(state)))
    assert out["cloud-card"]["style"] == {}
    figure = out["cloud-graph"]["figure"]
    names = [trace.get("name", "") for trace in figure["data"]]
    assert any("median path" in n for n in names) and any("90% of seeds" in n for n in names)
    assert any("final points (64 seeds)" in n for n in names)
    final = next(t for t in figure["data"] if "final points" in t.get("name", ""))
    assert len(final["x"]) == 64
    cloud = seed_cloud(state.landscape(), engine_spec(state.runs[0], state.start_point()), state.steps, 64)
    table = texts(out["results-table"]["children"])
    assert "Seed cloud" in table and cloud_summary_text(cloud) in table
    assert f"median {cloud.summary['final_loss_median']:.3g} (IQR {cloud.summary['final_loss_iqr']:.3g})" in table


def test_without_noise_or_seeds_there_is_no_cloud(client):
    state, _ = from_query("?run=adam:lr=0.1;seeds=64")        # seeds without noise: one path, no cloud
    out = response_of(post(client, stored=to_store(state)))
    assert out["cloud-card"]["style"] == {"display": "none"} and "cloud-graph" not in out
    assert "Seed cloud" not in texts(out["results-table"]["children"])


def test_a_cloud_over_the_budget_is_drawn_as_one_seed_with_a_notice(client):
    state, _ = from_query("?run=adam:lr=0.1;noise=0.5;seeds=256&run=adam:lr=0.2;noise=0.5;seeds=256&steps=5000")
    out = response_of(post(client, stored=to_store(state)))
    assert "over what is left of the budget" in texts(out["notices"]["children"])


def test_the_tube_is_at_its_radius_from_a_straight_median_path():
    path = np.stack([np.linspace(0, 1, 11), np.zeros(11)], axis=1)
    polygon = tube(path, np.full(11, 0.2))
    assert polygon.shape == (23, 2)
    assert np.allclose(np.abs(polygon[:-1, 1]), 0.2) and np.allclose(polygon[0], polygon[-1])
    still = tube(np.zeros((5, 2)), np.full(5, 0.1))                   # a path that never moves: no NaN
    assert np.all(np.isfinite(still))
