"""Controls are generated from the schemas: every entry of every registered schema gets its control."""
from __future__ import annotations

import math

import pytest

import landscapes
import optimizers
from optimizers import schedules
from webapp.panels.runs import controls
from webapp.state import default_run


def ids_by_name(component, kind: str) -> dict:
    found = {}
    for key in controls.control_ids(component):
        if key.get("type", "").startswith(kind):
            found.setdefault(key["name"], set()).add(key["type"])
    return found


def expected_types(param, kind: str) -> set:
    if param.kind in ("bool", "choice"):
        return {kind + "-option"}
    if param.kind == "text":                  # a text box (a formula, MultiStepLR's milestones); a refused text
        return {kind + "-text"}               # is said in its card's notice place
    return {kind, kind + "-slider"}


@pytest.mark.parametrize("name", optimizers.names())
def test_every_hyperparameter_has_its_control(name):
    run = default_run(name)
    card = controls.run_card(run, 3, run.name(), can_add=True)
    found = ids_by_name(card, "hyper")
    for param in optimizers.schema(name):
        assert found.get(param.name) == expected_types(param, "hyper"), param.name
    all_ids = controls.control_ids(card)
    assert all(key.get("run") == 3 for key in all_ids if "run" in key)
    for kind in ("run-optimizer", "run-schedule", "run-noise", "run-seed", "run-visible", "run-duplicate",
                 "run-remove"):
        assert {"type": kind, "run": 3} in all_ids


@pytest.mark.parametrize("name", schedules.names())
def test_every_schedule_parameter_has_its_control(name):
    run = default_run("sgd")
    run.schedule = name
    run.schedule_params = {p.name: p.default for p in schedules.schema(name)}
    found = ids_by_name(controls.run_card(run, 0, run.name(), can_add=True), "sched-param")
    assert set(found) == {p.name for p in schedules.schema(name)}
    for param in schedules.schema(name):
        assert found[param.name] == expected_types(param, "sched-param")


@pytest.mark.parametrize("name", landscapes.names())
def test_every_surface_parameter_has_its_control(name):
    schema = landscapes.schema(name)
    found = ids_by_name(controls.surface_controls(schema, {p.name: p.default for p in schema}), "surface-param")
    assert set(found) == {p.name for p in schema}
    assert "l2" in found


def all_numeric_params():
    seen = []
    for name in optimizers.names():
        seen += [(f"{name}.{p.name}", p) for p in optimizers.schema(name) if p.kind in ("float", "int")]
    for name in landscapes.names():
        seen += [(f"{name}.{p.name}", p) for p in landscapes.schema(name) if p.kind in ("float", "int")]
    for name in schedules.names():
        seen += [(f"{name}.{p.name}", p) for p in schedules.schema(name) if p.kind in ("float", "int")]
    return seen


@pytest.mark.parametrize("label, param", all_numeric_params(), ids=[n for n, _ in all_numeric_params()])
def test_slider_ranges_are_finite_and_cover_the_default(label, param):
    low, high, log = controls.slider_range(param)
    assert math.isfinite(low) and math.isfinite(high) and low < high
    assert log == (param.scale == "log")
    if param.default is None:          # "automatic": the slider rests at its left end
        return
    default = float(param.default)
    position = (math.log10(default) if default > 0 else low) if log else default
    assert low - 1e-9 <= position <= high + 1e-9, (low, position, high)


def test_log_parameter_gets_a_log_slider_with_a_zero_stop():
    weight_decay = next(p for p in optimizers.schema("sgd") if p.name == "weight_decay")
    control = controls.param_control(weight_decay, 0.0, "hyper", 0)
    slider = next(c for c in _walk(control) if getattr(c, "id", {}) == {"type": "hyper-slider", "name":
                                                                           "weight_decay", "run": 0})
    assert "log" in slider.className and "zero" in slider.className
    assert slider.value == slider.min                    # 0 sits on the "0" stop
    assert slider.marks[slider.min] == "0"
    lr = optimizers.schema("adam")[0]
    slider = next(c for c in _walk(controls.param_control(lr, 0.01, "hyper", 1)) if
                  getattr(c, "id", {}).get("type") == "hyper-slider")
    assert slider.value == pytest.approx(-2.0)
    kappa = landscapes.schema("ill_conditioned")[0]       # kappa >= 1: no "0" stop
    slider = next(c for c in _walk(controls.param_control(kappa, 100.0, "surface-param")) if
                  getattr(c, "id", {}).get("type") == "surface-param-slider")
    assert slider.value == pytest.approx(2.0) and "zero" not in slider.className and "log" in slider.className


def test_bool_and_choice_controls():
    nesterov = next(p for p in optimizers.schema("sgd") if p.name == "nesterov")
    box = next(c for c in _walk(controls.param_control(nesterov, True, "hyper", 0)) if getattr(c, "id", None))
    assert box.value == ["on"]
    box = next(c for c in _walk(controls.param_control(nesterov, False, "hyper", 0)) if getattr(c, "id", None))
    assert box.value == []


def _walk(node):
    yield node
    children = getattr(node, "children", None)
    if isinstance(children, (list, tuple)):
        for child in children:
            yield from _walk(child)
    elif children is not None and not isinstance(children, str):
        yield from _walk(children)


# ------------------------------------------------------------ update rules split into lines that fit a card
def test_rule_lines_split_only_outside_groups():
    from webapp.panels.runs.controls import rule_lines

    newton = r"x_{t+1} = x_t - \alpha\, H^{-1} g\quad(\text{eigenvalues floored at } \pm\delta,\ \text{step} \le \Delta)"
    assert rule_lines(newton) == [r"x_{t+1} = x_t - \alpha\, H^{-1} g",
                                  r"(\text{eigenvalues floored at } \pm\delta,\ \text{step} \le \Delta)"]
    assert rule_lines(r"a = 1,\ b = 2,\ c = f(x,\ y)") == ["a = 1", "b = 2", r"c = f(x,\ y)"]
    assert rule_lines(r"x = a \Big(b\Big) \Big/ \big(c\big)") == [r"x = a \Big(b\Big)", r"\Big/ \big(c\big)"]
    assert rule_lines(r"a \quadrature b") == [r"a \quadrature b"]        # a longer command is no separator
    assert rule_lines(r"\{a,\ b\}") == [r"\{a", r"b\}"]                 # \{ is a literal brace, not a group


def test_every_optimizer_rule_line_is_balanced_and_loses_no_symbol():
    import optimizers
    from webapp.panels.runs.controls import rule_lines

    for name in optimizers.names():
        rule = optimizers.base.optimizer_class(name).rule
        lines = rule_lines(rule)
        for line in lines:
            assert line.count("{") == line.count("}"), (name, line)
        def symbols(text):
            return text.replace(r"\quad", "").replace(r",\ ", "").replace(",", "").replace(" ", "")

        assert symbols("".join(lines)) == symbols(rule), name
        # no line of the rule is longer than the longest unbreakable group of the whole rule
        assert max(len(line) for line in lines) <= max(len(rule) // len(lines) * 2, 110), (name, lines)
