"""Which picture of a scenario a page shows, from its share query (pure; no Dash).

A scenario has pictures: its main query, its variants (second pictures of the same claim) and one
per "Try:" hint (the picture with that knob turned). :func:`picture_of` finds which of them a query
*is* (exactly, the ``lesson`` flag aside); a query edited away from every picture is none of them.

* :func:`opening` is the key the player holds on: a page that shows a scenario picture opens it
  paused at step 0 (``assets/player.js``), once per picture opened; an edited page plays on as usual.
* :func:`run_labels` are the run names the picture gives (``run_names`` of the scenario or variant,
  e.g. the seed of each noisy run), in place of the runs' own names.
* :func:`lesson_query` is a link in lesson mode (``lesson=1`` first), :func:`lesson_neighbours` the
  scenarios before and after one in lesson order.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import parse_qsl, urlencode

from webapp import scenarios
from webapp.scenarios import Scenario

__all__ = ["Picture", "picture_of", "opening", "run_labels", "in_lesson", "without_lesson", "lesson_query",
           "lesson_neighbours", "LESSON_KEY"]

LESSON_KEY = "lesson"
LANGUAGE_KEY = "lang"           # the page's language (webapp.state.url writes it last)


@dataclass(frozen=True)
class Picture:
    """One picture of a scenario: ``kind`` ``"main"``, ``"variant"`` or ``"hint"``, and its index."""

    scenario: Scenario
    kind: str
    index: int | None = None

    @property
    def key(self) -> str:
        """``"<id>"``, ``"<id>~variant~<i>"`` or ``"<id>~hint~<i>"``."""
        return self.scenario.id if self.kind == "main" else f"{self.scenario.id}~{self.kind}~{self.index}"

    @property
    def variant(self) -> int | None:
        return self.index if self.kind == "variant" else None

    def names(self) -> tuple:
        """The run names this picture gives (empty: the runs' own names). A hint turns a knob of the
        main picture, so its runs keep their own names (they say the value turned)."""
        if self.kind == "hint":
            return ()
        return self.scenario.run_names if self.kind == "main" else self.scenario.variants[self.index].run_names

    def note(self) -> str:
        """The one-line note the caption adds: a variant's note, or the hint's own sentence."""
        if self.kind == "variant":
            return self.scenario.variants[self.index].note
        if self.kind == "hint":
            return self.scenario.hints[self.index]
        return ""


def _pairs(search) -> list:
    if not isinstance(search, str):
        return []
    return parse_qsl(search.lstrip("?"), keep_blank_values=True)


def in_lesson(search) -> bool:
    """Whether the query is in lesson mode (``lesson=1``)."""
    return (LESSON_KEY, "1") in _pairs(search)


def without_lesson(search) -> str:
    """The query without its ``lesson`` flag, as written (``"?..."``)."""
    if not isinstance(search, str):
        return ""
    parts = [part for part in search.lstrip("?").split("&") if part.split("=", 1)[0] != LESSON_KEY]
    return "?" + "&".join(parts)


def lesson_query(query: str) -> str:
    """A link ``"?scenario=..."`` in lesson mode: ``"?lesson=1&scenario=..."``."""
    return "?" + urlencode({LESSON_KEY: "1"}) + "&" + without_lesson(query).lstrip("?")


def picture_of(scenario_id, search) -> Picture | None:
    """The picture of scenario ``scenario_id`` that ``search`` is exactly (lesson flag and the page's language
    aside: a picture is the same in every language), or ``None``."""
    try:
        scenario = scenarios.get(scenario_id)
    except ValueError:
        return None
    query = "&".join(part for part in without_lesson(search).lstrip("?").split("&")
                     if part.split("=", 1)[0] != LANGUAGE_KEY)
    if query == scenarios.share_query(scenario).lstrip("?"):
        return Picture(scenario, "main")
    for index in range(len(scenario.variants)):
        if query == scenarios.share_query(scenario, index).lstrip("?"):
            return Picture(scenario, "variant", index)
    for index in range(len(scenario.hints)):
        link = scenarios.hint_share_query(scenario, index)
        if link is not None and query == link.lstrip("?"):
            return Picture(scenario, "hint", index)
    return None


def opening(scenario_id, search) -> str | None:
    """The key of the scenario picture the page shows (the player opens a new key paused at step 0),
    or ``None`` (no scenario, or a picture edited away from every scenario picture)."""
    picture = picture_of(scenario_id, search)
    return picture.key if picture is not None else None


def run_labels(results, scenario_id, search) -> list:
    """``results`` with each run's ``label`` the picture's run name, where the picture names its runs
    (and the number of names matches); otherwise unchanged."""
    picture = picture_of(scenario_id, search)
    names = picture.names() if picture is not None else ()
    if not names or len(names) != len(results):
        return list(results)
    return [replace(result, label=name) for result, name in zip(results, names)]


def lesson_neighbours(scenario_id) -> tuple:
    """``(position, count, previous, next)`` of a scenario in lesson order (1-based position;
    ``previous``/``next`` are Scenarios or ``None`` at the ends)."""
    order = scenarios.ids()
    position = order.index(scenario_id)
    before = scenarios.get(order[position - 1]) if position > 0 else None
    after = scenarios.get(order[position + 1]) if position + 1 < len(order) else None
    return position + 1, len(order), before, after
