"""Exports: the CSV has one row per run and step; the HTML page is standalone and carries the data."""
from __future__ import annotations

import csv
import io
import json

from webapp import export
from webapp.panels.stage.render import render_page
from webapp.compute import simulate_runs
from webapp.state import default_state


def test_csv_has_one_row_per_run_and_step():
    state = default_state()
    state.steps = 40
    _, results, steps, = simulate_runs(state, [])
    rows = list(csv.DictReader(io.StringIO(export.csv_text(results))))
    assert tuple(rows[0].keys()) == export.CSV_COLUMNS
    for column in ("run", "optimizer", "hyperparameters", "step", "x", "y", "loss", "grad_norm", "lr"):
        assert column in export.CSV_COLUMNS
    assert len(rows) == len(results) * (steps + 1)
    first_adam = next(r for r in rows if r["optimizer"] == "adam")
    assert first_adam["step"] == "0" and float(first_adam["x"]) == -8.0 and float(first_adam["y"]) == 1.5
    assert first_adam["lr"] == ""                                  # no step led to the start
    assert "lr=0.3" in first_adam["hyperparameters"]
    adam_rows = [r for r in rows if r["optimizer"] == "adam"]
    adam = results[[r.spec.optimizer for r in results].index("adam")]
    assert float(adam_rows[-1]["loss"]) == adam.loss[-1]           # full precision
    assert float(adam_rows[1]["lr"]) == 0.3
    assert {r["run"] for r in rows} == {"1", "2", "3", "4"}


def test_standalone_html_contains_plotly_the_player_and_the_data():
    state = default_state()
    state.steps = 30
    page = render_page(state, [])
    text = export.standalone_html(page["map"], page["loss"], page["payload"], "optiscape: test <valley>")
    assert text.startswith("<!DOCTYPE html>")
    assert "plotly.js v" in text or "Plotly" in text[:200_000]
    assert len(text) > 1_000_000                                   # plotly.js is inline: no network needed
    assert "<script src=" not in text
    assert "window.optiscapePlayer" in text and "requestAnimationFrame" in text
    assert "optiscape: test &lt;valley&gt;" in text
    payload_json = json.dumps(page["payload"], allow_nan=False, separators=(",", ":"))
    assert payload_json in text
    assert '"type":"contour"' in text


def test_standalone_html_names_the_surface_its_formula_and_every_run():
    from webapp.state import from_query

    state, _ = from_query("?surface=ill_conditioned&run=momentum:lr=0.01&run=momentum:lr=0.001&run=adam&steps=20")
    page = render_page(state, [])
    text = export.standalone_html(page["map"], page["loss"], page["payload"], "optiscape", "en",
                                  surface_name="Ill-conditioned valley", formula=state.landscape().formula)
    assert "<strong>Ill-conditioned valley</strong>" in text and "f(x, y) = 1/2 (x^2 + 50 y^2)" in text
    legend = text[text.index('<div class="legend">'):text.index('<div id="map-graph">')]
    names = [run["name"] for run in page["payload"]["runs"]]
    assert all(f">{name}</span>" in legend for name in names) and legend.count("legend-chip") == 3
    assert legend.count("stroke-dasharray") == 1                     # the second Momentum is dashed
    assert "#936500" in legend                                      # Momentum's name in its readable orange


def test_plain_formula_writes_latex_as_text():
    assert export.plain_formula(r"\tfrac12\,(x^2 + 50\,y^2)") == "1/2 (x^2 + 50 y^2)"
    assert export.plain_formula(r"\left(x^{2} - 1\right)^{2} + 0.5 \cdot y^{2}") == "(x^2 - 1)^2 + 0.5 · y^2"
    assert export.plain_formula(r"-20\,e^{-0.2\sqrt{x^2}} + \cos 2\pi x") == "-20 e^(-0.2√(x^2)) + cos 2π x"
    assert export.plain_formula(r"x \leq \lambda") == "x ≤ λ"
