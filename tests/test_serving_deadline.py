"""A per-request time bound in the engine: ``deadline`` in simulate / run / basin_map / sensitivity_map.

No assertion is about speed. A deadline already passed cuts deterministically
at the first clock reading (step ``DEADLINE_EVERY``); a deadline far away
changes nothing, bit for bit; a costly surface (a long formula of nested
``sin``) with a short deadline is cut, and what it made equals the start of
the uncut run.
"""
from __future__ import annotations

import time

import numpy as np
import pytest

import landscapes
import optimizers
from optimizers.loop import DEADLINE_EVERY
from optimizers.maps import MapDeadlineExceeded, basin_map, sensitivity_map

COSTLY_FORMULA = " + ".join(f"sin(sin(sin(sin(x + {i}*y))))" for i in range(12))    # 359 characters


def costly_surface():
    return landscapes.get("custom", formula=COSTLY_FORMULA)


STARTS = np.array([[0.3, -0.2], [1.0, 0.5], [-0.7, 0.9]])


@pytest.mark.parametrize("name", ["sgd", "adam", "lbfgs", "newton"])
def test_a_passed_deadline_cuts_at_the_first_check_and_keeps_an_exact_prefix(name):
    surface = landscapes.get("rosenbrock")
    make = lambda: optimizers.get(name)                                   # noqa: E731
    whole = optimizers.simulate(surface, make(), STARTS, 50)
    cut = optimizers.simulate(surface, make(), STARTS, 50, deadline=time.monotonic() - 1.0)
    assert whole.cut_at == -1
    assert cut.cut_at == DEADLINE_EVERY
    assert cut.steps == DEADLINE_EVERY and cut.path.shape == (DEADLINE_EVERY + 1, 3, 2)
    assert cut.lr.shape == (DEADLINE_EVERY, 3) and cut.evals.shape == (DEADLINE_EVERY + 1, 3)
    np.testing.assert_array_equal(cut.path, whole.path[:DEADLINE_EVERY + 1])
    for key, values in cut.state.items():
        np.testing.assert_array_equal(values, whole.state[key][:DEADLINE_EVERY + 1])
    path = optimizers.run(surface, make(), STARTS[0], 50, deadline=time.monotonic() - 1.0)
    np.testing.assert_array_equal(path, whole.path[:DEADLINE_EVERY + 1, 0])


def test_a_far_deadline_changes_nothing_bit_for_bit():
    surface = landscapes.get("himmelblau")
    plain = optimizers.simulate(surface, optimizers.get("momentum", lr=0.01), STARTS, 300, noise=0.5, seed=3)
    bounded = optimizers.simulate(surface, optimizers.get("momentum", lr=0.01), STARTS, 300, noise=0.5, seed=3,
                                  deadline=time.monotonic() + 3600)
    assert bounded.cut_at == -1
    np.testing.assert_array_equal(plain.path, bounded.path)
    np.testing.assert_array_equal(plain.diverged_at, bounded.diverged_at)


def test_divergence_before_the_deadline_is_still_recorded():
    surface = landscapes.get("quadratic_bowl")
    starts = np.array([[1.0, 1.0], [0.5, -1.0]])
    plain = optimizers.simulate(surface, optimizers.get("sgd", lr=2.5), starts, 200)
    bounded = optimizers.simulate(surface, optimizers.get("sgd", lr=2.5), starts, 200,
                                  deadline=time.monotonic() + 3600)
    assert (plain.diverged_at > 0).all()
    np.testing.assert_array_equal(bounded.diverged_at, plain.diverged_at)
    np.testing.assert_array_equal(bounded.path, plain.path)


def test_a_costly_surface_is_cut_at_a_short_deadline():
    surface = costly_surface()
    starts = np.tile(STARTS, (200, 1))                       # 600 runs x 5000 steps: tens of seconds uncut
    cut = optimizers.simulate(surface, optimizers.get("adam", lr=0.01), starts, 5000,
                              deadline=time.monotonic() + 0.3)
    assert 0 < cut.cut_at < 5000 and cut.path.shape[0] == cut.cut_at + 1
    assert np.isfinite(cut.path).all()
    prefix = optimizers.simulate(surface, optimizers.get("adam", lr=0.01), starts[:3], cut.cut_at)
    np.testing.assert_array_equal(cut.path[:, :3], prefix.path)


