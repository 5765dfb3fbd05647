"""webapp.server.harden: body limit, malformed callback requests, no tracebacks, headers, debug off.

Checked with Flask's test client on a small Dash app built here, and on the
real app (``app.server``) with a request built from its own callback map.
"""
from __future__ import annotations

import json

import pytest
from dash import ALL, Dash, Input, Output, State, dcc, html

from webapp.server import MAX_BODY_BYTES, harden

CALLBACK = "/_dash-update-component"


def small_app() -> Dash:
    app = Dash(__name__)
    app.layout = html.Div([
        dcc.Input(id="text", value="a"),
        dcc.Input(id="other", value="b"),
        html.Div(id="echo"),
        html.Div([dcc.Input(id={"kind": "box", "i": i}, value=str(i)) for i in range(2)]),
        html.Div(id="total"),
    ])

    @app.callback(Output("echo", "children"), Input("text", "value"), State("other", "value"))
    def echo(text, other):
        if text == "boom":
            raise RuntimeError("a secret detail of the server")
        return f"{text}/{other}"

    @app.callback(Output("total", "children"), Input({"kind": "box", "i": ALL}, "value"))
    def total(values):
        return ",".join(values)

    harden(app)
    return app


def echo_body(text="x", other="y") -> dict:
    return {
        "output": "echo.children",
        "outputs": {"id": "echo", "property": "children"},
        "inputs": [{"id": "text", "property": "value", "value": text}],
        "state": [{"id": "other", "property": "value", "value": other}],
        "changedPropIds": ["text.value"],
    }


@pytest.fixture(scope="module")
def client():
    return small_app().server.test_client()


def test_a_well_formed_request_still_works(client):
    response = client.post(CALLBACK, json=echo_body("hello", "world"))
    assert response.status_code == 200
    assert response.get_json()["response"]["echo"]["children"] == "hello/world"


def test_pattern_matching_callbacks_still_work(client):
    body = {
        "output": "total.children",
        "outputs": {"id": "total", "property": "children"},
        "inputs": [[{"id": {"kind": "box", "i": i}, "property": "value", "value": str(i * 7)} for i in range(2)]],
        "changedPropIds": [],
    }
    response = client.post(CALLBACK, json=body)
    assert response.status_code == 200, response.data
    assert response.get_json()["response"]["total"]["children"] == "0,7"


def test_an_oversized_body_gets_413(client):
    padding = "x" * (MAX_BODY_BYTES + 10)
    response = client.post(CALLBACK, data=json.dumps({**echo_body(), "padding": padding}),
                           content_type="application/json")
    assert response.status_code == 413
    assert b"Traceback" not in response.data


GARBAGE = {
    "plain text": dict(data="not json at all", content_type="text/plain"),
    "broken json": dict(data='{"output": ', content_type="application/json"),
    "json list": dict(json=[1, 2, 3]),
    "json number": dict(json=42),
    "empty object": dict(json={}),
    "output not a string": dict(json={**echo_body(), "output": 7}),
    "unknown output": dict(json={**echo_body(), "output": "nowhere.children"}),
    "missing inputs": dict(json={k: v for k, v in echo_body().items() if k != "inputs"}),
    "missing outputs": dict(json={k: v for k, v in echo_body().items() if k != "outputs"}),
    "inputs a string": dict(json={**echo_body(), "inputs": "text"}),
    "input without id": dict(json={**echo_body(), "inputs": [{"property": "value", "value": 1}]}),
    "too many inputs": dict(json={**echo_body(), "inputs": echo_body()["inputs"] * 3}),
    "state missing": dict(json={**echo_body(), "state": []}),
    "outputs of the wrong shape": dict(json={**echo_body(), "outputs": {"nothing": 1}}),
    "changedPropIds not a list": dict(json={**echo_body(), "changedPropIds": 5}),
    "empty body": dict(data=b"", content_type="application/json"),
}


@pytest.mark.parametrize("name", list(GARBAGE))
def test_garbage_gets_a_4xx_without_a_traceback(client, name):
    response = client.post(CALLBACK, **GARBAGE[name])
    assert 400 <= response.status_code < 500, (name, response.status_code, response.data[:200])
    assert b"Traceback" not in response.data
    assert b"File \"" not in response.data


def test_an_exception_in_a_callback_leaks_nothing(client):
    response = client.post(CALLBACK, json=echo_body("boom"))
    assert response.status_code == 500
    assert b"Traceback" not in response.data
    assert b"secret detail" not in response.data


def test_security_headers_on_page_and_callbacks(client):
    for response in (client.get("/"), client.post(CALLBACK, json=echo_body())):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"]
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "'unsafe-eval'" not in policy
        script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
        assert "'unsafe-inline'" not in script_src
        assert "'sha256-" in script_src        # Dash's own inline renderer script is allowed by hash


def test_debug_is_off_and_harden_refuses_debug():
    app = small_app()
    assert app.server.debug is False
    assert app.server.config["MAX_CONTENT_LENGTH"] == MAX_BODY_BYTES
    debug_app = Dash(__name__)
    debug_app.server.debug = True
    with pytest.raises(RuntimeError, match="debug"):
        harden(debug_app)


# ----------------------------------------------------------------- the real app
def real_callback_body(server) -> dict | None:
    """A request for the real app's first callback, with every input and state given its layout value."""
    client = server.test_client()
    dependencies = client.get("/_dash-dependencies").get_json()
    for spec in dependencies:
        if any("[" in part for part in (spec["output"],)) or spec.get("clientside_function"):
            continue
        if any(isinstance(d["id"], str) and d["id"].startswith("{") for d in spec["inputs"] + spec["state"]):
            continue
        outputs = [{"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1]}
                   for o in spec["output"].strip(".").split("...")]
        return {
            "output": spec["output"],
            "outputs": outputs if spec["output"].startswith("..") else outputs[0],
            "inputs": [{"id": d["id"], "property": d["property"], "value": None} for d in spec["inputs"]],
            "state": [{"id": d["id"], "property": d["property"], "value": None} for d in spec["state"]],
            "changedPropIds": [],
        }
    return None


def test_the_real_app_is_hardened():
    from app import server   # the composition root
    client = server.test_client()
    page = client.get("/")
    assert page.status_code == 200
    assert server.debug is False
    assert page.headers.get("X-Content-Type-Options") == "nosniff", "app.py should call webapp.server.harden(app)"
    assert "Content-Security-Policy" in page.headers
    too_big = client.post(CALLBACK, data=b"{" + b" " * (MAX_BODY_BYTES + 10) + b"}",
                          content_type="application/json")
    assert too_big.status_code == 413
    for name, request in GARBAGE.items():
        response = client.post(CALLBACK, **request)
        assert 400 <= response.status_code < 500, (name, response.status_code)
        assert b"Traceback" not in response.data
    body = real_callback_body(server)
    if body is not None:
        # values of the wrong type everywhere: the app may refuse them, but never with a traceback
        response = client.post(CALLBACK, json=body)
        assert b"Traceback" not in response.data
