"""bfloat16 arithmetic in NumPy, as torch's CPU kernels do it (for Muon's Newton–Schulz iteration).

bfloat16 is float32 with the low 16 bits of the significand dropped: 1 sign bit,
8 exponent bits (float32's range), 8 significand bits (7 stored), so one
rounding costs up to 2^-9 relative (half an ulp of 2^-8). NumPy has no
bfloat16 type; here a bfloat16 number is a float32 whose low 16 bits are 0,
and :func:`round_to_bfloat16` rounds a float32 array to the nearest such
number (ties to even), with uint32 bit operations, as c10's
``round_to_nearest_even`` does:

    bits = float32 bits;  bits += 0x7FFF + ((bits >> 16) & 1);  bits &= 0xFFFF0000

(NaN stays NaN; a value past bfloat16's largest finite number rounds to inf.)

torch's CPU kernels for a bfloat16 tensor compute each operation in float32
and round the result to bfloat16 once; a float64 tensor converted with
``.bfloat16()`` goes through float32 first (two roundings). The helpers here
follow that rule; :mod:`optimizers.muon` composes them into torch's
Newton–Schulz iteration, which they reproduce bit for bit (tested against
torch on random inputs, NaN and inf included).
"""
from __future__ import annotations

import numpy as np

__all__ = ["round_to_bfloat16", "round_in_place", "from_float64", "BFLOAT16_EPS"]

BFLOAT16_EPS = 2.0 ** -7          # spacing of bfloat16 numbers in [1, 2): 8 significand bits

_ROUND = np.uint32(0x7FFF)
_KEEP = np.uint32(0xFFFF0000)
_SIXTEEN = np.uint32(16)
_ONE = np.uint32(1)


def round_in_place(bits: np.ndarray, scratch: np.ndarray) -> None:
    """Round the float32 numbers whose uint32 view is ``bits`` to bfloat16, in place (5 ufunc calls).

    ``scratch`` is a uint32 array of the same shape. A NaN whose payload sits only in the low
    16 bits would turn into inf here; NaNs made by arithmetic (the quiet default NaN) stay NaN.
    """
    np.right_shift(bits, _SIXTEEN, out=scratch)
    scratch &= _ONE
    scratch += _ROUND
    bits += scratch
    bits &= _KEEP


def round_to_bfloat16(values: np.ndarray) -> np.ndarray:
    """float32 array -> a new float32 array rounded to bfloat16 (nearest, ties to even; every NaN stays NaN)."""
    rounded = np.array(values, dtype=np.float32)
    bits = rounded.view(np.uint32)
    with np.errstate(over="ignore"):
        round_in_place(bits, np.empty_like(bits))
    nan = np.isnan(np.asarray(values, dtype=np.float32))
    if nan.any():
        rounded[nan] = np.nan
    return rounded


def from_float64(values: np.ndarray) -> np.ndarray:
    """torch's ``float64_tensor.bfloat16()``: float64 -> float32 -> bfloat16 (float32 array)."""
    return round_to_bfloat16(np.asarray(values, dtype=np.float64).astype(np.float32))
