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
