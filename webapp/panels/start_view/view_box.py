"""The view box as four number boxes (x from .. to, y from .. to), for every surface.

Zooming the map already sets the state's view; these boxes show it and let a user type one
(a formula of their own often needs a wider or narrower window). The boxes follow the state
(rounded to 6 significant digits); a typed box is validated on the server like any view
(:func:`webapp.state.coerce.view_box`: finite, inside [-1e6, 1e6], not empty or reversed).
"""
from __future__ import annotations

from dash import dcc, html

from webapp.i18n import t
from webapp.state import AppState, coerce

__all__ = ["VIEW_IDS", "view_rows", "shown_view", "apply_view"]

VIEW_IDS = ("view-x-min", "view-x-max", "view-y-min", "view-y-max")


def _box(component_id: str, label: str) -> dcc.Input:
    return dcc.Input(id=component_id, type="number", step="any", debounce=True, className="param-number view-number",
                     name=label)


def view_rows(lang: str = "en") -> list:
    """Two rows: ``view x [min] to [max]`` and ``view y [min] to [max]``."""
    def row(axis: str) -> html.Div:
        return html.Div([html.Label(t("view.label", lang, axis=axis), htmlFor=f"view-{axis}-min"),
                         _box(f"view-{axis}-min", t("view.from", lang, axis=axis)),
                         html.Span(t("view.to", lang), className="view-to"),
                         _box(f"view-{axis}-max", t("view.to_box", lang, axis=axis))],
                        className="start-row view-row", title=t(f"view.{axis}_title", lang))

    return [row("x"), row("y")]


def shown_view(state: AppState) -> tuple:
    """The view box as the boxes show it: 6 significant digits."""
    return tuple(float(f"{v:.6g}") for v in state.view_box())


def apply_view(state: AppState, values, notices: list | None = None) -> bool:
    """Set ``state.view`` from the four boxes; False (state untouched) when a box is empty or not a
    number, the box is empty or reversed (with a notice), or nothing changed."""
    if not isinstance(values, (list, tuple)) or len(values) != 4 or any(coerce.number(v) is None for v in values):
        return False
    box = coerce.view_box(list(values), notices if notices is not None else [])
    if box is None or tuple(box) == shown_view(state) or tuple(box) == tuple(state.view_box()):
        return False
    state.view = tuple(box)
    return True
