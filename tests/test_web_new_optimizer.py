"""Adding an optimizer needs no web change: a throwaway optimizer, registered for one test, gets its run
card, its share link and its payload from its schema and class attributes alone (starter values, step
cost, the symbols of its rule, its velocity)."""
from __future__ import annotations

import numpy as np
import pytest

import optimizers
from landscapes.schema import Param
from optimizers.base import FirstOrder
from optimizers.common import lr_param
from webapp.compute.cost import BATCH_STEP_US, PAGE_BUDGET_US, ROW_STEP_US, step_budget
from webapp.figures.inner_state import rule_markdown, velocity_key
from webapp.panels.runs import controls
from webapp.panels.stage.render import render_page
from webapp.state import default_run, default_state, from_query, to_query


class SignMomentum(FirstOrder):
    r"""Sign momentum: m_{t+1} = beta m_t + g_t, x_{t+1} = x_t - lr sign(m_{t+1}) (a test optimizer)."""

    name = "sign_momentum_test"
    label = "SignMomentum"
    schema = (lr_param(1e-2), Param("beta", 0.9, "momentum on the gradients", low=0.0, high=1.0, high_open=True,
                                    slider_low=0.0, slider_high=0.99))
    rule = r"m_{t+1} = \beta m_t + \nabla f(x_t),\quad x_{t+1} = x_t - \gamma\, \operatorname{sign}(m_{t+1})"
    state_keys = ("momentum_buffer",)
    starter_hyper = {"lr": 0.05}
    step_cost = 100_000                   # very slow on purpose: the page must cut its steps
    rule_symbols = {"lr": r"\gamma", "beta": r"\beta"}
    velocity_state, velocity_gate = "momentum_buffer", "beta"

    def init(self, params):
        return {"step": 0, "momentum_buffer": np.zeros_like(params)}

    def update(self, params, grad, state, lr):
        state["step"] += 1
        buffer = state["momentum_buffer"]
        buffer *= self.hyper["beta"]
        buffer += grad
        params -= lr * np.sign(buffer)


@pytest.fixture
def registered(monkeypatch):
    monkeypatch.setitem(optimizers.base._REGISTRY, SignMomentum.name, SignMomentum)
    return SignMomentum.name


def test_a_new_run_starts_from_the_class_starter_values(registered):
    run = default_run(registered)
    assert run.hyper == {"lr": 0.05, "beta": 0.9}
    assert run.name() == "SignMomentum lr=0.05"


def test_its_run_card_has_every_control_and_its_rule(registered):
    run = default_run(registered)
    card = controls.run_card(run, 0, run.name(), can_add=True)
    ids = controls.control_ids(card)
    for name in ("lr", "beta"):
        assert {"type": "hyper", "name": name, "run": 0} in ids
        assert {"type": "hyper-slider", "name": name, "run": 0} in ids
    options = next(node for node in _walk(card) if getattr(node, "id", None) == {"type": "run-optimizer", "run": 0})
    assert {"label": "SignMomentum", "value": registered} in options.options
    text = rule_markdown(run.build_optimizer())
    assert r"$\gamma$ = lr = 0.05" in text and r"$\beta$ = beta = 0.9" in text


def test_its_share_link_round_trips(registered):
    state = default_state()
    run = default_run(registered)
    run.hyper["beta"] = 0.5
    state.runs = [run]
    query = to_query(state)
    assert f"run={registered}:lr=0.05,beta=0.5" in query
    again, notices = from_query(query)
    assert notices == [] and again.runs[0].hyper == {"lr": 0.05, "beta": 0.5}


def test_its_step_cost_bounds_the_page(registered):
    runs = [default_run(registered)]
    notices: list = []
    allowed = step_budget(runs, 5000, notices)
    per_step = BATCH_STEP_US + ROW_STEP_US * 100_000              # one run at its declared relative cost
    assert allowed == int(PAGE_BUDGET_US // per_step) < 5000 and f"first {allowed} steps" in notices[0]


def test_its_payload_and_arrows_render(registered):
    state = default_state()
    state.runs = [default_run(registered)]
    state.steps = 100
    state.views = {"arrows": "1"}
    notices: list = []
    page = render_page(state, notices)
    run = page["payload"]["runs"][0]
    assert run["name"] == "SignMomentum lr=0.05" and len(run["x"]) == 101
    assert np.isfinite(run["x"]).all() and np.isfinite(run["y"]).all()
    assert "velocity" in run["arrows"]["kinds"]
    assert velocity_key(state.runs[0].build_optimizer()) == "momentum_buffer"
    zero = default_run(registered)
    zero.hyper["beta"] = 0.0
    assert velocity_key(zero.build_optimizer()) is None           # the gate: no momentum, no velocity


def _walk(node):
    if isinstance(node, (list, tuple)):
        for child in node:
            yield from _walk(child)
        return
    yield node
    children = getattr(node, "children", None)
    if children is not None and not isinstance(children, str):
        yield from _walk(children)
