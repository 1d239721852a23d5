"""Territorial digital-dependency self-diagnostic, "TIE Break" (STUDY.md §2.6).

The slides present a self-diagnostic for local authorities in four steps: from an authority's IT
spending by category, (1) measure the dependency in money (EU vs non-EU suppliers), (2) qualify
criticality and risk, (3) estimate the capacity to act (alternatives, contract horizon), (4) rank
priorities. They show one example authority (14 categories, 11.63 M€, 5.60 M€ EU, 6.03 M€ non-EU)
but no scale, weight or threshold. The package runs the diagnostic per authority and in batch.

1. **Raw data.** ``data/raw/slides/tie_break_example_spending.csv``: the example's amounts per
   category and its two zone totals, as printed (schema :data:`TIE_BREAK_SPENDING_SCHEMA`).
2. **Method as data.** ``data/diagnostic/method.yaml``: categories, criticality scale, risk rule
   and classes, capacity scores and weights, priority rule and classes, each with a source or
   ``assumption``. :func:`load_method` checks it against :data:`METHOD_SCHEMA` and the rules
   between fields; errors name the file, the entry and the field.
3. **One file per authority.** ``data/diagnostic/authorities/<id>.yaml``: per category the amount
   (a number, or a reference ``data/raw/<file>.csv#<row id>`` to a raw row), the EU share of the
   spend, the criticality (1-5), the alternatives (none / some / many) and the contract end year,
   each with a source. Stated EU / non-EU totals, when given, are a constraint: the categories must
   add up to them within the stated tolerance. :func:`load_authority` raises
   :class:`DiagnosticError` naming the file, the authority, the category and the field.

The scores (all on [0, 1]; formulas stated in ``method.yaml``):

- non-EU share ``d`` = non-EU spend / spend of the category;
- risk ``r = d × criticality / 5``;
- capacity to act ``a = w_alt × score(alternatives) + w_horizon × score(years to contract end)``;
- priority ``p = r × (1 − a)``; ranks by ``p`` (descending), ties broken by the larger non-EU
  spend, then by the order of the categories in the method.

Scores are rounded to 10 decimals before they are classed or compared, so that ``0.25 × (1 − 0.8)``
reaches a threshold of 0.05 as arithmetic says it does.
"""

from __future__ import annotations

import math
import os
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from analysis import config
from analysis.io import read_yaml
from analysis.errors import InputError
from analysis.validation import read_csv_validated, schema_violations

DIAGNOSTIC_DIR = config.DATA / "diagnostic"
METHOD_FILE = DIAGNOSTIC_DIR / "method.yaml"
AUTHORITIES_DIR = DIAGNOSTIC_DIR / "authorities"
EXAMPLE_SPENDING_RAW = config.RAW / "slides" / "tie_break_example_spending.csv"
EXAMPLE_AUTHORITY = "exemple_tie_break"

ROW_KINDS = ("category", "zone_total")
ZONE_TOTAL_IDS = {"eu_eur": "eu_total", "non_eu_eur": "non_eu_total"}
ALTERNATIVES = ("none", "some", "many")
AUTHORITY_KINDS = ("example", "synthetic", "real")
CRITICALITY_LEVELS = (1, 2, 3, 4, 5)
DECIMALS = 10  # scores are rounded to this many decimals before classing and ranking

RISK_FORMULA = "risk = non_eu_share × criticality / 5"
PRIORITY_FORMULA = "priority = risk × (1 − capacity)"

EU_COLOUR = "#29a36a"       # green: spend with EU suppliers
NON_EU_COLOUR = "#e4572e"   # orange-red: spend outside the EU (the dependency)

# --------------------------------------------------------------------------------------------
# 1. The raw table of the slides
# --------------------------------------------------------------------------------------------


def _printed_amount_matches(frame: pd.DataFrame) -> pd.Series:
    digits = frame["printed_text"].astype(str).str.replace(r"\D", "", regex=True)
    return pd.to_numeric(digits, errors="coerce") == frame["amount_eur"]


TIE_BREAK_SPENDING_SCHEMA = pa.DataFrameSchema(
    {
        "row_id": pa.Column(str, pa.Check.str_matches(r"^[a-z][a-z0-9_]*$"), unique=True),
        "row_kind": pa.Column(str, pa.Check.isin(ROW_KINDS)),
        "label_as_printed": pa.Column(str, pa.Check.str_length(min_value=2)),
        "amount_eur": pa.Column(float, pa.Check.gt(0)),
        "printed_text": pa.Column(str, pa.Check.str_length(min_value=3)),
        "location": pa.Column(str, pa.Check.str_startswith("Slide ")),
    },
    checks=[
        pa.Check(lambda df: (df["row_kind"] != "zone_total") | df["row_id"].isin(list(ZONE_TOTAL_IDS.values())),
                 name="zone_total rows are eu_total or non_eu_total"),
        pa.Check(_printed_amount_matches, name="amount_eur equals the digits of printed_text"),
    ],
    coerce=True,
    strict=True,
)


def read_spending(path: str | os.PathLike = EXAMPLE_SPENDING_RAW) -> pd.DataFrame:
    """Read a TIE Break spending table (schema-checked; errors name file, row and column)."""
    return read_csv_validated(config.resolve(path), TIE_BREAK_SPENDING_SCHEMA)


def slide_figures(raw: pd.DataFrame) -> dict[str, float]:
    """The slides' figures recomputed from the raw table: number and sum of the categories, the two
    zone totals, their sum and the non-EU share of it (%)."""
    categories = raw[raw["row_kind"] == "category"]
    zones = raw[raw["row_kind"] == "zone_total"].set_index("row_id")["amount_eur"]
    eu, non_eu = float(zones["eu_total"]), float(zones["non_eu_total"])
    return {
        "n_categories": int(len(categories)),
        "categories_sum_eur": float(categories["amount_eur"].sum()),
        "eu_eur": eu,
        "non_eu_eur": non_eu,
        "zones_sum_eur": eu + non_eu,
        "non_eu_share_pct": 100 * non_eu / (eu + non_eu),
    }


# --------------------------------------------------------------------------------------------
# 2. The method (data/diagnostic/method.yaml)
# --------------------------------------------------------------------------------------------

