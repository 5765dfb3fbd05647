"""'Your own surface' in the web layer, without a browser: the text Param kind, the custom surface in
the registry, the formula in the URL and the store, the error message with its caret, gaps in the
map where the formula is undefined, and runs that walk into them."""
from __future__ import annotations

import json
import time
from urllib.parse import unquote

import numpy as np
import pytest

import landscapes
from landscapes.custom import DEFAULT_FORMULA
from landscapes.formula import FormulaError
from landscapes.schema import Param
from test_web_figures import finite_everywhere
from webapp.figures import stage as figures
from webapp.figures.results import results_rows
from webapp.panels.runs import controls
from webapp.panels.stage.render import render_page
from webapp.panels.surface.formula import apply_surface_text, error_view
from webapp.state import AppState, default_run, from_query, from_store, to_query, to_store
from webapp.panels.start_view.view_box import apply_view, shown_view


def custom_state(text: str = DEFAULT_FORMULA, runs=None, **extra) -> AppState:
    return AppState(surface="custom", surface_params={"formula": text, "l2": 0.0},
                    runs=[default_run("sgd")] if runs is None else runs, **extra)


def query_value(query: str, key: str) -> str:
    """The raw (still percent-encoded) value of ``key`` in a query string."""
    return next(part.partition("=")[2] for part in query.lstrip("?").split("&") if part.startswith(key + "="))


# ------------------------------------------------------------------ the text kind of Param
TEXT = Param("formula", "x", "help", kind="text", max_length=10)


def test_text_param_accepts_strings_up_to_its_length():
    assert TEXT.validate("x^2 + y") == "x^2 + y"
    assert TEXT.validate("x" * 10) == "x" * 10
    assert TEXT.range_text() == "text up to 10 characters"


@pytest.mark.parametrize("value, named", [
    ("x" * 11, "11 characters"), (3.0, "3.0"), (None, "None"), (["x"], "['x']"), (True, "True"),
    ("x\x00y", "U+0000 at column 2"), ("\x1b[2J", "U+001B at column 1"),
])
def test_text_param_refuses_other_values_with_a_named_reason(value, named):
    with pytest.raises(ValueError, match="Invalid formula") as caught:
        TEXT.validate(value)
    assert named in str(caught.value)


def test_unknown_param_kind_is_refused():
    with pytest.raises(ValueError, match="unknown kind"):
        Param("p", "", "help", kind="textarea")


# ------------------------------------------------------------------ the custom surface
def test_custom_surface_is_registered_with_a_formula_and_l2():
    assert "custom" in landscapes.names()
    assert [p.name for p in landscapes.schema("custom")] == ["formula", "l2"]
    surface = landscapes.get("custom")
    assert surface.label == "Your formula" and surface.params["formula"] == DEFAULT_FORMULA


def test_custom_surface_evaluates_the_typed_formula_exactly():
    surface = landscapes.get("custom", formula="x^2 + 3*y^2 - x*y")
    xy = np.array([[1.0, 2.0], [-0.5, 0.25]])
    x, y = xy.T
    np.testing.assert_allclose(surface.value(xy), x**2 + 3 * y**2 - x * y, rtol=1e-15)
    np.testing.assert_allclose(surface.grad(xy), np.column_stack([2 * x - y, 6 * y - x]), rtol=1e-15)
    np.testing.assert_allclose(surface.hessian(xy)[0], [[2.0, -1.0], [-1.0, 6.0]], rtol=1e-15)


def test_custom_surface_takes_l2_like_every_surface():
    plain, penalized = landscapes.get("custom", formula="x*y"), landscapes.get("custom", formula="x*y", l2=2.0)
    assert penalized.value([1.0, 3.0]) == pytest.approx(plain.value([1.0, 3.0]) + 0.5 * 2.0 * 10.0)


def test_default_formula_lists_its_two_minima_and_the_saddle():
    surface = landscapes.get("custom")
    # f = (x^2 - 1)^2 + y^2/2 + x/5: critical points solve 4x(x^2 - 1) + 1/5 = 0, y = 0
    roots = np.sort(np.roots([4.0, 0.0, -4.0, 0.2]).real)
    found = sorted(surface.critical_points, key=lambda p: p.x)
    assert [p.kind for p in found] == ["global minimum", "saddle", "local minimum"]
    np.testing.assert_allclose([p.x for p in found], roots, atol=1e-12)
    np.testing.assert_allclose([p.y for p in found], 0.0, atol=1e-12)


def test_a_bad_formula_raises_formula_error_from_the_registry():
    with pytest.raises(FormulaError) as caught:
        landscapes.get("custom", formula="x^2 + z")
    assert caught.value.position == 6 and str(caught.value) == "unknown name 'z' at column 7"
    with pytest.raises(ValueError, match="text up to 500 characters"):
        landscapes.get("custom", formula="x+" * 300 + "1")


