"""The runs a figure draws: :class:`RunView` (name, colour, path) from whatever the caller holds."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from webapp.state.model import PALETTE

__all__ = ["RunView", "as_run_views"]


@dataclass(frozen=True)
class RunView:
    """One run as the views draw it: a name, a colour and its path ``(T+1, 2)``."""

    name: str
    color: str
    path: np.ndarray          # (T+1, 2)
    visible: bool = True


def as_run_views(runs) -> list[RunView]:
    """Normalise what callers have into :class:`RunView` records.

    Accepts, mixed freely: :class:`RunView`; the app's ``RunResult`` (``.label``,
    ``.path`` ``(T+1, 2)``, ``.spec.color`` index, ``.spec.visible``); a
    :class:`optimizers.Trajectory` (one record per run, named after the
    optimizer); or a dict with ``name``, ``path`` and optionally ``color``.
    Colours default to the app's palette in order.
    """
    views: list[RunView] = []

    def colour(index) -> str:
        return PALETTE[index % len(PALETTE)]

    for item in runs:
        if isinstance(item, RunView):
            views.append(item)
        elif hasattr(item, "optimizer") and hasattr(item, "state") and np.ndim(item.path) == 3:
            label = getattr(item.optimizer, "label", "") or item.optimizer.name
            for column in range(item.path.shape[1]):
                name = label if item.path.shape[1] == 1 else f"{label} #{column + 1}"
                views.append(RunView(name, colour(len(views)), np.asarray(item.path[:, column], dtype=np.float64)))
        elif isinstance(item, dict):
            views.append(RunView(str(item["name"]), item.get("color") or colour(len(views)),
                                 np.asarray(item["path"], dtype=np.float64), bool(item.get("visible", True))))
        else:
            spec = getattr(item, "spec", None)
            index = getattr(spec, "color", len(views))
            views.append(RunView(str(item.label), colour(index), np.asarray(item.path, dtype=np.float64),
                                 bool(getattr(spec, "visible", True))))
    return views
