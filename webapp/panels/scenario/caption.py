"""The caption a lecture scenario shows above the map: predict first, the takeaway revealed after the last step.

The reveal flow: a scenario picture opens paused at step 0 (the player holds on
:func:`webapp.panels.scenario.picture.opening`) with the claim and the question (phase
``"predict"``) in view and the play bar under it; the takeaway (phase ``"takeaway"``) is in the
page but folded until the player *arrives* at the last step, when ``assets/scenario.js`` opens it
(or until "Show the takeaway now" is pressed, on purpose). Under the takeaway, each "Try:" hint is a
link to its picture (the knob turned); the variants (second pictures) are links under the question.
All links are ``dcc.Link``: they change the address in the page (no reload), so the browser's back
button returns to the previous picture.

In lesson mode (``lesson=1`` in the query) a bar on top says "Lesson k / n" with previous / next
links through every scenario in order, each opening predict -> play -> reveal again.

* :func:`caption` is what the page shows for the state's scenario.
* :func:`scenario_for_query` / :func:`variant_for_query`: which scenario and variant a URL is.

The scenario data lives in :mod:`webapp.scenarios` (no Dash there); every UI string of the caption
is in :mod:`webapp.panels.scenario.texts`.
"""
from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qs

from dash import dcc, html

from webapp import scenarios
from webapp.scenarios import Scenario
from webapp.panels.scenario.picture import in_lesson, lesson_neighbours, lesson_query, picture_of, without_lesson
from webapp.panels.scenario.texts import phase_headings, texts

__all__ = ["caption", "variant_links", "hint_items", "lesson_bar", "scenario_for_query", "variant_for_query",
           "caption_text", "caption_block", "PHASES", "LINK_TYPE", "HINT_TYPE", "LESSON_TYPE"]

PHASES = ("predict", "takeaway")
LINK_TYPE = "scenario-link"          # pattern-matching id type of the links: {"type": LINK_TYPE, "index": id}
HINT_TYPE = "scenario-hint"          # the "Try:" hint links: {"type": HINT_TYPE, "index": "<id>~<i>"}
LESSON_TYPE = "lesson-link"          # the lesson bar's links: {"type": LESSON_TYPE, "index": "previous" | "next" | "leave" | "start"}


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
    picture = picture_of(scenario.id, search)
    return picture.variant if picture is not None else None


def caption_text(scenario: Scenario, phase: str) -> str:
    """The caption of ``phase``: ``"predict"`` (before playing) or ``"takeaway"`` (after the last step)."""
    if phase == "predict":
        return scenario.predict
    if phase == "takeaway":
        return scenario.takeaway
    raise ValueError(f"unknown caption phase {phase!r}; expected one of {', '.join(PHASES)}")


# ------------------------------------------------------------------ components
def _link(text, href: str, lesson: bool, **props) -> dcc.Link:
    """A link inside the page (no reload); in lesson mode it stays in the lesson."""
    return dcc.Link(text, href=lesson_query(href) if lesson else href, **props)


def caption_block(scenario: Scenario, phase: str, variant: int | None = None, note: str = "",
                  lesson: bool = False, lang: str = "en") -> html.Div:
    """The caption shown above the map: scenario title, the phase's heading and text.

    After playing (``"takeaway"``) the "Try:" hints follow, each a link to its picture. A variant (or
    a hint's picture) adds its one-line ``note`` (a variant's own note by default).
    """
    text = caption_text(scenario, phase)
    words = texts(lang)
    children = [
        html.Div(words["scenario"].format(number=scenario.number, title=scenario.title),
                 className="scenario-caption-title"),
        html.Strong(f"{phase_headings(lang)[phase]}: ", className="scenario-caption-phase"),
        html.Span(text, className="scenario-caption-text"),
    ]
    note = note or (scenario.variants[variant].note if variant is not None else "")
    if note and phase == "predict":
        children.append(html.P(note, className="scenario-caption-note"))
    if phase == "takeaway" and scenario.hints:
        children.append(html.Div([html.Span(words["try"], className="scenario-try"),
                                  html.Ul(hint_items(scenario, lesson), className="scenario-hints")],
                                 className="scenario-caption-knobs"))
    return html.Div(children, className=f"scenario-caption {phase}", **{"data-phase": phase,
                                                                          "data-scenario": scenario.id})


