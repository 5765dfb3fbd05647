"""optiscape: composition root. ``python app.py`` serves http://127.0.0.1:8050 (PORT overrides).

Builds the Dash app from the web package (every panel's layout and callbacks,
:mod:`webapp.panels.page`), hardens its Flask server (:func:`webapp.server.harden`),
serves the rooms' API on it (:func:`webapp.rooms.register_rooms`; the page's side: webapp.panels.room),
and exposes ``server`` for any WSGI host (``gunicorn app:server``). An import error
anywhere fails here, loudly, at start-up.
"""
from __future__ import annotations

import os

from dash import Dash

from webapp.panels.header.language import LocalizedDash
from webapp.panels.page import page_layout, register_callbacks
from webapp.rooms import register_rooms
from webapp.server import harden


def create_app(rooms_settings=None, rooms_store=None) -> Dash:
    """A fully wired Dash app (debug off); the rooms' settings and store default to the environment's."""
    dash_app = LocalizedDash(
        __name__, title="optiscape", update_title=None, suppress_callback_exceptions=True,
        assets_folder=os.path.join(os.path.dirname(os.path.abspath(__file__)), "assets"),
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    dash_app.layout = page_layout        # built per page load, in the page's language
    register_callbacks(dash_app)
    harden(dash_app)
    register_rooms(dash_app.server, rooms_settings, rooms_store)         # /api/rooms: the classroom backend (SQLite, or Redis if configured)
    return dash_app


app = create_app()
server = app.server


def main() -> None:
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "8050")), debug=False)


if __name__ == "__main__":
    main()
