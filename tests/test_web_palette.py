"""Run colours: names readable (contrast), colours keyed by optimizer, dashes for a second run of a colour."""
from __future__ import annotations

import optimizers
from webapp import scenarios
from webapp.figures import stage as stage_figures
from webapp.state import default_state, from_query, to_query
from webapp.state.palette import (DASH_ARRAYS, DASHES, PALETTE, TEXT_PALETTE, contrast_ratio, optimizer_color,
                                  run_dashes, text_color)

BACKGROUNDS = ("#ffffff", "#f3f5f9")       # the cards and the page


def test_every_text_colour_reads_at_4_5_to_1_on_the_page_and_keeps_its_hue():
    assert len(TEXT_PALETTE) == len(PALETTE)
    for path, text in zip(PALETTE, TEXT_PALETTE):
        for background in BACKGROUNDS:
            assert contrast_ratio(text, background) >= 4.5, (path, text, background)
        # a darker variant of the same colour: each channel scaled by (about) one factor
        channels = [(int(path[i:i + 2], 16), int(text[i:i + 2], 16)) for i in (1, 3, 5)]
        ratios = [t / p for p, t in channels if p > 40]
        assert not ratios or max(ratios) - min(ratios) < 0.05, (path, text)
    # the palette itself fails for text (why the variants exist): orange 2.25:1, sky blue 2.31:1
    assert round(contrast_ratio("#E69F00"), 2) == 2.25 and round(contrast_ratio("#56B4E9"), 2) == 2.31


def test_contrast_ratio_matches_the_wcag_definition():
    assert contrast_ratio("#000000", "#ffffff") == 21.0
    assert contrast_ratio("#ffffff", "#ffffff") == 1.0
    assert abs(contrast_ratio("#777777") - 4.48) < 0.01


def test_an_optimizer_keeps_its_colour_in_every_scenario():
    seen: dict[str, set] = {}
    for scenario in scenarios.SCENARIOS:
        state, _ = from_query(scenarios.share_query(scenario))
        for run in state.runs:
            seen.setdefault(run.optimizer, set()).add(run.color)
    assert seen["momentum"] == {optimizer_color("momentum")} and seen["sgd"] == {optimizer_color("sgd")}
    assert all(len(colours) == 1 for colours in seen.values()), seen


def test_every_optimizer_has_a_colour_and_the_classic_ones_differ():
    for name in optimizers.names():
        assert 0 <= optimizer_color(name) < len(PALETTE)
    classic = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "newton"]
    assert len({optimizer_color(n) for n in classic}) == len(classic)


def test_runs_of_one_colour_get_distinct_dashes_and_the_link_stays_short():
    assert run_dashes([1, 3, 1, 1, 3]) == ["solid", "solid", "dash", "dot", "dash"]
    assert set(DASH_ARRAYS) == set(DASHES) and DASH_ARRAYS["solid"] == ""
    state, notices = from_query("?run=momentum:lr=0.01&run=momentum:lr=0.001&run=adam")
    assert notices == [] and [r.color for r in state.runs] == [optimizer_color("momentum")] * 2 + [optimizer_color("adam")]
    assert "color=" not in to_query(state)
    assert "color=" not in to_query(default_state())
    # a colour set in a link is kept, and written back
    state, _ = from_query("?run=sgd;color=5")
    assert state.runs[0].color == 5 and "color=5" in to_query(state)


def test_the_payload_carries_text_colours_and_dashes():
    from webapp.compute import simulate_runs

    state, _ = from_query("?run=momentum:lr=0.01&run=momentum:lr=0.001&steps=5")
    surface, results, steps = simulate_runs(state, [])
    payload = stage_figures.run_payload(results, state.view_box(), steps, 1, state.start_point())
    assert [r["dash"] for r in payload["runs"]] == ["", DASH_ARRAYS["dash"]]
    assert {r["text_color"] for r in payload["runs"]} == {text_color(optimizer_color("momentum"))}
    loss = stage_figures.loss_figure(surface, results, steps)
    assert [trace["line"]["dash"] for trace in loss["data"]] == ["solid", "dash"]
