"""A Flask app serving only the rooms endpoints, store from the environment: ``gunicorn webapp.rooms.wsgi:app``.

For the tests and benchmarks that run rooms under gunicorn; the page's app
(``app:server``) registers rooms on its own server instead.
"""
import flask

from webapp.rooms import register_rooms

app = flask.Flask("optiscape_rooms")
register_rooms(app)