def hint_items(scenario: Scenario, lesson: bool = False) -> list:
    """One list item per "Try:" hint: a link to the picture with its knob turned (plain text without one)."""
    items = []
    for index, hint in enumerate(scenario.hints):
        href = scenarios.hint_share_query(scenario, index)
        if href is None:
            items.append(html.Li(hint))
        else:
            items.append(html.Li(_link(hint, href, lesson, id={"type": HINT_TYPE, "index": f"{scenario.id}~{index}"},
                                       className="scenario-hint")))
    return items


def variant_links(scenario: Scenario, current: int | None = None, lesson: bool = False,
                  show_main: bool = False, lang: str = "en") -> list:
    """Links to the scenario's other pictures: its main query and each variant (the shown one left out)."""
    links = []
    if current is not None or show_main:
        links.append(_link(texts(lang)["main_picture"], scenarios.share_query(scenario), lesson,
                           id={"type": LINK_TYPE, "index": scenario.id}, className="button small scenario-variant",
                           title=scenario.predict))
    for index, variant in enumerate(scenario.variants):
        if index == current:
            continue
        links.append(_link(variant.label, scenarios.share_query(scenario, index), lesson,
                           id={"type": LINK_TYPE, "index": f"{scenario.id}~{index}"},
                           className="button small scenario-variant", title=variant.note or variant.label))
    return links


def lesson_bar(scenario: Scenario, search: str, lang: str = "en") -> html.Div:
    """Lesson mode's bar: "Lesson k / n", previous / next (each opens that scenario's main picture in
    the lesson) and a link that leaves the lesson, keeping the picture."""
    position, count, before, after = lesson_neighbours(scenario.id)
    words = texts(lang)

    def step(target, key):
        if target is None:
            return html.Span(words[key], className="button small lesson-step disabled", **{"aria-disabled": "true"})
        target = scenarios.get(target.id, lang)
        return dcc.Link(words[key], href=lesson_query(scenarios.share_query(target)),
                        id={"type": LESSON_TYPE, "index": key}, className="button small lesson-step",
                        title=words["scenario"].format(number=target.number, title=target.title))
    return html.Div([
        step(before, "previous"),
        html.Span(words["lesson_position"].format(position=position, count=count), className="lesson-position"),
        step(after, "next"),
        dcc.Link(words["leave_lesson"], href=without_lesson(search), id={"type": LESSON_TYPE, "index": "leave"},
                 className="lesson-leave"),
    ], className="lesson-bar", **{"data-position": str(position), "data-count": str(count)})


def caption(scenario_id: str | None, search: str | None = None, lang: str = "en") -> list:
    """The caption of the state's scenario (``[]`` for none); ``search`` (the share query) picks the
    picture (main, variant or hint) and says whether the page is in lesson mode; ``lang``: the language
    of its texts (the scenario's own, :func:`webapp.scenarios.get`, and the caption's words)."""
    if not scenario_id:
        return []
    scenario = scenarios.get(scenario_id, lang)
    picture = picture_of(scenario_id, search)
    lesson = in_lesson(search)
    variant = picture.variant if picture is not None else None
    note = replace(picture, scenario=scenario).note() if picture is not None else ""   # in the page's language
    words = texts(lang)
    predict = caption_block(scenario, "predict", variant, note=note, lesson=lesson, lang=lang)
    predict.children.insert(1, html.P(scenario.claim, className="scenario-claim"))   # under the title
    children = [lesson_bar(scenario, search, lang)] if lesson else []
    children.append(predict)
    row = [html.Span(words["play_first"], className="scenario-play-first")]
    links = variant_links(scenario, variant, lesson, show_main=picture is None or picture.kind == "hint", lang=lang)
    if links:
        row += [html.Span(words["also"], className="scenario-also"), *links]
    if not lesson:
        row.append(dcc.Link(words["start_lesson"], href=lesson_query(scenarios.share_query(scenario)),
                            id={"type": LESSON_TYPE, "index": "start"}, className="button small lesson-start",
                            title=words["start_lesson_title"]))
    row.append(html.Button(words["reveal"], className="button small scenario-reveal", n_clicks=0,
                           title=words["reveal_title"]))
    children.append(html.Div(row, className="scenario-links"))
    children.append(caption_block(scenario, "takeaway", variant, lesson=lesson, lang=lang))
    return [html.Div(children, className="card scenario-card" + (" in-lesson" if lesson else ""),
                     **{"data-scenario": scenario.id, "data-picture": picture.key if picture else ""})]
