"""Harden the Flask server under a Dash app: body size, malformed requests, error pages, headers.

Anyone can post anything to ``/_dash-update-component``; Dash itself answers a
body of the wrong shape with a 500 and, in debug mode, a traceback. After
``harden(app)``:

* a body over ``max_body`` bytes gets 413;
* a callback request that is not a JSON object of the shape Dash sends, or names
  an output no callback has, or carries the wrong number of inputs or states,
  gets 400 with a one-line JSON reason, before any callback code runs;
* any other error gets a short JSON body with its status: never a traceback.
  An exception inside a callback is logged on the server and answered with a
  plain 500 (an exception raised while Dash parses the request is still a 400);
* every response carries ``X-Content-Type-Options: nosniff``, a
  ``Referrer-Policy``, ``X-Frame-Options`` and a Content-Security-Policy that
  allows only this origin's scripts plus the hashes of Dash's own inline
  scripts (``app.csp_hashes()``, computed at the first request, once every
  clientside callback is defined).

* responses are compressed (flask-compress: brotli, else gzip, for text, JSON,
  JavaScript and CSS over 500 bytes); a static file (a component suite or an
  asset) is compressed once per worker and per encoding and kept
  (``StaticCompressionCache``), so a class's first visits cost no CPU after the
  first;
* static files carry caching headers: a fingerprinted URL (Dash's
  ``*.v<version>m<mtime>.js``, an asset's ``?m=<mtime>``, the favicon's ``?v=``)
  changes whenever its file does, so it is ``immutable`` for a year; a file
  served under a fixed name (plotly.min.js, Dash's async chunks) is
  ``no-cache``: revalidated by ETag on each visit (a 304 of about 1 KB), so a
  package upgrade is never mixed with a stale chunk;
* ``/_dash-component-suites/`` answers 404, before Dash runs, for a package or
  file Dash has not registered and for any ``..`` or backslash in the path (Dash
  itself answers those with a 500 and a traceback in the log);
* ``/_reload-hash`` (hot reload, a debug feature that lists the packages)
  answers 404;
* every request gets a deadline, :data:`REQUEST_SECONDS` after it began:
  :func:`request_deadline` gives it (a ``time.monotonic()`` instant), and
  ``harden`` registers it as the source of :mod:`webapp.compute.deadline`, so
  everything :mod:`webapp.compute` and the Maps panel run in a request passes
  it to the engine (``optimizers.simulate``, ``basin_map``,
  ``sensitivity_map``), which stops stepping there; the page then says so. It
  is the backstop behind the measured work budgets: a gthread worker is not
  stopped by gunicorn's ``--timeout`` while a thread computes.

Debug stays off: ``harden`` refuses an app whose server is in debug mode.
"""
from __future__ import annotations

import logging
import os
import re
import time
from typing import Any

import dash
import flask
import flask_compress
from dash._callback import _invoke_callback as _dash_invoke_callback
from dash.fingerprint import check_fingerprint
from werkzeug.exceptions import HTTPException
from werkzeug.security import safe_join

from webapp.compute.deadline import read_deadlines_from

__all__ = ["harden", "frame_ancestors", "request_deadline", "MAX_BODY_BYTES", "CALLBACK_PATH", "COMPONENT_SUITES", "IMMUTABLE",
           "REVALIDATE", "REQUEST_SECONDS"]

MAX_BODY_BYTES = 1_000_000
CALLBACK_PATH = "_dash-update-component"
COMPONENT_SUITES = "_dash-component-suites/"
RELOAD_HASH_PATH = "_reload-hash"
FAVICON_PATH = "_favicon.ico"
COMPRESSED_ENCODINGS = ["br", "gzip"]     # preferred first; every browser since 2017 accepts br
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
STATIC_KEY = "static:"                    # StaticCompressionCache keeps only keys with this prefix
REQUEST_SECONDS = 3.0                     # the engine stops stepping this long after a request began


def request_deadline() -> float | None:
    """The current request's deadline (a ``time.monotonic()`` instant), or None outside a hardened request."""
    if not flask.has_request_context():
        return None
    return flask.g.get("optiscape_deadline")

log = logging.getLogger(__name__)

# the frame where Dash calls the user's function: a Dash internal, imported at start-up so that a Dash
# that moved it fails loudly (tests/test_server_safety.py pins what depends on it)
_CALLBACK_FRAMES = {_dash_invoke_callback.__code__}


class MalformedCallback(ValueError):
    """A callback request that does not have the shape Dash's renderer sends."""


def _is_list_of_dependencies(value: Any) -> bool:
    """Dash sends each input/state as ``{"id", "property", ...}``, or a list of those for ALL/ALLSMALLER."""
    if not isinstance(value, list):
        return False
    for item in value:
        items = item if isinstance(item, list) else [item]
        for dependency in items:
            if not (isinstance(dependency, dict) and "id" in dependency
                    and isinstance(dependency.get("property"), str)):
                return False
    return True


