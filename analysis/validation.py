"""Schema validation of data tables, with errors that name the file, the row and the column.

Column schemas are written with pandera (types, ranges, allowed codes). :func:`validate` runs a
schema lazily (every failure collected), then raises :class:`DataValidationError` whose message
lists, per failure, the file, the line of the file (header = line 1), the column and the value.
"""

from __future__ import annotations

import os
from pathlib import Path

import jsonschema
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaError, SchemaErrors

MAX_REPORTED_FAILURES = 20


class DataValidationError(ValueError):
    """A data file does not match its schema. ``failures`` lists (line, column, check, value)."""

    def __init__(self, source: str, failures: list[dict]):
        self.source = source
        self.failures = failures
        lines = [f"{source}: {len(failures)} problem(s) found"]
        for failure in failures[:MAX_REPORTED_FAILURES]:
            where = f"row {failure['line']}" if failure["line"] is not None else "whole file"
            lines.append(
                f"  - {source}, {where}, column {failure['column']!r}: {failure['check']}"
                + (f" (value: {failure['value']!r})" if failure["value"] is not None else "")
            )
        if len(failures) > MAX_REPORTED_FAILURES:
            lines.append(f"  ... and {len(failures) - MAX_REPORTED_FAILURES} more")
        super().__init__("\n".join(lines))


def _line_of(index_value, header_lines: int):
    """File line of a row: pandas index 0 is the first line after the header."""
    if index_value is None or (isinstance(index_value, float) and pd.isna(index_value)):
        return None
    try:
        return int(index_value) + header_lines + 1
    except (TypeError, ValueError):
        return None


def _describe(value):
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def validate(frame: pd.DataFrame, schema: pa.DataFrameSchema, source: str | os.PathLike,
             header_lines: int = 1) -> pd.DataFrame:
    """Validate ``frame`` against ``schema``; return the validated (coerced) frame.

    ``source`` names the file in the error message (give the path relative to the project root).
    ``frame`` must carry the default RangeIndex of ``pd.read_csv`` so that rows map to lines.
    """
    source = str(source)
    try:
        return schema.validate(frame, lazy=True)
    except SchemaErrors as errors:
        cases = errors.failure_cases
        failures = []
        for case in cases.itertuples(index=False):
            column = case.column if isinstance(case.column, str) else None
            check = str(case.check)
            if check.startswith("isin(") and len(check) > 60:
                check = "value not among the allowed codes (isin)"
            value = _describe(case.failure_case)
            if case.schema_context == "DataFrameSchema" and check == "column_in_dataframe":
                column, value, check = value, None, "required column is missing"
            failures.append({
                "line": _line_of(case.index, header_lines),
                "column": column if column is not None else "(table)",
                "check": check,
                "value": value,
            })
        if not failures:  # errors without row-level failure cases (e.g. a whole-series check)
            failures = [{"line": None, "column": getattr(error, "column_name", None) or "(table)",
                         "check": str(error).splitlines()[0], "value": None}
                        for error in errors.schema_errors]
        raise DataValidationError(source, failures) from None
    except SchemaError as error:  # pragma: no cover - lazy=True collects into SchemaErrors
        raise DataValidationError(source, [{"line": None, "column": "(table)",
                                            "check": str(error), "value": None}]) from None


def read_csv_validated(path: str | os.PathLike, schema: pa.DataFrameSchema, **read_kwargs) -> pd.DataFrame:
    """Read a CSV file and validate it against ``schema``; errors name the file relative to the root."""
    from analysis.config import ROOT

    path = Path(path)
    try:
        shown = path.resolve().relative_to(ROOT)
    except ValueError:
        shown = path
    frame = pd.read_csv(path, **read_kwargs)
    return validate(frame, schema, shown)


def schema_violations(document, schema: dict) -> list[tuple[str, str]]:
    """Every way ``document`` (parsed YAML/JSON) breaks the JSON Schema ``schema``, as
    ``(where, message)`` pairs in document order. ``where`` is the path to the field
    (``mechanism/contract_years``; ``(top level)`` for the root); for a missing required field it
    ends with the missing field's name, so the message can name it."""
    validator = jsonschema.Draft202012Validator(schema)
    violations = []
    for error in sorted(validator.iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path]):
        path = [str(p) for p in error.absolute_path]
        if error.validator == "required" and "'" in error.message:
            path.append(error.message.split("'")[1])
        violations.append(("/".join(path) or "(top level)", error.message))
    return violations
