"""What a lecture scenario is: :class:`Scenario` and its second pictures, :class:`Variant`.

Plain frozen records, read from ``lecture.toml`` by :mod:`webapp.scenarios.reader`.
They know nothing about Dash; :meth:`Scenario.state` parses a query with
:func:`webapp.state.from_query`, the one web import of this package.
"""
from __future__ import annotations

from dataclasses import dataclass

from webapp.state import AppState, from_query

__all__ = ["Scenario", "Variant", "Robustness", "SCENARIO_KEY", "parse", "share_query", "hint_share_query"]

SCENARIO_KEY = "scenario"     # the URL key that names a scenario: ?scenario=<id>&surface=...


@dataclass(frozen=True)
class Variant:
    """A second picture for the same claim: its own query and a one-line note.

    ``run_names``: one name per run of the variant's query (empty: the runs' own names).
    """

    label: str
    query: str
    note: str = ""
    run_names: tuple = ()


@dataclass(frozen=True)
class Robustness:
    """How the claim of a scenario is tested over a neighbourhood of its settings.

    Every learning rate of first-order runs x ``lr_factors`` (together), the start
    moved by ``start_shift`` of the view's width (x) or height (y) in four
    directions; noisy scenarios use ``seeds`` seeds per point and must pass on at
    least ``pass_fraction`` of them at every point.
    """

    lr_factors: tuple = (0.8, 1.0, 1.2)
    start_shift: float = 0.05
    seeds: int = 1
    pass_fraction: float = 1.0


@dataclass(frozen=True)
class Scenario:
    """One claim of the lecture as a reproducible page.

    Attributes:
        id: URL-safe key, e.g. ``"zigzag_valley"``.
        number: its place in the lesson (1, 2, ...).
        title: a short heading.
        claim: the lecture's statement, in one sentence.
        predict: the question shown before playing.
        takeaway: what the animation showed, stated after it has played to the end.
        query: the page state as a query string (leading ``'?'``).
        knobs: names of the controls worth turning afterwards, e.g. ``"kappa"``.
        hints: the "Try:" hints, one sentence each, each saying what turning a knob shows.
        hint_queries: one query per hint (same order): the picture with that knob turned, linked from
            the hint in the caption (``""``: the hint has no picture of its own).
        variants: further pictures of the same claim.
        run_names: one name per run that tells the runs apart (empty: the runs' own names).
        robustness: how its test perturbs the settings (:class:`Robustness`).
        later: views this claim also wants that the page does not have yet (e.g. ``"local model"``).
    """

    id: str
    number: int
    title: str
    claim: str
    predict: str
    takeaway: str
    query: str
    knobs: tuple = ()
    hints: tuple = ()
    hint_queries: tuple = ()
    variants: tuple = ()
    run_names: tuple = ()
    robustness: Robustness = Robustness()
    later: tuple = ()

    @property
    def polyak_from(self) -> int | None:
        """The step from which its Polyak averages start (the query's ``polyak_from``), or ``None``
        when the query has no Polyak overlay."""
        views = self.state().views
        return views.polyak_from if views.polyak else None

    @property
    def polyak_decay(self) -> float | None:
        """The decay of its exponential Polyak average (the query's ``polyak_decay``), or ``None``."""
        views = self.state().views
        return views.polyak_decay if views.polyak else None

    def queries(self) -> tuple:
        """The main query, then every variant's."""
        return (self.query,) + tuple(v.query for v in self.variants)

    def state(self, variant: int | None = None) -> AppState:
        """The parsed page state of the main query (or of variant ``variant``)."""
        return parse(self.query if variant is None else self.variants[variant].query)

    def names(self, variant: int | None = None) -> tuple:
        """One name per run: ``run_names`` when given, else each run's own name."""
        names = self.run_names if variant is None else self.variants[variant].run_names
        return tuple(names) if names else tuple(run.name() for run in self.state(variant).runs)


def share_query(scenario: Scenario, variant: int | None = None) -> str:
    """The link that opens a scenario: ``"?scenario=<id>&" + query`` without its ``'?'``."""
    query = scenario.query if variant is None else scenario.variants[variant].query
    return f"?{SCENARIO_KEY}={scenario.id}&{query.lstrip('?')}"


def hint_share_query(scenario: Scenario, hint: int) -> str | None:
    """The link of the picture of hint ``hint`` (``"?scenario=<id>&..."``), or ``None`` when it has none."""
    query = scenario.hint_queries[hint] if hint < len(scenario.hint_queries) else ""
    return f"?{SCENARIO_KEY}={scenario.id}&{query.lstrip('?')}" if query else None


def parse(query: str) -> AppState:
    """The state of a scenario query; raises ValueError if the parser had anything to correct."""
    state, notices = from_query(query)
    if notices:
        raise ValueError(f"scenario query {query!r} needs corrections: {notices}")
    return state
