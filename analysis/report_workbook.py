"""The study's workbook (``etude.xlsx``): a README sheet, one sheet per output table (headers for a
reader, with units), the claims ledger, and an Inputs sheet listing every assumption with its
value, range and source (market inputs, model parameters, qualitative scores, weights, the
self-diagnostic's method)."""

from __future__ import annotations

import io as _io
import re
import zipfile
from pathlib import Path

import pandas as pd

from analysis import config, errors, i18n
from analysis.io import atomic_path
from analysis.report_format import header, is_missing
from analysis.report_outputs import declared_outputs

MAX_SHEET_NAME = 31


def _sheet_name(number: int, name: str) -> str:
    return f"T{number:02d} {name}"[:MAX_SHEET_NAME]


def inputs_table(lang: str) -> pd.DataFrame:
    """Every stated input of the study: one row per value, with its range and source."""
    rows = []
    market = pd.read_csv(config.DATA / "market" / "inputs.csv")
    for _, r in market.iterrows():
        rows.append({"group": "data/market/inputs.csv", "id": r["id"], "label": r.get("label_fr"), "value": r["value"],
                     "low": r.get("low"), "high": r.get("high"), "distribution": r.get("distribution"),
                     "unit": r.get("unit"), "source": r.get("source"), "note": r.get("range_source")})
    params = pd.read_csv(config.DATA / "variants" / "model_parameters.csv")
    for _, r in params.iterrows():
        rows.append({"group": "data/variants/model_parameters.csv", "id": r["name"], "label": r.get("label_fr"),
                     "value": r["value"], "low": r.get("low"), "high": r.get("high"),
                     "distribution": r.get("distribution"), "unit": r.get("unit"), "source": r.get("source"),
                     "note": r.get("note")})
    scores = pd.read_csv(config.DATA / "variants" / "qualitative_scores.csv")
    for _, r in scores.iterrows():
        rows.append({"group": "data/variants/qualitative_scores.csv", "id": f"{r['variant_id']}:{r['criterion']}",
                     "label": r["criterion"], "value": r.get("most_likely"), "low": r.get("low"), "high": r.get("high"),
                     "distribution": "", "unit": "0–10", "source": r.get("evidence"), "note": r.get("rationale")})
    profiles = errors.safe_load((config.DATA / "variants" / "weight_profiles.yaml").read_text(encoding="utf-8")) or {}
    for profile in profiles.get("profiles") or []:
        for criterion, weight in (profile.get("weights") or {}).items():
            rows.append({"group": "data/variants/weight_profiles.yaml", "id": f"{profile['id']}:{criterion}",
                         "label": f"{profile.get('name_fr', profile['id'])} – {criterion}", "value": weight,
                         "low": None, "high": None, "distribution": "", "unit": "points / 100",
                         "source": profile.get("source"), "note": " ".join(str(profile.get("rationale", "")).split())})
    method = errors.safe_load((config.DATA / "diagnostic" / "method.yaml").read_text(encoding="utf-8")) or {}

    def walk(node, path):
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{path}.{key}" if path else str(key))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{path}[{i}]")
        elif isinstance(node, (int, float)) and not isinstance(node, bool):
            rows.append({"group": "data/diagnostic/method.yaml", "id": path, "label": path, "value": node,
                         "low": None, "high": None, "distribution": "", "unit": "",
                         "source": "assumption (data/diagnostic/method.yaml)", "note": ""})

    walk(method, "")
    return pd.DataFrame(rows)


def unit_suffix(column: str, rules: list[dict], shown: str) -> str:
    """The unit of a column's raw values in the workbook (the report shows them formatted)."""
    from analysis.report_format import column_format

    fmt = column_format(column, rules)
    if fmt == "meur":
        return " (€)"
    if fmt in ("share", "share0"):
        return " (0–1)"
    if fmt in ("pct", "pct0") and "%" not in shown:
        return " (%)"
    return ""


