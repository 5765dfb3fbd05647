"""Posting to the app's one answer callback over HTTP, as the browser does (for the web-layer tests)."""
from __future__ import annotations

import json

import app as app_module

CALLBACKS = app_module.app.callback_map
ANSWER = next(key for key in CALLBACKS if "..state.data..." in key and "map-graph.figure" in key)


def _outputs(key: str) -> list:
    return [{"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]} for part in key[2:-2].split("...")]


def _dependency(dep: dict, fired, value, given: dict):
    component, prop = dep["id"], dep["property"]
    if component.startswith("{"):
        pattern = json.loads(component)
        if isinstance(fired, dict) and fired.get("type") == pattern.get("type") and prop == given.get("prop"):
            return [{"id": fired, "property": prop, "value": value}]
        return []
    if component == fired and prop == given.get("prop"):
        return {"id": component, "property": prop, "value": value}
    return {"id": component, "property": prop, "value": given.get(f"{component}.{prop}")}


def post(client, fired=None, prop: str = "value", value=None, stored=None, rendered=None, extra: dict | None = None):
    """One request: ``fired`` (a component id, or None for "render the stored state") set to ``value``;
    ``extra``: other inputs' and states' values by ``"component.prop"``."""
    spec = CALLBACKS[ANSWER]
    given = {"prop": prop, f"{'state'}.data": stored, "rendered.data": rendered, **(extra or {})}
    inputs = [_dependency(d, fired, value, given) for d in spec["inputs"]]
    states = [_dependency(d, fired, value, given) for d in spec["state"]]
    changed = []
    if fired is not None:
        fired_text = json.dumps(fired, sort_keys=True, separators=(",", ":")) if isinstance(fired, dict) else fired
        changed = [f"{fired_text}.{prop}"]
    body = {"output": ANSWER, "outputs": _outputs(ANSWER), "inputs": inputs, "state": states,
            "changedPropIds": changed}
    return client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")


def response_of(response) -> dict:
    """The answer's outputs ``{component: {prop: value}}`` (``{}`` for "no update")."""
    if response.status_code == 204:
        return {}
    assert response.status_code == 200, response.data[:300]
    return response.get_json()["response"]
