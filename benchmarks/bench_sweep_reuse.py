"""How much of a sweep reruns: notebook executions planned with and without reuse of the baseline.

    .venv/bin/python benchmarks/bench_sweep_reuse.py [config/sweeps/NAME.yaml]

Dry-runs the sweep twice (Snakemake plans only; nothing is executed): with the default reuse (a
scenario executes only the notebooks whose parameters or inputs it changes, and what depends on
them; the others' outputs are copied from the baseline) and with ``reuse_baseline=false``. Each
planned notebook execution is weighted by that notebook's duration in the baseline's last run
(papermill's ``duration`` in ``reports/notebooks/*.ipynb``), giving the sequential compute time of
the sweep. Needs the baseline built and up to date (``bash tools/regenerate.sh``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))


def planned_notebooks(sweep: str, reuse: bool) -> Counter:
    args = [SNAKEMAKE, "-s", "workflow/sweep.smk", "--config", f"sweep={sweep}", "-n", "--cores", "1",
            "--printshellcmds"]
    if not reuse:
        args[4:4] = ["reuse_baseline=false"]
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, env=env, timeout=1800)
    if result.returncode:
        sys.exit(result.stderr[-3000:])
    return Counter(re.findall(r"papermill notebooks/(\S+)\.ipynb ", result.stdout))


def baseline_durations() -> dict[str, float]:
    durations = {}
    for path in sorted((ROOT / "reports" / "notebooks").glob("*.ipynb")):
        metadata = json.loads(path.read_text(encoding="utf-8")).get("metadata", {}).get("papermill", {})
        if metadata.get("duration"):
            durations[path.stem] = float(metadata["duration"])
    return durations


def main() -> None:
    sweep = sys.argv[1] if len(sys.argv) > 1 else "config/sweeps/budget_by_profile.yaml"
    durations = baseline_durations()
    if not durations:
        sys.exit("build the baseline first: bash tools/regenerate.sh")
    with_reuse, without = planned_notebooks(sweep, True), planned_notebooks(sweep, False)
    print(f"sweep {sweep}")
    print(f"{'notebook':<28} {'baseline s':>10} {'runs, reuse':>12} {'runs, no reuse':>15}")
    for name in sorted(set(with_reuse) | set(without) | set(durations)):
        print(f"{name:<28} {durations.get(name, float('nan')):>10.1f} {with_reuse[name]:>12} {without[name]:>15}")
    total = {label: sum(count * durations.get(name, 0.0) for name, count in plan.items())
             for label, plan in (("reuse", with_reuse), ("no reuse", without))}
    print(f"notebook executions: {sum(with_reuse.values())} with reuse, {sum(without.values())} without")
    print(f"sequential notebook time: {total['reuse'] / 60:.1f} min with reuse, "
          f"{total['no reuse'] / 60:.1f} min without ({total['reuse'] / total['no reuse']:.0%})")


if __name__ == "__main__":
    main()