_ID = r"^[a-z][a-z0-9_]*$"
#: A source: a citation (at least 12 characters), or ``assumption: <rationale of 20+ characters>``.
SOURCE_SCHEMA = {"type": "string", "minLength": 12,
                 "if": {"pattern": "^assumption"}, "then": {"pattern": "^assumption[^:]*: .{20,}"}}
_CLASSES = {
    "type": "array", "minItems": 2,
    "items": {"type": "object", "required": ["id", "label_fr", "min", "source"], "additionalProperties": False,
              "properties": {"id": {"type": "string", "pattern": _ID}, "label_fr": {"type": "string", "minLength": 2},
                             "min": {"type": "number", "minimum": 0, "maximum": 1}, "source": SOURCE_SCHEMA}},
}
_SCORE = {"type": "number", "minimum": 0, "maximum": 1}

METHOD_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["id", "steps_source", "categories", "dependency", "criticality", "risk", "capacity", "priority"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "pattern": _ID},
        "steps_source": SOURCE_SCHEMA,
        "categories": {
            "type": "array", "minItems": 1,
            "items": {"type": "object", "required": ["id", "label_fr", "source"], "additionalProperties": False,
                      "properties": {"id": {"type": "string", "pattern": _ID},
                                     "label_fr": {"type": "string", "minLength": 2}, "source": SOURCE_SCHEMA}},
        },
        "dependency": {"type": "object", "required": ["definition", "source"], "additionalProperties": False,
                       "properties": {"definition": {"type": "string", "minLength": 20}, "source": SOURCE_SCHEMA}},
        "criticality": {
            "type": "object", "required": ["levels", "critical_from", "critical_from_source"], "additionalProperties": False,
            "properties": {
                "levels": {"type": "array", "items": {
                    "type": "object", "required": ["level", "label_fr", "description", "source"], "additionalProperties": False,
                    "properties": {"level": {"type": "integer", "minimum": 1, "maximum": 5},
                                   "label_fr": {"type": "string", "minLength": 2},
                                   "description": {"type": "string", "minLength": 10}, "source": SOURCE_SCHEMA}}},
                "critical_from": {"type": "integer", "minimum": 1, "maximum": 5},
                "critical_from_source": SOURCE_SCHEMA,
            },
        },
        "risk": {"type": "object", "required": ["formula", "source", "classes"], "additionalProperties": False,
                 "properties": {"formula": {"const": RISK_FORMULA}, "source": SOURCE_SCHEMA, "classes": _CLASSES}},
        "capacity": {
            "type": "object", "required": ["alternatives", "contract_horizon", "weights", "classes"],
            "additionalProperties": False,
            "properties": {
                "alternatives": {"type": "array", "items": {
                    "type": "object", "required": ["id", "label_fr", "score", "source"], "additionalProperties": False,
                    "properties": {"id": {"enum": list(ALTERNATIVES)}, "label_fr": {"type": "string", "minLength": 2},
                                   "score": _SCORE, "source": SOURCE_SCHEMA}}},
                "contract_horizon": {"type": "array", "minItems": 1, "items": {
                    "type": "object", "required": ["max_years", "label_fr", "score", "source"], "additionalProperties": False,
                    "properties": {"max_years": {"type": ["integer", "null"], "minimum": 0},
                                   "label_fr": {"type": "string", "minLength": 2}, "score": _SCORE, "source": SOURCE_SCHEMA}}},
                "weights": {"type": "object", "required": ["alternatives", "contract_horizon", "source"],
                            "additionalProperties": False,
                            "properties": {"alternatives": _SCORE, "contract_horizon": _SCORE, "source": SOURCE_SCHEMA}},
                "classes": _CLASSES,
            },
        },
        "priority": {"type": "object", "required": ["formula", "source", "tie_break", "classes"], "additionalProperties": False,
                     "properties": {"formula": {"const": PRIORITY_FORMULA}, "source": SOURCE_SCHEMA,
                                    "tie_break": {"type": "string", "minLength": 10}, "classes": _CLASSES}},
    },
}


class DiagnosticError(ValueError):
    """A method or authority file is malformed. The message names the file and, for a method file,
    the entry and the field; for an authority file, the authority, the category and the field."""


def _shown(path) -> str:
    try:
        return str(Path(path).resolve().relative_to(config.ROOT))
    except ValueError:
        return str(path)


def _method_location(document, where: str) -> tuple[str, str]:
    """``capacity/classes/1/min`` -> (``capacity/classes[moyenne]``, ``min``)."""
    if where == "(top level)":
        return "(top level)", "(top level)"
    parts = where.split("/")
    indices = [i for i, p in enumerate(parts) if p.isdigit()]
    if not indices:
        return ("(top level)", parts[0]) if len(parts) == 1 else ("/".join(parts[:-1]), parts[-1])
    last = indices[-1]
    node = document
    try:
        for p in parts[:last + 1]:
            node = node[int(p)] if p.isdigit() else node[p]
        ident = node.get("id", node.get("level", node.get("max_years", parts[last]))) if isinstance(node, dict) else parts[last]
    except (KeyError, IndexError, TypeError):
        ident = parts[last]
    return "/".join(parts[:last]) + f"[{ident}]", "/".join(parts[last + 1:]) or "(entry)"


@dataclass(frozen=True)
class Method:
    """The checked method: every scale, weight and threshold of the diagnostic."""
    id: str
    categories: pd.DataFrame           # id, label_fr, order
    criticality_labels: dict           # level -> label_fr
    critical_from: int
    risk_classes: list                 # [{id, label_fr, min}], increasing min
    alternatives: dict                 # id -> {score, label_fr}
    horizon_bands: list                # [{max_years, label_fr, score}], increasing max_years, last None
    weights: dict                      # alternatives, contract_horizon
    capacity_classes: list
    priority_classes: list
    path: str = ""

    @property
    def category_ids(self) -> list[str]:
        return self.categories["id"].tolist()

    def label(self, category: str) -> str:
        return dict(zip(self.categories["id"], self.categories["label_fr"]))[category]


