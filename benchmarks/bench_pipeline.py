"""Benchmark of the whole pipeline: regeneration, no-op rerun, its floor, each step, the tests.

In a temporary `git clone` of this repository (a commit: HEAD by default), with this worktree's
.venv reused (its install is timed by benchmarks/bench_install.py; the clone's code comes first
on the path through PYTHONPATH), this script runs and prints:

- the full regeneration: `snakemake --cores 2` from a clean clone (what tools/regenerate.sh runs
  after the install), and the wall time of every step, read from Snakemake's log;
- the no-op rerun (nothing to do);
- the floor: papermill on an empty one-cell notebook (the start-up every notebook step pays),
  and the same notebook importing the package's analysis modules (the kernel's import cost);
- the ratio of the full regeneration to the floor;
- the test suite: `bash tools/test.sh` in the clone (skipped when the clone's lock file is not
  the one installed in .venv: bootstrap would reinstall);
- the outcome model and the SMAA / Sobol figures (benchmarks/bench_outcome_model.py --quick).

The machine is shared: absolute wall times are noisy, ratios within one run are what to compare.
Not a test: nothing is asserted. Takes several minutes; pick parts with --parts.

    .venv/bin/python benchmarks/bench_pipeline.py [--commit REV] [--parts regen,floor,tests,model]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"

IMPORTS = ("import numpy, pandas\n"
           "from analysis import config, io, validation, plotting, oecd, practices, market, variants, mcda, "
           "sensitivity, diagnostic, claims")


def _environment(clone: Path) -> dict[str, str]:
    return dict(os.environ, MPLBACKEND="Agg", PYTHONHASHSEED="0", PYTHONPATH=str(clone),
                PATH=f"{clone / '.venv' / 'bin'}:{os.environ.get('PATH', '')}")


def _run(command: list[str], clone: Path, **kwargs) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=clone, env=_environment(clone), check=True, **kwargs)
    return time.perf_counter() - start


def make_clone(folder: Path, commit: str) -> Path:
    clone = folder / "clone"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)], check=True)
    subprocess.run(["git", "checkout", "--quiet", commit], cwd=clone, check=True)
    (clone / ".venv").symlink_to(VENV)
    return clone


_STAMP = re.compile(r"^\[(\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4})\]$")
_START = re.compile(r"^(?:local)?rule (\w+):$")
_FINISH = re.compile(r"^Finished jobid: (\d+) \(Rule: (\w+)\)$")


def step_times(log: Path) -> list[dict]:
    """Every job of a Snakemake log: rule, what it made (wildcards or first output), seconds
    (the log's time stamps have a resolution of one second)."""
    jobs, current, stamp = {}, None, None
    for line in log.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if match := _STAMP.match(line):
            stamp = dt.datetime.strptime(match.group(1), "%a %b %d %H:%M:%S %Y")
        elif match := _START.match(line):
            current = {"rule": match.group(1), "start": stamp, "what": ""}
        elif current is not None and line.startswith("output:"):
            current["what"] = Path(line.split(":", 1)[1].split(",")[0].strip()).name
        elif current is not None and line.startswith("wildcards:"):
            current["what"] = line.split(":", 1)[1].strip().split("=", 1)[-1]
        elif current is not None and line.startswith("jobid:"):
            jobs[line.split(":", 1)[1].strip()] = current
            current = None
        elif match := _FINISH.match(line):
            job = jobs.get(match.group(1))
            if job is not None:
                job["seconds"] = (stamp - job["start"]).total_seconds()
    return [job for job in jobs.values() if "seconds" in job]


def regeneration(clone: Path) -> dict:
    full = _run([str(clone / ".venv/bin/snakemake"), "--cores", "2"], clone,  # not --quiet: the log lists the jobs
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    log = max((clone / ".snakemake" / "log").glob("*.snakemake.log"), key=lambda p: p.stat().st_mtime)
    steps = step_times(log)
    noop = _run([str(clone / ".venv/bin/snakemake"), "--cores", "2", "--quiet"], clone,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return {"full_s": full, "noop_s": noop, "steps": steps}


def _one_cell_notebook(path: Path, source: str) -> None:
    notebook = {"cells": [{"cell_type": "code", "execution_count": None, "id": "only", "metadata": {},
                           "outputs": [], "source": source}],
                "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
                "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(notebook), encoding="utf-8")


def floor(clone: Path, repeats: int = 3) -> dict:
    """Median seconds of papermill on an empty notebook and on one importing the package."""
    out = {}
    for name, source in (("empty", ""), ("imports", IMPORTS)):
        notebook = clone / f"bench_{name}.ipynb"
        _one_cell_notebook(notebook, source)
        command = [str(clone / ".venv/bin/papermill"), str(notebook), str(clone / f"bench_{name}.out.ipynb"),
                   "--kernel", "python3", "--no-progress-bar", "--cwd", str(clone / "notebooks")]
        out[f"{name}_s"] = statistics.median(
            _run(command, clone, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(repeats))
    return out


def _stamp_of(folder: Path) -> str:
    data = (folder / "requirements-lock.txt").read_bytes() + (folder / "pyproject.toml").read_bytes()
    return hashlib.sha256(data).hexdigest()[:16]


def test_suite(clone: Path) -> dict:
    if not (VENV / f".installed-{_stamp_of(clone)}").exists():
        return {"skipped": "the clone's lock file is not the one installed in .venv"}
    output = Path(tempfile.mkstemp(suffix=".txt")[1])
    with output.open("w") as handle:
        seconds = _run(["bash", "tools/test.sh", "-q"], clone, stdout=handle, stderr=subprocess.STDOUT)
    tail = [line for line in output.read_text().splitlines() if line.strip()][-1:]
    output.unlink()
    return {"seconds": seconds, "summary": tail[0] if tail else ""}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commit", default="HEAD")
    parser.add_argument("--parts", default="regen,floor,tests,model")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    commit = subprocess.run(["git", "rev-parse", "--short", args.commit], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout.strip()
    print(f"pipeline benchmark of commit {commit} in a fresh clone (venv reused); wall times on a shared "
          f"2-core machine: compare the ratios of this run", flush=True)
    with tempfile.TemporaryDirectory(prefix="edtech-bench-") as folder:
        clone = make_clone(Path(folder), args.commit)
        results = {}
        if "regen" in parts:
            results["regen"] = regen = regeneration(clone)
            print(f"full regeneration (snakemake --cores 2, {len(regen['steps'])} steps): {regen['full_s']:.1f} s")
            print(f"no-op rerun: {regen['noop_s']:.1f} s")
            by_rule: dict[str, list[float]] = {}
            for step in regen["steps"]:
                by_rule.setdefault(step["rule"], []).append(step["seconds"])
            print("steps (from Snakemake's log, 1 s resolution; steps overlap on 2 cores):")
            for step in sorted(regen["steps"], key=lambda s: -s["seconds"]):
                if step["rule"].endswith("notebook") or step["rule"] == "claims_ledger":
                    print(f"  {step['rule']:<22} {step['what']:<34} {step['seconds']:6.0f} s")
            for rule, seconds in sorted(by_rule.items(), key=lambda item: -sum(item[1])):
                print(f"  rule {rule:<22} {len(seconds):3d} step(s), {sum(seconds):6.0f} s in all")
        if "floor" in parts:
            results["floor"] = low = floor(clone)
            print(f"floor: papermill on an empty notebook {low['empty_s']:.1f} s; on one importing the "
                  f"package's modules {low['imports_s']:.1f} s (imports {low['imports_s'] - low['empty_s']:.1f} s)")
            if "regen" in results:
                print(f"ratio full regeneration / floor (this run): x{results['regen']['full_s'] / low['empty_s']:.1f}")
        if "tests" in parts:
            tests = test_suite(clone)
            if "skipped" in tests:
                print(f"test suite: skipped ({tests['skipped']})")
            else:
                print(f"test suite (bash tools/test.sh, after the install): {tests['seconds']:.1f} s; {tests['summary']}")
        sys.stdout.flush()
        if "model" in parts:
            script = clone / "benchmarks" / "bench_outcome_model.py"
            if script.exists():
                subprocess.run([str(clone / ".venv/bin/python"), str(script), "--quick"], cwd=clone,
                               env=_environment(clone), check=True)
            else:
                print("outcome model: no benchmarks/bench_outcome_model.py at this commit")


if __name__ == "__main__":
    main()
