"""Build a valid ``/_dash-update-component`` request from a Dash app's own layout and callback map.

The benchmarks read ``GET /_dash-layout`` and ``GET /_dash-dependencies`` and
assemble the request the browser would send for the initial view, so they keep
working while the app changes. Pattern-matching ids are supported (``ALL``
gathers every matching component of the layout; ``MATCH``/``ALLSMALLER`` take
the first match, enough for a benchmark).

``pick_main_callback`` chooses the callback that draws the most: a server-side
callback whose outputs include a ``figure``, with the most inputs and states.
``numeric_control`` finds an input holding a number (a slider or number box)
for simulated users to change. :class:`Session` plays a browser tab: the page
load, then control changes followed by the callbacks they trigger.
"""
from __future__ import annotations

import json
import threading
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


# What the browser fills in for a dcc.Location on a plain visit to the page.
LOCATION_DEFAULTS = {"pathname": "/", "search": "", "hash": "", "href": "http://127.0.0.1/"}


def add_components(found: dict[str, dict], tree) -> dict[str, dict]:
    """Add every component of ``tree`` with an id to ``found`` (stringified id -> props), and return it."""
    for component in walk_components(tree):
        component_id = component["props"].get("id")
        if component_id is not None:
            props = dict(component["props"])
            if component.get("type") == "Location":
                props = {**LOCATION_DEFAULTS, **{k: v for k, v in props.items() if v is not None}}
            found[stringify_id(component_id)] = props
    return found


def components_by_id(layout) -> dict[str, dict]:
    """Stringified id -> the component's props."""
    return add_components({}, layout)


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
    # "state.data@<hash>" is a duplicate output (allow_duplicate): the property is "data"
    return [(id_text, prop.split("@")[0]) for id_text, prop in (part.rsplit(".", 1) for part in parts)]


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
            if item.get("property", "").startswith("n_clicks"):     # a button, not a value a user sets
                continue
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
    """``(spec, body)`` for the app's main callback with the layout's values, given ``get_json(path)``."""
    dependencies = get_json("/_dash-dependencies")
    spec = pick_main_callback(dependencies)
    if spec is None:
        return None
    components = components_by_id(get_json("/_dash-layout"))
    return spec, build_request(spec, components)


def dependency_keys(specs: list[dict], key: str) -> set[str]:
    return {f"{d['id']}.{d['property']}" for spec in specs for d in spec.get(key, [])}


class Session:
    """One browser tab, as far as the server can tell: the components' current values, and callbacks fired.

    ``post(body) -> (status, seconds, parsed JSON or None)`` sends one callback
    request. :meth:`load` plays the page load (every server-side callback that
    fires initially, in dependency order, e.g. URL -> state store -> figures);
    :meth:`change` plays a user changing one control: the control's callback,
    then, in parallel, every callback its outputs trigger (e.g. the main one).
    """

    def __init__(self, layout, dependencies: list[dict], post):
        self.components = components_by_id(layout)
        self.specs = [d for d in dependencies if not d.get("clientside_function")]
        self.main = pick_main_callback(dependencies)
        self.post = post

    def copy(self, post=None) -> "Session":
        twin = object.__new__(Session)
        twin.components = json.loads(json.dumps(self.components))
        twin.specs, twin.main, twin.post = self.specs, self.main, post or self.post
        return twin

    def apply(self, response: dict) -> None:
        """Store the values a callback returned (and any components it created)."""
        for id_text, props in (response or {}).get("response", {}).items():
            target = self.components.setdefault(id_text, {})
            for prop, value in props.items():
                target[prop] = value
                if isinstance(value, (list, dict)):
                    add_components(self.components, value)

    def fire(self, spec: dict, changed: str | None = None) -> tuple[int, float]:
        status, seconds, data = self.post(build_request(spec, self.components, changed))
        if status == 200 and isinstance(data, dict):
            self.apply(data)
        return status, seconds

    def load(self, max_rounds: int = 6) -> list[tuple[str, int, float]]:
        """Fire the initial callbacks in dependency order; ``[(output, status, seconds)]``."""
        waiting = [spec for spec in self.specs if not spec.get("prevent_initial_call")]
        fired = []
        for _ in range(max_rounds):
            ready = [spec for spec in waiting
                     if not (dependency_keys([spec], "inputs") & self._outputs(s for s in waiting if s is not spec))]
            if not ready:
                break
            for spec in ready:
                status, seconds = self.fire(spec)
                fired.append((spec["output"], status, seconds))
                waiting.remove(spec)
        return fired

    def _outputs(self, specs) -> set[str]:
        return {f"{id_text}.{prop}" for spec in specs for id_text, prop in split_outputs(spec["output"])}

    def controls(self) -> list[tuple[dict, tuple[int, int | None]]]:
        """Server-side callbacks triggered by a number the user can change, whose effect reaches the main one."""
        found = []
        main_inputs = dependency_keys([self.main], "inputs") if self.main else set()
        for spec in self.specs:
            if spec is self.main or not (self._outputs([spec]) & main_inputs):
                continue
            where = numeric_control(build_request(spec, self.components))
            if where is not None:
                found.append((spec, where))
        if not found and self.main is not None:
            # one callback answers every edit (webapp/panels/answer.py): its own numeric inputs are the controls
            body = build_request(self.main, self.components)
            for index, entry in enumerate(body["inputs"]):
                items = entry if isinstance(entry, list) else [entry]
                for item_index, item in enumerate(items):
                    value = item.get("value")
                    if item.get("property", "").startswith("n_clicks") or item.get("property") != "value":
                        continue
                    if isinstance(value, (int, float)) and not isinstance(value, bool):
                        found.append((self.main, (index, item_index if isinstance(entry, list) else None)))
        return found

    def change(self, spec: dict, where, value) -> list[tuple[str, int, float]]:
        """Set one control and fire what follows; ``[(output, status, seconds)]`` of every request."""
        body = with_value(build_request(spec, self.components), where, value)
        item = body["inputs"][where[0]] if where[1] is None else body["inputs"][where[0]][where[1]]
        self.components.setdefault(stringify_id(item["id"]), {})[item["property"]] = value
        status, seconds, data = self.post(body)
        requests = [(spec["output"], status, seconds)]
        if status == 200 and isinstance(data, dict):
            self.apply(data)
            # what the answer really changed (as the browser, which fires only the callbacks of updated props)
            changed = {f"{id_text}.{prop}" for id_text, props in (data.get("response") or {}).items() for prop in props}
            # one level: the callbacks fed by what the control changed, sent at once as the browser does
            followers = [f for f in self.specs if f is not spec and dependency_keys([f], "inputs") & changed]
            bodies = [build_request(f, self.components, next(iter(dependency_keys([f], "inputs") & changed)))
                      for f in followers]
            answers: list = [None] * len(followers)

            def send(i):
                answers[i] = self.post(bodies[i])

            threads = [threading.Thread(target=send, args=(i,)) for i in range(len(followers))]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            for follower, (status, seconds, data) in zip(followers, answers):
                if status == 200 and isinstance(data, dict):
                    self.apply(data)
                requests.append((follower["output"], status, seconds))
        return requests
