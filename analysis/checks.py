"""Check every input of the study before anything is written: ``python -m analysis.checks``.

The workflow runs this once, before any rule that writes an output (``workflow/rules/checks.smk``):

- ``raw``: every raw file of ``data/raw/`` against its column schema and its metadata sidecar
  (schema, size, SHA-256); a raw file without sidecar or a sidecar without its file is an error;
- ``inputs``: every other input, through the loader the notebooks use: market inputs (and the
  raw rows they cite), the variants, the model's parameters, the criteria, weights and scores,
  the practices' definitions, rules and tests, the diagnostic's method and authority files (no
  file of real data in a tracked folder), the claims registries, and the notebook parameters
  (the defaults of ``config/parameters/`` with a scenario's overrides: names, types, ranges).

Every problem of every file is printed, one line each, in the package's error form
(:mod:`analysis.errors`); the exit status is 1 if there is any. On success the stamp file given by
``--stamp`` is written; Snakemake rules that write outputs depend on it.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Callable

from analysis import config
from analysis.errors import InputError, format_problem, shown_path, unit_problem

#: Rules of notebook parameters by name: (pattern, unit kind or check, text). Parameters not
#: listed here only need the type of their default.
PARAMETER_RULES = [
    (lambda n: n.endswith("alpha"), "open_unit"),
    (lambda n: n.startswith("confidence"), "open_unit"),
    (lambda n: n == "seed", "count"),
    (lambda n: n.startswith("n_") or n.endswith("_n") or n in ("sweep_points", "morris_trajectories",
                                                               "morris_levels"), "positive_integer"),
    (lambda n: n.endswith("_year"), "year"),
    (lambda n: n.endswith("_threshold"), "share"),
    (lambda n: n.endswith("_pct"), "percent"),
    (lambda n: n.endswith("_share"), "share"),
]

PATH_PARAMETERS = ("inputs_file", "method_file", "authorities_dir")


def _type_name(value) -> str:
    return {bool: "true/false", int: "integer", float: "number", str: "text", dict: "mapping",
            list: "list"}.get(type(value), type(value).__name__)


def parameter_problems(notebook: str, values: dict, defaults: dict, source: str) -> list[str]:
    """Problems of one notebook's parameters (defaults overridden by a scenario)."""
    lines = []
    where = f"notebook {notebook}"
    for name, value in values.items():
        field = f"parameter {name}"
        if name not in defaults:
            lines.append(format_problem(source, where, field, "unknown parameter", found=value,
                                        allowed=sorted(defaults)))
            continue
        default = defaults[name]
        if name == "output_dir":
            continue
        numeric = isinstance(default, (int, float)) and not isinstance(default, bool)
        if numeric:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                lines.append(format_problem(source, where, field, "wrong type", found=value,
                                            allowed=_type_name(default)))
                continue
            if isinstance(default, int) and not isinstance(value, int):
                lines.append(format_problem(source, where, field, "wrong type: not an integer", found=value,
                                            allowed="integer"))
                continue
            if not math.isfinite(value):
                lines.append(format_problem(source, where, field, "not a finite number", found=value,
                                            allowed="a finite number"))
                continue
            for matches, rule in PARAMETER_RULES:
                if not matches(name):
                    continue
                if rule == "positive_integer":
                    if value < 1:
                        lines.append(format_problem(source, where, field, "must be a positive integer",
                                                    found=value, allowed="1, 2, 3, ..."))
                elif rule == "year":
                    if not 1990 <= value <= 2100:
                        lines.append(format_problem(source, where, field, "not a plausible year",
                                                    found=value, allowed="1990 to 2100"))
                else:
                    problem = unit_problem(value, rule)
                    if problem:
                        lines.append(format_problem(source, where, field, problem[0], found=value,
                                                    allowed=problem[1]))
                break
        elif type(value) is not type(default):
            lines.append(format_problem(source, where, field, "wrong type", found=value,
                                        allowed=_type_name(default)))
        elif name in PATH_PARAMETERS:
            path = config.resolve(value)
            if not path.is_relative_to(config.ROOT) or ".." in Path(value).parts:
                lines.append(format_problem(source, where, field, "path outside the project", found=value,
                                            allowed="a path relative to the project root"))
            elif not path.exists():
                lines.append(format_problem(source, where, field, "file or folder not found", found=value))
    return lines