def method_from_dict(document, source: str = "<dict>") -> Method:
    """Check a method document against :data:`METHOD_SCHEMA` and the rules between fields."""
    def fail(problems):
        raise DiagnosticError("\n".join(f"{source}: entry {entry}: field {fld}: {message}"
                                        for entry, fld, message in problems))

    violations = schema_violations(document, METHOD_SCHEMA)
    if violations:
        fail([(*_method_location(document, where), message) for where, message in violations])
    problems = []
    ids = [c["id"] for c in document["categories"]]
    for i, cid in enumerate(ids):
        if cid in ids[:i]:
            problems.append((f"categories[{cid}]", "id", "category id used twice"))
    levels = [lv["level"] for lv in document["criticality"]["levels"]]
    if levels != list(CRITICALITY_LEVELS):
        problems.append(("criticality/levels", "level", f"levels must be 1, 2, 3, 4, 5 in order (found {levels})"))
    for section, key in (("risk", "classes"), ("capacity", "classes"), ("priority", "classes")):
        classes = document[section][key]
        mins = [c["min"] for c in classes]
        if mins[0] != 0:
            problems.append((f"{section}/{key}[{classes[0]['id']}]", "min", "the first class must start at 0"))
        for previous, current in zip(classes, classes[1:]):
            if not current["min"] > previous["min"]:
                problems.append((f"{section}/{key}[{current['id']}]", "min",
                                 f"classes must be listed by increasing min ({current['min']} after {previous['min']})"))
        class_ids = [c["id"] for c in classes]
        if len(set(class_ids)) != len(class_ids):
            problems.append((f"{section}/{key}", "id", "class ids must be unique"))
    alternative_ids = sorted(a["id"] for a in document["capacity"]["alternatives"])
    if alternative_ids != sorted(ALTERNATIVES):
        problems.append(("capacity/alternatives", "id", f"needs exactly {', '.join(ALTERNATIVES)} once each (found {alternative_ids})"))
    bands = document["capacity"]["contract_horizon"]
    if bands[-1]["max_years"] is not None:
        problems.append((f"capacity/contract_horizon[{bands[-1]['max_years']}]", "max_years",
                         "the last band must be open (max_years: null)"))
    for previous, current in zip(bands, bands[1:]):
        if previous["max_years"] is None:
            problems.append(("capacity/contract_horizon[None]", "max_years", "only the last band may be open"))
        elif current["max_years"] is not None and not current["max_years"] > previous["max_years"]:
            problems.append((f"capacity/contract_horizon[{current['max_years']}]", "max_years",
                             "bands must be listed by increasing max_years"))
    weights = document["capacity"]["weights"]
    if abs(weights["alternatives"] + weights["contract_horizon"] - 1) > 1e-9:
        problems.append(("capacity/weights", "alternatives", "weights must add up to 1 "
                         f"({weights['alternatives']} + {weights['contract_horizon']})"))
    if problems:
        fail(problems)

    def classes(section):
        return [{"id": c["id"], "label_fr": c["label_fr"], "min": float(c["min"])} for c in document[section]["classes"]]

    return Method(
        id=document["id"],
        categories=pd.DataFrame({"id": ids, "label_fr": [c["label_fr"] for c in document["categories"]],
                                 "order": range(len(ids))}),
        criticality_labels={lv["level"]: lv["label_fr"] for lv in document["criticality"]["levels"]},
        critical_from=int(document["criticality"]["critical_from"]),
        risk_classes=classes("risk"),
        alternatives={a["id"]: {"score": float(a["score"]), "label_fr": a["label_fr"]}
                      for a in document["capacity"]["alternatives"]},
        horizon_bands=[{"max_years": b["max_years"], "label_fr": b["label_fr"], "score": float(b["score"])} for b in bands],
        weights={"alternatives": float(weights["alternatives"]), "contract_horizon": float(weights["contract_horizon"])},
        capacity_classes=[{"id": c["id"], "label_fr": c["label_fr"], "min": float(c["min"])}
                          for c in document["capacity"]["classes"]],
        priority_classes=classes("priority"),
        path=source,
    )


def _read_mapping(path: Path, what: str):
    shown = _shown(path)
    try:
        document = read_yaml(path)
    except FileNotFoundError:
        raise DiagnosticError(f"{shown}: {what}: file not found") from None
    except InputError as error:  # syntax, encoding, empty file: already in the one error form
        raise DiagnosticError(str(error)) from None
    except Exception as error:  # yaml syntax errors
        raise DiagnosticError(f"{shown}: {what}: not readable YAML: {error}") from None
    if not isinstance(document, dict):
        raise DiagnosticError(f"{shown}: {what}: the file must hold a mapping")
    return document, shown


def load_method(path: str | os.PathLike = METHOD_FILE) -> Method:
    """Read and check the method file."""
    path = config.resolve(path)
    document, shown = _read_mapping(path, "entry (file): field (file)")
    return method_from_dict(document, shown)


# --------------------------------------------------------------------------------------------
# 3. Authority files (data/diagnostic/authorities/<id>.yaml)
# --------------------------------------------------------------------------------------------

_RAW_REFERENCE = r"^data/raw/[\w./-]+\.csv#[a-z][a-z0-9_]*$"
_AMOUNT = {"oneOf": [{"type": "number", "minimum": 0},
                     {"type": "string", "pattern": _RAW_REFERENCE}]}
CATEGORY_FIELDS = ("amount_eur", "eu_share", "criticality", "alternatives", "contract_end_year")
JUDGEMENT_FIELDS = ("eu_share", "criticality", "alternatives", "contract_end_year")

