"""Schema validation of data tables, with errors that name the file, the row and the column.

Column schemas are written with pandera (types, ranges, allowed codes). :func:`validate` runs a
schema lazily (every failure collected), then raises :class:`DataValidationError` whose message
lists, per failure, the file, the line of the file (header = line 1), the column and the value.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaError, SchemaErrors

from analysis.errors import (_NOTHING, ABSURD, InputError, Problem, absurd_fields, nonfinite_fields,
                             read_text_checked)

MAX_REPORTED_FAILURES = 50


class DataValidationError(InputError):
    """A data file does not match its schema. ``failures`` lists dicts (line, column, check, value
    and optionally allowed); the message has one line per failure in the package's error form
    (:func:`analysis.errors.format_problem`): ``file: row N: column 'c': what (value found: v; allowed: a)``.
    A failure with ``line`` None concerns the whole file; a failure with ``column`` ``(row)``
    is a check on the whole row (reported once, not once per column)."""

    def __init__(self, source: str, failures: list[dict]):
        self.failures = failures
        problems = []
        for failure in failures:
            where = f"row {failure['line']}" if failure.get("line") is not None else "whole file"
            column = failure.get("column")
            field = "(row)" if column in (None, "(row)") else "(file)" if column in ("(table)", "(file)") \
                else f"column {column!r}"
            found = failure["value"] if failure.get("value") is not None else _NOTHING
            problems.append(Problem(where, field, str(failure.get("what") or failure["check"]), found,
                                    failure.get("allowed")))
        super().__init__(source, problems)

    @classmethod
    def from_problems(cls, source: str, problems: list[Problem]) -> "DataValidationError":
        error = cls.__new__(cls)
        error.failures = [_failure(p) for p in problems]
        InputError.__init__(error, source, problems)
        return error


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


_CHECK_WORDING = [  # (pattern of pandera's check text, what is wrong, what is allowed)
    (r"^greater_than_or_equal_to\((.*)\)$", "value below the minimum", ">= {0}"),
    (r"^greater_than\((.*)\)$", "value not above the minimum", "> {0}"),
    (r"^less_than_or_equal_to\((.*)\)$", "value above the maximum", "<= {0}"),
    (r"^less_than\((.*)\)$", "value not below the maximum", "< {0}"),
    (r"^in_range\((.*), (.*)\)$", "value out of range", "{0} to {1}"),
    (r"^str_matches\('?(.*?)'?\)$", "text does not match the expected form", "text matching {0}"),
    (r"^str_startswith\('?(.*?)'?\)$", "text does not start as expected", "text starting with {0!r}"),
    (r"^str_length\((.*)\)$", "text of the wrong length", "length {0}"),
    (r"^coerce_dtype\('(.*)'\)$", "wrong type: cannot be read as {0}", "a value of type {0}"),
    (r"^dtype\('(.*)'\)$", "wrong type", "type {0}"),
    (r"^not_nullable$", "value is missing", "a value (the column may not be empty)"),
    (r"^field_uniqueness$", "duplicate value (the column is a key)", "each value once"),
]


def _wording(check: str, allowed_values=None) -> tuple[str, str | None]:
    if check.startswith("isin(") or check == "isin":
        return "unknown code", ", ".join(str(v) for v in allowed_values) if allowed_values else None
    for pattern, what, allowed in _CHECK_WORDING:
        match = re.match(pattern, check)
        if match:
            return what.format(*match.groups()), allowed.format(*match.groups())
    return f"fails check {check}", None


def _allowed_values(schema: pa.DataFrameSchema, column) -> list | None:
    column_schema = schema.columns.get(column) if isinstance(column, str) else None
    for check in getattr(column_schema, "checks", []) or []:
        if check.name == "isin":
            return list(check.statistics.get("allowed_values", []))
    return None


def validate(frame: pd.DataFrame, schema: pa.DataFrameSchema, source: str | os.PathLike,
             header_lines: int = 1) -> pd.DataFrame:
    """Validate ``frame`` against ``schema``; return the validated (coerced) frame.

    ``source`` names the file in the error message (give the path relative to the project root).
    ``frame`` must carry the default RangeIndex of ``pd.read_csv`` so that rows map to lines.
    Every failure is reported; a check on the whole row (a DataFrame-level check, a key made of
    several columns) once per row, not once per column; allowed codes are listed by name.
    """
    source = str(source)
    try:
        return schema.validate(frame, lazy=True)
    except SchemaErrors as errors:
        cases = errors.failure_cases
        failures, seen = [], set()
        coerce_failed = set()
        for case in cases.itertuples(index=False):
            if str(case.check).startswith("coerce_dtype("):
                coerce_failed.add((case.column, case.index))
        for case in cases.itertuples(index=False):
            column = case.column if isinstance(case.column, str) else None
            check = str(case.check)
            line = _line_of(case.index, header_lines)
            value = _describe(case.failure_case)
            allowed = None
            if case.schema_context == "DataFrameSchema" and check == "column_in_dataframe":
                column, value, what = value, None, "required column is missing"
                allowed = "columns " + ", ".join(schema.columns)
            elif case.schema_context == "DataFrameSchema" and check == "column_in_schema":
                column, value, what = value, None, "unexpected column (not in the schema)"
                allowed = "columns " + ", ".join(schema.columns)
                if len(frame.columns) == 1 and any(sep in str(column) for sep in (";", "\t", "|")):
                    what = "unexpected column: the file seems to use another separator than ','"
            elif check.startswith("dtype(") and (case.column, case.index) in coerce_failed:
                continue  # the coercion failure of the same cell says it already
            elif case.schema_context == "DataFrameSchema" and line is not None:
                # a check on whole rows (or a key of several columns): once per row
                key = (line, check)
                if key in seen:
                    continue
                seen.add(key)
                if check == "multiple_fields_uniqueness":
                    names = list(schema.unique or [])
                    what = "duplicate key: another row has the same " + ", ".join(names)
                    row = frame.loc[case.index] if case.index in frame.index else None
                    value = None if row is None else ", ".join(f"{n}={row[n]!r}" for n in names if n in row)
                    allowed = "each key once"
                else:
                    what, allowed = f"row fails check {check}", None
                    value = None
                column = "(row)"
            else:
                what, allowed = _wording(check, _allowed_values(schema, column))
            failures.append({
                "line": line,
                "column": column if column is not None else "(table)",
                "check": check if check not in ("column_in_dataframe", "column_in_schema") else what,
                "what": what,
                "value": value,
                "allowed": allowed,
            })
        if not failures:  # errors without row-level failure cases (e.g. a whole-series check)
            failures = [{"line": None, "column": getattr(error, "column_name", None) or "(table)",
                         "check": str(error).splitlines()[0], "value": None}
                        for error in errors.schema_errors]
        raise DataValidationError(source, failures) from None
    except SchemaError as error:  # pragma: no cover - lazy=True collects into SchemaErrors
        raise DataValidationError(source, [{"line": None, "column": "(table)",
                                            "check": str(error), "value": None}]) from None


#: Texts of a CSV cell that pandas reads as NaN or infinity although they are not empty.
_NONFINITE_TEXTS = {"nan", "-nan", "+nan", "inf", "-inf", "+inf", "infinity", "-infinity", "+infinity",
                    "#n/a", "#num!", "#div/0!", "#value!"}  # not "NA" or "None": they can be codes or text


#: Above this size the field counts are left to pandas (which refuses longer rows) and the
#: NaN/infinity scan is vectorised: the row-by-row scan would cost seconds on the big extracts.
ROW_SCAN_MAX_BYTES = 300_000


def csv_text_problems(text: str, source: str, expected_columns=None) -> list[Problem]:
    """Problems visible in the text of a CSV file before pandas reads it: a header without any
    data row, rows with the wrong number of fields, a separator other than ',', cells that
    spell NaN or infinity (``nan``, ``inf``, ``#N/A``...), which pandas would silently read."""
    import csv
    import io as _io

    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        return [Problem("whole file", "(file)", "the file is empty")]
    header = next(csv.reader([lines[0]]))
    if len(header) == 1 and expected_columns and len(list(expected_columns)) > 1:
        for sep, name in ((";", "';'"), ("\t", "tab"), ("|", "'|'")):
            if sep in header[0]:
                return [Problem("row 1", "(header)", f"the file uses {name} as separator, not ','",
                                found=header[0][:60], allowed="comma-separated values")]
    if not any(line.strip() for line in lines[1:]):
        return [Problem("whole file", "(file)", "header only: the file has no data row",
                        found=",".join(header)[:80])]
    problems = []
    if len(text) <= ROW_SCAN_MAX_BYTES:
        rows = [r for r in csv.reader(_io.StringIO(text)) if r]
        cells = []
        for number, row in enumerate(rows[1:], start=2):
            if len(row) != len(header):
                problems.append(Problem(f"row {number}", "(row)", "wrong number of fields", found=len(row),
                                        allowed=f"{len(header)} fields, as in the header"))
                continue
            cells.extend((number, name, cell) for name, cell in zip(header, row))
    elif any(token in text.lower() for token in ("nan", "inf", "#")):  # cheap test before the scan
        frame = pd.read_csv(_io.StringIO(text), dtype=str, keep_default_na=False, on_bad_lines="skip")
        lowered = frame.apply(lambda column: column.str.strip().str.lower())
        hits = lowered.isin(_NONFINITE_TEXTS)
        cells = [(int(i) + 2, name, frame.at[i, name]) for name in frame.columns for i in frame.index[hits[name]]]
    else:
        cells = []
    for number, name, cell in sorted(cells, key=lambda c: c[0]):
        if cell.strip().lower() in _NONFINITE_TEXTS:
            problems.append(Problem(f"row {number}", f"column {name!r}", "not a finite number or a "
                                    "missing-value code (leave the cell empty if the value is missing)",
                                    found=cell, allowed="a finite number, or an empty cell where allowed"))
    return problems


def read_csv_validated(path: str | os.PathLike, schema: pa.DataFrameSchema, **read_kwargs) -> pd.DataFrame:
    """Read a CSV file and validate it against ``schema``; errors name the file relative to the root.

    The file must exist, be UTF-8 without BOM, not be empty nor header only, use ',' and
    have no cell spelling NaN or infinity; then every schema failure is reported at once."""
    import io as _io

    from analysis.errors import shown_path

    path = Path(path)
    shown = shown_path(path)
    try:
        text = read_text_checked(path, shown)
    except InputError as error:
        raise DataValidationError.from_problems(shown, error.problems) from None
    problems = csv_text_problems(text, shown, expected_columns=schema.columns)
    if problems:
        raise DataValidationError.from_problems(shown, problems)
    try:
        frame = pd.read_csv(_io.StringIO(text), **read_kwargs)
    except (pd.errors.ParserError, ValueError) as error:
        raise DataValidationError(shown, [{"line": None, "column": "(file)", "check": f"not readable as CSV: "
                                           f"{str(error).strip()}", "value": None}]) from None
    return validate(frame, schema, shown)


def _failure(problem: Problem) -> dict:
    line = int(problem.where.split()[1]) if problem.where.startswith("row ") else None
    column = problem.field[len("column "):].strip("'") if problem.field.startswith("column ") else (
        "(row)" if problem.field == "(row)" else "(table)")
    return {"line": line, "column": column, "check": problem.what,
            "value": None if problem.found is _NOTHING else problem.found, "allowed": problem.allowed}


def schema_violations(document, schema: dict) -> list[tuple[str, str]]:
    """Every way ``document`` (parsed YAML/JSON) breaks the JSON Schema ``schema``, as
    ``(where, message)`` pairs in document order. ``where`` is the path to the field
    (``mechanism/contract_years``; ``(top level)`` for the root); for a missing required field it
    ends with the missing field's name, so the message can name it.

    Besides the schema, every number must be finite: JSON Schema comparisons are false for NaN,
    so ``minimum``/``maximum`` would let ``.nan`` through. A field required only by an
    ``if``/``then`` rule is not reported when the field the rule tests is itself missing (a
    missing ``kind`` is reported as a missing ``kind``, not as a missing ``tolerance``)."""
    from analysis.errors import _show_value

    import jsonschema  # here, not at the top: most processes importing this module never need it

    validator = jsonschema.Draft202012Validator(schema)
    errors = list(validator.iter_errors(document))
    missing_at = {}
    for error in errors:
        if error.validator == "required" and "then" not in error.schema_path:
            missing_at.setdefault(tuple(str(p) for p in error.absolute_path), set()).add(error.message)
    violations = []
    for error in sorted(errors, key=lambda e: [str(p) for p in e.absolute_path]):
        path = [str(p) for p in error.absolute_path]
        if error.validator == "required" and "then" in error.schema_path and tuple(path) in missing_at:
            continue
        if error.validator == "required" and "'" in error.message:
            path.append(error.message.split("'")[1])
            message = f"required field is missing ({error.message})"
        else:
            message = error.message
        if not (isinstance(error.instance, float) and error.instance != error.instance):
            violations.append(("/".join(path) or "(top level)", message))
    for where, value in nonfinite_fields(document):
        violations.append((where, f"not a finite number (value found: {_show_value(value)}; allowed: a finite number)"))
    for where, value in absurd_fields(document):
        violations.append((where, f"absurdly large number (value found: {_show_value(value)}; allowed: at most "
                                  f"{ABSURD:g} in absolute value)"))
    return sorted(violations, key=lambda v: v[0].split("/"))


def refuse_real_data_in_tracked(path: str | os.PathLike, kind: str | None = None) -> None:
    """Refuse an input file of kind ``real`` (an authority's real spending, say) that sits in a
    tracked folder of the repository: real files belong in ``data/private/`` (ignored by git,
    see README) or outside the repository. ``kind`` is read from the file's ``kind:`` field when
    not given. Raises :class:`analysis.errors.InputError` naming the file and the field."""
    from analysis import config
    from analysis.errors import load_yaml, shown_path

    path = Path(path).resolve()
    if kind is None:
        document = load_yaml(path, mapping=False)
        kind = document.get("kind") if isinstance(document, dict) else None
    if kind != "real":
        return
    private = (config.DATA / "private").resolve()
    inside_repository = path.is_relative_to(config.ROOT)
    if inside_repository and not path.is_relative_to(private):
        raise InputError(shown_path(path), [Problem(
            "whole file", "field kind", "a file of real data must not sit in a tracked folder of the repository",
            found=kind, allowed=f"kind 'real' only under {shown_path(private)}/ (ignored by git) or outside the "
                                "repository; 'example' or 'synthetic' elsewhere")])
