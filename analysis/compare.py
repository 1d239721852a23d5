"""Compare the baseline with scenarios: one table of headline outputs with their deltas.

    python -m analysis.compare                      # the baseline and every built scenario
    python -m analysis.compare variants_low_budget  # the baseline and the scenarios named
    bash tools/compare.sh --rebuild                 # rebuild every scenario of config/scenarios/, then compare

Writes ``reports/comparison/headline_comparison.csv`` (one row per headline output: the baseline's
value, each scenario's value and its delta) and ``reports/comparison/scenario_status.csv`` (built
or not, and *stale* when an input file changed since the scenario's folder was built, from the
checksums in ``<folder>/scenario.yaml``). A headline whose table is missing is left empty (a part
not built, or renamed); the comparison never fails on a missing table.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Callable

import pandas as pd

from analysis import config, scenarios
from analysis.io import write_csv

COMPARISON_DIR = "reports/comparison"
TEXT_LIMIT = 80  # text headlines longer than this (sentences) are not compared


def _read(tables: Path, name: str) -> pd.DataFrame | None:
    path = tables / name
    if not path.is_file():
        return None
    try:
        return pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError):
        return None


def _oecd(tables: Path) -> list[tuple[str, str, object]]:
    frame = _read(tables, "france_position_summary.csv")
    if frame is None or not {"quantity", "value"} <= set(frame.columns):
        return []
    return [("oecd", str(row.quantity), row.value) for row in frame.itertuples()]


def _market(tables: Path) -> list[tuple[str, str, object]]:
    frame = _read(tables, "market_budget_for_variants.csv")
    if frame is None or "quantity" not in frame.columns:
        return []
    rows = []
    for row in frame.to_dict("records"):
        for column in ("low", "central", "high"):
            if column in row:
                rows.append(("market", f"{row['quantity']} ({column})", row[column]))
    return rows


def _variants(tables: Path) -> list[tuple[str, str, object]]:
    frame = _read(tables, "mcda_totals_by_profile.csv")
    if frame is None or not {"profile", "variant_id", "total"} <= set(frame.columns):
        return []
    rows = []
    for profile, group in frame.groupby("profile", sort=False):
        ordered = group.sort_values("total", ascending=False)
        rows.append(("variants", f"first variant, profile {profile}", ordered["variant_id"].iloc[0]))
        if len(ordered) > 1:
            rows.append(("variants", f"margin of the first variant over the second, profile {profile}",
                         float(ordered["total"].iloc[0] - ordered["total"].iloc[1])))
    rows.append(("variants", "number of variants compared", int(frame["variant_id"].nunique())))
    return rows


def _sensitivity(tables: Path) -> list[tuple[str, str, object]]:
    rows = []
    summary = _read(tables, "sensitivity_summary.csv")
    if summary is not None and {"item", "value"} <= set(summary.columns):
        for row in summary.itertuples():
            if isinstance(row.value, str) and len(row.value) > TEXT_LIMIT:
                continue
            rows.append(("sensitivity", str(row.item), row.value))
    first = _read(tables, "smaa_first_rank_by_profile.csv")
    if first is not None and "profile" in first.columns:
        variant_columns = [c for c in first.columns if c not in ("profile", "profile_fr")]
        for row in first.to_dict("records"):
            best = max(variant_columns, key=lambda c: row[c]) if variant_columns else None
            if best is not None:
                rows.append(("sensitivity", f"probability of ranking first of {best}, profile {row['profile']}",
                             row[best]))
    return rows


def _diagnostic(tables: Path) -> list[tuple[str, str, object]]:
    frame = _read(tables, "diagnostic_batch_summary.csv")
    if frame is None or "authority_id" not in frame.columns:
        return []
    rows = []
    for row in frame.to_dict("records"):
        for column in ("total_eur", "non_eu_share", "critical_share_of_non_eu", "priority_1"):
            if column in row:
                rows.append(("diagnostic", f"{row['authority_id']}: {column}", row[column]))
    return rows


#: Headline extractors, in the order of the parts; each reads its tables and tolerates their absence.
HEADLINES: list[Callable[[Path], list[tuple[str, str, object]]]] = [_oecd, _market, _variants, _sensitivity,
                                                                   _diagnostic]


def _settings(folder: Path) -> list[tuple[str, str, object]]:
    """The study settings a folder was built with (from its scenario.yaml)."""
    import yaml

    path = folder / scenarios.RECORD_NAME
    if not path.is_file():
        return []
    record = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    rows = []
    for notebook, params in sorted((record.get("effective_parameters") or {}).items()):
        for name, value in sorted(params.items()):
            if name in scenarios.load_schema()["study"]:
                rows.append(("settings", f"{notebook}: {name}", value if not isinstance(value, dict) else str(value)))
    return rows


def headlines(folder: str | Path) -> pd.Series:
    """Headline outputs of one output folder, indexed by (part, indicator)."""
    folder = config.resolve(folder)
    rows = _settings(folder)
    for extract in HEADLINES:
        rows += extract(config.tables_dir(folder))
    if not rows:
        return pd.Series(dtype=object, index=pd.MultiIndex.from_tuples([], names=["part", "indicator"]))
    index = pd.MultiIndex.from_tuples([(part, name) for part, name, _ in rows], names=["part", "indicator"])
    series = pd.Series([value for _, _, value in rows], index=index, dtype=object)
    return series[~series.index.duplicated()]


def _number(value) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _delta(value, base) -> object:
    if pd.isna(value) if not isinstance(value, (list, dict)) else False:
        return ""
    a, b = _number(value), _number(base)
    if a is not None and b is not None:
        return a - b
    return "same" if str(value) == str(base) else "changed"


def scenario_folder(name: str) -> Path:
    return config.resolve(config.scenario_output_dir(name))


def built_scenarios() -> list[str]:
    root = config.REPORTS / "scenarios"
    return sorted(p.name for p in root.iterdir() if p.is_dir() and scenarios.NAME_PATTERN.fullmatch(p.name)) \
        if root.is_dir() else []


def compare(names: list[str], baseline: str | Path = config.REPORTS,
            folders: dict[str, Path] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(headline table, status table) of the baseline and the scenarios ``names`` (their folders
    are ``reports/scenarios/<name>/`` unless ``folders`` says otherwise)."""
    base = headlines(baseline)
    columns = {"baseline": base}
    status = [_status("baseline", config.resolve(baseline))]
    for name in names:
        folder = Path((folders or {}).get(name) or scenario_folder(name))
        columns[name] = headlines(folder)
        status.append(_status(name, folder))
    table = pd.concat(columns, axis=1) if any(len(s) for s in columns.values()) else pd.DataFrame(columns=list(columns))
    ordered = []
    for name in names:
        table[f"{name} delta"] = [_delta(v, b) for v, b in zip(table[name], table["baseline"])]
        ordered += [name, f"{name} delta"]
    table = table[["baseline", *ordered]].reset_index() if len(table) else table.reset_index()
    return table, pd.DataFrame(status)


