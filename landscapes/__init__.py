"""Pure-NumPy 2-D loss surfaces with exact gradients and Hessians.

>>> import landscapes
>>> surface = landscapes.get("ill_conditioned", kappa=50)
>>> surface.grad([[1.0, 1.0]])
array([[ 1., 50.]])
"""
from landscapes.base import CriticalPoint, Landscape
from landscapes.formula import FormulaError, formula
from landscapes.registry import get, names, schema
from landscapes.schema import Param
from landscapes import surfaces as _surfaces  # noqa: F401  (registers the built-in surfaces)
from landscapes import classic as _classic  # noqa: F401
from landscapes import multimodal as _multimodal  # noqa: F401
from landscapes import custom as _custom  # noqa: F401  ("Your formula": registered last)

__all__ = ["CriticalPoint", "FormulaError", "Landscape", "Param", "formula", "get", "names", "schema"]
