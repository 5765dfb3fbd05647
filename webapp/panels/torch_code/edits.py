"""The run cards' PyTorch button: that run, as the page runs it, written as a torch script
(:func:`optimizers.torch_snippet.torch_snippet`) into the card's text area."""
from __future__ import annotations

from dash import ALL

from optimizers.torch_snippet import torch_snippet
from webapp.panels.edits import Edit, EditContext
from webapp.panels.wiring import run_index

__all__ = ["EDITS", "run_script"]


def run_script(state, index: int) -> tuple[str, str]:
    """``(script, status)`` for run ``index`` of ``state``; the script is empty when torch cannot express it."""
    run = state.runs[index]
    owner = f"Run {index + 1} ({run.name()})"
    try:
        script = torch_snippet(surface=state.surface, surface_params=dict(state.surface_params),
                               optimizer=run.optimizer, hyper=dict(run.hyper), schedule=run.schedule,
                               schedule_params=dict(run.schedule_params), noise=run.noise, seed=run.seed,
                               start=state.start_point(), steps=int(state.steps))
    except ValueError as error:
        return "", f"{owner} cannot be written as PyTorch: {str(error)[:240]}"
    return script, f"{owner}, {int(state.steps)} steps: run it with python; it leaves the path in `path`."


def write_script(context: EditContext) -> bool:
    index = run_index(context.component_id, context.state)
    if index is None or not context.value:
        return False
    script, status = run_script(context.state, index)
    context.outputs.update(torch_snippet=script, torch_status=status, torch_open=True)
    return False                    # the state is unchanged: only the text area is written


EDITS = (Edit("run_torch", {"type": "run-torch", "run": ALL}, "n_clicks", write_script),)