AUTHORITY_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["id", "name_fr", "kind", "description", "reference_year", "sources", "categories"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "pattern": _ID},
        "name_fr": {"type": "string", "minLength": 3},
        "kind": {"enum": list(AUTHORITY_KINDS)},
        "description": {"type": "string", "minLength": 10},
        "reference_year": {"type": "integer", "minimum": 2000, "maximum": 2100},
        "sources": {"type": "object", "required": ["reference_year"], "additionalProperties": False,
                    "properties": {"reference_year": SOURCE_SCHEMA}},
        "stated_totals": {
            "type": "object", "required": ["eu_eur", "non_eu_eur", "tolerance_eur", "sources"], "additionalProperties": False,
            "properties": {
                "eu_eur": _AMOUNT, "non_eu_eur": _AMOUNT, "tolerance_eur": {"type": "number", "minimum": 0},
                "sources": {"type": "object", "required": ["tolerance_eur"], "additionalProperties": False,
                            "properties": {"eu_eur": SOURCE_SCHEMA, "non_eu_eur": SOURCE_SCHEMA,
                                           "tolerance_eur": SOURCE_SCHEMA}},
            },
        },
        "categories": {
            "type": "array", "minItems": 1,
            "items": {
                "type": "object", "required": ["category", *CATEGORY_FIELDS, "sources"], "additionalProperties": False,
                "properties": {
                    "category": {"type": "string", "pattern": _ID},
                    "amount_eur": _AMOUNT,
                    "eu_share": {"type": "number", "minimum": 0, "maximum": 1},
                    "criticality": {"type": "integer", "minimum": 1, "maximum": 5},
                    "alternatives": {"enum": list(ALTERNATIVES)},
                    "contract_end_year": {"type": "integer", "minimum": 2000, "maximum": 2100},
                    "sources": {"type": "object", "required": list(JUDGEMENT_FIELDS), "additionalProperties": False,
                                "properties": {name: SOURCE_SCHEMA for name in CATEGORY_FIELDS}},
                },
            },
        },
    },
}


@dataclass(frozen=True)
class Authority:
    """A checked authority: its categories (amounts resolved) and its stated totals, if any."""
    id: str
    name_fr: str
    kind: str
    description: str
    reference_year: int
    categories: pd.DataFrame    # category, label_fr, amount_eur, eu_share, criticality, alternatives, contract_end_year, amount_source
    stated_totals: dict | None = None   # eu_eur, non_eu_eur, tolerance_eur
    path: str = ""
    sources: dict = field(default_factory=dict)   # category -> {field: source}


def _authority_location(document, where: str) -> tuple[str, str]:
    """(category, field) of a schema violation at ``where``."""
    parts = where.split("/")
    if parts[0] == "categories" and len(parts) >= 2 and parts[1].isdigit():
        try:
            category = document["categories"][int(parts[1])].get("category", f"#{int(parts[1]) + 1}")
        except (IndexError, AttributeError, TypeError):
            category = f"#{int(parts[1]) + 1}"
        return str(category), "/".join(parts[2:]) or "(entry)"
    if parts[0] == "stated_totals":
        return "(all)", where
    return "(none)", where


class _RawTables:
    """Raw spending tables read once per load."""

    def __init__(self):
        self.tables = {}

    def row(self, reference: str) -> tuple[pd.Series | None, str | None]:
        """The raw row a ``data/raw/<file>.csv#<row id>`` reference points to, or an error message."""
        file, row_id = reference.split("#", 1)
        path = config.resolve(file)
        if not path.is_file():
            return None, f"raw file {file} does not exist"
        if file not in self.tables:
            self.tables[file] = read_spending(path).set_index("row_id")
        table = self.tables[file]
        if row_id not in table.index:
            return None, f"{file} has no row {row_id!r}"
        return table.loc[row_id], None


def authority_from_dict(document, method: Method, source: str = "<dict>") -> Authority:
    """Check an authority document against :data:`AUTHORITY_SCHEMA`, the method's categories, its
    raw references and its stated totals; resolve the amounts."""
    authority_id = document.get("id", "?") if isinstance(document, dict) else "?"

    def fail(problems):
        raise DiagnosticError("\n".join(f"{source}: authority {authority_id}: category {category}: field {fld}: {message}"
                                        for category, fld, message in problems))

    violations = schema_violations(document, AUTHORITY_SCHEMA)
    if violations:
        fail([(*_authority_location(document, where), message) for where, message in violations])

    raw = _RawTables()
    known = set(method.category_ids)
    problems, rows, seen, sources = [], [], set(), {}
    for entry in document["categories"]:
        category = entry["category"]
        if category not in known:
            problems.append((category, "category", f"unknown category (the method {method.path or method.id} "
                                                   f"lists: {', '.join(method.category_ids)})"))
            continue
        if category in seen:
            problems.append((category, "category", "category listed twice"))
            continue
        seen.add(category)
        if entry["contract_end_year"] < document["reference_year"]:
            problems.append((category, "contract_end_year", f"{entry['contract_end_year']} is before the "
                                                            f"reference year {document['reference_year']}"))
        amount, amount_source = entry["amount_eur"], None
        if isinstance(amount, str):
            row, error = raw.row(amount)
            if error is None and row["row_kind"] != "category":
                error = f"{amount} is a {row['row_kind']} row, not a category"
            if error is None and row.name != category:
                error = f"{amount} is the row of {row.name!r}, not of {category!r}"
            if error:
                problems.append((category, "amount_eur", error))
                continue
            amount, amount_source = float(row["amount_eur"]), entry["amount_eur"]
        else:
            if "amount_eur" not in entry["sources"]:
                problems.append((category, "sources/amount_eur", "an amount given as a number needs a source"))
                continue
            amount_source = entry["sources"]["amount_eur"]
        sources[category] = dict(entry["sources"], amount_eur=amount_source)
        rows.append({"category": category, "label_fr": method.label(category), "amount_eur": float(amount),
                     "eu_share": float(entry["eu_share"]), "criticality": int(entry["criticality"]),
                     "alternatives": entry["alternatives"], "contract_end_year": int(entry["contract_end_year"]),
                     "amount_source": amount_source})

    stated = None
    if "stated_totals" in document:
        given = document["stated_totals"]
        stated = {"tolerance_eur": float(given["tolerance_eur"])}
        for key, row_id in ZONE_TOTAL_IDS.items():
            value = given[key]
            if isinstance(value, str):
                row, error = raw.row(value)
                if error is None and (row["row_kind"] != "zone_total" or row.name != row_id):
                    error = f"{value} is not the {row_id} row of a zone_total"
                if error:
                    problems.append(("(all)", f"stated_totals/{key}", error))
                    continue
                value = float(row["amount_eur"])
            elif key not in given["sources"]:
                problems.append(("(all)", f"stated_totals/sources/{key}", "a total given as a number needs a source"))
                continue
            stated[key] = float(value)
    if problems:
        fail(problems)

    order = dict(zip(method.categories["id"], method.categories["order"]))
    categories = pd.DataFrame(rows).sort_values("category", key=lambda s: s.map(order), kind="mergesort")
    categories = categories.reset_index(drop=True)
    if stated is not None:
        problems = check_stated_totals(categories, stated)
        if problems:
            fail(problems)
    return Authority(id=document["id"], name_fr=document["name_fr"], kind=document["kind"],
                     description=document["description"], reference_year=int(document["reference_year"]),
                     categories=categories, stated_totals=stated, path=source, sources=sources)


