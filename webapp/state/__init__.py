"""The page state: a typed model, one coercion module, and its two codecs (URL and store).

* :mod:`webapp.state.model`: :class:`AppState`, :class:`RunSpec`, :class:`ViewOptions` (the View bar),
  :class:`MapSettings` (the Maps panel), the palette, the defaults.
* :mod:`webapp.state.coerce`: clamp or refuse every posted value, always with a notice.
* :mod:`webapp.state.url`: the readable share link (``to_query`` / ``from_query``).
* :mod:`webapp.state.store`: the JSON dict in ``dcc.Store`` (``to_store`` / ``from_store``).
* :mod:`webapp.state.view_options`: the View bar's record for the panels that read it.
* :mod:`webapp.state.scenario_links`: the scenario ids a link may name (registered from outside:
  the state never imports the scenarios).

The names most callers need are re-exported here.
"""
from webapp.state.model import (DEFAULT_STEPS, DEFAULT_SURFACE, PALETTE, AppState, RunSpec, default_run,
                                default_state, free_color, with_runs)
from webapp.state.store import from_store, to_store
from webapp.state.url import format_value, from_query, parse_value, to_query

__all__ = ["AppState", "RunSpec", "PALETTE", "DEFAULT_SURFACE", "DEFAULT_STEPS", "default_state", "default_run",
           "free_color", "with_runs", "from_query", "to_query", "from_store", "to_store", "format_value",
           "parse_value"]
