"""Every registered optimizer's schema works in the web layer, L-BFGS and Newton included: each numeric
parameter's default, slider ends and a non-default value survive the controls, the coercion and the URL."""
from __future__ import annotations

import math

import pytest

import optimizers
from webapp.panels.runs import controls
from webapp.state import coerce, default_run, from_query, to_query
from webapp.state.model import default_state


def test_second_order_optimizers_are_in_the_schema_tests():
    assert {"lbfgs", "newton"} <= set(optimizers.names())


def numeric(name):
    return [p for p in optimizers.schema(name) if p.kind in ("float", "int")]


@pytest.mark.parametrize("name", optimizers.names())
def test_defaults_and_slider_ends_are_valid_values(name):
    for param in numeric(name):
        if param.default is not None:
            assert coerce.param_value(param, param.default, name, []) == param.default, param.name
        low, high, log = controls.slider_range(param)
        for end in (low, high):
            value = 10.0 ** end if log else end
            if param.kind == "int":
                value = round(value)
            notices: list = []
            coerce.param_value(param, value, name, notices)
            if log and param.low == 0 and end == low:
                continue                          # the "0" stop sits left of the slider's first decade
            assert notices == [], (param.name, value, notices)


@pytest.mark.parametrize("name", optimizers.names())
def test_a_non_default_value_of_every_parameter_round_trips_through_the_url(name):
    for param in numeric(name):
        low, high, log = controls.slider_range(param)
        middle = 10.0 ** ((low + high) / 2) if log else (low + high) / 2
        value = int(round(middle)) if param.kind == "int" else float(f"{middle:.4g}")
        if value == param.default or (param.low is not None and value < param.low):
            continue
        state = default_state()
        run = default_run(name)
        run.hyper[param.name] = value
        try:
            run.build_optimizer()
        except ValueError:
            continue                              # a value valid alone but not with the others' defaults
        state.runs = [run]
        again, notices = from_query(to_query(state))
        assert notices == [], (param.name, notices)
        assert again.runs[0].hyper[param.name] == pytest.approx(value), param.name


@pytest.mark.parametrize("name", optimizers.names())
def test_the_run_card_shows_every_default_in_its_box(name):
    run = default_run(name)
    card = controls.run_card(run, 0, run.name(), can_add=True)
    boxes = {}

    def walk(node):
        if isinstance(node, (list, tuple)):
            for child in node:
                walk(child)
            return
        node_id = getattr(node, "id", None)
        if isinstance(node_id, dict) and node_id.get("type") == "hyper":
            boxes[node_id["name"]] = node.value
        children = getattr(node, "children", None)
        if children is not None and not isinstance(children, str):
            walk(children)

    walk(card)
    for param in numeric(name):
        shown = boxes[param.name]
        expected = run.hyper[param.name]
        assert shown == expected or (isinstance(shown, float) and math.isclose(shown, expected)), param.name
