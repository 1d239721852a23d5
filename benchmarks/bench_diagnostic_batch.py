"""Benchmark of the self-diagnostic's batch: one vectorised pass against one authority at a time.

Generates seeded synthetic inventories (5 to 40 lines each) of 1,000 and 10,000 authorities and
prints, for each size: the wall time of the vectorised batch (lines aggregated to categories, the
four steps, quick wins and the summary table, all in one pass over one table), the time of the
per-authority path (the same functions called once per authority; measured on a sample of
authorities and scaled per authority), their ratio, and the peak memory of the batch (tracemalloc)
and of the process (max RSS). Target: 1,000 authorities in under 5 s on a 2-core machine. Also the
time to read and check inventory CSV files (per file). Medians over repeats; the machine is shared
and noisy. Not a test: nothing is asserted.

    .venv/bin/python benchmarks/bench_diagnostic_batch.py [--sizes 1000 10000] [--repeats 3] [--loop-sample 100]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
import tracemalloc
from pathlib import Path

from timing import median_seconds

from analysis import diagnostic, diagnostic_intake


def _authorities(categories):
    return [diagnostic.Authority(id=a, name_fr=f"Collectivité {a}", kind="synthetic", description="synthetic",
                                 reference_year=2026,
                                 categories=c.drop(columns=["authority_id", "reference_year"]).reset_index(drop=True))
            for a, c in categories.groupby("authority_id", sort=False)]


def vectorised(lines, authorities, method):
    categories = diagnostic.aggregate_lines(lines, method, keys=["authority_id"])
    tidy = diagnostic.diagnose_frame(categories, method)
    return tidy, diagnostic.summary_frame(authorities, tidy, method)


def per_authority(groups, authorities, method):
    for (_, lines), authority in zip(groups, authorities):
        categories = diagnostic.aggregate_lines(lines.drop(columns="authority_id"), method)
        tidy = diagnostic.diagnose_frame(categories.assign(authority_id=authority.id), method)
        diagnostic.summary_frame([authority], tidy, method)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--loop-sample", type=int, default=100, help="authorities timed one at a time")
    parser.add_argument("--files", type=int, default=50, help="inventory CSV files written, read and checked")
    parser.add_argument("--seed", type=int, default=20260113)
    args = parser.parse_args()
    method = diagnostic.load_method()
    print(f"{'authorities':>11} {'lines':>9} {'batch (s)':>10} {'per authority (s)':>18} {'ratio':>7} "
          f"{'batch peak (MB)':>16} {'max RSS (MB)':>13}")
    for n in args.sizes:
        lines = diagnostic_intake.synthetic_lines(n, method, seed=args.seed)
        authorities = _authorities(diagnostic.aggregate_lines(lines, method, keys=["authority_id"]))
        batch_seconds = median_seconds(lambda: vectorised(lines, authorities, method), args.repeats)
        tracemalloc.start()
        vectorised(lines, authorities, method)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        sample = min(args.loop_sample, n)
        groups = list(lines.groupby("authority_id", sort=False))[:sample]
        start = time.perf_counter()
        per_authority(groups, authorities[:sample], method)
        loop_seconds = (time.perf_counter() - start) / sample * n
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{n:>11,} {len(lines):>9,} {batch_seconds:>10.2f} {loop_seconds:>14.1f} (*) {loop_seconds / batch_seconds:>6.0f}x "
              f"{peak / 1e6:>16.0f} {rss:>13.0f}")
    print(f"(*) measured on {args.loop_sample} authorities, scaled to the size")
    with tempfile.TemporaryDirectory() as folder:
        lines = diagnostic_intake.synthetic_lines(args.files, method, seed=args.seed)
        for authority_id, part in lines.groupby("authority_id"):
            diagnostic_intake.write_inventory_csv(part, Path(folder) / f"{authority_id}.csv", method)
        start = time.perf_counter()
        authorities = diagnostic.load_authorities(folder, method)
        seconds = time.perf_counter() - start
    print(f"reading and checking {len(authorities)} inventory CSV files: {seconds:.2f} s "
          f"({1000 * seconds / len(authorities):.0f} ms per file)")


if __name__ == "__main__":
    main()
