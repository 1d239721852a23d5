"""Benchmark of the data steps: what schema validation costs against a plain read.

Prints median wall times over repeats and ratios within the same run (the machine is shared and
noisy: compare ratios, not absolute times). Not a test: nothing is asserted.

    .venv/bin/python benchmarks/bench_data_pipeline.py [--repeats 7]
"""

from __future__ import annotations

import argparse

import pandas as pd

from timing import median_seconds

from analysis import oecd


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    cases = {
        "OECD extract: pandas.read_csv only": lambda: pd.read_csv(oecd.OECD_RAW),
        "OECD extract: read + pandera validation": lambda: oecd.read_oecd_raw(),
        "OECD extract: read + validate + tidy": lambda: oecd.tidy_oecd(oecd.read_oecd_raw()),
        "COFOG extract: pandas.read_csv only": lambda: pd.read_csv(oecd.COFOG_RAW),
        "COFOG extract: read + pandera validation": lambda: oecd.read_cofog_raw(),
    }
    results = {name: median_seconds(function, args.repeats) for name, function in cases.items()}
    print(f"median of {args.repeats} runs")
    for name, seconds in results.items():
        print(f"  {name:<45} {1000 * seconds:8.1f} ms")
    print("ratios (same run):")
    print(f"  OECD validation overhead  x{results['OECD extract: read + pandera validation'] / results['OECD extract: pandas.read_csv only']:.2f}")
    print(f"  COFOG validation overhead x{results['COFOG extract: read + pandera validation'] / results['COFOG extract: pandas.read_csv only']:.2f}")


if __name__ == "__main__":
    main()
