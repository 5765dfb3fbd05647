"""The two Details cards, pure: the high-dimensions Monte Carlo and cost table, and the local model
(linear and quadratic Taylor models, Newton's step, the indefinite case); their refusals."""
from __future__ import annotations

import json

import numpy as np
import pytest

import landscapes
import optimizers
from webapp.figures.high_dimensions import (P2_EXACT, SECONDS_PER_YEAR, chance_figure, cost_rows, hessian_costs,
                                            minimum_chance)
from webapp.figures.local_model import local_model, model_figure, slice_figure, verdict
from webapp.panels.high_dimensions.callbacks import card_content as high_dimensions_content
from webapp.panels.local_model.callbacks import card_content as local_content
from webapp.state import default_run, default_state, to_store


# ------------------------------------------------------------------ high dimensions
def test_the_chance_of_a_minimum_matches_the_closed_forms_and_falls_with_n():
    chances = minimum_chance()
    assert chances[1]["p"] == pytest.approx(0.5, abs=4 * chances[1]["se"])
    assert chances[2]["p"] == pytest.approx(P2_EXACT, abs=4 * chances[2]["se"])      # (2 - sqrt 2) / 4
    assert P2_EXACT == pytest.approx(0.1464466, rel=1e-6)
    p = [chances[n]["p"] for n in sorted(chances)]
    assert all(a > 2 * b for a, b in zip(p, p[1:]))                                     # falls fast
    assert 0 < chances[5]["p"] < 1e-3 and chances[5]["saddle"] > 0.99
    assert chances[1]["saddle"] == 0.0                                                  # no saddle in 1-D
    assert minimum_chance() is chances                                                  # computed once


def test_a_fixed_seed_gives_the_same_numbers_and_another_seed_agrees_within_error():
    again = minimum_chance((2,), 100_000, 20261204)
    assert again[2]["p"] == minimum_chance()[2]["p"]
    other = minimum_chance((2,), 20_000, 7)
    assert abs(other[2]["p"] - P2_EXACT) < 4 * other[2]["se"]


def test_hessian_costs_at_a_hundred_million_parameters_are_computed():
    costs = hessian_costs(1e8)
    assert costs["hessian_bytes"] == pytest.approx(8e16)                # 80 PB
    assert costs["hessian_seconds"] / SECONDS_PER_YEAR == pytest.approx(31_700, rel=0.01)
    assert costs["lbfgs_bytes"] == pytest.approx(1.6e10)                # 16 GB
    assert costs["lbfgs_seconds"] == pytest.approx(4e-3)
    rows = cost_rows(1e8)
    assert rows[0]["memory"] == "80 PB" and rows[0]["time"] == "31,700 years"
    assert rows[1]["memory"] == "16 GB" and rows[1]["time"] == "4 ms"


def test_the_chance_figure_is_plain_json_with_one_bar_per_n():
    figure = chance_figure(minimum_chance())
    json.dumps(figure, allow_nan=False)
    assert figure["data"][0]["x"] == ["1", "2", "3", "4", "5"] and figure["layout"]["yaxis"]["type"] == "log"


@pytest.mark.parametrize("bad", [0, -5, "lots", None, 1e30, "1e400", True])
def test_a_bad_n_is_refused_with_a_message(bad):
    _, table, message = high_dimensions_content(False, bad)
    assert "N must be a number from 1" in json.dumps([m.to_plotly_json() for m in message], default=str)


# ------------------------------------------------------------------ local model
def test_on_a_quadratic_the_quadratic_model_is_exact_and_newton_lands_on_the_minimum():
    bowl = landscapes.get("ill_conditioned")
    path = optimizers.run(bowl, optimizers.get("sgd", lr=0.01), bowl.start, 20)
    model = local_model(bowl, path, 5, bowl.view)
    assert np.allclose(model.quadratic, model.f, rtol=1e-9, atol=1e-9)
    assert model.kind == "positive definite"
    minimum = bowl.minima[0].as_array()
    assert np.allclose(model.newton, minimum, atol=1e-9)
    assert np.allclose(model.point + model.step_length * model.direction, path[6])
    assert "minimum" in verdict(model)
    # the linear model is the tangent plane: exact at the point, off by the curvature elsewhere
    centre = model.xs.size // 2
    assert model.linear[centre, centre] == pytest.approx(model.value)


def test_at_a_saddle_the_hessian_is_indefinite_and_newton_goes_to_the_saddle():
    saddle = landscapes.get("saddle")
    path = optimizers.run(saddle, optimizers.get("sgd", lr=0.05), saddle.start, 30)
    model = local_model(saddle, path, 3, saddle.view)
    assert model.kind == "indefinite" and model.eigenvalues[0] < 0 < model.eigenvalues[1]
    assert np.allclose(model.newton, (0.0, 0.0), atol=1e-9)
    assert "saddle" in verdict(model) and "uphill" in verdict(model)


def test_the_slice_follows_the_step_and_its_models_touch_f_at_zero():
    surface = landscapes.get("rosenbrock")
    path = optimizers.run(surface, optimizers.get("adam", lr=0.05), surface.start, 40)
    model = local_model(surface, path, 10, surface.view)
    zero = int(np.argmin(np.abs(model.s)))
    assert model.f_slice[zero] == pytest.approx(model.value) == pytest.approx(model.quadratic_slice[zero])
    # the quadratic model agrees with f to third order near the point, the linear one to second
    near = zero + 1
    assert abs(model.quadratic_slice[near] - model.f_slice[near]) < abs(model.linear_slice[near] - model.f_slice[near])
    for figure in (model_figure(model, "t"), slice_figure(model)):
        json.dumps(figure, allow_nan=False)
    # at the last step there is no step taken: the direction is -grad
    last = local_model(surface, path, 40, surface.view)
    assert last.step_length == 0 and np.allclose(last.direction, -last.grad / np.linalg.norm(last.grad))


def test_local_card_refuses_a_run_or_step_out_of_range_and_shows_a_valid_one():
    state = default_state()
    state.runs = [default_run("sgd", lr=0.01), default_run("newton")]
    state.steps = 50
    stored = to_store(state)
    for run, step, words in ((0, 3, "run must be a whole number from 1 to 2"),
                             (3, 3, "run must be a whole number from 1 to 2"),
                             ("x", 3, "run must be"), (1, 51, "step must be a whole number from 0 to 50"),
                             (1, -1, "step must be"), (1, 2.5, "step must be"), (1, None, "step must be")):
        figure, _, _, message = local_content(stored, run, step)
        assert words in json.dumps([m.to_plotly_json() for m in message], default=str), (run, step)
    figure, slice_, text, message = local_content(stored, 2, 0)
    assert message == [] and "Newton" in figure["layout"]["title"]["text"] and "Hessian eigenvalues" in text
