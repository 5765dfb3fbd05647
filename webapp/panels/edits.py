"""What an edit is: one input of the page and the function that applies it to the state.

Every panel lists its edits (``EDITS`` in its ``edits`` module); :mod:`webapp.panels.answer`
registers them all on the one server callback, which applies the edit that fired and answers
everything that changed, in one request.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from webapp.state import AppState

__all__ = ["Edit", "EditContext"]


@dataclass
class EditContext:
    """What an edit function gets: the state (it may change it, or replace it), the value and id of the
    component that fired, the values of the edit's extra states, and where to put what it says.

    ``notices``: place -> texts shown next to a control (``"run:<i>"``, ``"start"``, ``"steps"``,
    ``"view"``, ``"surface"``; see :mod:`webapp.panels.wiring`); ``page_notices``: the page's notice list
    (a link's unknown keys); ``outputs``: panel-specific outputs of this answer (e.g. the Maps messages).
    """

    state: AppState
    value: Any
    component_id: Any
    extra: dict
    notices: dict = field(default_factory=dict)
    page_notices: list = field(default_factory=list)
    outputs: dict = field(default_factory=dict)
    structural: bool = False     # set by an edit whose controls must re-draw (bumps the state's revision)


@dataclass(frozen=True)
class Edit:
    """``key``: a name unique on the page; ``component``/``prop``: the input (a string id, or a pattern
    dict with ``ALL``); ``apply(context) -> bool`` (True: the state changed); ``extra``: name ->
    (component, prop) of values it reads as states; ``structural``: its controls re-draw after it."""

    key: str
    component: Any
    prop: str
    apply: Callable[[EditContext], bool]
    extra: dict = field(default_factory=dict)
    structural: bool = False
