"""The room panel's components: the header button, the room bar and the poll card.

Everything here starts empty or hidden; ``assets/room.js`` fills it from the rooms API
(``/api/rooms``): the teacher's bar (code, link, followers, polls, close) after "Open a room",
the student's bar (following / exploring, rejoin) on a ``/room/<code>`` page. The poll card's
figure (the class's answers next to the true outcome) comes from the server
(:mod:`webapp.panels.room.callbacks`).
"""
from __future__ import annotations

from dash import dcc, html

__all__ = ["room_button", "room_bar", "room_stores"]


def room_button() -> html.Button:
    """The header's "Open a room" (hidden on a student's /room/<code> page by room.js)."""
    return html.Button("Open a room", id="room-open", n_clicks=0, className="button room-open",
                       title="Start a live room: your students open its link and follow this page")


def room_stores() -> list:
    """``room-poll``: the current poll as room.js last saw it (results included once known); sinks of the
    browser-side callbacks (room.js, handout.js)."""
    return [dcc.Store(id="room-poll"), dcc.Store(id="room-sink"), dcc.Store(id="handout-sink")]


def room_bar() -> html.Section:
    """The bar under the header while the page is in a room; hidden (``hidden``) otherwise."""
    teacher = html.Div([
        html.Span(id="room-teacher-summary", className="room-summary"),
        dcc.Input(id="room-link", type="text", readOnly=True, value="", className="share-link room-link"),
        dcc.Clipboard(target_id="room-link", title="Copy the room link", className="copy-button",
                      children=html.Span("Copy")),
        html.Span("0 following", id="room-followers", className="room-followers", role="status"),
        html.Button("Poll: which run settles first?", id="room-poll-settles", className="button"),
        html.Span([
            html.Button("Poll: where does this run end?", id="room-poll-end", className="button"),
            html.Label(["run ", dcc.Input(id="room-poll-run", type="number", min=1, max=8, step=1, value=1,
                                          className="room-poll-run")]),
        ], className="room-poll-end-group"),
        html.Button("Reveal", id="room-reveal", className="button", disabled=True),
        html.Button("Close room", id="room-close", className="button room-close"),
    ], id="room-teacher", className="room-row", hidden=True)
    student = html.Div([
        html.Span(id="room-student-summary", className="room-summary", role="status"),
        html.Button("Explore on my own", id="room-branch", className="button"),
        html.Button("Rejoin the teacher", id="room-rejoin", className="button", hidden=True),
    ], id="room-student", className="room-row", hidden=True)
    poll = html.Div([
        html.P(id="room-poll-question", className="room-poll-question"),
        html.Div(id="room-poll-choices", className="room-poll-choices"),
        html.P(id="room-poll-status", className="room-poll-status", role="status"),
        html.Div(id="room-poll-outcome", className="room-poll-outcome"),
        dcc.Graph(id="room-poll-graph", className="room-poll-graph", style={"display": "none"},
                  config={"displaylogo": False, "displayModeBar": False}, figure={"data": [], "layout": {}}),
    ], id="room-poll-card", className="room-poll-card", hidden=True)
    return html.Section([
        teacher, student, poll,
        html.P(id="room-message", className="room-message", role="alert"),
    ], id="room-bar", className="room-bar", hidden=True, **{"aria-label": "Room"})