def check_stated_totals(categories: pd.DataFrame, stated: dict) -> list[tuple[str, str, str]]:
    """Problems ``(category, field, message)`` when the categories' EU and non-EU spend do not add up
    to the stated totals within the stated tolerance (empty list when they do)."""
    dependency = dependency_by_category(categories)
    tolerance = stated["tolerance_eur"]
    problems = []
    for key, column, name in (("eu_eur", "eu_eur", "EU"), ("non_eu_eur", "non_eu_eur", "non-EU")):
        computed = float(dependency[column].sum())
        gap = computed - stated[key]
        if abs(gap) > tolerance + 1e-6:
            problems.append(("(all)", "eu_share",
                             f"the categories' {name} spend (amount_eur × {'eu_share' if key == 'eu_eur' else '(1 − eu_share)'}) "
                             f"adds up to {computed:,.0f} €, the stated {name} total (stated_totals/{key}) is "
                             f"{stated[key]:,.0f} € (difference {gap:+,.0f} €, tolerance {tolerance:,.0f} €)"))
    return problems


def load_authority(path: str | os.PathLike, method: Method) -> Authority:
    """Read and check one authority file; its ``id`` must be its file name."""
    path = config.resolve(path)
    document, shown = _read_mapping(path, "authority ?: category (none): field (file)")
    authority = authority_from_dict(document, method, shown)
    if authority.id != path.stem:
        raise DiagnosticError(f"{shown}: authority {authority.id}: category (none): field id: "
                              f"must be the file name ({path.stem!r})")
    return authority


def authority_files(directory: str | os.PathLike = AUTHORITIES_DIR) -> list[Path]:
    return sorted(config.resolve(directory).glob("*.yaml"))


def load_authorities(directory: str | os.PathLike, method: Method) -> list[Authority]:
    """Every authority file of ``directory``, in file-name order."""
    authorities = [load_authority(path, method) for path in authority_files(directory)]
    if not authorities:
        raise DiagnosticError(f"{_shown(config.resolve(directory))}: no authority file (*.yaml)")
    return authorities


def inputs_table(authority: Authority) -> pd.DataFrame:
    """The authority's inputs per category with the source of each value (for display)."""
    rows = []
    for r in authority.categories.itertuples():
        src = authority.sources[r.category]
        rows.append({"category": r.category, "label_fr": r.label_fr, "amount_eur": r.amount_eur,
                     "amount_source": src["amount_eur"], "eu_share": r.eu_share, "eu_share_source": src["eu_share"],
                     "criticality": r.criticality, "criticality_source": src["criticality"],
                     "alternatives": r.alternatives, "alternatives_source": src["alternatives"],
                     "contract_end_year": r.contract_end_year, "contract_end_year_source": src["contract_end_year"]})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# 4. The four steps (pure functions of tables)
# --------------------------------------------------------------------------------------------

def _round(values):
    return np.round(np.asarray(values, dtype=float), DECIMALS)


def classify(values, classes: list[dict]) -> list[str]:
    """Class id of each value: the last class (listed by increasing ``min``) whose min it reaches."""
    mins = np.array([c["min"] for c in classes])
    ids = [c["id"] for c in classes]
    return [ids[int(np.searchsorted(mins, v, side="right")) - 1] for v in _round(values)]


def dependency_by_category(categories: pd.DataFrame) -> pd.DataFrame:
    """Step 1, per category: EU and non-EU spend (€), non-EU share of the category, share of the
    authority's spend."""
    out = categories.copy()
    out["eu_eur"] = np.round(out["amount_eur"] * out["eu_share"], 2)
    out["non_eu_eur"] = np.round(out["amount_eur"] - out["eu_eur"], 2)
    out["non_eu_share"] = _round(1 - out["eu_share"])
    out["share_of_spend"] = _round(out["amount_eur"] / out["amount_eur"].sum())
    return out


def dependency_totals(dependency: pd.DataFrame) -> dict[str, float]:
    """Step 1, whole authority: total, EU and non-EU spend (€) and shares."""
    total = float(dependency["amount_eur"].sum())
    eu = float(dependency["eu_eur"].sum())
    non_eu = float(dependency["non_eu_eur"].sum())
    return {"n_categories": int(len(dependency)), "total_eur": total, "eu_eur": eu, "non_eu_eur": non_eu,
            "eu_share": eu / total if total else math.nan, "non_eu_share": non_eu / total if total else math.nan}


def criticality_and_risk(dependency: pd.DataFrame, method: Method) -> pd.DataFrame:
    """Step 2: criticality label, ``risk = non_eu_share × criticality / 5`` and its class."""
    out = dependency.copy()
    out["criticality_label"] = out["criticality"].map(method.criticality_labels)
    out["risk_score"] = _round(out["non_eu_share"] * out["criticality"] / max(CRITICALITY_LEVELS))
    out["risk_class"] = classify(out["risk_score"], method.risk_classes)
    out["risk_label"] = out["risk_class"].map({c["id"]: c["label_fr"] for c in method.risk_classes})
    return out


def horizon_score(years, bands: list[dict]) -> list[float]:
    """Score of each contract horizon (years from the reference year to the contract's end): the
    first band whose ``max_years`` it does not exceed (the last band is open)."""
    scores = []
    for y in years:
        for band in bands:
            if band["max_years"] is None or y <= band["max_years"]:
                scores.append(band["score"])
                break
    return scores


