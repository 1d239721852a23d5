"""Run the Snakemake command line without paying its start-up in every test.

Starting ``snakemake`` costs about 3 s of CPU before it reads the Snakefile (importing Snakemake and
its plugins), which is most of what a refused scenario or a dry run costs. :func:`run` executes the
same command line, ``snakemake.cli.main(argv)``, in a child forked from a server process that has
imported Snakemake once (``multiprocessing``'s forkserver; one per test process): each call gets a
fresh process with its own working directory, environment, standard output and error and exit
status, exactly as ``subprocess.run(["snakemake", *argv])`` would, and the Snakefile is parsed anew.
Jobs it starts are ordinary subprocesses. ``EDTECH_TEST_SNAKEMAKE=subprocess`` runs the executable
instead (to compare).

:func:`dry_run` is :func:`run` for a dry run (``-n``), whose result is kept for the test process:
several tests read the same plan of the repository's workflow (the baseline's, a provided
scenario's), which no test changes during a session (the session fails if a tracked file changes).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import subprocess
import sys
import tempfile
from pathlib import Path

SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
_CONTEXT = None


def _context():
    global _CONTEXT
    if _CONTEXT is None:
        _CONTEXT = multiprocessing.get_context("forkserver")
        _CONTEXT.set_forkserver_preload(["snakemake.cli", "snakemake.api"])
    return _CONTEXT


def _child(argv: list[str], cwd: str, env: dict, out_path: str, err_path: str) -> None:
    """In the forked child: become ``snakemake argv`` run in ``cwd`` with ``env``."""
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    for fd, path in ((1, out_path), (2, err_path)):
        handle = os.open(path, os.O_WRONLY | os.O_TRUNC)
        os.dup2(handle, fd)
        os.close(handle)
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False, buffering=1)
    sys.stderr = open(2, "w", encoding="utf-8", closefd=False, buffering=1)
    sys.argv = [SNAKEMAKE, *argv]
    sys.path[:] = [p for p in sys.path if p not in ("", ".")]   # as the executable: no cwd on sys.path
    from snakemake.cli import main

    try:
        main(argv)   # ends with sys.exit(status)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()


def run(argv: list[str], cwd: str | os.PathLike, env: dict, timeout: float) -> subprocess.CompletedProcess:
    """``subprocess.run([snakemake, *argv], capture_output=True, text=True, cwd=cwd, env=env)``."""
    argv = [str(a) for a in argv]
    if os.environ.get("EDTECH_TEST_SNAKEMAKE") == "subprocess":
        return subprocess.run([SNAKEMAKE, *argv], capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout)
    with tempfile.TemporaryDirectory(prefix="snakemake_run_") as folder:
        out_path, err_path = os.path.join(folder, "stdout"), os.path.join(folder, "stderr")
        for path in (out_path, err_path):
            open(path, "w").close()
        process = _context().Process(target=_child, args=(argv, str(cwd), dict(env), out_path, err_path))
        process.start()
        process.join(timeout)
        if process.is_alive():
            process.kill()
            process.join()
            raise subprocess.TimeoutExpired([SNAKEMAKE, *argv], timeout)
        read = lambda path: Path(path).read_text(encoding="utf-8", errors="replace")  # noqa: E731
        return subprocess.CompletedProcess([SNAKEMAKE, *argv], process.exitcode, read(out_path), read(err_path))


_PLANS: dict[tuple, subprocess.CompletedProcess] = {}


def dry_run(argv: list[str], cwd: str | os.PathLike, env: dict, timeout: float) -> subprocess.CompletedProcess:
    """:func:`run` of a dry run, made once per test process for the same command line, folder and
    environment (tests that read the same plan share it; each checks its own claims on it). Only for
    plans of files that stay as they are during the session (the repository's own; a scenario file
    named on the command line counts by its content, not a folder it points to)."""
    argv = [str(a) for a in argv]
    if "-n" not in argv and "--dry-run" not in argv:
        raise ValueError(f"not a dry run: {argv}")
    # a file named on the command line (a scenario file) enters the key by its content
    named = tuple(hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "" for path in
                  (Path(cwd, a) for a in argv))
    # (pytest names the running test in PYTEST_CURRENT_TEST: not part of what Snakemake plans)
    key = (tuple(argv), named, str(Path(cwd).resolve()),
           tuple(sorted((k, v) for k, v in env.items() if k != "PYTEST_CURRENT_TEST")))
    if key not in _PLANS:
        _PLANS[key] = run(argv, cwd, env, timeout)
    done = _PLANS[key]
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout, done.stderr)
