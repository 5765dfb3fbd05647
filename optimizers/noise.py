"""Seeded Gaussian gradient noise that plays the lecture's mini-batch noise.

The noise of run ``i`` at its ``k``-th gradient evaluation is a pure function of
``(seed_i, k)`` (a counter-based generator: SplitMix64 hashing, then
Box-Muller), so a run gets the same noise whether it is stepped alone or in a
batch, and the same seed always gives the same path.
"""
from __future__ import annotations

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = 2.0 ** -53


def _splitmix64(z: np.ndarray) -> np.ndarray:
    """SplitMix64 finalizer on uint64 arrays (wrapping arithmetic)."""
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


def standard_normal_pairs(seeds: np.ndarray, counters: np.ndarray) -> np.ndarray:
    """Two independent N(0, 1) draws per row for the given seeds and counters.

    seeds, counters: integer arrays of shape ``(N,)``; returns ``(N, 2)``.
    """
    with np.errstate(over="ignore"):
        base = (np.asarray(seeds).astype(np.uint64) * _GOLDEN) ^ _splitmix64(
            np.asarray(counters).astype(np.uint64) + _GOLDEN)
        u1 = (_splitmix64(base + np.uint64(1)) >> np.uint64(11)).astype(np.float64) * _TO_UNIT
        u2 = (_splitmix64(base + np.uint64(2)) >> np.uint64(11)).astype(np.float64) * _TO_UNIT
    radius = np.sqrt(-2.0 * np.log1p(-u1))      # 1 - u1 lies in (0, 1], so the log is finite
    angle = 2.0 * np.pi * u2
    return np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=-1)
