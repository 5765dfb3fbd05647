"""Argument checks shared by the engine's batch entry points (maps, tuning): one message per rule."""
from __future__ import annotations

import numpy as np

__all__ = ["positive_number"]


def positive_number(name: str, value) -> float:
    """``value`` as a positive finite float; ValueError naming ``name`` otherwise."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a positive number, got {value!r}") from None
    if not (np.isfinite(number) and number > 0):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return number
