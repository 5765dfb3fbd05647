"""The rooms' HTTP interface: a Flask blueprint of JSON endpoints under ``/api/rooms``.

======================================  ========  ==========================================================
Path                                    Who       What
======================================  ========  ==========================================================
``POST /api/rooms``                     teacher   ``{"state"}`` -> 201, the room and its ``teacher_token``
``GET  /api/rooms/<code>``              anyone    the room (with a valid token: the teacher's view)
``POST /api/rooms/<code>/join``         student   sets the anonymous client cookie; the room
``GET  /api/rooms/<code>/changes``      follower  ``?since=<version>&wait=<s>``: long poll (module feed)
``PUT  /api/rooms/<code>/state``        teacher   ``{"state"}``: the page state, a share query
``POST /api/rooms/<code>/player``       teacher   ``{"command": "play"|"pause"|"step", "step", "speed"}``
``POST /api/rooms/<code>/polls``        teacher   ``{"kind": "settles_first"|"run_end", "run", "question"}``
``POST /api/rooms/<code>/polls/<id>/answer``  student  ``{"choice"}`` or ``{"x", "y"}``, once
``POST /api/rooms/<code>/polls/<id>/reveal``  teacher  freezes and shows the results
``POST /api/rooms/<code>/close``        teacher   ends the room
======================================  ========  ==========================================================

The teacher token goes in ``Authorization: Bearer <token>``. Every refusal is
``{"error": "<what and why>"}`` with a 4xx status (503 when the store is
unreachable); a wrong method gets 405 and an unknown path under ``/api/rooms`` 404.
"""
from __future__ import annotations

import json
import logging
import math

import flask

from webapp.rooms import identity
from webapp.rooms.errors import RoomError
from webapp.rooms.service import Rooms

__all__ = ["make_blueprint", "CLIENT_COOKIE", "PREFIX"]

PREFIX = "/api/rooms"
CLIENT_COOKIE = "optiscape_client"
_BODY_METHODS = ("POST", "PUT", "PATCH")

log = logging.getLogger(__name__)


def _json_error(error: RoomError) -> flask.Response:
    response = flask.jsonify(error=error.message)
    response.status_code = error.status
    if error.retry_after is not None:
        response.headers["Retry-After"] = str(int(error.retry_after))
    return response


def _token() -> str | None:
    header = flask.request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _client_id() -> str | None:
    value = flask.request.cookies.get(CLIENT_COOKIE)
    return value if identity.valid_client_id(value) else None


