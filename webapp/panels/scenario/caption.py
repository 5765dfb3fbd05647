"""The caption a lecture scenario shows above the map: predict first, the takeaway revealed after the last step.

* :func:`caption` is what the page shows for the state's scenario: the scenario's title and its
  question (phase ``"predict"``), links to its variants (the same claim in a second picture) and to
  its main picture, and the takeaway (phase ``"takeaway"``), which ``assets/scenario.js`` reveals
  when the player reaches the last step (and hides again on restart).
* :func:`scenario_for_query` / :func:`variant_for_query`: which scenario and variant a URL is.

The scenario data lives in :mod:`webapp.scenarios` (no Dash there).
"""
from __future__ import annotations

from urllib.parse import parse_qs

from dash import html

from webapp import scenarios
from webapp.scenarios import Scenario

__all__ = ["caption", "variant_links", "scenario_for_query", "variant_for_query", "caption_text", "caption_block",
           "PHASES", "LINK_TYPE"]

PHASES = ("predict", "takeaway")
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
    values = _query_values(search, "scenario")
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


def variant_links(scenario: Scenario, current: int | None = None) -> list:
    """Links to the scenario's other pictures: its main query and each variant (the shown one left out)."""
    links = []
    if current is not None:
        links.append(html.A("Main picture", href=scenarios.share_query(scenario),
                            id={"type": LINK_TYPE, "index": scenario.id}, className="button small scenario-variant",
                            title=scenario.predict))
    for index, variant in enumerate(scenario.variants):
        if index == current:
            continue
        links.append(html.A(variant.label, href=scenarios.share_query(scenario, index),
                            id={"type": LINK_TYPE, "index": f"{scenario.id}~{index}"},
                            className="button small scenario-variant", title=variant.note or variant.label))
    return links


def caption(scenario_id: str | None, search: str | None = None) -> list:
    """The caption of the state's scenario (``[]`` for none); ``search`` (the share query) picks the variant."""
    if not scenario_id:
        return []
    scenario = scenarios.get(scenario_id)
    variant = variant_for_query(scenario, search)
    predict = caption_block(scenario, "predict", variant)
    predict.children.insert(1, html.P(scenario.claim, className="scenario-claim"))   # under the title
    children = [predict]
    links = variant_links(scenario, variant)
    if links:
        children.append(html.Div([html.Span("Also: ", className="scenario-also"), *links], className="scenario-links"))
    children.append(html.Button("Show the takeaway", className="button small scenario-reveal", n_clicks=0,
                                title="Revealed by itself after the last step"))
    children.append(caption_block(scenario, "takeaway", variant))
    return [html.Div(children, className="card scenario-card", **{"data-scenario": scenario.id})]
