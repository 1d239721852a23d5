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


def median_cpu_seconds(function, repeats: int) -> float:
    """Median processor time of this process over ``repeats`` calls of ``function()``: on a shared,
    loaded machine it leaves out the time spent waiting for a core (wall time does not)."""
    times = []
    for _ in range(repeats):
        start = time.process_time()
        function()
        times.append(time.process_time() - start)
    return statistics.median(times)
