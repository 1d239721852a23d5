"""Benchmark of the whole pipeline: regeneration, no-op rerun, its floor, each step, the tests.

In a temporary `git clone` of this repository (a commit: HEAD by default), with this worktree's
.venv reused (its install is timed by benchmarks/bench_install.py; the clone's code comes first
on the path through PYTHONPATH), this script runs and prints:

- the full regeneration: `snakemake --cores 2` from a clean clone (what tools/regenerate.sh runs
  after the install: data/processed, every notebook, page, report), its wall time and the
  processor time of every process it started; the wall time of every step, read from
  Snakemake's log, and for each notebook the execution and HTML times analysis.run_notebook
  writes in the notebook's log;
- the no-op rerun (nothing to do), wall and processor time;
- the floor: papermill on an empty one-cell notebook (the start-up every notebook step pays), the
  same through analysis.run_notebook with its HTML page (one notebook step of the workflow), and
  a notebook importing the package's analysis modules (the kernel's import cost);
- the ratio of the full regeneration to the floor, and to the ideal of issue 14 (one floor per
  notebook shared over 2 cores, twice: 7 notebooks x floor);
- with --tests, the test suite: `bash tools/test.sh` in the clone (skipped when the clone's lock
  file is not the one installed in .venv: bootstrap would reinstall). It is long;
- the outcome model and the SMAA / Sobol figures: the functions of the clone's
  benchmarks/bench_outcome_model.py (imported, not copied).

The load average is printed at the start and the end: the machine is shared, absolute wall times
are noisy, processor times and ratios within one run are what to compare. Not a test: nothing is
asserted. Takes several minutes; pick parts with --parts.

    .venv/bin/python benchmarks/bench_pipeline.py [--commit REV] [--parts regen,floor,model] [--tests]
        [--csv-checksums FILE]   # also write the sha256 of every CSV, PNG and PDF the regeneration made
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import re
import resource
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


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _machine_busy() -> float | None:
    """Seconds the machine's processors have been busy since it started (/proc/stat: user, nice,
    system, irq, softirq and steal time of every core), or None where there is no /proc/stat."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _run(command: list[str], clone: Path, **kwargs) -> float:
    return _run_cpu(command, clone, **kwargs)[0]


def _run_cpu(command: list[str], clone: Path, **kwargs) -> tuple[float, float]:
    """Wall seconds and processor seconds (user + system, of the process and every process it
    waited for: Snakemake's jobs, papermill's kernels) of ``command``."""
    wall, cpu, _busy = _run_measured(command, clone, **kwargs)
    return wall, cpu


def _run_measured(command: list[str], clone: Path, **kwargs) -> tuple[float, float, float | None]:
    """Wall seconds, processor seconds of ``command`` and the processes it waited for, and the
    machine's busy processor seconds meanwhile (None without /proc/stat). The last also counts
    processes nobody waits for, such as pytest-xdist's workers, which the second misses, and
    whatever else the machine runs: compare the two on a quiet machine."""
    cpu, busy, start = _children_cpu(), _machine_busy(), time.perf_counter()
    subprocess.run(command, cwd=clone, env=_environment(clone), check=True, **kwargs)
    wall, busy_after = time.perf_counter() - start, _machine_busy()
    return wall, _children_cpu() - cpu, (busy_after - busy) if busy is not None and busy_after is not None else None


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


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


_EXECUTED = re.compile(r"^run_notebook: executed in ([\d.]+) s(?:, HTML page in ([\d.]+) s)?")


def notebook_times(clone: Path) -> dict[str, tuple[float, float | None]]:
    """{notebook: (execution seconds, HTML seconds)} from the lines analysis.run_notebook writes at
    the end of each notebook's log (reports/logs/<notebook>.log); absent before that helper."""
    found = {}
    for log in sorted((clone / "reports" / "logs").glob("*.log")):
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
            if match := _EXECUTED.match(line):
                found[log.stem] = (float(match.group(1)), float(match.group(2)) if match.group(2) else None)
    return found


