"""The study report: one document model built from the workflow's outputs, rendered as HTML
(``rapport.html``, self-contained), PDF (Typst) and Word (python-docx), with the workbook
(``etude.xlsx``) and the provenance annex beside it.

    python -m analysis.report --output-dir reports --lang fr            # everything
    python -m analysis.report --output-dir reports --lang en --only html

The structure (sections, figures and tables by output name, table options) is config/report.yaml;
every text is a key of the translation table (data/i18n/report.csv); every number of the summary
is computed from the tables (analysis/report_summary.py). The notebook and rule that made each
output are read from the workflow's rule files (analysis/report_outputs.py).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path


from analysis import config, errors, i18n
from analysis.report_files import OUTPUT_NAMES  # file names per language, declared once
from analysis.report_format import ReportBuildError, TableSpec, format_frame
from analysis.report_outputs import Output, declared_outputs
from analysis.report_summary import Results, Span, claim_anchor, findings, sensitivity_answer

REPORT_CONFIG = config.CONFIG / "report.yaml"


# --- the document model ----------------------------------------------------------------------------

@dataclass
class Paragraph:
    spans: list[Span]
    style: str = "p"   # p, lead, note, bullet


@dataclass
class Figure:
    number: int
    name: str
    anchor: str
    image: Path
    caption: str
    source: str
    notebook: str
    output: str
    rule: str


@dataclass
class Table:
    number: int
    name: str
    anchor: str
    caption: str
    source: str
    notebook: str
    output: str
    rule: str
    headers: list[str]
    rows: list[list[str]]
    align: list[str]
    note: str = ""
    landscape: bool = False
    row_anchors: list[str] | None = None       # e.g. claim-<id> for the ledger
    status_column: int | None = None           # index of a status column (ledger colours, filter)
    status_values: list[str] | None = None     # raw status per row (CSS class, filter)


@dataclass
class Section:
    id: str
    number: int
    title: str
    blocks: list = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"sec-{self.id}"


@dataclass
class Report:
    lang: str
    title: str
    subtitle: str
    scenario: str
    scenario_lines: list[str]
    version: str
    sections: list[Section]
    root: Path

    @property
    def figures(self) -> list[Figure]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Figure)]

    @property
    def tables(self) -> list[Table]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]

    def t(self, key: str, **values) -> str:
        return i18n.text(key, self.lang, **values)


# --- configuration ---------------------------------------------------------------------------------

def load_structure(path: Path = REPORT_CONFIG) -> dict:
    data = errors.safe_load(path.read_text(encoding="utf-8")) or {}
    problems = []
    for i, section in enumerate(data.get("sections") or [], start=1):
        if "id" not in section:
            problems.append(f"{path.name}: sections[{i}]: field 'id' is missing")
        for j, item in enumerate(section.get("items") or [], start=1):
            if ("figure" in item) == ("table" in item):
                problems.append(f"{path.name}: section {section.get('id')!r}, item {j}: give exactly one of 'figure' or 'table'")
    if problems:
        raise ReportBuildError("\n".join(problems))
    return data


def workflow_config(configfile: str | None, override: dict | None = None) -> dict:
    """The scenario's configuration: config/workflow.yaml, overridden by a scenario file, then by
    the configuration the workflow passes (``override``: scenario name and notebook parameters)."""
    values = errors.safe_load((config.CONFIG / "workflow.yaml").read_text(encoding="utf-8")) or {}
    if configfile:
        values.update(errors.safe_load(config.resolve(configfile).read_text(encoding="utf-8")) or {})
    values.update(override or {})
    return values


def notebook_parameter(workflow: dict, notebook: str, name: str):
    path = config.CONFIG / "parameters" / f"{notebook}.yaml"
    defaults = errors.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    overrides = ((workflow.get("notebook_params") or {}).get(notebook) or {})
    return overrides.get(name, (defaults or {}).get(name))


def scenario_description(workflow: dict, configfile: str | None, lang: str) -> list[str]:
    """What the scenario changes: its notebook parameters against the defaults, and its own
    description: a ``description: {fr: ..., en: ...}`` entry of the scenario file if it has one,
    otherwise the comment at the head of the file (as written)."""
    name = workflow.get("scenario", "baseline")
    if name == "baseline":
        return [i18n.text("report.scenario.baseline", lang)]
    lines = [i18n.text("report.scenario.named", lang, name=name)]
    for notebook, params in sorted((workflow.get("notebook_params") or {}).items()):
        for param, value in sorted((params or {}).items()):
            default = notebook_parameter({}, notebook, param)
            lines.append(i18n.text("report.scenario.change", lang, notebook=notebook, parameter=param,
                                   value=json.dumps(value, ensure_ascii=False),
                                   default=json.dumps(default, ensure_ascii=False)))
    description = workflow.get("description")
    if isinstance(description, dict) and description.get(lang):
        lines.append(str(description[lang]).strip())
    elif configfile:
        comment = []
        for line in config.resolve(configfile).read_text(encoding="utf-8").splitlines():
            if not line.startswith("#"):
                break
            text = line.lstrip("#").strip()
            if text.startswith(("bash ", "Outputs:")):
                continue
            comment.append(text)
        if comment:
            lines.append(i18n.text("report.scenario.comment", lang, comment=" ".join(comment)))
    return lines


def code_version() -> str:
    """``git describe`` of the package, or a checksum of its code when git is unavailable."""
    try:
        described = subprocess.run(["git", "describe", "--always", "--dirty", "--tags"], cwd=config.ROOT,
                                   capture_output=True, text=True, check=True, timeout=20).stdout.strip()
        if described:
            return described
    except (OSError, subprocess.SubprocessError):
        pass
    digest = hashlib.sha256()
    for path in sorted((config.ROOT / "analysis").glob("*.py")):
        digest.update(path.read_bytes())
    return "sha256:" + digest.hexdigest()[:12]


# --- building --------------------------------------------------------------------------------------

def _require_key(key: str, lang: str, where: str) -> str:
    if not i18n.has(key):
        raise ReportBuildError(f"{where}: translation key {key!r} is missing from data/i18n/report.csv")
    return i18n.text(key, lang)


def _notebook_label(output: Output, lang: str) -> str:
    return i18n.text("report.made_by", lang, notebook=f"notebooks/{output.notebook}.ipynb" if output.notebook else output.rule,
                     output=output.path)


def build(root: Path, lang: str = "fr", configfile: str | None = None,
          structure_path: Path = REPORT_CONFIG, workflow_override: dict | None = None) -> Report:
    """The document model of the report from the outputs under ``root``."""
    i18n.check_language(lang)
    structure = load_structure(structure_path)
    workflow = workflow_config(configfile, workflow_override)
    outputs = declared_outputs()
    results = Results(root, lang, reference_year=notebook_parameter(workflow, "01_oecd_procurement", "reference_year"))
    rules = structure.get("column_formats") or []
    row_units = structure.get("row_units") or {}
    source_keys = structure.get("source_keys") or {}
    sections: list[Section] = []
    problems: list[str] = []
    figure_number = table_number = 0
    for number, spec in enumerate(structure["sections"], start=1):
        sid = spec["id"]
        section = Section(sid, number, _require_key(f"report.section.{sid}", lang, f"section {sid!r}"))
        intro_key = f"report.intro.{sid}"
        if i18n.has(intro_key):
            section.blocks.append(Paragraph([i18n.text(intro_key, lang)], "lead"))
        kind = spec.get("kind")
        try:
            if kind == "summary":
                for sentence in findings(results):
                    section.blocks.append(Paragraph(sentence, "bullet"))
            elif kind == "sensitivity":
                for paragraph in sensitivity_answer(results):
                    style = {"• ": "bullet", "¶ ": "p"}.get(paragraph[0] if paragraph else "", "answer")
                    section.blocks.append(Paragraph(paragraph if style == "answer" else paragraph[1:], style))
            elif kind == "data_provenance":
                section.blocks.extend(data_provenance_blocks(lang, results))
            elif kind == "method_notes":
                section.blocks.extend(method_blocks(lang))
            elif kind == "comparison":
                from analysis import report_comparison

                for block in report_comparison.section_blocks(root, lang, workflow.get("scenario", "baseline")):
                    if isinstance(block, Figure):
                        figure_number += 1
                        block.number = figure_number
                    elif isinstance(block, Table):
                        table_number += 1
                        block.number = table_number
                    section.blocks.append(block)
        except ReportBuildError as error:
            problems.append(f"section {sid!r}: {error}")
        for item in spec.get("items") or []:
            where = f"config/report.yaml, section {sid!r}, {'figure' if 'figure' in item else 'table'} {item.get('figure') or item.get('table')!r}"
            try:
                if "figure" in item:
                    figure_number += 1
                    section.blocks.append(_figure(item, figure_number, root, outputs, lang, source_keys, spec, where))
                else:
                    table_number += 1
                    section.blocks.append(_table(item, table_number, results, outputs, lang, rules, row_units,
                                                 source_keys, spec, where))
            except ReportBuildError as error:
                problems.append(str(error))
        sections.append(section)
    if problems:
        raise ReportBuildError("the report cannot be built:\n  " + "\n  ".join(problems))
    return _report(root, lang, configfile, workflow, sections)


def _report(root: Path, lang: str, configfile: str | None, workflow: dict, sections: list[Section]) -> Report:
    return Report(lang=lang, title=i18n.text("report.title", lang), subtitle=i18n.text("report.subtitle", lang),
                  scenario=workflow.get("scenario", "baseline"),
                  scenario_lines=scenario_description(workflow, configfile, lang),
                  version=code_version(), sections=sections, root=Path(root))


def build_header(root: Path, lang: str = "fr", configfile: str | None = None,
                 workflow_override: dict | None = None) -> Report:
    """The report's title, scenario and version without its sections: all the provenance annex
    shows of it (the annex's job runs after the report's, which built and checked the sections)."""
    i18n.check_language(lang)
    return _report(root, lang, configfile, workflow_config(configfile, workflow_override), [])


def _source(item: dict, spec: dict, source_keys: dict, lang: str, where: str) -> str:
    key = item.get("source") or source_keys.get(spec.get("part", ""))
    return _require_key(key, lang, where) if key else ""


def _figure(item, number, root, outputs, lang, source_keys, spec, where) -> Figure:
    name = item["figure"]
    output = outputs.get(("figure", name))
    if output is None:
        raise ReportBuildError(f"{where}: no workflow rule declares figures/{name}.png (workflow/rules/*.smk); "
                               "rename it in config/report.yaml")
    image = Path(root) / output.path
    if not image.exists():
        raise ReportBuildError(f"{where}: {image} does not exist (run the workflow)")
    caption = _require_key(item.get("caption") or f"report.fig.{name}", lang, where)
    return Figure(number, name, f"fig-{name}", image, caption, _source(item, spec, source_keys, lang, where),
                  output.notebook, output.path, output.rule)


def _table(item, number, results: Results, outputs, lang, rules, row_units, source_keys, spec, where) -> Table:
    name = item["table"]
    output = outputs.get(("table", name))
    if output is None:
        raise ReportBuildError(f"{where}: no workflow rule declares tables/{name}.csv (workflow/rules/*.smk); "
                               "rename it in config/report.yaml")
    frame = results.table(name)
    tspec = TableSpec.from_item(item)
    caption = _require_key(item.get("caption") or f"report.tab.{name}", lang, where)
    source = _source(item, spec, source_keys, lang, where)
    if name == "claims":
        return _ledger_table(frame, number, output, caption, source, lang, rules, row_units, tspec, where)
    headers, rows, align, selected = format_frame(frame, tspec, rules, row_units, lang, where)
    note = ""
    if selected > len(rows):
        note = i18n.text("report.table.cut", lang, shown=len(rows), total=selected)
    elif len(frame) > selected:
        note = i18n.text("report.table.selected", lang, shown=selected, total=len(frame))
    return Table(number, name, f"tab-{name}", caption, source, output.notebook, output.path, output.rule,
                 headers, rows, align, note, tspec.landscape)


LEDGER_COLUMNS = ["claim_id", "status", "part", "statement", "slide_value", "computed_value", "unit", "slide",
                  "explanation"]


def _ledger_table(frame, number, output, caption, source, lang, rules, row_units, tspec, where) -> Table:
    missing = [c for c in LEDGER_COLUMNS if c not in frame.columns]
    if missing:
        raise ReportBuildError(f"{where}: the ledger lacks column(s) {missing}")
    tspec.columns = LEDGER_COLUMNS
    tspec.rows = max(len(frame), 1)
    tspec.translate = ["status", "part"]
    tspec.formats = {"slide_value": "auto", "computed_value": "auto", "slide": "int"}
    headers, rows, align, _ = format_frame(frame, tspec, rules, row_units, lang, where)
    return Table(number, "claims", "tab-claims", caption, source, output.notebook, output.path, output.rule,
                 headers, rows, align, "", True, row_anchors=[claim_anchor(c) for c in frame["claim_id"]],
                 status_column=LEDGER_COLUMNS.index("status"), status_values=[str(s) for s in frame["status"]])


# --- data availability and method notes (from the sidecars and the data files) ----------------------

def raw_sidecars() -> list[tuple[Path, dict]]:
    return [(path, errors.safe_load(path.read_text(encoding="utf-8")) or {})
            for path in sorted(config.RAW.rglob("*.meta.yaml"))]


def data_provenance_blocks(lang: str, results: Results) -> list:
    headers = [i18n.text(f"report.data.col.{c}", lang) for c in
               ("file", "title", "producer", "edition", "licence", "accessed", "sha256")]
    rows = []
    for path, meta in raw_sidecars():
        data_file = path.with_name(path.name[: -len(".meta.yaml")])
        licence = meta.get("license") or meta.get("licence") or {}
        rows.append([str(data_file.relative_to(config.ROOT)), str(meta.get("title", "–")), str(meta.get("producer", "–")),
                     str(meta.get("edition", "–")),
                     str(licence.get("name", "–") if isinstance(licence, dict) else licence),
                     str(meta.get("date_accessed", "–")), str(meta.get("sha256", "–"))[:12] + "…"])
    table = Table(0, "raw_data", "tab-raw-data", i18n.text("report.data.caption", lang), i18n.text("report.data.source", lang),
                  "", "data/raw/**/*.meta.yaml", "check_raw_file", headers, rows, ["l"] * len(headers), "", True)
    return [Paragraph([i18n.text("report.data.text", lang)]), table,
            Paragraph([i18n.text("report.data.limits", lang)])]


def method_blocks(lang: str) -> list:
    blocks = []
    n = 1
    while i18n.has(f"report.method.{n}"):
        blocks.append(Paragraph([i18n.text(f"report.method.{n}", lang)]))
        n += 1
    return blocks


# --- command line ----------------------------------------------------------------------------------

FORMATS = ("html", "pdf", "docx", "xlsx", "provenance")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output-dir", default="reports", help="output root (reports/ or reports/scenarios/NAME)")
    parser.add_argument("--lang", default=i18n.DEFAULT_LANGUAGE, choices=i18n.LANGUAGES)
    parser.add_argument("--configfile", default=None, help="the scenario's configuration file, if any")
    parser.add_argument("--workflow-config", default=None,
                        help="JSON: the workflow's scenario name and notebook parameters (given by the rule)")
    parser.add_argument("--only", nargs="*", choices=FORMATS, default=list(FORMATS))
    args = parser.parse_args(argv)
    root = config.resolve(args.output_dir)
    from analysis import report_render

    try:
        override = json.loads(args.workflow_config) if args.workflow_config else None
        builder = build_header if set(args.only) == {"provenance"} else build
        report = builder(root, args.lang, args.configfile, workflow_override=override)
        for fmt in args.only:
            written = report_render.write(report, fmt, root / OUTPUT_NAMES[args.lang][fmt])
            print(f"[report] {fmt}: {written.relative_to(config.ROOT) if written.is_relative_to(config.ROOT) else written}")
    except ReportBuildError as error:
        print(f"report: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