def check_callback_body(body: Any, callback_map: dict) -> None:
    """Raise :class:`MalformedCallback` unless ``body`` is a well-formed request for a known callback."""
    if not isinstance(body, dict):
        raise MalformedCallback("the body must be a JSON object")
    output = body.get("output")
    if not isinstance(output, str):
        raise MalformedCallback("'output' must be a string")
    if output not in callback_map:
        raise MalformedCallback("no callback has this output")
    outputs = body.get("outputs")
    if not isinstance(outputs, (dict, list)):
        raise MalformedCallback("'outputs' must be an object or a list")
    spec = callback_map[output]
    for key in ("inputs", "state"):
        given = body.get(key, [])
        if not _is_list_of_dependencies(given):
            raise MalformedCallback(f"'{key}' must be a list of {{id, property}} objects")
        expected = spec.get(key, [])
        if len(given) != len(expected):
            raise MalformedCallback(f"'{key}' has {len(given)} entries; the callback takes {len(expected)}")
    changed = body.get("changedPropIds", [])
    if not (isinstance(changed, list) and all(isinstance(c, str) for c in changed)):
        raise MalformedCallback("'changedPropIds' must be a list of strings")


def _raised_in_callback(error: BaseException) -> bool:
    """Whether the traceback passes through the frame where Dash invokes the user's function."""
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code in _CALLBACK_FRAMES:
            return True
        tb = tb.tb_next
    return False


class StaticCompressionCache:
    """flask-compress's cache backend, keeping compressed static files only.

    flask-compress asks one cache for every response; ``_static_cache_key``
    gives a component suite the key ``static:<path>``, an asset
    ``static:<path>@<mtime>`` (an edited asset is compressed anew), and anything
    else (callbacks, the page, the layout) an empty key, which this cache
    neither stores nor finds. Only 200 responses are compressed, so the keys are
    bounded by the files that exist: a path that does not exist is a 404 and is
    never stored. The query is left out of the key: it only busts the browser's
    cache, and a client choosing it must not grow this cache.
    """

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return self.data.get(key) if _is_static_key(key) else None

    def set(self, key: str, value: bytes) -> None:
        if _is_static_key(key):
            self.data[key] = value


def _is_static_key(key: str) -> bool:
    return key.partition(";")[2].startswith(STATIC_KEY)      # flask-compress prefixes "<encoding>;"


def _static_kind(path: str, prefix: str, assets_prefix: str) -> str | None:
    """"suite" for a component-suite file, "asset" for a file of assets/ or the favicon, else None."""
    if path.startswith(prefix + COMPONENT_SUITES):
        return "suite"
    if path.startswith(assets_prefix) or path == prefix + FAVICON_PATH:
        return "asset"
    return None


def _registered_suite_file(app: dash.Dash, rest: str) -> bool:
    """Whether ``<package>/<file>`` (after the component-suites prefix) is a file Dash registered."""
    if ".." in rest or "\\" in rest or "\0" in rest:
        return False
    package, _, fingerprinted = rest.partition("/")
    if not package or not fingerprinted or package not in app.registered_paths:
        return False
    path_in_package, _ = check_fingerprint(fingerprinted)
    return path_in_package in app.registered_paths[package]


def _static_cache_key(request, prefix: str, assets_prefix: str, assets_folder: str) -> str:
    """flask-compress's cache key: see :class:`StaticCompressionCache`."""
    kind = _static_kind(request.path, prefix, assets_prefix) if request.method == "GET" else None
    if kind is None:
        return ""
    if kind == "asset" and request.path.startswith(assets_prefix):
        file = safe_join(assets_folder, request.path[len(assets_prefix):])
        try:
            return f"{STATIC_KEY}{request.path}@{os.stat(file).st_mtime_ns}" if file else ""
        except OSError:
            return ""
    return STATIC_KEY + request.path


def _cache_control(kind: str, path: str, args) -> str:
    """Immutable for a fingerprinted URL (it changes with its file); revalidate a fixed name."""
    if kind == "suite":
        return IMMUTABLE if check_fingerprint(path.rsplit("/", 1)[-1])[1] else REVALIDATE
    return IMMUTABLE if args.get("m") or args.get("v") else REVALIDATE      # assets ?m=<mtime>, favicon ?v=


def _compress(server: flask.Flask, prefix: str, assets_prefix: str, assets_folder: str) -> None:
    """flask-compress on ``server`` (brotli, else gzip), with compressed static files kept per worker."""
    server.config["COMPRESS_ALGORITHM"] = COMPRESSED_ENCODINGS
    server.config["COMPRESS_ALGORITHM_STREAMING"] = COMPRESSED_ENCODINGS
    server.config["COMPRESS_STREAMS"] = False      # static files are read whole; callbacks are never streamed
    cache = server.extensions["optiscape_static_compression"] = StaticCompressionCache()
    server.config["COMPRESS_CACHE_BACKEND"] = lambda: cache
    server.config["COMPRESS_CACHE_KEY"] = lambda request: _static_cache_key(request, prefix, assets_prefix,
                                                                         assets_folder)
    flask_compress.Compress(server)

    @server.after_request      # registered after Compress, so it runs before it
    def _read_static_files_whole(response: flask.Response):
        """Flask streams an asset from its file; read it (tens of kB) so that it is compressed and kept."""
        if (response.status_code == 200 and response.is_streamed and flask.request.method == "GET"
                and _static_kind(flask.request.path, prefix, assets_prefix)):
            response.direct_passthrough = False
            response.set_data(response.get_data())
        return response


