"""Registry of named surfaces: ``get(name, **params)`` and ``names()``.

A surface factory is a function of its own parameters returning a
:class:`~landscapes.base.Landscape`; it is registered with its schema by
:func:`register`. Every surface also takes ``l2`` (the lecture's
"add a term to the loss": (l2/2) * |w|^2), handled here once for all.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

from landscapes.base import Landscape
from landscapes.schema import Param, validate_params

__all__ = ["register", "get", "names", "schema", "L2_PARAM"]

L2_PARAM = Param(
    "l2", 0.0, "L2 regularization strength lambda: adds (lambda/2)(x^2 + y^2) to the loss",
    low=0.0, high=100.0, scale="log", label="L2 lambda", per_run=False,
    slider_low=1e-3, slider_high=10.0,
)

_FACTORIES: dict[str, tuple[Callable[..., Landscape], tuple]] = {}


def register(name: str, schema: tuple = ()) -> Callable:
    """Decorator: register ``factory(**params) -> Landscape`` under ``name``."""
    schema = tuple(replace(p, per_run=False) for p in schema)

    def decorate(factory: Callable[..., Landscape]) -> Callable[..., Landscape]:
        if name in _FACTORIES:
            raise ValueError(f"surface {name!r} registered twice")
        _FACTORIES[name] = (factory, schema)
        return factory

    return decorate


def names() -> list[str]:
    """Registered surface names, in registration order."""
    return list(_FACTORIES)


def schema(name: str) -> tuple:
    """The full parameter schema of surface ``name`` (its own parameters, then ``l2``)."""
    return _lookup(name)[1] + (L2_PARAM,)


def get(name: str, **params) -> Landscape:
    """Build surface ``name`` with ``params`` (defaults for the rest).

    Raises ValueError for an unknown name, an unknown parameter, or a value
    outside its range (the message names the parameter and the range).
    """
    factory, own_schema = _lookup(name)
    values = validate_params(own_schema + (L2_PARAM,), params, owner=f"surface {name!r}")
    lam = values.pop("l2")
    surface = factory(**values)
    surface = replace(surface, name=name, params=dict(values), schema=own_schema + (L2_PARAM,))
    return surface.with_l2(lam)


def _lookup(name: str):
    try:
        return _FACTORIES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown surface {name!r}; known: {', '.join(_FACTORIES)}") from None
