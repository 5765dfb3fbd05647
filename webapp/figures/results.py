"""What the results table and the CSV say about each run, honestly (pure; the Dash table is built in
:mod:`webapp.panels.stage.results`).

A run *settled at step k* when its loss gap ``f(x_t) - f*`` (the gradient norm on a surface without
a known global minimum) is within the tolerance ``tol`` = 1e-3 at every step ``t >= k`` to the end;
it *touched at k, left again* when ``gap_k <= tol`` but some later ``gap_t > tol``
(:mod:`optimizers.convergence`). "Distance to min" is ``min_m ||x_T - m||`` over the known minima
``m``, and says which kind of minimum (global or local) the nearest one is.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from optimizers.convergence import NEVER, describe
from webapp.compute.runs import TOLERANCE
from webapp.i18n import t
from webapp.state.model import PALETTE

__all__ = ["RunOutcome", "outcome", "results_rows", "minimum_label", "status_text", "TOLERANCE"]


@dataclass(frozen=True)
class RunOutcome:
    """One run's convergence facts: first touch, settled step, divergence (-1: never), the status line,
    and the known minimum nearest to its last point (``minimum_kind`` ``"global"``/``"local"``, or ``None``)."""

    touched_at: int
    settled_at: int
    diverged_at: int
    status: str
    minimum_kind: str | None
    distance: float

    @property
    def left_again(self) -> bool:
        return self.touched_at >= 0 and self.settled_at != self.touched_at


def outcome(result) -> RunOutcome:
    """The :class:`RunOutcome` of one page run (a :class:`webapp.compute.runs.RunResult`)."""
    trajectory, column = result.trajectory, result.column
    if trajectory is not None:
        facts = trajectory.convergence(TOLERANCE)
        touched, settled = int(facts.touched_at[column]), int(facts.settled_at[column])
        point, distance = trajectory.landscape.nearest_known_minimum(result.path[-1])
    else:                                    # a result built without its trajectory: the first touch only
        touched, settled, point, distance = int(result.steps_to_tolerance), NEVER, None, float("nan")
    diverged = int(result.diverged_at)
    status = describe(touched, settled, diverged)
    if status == "not converged":
        status = f"not converged in {result.path.shape[0] - 1} steps"
    if not np.all(np.isfinite(result.path[-1])):
        point, distance = None, float("nan")
    kind = point.kind.split()[0] if point is not None else None           # "global minimum" -> "global"
    return RunOutcome(touched, settled, diverged, status, kind, float(distance))


def status_text(facts: RunOutcome, steps: int, lang: str = "en") -> str:
    """The status line in ``lang`` (in English it is the engine's :func:`optimizers.convergence.describe`,
    with the steps of a run that never converged)."""
    if facts.diverged_at >= 0:
        return t("results.diverged", lang, step=facts.diverged_at)
    if facts.settled_at >= 0:
        if facts.touched_at != facts.settled_at:
            return t("results.settled_after_touch", lang, step=facts.settled_at, touched=facts.touched_at)
        return t("results.settled", lang, step=facts.settled_at)
    if facts.touched_at >= 0:
        return t("results.touched", lang, touched=facts.touched_at)
    return t("results.not_converged", lang, steps=steps)


def minimum_label(kind: str | None, lang: str = "en") -> str:
    """``"global"`` -> ``"global min"``; ``None`` -> ``""`` (in ``lang``)."""
    return t(f"results.min_{kind}", lang) if kind in ("global", "local") else (f"{kind} min" if kind else "")


def _fmt(value: float) -> str:
    if value is None or not math.isfinite(value):
        return "\u2014"
    return f"{value:.3g}"


def results_rows(results, steps: int, lang: str = "en") -> list[dict]:
    """One row per run: final loss, distance to the nearest known minimum and its kind, the step it
    settled at (stays within 1e-3 to the end), and its status ("settled at step k", "touched at k,
    left again", "diverged at step k", "not converged in T steps")."""
    rows = []
    for result in results:
        facts = outcome(result)
        rows.append({
            "run": result.label,
            "color": PALETTE[result.spec.color % len(PALETTE)],
            "final_loss": _fmt(float(result.loss[-1])),
            "distance": _fmt(facts.distance),
            "minimum": minimum_label(facts.minimum_kind, lang) if math.isfinite(facts.distance) else "",
            "settled_at": str(facts.settled_at) if facts.settled_at >= 0 else "\u2014",
            "status": facts.status if lang == "en" else status_text(facts, result.path.shape[0] - 1, lang),
            "diverged": facts.diverged_at >= 0,
            "left_again": facts.left_again and facts.settled_at < 0,
        })
    return rows