def _body(max_body: int) -> dict:
    """The request's JSON object; RoomError 413/415/400 for too big, not JSON, malformed, not an object."""
    request = flask.request
    if request.content_length is not None and request.content_length > max_body:
        raise RoomError(413, f"the body is {request.content_length} bytes; at most {max_body}")
    raw = request.stream.read(max_body + 1)
    if len(raw) > max_body:
        raise RoomError(413, f"the body is over {max_body} bytes")
    if not raw.strip():
        return {}
    if request.mimetype != "application/json":
        raise RoomError(415, "send the body as JSON (Content-Type: application/json)")
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise RoomError(400, "the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise RoomError(400, "the body must be a JSON object")
    return body


def _query_number(name: str, default, low: float, high: float, kind=float):
    text = flask.request.args.get(name)
    if text is None:
        return default
    try:
        value = kind(text)
    except ValueError:
        raise RoomError(400, f"'{name}' must be a number from {low:g} to {high:g}") from None
    if not (math.isfinite(value) and low <= value <= high):
        raise RoomError(400, f"'{name}' must be a number from {low:g} to {high:g}")
    return value


def make_blueprint(rooms: Rooms) -> flask.Blueprint:
    """The blueprint serving ``rooms`` (one per Flask app)."""
    settings = rooms.settings
    blueprint = flask.Blueprint("optiscape_rooms", __name__, url_prefix=PREFIX)

    def endpoint(rule: str, **handlers):
        """One URL, every method: the ones in ``handlers`` (GET=fn, ...) and a JSON 405 for the rest."""
        allowed = ", ".join(sorted(handlers))

        def view(**kwargs):
            method = flask.request.method
            handler = handlers.get("GET" if method == "HEAD" else method)
            try:
                if handler is None:
                    raise RoomError(405, f"{method} is not allowed here (allowed: {allowed})")
                body = _body(settings.max_body) if method in _BODY_METHODS else {}
                return handler(body, **kwargs)
            except RoomError as error:
                response = _json_error(error)
                if error.status == 405:
                    response.headers["Allow"] = allowed
                return response
            except rooms.store.unavailable:
                log.exception("room store unavailable")
                return _json_error(RoomError(503, "the room store is unavailable; try again shortly"))

        view.__name__ = "rooms_" + (rule.strip("/").replace("/", "_").replace("<", "").replace(">", "")
                                    .replace(":", "_") or "root")
        blueprint.add_url_rule(rule, view_func=view, methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])

    def address() -> str | None:
        return flask.request.remote_addr

    def create(body):
        view, token = rooms.create(body.get("state", ""), address())
        return flask.jsonify({**view, "teacher_token": token}), 201

    def show(body, code):
        token = _token()
        if token is not None:
            return flask.jsonify(rooms.teacher_view(code, token))
        return flask.jsonify(rooms.view(rooms.load(code), _client_id()))

    def join(body, code):
        client_id = _client_id()
        if client_id is None:
            client_id = identity.new_client_id()

            @flask.after_this_request
            def set_cookie(response):      # on refusals too, so a browser's retries count as one client
                response.set_cookie(CLIENT_COOKIE, client_id, max_age=7 * 24 * 3600, httponly=True,
                                    samesite="Lax", secure=flask.request.is_secure, path=PREFIX)
                return response
        return flask.jsonify(rooms.join(code, client_id, address()))

    def changes(body, code):
        since = _query_number("since", None, 0, 2**53, int)
        if since is None:
            raise RoomError(400, "'since' is required: the version the page has")
        wait = _query_number("wait", settings.default_wait, 0, settings.max_wait)
        # a sync worker serves one request at a time: there, answer at once and let the client poll
        threaded = bool(flask.request.environ.get("wsgi.multithread"))
        return flask.jsonify(rooms.changes(code, since, wait, _client_id(), park=threaded))

    def set_state(body, code):
        if "state" not in body:
            raise RoomError(400, "'state' is required: the page's share query")
        return flask.jsonify(rooms.set_state(code, _token(), body["state"]))

    def player(body, code):
        return flask.jsonify(rooms.command(code, _token(), body))

    def start_poll(body, code):
        return flask.jsonify(rooms.start_poll(code, _token(), body)), 201

    def answer(body, code, poll_id):
        return flask.jsonify(rooms.answer(code, poll_id, _client_id(), address(), body)), 201

    def reveal(body, code, poll_id):
        return flask.jsonify(rooms.reveal(code, _token(), poll_id))

    def close(body, code):
        return flask.jsonify(rooms.close(code, _token()))

    def unknown(body, rest=""):
        raise RoomError(404, f"no such rooms endpoint: {PREFIX}/{rest[:60]}")

    endpoint("", POST=create)
    endpoint("/<code>", GET=show, DELETE=close)
    endpoint("/<code>/join", POST=join)
    endpoint("/<code>/changes", GET=changes)
    endpoint("/<code>/state", PUT=set_state, POST=set_state)
    endpoint("/<code>/player", POST=player)
    endpoint("/<code>/polls", POST=start_poll)
    endpoint("/<code>/polls/<int:poll_id>/answer", POST=answer)
    endpoint("/<code>/polls/<int:poll_id>/reveal", POST=reveal)
    endpoint("/<code>/close", POST=close)
    endpoint("/<path:rest>", **{m: unknown for m in ("GET", "POST", "PUT", "PATCH", "DELETE")})
    return blueprint