def default_parameters() -> dict[str, dict]:
    from analysis.errors import load_yaml

    return {p.stem: load_yaml(p) or {} for p in sorted((config.CONFIG / "parameters").glob("*.yaml"))}


# --------------------------------------------------------------------------------------------
# Raw files
# --------------------------------------------------------------------------------------------

def raw_pairs(raw_dir: Path = config.RAW) -> tuple[list[Path], list[str]]:
    """Every raw file and the problems of pairing: a sidecar without its file, a file without
    its sidecar."""
    from analysis import provenance

    files = provenance.raw_files(raw_dir)
    problems = []
    for sidecar in sorted(raw_dir.rglob(f"*{provenance.SIDECAR_SUFFIX}")):
        data = sidecar.with_name(sidecar.name[: -len(provenance.SIDECAR_SUFFIX)])
        if not data.exists():
            problems.append(format_problem(shown_path(data), "whole file", "(file)", "raw file not found "
                                           "(its sidecar exists: restore the file or delete both)",
                                           found=shown_path(sidecar)))
    for data in files:
        if not provenance.sidecar_of(data).exists():
            problems.append(format_problem(shown_path(data), "whole file", "(sidecar)", "no metadata sidecar "
                                           "beside the raw file", allowed=provenance.sidecar_of(data).name))
    return [f for f in files if provenance.sidecar_of(f).exists()], problems


def check_raw(raw_dir: Path = config.RAW) -> list[str]:
    """Problems of every raw file (all of them, file after file)."""
    from analysis import provenance

    files, problems = raw_pairs(raw_dir)
    for path in files:
        problems.extend(_run(lambda path=path: provenance.check(path), shown_path(path)))
    return problems


# --------------------------------------------------------------------------------------------
# Every other input
# --------------------------------------------------------------------------------------------

def _run(step: Callable[[], object], source: str) -> list[str]:
    """Run a loader; its error (any of the package's input errors) as message lines."""
    try:
        step()
    except (InputError, ValueError, KeyError, FileNotFoundError) as error:
        text = error.args[0] if isinstance(error, KeyError) and error.args else str(error)
        lines = [line.strip() for line in str(text).splitlines() if line.strip()]
        if lines and len(lines) > 1 and lines[0].endswith("problem(s) found"):
            lines = lines[1:]
        return [line if line.split(":", 1)[0].strip() and ":" in line else f"{source}: {line}" for line in lines]
    return []


def market_reference_problems(inputs_path: Path) -> list[str]:
    """Every ``data/raw/<file>.csv#<row id>`` source of the market inputs must name an existing
    raw file and a row of it (its first column holds the row ids)."""
    import pandas as pd

    frame = pd.read_csv(inputs_path, keep_default_na=False)
    problems, cache = [], {}
    for position, source in enumerate(frame.get("source", [])):
        if not str(source).startswith("data/raw/") or "#" not in str(source):
            continue
        file_name, row_id = str(source).split("#", 1)
        path = config.resolve(file_name)
        line = f"row {position + 2}"
        if not path.exists():
            problems.append(format_problem(shown_path(inputs_path), line, "column 'source'",
                                           "cites a raw file that does not exist", found=source))
            continue
        if path not in cache:
            cache[path] = set(pd.read_csv(path, keep_default_na=False).iloc[:, 0].astype(str))
        if row_id not in cache[path]:
            problems.append(format_problem(shown_path(inputs_path), line, "column 'source'",
                                           f"cites a row id that {file_name} does not have", found=row_id))
    return problems


