"""Copy as PyTorch through the real answer callback: the script names the run's optimizer and values,
reproduces the page's path, and a run torch cannot express gets a message instead of a script."""
from __future__ import annotations

import runpy

import numpy as np
import pytest

import app as app_module
import optimizers
from webapp.state import default_run, default_state, to_store

from web_answer import post, response_of


@pytest.fixture(scope="module")
def client():
    return app_module.server.test_client()


def press(client, state, run: int) -> dict:
    """Draw the page of ``state``, then press run ``run``'s PyTorch button on it."""
    drawn = response_of(post(client, stored=to_store(state)))
    return response_of(post(client, {"type": "run-torch", "run": run}, "n_clicks", 1,
                            stored=drawn["state"]["data"], rendered=drawn["rendered"]["data"]))


def test_the_pytorch_button_writes_that_runs_script_which_reproduces_its_path(client, tmp_path):
    state = default_state()
    state.runs[1] = default_run("momentum", lr=0.004, color=1)
    state.runs[1].schedule, state.runs[1].schedule_params = "step", {"step_size": 30, "gamma": 0.5}
    state.steps = 60
    out = press(client, state, 1)
    script = out["torch-snippet"]["value"]
    assert "torch.optim.SGD([p], lr=0.004" in script and "momentum=0.9" in script
    assert "StepLR(opt, step_size=30" in script
    assert out["torch-details"]["open"] is True and "Run 2" in out["torch-status"]["children"]
    assert "map-graph" not in out and "runs-panel" not in out       # the picture and the cards stay
    file = tmp_path / "run.py"
    file.write_text(script, encoding="utf-8")
    path = runpy.run_path(str(file))["path"]
    run = state.runs[1]
    ours = optimizers.run(state.landscape(), run.build_optimizer(), state.start_point(), 60,
                          schedule=run.build_schedule())
    np.testing.assert_allclose(np.asarray(path), ours, rtol=1e-9, atol=1e-12)


def test_a_run_torch_cannot_express_gets_a_message_and_no_script(client):
    state = default_state()
    state.runs[0] = default_run("adam", bias_correction=False)
    out = press(client, state, 0)
    assert out["torch-snippet"]["value"] == ""
    assert "cannot be written as PyTorch" in out["torch-status"]["children"]


def test_a_button_of_a_run_that_does_not_exist_does_nothing(client):
    response = post(client, {"type": "run-torch", "run": 7}, "n_clicks", 1, stored=to_store(default_state()),
                    rendered={"revision": -1})
    assert response.status_code in (200, 204)
    assert "torch-snippet" not in response_of(response)
