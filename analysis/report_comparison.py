"""The report's "Scénarios" section and the workbook's comparison sheets, from the comparison that
``python -m analysis.compare`` (``bash tools/compare.sh``) wrote to ``<root>/comparison/``.

When the comparison exists, the section shows which scenarios were compared, what each changes
and whether it is up to date, the table of headline outputs with their differences from the
baseline, and the two figures side by side. Whether it is up to date is checked when the report is
built, not only read from the comparison: a folder whose headline tables changed since the
comparison read them (their fingerprint, ``headline_sha256``) makes the comparison *outdated*, a
folder whose input files changed since it was built is *stale*; both are said at the head of the
section and in the tables. Without a comparison the section says how to make one. A scenario's own
report says where the comparison is (the baseline's report).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis import compare, compare_figures, config, i18n, scenarios

SUBDIR = "comparison"
MAX_SCENARIO_COLUMNS = 6   # more scenarios: the report's table shows the first ones, the workbook all
MAX_ROWS = 60
COMMAND = "bash tools/compare.sh"


@dataclass
class Comparison:
    folder: Path
    table: pd.DataFrame
    status: pd.DataFrame
    first_rank: pd.DataFrame | None
    states: dict[str, "FolderState"]

    @property
    def scenarios(self) -> list[str]:
        return [s for s in self.status["scenario"].astype(str) if s != "baseline"]


@dataclass
class FolderState:
    scenario: str
    built: bool
    exists: bool
    outdated: bool              # its headline tables changed since the comparison read them
    stale_files: list[str]      # its input files changed since it was built (now)

    @property
    def stale(self) -> bool:
        return bool(self.stale_files)

    def code(self) -> str:
        if not self.built:
            return "not_built"
        if not self.exists:
            return "missing"
        if self.outdated and self.stale:
            return "outdated_stale"
        if self.outdated:
            return "outdated"
        if self.stale:
            return "stale"
        return "ok"


def _truth(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value) and not (isinstance(value, float) and math.isnan(value))


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def folder_state(row: dict) -> FolderState:
    """The state of one compared folder now (fingerprint and input checksums recomputed)."""
    folder = config.resolve(_text(row.get("folder")) or ".")
    built = _truth(row.get("built"))
    exists = (folder / scenarios.RECORD_NAME).is_file()
    recorded = _text(row.get("headline_sha256"))
    outdated = built and exists and compare.headline_fingerprint(folder) != recorded
    stale = (scenarios.stale_inputs(folder) or []) if exists else []
    return FolderState(str(row["scenario"]), built, exists, outdated, stale)


def load(root: Path) -> Comparison | None:
    """The comparison under ``root`` (``<root>/comparison/``), or None when none has been made."""
    folder = Path(root) / SUBDIR
    table_path, status_path = folder / compare.HEADLINE_FILE, folder / compare.STATUS_FILE
    if not (table_path.is_file() and status_path.is_file()):
        return None
    table = pd.read_csv(table_path, dtype=object, keep_default_na=False, na_values=[""])
    status = pd.read_csv(status_path, dtype=object, keep_default_na=False, na_values=[""])
    first_path = folder / compare.FIRST_RANK_FILE
    first = pd.read_csv(first_path) if first_path.is_file() else None
    states = {str(r["scenario"]): folder_state(r) for r in status.to_dict("records")}
    return Comparison(folder, table, status, first, states)


# --- the section -----------------------------------------------------------------------------------

def _headline_keys(table: pd.DataFrame) -> set[tuple[str, str]]:
    """Rows always shown: those the figure draws, the first variant of each profile, the
    recommended variant and the runner-up."""
    keys = {(r["part"], r["indicator"]) for r, _ in compare_figures._select_rows(table)}
    for row in table.to_dict("records"):  # (a setting is shown when it differs)
        if str(row["indicator"]).startswith("first variant, profile "):
            keys.add((row["part"], row["indicator"]))
        if row["part"] == "sensitivity" and row["indicator"] in ("recommended_variant", "runner_up"):
            keys.add((row["part"], row["indicator"]))
    return keys


def _changed(row: dict, names: list[str]) -> bool:
    for name in names:
        delta = row.get(f"{name} delta")
        number = compare.as_number(delta)
        if number is not None and number != 0:
            return True
        if _text(delta) == "changed" or (_text(row.get(name)) == "") != (_text(row.get("baseline")) == ""):
            return True
    return False


def scenario_header(name: str, state: FolderState | None, lang: str) -> str:
    if state is None or state.code() == "ok":
        return name
    return f"{name} ({i18n.text('report.comparison.flag.' + state.code(), lang)})"


def _value_cell(value, unit, lang) -> str:
    if _text(value) == "":
        return "–"
    return compare_figures.format_headline(compare.as_number(value) if compare.as_number(value) is not None
                                           else value, unit, lang)


def headline_rows(comparison: Comparison, lang: str, names: list[str], every_row: bool = False):
    """(headers, rows, align, omitted) of the headline table for ``names``."""
    table = comparison.table
    keys = _headline_keys(table)
    headers = [i18n.text("report.col.indicator", lang), i18n.text("report.comparison.col.baseline", lang)]
    for name in names:
        state = comparison.states.get(name)
        headers += [scenario_header(name, state, lang), i18n.text("report.comparison.col.delta", lang, name=name)]
    rows, omitted = [], 0
    all_names = comparison.scenarios
    for record in table.to_dict("records"):
        if not every_row and (record["part"], record["indicator"]) not in keys and not _changed(record, all_names):
            omitted += 1
            continue
        unit = _text(record.get("unit"))
        cells = [_text(record.get(f"label_{lang}")) or _text(record["indicator"]), _value_cell(record.get("baseline"), unit, lang)]
        for name in names:
            delta = record.get(f"{name} delta")
            number = compare.as_number(delta)
            cells += [_value_cell(record.get(name), unit, lang),
                      compare_figures.format_delta(number if number is not None else _text(delta), unit, lang) or "–"]
        rows.append(cells)
    align = ["l"] + ["r"] * (len(headers) - 1)
    return headers, rows, align, omitted


def status_rows(comparison: Comparison, lang: str):
    headers = [i18n.text(f"report.comparison.col.{c}", lang) for c in ("scenario", "folder", "state", "changes")]
    rows = []
    for record in comparison.status.to_dict("records"):
        name = str(record["scenario"])
        state = comparison.states[name]
        label = i18n.text("compare.fig.baseline", lang) if name == "baseline" else name
        what = _text(record.get(f"description_{lang}"))
        changes = _text(record.get("changes"))
        if changes:
            what = (what + " " if what else "") + i18n.text("report.comparison.parameters", lang, changes=changes)
        if name == "baseline" and not what:
            what = i18n.text("report.comparison.baseline_changes", lang)
        text = i18n.text(f"report.comparison.state.{state.code()}", lang)
        if state.stale:
            text += " " + i18n.text("report.comparison.files", lang, n=len(state.stale_files),
                                    files=", ".join(state.stale_files[:3]))
        rows.append([label, _text(record.get("folder")), text, what or "–"])
    return headers, rows, ["l"] * len(headers)


def _names(states: list[FolderState], lang: str) -> str:
    return ", ".join(i18n.text("compare.fig.baseline", lang) if s.scenario == "baseline" else s.scenario for s in states)


def section_blocks(root: Path, lang: str, scenario: str = scenarios.BASELINE) -> list:
    """The blocks of the "Scénarios" section (numbers of figures and tables are set by the caller)."""
    from analysis.report import Figure, Paragraph, Table

    if scenario != scenarios.BASELINE:
        return [Paragraph([i18n.text("report.comparison.in_scenario", lang, name=scenario)])]
    comparison = load(root)
    if comparison is None:
        return [Paragraph([i18n.text("report.comparison.none", lang)])]
    states = list(comparison.states.values())
    blocks: list = [Paragraph([i18n.text("report.comparison.made", lang, n=len(comparison.scenarios),
                                         folder=_shown(comparison.folder))])]
    outdated = [s for s in states if s.outdated or (s.built and not s.exists)]
    stale = [s for s in states if s.stale]
    not_built = [s for s in states if not s.built]
    if outdated:
        blocks.append(Paragraph([i18n.text("report.comparison.outdated", lang, names=_names(outdated, lang),
                                           command=" ".join([COMMAND, *comparison.scenarios]))], "answer"))
    if stale:
        blocks.append(Paragraph([i18n.text("report.comparison.stale", lang, names=_names(stale, lang))], "answer"))
    if not_built:
        blocks.append(Paragraph([i18n.text("report.comparison.not_built", lang, names=_names(not_built, lang))], "answer"))
    if not (outdated or stale or not_built):
        blocks.append(Paragraph([i18n.text("report.comparison.fresh", lang)]))
    source = i18n.text("report.source.comparison", lang)
    headers, rows, align = status_rows(comparison, lang)
    blocks.append(Table(0, "scenario_status", "tab-scenario_status", i18n.text("report.tab.scenario_status", lang),
                        source, "", "", "", headers, rows, align, "", False))
    names = comparison.scenarios[:MAX_SCENARIO_COLUMNS]
    headers, rows, align, omitted = headline_rows(comparison, lang, names)
    notes = []
    if omitted:
        notes.append(i18n.text("report.comparison.rows_omitted", lang, omitted=omitted))
    if len(comparison.scenarios) > len(names):
        notes.append(i18n.text("report.comparison.columns_cut", lang, shown=len(names), total=len(comparison.scenarios)))
    blocks.append(Table(0, "headline_comparison", "tab-headline_comparison",
                        i18n.text("report.tab.headline_comparison", lang), source, "", "", "", headers,
                        rows[:MAX_ROWS], align, " ".join(notes), len(headers) > 7))
    for name in (compare.HEADLINE_FIGURE, compare.FIRST_RANK_FIGURE):
        image = comparison.folder / name
        if image.is_file():
            stem = Path(name).stem
            blocks.append(Figure(0, stem, f"fig-{stem}", image, i18n.text(f"report.fig.{stem}", lang), source,
                                 "", "", ""))
    return blocks


def _shown(path: Path) -> str:
    path = Path(path).resolve()
    return str(path.relative_to(config.ROOT)) if path.is_relative_to(config.ROOT) else str(path)


# --- the workbook ----------------------------------------------------------------------------------

def workbook_frames(root: Path, lang: str) -> list[tuple[str, str, pd.DataFrame]]:
    """(sheet name, description, frame with reader's headers) of the comparison's sheets; none
    without a comparison."""
    comparison = load(root)
    if comparison is None:
        return []
    table = comparison.table.copy()
    label = f"label_{lang}"
    keep = ["part", "indicator", label, "unit", "baseline"]
    for name in comparison.scenarios:
        keep += [name, f"{name} delta"]
    table = table[[c for c in keep if c in table.columns]]
    for column in table.columns:  # numbers as numbers (a column also holds text: variant ids, same/changed)
        if column not in ("part", "indicator", label, "unit"):
            table[column] = [compare.as_number(v) if compare.as_number(v) is not None else v
                             for v in table[column]]
    headers = {"part": i18n.text("report.col.part", lang), "indicator": i18n.text("report.comparison.col.id", lang),
               label: i18n.text("report.col.indicator", lang), "unit": i18n.text("report.col.unit", lang),
               "baseline": i18n.text("report.comparison.col.baseline", lang)}
    for name in comparison.scenarios:
        headers[name] = scenario_header(name, comparison.states.get(name), lang)
        headers[f"{name} delta"] = i18n.text("report.comparison.col.delta", lang, name=name)
    table = table.rename(columns=headers)
    status_headers, rows, _ = status_rows(comparison, lang)
    status = pd.DataFrame(rows, columns=status_headers)
    return [("Comparison", i18n.text("report.xlsx.comparison", lang), table),
            ("Comparison status", i18n.text("report.xlsx.comparison_status", lang), status)]
