"""The header's edits: a link (or navigation) becomes the state; a picked scenario replaces it."""
from __future__ import annotations

from webapp import i18n, scenarios
from webapp.panels.edits import Edit, EditContext
from webapp.state import from_query, to_query
from webapp.state.url import language_in

__all__ = ["EDITS", "open_link"]


def open_link(context: EditContext) -> bool:
    """Opening (or navigating to) a link: the query string becomes the state (its notices on the page).

    The page's language is the link's ``lang``, else the language its layout was built in (the browser's
    preference: ``page-lang``)."""
    search = context.value if isinstance(context.value, str) else ""
    if search and to_query(context.state) == search:
        return False                              # the address bar follows the state: nothing to load
    revision = context.state.revision
    context.state, notices = from_query(search)
    context.state.revision = revision
    context.state.lang = language_in(search) or i18n.language(context.extra.get("page_lang"))
    context.page_notices.extend(notices)
    context.structural = True
    return True


def pick_scenario(context: EditContext) -> bool:
    """A lecture scenario replaces the whole page with its state (its share link); cleared, the caption goes."""
    scenario_id, current = context.value, context.state
    if scenario_id == current.scenario:
        return False
    if scenario_id is None:
        current.scenario, current.lesson = None, False
        return True
    if not isinstance(scenario_id, str) or scenario_id not in scenarios.ids():
        return False
    revision, lesson = current.revision, current.lesson
    context.state, notices = from_query(scenarios.share_query(scenarios.get(scenario_id)))
    context.state.revision = revision
    context.state.lang = current.lang
    context.state.lesson = lesson                 # in lesson mode the picker jumps to another position
    context.page_notices.extend(notices)
    context.structural = True
    return True


EDITS = (
    Edit("link", "url", "search", open_link, extra={"page_lang": ("page-lang", "data")}),
    Edit("scenario", "scenario-picker", "value", pick_scenario),
)