# ------------------------------------------------------------------ the control
def test_the_formula_gets_a_text_box_a_message_area_and_the_grammar():
    from webapp.panels.surface.layout import surface_card

    schema = landscapes.schema("custom")
    panel = controls.surface_controls(schema, {"formula": "x^2", "l2": 0.0})
    ids = controls.control_ids(panel)
    assert {"type": "surface-param-text", "name": "formula"} in ids
    assert '"surface-notice"' in json.dumps(surface_card().to_plotly_json(),          # the message area
                                            default=lambda c: c.to_plotly_json())
    text = json.dumps(panel[0].to_plotly_json(), default=lambda c: c.to_plotly_json())
    assert '"value": "x^2"' in text and "sqrt" in text and "sigmoid" in text


# ------------------------------------------------------------------ URL and store
@pytest.mark.parametrize("text", [
    "(x + 1)^2 * exp(-y^2) / 2 - sin(x)",
    "x**2 + 1e-3*y  +  abs(x - y)",
    "log(1 + x^2) & y" if False else "log(1 + x^2) + y^2",
])
def test_a_formula_with_special_characters_round_trips_through_the_url(text):
    state = custom_state(text)
    query = to_query(state)
    raw = query_value(query, "formula")
    assert not set(raw) & set("+^ ()*&#"), raw          # every special character is percent-encoded
    assert unquote(raw) == text
    parsed, notices = from_query(query)
    assert notices == []
    assert parsed.surface == "custom" and parsed.surface_params["formula"] == text


def test_the_default_formula_is_not_written_to_the_url():
    query = to_query(custom_state())
    assert "surface=custom" in query and "formula=" not in query


@pytest.mark.parametrize("raw, reason", [
    ("x%5E2%20%2B%20z", "unknown name 'z' at column 7"),
    ("x%C2%B2%20%2B%20y", "U+00B2"),                          # x² + y: Unicode is refused with a hint
    ("sin(x", "missing ')'"),
    ("__import__('os')", "at column"),
    ("x" * 600, "text up to 500 characters"),
])
def test_a_bad_formula_in_a_link_falls_back_to_the_default_with_a_notice(raw, reason):
    state, notices = from_query(f"?surface=custom&formula={raw}&run=adam:lr=0.05&steps=120")
    assert state.surface == "custom" and state.surface_params["formula"] == DEFAULT_FORMULA
    assert any(reason in notice for notice in notices), notices
    assert [run.optimizer for run in state.runs] == ["adam"] and state.steps == 120    # the rest is kept


@pytest.mark.parametrize("posted", [{"formula": 12}, {"formula": ["x"]}, {"formula": "x^2 + z"},
                                    {"formula": "x" * 10_000}, {"formula": None}])
def test_a_posted_store_with_a_bad_formula_is_revalidated(posted):
    state, notices = from_store({"surface": "custom", "surface_params": posted, "runs": []})
    assert state.surface_params["formula"] == DEFAULT_FORMULA
    assert notices


# ------------------------------------------------------------------ typing a formula (the callback's helpers)
def test_a_valid_formula_changes_only_the_formula():
    state = custom_state(runs=[default_run("adam"), default_run("sgd", color=1)], steps=77, start=(0.5, -1.0))
    before = to_store(state)
    changed, error = apply_surface_text(state, "formula", "x^2 + y^2")
    assert changed and error is None
    after = to_store(state)
    assert after["surface_params"]["formula"] == "x^2 + y^2"
    assert {k: v for k, v in after.items() if k != "surface_params"} == \
           {k: v for k, v in before.items() if k != "surface_params"}


def test_a_broken_formula_keeps_the_previous_state_and_says_where():
    state = custom_state("x^2 + y^2", runs=[default_run("adam")], steps=50)
    before = to_store(state)
    changed, error = apply_surface_text(state, "formula", "x^2 + z")
    assert not changed and to_store(state) == before
    assert isinstance(error, FormulaError) and error.position == 6
    caret, message = error_view("x^2 + z", error)
    text_line, caret_line = caret.children.split("\n")
    assert text_line == "x^2 + z" and caret_line.index("^") == 6 and caret_line.strip() == "^"
    assert message.children == "unknown name 'z' at column 7"


def test_the_caret_follows_the_column_in_a_long_formula():
    text = "x + " * 60 + "y +* 1"                              # the error is far to the right
    state = custom_state()
    _, error = apply_surface_text(state, "formula", text)
    caret, _ = error_view(text, error)
    text_line, caret_line = caret.children.split("\n")
    assert text_line[caret_line.index("^")] == "*"           # the caret sits under the culprit
    assert len(text_line) <= 121


def test_non_text_or_unknown_parameters_are_left_alone():
    state = custom_state()
    assert apply_surface_text(state, "l2", "1") == (False, None)
    assert apply_surface_text(state, "no_such", "x") == (False, None)
    changed, error = apply_surface_text(state, "formula", {"x": 1})
    assert not changed and isinstance(error, ValueError)


def best_time(call, repeats: int = 3) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        began = time.perf_counter()
        result = call()
        best = min(best, time.perf_counter() - began)
    return best, result


