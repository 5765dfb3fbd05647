"""A Flask app with only the rooms endpoints, for tests that run it under gunicorn (store from the env)."""
import flask

from webapp.rooms import register_rooms

app = flask.Flask("rooms_wsgi")
register_rooms(app)
