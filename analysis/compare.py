"""Compare the baseline with scenarios: a table of headline outputs with their deltas, figures side
by side, and the study report rebuilt with the comparison in it.

    python -m analysis.compare                      # the baseline and every built scenario
    python -m analysis.compare variants_low_budget  # the baseline and the scenarios named
    python -m analysis.compare --lang en ...        # figures (and the rebuilt report) in English
    bash tools/compare.sh --rebuild                 # rebuild every scenario of config/scenarios/, then compare

Writes to ``reports/comparison/``:

* ``headline_comparison.csv``: one row per headline output (its reader's label in French and in
  English and its unit), the baseline's value, each scenario's value and its delta. A headline
  whose table is missing is left empty (a part not built, or renamed); the comparison never fails
  on a missing table.
* ``scenario_status.csv``: per folder, built or not, *stale* when an input file changed since the
  folder was built (from the checksums in ``<folder>/scenario.yaml``), what the scenario changes
  (its description and its parameters that differ from the baseline's) and a fingerprint of the
  tables the comparison read (``headline_sha256``).
* ``first_rank_comparison.csv``: per folder, profile and variant, the probability of ranking first
  (SMAA) and the weighted total and rank.
* ``headline_comparison.png`` and ``first_rank_comparison.png``: the figures of
  :mod:`analysis.compare_figures`.

**How the comparison reaches the report (the design).** The baseline workflow never builds or
compares scenarios: ``bash tools/regenerate.sh`` stays deterministic. The comparison is made by
this command only: it first brings the baseline's outputs up to date through Snakemake (target
``all`` without the report: ``--omit-from study_report study_report_word``), then compares, then rebuilds the
baseline's report (target ``all``: the report, its provenance annex); ``--no-report`` skips both
Snakemake runs. In the workflow, the report
rule takes the files of ``reports/comparison/`` and the ``scenario.yaml`` of every scenario the
comparison names as inputs when they exist (workflow/rules/report.smk), so that rebuilding a
scenario or the comparison reruns the report; when it is built, the report recomputes each
folder's fingerprint and staleness and flags a comparison older than the outputs it names
(analysis/report_comparison.py). Without a comparison the report's "Scénarios" section says how to
make one. A comparison written elsewhere (``--output``, e.g. a sweep's) is not in the report.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Callable, NamedTuple

import pandas as pd

from analysis import config, errors, i18n, scenarios
from analysis.io import write_csv

COMPARISON_DIR = "reports/comparison"
TEXT_LIMIT = 80  # text headlines longer than this (sentences) are not compared
#: The tables the headlines are read from (their bytes make a folder's ``headline_sha256``).
HEADLINE_TABLES = ("france_position_summary.csv", "market_budget_for_variants.csv", "mcda_totals_by_profile.csv",
                   "sensitivity_summary.csv", "smaa_first_rank_by_profile.csv", "diagnostic_batch_summary.csv")
HEADLINE_FILE = "headline_comparison.csv"
STATUS_FILE = "scenario_status.csv"
FIRST_RANK_FILE = "first_rank_comparison.csv"
HEADLINE_FIGURE = "headline_comparison.png"
FIRST_RANK_FIGURE = "first_rank_comparison.png"
#: The command's two Snakemake runs: the baseline's target ``all`` without the report's rules and
#: what follows them (before comparing), then ``all`` (the report, its annex, the manifest).
REPORT_RULES = ("study_report", "study_report_word")


class Headline(NamedTuple):
    part: str
    indicator: str   # stable, English: the row's identifier across folders
    label_fr: str    # for a reader
    label_en: str
    unit: str        # EUR, share (0-1), %, points, count, text, pupils, schools or ""
    value: object


def _label(key: str, **fields) -> tuple[str, str]:
    return i18n.text(key, "fr", **fields), i18n.text(key, "en", **fields)


def _known(key: str, fallback: str) -> tuple[str, str]:
    """A label the report already has (report.value.*, report.col.*), or ``fallback`` as written."""
    return (i18n.text(key, "fr"), i18n.text(key, "en")) if i18n.has(key) else (fallback, fallback)


def _headline(part, indicator, labels, unit, value) -> Headline:
    return Headline(part, indicator, labels[0], labels[1], unit, value)


def _read(tables: Path, name: str) -> pd.DataFrame | None:
    path = tables / name
    if not path.is_file():
        return None
    try:
        return pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError):
        return None


def _oecd(tables: Path) -> list[Headline]:
    frame = _read(tables, "france_position_summary.csv")
    if frame is None or not {"quantity", "value"} <= set(frame.columns):
        return []
    return [_headline("oecd", str(row.quantity), _label("compare.headline.oecd", quantity=row.quantity), "",
                      row.value) for row in frame.itertuples()]


MARKET_UNITS = {"EUR per year": "EUR", "EUR": "EUR"}


def _market(tables: Path) -> list[Headline]:
    frame = _read(tables, "market_budget_for_variants.csv")
    if frame is None or "quantity" not in frame.columns:
        return []
    rows = []
    for row in frame.to_dict("records"):
        name = _known(f"report.value.quantity.{row['quantity']}", str(row["quantity"]))
        unit = str(row.get("unit", "")) if not pd.isna(row.get("unit", "")) else ""
        for column in ("low", "central", "high"):
            if column in row:
                rows.append(_headline("market", f"{row['quantity']} ({column})",
                                      _label(f"compare.headline.market.{column}", quantity_fr=name[0], quantity_en=name[1]),
                                      MARKET_UNITS.get(unit, unit), row[column]))
    return rows


def _profile_names(frame: pd.DataFrame) -> dict[str, str]:
    if "profile_fr" not in frame.columns:
        return {}
    return {str(p): str(n) for p, n in zip(frame["profile"], frame["profile_fr"])}


def _variants(tables: Path) -> list[Headline]:
    frame = _read(tables, "mcda_totals_by_profile.csv")
    if frame is None or not {"profile", "variant_id", "total"} <= set(frame.columns):
        return []
    names = _profile_names(frame)
    rows = []
    for profile, group in frame.groupby("profile", sort=False):
        ordered = group.sort_values("total", ascending=False)
        name = names.get(str(profile), str(profile))
        rows.append(_headline("variants", f"first variant, profile {profile}",
                              _label("compare.headline.first_variant", profile=name), "text",
                              ordered["variant_id"].iloc[0]))
        if len(ordered) > 1:
            rows.append(_headline("variants", f"margin of the first variant over the second, profile {profile}",
                                  _label("compare.headline.margin", profile=name), "points",
                                  float(ordered["total"].iloc[0] - ordered["total"].iloc[1])))
    rows.append(_headline("variants", "number of variants compared", _label("compare.headline.n_variants"), "count",
                          int(frame["variant_id"].nunique())))
    return rows


SENSITIVITY_UNITS = {"smaa_first_rank_recommended": "share", "gap_share_negative": "share", "gap_central": "points",
                     "gap_p05": "points", "gap_p95": "points"}


def _sensitivity(tables: Path) -> list[Headline]:
    rows = []
    summary = _read(tables, "sensitivity_summary.csv")
    if summary is not None and {"item", "value"} <= set(summary.columns):
        for row in summary.itertuples():
            if isinstance(row.value, str) and len(row.value) > TEXT_LIMIT:
                continue
            item = str(row.item)
            unit = SENSITIVITY_UNITS.get(item) or ("share" if item.endswith("_share") else
                                                   "text" if isinstance(row.value, str) else "")
            rows.append(_headline("sensitivity", item, _known(f"report.value.item.{item}", item), unit, row.value))
    first = _read(tables, "smaa_first_rank_by_profile.csv")
    if first is not None and "profile" in first.columns:
        names = _profile_names(first)
        variant_columns = [c for c in first.columns if c not in ("profile", "profile_fr")]
        for row in first.to_dict("records"):
            best = max(variant_columns, key=lambda c: row[c]) if variant_columns else None
            if best is not None:
                name = names.get(str(row["profile"]), str(row["profile"]))
                rows.append(_headline("sensitivity", f"probability of ranking first of {best}, profile {row['profile']}",
                                      _label("compare.headline.first_rank", variant=best, profile=name), "share",
                                      row[best]))
    return rows


DIAGNOSTIC_UNITS = {"total_eur": "EUR", "non_eu_share": "share", "critical_share_of_non_eu": "share",
                    "priority_1": "text"}


def _diagnostic(tables: Path) -> list[Headline]:
    frame = _read(tables, "diagnostic_batch_summary.csv")
    if frame is None or "authority_id" not in frame.columns:
        return []
    rows = []
    for row in frame.to_dict("records"):
        authority = str(row.get("name_fr") or row["authority_id"])
        for column, unit in DIAGNOSTIC_UNITS.items():
            if column in row:
                what = _known(f"report.col.{column}", column)
                rows.append(_headline("diagnostic", f"{row['authority_id']}: {column}",
                                      _label("compare.headline.diagnostic", authority=authority,
                                             quantity_fr=what[0], quantity_en=what[1]), unit, row[column]))
    return rows


#: Headline extractors, in the order of the parts; each reads its tables and tolerates their absence.
HEADLINES: list[Callable[[Path], list[Headline]]] = [_oecd, _market, _variants, _sensitivity, _diagnostic]


def _record(folder: Path) -> dict:
    path = folder / scenarios.RECORD_NAME
    if not path.is_file():
        return {}
    return errors.safe_load(path.read_text(encoding="utf-8")) or {}


def _settings(folder: Path) -> list[Headline]:
    """The study settings a folder was built with (from its scenario.yaml)."""
    record = _record(folder)
    rows = []
    for notebook, params in sorted((record.get("effective_parameters") or {}).items()):
        for name, value in sorted(params.items()):
            if name in scenarios.load_schema()["study"]:
                rows.append(_headline("settings", f"{notebook}: {name}",
                                      _label("compare.headline.setting", notebook=notebook, name=name), "text",
                                      value if not isinstance(value, dict) else str(value)))
    return rows


def headline_rows(folder: str | Path) -> list[Headline]:
    """Headline outputs of one output folder, first of each (part, indicator)."""
    folder = config.resolve(folder)
    rows = _settings(folder)
    for extract in HEADLINES:
        rows += extract(config.tables_dir(folder))
    seen, unique = set(), []
    for row in rows:
        if (row.part, row.indicator) not in seen:
            seen.add((row.part, row.indicator))
            unique.append(row)
    return unique


def headlines(folder: str | Path) -> pd.Series:
    """Headline outputs of one output folder, indexed by (part, indicator)."""
    rows = headline_rows(folder)
    index = pd.MultiIndex.from_tuples([(r.part, r.indicator) for r in rows], names=["part", "indicator"])
    return pd.Series([r.value for r in rows], index=index, dtype=object)


def headline_fingerprint(folder: str | Path) -> str:
    """SHA-256 of the tables the headlines are read from (and of their names): equal fingerprints,
    equal headlines. Empty when the folder has none of them."""
    tables = config.tables_dir(config.resolve(folder))
    digest, found = hashlib.sha256(), False
    for name in HEADLINE_TABLES:
        path = tables / name
        if path.is_file():
            found = True
            digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest() if found else ""


def as_number(value) -> float | None:
    """A finite number from a table cell (text, number, None), or None (booleans are not numbers)."""
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
    a, b = as_number(value), as_number(base)
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
    baseline = config.resolve(baseline)
    paths = {"baseline": baseline}
    for name in names:
        paths[name] = Path((folders or {}).get(name) or scenario_folder(name))
    rows = {name: headline_rows(folder) for name, folder in paths.items()}
    labels: dict[tuple[str, str], Headline] = {}
    for folder_rows in rows.values():  # the union of the rows, in the baseline's order first
        for row in folder_rows:
            labels.setdefault((row.part, row.indicator), row)
    values = {name: {(r.part, r.indicator): r.value for r in folder_rows} for name, folder_rows in rows.items()}
    records = []
    for key, row in labels.items():
        record = {"part": row.part, "indicator": row.indicator, "label_fr": row.label_fr, "label_en": row.label_en,
                  "unit": row.unit, "baseline": values["baseline"].get(key)}
        for name in names:
            record[name] = values[name].get(key)
            record[f"{name} delta"] = _delta(record[name], record["baseline"])
        records.append(record)
    columns = ["part", "indicator", "label_fr", "label_en", "unit", "baseline"]
    for name in names:
        columns += [name, f"{name} delta"]
    table = pd.DataFrame(records, columns=columns)
    baseline_record = _record(baseline)
    status = [_status(name, folder, baseline_record) for name, folder in paths.items()]
    return table, pd.DataFrame(status)


def _changes(record: dict, baseline_record: dict) -> str:
    """The parameters of a folder that differ from the baseline's, as ``notebook.name = value``."""
    if not record:
        return ""
    base = baseline_record.get("effective_parameters") or scenarios.effective_parameters({})
    changed = []
    for notebook, params in sorted((record.get("effective_parameters") or {}).items()):
        for name, value in sorted(params.items()):
            if (base.get(notebook) or {}).get(name) != value:
                changed.append(f"{notebook}.{name} = {json.dumps(value, ensure_ascii=False, sort_keys=True)}")
    return "; ".join(changed)


