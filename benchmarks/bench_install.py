"""Benchmark of the fresh-clone install: tools/bootstrap.sh with pip and with uv, same lock file.

Each case clones the current commit of this repository into a temporary folder and runs
`bash tools/bootstrap.sh` there (a new .venv), with EDTECH_INSTALLER=pip (pip alone, as before
issue 14) or the default (uv, installed with pip, then `uv pip install -r requirements-lock.txt`).
Both use the indexes pip is configured with and their own download caches (pip's is usually warm;
the first uv case may fill uv's). Prints wall times and the ratio pip / uv measured in this run,
and checks that both environments hold the same packages at the same versions. Not a test.

    .venv/bin/python benchmarks/bench_install.py [--cases pip,uv,uv]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def fresh_install(installer: str) -> tuple[float, str]:
    """Seconds of `bash tools/bootstrap.sh` in a fresh clone, and the environment's `pip freeze`."""
    with tempfile.TemporaryDirectory(prefix="edtech-install-") as folder:
        clone = Path(folder) / "clone"
        subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)], check=True)
        env = dict(os.environ, EDTECH_INSTALLER=installer)
        start = time.perf_counter()
        subprocess.run(["bash", "tools/bootstrap.sh"], cwd=clone, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
        freeze = subprocess.run([str(clone / ".venv/bin/python"), "-m", "pip", "freeze", "--exclude-editable"],
                                capture_output=True, text=True, check=True).stdout
    return seconds, freeze


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", default="pip,uv,uv", help="installers in order (pip or uv), comma-separated")
    args = parser.parse_args()
    results = []
    for installer in args.cases.split(","):
        seconds, freeze = fresh_install(installer)
        results.append((installer, seconds, freeze))
        print(f"  fresh clone + bootstrap with {installer:<3}: {seconds:7.1f} s", flush=True)
    packages = {installer: {line.split("==")[0].lower(): line for line in freeze.splitlines() if "==" in line}
                for installer, _, freeze in results}
    if {"pip", "uv"} <= set(packages):
        differ = sorted(set(packages["pip"].items()) ^ set(packages["uv"].items()))
        print(f"  same packages and versions with pip and uv: {'yes' if not differ else 'no: ' + str(differ)}")
        pip_s = [s for i, s, _ in results if i == "pip"]
        uv_s = [s for i, s, _ in results if i == "uv"]
        print(f"  ratio pip / uv (this run): first uv run x{pip_s[0] / uv_s[0]:.1f}"
              + (f", last uv run x{pip_s[0] / uv_s[-1]:.1f}" if len(uv_s) > 1 else ""))


if __name__ == "__main__":
    main()
