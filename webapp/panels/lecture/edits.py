"""The View bar's edits: overlay / side by side, the view toggles, the loss plot's x axis, the inner run."""
from __future__ import annotations

from webapp.panels.edits import Edit, EditContext
from webapp.panels.lecture.panel import toggles_to_settings

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


EDITS = tuple(Edit(f"views_{key}", component, prop, edit_views, extra=CONTROLS)
              for key, (component, prop) in CONTROLS.items())
