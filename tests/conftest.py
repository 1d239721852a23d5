"""Shared test helpers. Tests read only the repository's own files, never the study's shared folder."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from analysis import config


def read_rows(path: Path) -> list[dict]:
    """Rows of a CSV file as dicts of strings, read with the standard library (independent of pandas)."""
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def oecd_rows() -> list[dict]:
    return read_rows(config.RAW / "oecd" / "OECD.GOV.GIP_DF_GOV_PPROC_2025.csv")


# --- tests never modify the repository's files --------------------------------------------------
# Every tracked file's size and modification time are noted when the session starts and compared
# when it ends (in the controlling process under pytest-xdist): a test that writes, rewrites or
# touches a source or data file of the repository (instead of a copy) fails the run, naming the file.
# (A touched file makes Snakemake rerun steps of the real workflow.)

def _tracked_file_stats() -> dict[str, tuple[int, int]] | None:
    import shutil
    import subprocess

    if shutil.which("git") is None or not (config.ROOT / ".git").exists():
        return None
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=config.ROOT, capture_output=True, timeout=60)
    if listed.returncode != 0:
        return None
    stats = {}
    for name in listed.stdout.decode("utf-8", "replace").split("\0"):
        path = config.ROOT / name
        if name and path.is_file():
            stat = path.stat()
            stats[name] = (stat.st_mtime_ns, stat.st_size)
    return stats


def pytest_sessionstart(session):
    if not hasattr(session.config, "workerinput"):
        session.config._tracked_before = _tracked_file_stats()


def pytest_sessionfinish(session, exitstatus):
    before = getattr(session.config, "_tracked_before", None)
    if before is None:
        return
    after = _tracked_file_stats() or {}
    changed = sorted(name for name, stat in before.items() if after.get(name, stat) != stat)
    if changed:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = ("tracked files of the repository were modified or touched during the test run "
                   f"(a test must work on a copy): {', '.join(changed)}")
        if reporter is not None:
            reporter.write_line("")
            reporter.write_line(message, red=True, bold=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# --- the longest tests first -----------------------------------------------------------------------
# Tests marked ``long_running`` (each runs for several seconds: clean builds in a copy of the project,
# a 100-scenario plan) are moved to the front of the collection, with the other tests of their
# xdist_group, so that pytest-xdist starts them first and the short tests fill the end of the run on
# both workers (longest processing time first). Within the long and the short ones, the order stays.

def pytest_configure(config):
    config.addinivalue_line("markers", "long_running: runs for several seconds; scheduled first (conftest.py)")


def _work_unit(item) -> str:
    group = item.get_closest_marker("xdist_group")
    return f"group:{group.args[0] if group.args else group.kwargs.get('name')}" if group is not None else item.nodeid


def long_running_first(items: list) -> list:
    """``items`` with every work unit (an xdist_group, else one test) holding a ``long_running``
    test moved to the front; the order is kept within the units and among them otherwise."""
    long_units = {_work_unit(item) for item in items if item.get_closest_marker("long_running") is not None}
    return sorted(items, key=lambda item: _work_unit(item) not in long_units)   # sorted() is stable


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Under ``--dist loadgroup``, a test marked ``xdist_group`` must carry its group in its node id
    (pytest-xdist adds it, and sends every test of a group to one worker). pytest 9.2 ignores the id
    pytest-xdist 3.8 sets, so the tests of a group ran on two workers at once, silently: stop then.
    First, the long-running tests go to the front (:func:`long_running_first`)."""
    items[:] = long_running_first(items)
    if not getattr(config.option, "loadgroup", False):
        return
    ungrouped = [item.nodeid for item in items
                 if item.get_closest_marker("xdist_group") is not None and "@" not in item.nodeid]
    if ungrouped:
        import os

        message = (f"pytest-xdist could not group {len(ungrouped)} test(s) marked xdist_group "
                   f"(e.g. {ungrouped[0]}): this pytest and pytest-xdist do not work together; "
                   "use the versions of requirements-lock.txt")
        os.write(2, f"\nERROR: {message}\n".encode())   # a worker's exception is not shown by pytest-xdist
        raise pytest.UsageError(message)
