"""Rooms: a teacher's page state followed live by a class, with predict polls (issue 13, server side).

``register_rooms(server)`` adds the JSON endpoints of :mod:`webapp.rooms.routes`
(under ``/api/rooms``) to a Flask server, over the store chosen by the
environment (:mod:`webapp.rooms.settings`): SQLite in WAL mode by default,
Redis when ``OPTISCAPE_REDIS_URL`` is set. No Dash here: the page's UI uses the
endpoints.

Modules: ``settings`` (limits, environment), ``identity`` (codes, tokens, client
ids), ``share_state`` (the page state, validated by ``webapp.state``), ``polls``
(poll kinds, answers, results), ``store`` / ``sqlite_store`` / ``redis_store``
(the shared store), ``feed`` (long polling), ``service`` (the room logic, once),
``routes`` (HTTP).
"""
from __future__ import annotations

import flask

from webapp.rooms.errors import RoomError
from webapp.rooms.service import Rooms
from webapp.rooms.settings import RoomSettings, settings_from_env
from webapp.rooms.store import Store, open_store

__all__ = ["register_rooms", "Rooms", "RoomError", "RoomSettings", "Store", "open_store", "settings_from_env"]

EXTENSION = "optiscape.rooms"


def register_rooms(server: flask.Flask, settings: RoomSettings | None = None, store: Store | None = None) -> Rooms:
    """Serve rooms on ``server`` (a Flask app, e.g. a Dash app's ``.server``); the :class:`Rooms` it uses.

    ``settings`` default to the environment's, ``store`` to ``open_store(settings)``.
    Call once per server, before it serves (gunicorn: at import, before forking;
    each worker then opens its own connections).
    """
    from webapp.rooms.routes import make_blueprint

    settings = settings if settings is not None else settings_from_env()
    rooms = Rooms(store if store is not None else open_store(settings), settings)
    server.register_blueprint(make_blueprint(rooms))
    server.extensions[EXTENSION] = rooms
    return rooms
