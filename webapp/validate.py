"""Old name of a few facts, kept for ``webapp/rooms/settings.py`` and ``tests/test_scenarios.py`` until they
import them from their homes.

Use :mod:`webapp.state.coerce` (``MAX_RUNS``, ``MAX_STEPS``, ``MAX_QUERY_LENGTH`` and every coercion) and
:mod:`webapp.compute.cost` (``step_budget``, the cost model) instead; nothing else lives here.
"""
from webapp.compute.cost import step_budget
from webapp.state.coerce import MAX_QUERY_LENGTH, MAX_RUNS, MAX_STEPS

__all__ = ["step_budget", "MAX_RUNS", "MAX_STEPS", "MAX_QUERY_LENGTH"]