@pytest.mark.parametrize("text", [
    "(" * 5000, "x" * 499 + "(", "-" * 499 + "(", "sin(" * 200 + "x", "x^2 + y" * 100,
    "__import__('os').system('true')", "().__class__.__bases__[0]", "lambda: 1", "x if y else 1",
    "open('/etc/passwd')", "x\x00", "[x for x in y]",
])
def test_every_hostile_formula_is_refused_within_10_ms_and_changes_nothing(text):
    state = custom_state()
    apply_surface_text(state, "formula", text)                 # warm-up (imports)
    elapsed, (changed, error) = best_time(lambda: apply_surface_text(state, "formula", text))
    assert not changed and isinstance(error, ValueError)
    assert state.surface_params["formula"] == DEFAULT_FORMULA
    assert elapsed < 0.010, f"{elapsed * 1e3:.1f} ms"


@pytest.mark.parametrize("text", ["9^9^9^9^9^9^9^9", "1" * 500, "exp(exp(exp(exp(x))))"])
def test_huge_values_are_accepted_quickly_as_inf(text):
    from landscapes.custom import _custom_surface

    def accept():
        _custom_surface.cache_clear()                          # the full cost: parse, compile, search
        return apply_surface_text(custom_state(), "formula", text)

    accept()
    elapsed, (changed, error) = best_time(accept)
    assert changed and error is None
    assert landscapes.get("custom", formula=text).value([2.0, 0.0]) == np.inf
    assert elapsed < 0.010, f"{elapsed * 1e3:.1f} ms"


# ------------------------------------------------------------------ undefined regions
def test_undefined_regions_are_gaps_with_no_nan_in_the_figure():
    surface = landscapes.get("custom", formula="log(x) + y^2")     # undefined for x <= 0
    figure = figures.map_figure(surface, surface.view, grid_size=40)
    contour = figure["data"][0]
    z = contour["z"]
    assert isinstance(z, list) and len(z) == 40 and all(len(row) == 40 for row in z)
    xs = np.linspace(*surface.view[:2], 40)
    gaps = np.array([[v is None for v in row] for row in z])             # (40, 40) [row=y, col=x]
    np.testing.assert_array_equal(gaps, np.broadcast_to(xs <= 0, gaps.shape))
    assert contour["connectgaps"] is False
    assert figure["layout"]["plot_bgcolor"] == figures.GAP_COLOR
    json.dumps(figure, allow_nan=False)                                  # no NaN or inf anywhere
    assert finite_everywhere(figure)


def test_a_surface_without_gaps_keeps_the_compact_typed_grid():
    surface = landscapes.get("custom")
    figure = figures.map_figure(surface, surface.view, grid_size=40)
    assert "bdata" in figure["data"][0]["z"] and figure["layout"]["plot_bgcolor"] != figures.GAP_COLOR


def test_a_run_that_steps_into_an_undefined_region_stops_as_diverged():
    # f = sqrt(x) + y^2 from (1, 0) with SGD lr = 1: x1 = 1 - 1/2 = 0.5, x2 = 0.5 - 1/(2 sqrt 0.5) < 0
    # (undefined: NaN gradient there), so the position after step 3 is NaN: diverged at step 3.
    state = custom_state("sqrt(x) + y^2", runs=[default_run("sgd", lr=1.0)], start=(1.0, 0.0), steps=20)
    page = render_page(state, [])
    row = results_rows(*_results(state))[0]
    assert row["diverged"] and row["status"] == "diverged at step 3"
    assert page["payload"]["runs"][0]["diverged_at"] == 3
    # the last point reached lies in the gap: its loss is unknown, shown as "—" and a null, never 0
    assert row["final_loss"] == "\u2014"
    assert page["payload"]["runs"][0]["loss"][-1] is None and page["payload"]["runs"][0]["loss"][1] is not None
    assert finite_everywhere(page["payload"]) and finite_everywhere(page["map"])
    json.dumps(page["payload"], allow_nan=False)


def _results(state):
    from webapp.compute import simulate_runs

    _, results, steps = simulate_runs(state, [])
    return results, steps


# ------------------------------------------------------------------ the view box
def test_typed_view_box_sets_the_view_and_bad_boxes_are_ignored():
    state = custom_state()
    assert shown_view(state) == (-3.0, 3.0, -3.0, 3.0)
    assert apply_view(state, [-1, 4, -2, 2]) and state.view == (-1.0, 4.0, -2.0, 2.0)
    assert not apply_view(state, [-1, 4, -2, 2])                         # unchanged
    assert not apply_view(state, [4, -1, -2, 2])                         # reversed
    assert not apply_view(state, [None, 4, -2, 2]) and not apply_view(state, ["x", 1, 2, 3])
    assert state.view == (-1.0, 4.0, -2.0, 2.0)
    parsed, notices = from_query(to_query(state))
    assert notices == [] and parsed.view == (-1.0, 4.0, -2.0, 2.0)
