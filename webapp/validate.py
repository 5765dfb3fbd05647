"""Old name of two facts, kept for ``tests/test_scenarios.py`` until it imports them from their homes.

Use :mod:`webapp.state.coerce` (``MAX_RUNS`` and every coercion) and :mod:`webapp.compute.cost`
(``step_budget``, the cost model) instead; nothing else lives here.
"""
from webapp.compute.cost import step_budget
from webapp.state.coerce import MAX_RUNS

__all__ = ["step_budget", "MAX_RUNS"]
