"""Per-step branch tests and ``lerp_`` without NumPy overhead for scalar hyperparameters.

A hyperparameter is a Python float (one value for the batch) or an ``(N, 1)``
array (one per run). NumPy reductions such as ``np.any(0.9 != 0)`` cost a few
microseconds each even on a scalar, which adds up at 30 us a step; these
helpers answer scalars in plain Python and fall back to NumPy for arrays.
"""
from __future__ import annotations

import math

import numpy as np

from optimizers import common

__all__ = ["any_true", "all_true", "is_set", "lerp_", "power"]


def any_true(mask) -> bool:
    """``np.any(mask)`` for a Python bool or a boolean array."""
    return mask if isinstance(mask, bool) else bool(np.any(mask))


def all_true(mask) -> bool:
    """``np.all(mask)`` for a Python bool or a boolean array."""
    return mask if isinstance(mask, bool) else bool(np.all(mask))


def is_set(value) -> bool:
    """True when a scalar or per-run hyperparameter is non-zero for any run."""
    if isinstance(value, (float, int)):
        return value != 0
    return bool(np.any(value != 0))


def lerp_(start: np.ndarray, end: np.ndarray, weight) -> np.ndarray:
    """:func:`optimizers.common.lerp_` (torch's two-branch CPU lerp), with a scalar fast path."""
    if isinstance(weight, float):
        diff = end - start
        if abs(weight) < 0.5:
            diff *= weight
            start += diff
        else:
            diff *= 1 - weight
            np.subtract(end, diff, out=start)
        return start
    return common.lerp_(start, end, weight)


def power(base, exponent):
    """``base ** exponent`` with Python's float ``pow``, elementwise for per-run columns.

    NumPy's vectorized ``**`` may round differently from Python's scalar pow by
    an ulp; torch computes bias corrections such as ``1 - beta ** step`` on
    Python floats, so a per-run column must too, or a batch would differ from
    separate runs.
    """
    if isinstance(base, np.ndarray) or isinstance(exponent, np.ndarray):
        base_b, exp_b = np.broadcast_arrays(np.asarray(base, dtype=np.float64), np.asarray(exponent, dtype=np.float64))
        values = [b ** e if (b >= 0 or e == round(e)) else math.nan   # NumPy's NaN, not a complex root
                  for b, e in zip(base_b.ravel().tolist(), exp_b.ravel().tolist())]
        return np.array(values, dtype=np.float64).reshape(base_b.shape)
    return base ** exponent
