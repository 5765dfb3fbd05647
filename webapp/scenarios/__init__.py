"""The lecture's scenarios: each claim of CS231n lecture 7 as a share link, a prediction and a takeaway.

The scenarios are data (``lecture.toml`` in this package, read by
:mod:`webapp.scenarios.reader`); this module is their public API::

    SCENARIOS              every Scenario, in lesson order
    ids()                  their ids
    get(id, lang="en")     one of them, its texts in lang ("en", "ko"; ValueError naming the known ids)
    localize(s, lang)      s with its texts in lang (catalog lecture.<lang>.toml; English where it has none)
    LANGUAGES              the languages of the scenario texts
    share_query(s, i=None) the link "?scenario=<id>&..." of s (or of its variant i)
    hint_share_query(s, i) the link of the picture of s's "Try:" hint i (None if it has none)
    parse(query)           the AppState of a query; ValueError if the parser corrected anything
    simulate_state(state)  one optimizers.Trajectory per run, as the page computes them

Every query parses through :func:`webapp.state.from_query` without a notice, and
every takeaway is asserted on the engine's output over a neighbourhood of the
scenario's settings in ``tests/test_scenarios.py``. Nothing here knows Dash.
"""
from __future__ import annotations

import numpy as np

import optimizers
from webapp.scenarios.catalog import LANGUAGES, localize
from webapp.scenarios.reader import read
from webapp.scenarios.model import SCENARIO_KEY, Robustness, Scenario, Variant, hint_share_query, parse, share_query

__all__ = ["Scenario", "Variant", "Robustness", "SCENARIOS", "ids", "get", "parse", "simulate_state",
           "share_query", "hint_share_query", "SCENARIO_KEY", "LANGUAGES", "localize"]

SCENARIOS: tuple = read()
_BY_ID = {scenario.id: scenario for scenario in SCENARIOS}


def ids() -> list[str]:
    """Scenario ids in lesson order."""
    return [scenario.id for scenario in SCENARIOS]


def get(scenario_id: str, lang: str = "en") -> Scenario:
    """The scenario with this id, its texts in ``lang`` (:data:`LANGUAGES`); ValueError naming the known
    ids (or languages) otherwise."""
    try:
        scenario = _BY_ID[scenario_id]
    except (KeyError, TypeError):
        raise ValueError(f"unknown scenario {scenario_id!r}; known: {', '.join(_BY_ID)}") from None
    return localize(scenario, lang)


def simulate_state(state) -> list:
    """One :class:`optimizers.Trajectory` per run of ``state`` (state order), as the page computes them.

    Every run starts at ``state.start_point()`` and takes ``state.steps`` steps
    with its own schedule, gradient noise and seed; each ``path`` is ``(T+1, 1, 2)``
    (the engine guarantees this equals the page's batched stepping bit for bit).
    """
    surface = state.landscape()
    start = np.asarray(state.start_point(), dtype=np.float64)[None, :]     # (1, 2)
    return [optimizers.simulate(surface, run.build_optimizer(), start, state.steps,
                                schedule=run.build_schedule(), noise=run.noise, seed=run.seed)
            for run in state.runs]