def test_a_costly_basin_map_stops_with_a_message():
    with pytest.raises(MapDeadlineExceeded, match="time limit") as refused:
        basin_map(costly_surface(), optimizers.get("adam", lr=0.01), 5000, grid=200,
                  deadline=time.monotonic() + 0.3)
    assert isinstance(refused.value, ValueError)              # callers that show a ValueError show this
    assert "of 40000 cells" in str(refused.value)


def test_a_sensitivity_map_stops_at_a_passed_deadline_and_runs_without_one():
    surface = landscapes.get("rosenbrock")
    args = (surface, "sgd", {}, "lr", [1e-4, 1e-3], "momentum", [0.0, 0.5], (-1.0, 1.0), 100)
    with pytest.raises(MapDeadlineExceeded, match="time limit"):
        sensitivity_map(*args, deadline=time.monotonic() - 1.0)
    bounded = sensitivity_map(*args, deadline=time.monotonic() + 3600)
    plain = sensitivity_map(*args)
    np.testing.assert_array_equal(bounded.final, plain.final)
    np.testing.assert_array_equal(bounded.loss_gap, plain.loss_gap)


def test_every_hardened_request_has_a_deadline_the_engine_stops_at(monkeypatch):
    from dash import Dash, Input, Output, dcc, html

    from webapp import server
    from webapp.server import harden, request_deadline

    monkeypatch.setattr(server, "REQUEST_SECONDS", 0.3)         # the test need not wait the real 3 s

    app = Dash(__name__)
    app.layout = html.Div([dcc.Input(id="steps", value="5000"), html.Div(id="out")])
    seen = {}

    @app.callback(Output("out", "children"), Input("steps", "value"))
    def steps_made(steps):
        seen["before"], seen["deadline"] = time.monotonic(), request_deadline()
        runs = optimizers.simulate(costly_surface(), optimizers.get("adam", lr=0.01), np.tile(STARTS, (200, 1)),
                                   int(steps), deadline=seen["deadline"])
        return str(runs.cut_at)

    harden(app)
    assert request_deadline() is None                            # outside a request
    body = {"output": "out.children", "outputs": {"id": "out", "property": "children"},
            "inputs": [{"id": "steps", "property": "value", "value": "5000"}], "changedPropIds": ["steps.value"]}
    response = app.server.test_client().post("/_dash-update-component", json=body)
    assert response.status_code == 200
    assert seen["before"] < seen["deadline"] <= seen["before"] + 0.3
    cut_at = int(response.get_json()["response"]["out"]["children"])
    assert 0 < cut_at < 5000                                     # 600 runs x 5000 steps: stopped at the deadline


def test_the_computing_layer_reads_the_hardened_requests_deadline(monkeypatch):
    """``harden`` makes the request's deadline the one webapp.compute passes to the engine, so no caller
    has to; outside a request there is none."""
    from dash import Dash, Input, Output, dcc, html

    from webapp import server
    from webapp.compute.deadline import current_deadline
    from webapp.server import harden, request_deadline

    monkeypatch.setattr(server, "REQUEST_SECONDS", 0.25)
    app = Dash(__name__)
    app.layout = html.Div([dcc.Input(id="in", value="x"), html.Div(id="out")])
    seen = {}

    @app.callback(Output("out", "children"), Input("in", "value"))
    def read(value):
        seen["compute"], seen["server"] = current_deadline(), request_deadline()
        return "ok"

    harden(app)
    body = {"output": "out.children", "outputs": {"id": "out", "property": "children"},
            "inputs": [{"id": "in", "property": "value", "value": "x"}], "changedPropIds": ["in.value"]}
    before = time.monotonic()
    assert app.server.test_client().post("/_dash-update-component", json=body).status_code == 200
    assert seen["compute"] is not None and seen["compute"] == seen["server"]
    assert seen["compute"] - 0.25 >= before                          # the clock started with this request
    assert current_deadline() is None                                 # outside a request