def regeneration(clone: Path) -> dict:
    full, full_cpu, full_busy = _run_measured([str(clone / ".venv/bin/snakemake"), "--cores", "2"], clone,  # not --quiet: the log lists the jobs
                                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    log = max((clone / ".snakemake" / "log").glob("*.snakemake.log"), key=lambda p: p.stat().st_mtime)
    steps = step_times(log)
    noops = [_run_cpu([str(clone / ".venv/bin/snakemake"), "--cores", "2", "--quiet"], clone,
                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(3)]
    return {"full_s": full, "full_cpu_s": full_cpu, "full_busy_s": full_busy, "noop_s": statistics.median(w for w, _ in noops),
            "noop_cpu_s": statistics.median(c for _, c in noops), "steps": steps,
            "notebooks": notebook_times(clone)}


def csv_checksums(clone: Path, target: Path) -> int:
    """Write ``<sha256>  <path>`` of every CSV under the clone's reports/ and data/processed/, and of
    every PNG and PDF under reports/ (two regenerations compare their bytes with ``diff``)."""
    files = [p for folder in ("reports", "data/processed") for p in sorted((clone / folder).rglob("*.csv"))]
    files += [p for suffix in ("png", "pdf") for p in sorted((clone / "reports").rglob(f"*.{suffix}"))]
    lines = [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(clone).as_posix()}" for p in files]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def _one_cell_notebook(path: Path, source: str) -> None:
    notebook = {"cells": [{"cell_type": "code", "execution_count": None, "id": "only", "metadata": {},
                           "outputs": [], "source": source}],
                "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
                "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(notebook), encoding="utf-8")


def floor(clone: Path, repeats: int = 3) -> dict:
    """Median wall and processor seconds of papermill on an empty notebook, of the same notebook
    through analysis.run_notebook with its HTML page (one notebook step of the workflow, when the
    commit has that helper), and of papermill on a notebook importing the package."""
    out = {}
    runs = [("empty", "", "papermill"), ("imports", IMPORTS, "papermill")]
    if (clone / "analysis" / "run_notebook.py").exists():
        runs.insert(1, ("step", "", "run_notebook"))
    for name, source, tool in runs:
        notebook = clone / f"bench_{name}.ipynb"
        _one_cell_notebook(notebook, source)
        executed = clone / f"bench_{name}.out.ipynb"
        if tool == "papermill":
            command = [str(clone / ".venv/bin/papermill"), str(notebook), str(executed),
                       "--kernel", "python3", "--no-progress-bar", "--cwd", str(clone / "notebooks")]
        else:
            command = [str(clone / ".venv/bin/python"), "-m", "analysis.run_notebook", str(notebook), str(executed),
                       "--cwd", str(clone / "notebooks"), "--html", str(clone / f"bench_{name}.out.html")]
        times = [_run_cpu(command, clone, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(repeats)]
        out[f"{name}_s"] = statistics.median(w for w, _ in times)
        out[f"{name}_cpu_s"] = statistics.median(c for _, c in times)
    return out


def _stamp_of(folder: Path) -> str:
    data = (folder / "requirements-lock.txt").read_bytes() + (folder / "pyproject.toml").read_bytes()
    return hashlib.sha256(data).hexdigest()[:16]


def test_suite(clone: Path) -> dict:
    if not (VENV / f".installed-{_stamp_of(clone)}").exists():
        return {"skipped": "the clone's lock file is not the one installed in .venv"}
    output = Path(tempfile.mkstemp(suffix=".txt")[1])
    with output.open("w") as handle:
        seconds, cpu, busy = _run_measured(["bash", "tools/test.sh", "-q"], clone, stdout=handle, stderr=subprocess.STDOUT)
    lines = [line for line in output.read_text().splitlines() if line.strip()]
    output.unlink()
    passed = [line for line in lines if " passed" in line]
    return {"seconds": seconds, "cpu_s": cpu, "busy_s": busy, "summary": "; ".join(passed) or (lines[-1] if lines else "")}


def outcome_model_figures(clone: Path, seed: int = 1) -> None:
    """The outcome model and notebook 05's SMAA / Sobol figures, from the functions of the clone's
    benchmarks/bench_outcome_model.py (imported: that script owns how they are measured)."""
    script = clone / "benchmarks" / "bench_outcome_model.py"
    if not script.exists():
        print("outcome model: no benchmarks/bench_outcome_model.py at this commit")
        return
    previous_directory = os.getcwd()
    sys.path[:0] = [str(clone / "benchmarks"), str(clone)]
    os.chdir(clone)
    try:
        import bench_outcome_model as bench
        import yaml

        sizes = (1_000, 100_000)
        table = bench.outcome_model(1, 50, seed, sizes)
        print(f"outcome model (bench_outcome_model.outcome_model, n = {sizes[-1]:,}, one run): "
              f"{table['us_per_sample'].mean():.2f} µs per sample per variant (wall), "
              f"{table['cpu_us_per_sample'].mean():.2f} µs (processor), mean of {len(table)} variants")
        if "former_over_current" in table:
            print(f"  former model / current, processor time, this run: x{table['former_over_current'].mean():.1f}")
        if hasattr(bench, "outcome_model_together"):
            together = bench.outcome_model_together(1, seed)
            print(f"  every variant in one call (n = {together['n']:,}): {together['wall_us']:.2f} µs per sample per "
                  f"variant (wall), {together['cpu_us']:.2f} µs (processor), former x{together['former_over_current']:.1f}")
        defaults = yaml.safe_load((clone / "config" / "parameters" / "05_sensitivity.yaml").read_text(encoding="utf-8"))
        times = bench.sensitivity_model_times(int(defaults["n_smaa"]), int(defaults["sobol_n"]), seed)
        print(f"notebook 05 defaults (bench_outcome_model.sensitivity_model_times): SMAA {times['smaa_draws']:,} draws "
              f"{times['smaa_model_s']:.2f} s in the model; Sobol N = {times['sobol_n']:,} "
              f"({times['sobol_points']:,} points) {times['sobol_model_s']:.2f} s in the model")
        others = {k: v for k, v in times.items()
                  if k not in {"smaa_draws", "smaa_model_s", "sobol_n", "sobol_points", "sobol_model_s"}}
        if others:
            print("  " + ", ".join(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}" for k, v in others.items()))
    finally:
        os.chdir(previous_directory)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commit", default="HEAD")
    parser.add_argument("--parts", default="regen,floor,model", help="any of regen, floor, tests, model")
    parser.add_argument("--tests", action="store_true", help="also time the test suite (long)")
    parser.add_argument("--csv-checksums", type=Path, default=None,
                        help="write the sha256 of every CSV, PNG and PDF of the regeneration to this file")
    args = parser.parse_args()
    parts = set(args.parts.split(",")) | ({"tests"} if args.tests else set())
    commit = subprocess.run(["git", "rev-parse", "--short", args.commit], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout.strip()
    print(f"pipeline benchmark of commit {commit} in a fresh clone (venv reused); wall times on a shared "
          f"2-core machine: compare processor times and the ratios of this run", flush=True)
    print(f"load average at the start (1, 5, 15 min): {_load()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="edtech-bench-") as folder:
        clone = make_clone(Path(folder), args.commit)
        results = {}
        if "regen" in parts:
            results["regen"] = regen = regeneration(clone)
            print(f"full regeneration (snakemake --cores 2 from a clean clone, {len(regen['steps'])} steps): "
                  f"{regen['full_s']:.1f} s wall, {regen['full_cpu_s']:.1f} s processor (every process)"
                  + (f", the machine busy {regen['full_busy_s']:.1f} processor-s" if regen["full_busy_s"] is not None else ""))
            print(f"no-op rerun (median of 3): {regen['noop_s']:.2f} s wall, {regen['noop_cpu_s']:.2f} s processor")
            if args.csv_checksums:
                count = csv_checksums(clone, args.csv_checksums)
                print(f"sha256 of the {count} CSV, PNG and PDF files written to {args.csv_checksums}")
            by_rule: dict[str, list[float]] = {}
            for step in regen["steps"]:
                by_rule.setdefault(step["rule"], []).append(step["seconds"])
            print("notebooks: job wall time (Snakemake's log, 1 s resolution; steps overlap on 2 cores), then the "
                  "execution and HTML page times analysis.run_notebook logged:")
            for step in sorted(regen["steps"], key=lambda s: -s["seconds"]):
                if step["rule"].endswith("notebook") or step["rule"] == "claims_ledger":
                    name = Path(step["what"]).stem
                    inner = regen["notebooks"].get(name)
                    detail = (f"   executed {inner[0]:5.1f} s" + (f", HTML {inner[1]:4.1f} s" if inner[1] is not None else "")
                              if inner else "")
                    print(f"  {step['rule']:<22} {step['what']:<34} {step['seconds']:4.0f} s{detail}")
            print("timeline (start and end in seconds from the first step, Snakemake's log; the steps whose end "
                  "nothing later waited for are the tail):")
            first = min(step["start"] for step in regen["steps"])
            for step in sorted(regen["steps"], key=lambda s: (s["start"], s["rule"])):
                begin = (step["start"] - first).total_seconds()
                print(f"  {begin:5.0f} → {begin + step['seconds']:5.0f}  {step['rule']:<22} {step['what']}")
            print("every rule:")
            for rule, seconds in sorted(by_rule.items(), key=lambda item: -sum(item[1])):
                print(f"  rule {rule:<22} {len(seconds):3d} step(s), {sum(seconds):6.0f} s in all")
        if "floor" in parts:
            results["floor"] = low = floor(clone)
            print(f"floor: papermill on an empty notebook {low['empty_s']:.1f} s wall ({low['empty_cpu_s']:.1f} s "
                  f"processor); on one importing the package's modules {low['imports_s']:.1f} s "
                  f"(imports {low['imports_s'] - low['empty_s']:.1f} s)")
            if "step_s" in low:
                print(f"  one notebook step (analysis.run_notebook, empty notebook, its HTML page): {low['step_s']:.1f} s "
                      f"wall ({low['step_cpu_s']:.1f} s processor)")
            if "regen" in results:
                regen = results["regen"]
                notebooks = max(1, sum(1 for s in regen["steps"] if s["rule"].endswith("notebook")
                                       or s["rule"] == "claims_ledger"))
                print(f"ratio full regeneration / floor (this run): x{regen['full_s'] / low['empty_s']:.1f} wall, "
                      f"x{regen['full_cpu_s'] / low['empty_cpu_s']:.1f} processor; issue 14's target, twice one floor "
                      f"per notebook shared over 2 cores: {notebooks} x floor = {notebooks * low['empty_s']:.1f} s, "
                      f"full / target x{regen['full_s'] / (notebooks * low['empty_s']):.2f}")
        sys.stdout.flush()
        if "tests" in parts:
            tests = test_suite(clone)
            if "skipped" in tests:
                print(f"test suite: skipped ({tests['skipped']})")
            else:
                busy = f", the machine busy {tests['busy_s']:.1f} processor-s" if tests["busy_s"] is not None else ""
                print(f"test suite (bash tools/test.sh, after the install): {tests['seconds']:.1f} s wall, "
                      f"{tests['cpu_s']:.1f} s processor of the processes it waited for{busy}; {tests['summary']}")
        sys.stdout.flush()
        if "model" in parts:
            outcome_model_figures(clone)
    print(f"load average at the end (1, 5, 15 min): {_load()}")


if __name__ == "__main__":
    main()