def capacity_to_act(table: pd.DataFrame, method: Method, reference_year: int) -> pd.DataFrame:
    """Step 3: ``capacity = w_alt × score(alternatives) + w_horizon × score(horizon)`` and its class."""
    out = table.copy()
    out["alternatives_score"] = out["alternatives"].map({k: v["score"] for k, v in method.alternatives.items()})
    out["alternatives_label"] = out["alternatives"].map({k: v["label_fr"] for k, v in method.alternatives.items()})
    out["horizon_years"] = out["contract_end_year"] - reference_year
    out["horizon_score"] = horizon_score(out["horizon_years"], method.horizon_bands)
    out["capacity"] = _round(method.weights["alternatives"] * out["alternatives_score"]
                             + method.weights["contract_horizon"] * out["horizon_score"])
    out["capacity_class"] = classify(out["capacity"], method.capacity_classes)
    out["capacity_label"] = out["capacity_class"].map({c["id"]: c["label_fr"] for c in method.capacity_classes})
    return out


def rank_priorities(table: pd.DataFrame, method: Method) -> pd.DataFrame:
    """Step 4: ``priority = risk × (1 − capacity)``, its class and the rank (1 = first priority).

    Order: priority score descending; ties (to 10 decimals) by non-EU spend descending, then by the
    order of the categories in the method. Ranks are 1..n without ties; rows come back in rank order.
    """
    out = table.copy()
    out["priority_score"] = _round(out["risk_score"] * (1 - out["capacity"]))
    out["priority_class"] = classify(out["priority_score"], method.priority_classes)
    out["priority_label"] = out["priority_class"].map({c["id"]: c["label_fr"] for c in method.priority_classes})
    order = dict(zip(method.categories["id"], method.categories["order"]))
    out["_order"] = out["category"].map(order)
    out = out.sort_values(["priority_score", "non_eu_eur", "_order"], ascending=[False, False, True], kind="mergesort")
    out["priority_rank"] = range(1, len(out) + 1)
    return out.drop(columns="_order").reset_index(drop=True)


DIAGNOSTIC_COLUMNS = [
    "authority_id", "priority_rank", "category", "label_fr", "amount_eur", "share_of_spend", "eu_share",
    "non_eu_share", "eu_eur", "non_eu_eur", "criticality", "criticality_label", "risk_score", "risk_class",
    "alternatives", "alternatives_score", "contract_end_year", "horizon_years", "horizon_score", "capacity",
    "capacity_class", "priority_score", "priority_class", "priority_label", "amount_source",
]


def diagnose(authority: Authority, method: Method) -> pd.DataFrame:
    """The four steps for one authority: one row per category, in priority order."""
    table = dependency_by_category(authority.categories)
    table = criticality_and_risk(table, method)
    table = capacity_to_act(table, method, authority.reference_year)
    table = rank_priorities(table, method)
    table.insert(0, "authority_id", authority.id)
    return table[DIAGNOSTIC_COLUMNS]


# --------------------------------------------------------------------------------------------
# 5. Summaries and the batch run
# --------------------------------------------------------------------------------------------

def _eur_fr(x: float) -> str:
    from analysis.plotting import number_fr
    if abs(x) >= 1e6:
        return f"{number_fr(x / 1e6, 2)} M€"
    return f"{number_fr(x / 1e3, 0)} k€"


def summary_row(authority: Authority, diagnosis: pd.DataFrame, method: Method, top: int = 3) -> dict:
    """One row per authority: totals and shares, stated totals, non-EU spend in critical categories,
    number of categories per priority class, the first ``top`` priorities and a one-line summary."""
    totals = dependency_totals(diagnosis)
    critical = diagnosis[diagnosis["criticality"] >= method.critical_from]
    critical_non_eu = float(critical["non_eu_eur"].sum())
    row = {"authority_id": authority.id, "name_fr": authority.name_fr, "kind": authority.kind,
           "reference_year": authority.reference_year, **totals,
           "stated_eu_eur": (authority.stated_totals or {}).get("eu_eur", math.nan),
           "stated_non_eu_eur": (authority.stated_totals or {}).get("non_eu_eur", math.nan),
           "critical_non_eu_eur": critical_non_eu,
           "critical_share_of_non_eu": critical_non_eu / totals["non_eu_eur"] if totals["non_eu_eur"] else math.nan}
    for c in reversed(method.priority_classes):
        row[f"n_{c['id']}"] = int((diagnosis["priority_class"] == c["id"]).sum())
    ranked = diagnosis.sort_values("priority_rank")
    firsts = ranked.head(top)
    for k in range(top):
        row[f"priority_{k + 1}"] = firsts["category"].iloc[k] if k < len(firsts) else ""
    row["summary_fr"] = summary_line(row, firsts["label_fr"].tolist(), method)
    return row


def summary_line(row: dict, top_labels: list[str], method: Method) -> str:
    """``<name> : 11,63 M€ sur 14 postes, dont 6,03 M€ hors UE (51,8 %) ; 2 postes en priorité 1 ;
    priorités : 1. …, 2. …, 3. …``"""
    from analysis.plotting import percent_fr
    first = method.priority_classes[-1]
    count = row[f"n_{first['id']}"]
    ranked = ", ".join(f"{k}. {label}" for k, label in enumerate(top_labels, 1))
    return (f"{row['name_fr']} : {_eur_fr(row['total_eur'])} sur {row['n_categories']} postes, dont "
            f"{_eur_fr(row['non_eu_eur'])} hors UE ({percent_fr(100 * row['non_eu_share'], 1)}) ; "
            f"{count} poste{'s' if count != 1 else ''} en {first['label_fr']} ; priorités : {ranked}")


