"""The results table's rows: one plain dict per run (pure; the Dash table is built from them in
:mod:`webapp.panels.stage.results`, the CSV export reads the same results)."""
from __future__ import annotations

import math

from webapp.state.model import PALETTE

__all__ = ["results_rows"]


def _fmt(value: float) -> str:
    if value is None or not math.isfinite(value):
        return "\u2014"
    return f"{value:.3g}"


def results_rows(results, steps: int) -> list[dict]:
    """One row per run: final loss, distance to the nearest known minimum, steps to tolerance, divergence."""
    rows = []
    for result in results:
        if result.diverged_at >= 0:
            status = f"diverged at step {result.diverged_at}"
        elif result.steps_to_tolerance >= 0:
            status = f"converged at step {result.steps_to_tolerance}"
        else:
            status = f"not converged in {result.path.shape[0] - 1} steps"
        rows.append({
            "run": result.label,
            "color": PALETTE[result.spec.color % len(PALETTE)],
            "final_loss": _fmt(float(result.loss[-1])),
            "distance": _fmt(result.distance_to_minimum),
            "steps_to_tolerance": str(result.steps_to_tolerance) if result.steps_to_tolerance >= 0 else "\u2014",
            "status": status,
            "diverged": result.diverged_at >= 0,
        })
    return rows
