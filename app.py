"""optiscape: composition root. ``python app.py`` serves http://127.0.0.1:8050 (PORT overrides).

Builds the Dash app from the web package (layout + callbacks), hardens its
Flask server when ``webapp.server`` is present, and exposes ``server`` for any
WSGI host (``gunicorn app:server``).
"""
from __future__ import annotations

import os

from dash import Dash

from webapp.callbacks import register_callbacks
from webapp.formula_ui import register_text_callbacks
from webapp.layout import build_layout
from webapp.maps_panel import register_maps_callbacks
from webapp.view_box import register_view_callbacks
from webapp.views_panel import register_lecture_view_callbacks


def create_app() -> Dash:
    """A fully wired Dash app (debug off)."""
    dash_app = Dash(
        __name__, title="optiscape", update_title=None, suppress_callback_exceptions=True,
        assets_folder=os.path.join(os.path.dirname(os.path.abspath(__file__)), "assets"),
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    dash_app.layout = build_layout()
    register_callbacks(dash_app)
    register_maps_callbacks(dash_app)
    register_text_callbacks(dash_app)      # text parameters, e.g. the custom surface's formula
    register_view_callbacks(dash_app)      # the view box's number boxes
    register_lecture_view_callbacks(dash_app)   # arrows, side by side, inner state, 3D (issue 4)
    try:
        from webapp.server import harden
    except ImportError:  # the hardening module is optional while it is being written
        harden = None
    if harden is not None:
        harden(dash_app)
    return dash_app


app = create_app()
server = app.server


def main() -> None:
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "8050")), debug=False)


if __name__ == "__main__":
    main()
