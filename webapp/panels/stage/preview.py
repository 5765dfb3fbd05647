"""The path under a dragged slider: one run re-simulated for a value the thumb passes, outside Dash.

While a run's slider is dragged, the browser (``assets/player-slider.js``) posts each new position
here, throttled, with the page's share query (the URL *is* the state)::

    POST <prefix>_optiscape/preview   {"query": "?surface=...&run=...", "run": i,
                                       "control": {"type": "hyper" | "sched-param", "name": "lr"},
                                       "value": 0.012, "seq": 17}

and gets that one run's payload entry (:func:`webapp.figures.stage.run_payload`'s ``runs[0]``, the
lecture overlays included) and ``seq`` back; the player swaps it in and redraws. Nothing else is
computed or sent (no loss plot, table, cards or stores), and several answers may be in flight at
once, so the path follows the thumb at the server's pace rather than at one Dash round trip per
update (Dash keeps one request per callback in flight and drops an answer once a newer request of
the same callback is out). On release the slider's value is one edit of the one answer
(:mod:`webapp.panels.answer`) as usual, which draws everything.

The value goes through the same coercion as the answer's (:func:`webapp.panels.runs.edits.apply_run_value`);
a malformed body is a 400 with a one-line reason; the request has the server's deadline like any other.
"""
from __future__ import annotations

import flask

from webapp.compute import simulate_runs
from webapp.figures.stage import run_payload
from webapp.panels.lecture.payload import run_extras
from webapp.panels.runs.edits import apply_run_value, control_params
from webapp.state import from_query

__all__ = ["PREVIEW_PATH", "preview", "register"]

PREVIEW_PATH = "_optiscape/preview"
MAX_QUERY = 8000
KINDS = ("hyper", "sched-param")


class BadPreview(ValueError):
    """A preview request that cannot be answered (its reason is the 400's message)."""


def preview(body) -> dict:
    """The answer to one preview request (see the module docstring); raises :class:`BadPreview`."""
    if not isinstance(body, dict):
        raise BadPreview("expected a JSON object")
    query, index, control, value = body.get("query"), body.get("run"), body.get("control"), body.get("value")
    if not isinstance(query, str) or len(query) > MAX_QUERY:
        raise BadPreview(f"'query' must be a share query of at most {MAX_QUERY} characters")
    if not isinstance(control, dict) or control.get("type") not in KINDS or not isinstance(control.get("name"), str):
        raise BadPreview(f"'control' must be {{'type': one of {', '.join(KINDS)}, 'name': a parameter}}")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadPreview("'value' must be a number")
    state, _ = from_query(query)
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(state.runs):
        raise BadPreview(f"'run' must be a run number from 0 to {len(state.runs) - 1}")
    run = state.runs[index]
    if control["name"] not in control_params(run, control["type"]):
        raise BadPreview(f"run {index + 1} has no {control['type']} parameter {control['name'][:40]!r}")
    notices: list = []
    apply_run_value(run, {"type": control["type"], "name": control["name"], "run": index}, value, notices, index)
    state.runs = [run]
    surface, results, steps = simulate_runs(state, notices)
    if not results:
        raise BadPreview("the run could not be simulated")
    view = state.view_box()
    extras, _ = run_extras(state, results, view)
    entry = run_payload(results, view, steps, 0, state.start_point(), extras=extras)["runs"][0]
    seq = body.get("seq")
    return {"seq": seq if isinstance(seq, int) and not isinstance(seq, bool) else None, "run": index,
            "steps": steps, "entry": entry, "notices": [str(n)[:300] for n in notices][:5]}


def register(app) -> None:
    """Serve :func:`preview` at ``<requests prefix>_optiscape/preview`` (POST, JSON)."""
    path = app.config.routes_pathname_prefix + PREVIEW_PATH

    def answer():
        try:
            return flask.jsonify(preview(flask.request.get_json(silent=True)))
        except BadPreview as reason:
            return flask.jsonify({"error": str(reason)}), 400

    app.server.add_url_rule(path, "optiscape_preview", answer, methods=["POST"])
