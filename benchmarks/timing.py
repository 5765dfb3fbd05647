"""The one timing rule of the benchmarks: the median wall-clock time of repeated calls.

``median_seconds(fn, repeats)`` calls ``fn()`` ``repeats`` times (at least once) and returns the
median of the ``time.perf_counter`` intervals, in seconds. The median, not the mean or the minimum:
the machine is shared, and one slow repeat (another process taking the core) should not move the
figure, while the minimum would report a best case nobody sees.
"""
from __future__ import annotations

import statistics
import time
from typing import Callable

__all__ = ["median_seconds"]


def median_seconds(fn: Callable[[], object], repeats: int) -> float:
    """Median of ``max(repeats, 1)`` timed calls of ``fn()``, in seconds."""
    times = []
    for _ in range(max(int(repeats), 1)):
        begin = time.perf_counter()
        fn()
        times.append(time.perf_counter() - begin)
    return statistics.median(times)