def _cell(value):
    if is_missing(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def _write_frame(sheet, frame: pd.DataFrame, headers: list[str], bold, fill, wrap_columns=()):
    from openpyxl.utils import get_column_letter

    sheet.append(headers)
    for cell in sheet[1]:
        cell.font, cell.fill = bold, fill
    for record in frame.itertuples(index=False):
        sheet.append([_cell(v) for v in record])
    sheet.freeze_panes = "A2"
    for j, column in enumerate(frame.columns, start=1):
        lengths = [len(str(headers[j - 1]))] + [len(str(v)) for v in frame[column].head(200) if not is_missing(v)]
        sheet.column_dimensions[get_column_letter(j)].width = max(8, min(60, max(lengths) + 2))
        if pd.api.types.is_float_dtype(frame[column]):
            big = frame[column].abs().max()
            fmt = "#,##0" if not is_missing(big) and big >= 1000 else "0.000"
            for row in sheet.iter_rows(min_row=2, min_col=j, max_col=j):
                row[0].number_format = fmt


def write_workbook(report, destination: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    lang = report.lang
    root = report.root
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="EEF1F5")
    book = Workbook()
    readme = book.active
    readme.title = "README"
    readme.append([report.title])
    readme["A1"].font = Font(bold=True, size=14)
    readme.append([report.subtitle])
    for line in report.scenario_lines:
        readme.append([line])
    readme.append([report.t("report.version", version=report.version)])
    readme.append([])
    columns = [i18n.text(f"report.xlsx.col.{c}", lang) for c in ("sheet", "content", "file", "notebook", "rule")]
    readme.append(columns)
    for cell in readme[readme.max_row]:
        cell.font, cell.fill = bold, fill
    captions = {t.name: t.caption for t in report.tables}
    readme.append(["Inputs", i18n.text("report.xlsx.inputs", lang), "data/market/inputs.csv, data/variants/*, data/diagnostic/method.yaml", "", ""])
    outputs = declared_outputs()
    in_report = [t.name for t in report.tables]
    tables = sorted((o for (kind, _), o in outputs.items() if kind == "table"),
                    key=lambda o: (in_report.index(o.name) if o.name in in_report else len(in_report), o.notebook, o.path))
    sheets = []
    for number, output in enumerate(tables, start=1):
        path = root / output.path
        if not path.exists():
            continue
        name = "Claims" if output.name == "claims" else _sheet_name(number, output.name)
        caption = captions.get(output.name) or (i18n.text(f"report.tab.{output.name}", lang)
                                                if i18n.has(f"report.tab.{output.name}") else output.name)
        readme.append([name, caption, output.path, f"notebooks/{output.notebook}.ipynb" if output.notebook else "", output.rule])
        sheets.append((name, path))
    from analysis import report_comparison

    comparison_sheets = report_comparison.workbook_frames(root, lang)
    for name, description, _ in comparison_sheets:
        readme.append([name, description, f"{report_comparison.SUBDIR}/", "", "python -m analysis.compare"])
    readme.column_dimensions["A"].width = 32
    readme.column_dimensions["B"].width = 90
    readme.column_dimensions["C"].width = 48
    readme.column_dimensions["D"].width = 36
    for row in readme.iter_rows(min_row=1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    from analysis.report import load_structure

    rules = load_structure().get("column_formats") or []
    inputs = inputs_table(lang)
    sheet = book.create_sheet("Inputs")
    _write_frame(sheet, inputs, [i18n.text(f"report.xlsx.inputs.{c}", lang) for c in inputs.columns], bold, fill)
    for name, path in sheets:
        frame = pd.read_csv(path)
        sheet = book.create_sheet(name)
        _write_frame(sheet, frame, [header(c, lang) + unit_suffix(c, rules, header(c, lang)) for c in frame.columns],
                     bold, fill)
    for name, _, frame in comparison_sheets:
        _write_frame(book.create_sheet(name), frame, [str(c) for c in frame.columns], bold, fill)
    buffer = _io.BytesIO()
    book.properties.creator = "edtech-procurement"
    import datetime as dt

    book.properties.created = book.properties.modified = dt.datetime(2026, 1, 13)
    book.save(buffer)
    with atomic_path(destination) as tmp:
        tmp.write_bytes(_normalise_zip(buffer.getvalue()))
    return Path(destination)


def _normalise_zip(data: bytes) -> bytes:
    source = zipfile.ZipFile(_io.BytesIO(data))
    out = _io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 13, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the time of saving
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>2026-01-13T00:00:00Z\g<2>", data)
            target.writestr(fixed, data)
    return out.getvalue()
