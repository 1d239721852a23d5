"""The end of a Snakemake run without its last idle second (called by the Snakefile's onsuccess
and onerror handlers).

Snakemake's scheduler re-evaluates the ready jobs once per ``--max-jobs-per-timespan`` window (1 s
by default): after each scheduling round it starts a ``threading.Timer`` that wakes it up again
(``JobScheduler._schedule_reevalutation``). The timer started after the last job is not a daemon
thread, so the interpreter waits for it before the process exits: up to a second added to every run
(1.2 s measured on a two-line rerun), with nothing left to do. When onsuccess or onerror runs, every
job has ended; :func:`cancel_rescheduling_timers` cancels the pending timers
(``threading.Timer.cancel``: the timer's function is not called, its thread ends at once).
"""

from __future__ import annotations

import threading


def cancel_rescheduling_timers() -> int:
    """Cancel every pending ``threading.Timer`` of this process; return how many were pending."""
    timers = [thread for thread in threading.enumerate() if isinstance(thread, threading.Timer)]
    for timer in timers:
        timer.cancel()
    return len(timers)
