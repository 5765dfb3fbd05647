"""Computing what the page shows: batching runs, the cost model, one cache.

* :mod:`webapp.compute.runs`: :func:`simulate_runs` (state -> one :class:`RunResult` per run, each
  with its cached ``Trajectory``), batching and the timing probe.
* :mod:`webapp.compute.cost`: the one cost model (each optimizer class's ``step_cost``).
* :mod:`webapp.compute.cache`: the LRU cache keyed by frozen request records.
"""
from webapp.compute.runs import TOLERANCE, RunResult, simulate_runs

__all__ = ["simulate_runs", "RunResult", "TOLERANCE"]
