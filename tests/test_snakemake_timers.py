"""analysis.snakemake_timers: the Snakefile's onsuccess and onerror handlers cancel the pending
rescheduling timer of Snakemake's scheduler, so that the finished process exits at once."""

from __future__ import annotations

import threading

from analysis import snakemake_timers


def test_a_pending_timer_is_cancelled_and_its_function_never_runs():
    called = threading.Event()
    timer = threading.Timer(60.0, called.set)   # as Snakemake's scheduler starts one after each round
    timer.start()
    assert snakemake_timers.cancel_rescheduling_timers() >= 1
    timer.join(timeout=10)
    assert not timer.is_alive() and not called.is_set()


def test_the_snakefile_cancels_the_timers_when_the_run_ends():
    from analysis import config

    text = (config.ROOT / "Snakefile").read_text(encoding="utf-8")
    for handler in ("onsuccess:", "onerror:"):
        body = text.split(f"\n{handler}\n", 1)[1].split("\n\n", 1)[0]
        assert "snakemake_timers.cancel_rescheduling_timers()" in body, handler
