"""The page state and its URL form: round trips for every registered schema, and fallbacks for garbage."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings, strategies as st

import landscapes
import optimizers
from optimizers import schedules
from webapp.state import coerce as validate
from webapp.state import (AppState, RunSpec, default_run, default_state, from_query, from_store, to_query,
                          to_store)


def comparable(state: AppState) -> dict:
    data = to_store(state)
    data.pop("revision")
    return data


def candidates(param):
    """Valid non-default values of a parameter, most natural first."""
    if param.kind == "bool":
        return [not param.default]
    if param.kind == "choice":
        return [c for c in param.choices if c != param.default]
    raw = [param.slider_high, param.slider_low, param.high, param.low, 0.5, 0.123, 2.0, 7.0]
    if isinstance(param.default, (int, float)) and param.default:
        raw += [param.default * 2, param.default / 2]
    out = []
    for value in raw:
        if value is None or (isinstance(value, float) and math.isinf(value)):
            continue
        value = int(round(value)) if param.kind == "int" else float(value)
        try:
            value = param.validate(value)
        except ValueError:
            continue
        if value != param.default and value not in out:
            out.append(value)
    return out


def accepted(build, values: dict) -> bool:
    try:
        build(**values)
    except ValueError:
        return False
    return True


def test_default_state_is_the_classroom_page():
    state = default_state()
    assert state.surface == "ill_conditioned"
    assert [run.optimizer for run in state.runs] == ["sgd", "momentum", "rmsprop", "adam"]
    assert state.steps == 300
    assert len({run.color for run in state.runs}) == 4
    assert from_query("") == (state, [])
    assert comparable(from_query(to_query(state))[0]) == comparable(state)


def test_default_query_is_short_and_readable():
    query = to_query(default_state())
    assert query.startswith("?surface=ill_conditioned&")
    assert "run=sgd:lr=0.035" in query and "run=adam:lr=0.3" in query
    assert "steps=" not in query and "start=" not in query      # defaults are not written


@pytest.mark.parametrize("name", optimizers.names())
def test_every_optimizer_hyperparameter_round_trips(name):
    schema = optimizers.schema(name)
    checked = 0
    for param in schema:
        for value in candidates(param):
            run = default_run(name)
            run.hyper[param.name] = value
            state = AppState(surface="ill_conditioned", surface_params=default_state().surface_params, runs=[run])
            query = to_query(state)
            parsed, notices = from_query(query)
            if not accepted(lambda **h: optimizers.get(name, **h), run.hyper):
                # the engine refuses this combination: the link falls back to defaults and says so
                assert notices and parsed.runs[0].optimizer == name
                continue
            assert notices == [], (query, notices)
            assert parsed.runs[0].hyper == run.hyper, query
            assert f"{param.name}=" in query
            checked += 1
            break
    assert checked >= len(schema) - 2       # every parameter but at most a couple of cross-constrained ones


@pytest.mark.parametrize("name", landscapes.names())
def test_every_surface_parameter_round_trips(name):
    for param in landscapes.schema(name):
        for value in candidates(param)[:1]:
            params = {p.name: p.default for p in landscapes.schema(name)}
            params[param.name] = value
            state = AppState(surface=name, surface_params=params, runs=[default_run("adam")])
            parsed, notices = from_query(to_query(state))
            assert notices == []
            assert parsed.surface == name and parsed.surface_params == params


@pytest.mark.parametrize("name", schedules.names())
def test_every_schedule_round_trips(name):
    run = default_run("sgd")
    run.schedule = name
    run.schedule_params = {p.name: p.default for p in schedules.schema(name)}
    for param in schedules.schema(name):
        options = [v for v in candidates(param)
                   if accepted(lambda **p: schedules.get(name, **p), {**run.schedule_params, param.name: v})]
        if options:
            run.schedule_params[param.name] = options[0]
    run.noise, run.seed, run.visible = 0.25, 7, False
    state = AppState(surface="rosenbrock", surface_params={p.name: p.default for p in landscapes.schema("rosenbrock")},
                     runs=[run, default_run("adam", color=5)], start=(0.5, -0.25),
                     steps=1234, view=(-3.0, 3.0, -2.0, 4.0))
    parsed, notices = from_query(to_query(state))
    assert notices == []
    assert comparable(parsed) == comparable(state)


def test_store_round_trip_and_revalidation():
    state = default_state()
    state.runs[1].noise, state.runs[1].seed = 0.5, 3
    parsed, notices = from_store(to_store(state))
    assert notices == [] and comparable(parsed) == comparable(state)


@pytest.mark.parametrize("query, expected_state, fragment", [
    ("?surface=nope", lambda s: s.surface == "ill_conditioned", "nope"),
    ("?steps=1e9", lambda s: s.steps == validate.MAX_STEPS, "Steps"),
    ("?steps=abc", lambda s: s.steps == 300, "abc"),
    ("?steps=-4", lambda s: s.steps == 1, "Steps"),
    ("?start=1,nan", lambda s: s.start is None, "Start"),
    ("?start=1e300,2", lambda s: s.start == (validate.MAX_COORD, 2.0), "clamped"),
    ("?view=5,1,0,1", lambda s: s.view is None, "View"),
    ("?run=adam:lr=-1", lambda s: s.runs[0].hyper["lr"] == 0.0, "lr"),
    ("?run=adam:lr=abc", lambda s: s.runs[0].hyper["lr"] == optimizers.schema("adam")[0].default, "abc"),
    ("?run=adam:foo=1", lambda s: s.runs[0].optimizer == "adam", "foo"),
    ("?run=bogus&run=sgd", lambda s: [r.optimizer for r in s.runs] == ["sgd"], "bogus"),
    ("?run=sgd:nesterov=true", lambda s: s.runs[0].hyper["nesterov"] is False, "Nesterov"),
    ("?run=adam;sched=nope", lambda s: s.runs[0].schedule == "constant", "nope"),
    ("?run=adam;noise=-3;seed=x", lambda s: s.runs[0].noise == 0 and s.runs[0].seed == 0, "noise"),
    ("?kappa=0.5", lambda s: s.surface_params["kappa"] == 1.0, "kappa"),
    ("?kappa=50&wat=1", lambda s: s.surface == "ill_conditioned", "wat"),
])
def test_garbage_falls_back_with_a_notice(query, expected_state, fragment):
    state, notices = from_query(query)
    assert expected_state(state), query
    assert any(fragment.lower() in notice.lower() for notice in notices), notices


def test_too_many_runs_are_dropped_with_a_notice():
    state, notices = from_query("?" + "&".join(["run=adam"] * 20))
    assert len(state.runs) == validate.MAX_RUNS
    assert any("8 runs" in n for n in notices)


def test_explicitly_empty_runs_are_respected():
    state, notices = from_query("?surface=saddle&run=")
    assert state.surface == "saddle" and state.runs == [] and notices == []


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_any_query_parses_to_a_runnable_state(text):
    state, notices = from_query(text)
    assert isinstance(notices, list)
    landscapes.get(state.surface, **state.surface_params)
    for run in state.runs:
        run.build_optimizer()
        run.build_schedule()
    assert 1 <= state.steps <= validate.MAX_STEPS and len(state.runs) <= validate.MAX_RUNS


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20)


@settings(max_examples=80, deadline=None)
@given(st.fixed_dictionaries({}, optional={
    "surface": st.sampled_from(landscapes.names()) | json_values,
    "surface_params": json_values,
    "runs": st.lists(st.fixed_dictionaries({"optimizer": st.sampled_from(optimizers.names())},
                                           optional={"hyper": json_values, "noise": json_values,
                                                     "seed": json_values, "schedule": json_values,
                                                     "color": json_values}), max_size=10) | json_values,
    "steps": json_values, "start": json_values, "view": json_values, "revision": json_values,
}) | json_values)
def test_any_posted_store_is_revalidated(data):
    state, notices = from_store(data)
    landscapes.get(state.surface, **state.surface_params)
    for run in state.runs:
        run.build_optimizer()
        assert 0 <= run.noise <= validate.MAX_NOISE and 0 <= run.seed <= validate.MAX_SEED
    assert len(state.runs) <= validate.MAX_RUNS and 1 <= state.steps <= validate.MAX_STEPS
    if state.start is not None:
        assert all(math.isfinite(v) and abs(v) <= validate.MAX_COORD for v in state.start)


def test_run_name_is_readable():
    assert default_run("adam").name() == "Adam lr=0.3"
    run = RunSpec(optimizer="sgd", hyper=default_run("sgd").hyper, noise=0.1)
    assert run.name() == "SGD lr=0.035, noise=0.1"


def test_a_page_without_runs_round_trips():
    state = AppState(surface="saddle", surface_params={"l2": 0.0}, runs=[])
    parsed, notices = from_query(to_query(state))
    assert notices == [] and parsed.runs == [] and parsed.surface == "saddle"


def test_scenario_links_round_trip_and_unknown_scenarios_are_reported():
    from webapp import scenarios

    for scenario in scenarios.SCENARIOS:
        link = scenarios.share_query(scenario)
        state, notices = from_query(link)
        assert notices == [] and state.scenario == scenario.id
        assert to_query(state) == link                   # the canonical form is the scenario's own link
        assert from_store(to_store(state))[0].scenario == scenario.id
    state, notices = from_query("?scenario=no_such_thing&surface=saddle")
    assert state.scenario is None and state.surface == "saddle"
    assert any("no_such_thing" in n for n in notices)
    assert from_store({"scenario": "<script>"})[0].scenario is None


# ------------------------------------------------------------------ the View bar's and the Maps panel's records
from webapp.state.model import DEFAULT_GRID, MapSettings, ViewOptions  # noqa: E402


def test_view_and_map_settings_are_typed_frozen_records_in_the_state():
    state, notices = from_query("?arrows=1&view_mode=side&polyak=1&polyak_from=100&inner_run=2&loss_x=evals"
                                "&map=sensitivity&map_runs=1,0&map_n=12&map_steps=120&map_color=steps&map_y=beta1")
    assert notices == []
    assert state.views == ViewOptions(side=True, arrows=True, polyak=True, polyak_from=100, inner_run=1,
                                      loss_by_evals=True)
    assert state.maps == MapSettings(kind="sensitivity", runs=(1, 0), side=12, steps=120, color="steps",
                                     y_param="beta1")
    with pytest.raises(AttributeError):
        state.views.arrows = False                                   # frozen
    assert len({state.views, state.maps, ViewOptions(), MapSettings()}) == 4    # hashable
    again, notices = from_query(to_query(state))
    assert notices == [] and again.views == state.views and again.maps == state.maps
    stored, notices = from_store(to_store(state))
    assert notices == [] and stored.views == state.views and stored.maps == state.maps
    assert to_store(state)["views"] == {"view_mode": "side", "arrows": "1", "polyak": "1", "polyak_from": "100",
                                        "inner_run": "2", "loss_x": "evals"}


def test_default_records_stay_out_of_the_link():
    state = default_state()
    assert state.views == ViewOptions() and state.maps == MapSettings() and not state.views and not state.maps
    query = to_query(state)
    assert "map" not in query and "arrows" not in query
    state.maps = MapSettings(kind="basin", grid=DEFAULT_GRID)
    assert "map=basin" in to_query(state) and "map_grid" not in to_query(state)


@pytest.mark.parametrize("query, expected, fragment", [
    ("view_mode=sideways", ViewOptions(), "view_mode='sideways' is not overlay or side"),
    ("arrows=maybe", ViewOptions(), "arrows='maybe' is not 1 or 0"),
    ("field=2", ViewOptions(), "field='2' is not 1 or 0"),
    ("loss_x=time", ViewOptions(), "loss_x='time' is not steps or evals"),
    ("polyak=1&polyak_from=-3", ViewOptions(polyak=True), "polyak_from -3 is outside 0 to 100000; using 0"),
    ("polyak_from=1e9", ViewOptions(polyak_from=100_000), "polyak_from 1e+09 is outside 0 to 100000"),
    ("polyak_from=soon", ViewOptions(), "polyak_from 'soon' is not a number"),
    ("inner=1&inner_run=0", ViewOptions(inner=True), "inner_run='0' is not all or a run from 1 to 8"),
    ("inner_run=x", ViewOptions(), "inner_run='x' is not all or a run"),
])
def test_every_invalid_view_value_in_a_link_gets_a_notice(query, expected, fragment):
    state, notices = from_query("?" + query)
    assert state.views == expected
    assert len(notices) == 1 and fragment in notices[0], notices


@pytest.mark.parametrize("query, expected, fragment", [
    ("map=volcano", MapSettings(), "unknown map 'volcano'"),
    ("map_grid=40", MapSettings(), "map_grid ignored without map=basin or map=sensitivity"),
    ("map=basin&map_grid=500", MapSettings(kind="basin", grid=200), "grid 500 is outside 2 to 200; using 200"),
    ("map=basin&map_grid=1", MapSettings(kind="basin", grid=2), "grid 1 is outside 2 to 200"),
    ("map=basin&map_grid=lots", MapSettings(kind="basin"), "grid 'lots' is not a number"),
    ("map=basin&map_steps=1e9", MapSettings(kind="basin", steps=5000), "steps 1e+09 is outside 1 to 5000"),
    ("map=basin&map_steps=many", MapSettings(kind="basin"), "steps 'many' is not a number; using the runs' steps"),
    ("map=sensitivity&map_n=51", MapSettings(kind="sensitivity", side=50), "values per axis 51 is outside 2 to 50"),
    ("map=basin&map_runs=0,99,x", MapSettings(kind="basin", runs=(0,)), "run '99' does not exist"),
    ("map=basin&map_color=gap", MapSettings(kind="basin"), "colour 'gap' unknown for a basin map"),
    ("map=sensitivity&map_x=" + "x" * 41, MapSettings(kind="sensitivity"), "is no parameter name; using lr"),
])
def test_every_invalid_map_value_in_a_link_gets_a_notice(query, expected, fragment):
    state, notices = from_query("?" + query)
    assert state.maps == expected
    assert notices and fragment in notices[0], notices


def test_a_posted_store_with_invalid_views_or_maps_is_coerced_with_notices():
    stored = to_store(default_state())
    stored["views"] = {"arrows": "yes please", "threed": True}
    stored["maps"] = {"map": "basin", "map_grid": 10**9}
    state, notices = from_store(stored)
    assert state.views == ViewOptions(threed=True) and state.maps == MapSettings(kind="basin", grid=200)
    assert any("arrows" in n for n in notices) and any("grid" in n for n in notices)
    stored["views"], stored["maps"] = "junk", ["junk"]
    state, notices = from_store(stored)
    assert state.views == ViewOptions() and state.maps == MapSettings()
    assert sum("settings unreadable" in n for n in notices) == 2