def _error(status: int, message: str) -> flask.Response:
    response = flask.jsonify(error=message)
    response.status_code = status
    return response


FRAME_ANCESTORS_ENV = "OPTISCAPE_FRAME_ANCESTORS"
_FRAME_SOURCE = re.compile(r"^('self'|'none'|https?://(\*\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?)$")


def frame_ancestors(environ=None) -> str:
    """Who may show the page in a frame (CSP ``frame-ancestors``): ``OPTISCAPE_FRAME_ANCESTORS``, default 'self'.

    The variable is a space-separated list of sources: ``'self'``, ``'none'`` or an origin such as
    ``https://canvas.example.edu`` or ``https://*.example.edu`` (for the embed mode of lesson links in a
    course page). Anything else raises ValueError at start-up: a typo must not open or close framing silently.
    """
    environ = os.environ if environ is None else environ
    text = " ".join(environ.get(FRAME_ANCESTORS_ENV, "").split())
    if not text:
        return "'self'"
    for source in text.split(" "):
        if not _FRAME_SOURCE.match(source):
            raise ValueError(f"{FRAME_ANCESTORS_ENV}: {source[:60]!r} is not 'self', 'none' or an origin "
                             "like https://course.example.edu")
    return text


def _content_security_policy(app: dash.Dash) -> str:
    """Only this origin, plus hashes of Dash's inline scripts; Plotly needs inline styles and data: images.

    'unsafe-eval' stays out: Dash 4 and Plotly's SVG traces work without it
    (checked in headless Chromium by tests/browser/test_smoke.py).
    """
    scripts = " ".join(["'self'"] + list(app.csp_hashes()))
    return "; ".join([
        "default-src 'self'",
        f"script-src {scripts}",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        f"frame-ancestors {frame_ancestors()}",
    ])


def harden(app: dash.Dash, max_body: int = MAX_BODY_BYTES) -> None:
    """Apply the limits, error handlers and headers described in the module docstring to ``app.server``."""
    server: flask.Flask = app.server
    if server.debug:
        raise RuntimeError("refusing to harden a server in debug mode: debug exposes tracebacks and a console")
    frame_ancestors()                 # a malformed OPTISCAPE_FRAME_ANCESTORS fails here, at start-up
    server.config["MAX_CONTENT_LENGTH"] = int(max_body)
    server.config["PROPAGATE_EXCEPTIONS"] = False
    server.config["TRAP_BAD_REQUEST_ERRORS"] = False
    prefix = app.config.routes_pathname_prefix
    callback_path = prefix + CALLBACK_PATH
    suites_path = prefix + COMPONENT_SUITES
    assets_prefix = app.get_asset_url("")
    policy: dict[str, str] = {}
    read_deadlines_from(request_deadline)          # every computation of a request stops at its deadline

    @server.before_request
    def _start_the_clock():
        flask.g.optiscape_deadline = time.monotonic() + REQUEST_SECONDS

    @server.before_request
    def _reject_unknown_files():
        path = flask.request.path
        if path == prefix + RELOAD_HASH_PATH:
            return _error(404, "Not Found")
        if path.startswith(suites_path) and not _registered_suite_file(app, path[len(suites_path):]):
            return _error(404, "Not Found")
        return None

    @server.before_request
    def _reject_malformed_callbacks():
        if flask.request.path != callback_path or flask.request.method != "POST":
            return None
        body = flask.request.get_json(silent=True)    # 413 for an oversized body is raised here
        try:
            check_callback_body(body, app.callback_map)
        except MalformedCallback as reason:
            return _error(400, f"malformed callback request: {reason}")
        return None

    @server.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if error.code == 204:   # pragma: no cover - not an error
            return error
        return _error(error.code or 500, error.name)

    @server.errorhandler(Exception)
    def _any_error(error: Exception):
        if flask.request.path == callback_path and not _raised_in_callback(error):
            # Dash failed while reading the request itself: the client sent something we cannot use
            return _error(400, "malformed callback request")
        log.exception("error while serving %s", flask.request.path)
        return _error(500, "internal error")

    @server.after_request
    def _security_headers(response: flask.Response):
        if "csp" not in policy:
            policy["csp"] = _content_security_policy(app)
            policy["frames"] = frame_ancestors()
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        if policy["frames"] == "'self'":     # an older browser without CSP level 2; others read frame-ancestors
            headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        headers.setdefault("Content-Security-Policy", policy["csp"])
        kind = _static_kind(flask.request.path, prefix, assets_prefix)
        if kind is not None and response.status_code in (200, 304):
            headers["Cache-Control"] = _cache_control(kind, flask.request.path, flask.request.args)
        return response

    _compress(server, prefix, assets_prefix, app.config.assets_folder)   # registered last, so it runs first after each request
