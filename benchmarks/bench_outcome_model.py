"""Benchmark of the variants' outcome model (analysis.variants.evaluate) and of the market model.

The variants' sensitivity analyses evaluate the outcome model on 10^4-10^5 parameter samples per
variant, so it is vectorised over samples. This script prints, for each variant, the wall time of
one vectorised call on n samples (n = 1,000, 10,000, 100,000), the wall and processor time per
sample at the largest n, the processor time with the former kernels (tests/reference_outcome_model.py,
the implementation before issue 14) and the ratio former / current measured in this run, and the
ratio against a Python loop that evaluates the model one sample at a time. Then what the sensitivity notebook spends in the
model: SMAA draws and Sobol points (N x (D + 2)). Medians over repeats; the machine is shared and
noisy, so compare the ratios (measured within one run), not absolute times. Not a test: nothing is
asserted.

    .venv/bin/python benchmarks/bench_outcome_model.py [--repeats 3] [--loop-samples 200] [--quick]
"""

from __future__ import annotations

import argparse
import contextlib
import time

import pandas as pd

from timing import median_cpu_seconds, median_seconds

from analysis import market, variants


@contextlib.contextmanager
def former_kernels():
    """analysis.variants with the kernels it had before issue 14 (the reference copy)."""
    from tests import reference_outcome_model as reference

    saved = variants._supplier_outcomes, variants._gini_equal_groups
    variants._supplier_outcomes, variants._gini_equal_groups = reference._supplier_outcomes, reference._gini_equal_groups
    try:
        yield
    finally:
        variants._supplier_outcomes, variants._gini_equal_groups = saved


def outcome_model(repeats: int = 3, loop_samples: int = 200, seed: int = 1, sizes=(1_000, 10_000, 100_000),
                  former: bool = True) -> pd.DataFrame:
    """One row per variant: seconds per call at each size, µs per sample (current and former
    kernels, at the largest size), their ratio, and the loop / vector ratio."""
    parameters = variants.load_parameters()
    samples = {n: variants.sample_parameters(parameters, n, seed) for n in sizes}
    small = variants.sample_parameters(parameters, loop_samples, seed)
    largest = sizes[-1]
    rows = []
    for variant in variants.load_variants():
        row = {"variant": variant.id}
        for n in sizes:
            row[f"s_n{n}"] = median_seconds(lambda n=n: variants.evaluate(variant, samples[n], parameters), repeats)
        row["us_per_sample"] = 1e6 * row[f"s_n{largest}"] / largest
        row["cpu_us_per_sample"] = 1e6 * median_cpu_seconds(
            lambda: variants.evaluate(variant, samples[largest], parameters), 1) / largest
        if former:
            with former_kernels():
                before = median_cpu_seconds(lambda: variants.evaluate(variant, samples[largest], parameters), 1)
            row["former_cpu_us_per_sample"] = 1e6 * before / largest
            row["former_over_current"] = row["former_cpu_us_per_sample"] / row["cpu_us_per_sample"]

        def one_at_a_time():
            for i in range(loop_samples):
                variants.evaluate(variant, {k: v[i:i + 1] for k, v in small.items()}, parameters)

        row["loop_over_vector"] = median_seconds(one_at_a_time, 1) / loop_samples / (row["us_per_sample"] / 1e6)
        rows.append(row)
    return pd.DataFrame(rows)


def sensitivity_model_times(n_smaa: int, sobol_n: int, seed: int = 1) -> dict[str, float]:
    """Seconds the model takes for notebook 05's SMAA draws (every variant) and Sobol points of
    the gap (N x (D + 2) points, every variant), with the package's data (market budget at the
    parameter table's value)."""
    from analysis import sensitivity

    parameters = variants.load_parameters()
    variant_list = variants.load_variants()
    draws = variants.sample_parameters(parameters, n_smaa, seed)
    start = time.perf_counter()
    for variant in variant_list:
        variants.evaluate(variant, draws, parameters)
    smaa = time.perf_counter() - start
    problem = variants.salib_problem(parameters)
    points = sensitivity.sobol_sample(problem, sobol_n, seed)
    start = time.perf_counter()
    for variant in variant_list:
        variants.evaluate(variant, points, parameters)
    sobol = time.perf_counter() - start
    return {"smaa_draws": n_smaa, "smaa_model_s": smaa, "sobol_n": sobol_n, "sobol_points": len(points),
            "sobol_model_s": sobol}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--loop-samples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="sizes 1,000 and 100,000 only, one repeat")
    args = parser.parse_args()
    sizes = (1_000, 100_000) if args.quick else (1_000, 10_000, 100_000)
    repeats = 1 if args.quick else args.repeats

    table = outcome_model(repeats, args.loop_samples, args.seed, sizes)
    print(f"variants' outcome model, median of {repeats} runs; wall times per call, then µs per sample at "
          f"n={sizes[-1]:,}: wall, processor time (what the process used: on a loaded machine, wall time "
          f"includes waiting for a core), former kernels' processor time and the ratio, measured in this run")
    print("  variant " + "".join(f"{f'n={n:,}':>13}" for n in sizes)
          + f"{'wall µs':>10}{'cpu µs':>9}{'former cpu':>12}{'former/now':>12}{'loop/vector':>13}")
    for row in table.itertuples():
        print(f"  {row.variant:<7} " + "".join(f"{getattr(row, f's_n{n}'):>11.3f} s" for n in sizes)
              + f"{row.us_per_sample:>10.2f}{row.cpu_us_per_sample:>9.2f}{row.former_cpu_us_per_sample:>12.2f}"
              + f"{row.former_over_current:>11.1f}x{row.loop_over_vector:>12.0f}x")
    print(f"  mean    {'':>{13 * len(sizes)}}{table['us_per_sample'].mean():>10.2f}"
          f"{table['cpu_us_per_sample'].mean():>9.2f}{table['former_cpu_us_per_sample'].mean():>12.2f}"
          f"{table['former_cpu_us_per_sample'].mean() / table['cpu_us_per_sample'].mean():>11.1f}x")

    from analysis.config import ROOT
    import yaml

    defaults = yaml.safe_load((ROOT / "config" / "parameters" / "05_sensitivity.yaml").read_text(encoding="utf-8"))
    times = sensitivity_model_times(int(defaults["n_smaa"]), int(defaults["sobol_n"]), args.seed)
    print(f"notebook 05 defaults, time in the outcome model (5 variants): SMAA {times['smaa_draws']:,} draws "
          f"{times['smaa_model_s']:.2f} s; Sobol N = {times['sobol_n']:,} ({times['sobol_points']:,} points) "
          f"{times['sobol_model_s']:.2f} s")

    if not (market.PROCESSED_VINTAGES.exists() and market.PROCESSED_GDP.exists()):
        print("market model: skipped (data/processed not built; run: snakemake --cores 2 processed)")
        return
    processed = {"procurement_vintages.csv": pd.read_csv(market.PROCESSED_VINTAGES),
                 "eurostat_gdp_annual.csv": pd.read_csv(market.PROCESSED_GDP)}
    inputs = market.resolve_inputs(market.read_inputs(), processed)
    n = 100_000
    mc = median_seconds(lambda: market.monte_carlo(inputs, n, args.seed), repeats)
    print(f"market model: Monte Carlo of every quantity on {n:,} draws: {mc:.3f} s "
          f"({1e6 * mc / n:.2f} µs per draw)")


if __name__ == "__main__":
    main()
