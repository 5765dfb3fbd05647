"""The room panel's components: the header button, the room bar and the poll card.

Everything here starts empty or hidden; ``assets/room.js`` fills it from the rooms API
(``/api/rooms``): the teacher's bar (code, link, followers, polls, close) after "Open a room",
the student's bar (following / exploring, rejoin) on a ``/room/<code>`` page. The poll card's
figure (the class's answers next to the true outcome) comes from the server
(:mod:`webapp.panels.room.callbacks`).
"""
from __future__ import annotations

from dash import dcc, html

from webapp.i18n import t

__all__ = ["room_button", "room_bar", "room_stores"]


def room_button(lang: str = "en") -> html.Button:
    """The header's "Open a room" (hidden on a student's /room/<code> page by room.js)."""
    return html.Button(t("room.open", lang), id="room-open", n_clicks=0, className="button room-open",
                       title=t("room.open_title", lang))


def room_stores() -> list:
    """``room-poll``: the current poll as room.js last saw it (results included once known); sinks of the
    browser-side callbacks (room.js, handout.js)."""
    return [dcc.Store(id="room-poll"), dcc.Store(id="room-sink"), dcc.Store(id="handout-sink")]


def room_bar(lang: str = "en") -> html.Section:
    """The bar under the header while the page is in a room; hidden (``hidden``) otherwise."""
    teacher = html.Div([
        html.Span(id="room-teacher-summary", className="room-summary"),
        dcc.Input(id="room-link", type="text", readOnly=True, value="", className="share-link room-link"),
        dcc.Clipboard(target_id="room-link", title=t("room.copy_title", lang), className="copy-button",
                      children=html.Span(t("room.copy", lang))),
        html.Span(t("room.following", lang), id="room-followers", className="room-followers", role="status"),
        html.Button(t("room.poll_settles", lang), id="room-poll-settles", className="button"),
        html.Span([
            html.Button(t("room.poll_end", lang), id="room-poll-end", className="button"),
            html.Label([t("room.run", lang) + " ", dcc.Input(id="room-poll-run", type="number", min=1, max=8, step=1, value=1,
                                          className="room-poll-run")]),
        ], className="room-poll-end-group"),
        html.Button(t("room.reveal", lang), id="room-reveal", className="button", disabled=True),
        html.Button(t("room.close", lang), id="room-close", className="button room-close"),
    ], id="room-teacher", className="room-row", hidden=True)
    student = html.Div([
        html.Span(id="room-student-summary", className="room-summary", role="status"),
        html.Button(t("room.branch", lang), id="room-branch", className="button"),
        html.Button(t("room.rejoin", lang), id="room-rejoin", className="button", hidden=True),
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
    ], id="room-bar", className="room-bar", hidden=True, **{"aria-label": t("room.label", lang)})
