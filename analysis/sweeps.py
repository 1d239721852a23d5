"""Sweeps: one file that expands into many scenarios (a grid, or a seeded sample).

A sweep file (``config/sweeps/<name>.yaml``)::

    sweep: budget_by_profile            # the sweep's name; its scenarios are <sweep>-001, <sweep>-002, ...
    base:                               # optional: what every scenario of the sweep sets (a scenario's keys)
      study: {seed: 20260113}
    grid:                               # every combination of these values (dotted scenario keys)
      study.budget_column: [low, central, high]
      notebook_params.05_sensitivity.reference_profile: [etat, egalite]
    # or, instead of grid:
    sample:                             # n scenarios drawn with a seed
      n: 100
      seed: 7
      over:
        study.budget_column: {choice: [low, central, high]}
        notebook_params.03_market_sizing.input_overrides.digital_share_education_pct: {uniform: [3, 8]}

Every expanded scenario is checked like a scenario file (:func:`analysis.scenarios.validate`).
The sweep runs in one Snakemake invocation (``workflow/sweep.smk``; each scenario in
``reports/scenarios/<sweep>-NNN/``), followed by the comparison table across all of them
(``reports/comparison/<sweep>/``)::

    bash tools/sweep.sh config/sweeps/budget_by_profile.yaml -n     # dry run
    bash tools/sweep.sh config/sweeps/budget_by_profile.yaml        # run
    python -m analysis.sweeps expand config/sweeps/budget_by_profile.yaml   # list the scenarios
"""

from __future__ import annotations

import argparse
import copy
import itertools
import sys
from pathlib import Path
from typing import Any

import yaml

from analysis import config, errors, scenarios

SWEEP_KEYS = ("sweep", "description", "base", "grid", "sample")
MAX_SCENARIOS = 10000


class SweepError(ValueError):
    """A sweep file the workflow refuses (the message names the file and the key)."""


def _set(document: dict, dotted: str, value: Any) -> None:
    keys = dotted.split(".")
    target = document
    for key in keys[:-1]:
        target = target.setdefault(key, {})
        if not isinstance(target, dict):
            raise SweepError(f"{dotted}: {key} is not a mapping")
    target[keys[-1]] = value


def _draw(spec: dict, rng, where: str):
    if not isinstance(spec, dict) or len(spec) != 1:
        raise SweepError(f"{where}: give one of choice: [values], uniform: [low, high], integers: [low, high]")
    (kind, values), = spec.items()
    if kind == "choice" and isinstance(values, list) and values:
        return values[int(rng.integers(len(values)))]
    if kind in ("uniform", "integers") and isinstance(values, list) and len(values) == 2:
        low, high = values
        if kind == "uniform":
            return float(round(rng.uniform(low, high), 6))
        return int(rng.integers(low, high + 1))
    raise SweepError(f"{where}: {kind}: not a distribution (choice: [values], uniform: [low, high], "
                     "integers: [low, high])")


def expand(path: str | Path) -> tuple[str, list[dict]]:
    """(sweep name, scenario documents) of a sweep file; every document checked."""
    import numpy as np

    path = Path(path)
    try:
        document = errors.safe_load(config.resolve(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise SweepError(f"{path}: cannot be read as YAML ({error})") from None
    if not isinstance(document, dict):
        raise SweepError(f"{path}: a sweep file is a mapping of {', '.join(SWEEP_KEYS)}")
    unknown = [k for k in document if k not in SWEEP_KEYS]
    if unknown:
        raise SweepError(f"{path}: {unknown[0]}: unknown key ({scenarios._nearest(unknown[0], SWEEP_KEYS)})")
    try:
        name = scenarios.check_name(document.get("sweep"), f"{path}: sweep")
    except scenarios.ScenarioError as error:
        raise SweepError(str(error).replace("scenario:", "name:", 1)) from None
    base = document.get("base") or {}
    if not isinstance(base, dict) or "scenario" in base:
        raise SweepError(f"{path}: base: a mapping of scenario keys without scenario: (names are <sweep>-NNN)")
    if ("grid" in document) == ("sample" in document):
        raise SweepError(f"{path}: give either grid: or sample:")
    settings: list[dict[str, Any]] = []
    if "grid" in document:
        grid = document["grid"]
        if not isinstance(grid, dict) or not grid or not all(isinstance(v, list) and v for v in grid.values()):
            raise SweepError(f"{path}: grid: a mapping of dotted scenario keys to non-empty lists of values")
        keys = list(grid)
        settings = [dict(zip(keys, values)) for values in itertools.product(*grid.values())]
    else:
        sample = document["sample"]
        if not isinstance(sample, dict) or not isinstance(sample.get("n"), int) or sample["n"] < 1 \
                or not isinstance(sample.get("seed"), int) or not isinstance(sample.get("over"), dict):
            raise SweepError(f"{path}: sample: needs n (a positive integer), seed (an integer) and over (a mapping)")
        rng = np.random.default_rng(sample["seed"])
        for _ in range(sample["n"]):
            settings.append({key: _draw(spec, rng, f"{path}: sample: over: {key}")
                             for key, spec in sample["over"].items()})
    if len(settings) > MAX_SCENARIOS:
        raise SweepError(f"{path}: {len(settings)} scenarios (at most {MAX_SCENARIOS})")
    width = max(3, len(str(len(settings))))
    documents, problems = [], []
    for index, values in enumerate(settings, start=1):
        scenario = copy.deepcopy(base)
        scenario["scenario"] = f"{name}-{index:0{width}d}"
        scenario.setdefault("description", f"sweep {name}: " + ", ".join(f"{k}={v}" for k, v in values.items()))
        for key, value in values.items():
            _set(scenario, key, value)
        problems += scenarios.validate(scenario, f"{path} (scenario {scenario['scenario']})")
        documents.append(scenario)
    if problems:
        shown = problems[:20] + ([f"... and {len(problems) - 20} more"] if len(problems) > 20 else [])
        raise SweepError(f"{len(problems)} problem(s) in the sweep:\n  " + "\n  ".join(shown))
    return name, documents


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.sweeps")
    sub = parser.add_subparsers(dest="command", required=True)
    expand_parser = sub.add_parser("expand", help="list (or write) the scenarios of a sweep file")
    expand_parser.add_argument("sweep_file")
    expand_parser.add_argument("--write", action="store_true",
                               help="write each scenario file to reports/sweeps/<sweep>/scenarios/")
    args = parser.parse_args(argv)
    try:
        name, documents = expand(args.sweep_file)
    except SweepError as error:
        print(f"sweep refused: {error}", file=sys.stderr)
        return 2
    for document in documents:
        print(f"{document['scenario']}: {document['description']}")
        if args.write:
            from analysis.io import write_yaml

            write_yaml(document, config.REPORTS / "sweeps" / name / "scenarios" / f"{document['scenario']}.yaml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
