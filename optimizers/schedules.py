"""Learning-rate schedules with torch.optim.lr_scheduler semantics.

A schedule maps the step index e = 0, 1, 2, ... (the number of
``scheduler.step()`` calls made before that optimizer step) and the base rate
``lr`` to the rate used for that step. :meth:`Schedule.values` returns the
whole sequence at once: shape ``(T,)`` for a scalar ``lr`` or ``(T, N, 1)`` for
per-run rates ``(N, 1)``.
"""
from __future__ import annotations

from typing import ClassVar

import numpy as np

from landscapes.schema import Param, validate_params

__all__ = ["Schedule", "get", "names", "schema"]

_REGISTRY: dict[str, type["Schedule"]] = {}


def _register(cls):
    _REGISTRY[cls.name] = cls
    return cls


def names() -> list[str]:
    return list(_REGISTRY)


def schedule_class(name: str) -> type["Schedule"]:
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown schedule {name!r}; known: {', '.join(_REGISTRY)}") from None


def get(name: str = "constant", **params) -> "Schedule":
    return schedule_class(name)(**params)


def schema(name: str) -> tuple:
    return schedule_class(name).schema


class Schedule:
    """Base class: subclasses define ``factor`` or override ``rates``."""

    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    torch_name: ClassVar[str | None] = None
    schema: ClassVar[tuple] = ()
    formula: ClassVar[str] = ""

    def __init__(self, **params) -> None:
        values = validate_params(self.schema, params, owner=f"schedule {self.name!r}")
        self.params = values

    def rates(self, epochs: np.ndarray, lr):
        """Rate at each epoch ``e`` (``(T,)`` integers) for base rate ``lr`` (float or ``(N, 1)``)."""
        raise NotImplementedError

    def values(self, lr, steps: int) -> np.ndarray:
        """The rate used by each of ``steps`` optimizer steps: ``(T,)`` or ``(T, N, 1)``."""
        epochs = np.arange(steps)
        if isinstance(lr, np.ndarray):
            return self.rates(epochs[:, None, None], lr[None, :, :])
        return np.broadcast_to(np.asarray(self.rates(epochs, lr), dtype=np.float64), (steps,)).copy()

    def describe(self) -> str:
        parts = [f"{p.name}={self.params[p.name]:g}" for p in self.schema if self.params[p.name] != p.default]
        return " ".join([self.label] + parts)


@_register
class Constant(Schedule):
    """lr_e = lr (no scheduler)."""

    name = "constant"
    label = "constant"
    formula = r"\alpha_t = \alpha"

    def rates(self, epochs, lr):
        return lr + 0.0 * epochs