def run_batch(directory: str | os.PathLike, method: Method) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The diagnostic of every authority file in ``directory``: a tidy table (authority × category,
    in authority then priority order) and a summary table (one row per authority)."""
    authorities = load_authorities(directory, method)
    diagnoses = [diagnose(a, method) for a in authorities]
    tidy = pd.concat(diagnoses, ignore_index=True)
    summary = pd.DataFrame([summary_row(a, d, method) for a, d in zip(authorities, diagnoses)])
    return tidy, summary


def split_note_fr(authority: Authority) -> str:
    """What the figure of the EU / non-EU split may be read as, by kind of authority."""
    if authority.kind == "example":
        return ("Montants par poste et totaux UE / hors UE : diapositives TIE Break. Répartition UE / hors UE "
                "de chaque poste : hypothèse illustrative du modèle, calée sur les deux totaux (les diapositives "
                "ne la donnent pas).")
    if authority.kind == "synthetic":
        return "Collectivité synthétique : toutes les valeurs sont fictives (essai du diagnostic)."
    return "Valeurs déclarées par la collectivité."


# --------------------------------------------------------------------------------------------
# 6. Figures (labels in French; FRANCE_COLOUR is kept for France and not used here)
# --------------------------------------------------------------------------------------------

def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width))


def spending_split_figure(diagnosis: pd.DataFrame, name_fr: str, note: str, source: str):
    """Spending by category, EU / non-EU, horizontal stacked bars sorted by amount (largest on top)."""
    import matplotlib.pyplot as plt

    from analysis.plotting import add_source, number_fr, percent_fr

    rows = diagnosis.sort_values(["amount_eur", "category"], ascending=[True, False], kind="mergesort")
    totals = dependency_totals(diagnosis)
    fig, ax = plt.subplots(figsize=(11, 0.42 * len(rows) + 2.2))
    y = np.arange(len(rows))
    eu, non_eu = rows["eu_eur"] / 1e6, rows["non_eu_eur"] / 1e6
    ax.barh(y, eu, color=EU_COLOUR, height=0.65, label=f"Fournisseurs UE : {_eur_fr(totals['eu_eur'])} "
                                                       f"({percent_fr(100 * totals['eu_share'], 1)})")
    ax.barh(y, non_eu, left=eu, color=NON_EU_COLOUR, height=0.65,
            label=f"Fournisseurs hors UE : {_eur_fr(totals['non_eu_eur'])} ({percent_fr(100 * totals['non_eu_share'], 1)})")
    top = float(rows["amount_eur"].max()) / 1e6
    for yi, r in zip(y, rows.itertuples()):
        ax.annotate(f"{_eur_fr(r.amount_eur)} · {percent_fr(100 * r.non_eu_share, 0)} hors UE",
                    (r.amount_eur / 1e6, yi), xytext=(5, 0), textcoords="offset points", va="center", fontsize=8.5,
                    bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"})
    ax.set_yticks(y)
    ax.set_yticklabels(rows["label_fr"], fontsize=9)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlim(0, top * 1.32)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: number_fr(v, 1)))
    ax.set_xlabel("Dépenses (M€)")
    ax.grid(axis="y", visible=False)
    note_lines = _wrap(note, 120)
    ax.set_title(_wrap(f"{name_fr} : dépenses numériques par poste, fournisseurs UE et hors UE "
                       f"(total {_eur_fr(totals['total_eur'])})", 90), fontsize=11.5,
                 pad=10 + 11 * (note_lines.count("\n") + 1))
    ax.text(0.5, 1.012, note_lines, transform=ax.transAxes, ha="center", va="bottom", fontsize=8.5,
            style="italic", color="#333333")
    ax.legend(loc="lower right", fontsize=9, frameon=True)
    fig.tight_layout()
    add_source(fig, source)
    return fig


CAPACITY_COLOURS = {"faible": "#e4572e", "moyenne": "#f2a541", "forte": "#29a36a"}


def _spread(values: np.ndarray, min_gap: float) -> np.ndarray:
    """Vertical offsets that keep points of one row apart when their x values are close."""
    offsets = np.zeros(len(values))
    order = np.argsort(values, kind="mergesort")
    pattern = [0.0, 0.24, -0.24, 0.12, -0.12]
    run = 0
    for k in range(1, len(order)):
        close = values[order[k]] - values[order[k - 1]] < min_gap
        run = run + 1 if close else 0
        offsets[order[k]] = pattern[run % len(pattern)]
    return offsets


def priority_matrix_figure(diagnosis: pd.DataFrame, name_fr: str, method: Method, source: str):
    """Non-EU share (x) against criticality (y); bubble area = spend; colour = capacity to act;
    the number is the priority rank (list on the right); dashed curves: equal risk."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    from analysis.plotting import add_source, number_fr

    fig, (ax, side) = plt.subplots(1, 2, figsize=(14, 7.2), gridspec_kw={"width_ratios": [2.6, 1]})
    x = 100 * diagnosis["non_eu_share"].to_numpy()
    y = diagnosis["criticality"].to_numpy().astype(float)
    for level in np.unique(y):
        mask = y == level
        y[mask] += _spread(x[mask], 9.0)
    biggest = float(diagnosis["amount_eur"].max())

    def area(amount):
        return 120 + 2400 * np.asarray(amount, dtype=float) / biggest

    sizes = area(diagnosis["amount_eur"])
    colours = [CAPACITY_COLOURS.get(c, "#888888") for c in diagnosis["capacity_class"]]
    grid = np.linspace(1, 100, 300)
    for c in method.risk_classes[1:]:
        level = c["min"]
        ax.plot(grid, 5 * level / (grid / 100), color="#9a9a9a", ls="--", lw=0.9, zorder=0)
        ax.annotate(f"risque {number_fr(level, 1)}", (100 * 5 * level / 5.5, 5.5), xytext=(0, 3),
                    textcoords="offset points", fontsize=7.5, color="#666666", ha="center", va="bottom",
                    annotation_clip=False)
    ax.scatter(x, y, s=sizes, c=colours, alpha=0.8, edgecolors="white", linewidths=1.2, zorder=2)
    for xi, yi, size, r in zip(x, y, sizes, diagnosis.itertuples()):
        diameter = math.sqrt(size)
        if diameter >= 24:
            ax.annotate(str(r.priority_rank), (xi, yi), ha="center", va="center", fontsize=9, fontweight="bold",
                        color="#1a1a1a", zorder=3)
        else:
            ax.annotate(str(r.priority_rank), (xi, yi), xytext=(diameter / 2 + 2, diameter / 2 - 1),
                        textcoords="offset points", ha="left", va="center", fontsize=8.5, fontweight="bold",
                        color="#1a1a1a", zorder=3)
    ax.set_xlim(-4, 110)
    ax.set_ylim(0.5, 5.5)
    ax.set_yticks(list(CRITICALITY_LEVELS))
    ax.set_yticklabels([f"{lv} – {method.criticality_labels[lv]}" for lv in CRITICALITY_LEVELS])
    ax.set_xlabel("Part des dépenses du poste auprès de fournisseurs hors UE (%)")
    ax.set_ylabel("Criticité du poste")
    ax.set_title(_wrap(f"{name_fr} : matrice des priorités (dépendance hors UE × criticité)", 80), fontsize=11.5,
                 pad=18)
    handles = [Line2D([], [], marker="o", ls="", markersize=10, markerfacecolor=CAPACITY_COLOURS[c["id"]],
                      markeredgecolor="white", label=f"capacité à agir {c['label_fr']}")
               for c in method.capacity_classes if c["id"] in CAPACITY_COLOURS]
    for amount, label in ((1e5, "100 k€"), (1e6, "1 M€")):
        if amount <= biggest:
            handles.append(Line2D([], [], marker="o", ls="", color="#bbbbbb", markersize=math.sqrt(area(amount)),
                                  label=f"{label} dépensés"))
    handles.append(Line2D([], [], color="#9a9a9a", ls="--", label="même risque (non-UE × criticité / 5)"))
    ax.legend(handles=handles, loc="lower left", fontsize=8, frameon=True, labelspacing=1.2, borderpad=0.9,
              handlelength=2.6, handletextpad=1.4)

    side.axis("off")
    lines = [f"{r.priority_rank:>2}. {r.label_fr} — {number_fr(r.priority_score, 2)} ({r.priority_label})"
             for r in diagnosis.sort_values("priority_rank").itertuples()]
    side.text(0.0, 1.0, "Rang de priorité\n(score = risque × (1 − capacité à agir))", transform=side.transAxes,
              va="top", fontsize=9.5, fontweight="bold")
    side.text(0.0, 0.9, "\n".join(lines), transform=side.transAxes, va="top", fontsize=8.5, linespacing=1.55,
              family="DejaVu Sans")
    fig.tight_layout()
    add_source(fig, source)
    return fig


