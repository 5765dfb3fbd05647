"""The local-model card's callbacks: "Show" copies the player's current step into the step box (in the
browser); the run and step boxes -> the figures (read-only: it reads the page's state, never writes it).

A run or step out of range is refused with a message naming the range; nothing is clamped."""
from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State, html, no_update

from webapp.compute import simulate_runs
from webapp.figures.local_model import local_model, model_figure, slice_figure, verdict
from webapp.panels.wiring import guarded
from webapp.state import coerce, from_store

__all__ = ["register", "card_content"]


def _refusal(text: str) -> tuple:
    return no_update, no_update, "", [html.P(text)]


def card_content(stored, run_number, step) -> tuple:
    """``(model figure, slice figure, verdict, message)`` for run ``run_number`` (1-based) at ``step``."""
    state, _ = from_store(stored)
    run_value, step_value = coerce.number(run_number), coerce.number(step)
    if not state.runs:
        return _refusal("Local model: the page has no runs.")
    if run_value is None or run_value != int(run_value) or not 1 <= run_value <= len(state.runs):
        return _refusal(f"Local model: run must be a whole number from 1 to {len(state.runs)}; "
                        f"got {coerce.short(run_number)}.")
    surface, results, _ = simulate_runs(state, [])
    found = [r for r in results if r.index == int(run_value) - 1]
    if not found:
        return _refusal(f"Local model: run {int(run_value)} could not run.")
    result = found[0]
    last = result.path.shape[0] - 1
    if step_value is None or step_value != int(step_value) or not 0 <= step_value <= last:
        return _refusal(f"Local model: step must be a whole number from 0 to {last} (run {int(run_value)}'s "
                        f"last step); got {coerce.short(step)}.")
    try:
        model = local_model(surface, result.path, int(step_value), state.view_box())
    except (ValueError, FloatingPointError, ArithmeticError) as error:
        return _refusal(f"Local model: {error}.")
    title = f"{result.label} at step {model.step}: ({model.point[0]:.4g}, {model.point[1]:.4g}), f = {model.value:.4g}"
    return model_figure(model, title), slice_figure(model), verdict(model), []


def register(app) -> None:
    app.clientside_callback(ClientsideFunction("optiscape", "playerStep"), Output("local-step", "value"),
                            Input("local-show", "n_clicks"), prevent_initial_call=True)

    @app.callback(Output("local-graph", "figure"), Output("local-slice", "figure"), Output("local-verdict", "children"),
                  Output("local-message", "children"), Input("local-step", "value"), Input("local-run", "value"),
                  State("state", "data"), prevent_initial_call=True)
    @guarded(4)
    def show_local_model(step, run_number, stored):
        return card_content(stored, run_number, step)