def _description(record: dict, lang: str = "en") -> str:
    """The scenario's own description: its ``description`` entry (text, or {fr:, en:}), or the
    comment at the head of its scenario file (as written)."""
    description = record.get("description")
    if isinstance(description, dict):
        description = description.get(lang) or description.get("en") or description.get("fr")
    if description:
        return " ".join(str(description).split())
    source = record.get("scenario_file")
    path = config.resolve(source) if source else None
    if path is None or not path.is_file():
        return ""
    comment = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        text = line.lstrip("#").strip()
        if not text.startswith(("bash ", "Outputs:")):
            comment.append(text)
    return " ".join(" ".join(comment).split())


def _status(name: str, folder: Path, baseline_record: dict) -> dict:
    record = _record(folder)
    built = bool(record)
    changed = scenarios.stale_inputs(folder)
    shown = str(folder.relative_to(config.ROOT)) if folder.is_relative_to(config.ROOT) else str(folder)
    return {"scenario": name, "folder": shown, "built": built, "stale": bool(changed),
            "inputs_changed": len(changed or []), "first_changed_inputs": " ".join((changed or [])[:5]),
            "description_fr": _description(record, "fr"), "description_en": _description(record, "en"),
            "changes": "" if name == "baseline" else _changes(record, baseline_record),
            "headline_sha256": headline_fingerprint(folder)}