def _status(name: str, folder: Path) -> dict:
    built = (folder / scenarios.RECORD_NAME).is_file()
    changed = scenarios.stale_inputs(folder)
    return {"scenario": name, "folder": str(folder.relative_to(config.ROOT)) if folder.is_relative_to(config.ROOT) else str(folder),
            "built": built, "stale": bool(changed), "inputs_changed": len(changed or []),
            "first_changed_inputs": " ".join((changed or [])[:5])}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.compare", description=__doc__.split("\n\n")[0])
    parser.add_argument("scenarios", nargs="*", help="scenario names (default: every built scenario)")
    parser.add_argument("--output", default=COMPARISON_DIR, help="folder of the comparison tables")
    args = parser.parse_args(argv)
    try:
        names = [scenarios.check_name(n, "command line") for n in args.scenarios] or built_scenarios()
    except scenarios.ScenarioError as error:
        print(f"compare: {error}", file=sys.stderr)
        return 2
    table, status = compare(names)
    output = config.resolve(args.output)
    if not output.resolve().is_relative_to(config.REPORTS.resolve()):
        print(f"compare: --output must be inside reports/ (found {args.output})", file=sys.stderr)
        return 2
    write_csv(table, output / "headline_comparison.csv")
    write_csv(status, output / "scenario_status.csv")
    for row in status.itertuples():
        note = "not built" if not row.built else ("STALE: inputs changed since it was built (" +
                                                  row.first_changed_inputs + ")" if row.stale else "up to date")
        print(f"{row.scenario:<32} {note}")
    print(f"{len(table)} headline outputs compared; tables in {output.relative_to(config.ROOT)}/")
    if status["stale"].any():
        print("Rebuild stale scenarios: bash tools/compare.sh --rebuild")
    return 0


if __name__ == "__main__":
    sys.exit(main())
