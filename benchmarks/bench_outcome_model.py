"""Benchmark of the variants' outcome model (analysis.variants.evaluate) and of the market model.

The variants' sensitivity analyses evaluate the outcome model on 10^4-10^5 parameter samples per
variant, so it is vectorised over samples. This script prints, for each variant, the wall time of
one vectorised call on n samples (n = 1,000, 10,000, 100,000), the time per sample, and the ratio
against a Python loop that evaluates the same model one sample at a time (on a few hundred
samples, scaled per sample). Medians over repeats; compare ratios within one run (the machine is
shared and noisy). Not a test: nothing is asserted.

    .venv/bin/python benchmarks/bench_outcome_model.py [--repeats 3] [--loop-samples 200]
"""

from __future__ import annotations

import argparse

import pandas as pd

from timing import median_seconds

from analysis import market, variants


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--loop-samples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    parameters = variants.load_parameters()
    variant_list = variants.load_variants()
    sizes = (1_000, 10_000, 100_000)
    samples = {n: variants.sample_parameters(parameters, n, args.seed) for n in sizes}
    small = variants.sample_parameters(parameters, args.loop_samples, args.seed)

    print(f"variants' outcome model, median of {args.repeats} runs")
    header = "  variant " + "".join(f"{f'n={n:,}':>14}" for n in sizes) + f"{'µs/sample':>12}{'loop/vector':>13}"
    print(header)
    for variant in variant_list:
        seconds = {n: median_seconds(lambda n=n: variants.evaluate(variant, samples[n], parameters), args.repeats)
                   for n in sizes}

        def one_at_a_time():
            for i in range(args.loop_samples):
                variants.evaluate(variant, {k: v[i:i + 1] for k, v in small.items()}, parameters)

        loop_per_sample = median_seconds(one_at_a_time, 1) / args.loop_samples
        vector_per_sample = seconds[sizes[-1]] / sizes[-1]
        print(f"  {variant.id:<7} " + "".join(f"{seconds[n]:>12.3f} s" for n in sizes)
              + f"{1e6 * vector_per_sample:>12.1f}{loop_per_sample / vector_per_sample:>12.0f}x")

    if not (market.PROCESSED_VINTAGES.exists() and market.PROCESSED_GDP.exists()):
        print("market model: skipped (data/processed not built; run: snakemake --cores 2 processed)")
        return
    processed = {"procurement_vintages.csv": pd.read_csv(market.PROCESSED_VINTAGES),
                 "eurostat_gdp_annual.csv": pd.read_csv(market.PROCESSED_GDP)}
    inputs = market.resolve_inputs(market.read_inputs(), processed)
    n = 100_000
    mc = median_seconds(lambda: market.monte_carlo(inputs, n, args.seed), args.repeats)
    print(f"market model: Monte Carlo of every quantity on {n:,} draws: {mc:.3f} s "
          f"({1e6 * mc / n:.2f} µs per draw)")


if __name__ == "__main__":
    main()
