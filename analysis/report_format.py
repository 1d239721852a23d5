"""Formatting of the workflow's tables for a reader: headers from the translation table, numbers in
the language's format, NaN as an en dash, booleans as oui/non, no index column.

Used by the report (HTML, PDF, Word) and the workbook; the formats are data (config/report.yaml).
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass, field

import pandas as pd

from analysis import i18n

DASH = "–"
IDENTIFIER = re.compile(r"^[A-Za-z0-9_]+$")


class ReportBuildError(RuntimeError):
    """The report cannot be built: a missing output, option or translation (the message says which)."""


def header(column: str, lang: str) -> str:
    """The reader's header of ``column``: ``report.col.<column>``; a column already written for a
    reader (spaces or accents, as in a wide table of practices) is kept as it is."""
    key = f"report.col.{column}"
    if i18n.has(key):
        return i18n.text(key, lang)
    if not IDENTIFIER.match(column):
        return column
    warnings.warn(f"no translation for column {column!r} (add {key} to data/i18n/report.csv)", stacklevel=2)
    return column.replace("_", " ")


def is_missing(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        return bool(pd.isna(value)) if not isinstance(value, (list, tuple, dict)) else False
    except (TypeError, ValueError):
        return False


def _auto_decimals(value: float) -> int:
    magnitude = abs(value)
    if magnitude == 0 or float(value).is_integer() and magnitude >= 1:
        return 0
    if magnitude >= 100:
        return 0
    if magnitude >= 10:
        return 1
    if magnitude >= 1:
        return 2
    return 3


def format_value(value, fmt: str, lang: str) -> str:
    """``value`` as text for a reader, in format ``fmt`` (see config/report.yaml)."""
    if is_missing(value):
        return DASH
    if isinstance(value, (bool,)) or fmt == "yes_no":
        if isinstance(value, str):
            lowered = value.strip().lower()
            if lowered in ("true", "1", "yes", "oui"):
                return i18n.yes_no(True, lang)
            if lowered in ("false", "0", "no", "non"):
                return i18n.yes_no(False, lang)
            return value
        return i18n.yes_no(bool(value), lang)
    if isinstance(value, str):
        if value.strip().lower() in ("true", "false"):
            return i18n.yes_no(value.strip().lower() == "true", lang)
        try:  # a number in a column of mixed values (e.g. an item/value table)
            number = float(value)
        except ValueError:
            return value
        if fmt == "text" or not re.fullmatch(r"\s*-?\d+(\.\d+)?([eE][-+]?\d+)?\s*", value):
            return value
        return format_value(number, "auto" if fmt in ("text", "yes_no") else fmt, lang)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isinf(number):
        return "∞" if number > 0 else "−∞"
    if fmt == "text":
        return str(value)
    if fmt == "int":
        return i18n.number(number, lang, 0)
    if fmt in ("num1", "num2", "num3"):
        return i18n.number(number, lang, int(fmt[-1]))
    if fmt == "pvalue":
        if 0 < number < 0.001:
            return "< " + i18n.number(0.001, lang, 3)
        return i18n.number(number, lang, 3)
    if fmt == "pct":
        return i18n.percent(number, lang, 1)
    if fmt == "pct0":
        return i18n.percent(number, lang, 0)
    if fmt == "share":
        return i18n.percent(100 * number, lang, 1)
    if fmt == "share0":
        return i18n.percent(100 * number, lang, 0)
    if fmt == "meur":
        millions = number / 1e6
        return i18n.money(millions, lang, 0 if abs(millions) >= 100 or millions == 0 else (1 if abs(millions) >= 1 else 2))
    if fmt == "meur_in":
        return i18n.money(number, lang, 0 if abs(number) >= 100 else 1)
    if fmt == "keur":
        return i18n.money(number / 1e3, lang, 0, unit="k€")
    # auto
    return i18n.number(number, lang, _auto_decimals(number))


@dataclass
class TableSpec:
    """How one table is shown (the options of config/report.yaml)."""

    name: str
    columns: list[str] | None = None
    query: str | None = None
    sort: list[str] = field(default_factory=list)
    rows: int = 40
    formats: dict[str, str] = field(default_factory=dict)
    default_format: str | None = None
    row_unit: str | None = None
    translate: list[str] = field(default_factory=list)
    landscape: bool = False

    @classmethod
    def from_item(cls, item: dict) -> "TableSpec":
        known = {"table", "columns", "query", "sort", "rows", "formats", "default_format", "row_unit",
                 "translate", "landscape", "caption", "source"}
        unknown = set(item) - known
        if unknown:
            raise ReportBuildError(f"config/report.yaml: table {item.get('table')!r}: unknown option(s) {sorted(unknown)}")
        return cls(name=item["table"], columns=item.get("columns"), query=item.get("query"),
                   sort=list(item.get("sort") or []), rows=int(item.get("rows", 40)),
                   formats=dict(item.get("formats") or {}), default_format=item.get("default_format"),
                   row_unit=item.get("row_unit"), translate=list(item.get("translate") or []),
                   landscape=bool(item.get("landscape", False)))


def column_format(column: str, rules: list[dict], spec: TableSpec | None = None) -> str:
    if spec and column in spec.formats:
        return spec.formats[column]
    for rule in rules:
        if re.search(rule["pattern"], column):
            return rule["format"]
    if spec and spec.default_format:
        return spec.default_format
    return "auto"


def translate_value(column: str, value, lang: str):
    if is_missing(value):
        return value
    key = f"report.value.{column}.{value}"
    return i18n.text(key, lang) if i18n.has(key) else value


def select_rows(frame: pd.DataFrame, spec: TableSpec, where: str) -> tuple[pd.DataFrame, int]:
    """The rows and columns shown; the number of rows selected before the cut to ``spec.rows``."""
    shown = frame
    if spec.query:
        try:
            shown = shown.query(spec.query)
        except Exception as error:  # noqa: BLE001 - re-raised with the table's name
            raise ReportBuildError(f"{where}: query {spec.query!r} failed: {error}") from error
    if spec.sort:
        keys = [s.lstrip("-") for s in spec.sort]
        missing = [k for k in keys if k not in shown.columns]
        if missing:
            raise ReportBuildError(f"{where}: sort column(s) {missing} not in the table (columns: {list(frame.columns)})")
        shown = shown.sort_values(keys, ascending=[not s.startswith("-") for s in spec.sort], kind="mergesort")
    if spec.columns:
        missing = [c for c in spec.columns if c not in shown.columns]
        if missing:
            raise ReportBuildError(f"{where}: column(s) {missing} not in the table (columns: {list(frame.columns)})")
    selected = len(shown)
    return shown.head(spec.rows), selected


def format_frame(frame: pd.DataFrame, spec: TableSpec, rules: list[dict], row_units: dict[str, str],
                 lang: str, where: str) -> tuple[list[str], list[list[str]], list[str], int]:
    """Headers, text cells, alignments ('l' or 'r') and the number of rows selected."""
    shown, selected = select_rows(frame, spec, where)
    columns = spec.columns or list(frame.columns)
    if spec.row_unit and spec.row_unit not in frame.columns:
        raise ReportBuildError(f"{where}: row_unit column {spec.row_unit!r} not in the table")
    # a column shown translated (codes -> names) may have its own header, report.coltr.<column>
    headers = [i18n.text(f"report.coltr.{c}", lang) if c in spec.translate and i18n.has(f"report.coltr.{c}")
               else header(c, lang) for c in columns]
    formats = {c: column_format(c, rules, spec) for c in columns}
    numeric = {c: pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c]) for c in columns}
    rows = []
    for _, record in shown.iterrows():
        unit_fmt = None
        if spec.row_unit:
            unit_fmt = row_units.get(str(record[spec.row_unit]))
        cells = []
        for c in columns:
            value = record[c]
            if c in spec.translate:
                value = translate_value(c, value, lang)
            fmt = formats[c]
            if unit_fmt and numeric[c] and c not in spec.formats:
                fmt = unit_fmt
            cells.append(format_value(value, fmt, lang))
        rows.append(cells)
    align = ["r" if numeric[c] and formats[c] != "yes_no" else "l" for c in columns]
    return headers, rows, align, selected
