"""Shared helper of the benchmark scripts (imported from the scripts' own folder)."""

from __future__ import annotations

import statistics
import time


def median_seconds(function, repeats: int) -> float:
    """Median wall time of ``function()`` over ``repeats`` calls."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
