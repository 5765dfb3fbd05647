"""Layout facts without a browser: "+ Add run" stops at the limit, the legend's chips are toggles,
the plots' text alternative names every run's outcome."""
from __future__ import annotations

from webapp.compute import simulate_runs
from webapp.figures.results import results_rows
from webapp.panels import follow
from webapp.panels.stage.render import legend_chips
from webapp.panels.stage.results import plot_summary
from webapp.state import coerce, from_query


def test_add_run_is_disabled_exactly_at_the_limit():
    full, _ = from_query("?" + "&".join(["run=sgd"] * coerce.MAX_RUNS))
    assert len(full.runs) == coerce.MAX_RUNS
    assert follow.control_cards(full, {})["add_run_disabled"] is True
    one_less, _ = from_query("?" + "&".join(["run=sgd"] * (coerce.MAX_RUNS - 1)))
    assert follow.control_cards(one_less, {})["add_run_disabled"] is False


def test_legend_chips_are_toggle_buttons_with_the_runs_dash():
    state, _ = from_query("?run=momentum:lr=0.01&run=momentum:lr=0.001;hidden&run=adam&steps=5")
    _, results, _ = simulate_runs(state, [])
    chips = legend_chips(results)
    assert [c.to_plotly_json()["props"]["aria-pressed"] for c in chips] == ["true", "false", "true"]
    assert [c.children[0].className for c in chips] == ["legend-line dash-solid", "legend-line dash-dash",
                                                        "legend-line dash-solid"]
    assert [c.to_plotly_json()["props"]["data-run"] for c in chips] == ["0", "1", "2"]


def test_the_plots_summary_says_how_each_run_ended():
    state, _ = from_query("?run=sgd:lr=0.5&run=adam:lr=0.3&steps=200")
    _, results, steps = simulate_runs(state, [])
    text = plot_summary(results_rows(results, steps))
    assert text.startswith("SGD lr=0.5: diverged at step") and "Adam lr=0.3: settled at step" in text
    assert text.count("final loss") == 2
    assert "최종 손실" in plot_summary(results_rows(results, steps, "ko"), "ko")


def test_each_run_card_shows_the_rule_for_its_settings():
    from webapp.panels.runs.controls import run_card

    def shown(query):
        state, _ = from_query(query)
        card = run_card(state.runs[0], 0, state.runs[0].name(), True)
        return [str(c.children) for c in card.children if getattr(c, "className", "") == "math"][0]

    plain = shown("?run=sgd")
    assert r"x_{t+1} = x_t - \alpha\, \nabla f(x_t)" in plain and r"\rho" not in plain and r"\tau" not in plain
    assert r"\tau" not in shown("?run=momentum") and r"\rho" in shown("?run=momentum")
    assert r"(1-\tau)" in shown("?run=sgd:momentum=0.9,dampening=0.2")
    assert r"\rho\, v_t)" in shown("?run=nesterov")


def test_side_by_side_panels_carry_axis_titles():
    import landscapes
    from webapp.figures.lecture_maps import small_multiples_figure
    from webapp.state import default_state

    state = default_state()
    _, results, _ = simulate_runs(state, [])
    surface = landscapes.get(state.surface)
    figure = small_multiples_figure(surface, state.view_box(), results, with_runs=False)
    layout = figure["layout"]
    x_titled = sorted(k for k in layout if k.startswith("xaxis") and layout[k].get("title", {}).get("text") == "x")
    y_titled = sorted(k for k in layout if k.startswith("yaxis") and layout[k].get("title", {}).get("text") == "y")
    # four runs: a 2 x 2 grid; x under the bottom row's panels (3, 4), y beside the first column's (1, 3)
    assert x_titled == ["xaxis3", "xaxis4"] and y_titled == ["yaxis", "yaxis3"]


def test_3d_paths_sit_above_the_surface_and_show_through_it():
    import numpy as np

    import landscapes
    from webapp.figures.lecture_maps import surface_3d_figure
    import base64
    from webapp.state import default_state

    state = default_state()
    _, results, _ = simulate_runs(state, [])
    surface = landscapes.get(state.surface)
    figure = surface_3d_figure(surface, state.view_box(), results)
    mesh = figure["data"][0]
    assert mesh["opacity"] < 0.9
    span = float(np.ptp(np.frombuffer(base64.b64decode(mesh["z"]["bdata"]), dtype="<f4")))
    for result, trace in zip(results, [t for t in figure["data"] if t.get("mode") == "lines"]):
        floor = surface.value(result.path)                        # (T+1,)
        lifted = np.asarray(trace["z"], dtype=float)                # plain lists (the player restyles them)
        assert np.all(lifted - floor >= 0.035 * span)                  # twice the old lift of 2 %
