"""The room panel's callbacks: the share query goes to the room (teacher); a poll's results are
drawn next to the true outcome (every page, once revealed; the teacher's live); a handout link's
flags mark the controls (``assets/handout.js``).

Everything else of a room (creating it, following, branching off, answering, the player) runs
in the browser, in ``assets/room.js``, against the rooms API; the server refuses a student's
change there (:mod:`webapp.rooms`).

The true outcome is computed here with the engine on the page's own state (a follower's page
holds the room's state): "settles first" is the run with the smallest ``settled_at`` (the step
from which the loss stays within ``TOLERANCE`` of the minimum to the end), "where run k ends" is
run k's last point.
"""
from __future__ import annotations

import numpy as np
from dash import ClientsideFunction, Input, Output, State, html, no_update

from webapp.compute.runs import TOLERANCE, simulate_runs
from webapp.figures.poll import answer_bars, click_heatmap
from webapp.panels.wiring import STATE, guarded
from webapp.state import PALETTE, from_store

__all__ = ["register", "poll_outcome", "poll_figure"]

HIDDEN = {"display": "none"}


def poll_outcome(state, poll: dict) -> dict:
    """``{"text", "truth", "end", "path", "color"}``: the true answer of ``poll`` on ``state``."""
    notices: list = []
    _, results, steps = simulate_runs(state, notices)
    if poll.get("kind") == "settles_first":
        settled = []
        for result in results:
            at = int(result.trajectory.settled_at(TOLERANCE)[result.column]) if result.trajectory is not None else -1
            settled.append(at)
        candidates = [(at, i) for i, at in enumerate(settled) if at >= 0]
        if not candidates:
            return {"text": f"True outcome: no run settles within {TOLERANCE:g} of the minimum in {steps} steps.",
                    "truth": None}
        at, index = min(candidates)
        return {"text": f"True outcome: run {index + 1} ({results[index].label}) settles first, at step {at}.",
                "truth": index}
    run = poll.get("run")
    if not isinstance(run, int) or not 1 <= run <= len(results):
        return {"text": "This page's runs no longer match the poll.", "truth": None, "end": None, "path": None,
                "color": PALETTE[0]}
    result = results[run - 1]
    color = PALETTE[result.spec.color % len(PALETTE)]
    path = result.path[np.all(np.isfinite(result.path), axis=1)]
    if result.diverged_at >= 0 or not len(path):
        return {"text": f"True outcome: run {run} ({result.label}) diverges at step {result.diverged_at}.",
                "truth": None, "end": None, "path": path, "color": color}
    x, y = path[-1]
    return {"text": f"True outcome: run {run} ({result.label}) ends at ({x:.3g}, {y:.3g}).", "truth": None,
            "end": (float(x), float(y)), "path": path, "color": color}


def poll_figure(state, poll: dict) -> tuple[dict, str]:
    """The results figure and the outcome's sentence for a poll with ``results``."""
    outcome = poll_outcome(state, poll)
    results = poll["results"]
    shown = "Class answers" if poll.get("revealed") else "Live answers (students do not see them yet)"
    title = f"{shown}: {results.get('total', 0)}"
    if poll["kind"] == "settles_first":
        colors = [PALETTE[run.color % len(PALETTE)] for run in state.runs]
        names = list(poll.get("choices") or [])
        colors = (colors + [PALETTE[0]] * len(names))[:len(names)]
        return answer_bars(names, results["counts"], colors, outcome["truth"], title), outcome["text"]
    return (click_heatmap(results["view"], results["counts"], outcome["path"], outcome["end"], outcome["color"],
                          title), outcome["text"])


def register(app) -> None:
    app.clientside_callback(ClientsideFunction("optiscape", "roomShared"),
                            Output("room-sink", "data"), Input("share-query", "data"), prevent_initial_call=True)
    # a handout link's hidden and locked controls (webapp.state.handout), marked in the browser
    app.clientside_callback(ClientsideFunction("optiscape", "handout"),
                            Output("handout-sink", "data"), Input(STATE, "data"), prevent_initial_call=True)

    @app.callback(Output("room-poll-graph", "figure"), Output("room-poll-graph", "style"),
                  Output("room-poll-outcome", "children"),
                  Input("room-poll", "data"), State(STATE, "data"), prevent_initial_call=True)
    @guarded(3)
    def show_poll(poll, stored):
        if not isinstance(poll, dict) or not isinstance(poll.get("results"), dict) or \
                poll.get("kind") not in ("settles_first", "run_end"):
            return no_update, HIDDEN, ""
        if not poll.get("revealed") and not poll.get("teacher"):
            return no_update, HIDDEN, ""
        state, _ = from_store(stored)
        figure, text = poll_figure(state, poll)
        return figure, {}, html.Strong(text) if poll.get("revealed") else text
