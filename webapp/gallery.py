"""The scenario gallery as Dash components, and the captions a scenario shows.

* :func:`gallery_panel`: one card per scenario (number, title, the lecture's
  claim, knobs to try) with a plain link whose ``href`` is the scenario's share
  link ``"?scenario=<id>&" + query``; opening it loads the page in that state.
* :func:`scenario_for_query`: the scenario named by ``?scenario=`` in a URL's
  search string, or ``None``.
* :func:`caption_text` / :func:`caption_block`: the question asked before
  playing (phase ``"predict"``) or the point stated after playing to the end
  (phase ``"takeaway"``).

Wiring (for the page's callbacks): read ``url.search`` once on load, look the
scenario up with :func:`scenario_for_query`, put ``caption_block(s, "predict")``
into :data:`CAPTION_ID`, and swap to ``"takeaway"`` when the player reaches the
last step. The scenario data lives in :mod:`webapp.scenarios` (no Dash there).
"""
from __future__ import annotations

from urllib.parse import parse_qs

from dash import html

from webapp import scenarios
from webapp.scenarios import Scenario

__all__ = ["gallery_panel", "scenario_card", "scenario_for_query", "variant_for_query", "caption_text",
           "caption_block", "caption_slot", "PHASES", "GALLERY_ID", "CAPTION_ID", "LINK_TYPE"]

PHASES = ("predict", "takeaway")
GALLERY_ID = "scenario-gallery"
CAPTION_ID = "scenario-caption"
LINK_TYPE = "scenario-link"          # pattern-matching id type of the links: {"type": LINK_TYPE, "index": id}
_PHASE_HEADINGS = {"predict": "Predict", "takeaway": "Takeaway"}


# ------------------------------------------------------------------ pure helpers
def _query_values(search: str | None, key: str) -> list[str]:
    if not isinstance(search, str):
        return []
    return parse_qs(search.lstrip("?"), keep_blank_values=True).get(key, [])


def scenario_for_query(search: str | None) -> Scenario | None:
    """The scenario whose id is the ``scenario`` value of a URL search string (``"?scenario=...&..."``).

    ``None`` for a missing, empty or unknown id (the first value counts when repeated).
    """
    values = _query_values(search, scenarios.SCENARIO_KEY)
    if not values:
        return None
    try:
        return scenarios.get(values[0].strip())
    except ValueError:
        return None


def variant_for_query(scenario: Scenario, search: str | None) -> int | None:
    """Which of the scenario's variants the rest of the search string is (``None``: the main query or neither)."""
    if not isinstance(search, str):
        return None
    for index in range(len(scenario.variants)):
        if search.lstrip("?") == scenarios.share_query(scenario, index).lstrip("?"):
            return index
    return None


def caption_text(scenario: Scenario, phase: str) -> str:
    """The caption of ``phase``: ``"predict"`` (before playing) or ``"takeaway"`` (after the last step)."""
    if phase == "predict":
        return scenario.predict
    if phase == "takeaway":
        return scenario.takeaway
    raise ValueError(f"unknown caption phase {phase!r}; expected one of {', '.join(PHASES)}")


# ------------------------------------------------------------------ components
def caption_block(scenario: Scenario, phase: str, variant: int | None = None) -> html.Div:
    """The caption shown above the map: scenario title, the phase's heading and text.

    After playing (``"takeaway"``) the knobs worth trying are listed too. A
    variant adds its one-line note.
    """
    text = caption_text(scenario, phase)
    children = [
        html.Div(f"Scenario {scenario.number}: {scenario.title}", className="scenario-caption-title"),
        html.Strong(f"{_PHASE_HEADINGS[phase]}: ", className="scenario-caption-phase"),
        html.Span(text, className="scenario-caption-text"),
    ]
    if variant is not None and scenario.variants[variant].note:
        children.append(html.P(scenario.variants[variant].note, className="scenario-caption-note"))
    if phase == "takeaway" and scenario.knobs:
        children.append(html.P("Try: " + "; ".join(scenario.knobs) + ".", className="scenario-caption-knobs"))
    return html.Div(children, className=f"scenario-caption {phase}", **{"data-phase": phase,
                                                                          "data-scenario": scenario.id})


def caption_slot() -> html.Div:
    """An empty, live-announced place for the caption, to put above the map."""
    return html.Div(id=CAPTION_ID, className="scenario-caption-slot", **{"aria-live": "polite"})


def scenario_card(scenario: Scenario) -> html.Article:
    """One gallery card: number, title, claim, the share link, its variants and knobs."""
    links = [html.A("Open scenario", href=scenarios.share_query(scenario),
                    id={"type": LINK_TYPE, "index": scenario.id}, className="button primary scenario-open",
                    title=scenario.predict)]
    for index, variant in enumerate(scenario.variants):
        links.append(html.A(variant.label, href=scenarios.share_query(scenario, index),
                            id={"type": LINK_TYPE, "index": f"{scenario.id}~{index}"},
                            className="button small scenario-variant", title=variant.note or variant.label))
    children = [
        html.H3([html.Span(f"{scenario.number}", className="scenario-number"), " ", scenario.title],
                className="scenario-title"),
        html.P(scenario.claim, className="scenario-claim"),
        html.Div(links, className="scenario-links"),
    ]
    if scenario.knobs:
        children.append(html.P("Knobs: " + "; ".join(scenario.knobs), className="scenario-knobs"))
    return html.Article(children, className="scenario-card", **{"data-scenario": scenario.id})


def gallery_panel() -> html.Section:
    """The gallery: one card per scenario of the lecture, in lecture order."""
    return html.Section([
        html.H2("Lecture scenarios", className="card-title"),
        html.P("One link per claim of the lecture. Predict first, then play to the end.", className="hint"),
        html.Div([scenario_card(s) for s in scenarios.SCENARIOS], className="scenario-grid"),
    ], id=GALLERY_ID, className="card gallery")
