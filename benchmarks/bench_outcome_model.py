"""Benchmark of the variants' outcome model (analysis.variants.evaluate) and of the market model.

The variants' sensitivity analyses evaluate the outcome model on 10^4-10^5 parameter samples for
every variant, so it is vectorised over samples, and the variants evaluated on the same samples
share the supplier grid's parts that do not depend on the variant (analysis.variants.evaluate_many,
what notebook 05's SMAA and Sobol analyses call). This script prints, for each variant, the wall
time of one vectorised call on n samples (n = 1,000, 10,000, 100,000), the wall and processor time
per sample at the largest n, the processor time of the former model (tests/reference_outcome_model.py,
the implementation before issue 14) and the ratio former / current measured in this run, and the
ratio against a Python loop that evaluates the model one sample at a time; then the five variants
together (evaluate_many), per sample and per variant, against the former model in the same run.
Then what the sensitivity notebook spends in the model at its defaults: SMAA draws and Sobol points
(N x (D + 2), the gap's problem). Medians over repeats; the machine is shared and noisy, so compare
the ratios (measured within one run), not absolute times. Not a test: nothing is asserted.

    .venv/bin/python benchmarks/bench_outcome_model.py [--repeats 3] [--loop-samples 200] [--quick] [--notebook]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

import pandas as pd

from timing import median_cpu_seconds, median_seconds

from analysis import market, variants


def outcome_model(repeats: int = 3, loop_samples: int = 200, seed: int = 1, sizes=(1_000, 10_000, 100_000),
                  former: bool = True) -> pd.DataFrame:
    """One row per variant: seconds per call at each size, µs per sample (current and former
    model, at the largest size), their ratio, and the loop / vector ratio."""
    from tests import reference_outcome_model as reference

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
            lambda: variants.evaluate(variant, samples[largest], parameters), repeats) / largest
        if former:
            before = median_cpu_seconds(lambda: reference.evaluate(variant, samples[largest], parameters), 1)
            row["former_cpu_us_per_sample"] = 1e6 * before / largest
            row["former_over_current"] = row["former_cpu_us_per_sample"] / row["cpu_us_per_sample"]

        def one_at_a_time():
            for i in range(loop_samples):
                variants.evaluate(variant, {k: v[i:i + 1] for k, v in small.items()}, parameters)

        row["loop_over_vector"] = median_seconds(one_at_a_time, 1) / loop_samples / (row["us_per_sample"] / 1e6)
        rows.append(row)
    return pd.DataFrame(rows)


def outcome_model_together(repeats: int = 3, seed: int = 1, n: int = 100_000) -> dict[str, float]:
    """The five variants on the same n samples in one evaluate_many call: wall and processor µs
    per sample and per variant, and the former model's processor time (one evaluate per variant)
    in the same run."""
    from tests import reference_outcome_model as reference

    parameters = variants.load_parameters()
    variant_list = variants.load_variants()
    samples = variants.sample_parameters(parameters, n, seed)
    scale = 1e6 / n / len(variant_list)
    wall = median_seconds(lambda: variants.evaluate_many(variant_list, samples, parameters), repeats)
    cpu = median_cpu_seconds(lambda: variants.evaluate_many(variant_list, samples, parameters), repeats)

    def former_model():
        for variant in variant_list:
            reference.evaluate(variant, samples, parameters)

    former = median_cpu_seconds(former_model, 1)
    return {"n": n, "variants": len(variant_list), "wall_us": wall * scale, "cpu_us": cpu * scale,
            "former_cpu_us": former * scale, "former_over_current": former / cpu}


def sensitivity_model_times(n_smaa: int, sobol_n: int, seed: int = 1) -> dict[str, float]:
    """Seconds the model takes for notebook 05's SMAA draws (every variant, one evaluate_many call)
    and for the Sobol points of the gap (N x (D + 2) points of the model's parameters, every
    variant), with the package's data (market budget at the parameter table's value); and the
    seconds of the Sobol sampler and of the indices of the gap (estimators and confidence
    intervals, analysis.sensitivity)."""
    from analysis import sensitivity

    parameters = variants.load_parameters()
    variant_list = variants.load_variants()
    draws = variants.sample_parameters(parameters, n_smaa, seed)
    start = time.perf_counter()
    variants.evaluate_many(variant_list, draws, parameters)
    smaa = time.perf_counter() - start
    problem = variants.salib_problem(parameters)
    start = time.perf_counter()
    points = sensitivity.sobol_sample(problem, sobol_n, seed)
    sampler = time.perf_counter() - start
    start = time.perf_counter()
    outputs = variants.evaluate_many(variant_list, points, parameters)
    sobol = time.perf_counter() - start
    start = time.perf_counter()
    sensitivity.sobol_analyze(problem, {"coverage_rate": outputs[variant_list[0].id]["coverage_rate"]}, sobol_n, seed)
    analyse = time.perf_counter() - start
    return {"smaa_draws": n_smaa, "smaa_model_s": smaa, "sobol_n": sobol_n, "sobol_points": len(points),
            "sobol_model_s": sobol, "sobol_sampler_s": sampler, "sobol_analyze_one_output_s": analyse}


def notebook_wall_seconds(root) -> float | None:
    """Wall time of notebook 05 through papermill with its default parameters, writing to a
    temporary output root that holds a copy of the market table it reads
    (reports/tables/market_budget_for_variants.csv); None when that table is not built."""
    import shutil

    market = root / "reports" / "tables" / "market_budget_for_variants.csv"
    if not market.exists():
        return None
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "out")
        os.makedirs(os.path.join(out, "tables"))
        shutil.copy(market, os.path.join(out, "tables", market.name))
        arguments = [sys.executable, "-m", "papermill", "--no-progress-bar", "-k", "python3",
                     str(root / "notebooks" / "05_sensitivity.ipynb"), os.path.join(folder, "05.ipynb"),
                     "--cwd", str(root / "notebooks"), "-p", "output_dir", out]
        start = time.perf_counter()
        subprocess.run(arguments, check=True, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--loop-samples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="sizes 1,000 and 100,000 only, one repeat")
    parser.add_argument("--notebook", action="store_true", help="also time notebook 05 through papermill")
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
    together = outcome_model_together(repeats, args.seed, sizes[-1])
    print(f"  the {together['variants']} variants together (evaluate_many, as notebook 05 calls it), µs per sample "
          f"per variant at n={together['n']:,}: wall {together['wall_us']:.2f}, processor {together['cpu_us']:.2f}; "
          f"former model {together['former_cpu_us']:.2f}; former/now {together['former_over_current']:.1f}x")

    from analysis.config import ROOT
    import yaml

    defaults = yaml.safe_load((ROOT / "config" / "parameters" / "05_sensitivity.yaml").read_text(encoding="utf-8"))
    times = sensitivity_model_times(int(defaults["n_smaa"]), int(defaults["sobol_n"]), args.seed)
    print(f"notebook 05 defaults, time in the outcome model (5 variants): SMAA {times['smaa_draws']:,} draws "
          f"{times['smaa_model_s']:.2f} s; Sobol N = {times['sobol_n']:,} ({times['sobol_points']:,} points) "
          f"{times['sobol_model_s']:.2f} s; Sobol sampler {times['sobol_sampler_s']:.2f} s, indices of one output "
          f"(with confidence intervals) {times['sobol_analyze_one_output_s']:.2f} s")
    if args.notebook:
        seconds = notebook_wall_seconds(ROOT)
        print("notebook 05: skipped (reports/tables/market_budget_for_variants.csv not built)" if seconds is None else
              f"notebook 05 through papermill (defaults, wall): {seconds:.1f} s (load average {os.getloadavg()[0]:.1f})")

    tables = market.PROCESSED_TABLES
    if not all(path.exists() for path in tables.values()):
        print("market model: skipped (data/processed not built; run: snakemake --cores 2 processed)")
        return
    processed = {name: pd.read_csv(path) for name, path in tables.items()}
    inputs = market.resolve_inputs(market.read_inputs(), processed)
    n = 100_000
    mc = median_seconds(lambda: market.monte_carlo(inputs, n, args.seed), repeats)
    print(f"market model: Monte Carlo of every quantity on {n:,} draws: {mc:.3f} s "
          f"({1e6 * mc / n:.2f} µs per draw)")


if __name__ == "__main__":
    main()
