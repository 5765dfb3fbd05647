"""Smoke tests in real headless Chromium: the app renders, and the hardened server's CSP lets Dash work.

Run with ``python -m pytest tests/browser -q`` (headless, as root; options in tests/conftest.py).
"""
from __future__ import annotations

from dash import Dash, Input, Output, clientside_callback, dcc, html

from app_helpers import start
from webapp.server import harden


def severe_errors(dash_duo) -> list:
    """Console entries at level SEVERE (JS errors, failed loads, CSP violations)."""
    return [entry for entry in (dash_duo.get_logs() or []) if entry.get("level") == "SEVERE"]


def test_the_app_renders_without_console_errors(dash_duo):
    from app import app

    start(dash_duo, app)
    dash_duo.wait_for_element("#react-entry-point h1, #react-entry-point h2", timeout=10)
    assert "optiscape" in dash_duo.driver.title.lower()
    heading = dash_duo.find_element("#react-entry-point h1, #react-entry-point h2")
    assert heading.text.strip()
    assert severe_errors(dash_duo) == []


def csp_probe_app() -> Dash:
    """A plotly graph, a server callback and a clientside callback behind harden()'s CSP."""
    app = Dash(__name__)
    app.layout = html.Div([
        dcc.Input(id="word", value="hello"),
        html.Div(id="server-echo"),
        html.Div(id="client-echo"),
        dcc.Graph(id="graph", figure={
            "data": [{"type": "contour", "z": [[1, 2, 3], [2, 3, 4], [3, 4, 6]]},
                     {"type": "scatter", "x": [0, 1, 2], "y": [0, 1, 2], "mode": "lines+markers"}],
            "layout": {"title": {"text": "probe"}},
        }),
    ])

    @app.callback(Output("server-echo", "children"), Input("word", "value"))
    def server_echo(word):
        return f"server:{word}"

    clientside_callback("function(word) { return 'client:' + word; }",
                        Output("client-echo", "children"), Input("word", "value"))
    harden(app)
    return app


def test_dash_and_plotly_work_under_the_content_security_policy(dash_duo):
    app = csp_probe_app()
    start(dash_duo, app)
    dash_duo.wait_for_text_to_equal("#server-echo", "server:hello", timeout=10)
    dash_duo.wait_for_text_to_equal("#client-echo", "client:hello", timeout=10)
    dash_duo.wait_for_element("#graph .main-svg", timeout=10)
    assert dash_duo.driver.find_elements("css selector", "#graph .contour")    # the contour trace drew
    box = dash_duo.find_element("#word")
    box.send_keys(" world")
    dash_duo.wait_for_text_to_equal("#server-echo", "server:hello world", timeout=10)
    dash_duo.wait_for_text_to_equal("#client-echo", "client:hello world", timeout=10)
    assert severe_errors(dash_duo) == []