def check_inputs(parameters: dict[str, dict] | None = None) -> list[str]:
    """Problems of every non-raw input, with the notebook ``parameters`` in force."""
    from analysis import claims, diagnostic, market, mcda, practices, variants
    from analysis.validation import refuse_real_data_in_tracked

    defaults = default_parameters()
    parameters = parameters or {name: dict(values) for name, values in defaults.items()}
    problems: list[str] = []
    source = "notebook parameters"
    for notebook, values in parameters.items():
        if notebook not in defaults:
            problems.append(format_problem(source, f"notebook {notebook}", "(name)", "unknown notebook",
                                           allowed=sorted(defaults)))
            continue
        problems.extend(parameter_problems(notebook, values, defaults[notebook], source))
    if problems:  # the paths below come from the parameters
        return problems

    def param(notebook, name):
        return parameters.get(notebook, {}).get(name, defaults[notebook].get(name))

    # market sizing
    inputs_path = config.resolve(param("03_market_sizing", "inputs_file"))
    problems += _run(lambda: market.read_inputs(inputs_path), shown_path(inputs_path))
    if not problems:
        problems += market_reference_problems(inputs_path)
        overrides = param("03_market_sizing", "input_overrides")
        problems += _run(lambda: market.apply_overrides(market.read_inputs(inputs_path), overrides,
                                                        "notebook parameters: notebook 03_market_sizing: "
                                                        "parameter input_overrides"), source)
    # variants and the multi-criteria comparison
    variant_ids: list[str] = []

    def load_variants():
        variant_ids.extend(v.id for v in variants.load_variants())

    problems += _run(load_variants, "data/variants")
    problems += _run(lambda: variants.load_parameters(), shown_path(variants.PARAMETERS_FILE))
    criteria = []
    problems += _run(lambda: criteria.append(mcda.load_criteria()), shown_path(mcda.CRITERIA_FILE))
    if criteria:
        problems += _run(lambda: mcda.load_weight_profiles(criteria[0]), shown_path(mcda.WEIGHTS_FILE))
        if variant_ids:
            def scores():
                evidence = variants.read_evidence()
                mcda.load_qualitative_scores(criteria[0], variant_ids, evidence_ids=set(evidence["evidence_id"]))
            problems += _run(scores, shown_path(mcda.QUALITATIVE_FILE))
    # practices
    definitions = []
    problems += _run(lambda: definitions.append(practices.load_definitions()), shown_path(practices.DEFINITIONS_FILE))
    if definitions:
        problems += _run(lambda: practices.load_variant_rules(defs=definitions[0]),
                         shown_path(practices.VARIANT_RULES_FILE))
        problems += _run(lambda: practices.load_association_tests(defs=definitions[0]),
                         shown_path(practices.ASSOCIATION_TESTS_FILE))
    problems += _run(practices.systems, shown_path(practices.SYSTEMS_FILE))
    # territorial diagnostic
    method_path = config.resolve(param("06_territorial_diagnostic", "method_file"))
    authorities_dir = config.resolve(param("06_territorial_diagnostic", "authorities_dir"))
    method = []
    problems += _run(lambda: method.append(diagnostic.load_method(method_path)), shown_path(method_path))
    for path in diagnostic.authority_files(authorities_dir):
        problems += _run(lambda path=path: refuse_real_data_in_tracked(path), shown_path(path))
        if method:
            problems += _run(lambda path=path: diagnostic.load_authority(path, method[0]), shown_path(path))
    if method and not diagnostic.authority_files(authorities_dir):
        problems += _run(lambda: diagnostic.load_authorities(authorities_dir, method[0]), shown_path(authorities_dir))
    # claims registries
    for path in sorted(config.CLAIMS_REGISTRY.glob("*.yaml")):
        def one_registry(path=path):
            from analysis.errors import load_yaml
            load_yaml(path)
        problems += _run(one_registry, shown_path(path))
    if not any(line.startswith("data/claims/") for line in problems):
        problems += _run(claims.load_registry, shown_path(config.CLAIMS_REGISTRY))
    return problems


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m analysis.checks", description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["raw", "inputs", "all"])
    parser.add_argument("--parameters", help="JSON {notebook: {parameter: value}} of the run (default: "
                                             "config/parameters/)")
    parser.add_argument("--stamp", help="file written on success")
    args = parser.parse_args(argv)
    parameters = None
    if args.parameters:
        parameters = json.loads(args.parameters)
        for values in parameters.values():
            values.pop("output_dir", None)
    problems = []
    if args.what in ("raw", "all"):
        problems += check_raw()
    if args.what in ("inputs", "all"):
        problems += check_inputs(parameters)
    if problems:
        print(f"error: {len(problems)} problem(s) in the inputs; nothing was written:", file=sys.stderr)
        for line in problems:
            print(f"  {line}", file=sys.stderr)
        raise SystemExit(1)
    if args.stamp:
        stamp = Path(args.stamp)
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text("checked\n", encoding="utf-8")
    print(f"ok: every {'input' if args.what != 'raw' else 'raw file'} checked")


if __name__ == "__main__":
    main()
