"""The View bar's settings for the panels that read them: the typed record
:class:`~webapp.state.model.ViewOptions` (in ``AppState.views``), read from link text by
:func:`webapp.state.coerce.view_options`.

:func:`view_settings` reads the values the View bar's controls post (canonical text; off is empty)
and :func:`options` gives the record of a state.
"""
from __future__ import annotations

from typing import Any

from webapp.state import coerce
from webapp.state.model import VIEW_FLAGS as FLAGS
from webapp.state.model import VIEW_KEYS, ViewOptions

__all__ = ["VIEW_KEYS", "FLAGS", "ViewOptions", "view_settings", "options"]


def view_settings(given: Any) -> ViewOptions:
    """The record for the controls' values (a dict of link text); what the controls cannot post is ignored."""
    return coerce.view_options(given, [])


def options(state) -> ViewOptions:
    """The view options of an ``AppState`` (a dict of link text assigned to ``state.views`` is read as one)."""
    return coerce.view_options(getattr(state, "views", None), [])
