"""Build a valid ``/_dash-update-component`` request from a Dash app's own layout and callback map.

The benchmarks read ``GET /_dash-layout`` and ``GET /_dash-dependencies`` and
assemble the request the browser would send for the initial view, so they keep
working while the app changes. Pattern-matching ids are supported (``ALL``
gathers every matching component of the layout; ``MATCH``/``ALLSMALLER`` take
the first match, enough for a benchmark).

``pick_main_callback`` chooses the callback that draws the most: a server-side
callback whose outputs include a ``figure``, with the most inputs and states.
``numeric_control`` finds an input holding a number (a slider or number box)
for simulated users to change.
"""
from __future__ import annotations

import json
from typing import Any, Iterator

WILDCARDS = ('["ALL"]', '["MATCH"]', '["ALLSMALLER"]')


def stringify_id(component_id) -> str:
    """Dash's string form of an id: the string itself, or compact sorted JSON for a dict id."""
    if isinstance(component_id, dict):
        return json.dumps(component_id, sort_keys=True, separators=(",", ":"))
    return component_id


def walk_components(node) -> Iterator[dict]:
    """Every component (``{"type", "namespace", "props"}``) in a serialized layout, depth first."""
    if isinstance(node, list):
        for child in node:
            yield from walk_components(child)
    elif isinstance(node, dict):
        props = node.get("props")
        if isinstance(props, dict) and "type" in node:
            yield node
            for value in props.values():
                if isinstance(value, (list, dict)):
                    yield from walk_components(value)


def components_by_id(layout) -> dict[str, dict]:
    """Stringified id -> the component's props."""
    found = {}
    for component in walk_components(layout):
        component_id = component["props"].get("id")
        if component_id is not None:
            found[stringify_id(component_id)] = component["props"]
    return found


def _matches(pattern: dict, concrete) -> bool:
    if not isinstance(concrete, dict) or set(pattern) != set(concrete):
        return False
    return all(isinstance(value, list) or concrete[key] == value for key, value in pattern.items())


def _is_pattern(id_text: str) -> bool:
    return id_text.startswith("{") and any(w in id_text for w in WILDCARDS)


def resolve(dependency: dict, components: dict[str, dict]):
    """One input/state entry as Dash's renderer sends it, valued from the layout."""
    id_text, prop = dependency["id"], dependency["property"]
    if not _is_pattern(id_text):
        component_id = json.loads(id_text) if id_text.startswith("{") else id_text
        value = components.get(id_text, {}).get(prop)
        return {"id": component_id, "property": prop, "value": value}
    pattern = json.loads(id_text)
    matches = []
    for key, props in components.items():
        if key.startswith("{"):
            concrete = json.loads(key)
            if _matches(pattern, concrete):
                matches.append({"id": concrete, "property": prop, "value": props.get(prop)})
    if any(value == ["ALL"] for value in pattern.values()):
        return matches
    return matches[0] if matches else {"id": pattern, "property": prop, "value": None}


def split_outputs(output: str) -> list[tuple[str, str]]:
    """``"a.b"`` or ``"..a.b...c.d.."`` -> ``[(id_text, property), ...]``."""
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    return [tuple(part.rsplit(".", 1)) for part in parts]


def build_request(spec: dict, components: dict[str, dict], changed: str | None = None) -> dict:
    """The body of ``POST /_dash-update-component`` for callback ``spec`` (one entry of the dependencies)."""
    outputs = []
    for id_text, prop in split_outputs(spec["output"]):
        if _is_pattern(id_text):
            resolved = resolve({"id": id_text, "property": prop}, components)
            items = resolved if isinstance(resolved, list) else [resolved]
            outputs.append([{"id": item["id"], "property": prop} for item in items]
                           if '["ALL"]' in id_text else {"id": items[0]["id"], "property": prop})
        else:
            component_id = json.loads(id_text) if id_text.startswith("{") else id_text
            outputs.append({"id": component_id, "property": prop})
    inputs = [resolve(d, components) for d in spec["inputs"]]
    state = [resolve(d, components) for d in spec.get("state", [])]
    return {
        "output": spec["output"],
        "outputs": outputs if spec["output"].startswith("..") else outputs[0],
        "inputs": inputs,
        "state": state,
        "changedPropIds": [changed] if changed else [],
    }


def pick_main_callback(dependencies: list[dict]) -> dict | None:
    """The server-side callback that draws a figure with the most inputs and states (else the largest)."""
    server_side = [d for d in dependencies if not d.get("clientside_function")]
    if not server_side:
        return None

    def weight(spec):
        draws = any(prop == "figure" for _, prop in split_outputs(spec["output"]))
        return (draws, len(spec["inputs"]) + len(spec.get("state", [])))

    return max(server_side, key=weight)


def numeric_control(body: dict) -> tuple[int, int | None] | None:
    """Where a number sits among the request's inputs: ``(input index, item index or None)``."""
    for index, entry in enumerate(body["inputs"]):
        items = entry if isinstance(entry, list) else [entry]
        for item_index, item in enumerate(items):
            value = item.get("value")
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return index, (item_index if isinstance(entry, list) else None)
    return None


def with_value(body: dict, where: tuple[int, int | None], value: Any) -> dict:
    """A copy of ``body`` with one input changed and marked as the trigger."""
    body = json.loads(json.dumps(body))
    index, item_index = where
    item = body["inputs"][index] if item_index is None else body["inputs"][index][item_index]
    item["value"] = value
    body["changedPropIds"] = [f"{stringify_id(item['id'])}.{item['property']}"]
    return body


def main_request(get_json) -> tuple[dict, dict] | None:
    """``(spec, body)`` for the app's main callback, given ``get_json(path) -> parsed JSON``."""
    dependencies = get_json("/_dash-dependencies")
    spec = pick_main_callback(dependencies)
    if spec is None:
        return None
    components = components_by_id(get_json("/_dash-layout"))
    return spec, build_request(spec, components)