PRIORITY_COLOURS = {"p1": "#b2182b", "p2": "#ef8a62", "p3": "#fddbc7", "veille": "#d9d9d9"}


def batch_summary_figure(summary: pd.DataFrame, tidy: pd.DataFrame, method: Method, source: str):
    """Per authority: share of spend outside the EU (left), share of spend by priority class (right)."""
    import matplotlib.pyplot as plt

    from analysis.plotting import add_source, percent_fr

    rows = summary.iloc[::-1].reset_index(drop=True)
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(14, 1.1 * len(rows) + 2.4), sharey=True)
    y = np.arange(len(rows))
    ax.barh(y, 100 * rows["eu_share"], color=EU_COLOUR, height=0.6, label="Fournisseurs UE")
    ax.barh(y, 100 * rows["non_eu_share"], left=100 * rows["eu_share"], color=NON_EU_COLOUR, height=0.6,
            label="Fournisseurs hors UE")
    for yi, r in zip(y, rows.itertuples()):
        ax.annotate(percent_fr(100 * r.eu_share, 1), (100 * r.eu_share / 2, yi), ha="center", va="center",
                    fontsize=8.5, color="white", fontweight="bold")
        ax.annotate(percent_fr(100 * r.non_eu_share, 1), (100 * r.eu_share + 100 * r.non_eu_share / 2, yi),
                    ha="center", va="center", fontsize=8.5, color="white", fontweight="bold")
    ax.set_yticks(y)
    ax.set_yticklabels([f"{r.name_fr}\n{_eur_fr(r.total_eur)} sur {r.n_categories} postes" for r in rows.itertuples()],
                       fontsize=9)
    ax.set_xlim(0, 100)
    ax.set_xlabel("Part des dépenses (%)")
    ax.set_title("Dépendance en volume financier", fontsize=11)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.1 / len(rows)), ncol=2, fontsize=8.5, frameon=False)
    ax.grid(axis="y", visible=False)

    left = np.zeros(len(rows))
    for c in reversed(method.priority_classes):
        shares = []
        for r in rows.itertuples():
            part = tidy[tidy["authority_id"] == r.authority_id]
            shares.append(100 * part.loc[part["priority_class"] == c["id"], "amount_eur"].sum() / part["amount_eur"].sum())
        shares = np.array(shares)
        ax2.barh(y, shares, left=left, color=PRIORITY_COLOURS.get(c["id"], "#999999"), height=0.6, label=c["label_fr"])
        for yi, lo, s in zip(y, left, shares):
            if s >= 6:
                ax2.annotate(percent_fr(s, 0), (lo + s / 2, yi), ha="center", va="center", fontsize=8.5,
                             color="white" if c["id"] in ("p1", "p2") else "#333333")
        left += shares
    ax2.set_xlim(0, 100)
    ax2.set_xlabel("Part des dépenses (%)")
    ax2.set_title("Dépenses par classe de priorité", fontsize=11)
    ax2.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.1 / len(rows)), ncol=4, fontsize=8.5, frameon=False)
    ax2.grid(axis="y", visible=False)
    fig.suptitle("Autodiagnostic TIE Break : dépendance et priorités par collectivité", fontweight="bold", fontsize=12)
    fig.tight_layout(w_pad=3)
    add_source(fig, source)
    return fig


# --------------------------------------------------------------------------------------------
# 7. Command line: the batch run over a folder
# --------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> None:
    import argparse

    from analysis.io import write_csv

    parser = argparse.ArgumentParser(description="Run the TIE Break self-diagnostic over a folder of authority files")
    parser.add_argument("authorities_dir", nargs="?", default=str(AUTHORITIES_DIR.relative_to(config.ROOT)))
    parser.add_argument("--method", default=str(METHOD_FILE.relative_to(config.ROOT)))
    parser.add_argument("--tables", help="folder to write diagnostic_batch_categories.csv and diagnostic_batch_summary.csv to")
    args = parser.parse_args(argv)
    tidy, summary = run_batch(args.authorities_dir, load_method(args.method))
    if args.tables:
        write_csv(tidy, Path(args.tables) / "diagnostic_batch_categories.csv")
        write_csv(summary, Path(args.tables) / "diagnostic_batch_summary.csv")
    print("\n".join(summary["summary_fr"]))


if __name__ == "__main__":
    main()
