"""The View bar's edits: overlay / side by side, the view toggles, the loss plot's x axis, the inner run, the
Polyak EMA's decay, equal axes."""
from __future__ import annotations

from webapp.i18n import msg
from webapp.panels.edits import Edit, EditContext
from webapp.panels.lecture.panel import aspect_setting, shown_decay, toggles_to_settings
from webapp.state import coerce
from webapp.state.view_options import view_settings

__all__ = ["EDITS"]

CONTROLS = {"mode": ("view-mode", "value"), "toggles": ("view-toggles", "value"), "loss_x": ("loss-x", "value"),
            "inner_run": ("inner-run", "value")}


def edit_views(context: EditContext) -> bool:
    extra = context.extra
    new = toggles_to_settings(context.state.views, extra["mode"], extra["toggles"], extra["loss_x"],
                              extra["inner_run"])
    if new == context.state.views:
        return False
    context.state.views = new
    return True


def edit_decay(context: EditContext) -> bool:
    """A decay typed into the View bar's box: a number in [0, 1) becomes ``polyak_decay``; anything else
    is refused with a notice naming it, the decay in force stays (and the box shows it again). An
    emptied box changes nothing."""
    text = "" if context.value is None else str(context.value).strip()[:60]
    if not text:
        return False
    views = view_settings(context.state.views)
    found: list = []
    chosen = coerce.decay(text, "polyak_decay", found)
    if found:
        context.page_notices.append(msg("notices.decay_refused", name=msg("notices.polyak_decay"),
                                        value=coerce.short(text), default=shown_decay(views.polyak_decay)))
        context.outputs["views_refused"] = True
        return False
    new = view_settings({**dict(views), "polyak_decay": shown_decay(chosen)})
    if new == views:
        return False
    context.state.views = new
    return True


def edit_aspect(context: EditContext) -> bool:
    """The "1:1 axes" box: equal axes or stretched, in the link only when it differs from the view's default."""
    new = aspect_setting(context.state.views, context.state.view_box(), context.value)
    if new == context.state.views:
        return False
    context.state.views = new
    return True


EDITS = tuple(Edit(f"views_{key}", component, prop, edit_views, extra=CONTROLS)
              for key, (component, prop) in CONTROLS.items()) + (
    Edit("views_polyak_decay", "polyak-decay", "value", edit_decay),
    Edit("views_aspect", "view-aspect", "value", edit_aspect))
