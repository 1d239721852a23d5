"""One error style for every input of the package, and the checks every loader shares.

Every problem found in an input file is one line::

    <file>: <row or entry>: <column or field>: <what is wrong> (value found: <v>; allowed: <a>)

for instance ``data/market/inputs.csv: row 7: column 'value': percentage above 100 (value found:
140; allowed: 0 to 100)``. A loader collects every problem of a file and raises one
:class:`InputError` listing them all (one line per problem, never one per column for a check on a
whole row). This module also turns the ways a file can fail before its content is even read into
that form: an empty file, a file that is not UTF-8 (Windows-1252 from a spreadsheet), a byte-order
mark, a YAML syntax error, a key given twice. :func:`load_yaml` reads YAML with YAML 1.2 numbers
(``1.0e300`` is a float, not the string PyYAML's YAML 1.1 rules make of it).

The unit-aware check (:func:`unit_problem`) knows what a unit allows: every number is finite; a
count or an amount (``count``, ``eur``, ``usd``) is non-negative; a ``percent`` is in [0, 100]; a
``share`` is in [0, 1]; a ``probability`` likewise; an ``open_unit`` (e.g. a prediction alpha) is
in (0, 1). :func:`unit_kind` maps the free-text units of the data files (``%``, ``% of GDP``,
``EUR per pupil``, ``share of list price``, ``pupils``) to those kinds.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import yaml

_NOTHING = object()

#: At most this many problems are printed per file (the count of the rest is given).
MAX_REPORTED_PROBLEMS = 50


def shown_path(path: str | os.PathLike) -> str:
    """``path`` relative to the project root when inside it, as given otherwise."""
    from analysis.config import ROOT

    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def _show_value(value) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "infinity" if value > 0 else "-infinity"
        return f"{value:g}"
    if hasattr(value, "item"):
        return _show_value(value.item())
    if isinstance(value, str):
        return repr(value if len(value) <= 80 else value[:77] + "...")
    return repr(value)


def format_problem(source: str, where: str, field: str, what: str, found=_NOTHING,
                   allowed: str | Iterable | None = None) -> str:
    """The one-line form of a problem: ``file: where: field: what (value found: v; allowed: a)``.

    ``where`` is the row (``row 7``, the line of the file, header = line 1) or the entry
    (``entry profiles/2``, ``variant V3``); ``whole file`` for a problem of the file itself.
    ``field`` is the column (``column 'value'``) or the field (``field weights/cost``).
    ``allowed`` is a text or the allowed values, listed by name."""
    details = []
    if found is not _NOTHING:
        details.append(f"value found: {_show_value(found)}")
    if allowed is not None:
        if not isinstance(allowed, str):
            allowed = ", ".join(str(a) for a in allowed)
        details.append(f"allowed: {allowed}")
    suffix = f" ({'; '.join(details)})" if details else ""
    return f"{source}: {where}: {field}: {what}{suffix}"


@dataclass(frozen=True)
class Problem:
    """One problem of an input file (see :func:`format_problem`)."""

    where: str
    field: str
    what: str
    found: object = _NOTHING
    allowed: str | None = None

    def line(self, source: str) -> str:
        return format_problem(source, self.where, self.field, self.what, self.found, self.allowed)


class InputError(ValueError):
    """One or more problems of one input file; the message has one line per problem."""

    def __init__(self, source: str | os.PathLike, problems: list[Problem]):
        self.source = str(source)
        self.problems = list(problems)
        lines = [p.line(self.source) for p in self.problems[:MAX_REPORTED_PROBLEMS]]
        if len(self.problems) > MAX_REPORTED_PROBLEMS:
            lines.append(f"{self.source}: ... and {len(self.problems) - MAX_REPORTED_PROBLEMS} more problem(s)")
        super().__init__("\n".join(lines))


def file_problem(source: str, what: str, found=_NOTHING, allowed=None) -> InputError:
    """An :class:`InputError` about the whole file."""
    return InputError(source, [Problem("whole file", "(file)", what, found, allowed)])


# --------------------------------------------------------------------------------------------
# Reading a text file: existence, emptiness, encoding, byte-order mark
# --------------------------------------------------------------------------------------------

UTF8_BOM = b"\xef\xbb\xbf"


def read_text_checked(path: str | os.PathLike, source: str | None = None) -> str:
    """The text of ``path`` as UTF-8; a missing, empty, non-UTF-8 or BOM-prefixed file raises
    :class:`InputError` naming the file and, for an encoding error, the line and column."""
    path = Path(path)
    source = source or shown_path(path)
    if not path.exists():
        raise FileNotFoundError(format_problem(source, "whole file", "(file)", "file not found"))
    if path.is_dir():
        raise file_problem(source, "is a folder, not a file")
    data = path.read_bytes()
    if data.startswith(UTF8_BOM):
        raise InputError(source, [Problem("line 1", "(encoding)", "the file starts with a byte-order mark (BOM)",
                                          found="EF BB BF", allowed="UTF-8 without BOM; re-save the file "
                                          "as 'UTF-8' (not 'UTF-8 with BOM')")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        byte = data[error.start:error.start + 1].hex().upper()
        raise InputError(source, [Problem(f"line {line}", f"character {column}", "not valid UTF-8 (the file "
                                          "looks saved in another encoding, e.g. Windows-1252 by a spreadsheet)",
                                          found=f"byte 0x{byte}", allowed="UTF-8 text")]) from None
    if not text.strip():
        raise file_problem(source, "the file is empty")
    return text


# --------------------------------------------------------------------------------------------
# YAML: YAML 1.2 numbers, syntax errors and duplicate keys in the one error form
# --------------------------------------------------------------------------------------------

#: yaml.safe_load's loader with libyaml's parser (C) where PyYAML was built with it: the same
#: documents about ten times faster (the report reads some seventy YAML files).
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str):
    """``yaml.safe_load(text)``, parsed by libyaml where available (same result, same errors raised
    as ``yaml.YAMLError``). For the package's own configuration files; data files the user edits go
    through :func:`load_yaml`, whose errors name line and column in the package's one form."""
    return yaml.load(text, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader


class _StrictLoader(_SAFE_LOADER):
    """SafeLoader with YAML 1.2 floats (``1e300``, ``1.0e300``) and duplicate keys refused; libyaml's
    parser where PyYAML has it (about ten times faster; its syntax errors are worded by libyaml, at
    the same line and column)."""


# PyYAML implements YAML 1.1, whose float pattern needs a dot and a signed exponent: `1.0e300`
# and `1e5` come back as strings. The YAML 1.2 core schema pattern fixes that.
_StrictLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:float"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
                |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
                |\.[0-9_]+(?:[eE][-+]?[0-9]+)?
                |[-+]?\.(?:inf|Inf|INF)
                |\.(?:nan|NaN|NAN))$""", re.X),
    list("-+0123456789."),
)


class DuplicateKeyError(yaml.constructor.ConstructorError):
    pass


def _construct_mapping_without_duplicates(loader, node, deep=False):
    seen = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise DuplicateKeyError(None, None, f"key {key!r} given twice (first on line {seen[key] + 1})",
                                    key_node.start_mark)
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping_without_duplicates)


class YAMLInputError(InputError, yaml.YAMLError):
    """A YAML file that cannot be read (syntax error, duplicate key, encoding)."""


def parse_yaml(text: str, source: str):
    """Parse YAML ``text``; a syntax error or a duplicate key raises :class:`YAMLInputError`
    naming the line and column."""
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}" if mark else "whole file"
        field = f"character {mark.column + 1}" if mark else "(syntax)"
        what = error.problem or error.context or "not readable YAML"
        if not isinstance(error, DuplicateKeyError):
            what = f"YAML syntax error: {what}" + (f" ({error.context})" if error.context and error.problem else "")
        raise YAMLInputError(source, [Problem(where, field, what)]) from None
    except yaml.YAMLError as error:
        raise YAMLInputError(source, [Problem("whole file", "(syntax)", f"YAML syntax error: {error}")]) from None


def load_yaml(path: str | os.PathLike, source: str | None = None, mapping: bool = True):
    """Read a YAML file: UTF-8 without BOM, not empty, valid syntax, no duplicate key, YAML 1.2
    numbers; with ``mapping`` the document must be a mapping. Every failure is an
    :class:`InputError` (a :class:`YAMLInputError` for YAML problems)."""
    source = source or shown_path(path)
    try:
        text = read_text_checked(path, source)
    except InputError as error:
        raise YAMLInputError(source, error.problems) from None
    document = parse_yaml(text, source)
    if mapping and not isinstance(document, dict):
        raise YAMLInputError(source, [Problem("whole file", "(top level)", "the file must hold a mapping "
                                              "(key: value lines)", found=type(document).__name__)])
    return document


# --------------------------------------------------------------------------------------------
# Finite numbers and units
# --------------------------------------------------------------------------------------------

def nonfinite_fields(document, path: tuple = ()) -> list[tuple[str, float]]:
    """Every NaN or infinite number in a parsed document, as ``(field path, value)`` pairs.
    JSON Schema comparisons are false for NaN, so ``minimum``/``maximum`` never refuse it."""
    found = []
    if isinstance(document, float) and not math.isfinite(document):
        found.append(("/".join(str(p) for p in path) or "(top level)", document))
    elif isinstance(document, dict):
        for key, value in document.items():
            found.extend(nonfinite_fields(value, path + (key,)))
    elif isinstance(document, (list, tuple)):
        for i, value in enumerate(document):
            found.extend(nonfinite_fields(value, path + (i,)))
    return found


def absurd_fields(document, path: tuple = ()) -> list[tuple[str, float]]:
    """Every finite number above :data:`ABSURD` in absolute value (a typo such as ``1.0e300``)."""
    found = []
    if isinstance(document, (int, float)) and not isinstance(document, bool):
        if math.isfinite(document) and abs(document) > ABSURD:
            found.append(("/".join(str(p) for p in path) or "(top level)", document))
    elif isinstance(document, dict):
        for key, value in document.items():
            found.extend(absurd_fields(value, path + (key,)))
    elif isinstance(document, (list, tuple)):
        for i, value in enumerate(document):
            found.extend(absurd_fields(value, path + (i,)))
    return found


#: What each unit kind allows: (lowest, highest, lowest included, highest included).
UNIT_RANGES = {
    "number": (-math.inf, math.inf, True, True),
    "count": (0, math.inf, True, True),
    "eur": (0, math.inf, True, True),
    "usd": (0, math.inf, True, True),
    "amount": (0, math.inf, True, True),
    "ratio": (0, math.inf, True, True),
    "years": (0, math.inf, True, True),
    "percent": (0, 100, True, True),
    "share": (0, 1, True, True),
    "probability": (0, 1, True, True),
    "open_unit": (0, 1, False, False),
}

#: Values above this are refused as absurd whatever the unit (a typo of the order of 1e300).
ABSURD = 1e15


def unit_kind(unit: str) -> str:
    """The kind of a free-text unit of the data files (``%`` -> percent, ``share of ...`` ->
    share, ``EUR ...`` -> eur, ``pupils`` -> count, ...); ``number`` when unknown."""
    text = str(unit).strip().lower()
    if text in UNIT_RANGES:
        return text
    if text.startswith("%") or text.startswith("percent") or text.startswith("pct"):
        return "percent"
    if text.startswith("share") or text.startswith("fraction") or text.startswith("part "):
        return "share"
    if text.startswith("probability"):
        return "probability"
    if re.search(r"\b(eur|euros?|€|m eur|bn eur|k eur)\b", text) or "eur " in text or text.endswith("eur"):
        return "eur"
    if re.search(r"\b(usd|\$)\b", text):
        return "usd"
    if text.startswith("ratio") or text.startswith("factor") or text.startswith("multiplier"):
        return "ratio"
    if re.match(r"^(years?|months?|days?)\b", text):
        return "years"
    if re.match(r"^(firms?|pupils?|schools?|teachers?|procedures?|orders?|lots?|suppliers?|authorities|"
                r"products?|groups?|count|number of)\b", text):
        return "count"
    if text.startswith("per "):  # a rate (hazard per year)
        return "ratio"
    return "number"


def _allowed_text(kind: str) -> str:
    low, high, low_in, high_in = UNIT_RANGES[kind]
    if math.isinf(low) and math.isinf(high):
        return "a finite number"
    if math.isinf(high):
        return f"a finite number >= {low:g}" if low_in else f"a finite number > {low:g}"
    left, right = "[" if low_in else "(", "]" if high_in else ")"
    return f"{left}{low:g}, {high:g}{right}"


def unit_problem(value, unit: str) -> tuple[str, str] | None:
    """``None`` if ``value`` is allowed for ``unit`` (a unit kind or a free-text unit), else
    ``(what is wrong, what is allowed)``. Missing values are the caller's business (``None``
    passes); NaN and infinities never pass."""
    if value is None:
        return None
    kind = unit_kind(unit)
    if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "__float__"):
        return "not a number", _allowed_text(kind)
    number = float(value)
    if math.isnan(number):
        return "not a number (NaN)", _allowed_text(kind)
    if math.isinf(number):
        return "infinite value", _allowed_text(kind)
    if abs(number) > ABSURD:
        return f"absurdly large value for {kind} (above {ABSURD:g})", _allowed_text(kind)
    low, high, low_in, high_in = UNIT_RANGES[kind]
    below = number < low if low_in else number <= low
    above = number > high if high_in else number >= high
    if below:
        what = "negative value" if low == 0 and number < 0 else f"value below the range of a {kind}"
        return what, _allowed_text(kind)
    if above:
        what = {"percent": "percentage above 100", "share": "share above 1",
                "probability": "probability above 1"}.get(kind, f"value above the range of a {kind}")
        return what, _allowed_text(kind)
    return None


def frame_unit_problems(frame, value_columns: Iterable[str], unit_column: str | None = None,
                        unit: str | None = None, header_lines: int = 1, skip=None) -> list[Problem]:
    """Unit-aware check of a table read with ``pd.read_csv``: each value of ``value_columns`` is
    checked against the unit in ``unit_column`` of its row (or the fixed ``unit``). Rows are named
    by their file line (header = line 1). ``skip(row) -> bool`` exempts rows."""
    import pandas as pd

    problems = []
    for position, (_, row) in enumerate(frame.iterrows()):
        if skip is not None and skip(row):
            continue
        row_unit = row[unit_column] if unit_column else unit
        for column in value_columns:
            if column not in frame.columns:
                continue
            value = row[column]
            if value is None or pd.isna(value):  # empty cells: the loader's nullable rules; a
                continue                           # typed NaN is refused by read_csv_validated
            found = unit_problem(value, row_unit)
            if found:
                problems.append(Problem(f"row {position + header_lines + 1}", f"column {column!r}",
                                        f"{found[0]} for unit {row_unit!r}", found=value, allowed=found[1]))
    return problems


def mapping_unit_problems(document, units: dict[str, str], where: str = "whole file") -> list[Problem]:
    """Unit-aware check of fields of a parsed YAML document: ``units`` maps a field path
    (``mechanism/national_share``; ``*`` matches any key) to a unit."""
    problems = []
    for pattern, unit in units.items():
        for field, value in _select(document, pattern.split("/")):
            if value is None:
                continue
            found = unit_problem(value, unit)
            if found:
                problems.append(Problem(where, f"field {field}", found[0], found=value, allowed=found[1]))
    return problems


def _select(document, parts, prefix=()):
    if not parts:
        yield "/".join(str(p) for p in prefix), document
        return
    head, rest = parts[0], parts[1:]
    if isinstance(document, dict):
        keys = list(document) if head == "*" else ([head] if head in document else [])
        for key in keys:
            yield from _select(document[key], rest, prefix + (key,))
    elif isinstance(document, list) and (head == "*" or head.isdigit()):
        indices = range(len(document)) if head == "*" else [int(head)] if int(head) < len(document) else []
        for i in indices:
            yield from _select(document[i], rest, prefix + (i,))
