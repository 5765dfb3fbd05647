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

from webapp.background import make_manager
from webapp.panels.header.language import LocalizedDash
from webapp.panels.page import page_layout, register_callbacks
from webapp.rooms import register_rooms, settings_from_env
from webapp.server import harden


def create_app(rooms_settings=None, rooms_store=None) -> Dash:
    """A fully wired Dash app (debug off); the rooms' settings and store default to the environment's.

    Background callbacks (the maps) run through :func:`webapp.background.make_manager`: diskcache under
    the settings' data directory, or Celery on ``OPTISCAPE_REDIS_URL`` (the app's ``celery_app``)."""
    settings = rooms_settings if rooms_settings is not None else settings_from_env()
    manager, celery = make_manager(settings.data_dir, settings.redis_url)
    dash_app = LocalizedDash(
        __name__, title="optiscape", update_title=None, suppress_callback_exceptions=True,
        assets_folder=os.path.join(os.path.dirname(os.path.abspath(__file__)), "assets"),
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
        background_callback_manager=manager,
    )
    dash_app.celery_app = celery
    dash_app.layout = page_layout        # built per page load, in the page's language
    register_callbacks(dash_app)
    harden(dash_app)
    register_rooms(dash_app.server, settings, rooms_store)         # /api/rooms: the classroom backend (SQLite, or Redis if configured)
    return dash_app


app = create_app()
server = app.server
celery_app = app.celery_app      # the Celery worker's app when OPTISCAPE_REDIS_URL is set: celery --app app:celery_app worker


def main() -> None:
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "8050")), debug=False)


if __name__ == "__main__":
    main()