def first_rank_table(paths: dict[str, Path]) -> pd.DataFrame:
    """Per folder, profile and variant: the probability of ranking first (SMAA) and the weighted
    total and its rank (weighted sum), from each folder's tables."""
    records = []
    for name, folder in paths.items():
        tables = config.tables_dir(config.resolve(folder))
        totals = _read(tables, "mcda_totals_by_profile.csv")
        first = _read(tables, "smaa_first_rank_by_profile.csv")
        by_key: dict[tuple[str, str], dict] = {}
        if totals is not None and {"profile", "variant_id", "total"} <= set(totals.columns):
            names = _profile_names(totals)
            for profile, group in totals.groupby("profile", sort=False):
                ranks = group["total"].rank(ascending=False, method="min")
                for row, rank in zip(group.to_dict("records"), ranks):
                    by_key[(str(profile), str(row["variant_id"]))] = {
                        "scenario": name, "profile": str(profile), "profile_fr": names.get(str(profile), str(profile)),
                        "variant_id": str(row["variant_id"]), "first_rank_share": None,
                        "total": float(row["total"]), "rank": int(rank)}
        if first is not None and "profile" in first.columns:
            names = _profile_names(first)
            for row in first.to_dict("records"):
                for variant in (c for c in first.columns if c not in ("profile", "profile_fr")):
                    entry = by_key.setdefault((str(row["profile"]), str(variant)), {
                        "scenario": name, "profile": str(row["profile"]),
                        "profile_fr": names.get(str(row["profile"]), str(row["profile"])), "variant_id": str(variant),
                        "first_rank_share": None, "total": None, "rank": None})
                    entry["first_rank_share"] = row[variant]
        records += list(by_key.values())
    columns = ["scenario", "profile", "profile_fr", "variant_id", "first_rank_share", "total", "rank"]
    return pd.DataFrame(records, columns=columns)


def write_comparison(names: list[str], output: Path, lang: str = i18n.DEFAULT_LANGUAGE,
                     baseline: str | Path = config.REPORTS, folders: dict[str, Path] | None = None
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Write the comparison's tables and figures to ``output``; return (headline table, status)."""
    from analysis import compare_figures
    from analysis.io import save_figure

    table, status = compare(names, baseline, folders)
    paths = {"baseline": config.resolve(baseline)}
    paths.update({name: Path((folders or {}).get(name) or scenario_folder(name)) for name in names})
    first = first_rank_table(paths)
    write_csv(table, output / HEADLINE_FILE)
    write_csv(status, output / STATUS_FILE)
    write_csv(first, output / FIRST_RANK_FILE)
    for draw, name in ((compare_figures.headline_comparison, HEADLINE_FIGURE),
                       (compare_figures.first_rank_comparison, FIRST_RANK_FIGURE)):
        figure = draw(table, status, lang=lang) if draw is compare_figures.headline_comparison \
            else draw(first, status, lang=lang)
        save_figure(figure, output / name)
        compare_figures.close(figure)
    return table, status


def _workflow(*arguments: str) -> int:
    env = {k: v for k, v in os.environ.items() if k != config.OUTPUT_ENV_VAR}
    env.update({"MPLBACKEND": "Agg", "PYTHONHASHSEED": "0",
                "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"})
    command = [sys.executable, str(config.ROOT / "tools" / "run_workflow.py"), "--cores", "2", *arguments]
    print("[compare] " + " ".join(command[2:]))
    return subprocess.run(command, cwd=config.ROOT, env=env).returncode


def update_baseline(lang: str) -> int:
    """Bring the baseline's outputs up to date (everything the report reads, not the report), so
    that the comparison, and the flags its figures show, are those of the report built after it."""
    return _workflow("all", "--omit-from", *REPORT_RULES, "--config", f"report_language={lang}")


def rebuild_report(lang: str) -> int:
    """Rebuild the baseline's report through Snakemake, with the comparison as an input."""
    return _workflow("all", "--config", f"report_language={lang}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.compare", description=__doc__.split("\n\n")[0])
    parser.add_argument("scenarios", nargs="*", help="scenario names (default: every built scenario)")
    parser.add_argument("--output", default=COMPARISON_DIR, help="folder of the comparison tables")
    parser.add_argument("--lang", default=i18n.DEFAULT_LANGUAGE, choices=i18n.LANGUAGES,
                        help="language of the figures and of the report rebuilt")
    parser.add_argument("--no-report", action="store_true",
                        help=f"do not rebuild the report (it is rebuilt only for --output {COMPARISON_DIR})")
    args = parser.parse_args(argv)
    try:
        names = [scenarios.check_name(n, "command line") for n in args.scenarios] or built_scenarios()
    except scenarios.ScenarioError as error:
        print(f"compare: {error}", file=sys.stderr)
        return 2
    output = config.resolve(args.output)
    if not output.resolve().is_relative_to(config.REPORTS.resolve()):
        print(f"compare: --output must be inside reports/ (found {args.output})", file=sys.stderr)
        return 2
    with_report = not args.no_report and output.resolve() == config.resolve(COMPARISON_DIR).resolve()
    if with_report:
        code = update_baseline(args.lang)
        if code:
            print("compare: the baseline could not be brought up to date (see above); nothing compared", file=sys.stderr)
            return code
    table, status = write_comparison(names, output, args.lang)
    for row in status.itertuples():
        note = "not built" if not row.built else ("STALE: inputs changed since it was built (" +
                                                  row.first_changed_inputs + ")" if row.stale else "up to date")
        print(f"{row.scenario:<32} {note}")
    print(f"{len(table)} headline outputs compared; tables and figures in {output.relative_to(config.ROOT)}/")
    if status["stale"].any():
        print("Rebuild stale scenarios: bash tools/compare.sh --rebuild")
    return rebuild_report(args.lang) if with_report else 0


if __name__ == "__main__":
    sys.exit(main())
