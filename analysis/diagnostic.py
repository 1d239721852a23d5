"""Territorial digital-dependency self-diagnostic, "TIE Break".

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
3. **One file per authority**, in ``data/diagnostic/authorities/`` (committed: the example and
   synthetic authorities) or ``data/private/authorities/`` (ignored by git: real authorities):
   either ``<id>.yaml`` (per category the amount, the EU share, the criticality, the alternatives and
   the contract end year, each with a source; :func:`authority_from_dict`) or a spreadsheet
   ``<id>.csv`` / ``<id>.xlsx`` with one row per contract or budget line, French headers and labels
   (:mod:`analysis.diagnostic_intake`). Lines aggregate to the method's categories; spend whose
   supplier's jurisdiction is unknown stays unknown. Every problem of a file is reported at once
   (:class:`DiagnosticError`), naming the file, the row or category, the column or field, the value
   found and what is allowed.

The scores (all on [0, 1]; formulas stated in ``method.yaml``):

- non-EU share ``d`` = spend with suppliers known to be outside the EU / spend of the category
  (spend of unknown jurisdiction is shown apart, never counted as EU or non-EU);
- risk ``r = d × criticality / 5``;
- capacity to act ``a = w_alt × score(alternatives) + w_horizon × score(years to contract end)``;
- priority ``p = r × (1 − a)``: what the authority cannot leave soon ranks first; ties broken by the
  larger non-EU spend, then by the order of the categories in the method;
- quick win ``q = r × a``: a dependency the authority can leave soon (high risk, alternatives known,
  contract ending); a category is a quick win when ``r`` and ``a`` reach the method's thresholds.

The batch (:func:`diagnose_frame`, :func:`summary_frame`) computes every authority in one vectorised
pass over a single table; :func:`diagnose` is the same computation for one authority.

Scores are rounded to 10 decimals before they are classed or compared, so that ``0.25 × (1 − 0.8)``
reaches a threshold of 0.05 as arithmetic says it does.
"""

from __future__ import annotations

import math
import os
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
QUICK_WIN_FORMULA = "quick_win = risk × capacity"


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
    "required": ["id", "steps_source", "categories", "dependency", "criticality", "risk", "capacity", "priority",
                 "quick_win", "aggregation"],
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
        "quick_win": {"type": "object", "required": ["formula", "min_risk", "min_capacity", "label_fr", "source"],
                      "additionalProperties": False,
                      "properties": {"formula": {"const": QUICK_WIN_FORMULA}, "min_risk": _SCORE, "min_capacity": _SCORE,
                                     "label_fr": {"type": "string", "minLength": 2}, "source": SOURCE_SCHEMA}},
        "aggregation": {"type": "object", "required": ["criticality", "scores", "contract_end", "default_reference_year",
                                                       "source"],
                        "additionalProperties": False,
                        "properties": {"criticality": {"const": "max"}, "scores": {"const": "amount_weighted_mean"},
                                       "contract_end": {"const": "earliest"},
                                       "default_reference_year": {"type": "integer", "minimum": 2000, "maximum": 2100},
                                       "source": SOURCE_SCHEMA}},
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
    quick_win: dict = field(default_factory=dict)      # min_risk, min_capacity, label_fr
    default_reference_year: int = 2026
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
        quick_win={"min_risk": float(document["quick_win"]["min_risk"]),
                   "min_capacity": float(document["quick_win"]["min_capacity"]),
                   "label_fr": document["quick_win"]["label_fr"]},
        default_reference_year=int(document["aggregation"]["default_reference_year"]),
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
# 3. Authority files: YAML (one entry per category) or a spreadsheet (one row per line)
# --------------------------------------------------------------------------------------------

_RAW_REFERENCE = r"^data/raw/[\w./-]+\.csv#[a-z][a-z0-9_]*$"
_AMOUNT = {"oneOf": [{"type": "number", "minimum": 0},
                     {"type": "string", "pattern": _RAW_REFERENCE}]}
CATEGORY_FIELDS = ("amount_eur", "eu_share", "criticality", "alternatives", "contract_end_year")
JUDGEMENT_FIELDS = ("eu_share", "criticality", "alternatives", "contract_end_year")
AUTHORITY_SUFFIXES = (".yaml", ".csv", ".xlsx")
PRIVATE_AUTHORITIES_DIR = config.DATA / "private" / "authorities"

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

#: Columns of an authority's category table (one row per category it buys).
CATEGORY_COLUMNS = ["category", "label_fr", "amount_eur", "eu_eur", "non_eu_eur", "unknown_eur", "criticality",
                    "alternatives", "alternatives_score", "contract_end_year", "horizon_years", "horizon_score",
                    "n_lines", "amount_source"]


@dataclass(frozen=True)
class Authority:
    """A checked authority: its categories (amounts resolved, lines aggregated) and its stated totals."""
    id: str
    name_fr: str
    kind: str
    description: str
    reference_year: int
    categories: pd.DataFrame    # CATEGORY_COLUMNS
    stated_totals: dict | None = None   # eu_eur, non_eu_eur, tolerance_eur
    path: str = ""
    sources: dict = field(default_factory=dict)   # category -> {field: source}
    lines: pd.DataFrame | None = None   # a spreadsheet's lines as given (row, supplier, comment, ...)
    file_format: str = "yaml"

    @property
    def source_fr(self) -> str:
        """Where the authority's values come from, for the source line of its figures (French)."""
        return source_line(self, "fr")


def source_line(authority: Authority, lang: str = "fr") -> str:
    """The source line of an authority's figures: the slides for the example, the authority's own
    file otherwise, plus the method's assumptions."""
    from analysis import i18n

    if authority.kind == "example" and authority.file_format == "yaml":
        return i18n.text("diagnostic.source.example", lang)
    key = "diagnostic.source.synthetic" if authority.kind == "synthetic" else "diagnostic.source.authority"
    return i18n.text(key, lang, name=authority.name_fr, file=Path(authority.path).name or authority.id,
                     year=authority.reference_year)


def horizon_score(years, bands: list[dict]) -> list[float]:
    """Score of each contract horizon (years from the reference year to the contract's end): the
    first band whose ``max_years`` it does not exceed (the last band is open)."""
    return horizon_scores(np.asarray(years, dtype=float), bands).tolist()


def horizon_scores(years: np.ndarray, bands: list[dict]) -> np.ndarray:
    """Vectorised :func:`horizon_score`."""
    limits = np.array([b["max_years"] for b in bands[:-1]], dtype=float)
    scores = np.array([b["score"] for b in bands], dtype=float)
    return scores[np.searchsorted(limits, np.asarray(years, dtype=float), side="left")]


def aggregate_lines(lines: pd.DataFrame, method: Method, keys: list[str] | None = None) -> pd.DataFrame:
    """Lines (one per contract or budget line) to categories, vectorised over every authority.

    ``lines`` has ``category, amount_eur, zone ('eu' | 'non_eu' | 'unknown'), criticality,
    alternatives, contract_end_year, reference_year`` and the ``keys`` columns (e.g. ``authority_id``).
    Per category: amounts add up by zone; criticality is the highest of its lines; the alternatives
    and horizon scores are amount-weighted means of the lines' scores; the contract end is the
    earliest; the alternatives shown are those of the largest line (rules stated in method.yaml).
    """
    keys = list(keys or [])
    frame = lines.copy()
    frame["alternatives_score"] = frame["alternatives"].map({k: v["score"] for k, v in method.alternatives.items()})
    frame["horizon_years"] = frame["contract_end_year"] - frame["reference_year"]
    frame["horizon_score"] = horizon_scores(frame["horizon_years"].to_numpy(), method.horizon_bands)
    for zone in ("eu", "non_eu", "unknown"):
        frame[f"{zone}_eur"] = np.where(frame["zone"] == zone, frame["amount_eur"], 0.0)
    frame["_w_alt"] = frame["alternatives_score"] * frame["amount_eur"]
    frame["_w_hor"] = frame["horizon_score"] * frame["amount_eur"]
    group = keys + ["category"]
    grouped = frame.groupby(group, sort=False)
    out = grouped.agg(amount_eur=("amount_eur", "sum"), eu_eur=("eu_eur", "sum"), non_eu_eur=("non_eu_eur", "sum"),
                      unknown_eur=("unknown_eur", "sum"), criticality=("criticality", "max"),
                      contract_end_year=("contract_end_year", "min"), reference_year=("reference_year", "first"),
                      _w_alt=("_w_alt", "sum"), _w_hor=("_w_hor", "sum"), n_lines=("amount_eur", "size"))
    largest = frame.sort_values("amount_eur", ascending=False, kind="mergesort").drop_duplicates(group)
    out = out.join(largest.set_index(group)["alternatives"])
    if "amount_source" in frame:
        out = out.join(grouped["amount_source"].agg(lambda s: "; ".join(dict.fromkeys(s))))
    else:
        out["amount_source"] = ""
    out = out.reset_index()
    out["alternatives_score"] = _round(out["_w_alt"] / out["amount_eur"])
    out["horizon_score"] = _round(out["_w_hor"] / out["amount_eur"])
    out["horizon_years"] = out["contract_end_year"] - out["reference_year"]
    out["label_fr"] = out["category"].map(dict(zip(method.categories["id"], method.categories["label_fr"])))
    order = dict(zip(method.categories["id"], method.categories["order"]))
    out["_order"] = out["category"].map(order)
    sort = keys + ["_order"] if not keys else ["_key_order", "_order"]
    if keys:
        out["_key_order"] = pd.factorize(out[keys[0]])[0]
    out = out.sort_values(sort, kind="mergesort").reset_index(drop=True)
    return out[keys + CATEGORY_COLUMNS + (["reference_year"] if keys else [])]


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
    raw references and its stated totals; resolve the amounts. Every problem is reported at once."""
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
            problems.append((category, "category", f"unknown category {category!r}; allowed: "
                                                   + ", ".join(f"{c} ({method.label(c)})" for c in method.category_ids)))
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
        eu = round(float(amount) * float(entry["eu_share"]), 2)
        rows.append({"category": category, "amount_eur": float(amount), "eu_eur": eu,
                     "non_eu_eur": round(float(amount) - eu, 2), "unknown_eur": 0.0,
                     "criticality": int(entry["criticality"]), "alternatives": entry["alternatives"],
                     "contract_end_year": int(entry["contract_end_year"]), "amount_source": amount_source})

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

    categories = category_table(pd.DataFrame(rows), method, int(document["reference_year"]))
    if stated is not None:
        problems = check_stated_totals(categories, stated)
        if problems:
            fail(problems)
    return Authority(id=document["id"], name_fr=document["name_fr"], kind=document["kind"],
                     description=document["description"], reference_year=int(document["reference_year"]),
                     categories=categories, stated_totals=stated, path=source, sources=sources, file_format="yaml")


def category_table(rows: pd.DataFrame, method: Method, reference_year: int) -> pd.DataFrame:
    """Category rows given directly (one per category, EU / non-EU / unknown spend) with their scores."""
    out = rows.copy()
    out["alternatives_score"] = out["alternatives"].map({k: v["score"] for k, v in method.alternatives.items()})
    out["horizon_years"] = out["contract_end_year"] - reference_year
    out["horizon_score"] = horizon_scores(out["horizon_years"].to_numpy(), method.horizon_bands)
    out["n_lines"] = 1
    out["label_fr"] = out["category"].map(dict(zip(method.categories["id"], method.categories["label_fr"])))
    order = dict(zip(method.categories["id"], method.categories["order"]))
    out = out.sort_values("category", key=lambda s: s.map(order), kind="mergesort").reset_index(drop=True)
    return out[CATEGORY_COLUMNS]


def check_stated_totals(categories: pd.DataFrame, stated: dict) -> list[tuple[str, str, str]]:
    """Problems ``(category, field, message)`` when the categories' EU and non-EU spend do not add up
    to the stated totals within the stated tolerance (empty list when they do)."""
    tolerance = stated["tolerance_eur"]
    problems = []
    for key, column, name in (("eu_eur", "eu_eur", "EU"), ("non_eu_eur", "non_eu_eur", "non-EU")):
        computed = float(categories[column].sum())
        gap = computed - stated[key]
        if abs(gap) > tolerance + 1e-6:
            problems.append(("(all)", "eu_share",
                             f"the categories' {name} spend (amount_eur × {'eu_share' if key == 'eu_eur' else '(1 − eu_share)'}) "
                             f"adds up to {computed:,.0f} €, the stated {name} total (stated_totals/{key}) is "
                             f"{stated[key]:,.0f} € (difference {gap:+,.0f} €, tolerance {tolerance:,.0f} €)"))
    return problems


def load_authority(path: str | os.PathLike, method: Method) -> Authority:
    """Read and check one authority file (``.yaml``, ``.csv`` or ``.xlsx``); its id is its file name."""
    path = config.resolve(path)
    if path.suffix.lower() in (".csv", ".xlsx"):
        from analysis import diagnostic_intake

        return diagnostic_intake.load_spreadsheet(path, method)
    document, shown = _read_mapping(path, "authority ?: category (none): field (file)")
    authority = authority_from_dict(document, method, shown)
    if authority.id != path.stem:
        raise DiagnosticError(f"{shown}: authority {authority.id}: category (none): field id: "
                              f"must be the file name ({path.stem!r})")
    return authority


def authority_files(*directories: str | os.PathLike) -> list[Path]:
    """Authority files (``*.yaml``, ``*.csv``, ``*.xlsx``) of the folders, by file name within each
    folder; a folder that does not exist holds none. Files whose name starts with ``.`` or ``~$``
    (Excel's lock files) are skipped."""
    files = []
    for directory in directories or (AUTHORITIES_DIR,):
        folder = config.resolve(directory)
        if folder.is_dir():
            files += sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in AUTHORITY_SUFFIXES
                            and not p.name.startswith((".", "~$")))
    return files


def authority_id_of(path: str | os.PathLike) -> str:
    """The id of an authority file: its name without suffix, lower case, accents and punctuation
    dropped (``Ville de Rennes.xlsx`` -> ``ville_de_rennes``; a YAML file's id must equal its name)."""
    import re
    import unicodedata

    text = unicodedata.normalize("NFKD", Path(path).stem).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def find_authority_file(directory: str | os.PathLike, authority_id: str) -> Path:
    """The file of ``authority_id`` in ``directory`` (``.yaml``, ``.csv`` or ``.xlsx``)."""
    files = authority_files(directory)
    for path in files:
        if authority_id_of(path) == authority_id:
            return path
    raise DiagnosticError(f"{_shown(config.resolve(directory))}: no file for authority {authority_id!r} "
                          f"(files there: {', '.join(p.name for p in files) or 'none'})")


def check_files(paths, method: Method) -> tuple[list[Authority], list[str]]:
    """Load every file; collect every problem of every file (and ids used by two files) instead of
    stopping at the first. Returns the authorities that loaded and the error reports."""
    authorities, errors, seen = [], [], {}
    for path in paths:
        try:
            authority = load_authority(path, method)
        except DiagnosticError as error:
            errors.append(str(error))
            continue
        if authority.id in seen:
            errors.append(f"{_shown(path)}: authority {authority.id}: the id (file name) is already used by "
                          f"{seen[authority.id]}; rename one of the files")
            continue
        seen[authority.id] = _shown(path)
        authorities.append(authority)
    return authorities, errors


def load_authorities(directory: str | os.PathLike, method: Method, *more: str | os.PathLike) -> list[Authority]:
    """Every authority file of the folder(s), in folder then file-name order; all errors at once."""
    files = authority_files(directory, *more)
    if not files:
        raise DiagnosticError(f"{_shown(config.resolve(directory))}: no authority file "
                              f"({', '.join('*' + s for s in AUTHORITY_SUFFIXES)})")
    authorities, errors = check_files(files, method)
    if errors:
        raise DiagnosticError("\n".join(errors))
    return authorities


def inputs_table(authority: Authority) -> pd.DataFrame:
    """The authority's inputs per category with the source of each value (for display)."""
    rows = []
    for r in authority.categories.itertuples():
        src = authority.sources.get(r.category, {})
        rows.append({"category": r.category, "label_fr": r.label_fr, "amount_eur": r.amount_eur,
                     "amount_source": src.get("amount_eur", r.amount_source), "eu_eur": r.eu_eur,
                     "non_eu_eur": r.non_eu_eur, "unknown_eur": r.unknown_eur,
                     "eu_share_source": src.get("eu_share", ""), "criticality": r.criticality,
                     "criticality_source": src.get("criticality", ""), "alternatives": r.alternatives,
                     "alternatives_source": src.get("alternatives", ""), "contract_end_year": r.contract_end_year,
                     "contract_end_year_source": src.get("contract_end_year", ""), "n_lines": r.n_lines})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# 4. The four steps and the quick wins, vectorised over one table of many authorities
# --------------------------------------------------------------------------------------------

def _round(values):
    return np.round(np.asarray(values, dtype=float), DECIMALS)


def _class_index(values, classes: list[dict]) -> np.ndarray:
    mins = np.array([c["min"] for c in classes])
    return np.searchsorted(mins, _round(values), side="right") - 1


def classify(values, classes: list[dict]) -> list[str]:
    """Class id of each value: the last class (listed by increasing ``min``) whose min it reaches."""
    ids = np.array([c["id"] for c in classes], dtype=object)
    return ids[_class_index(values, classes)].tolist()


DIAGNOSTIC_COLUMNS = [
    "authority_id", "priority_rank", "category", "label_fr", "amount_eur", "share_of_spend", "eu_share",
    "non_eu_share", "unknown_share", "eu_eur", "non_eu_eur", "unknown_eur", "criticality", "criticality_label",
    "risk_score", "risk_class", "risk_if_unknown_non_eu", "alternatives", "alternatives_score", "contract_end_year",
    "horizon_years", "horizon_score", "capacity", "capacity_class", "priority_score", "priority_class",
    "priority_label", "quick_win_score", "quick_win", "quick_win_rank", "n_lines", "amount_source",
]


def diagnose_frame(categories: pd.DataFrame, method: Method) -> pd.DataFrame:
    """The four steps for every authority of ``categories`` (CATEGORY_COLUMNS plus ``authority_id``)
    in one vectorised pass: one row per authority and category, authorities in the order they come,
    categories in priority order within each."""
    t = categories.reset_index(drop=True)
    amount = t["amount_eur"].to_numpy(dtype=float)
    eu, non_eu, unknown = (t[c].to_numpy(dtype=float) for c in ("eu_eur", "non_eu_eur", "unknown_eur"))
    codes, _ = pd.factorize(t["authority_id"])
    totals = np.bincount(codes, weights=amount)
    criticality = t["criticality"].to_numpy(dtype=float)
    out = pd.DataFrame({"authority_id": t["authority_id"], "category": t["category"], "label_fr": t["label_fr"],
                        "amount_eur": amount, "share_of_spend": _round(amount / totals[codes]),
                        "eu_share": _round(eu / amount), "non_eu_share": _round(non_eu / amount),
                        "unknown_share": _round(unknown / amount), "eu_eur": eu, "non_eu_eur": non_eu,
                        "unknown_eur": unknown, "criticality": t["criticality"].astype(int)})
    out["criticality_label"] = out["criticality"].map(method.criticality_labels)
    top_level = max(CRITICALITY_LEVELS)
    risk = _round(out["non_eu_share"].to_numpy() * criticality / top_level)
    out["risk_score"] = risk
    risk_ids = np.array([c["id"] for c in method.risk_classes], dtype=object)
    out["risk_class"] = risk_ids[_class_index(risk, method.risk_classes)]
    out["risk_if_unknown_non_eu"] = _round((non_eu + unknown) / amount * criticality / top_level)
    for column in ("alternatives", "alternatives_score", "contract_end_year", "horizon_years", "horizon_score"):
        out[column] = t[column].to_numpy()
    capacity = _round(method.weights["alternatives"] * t["alternatives_score"].to_numpy(dtype=float)
                      + method.weights["contract_horizon"] * t["horizon_score"].to_numpy(dtype=float))
    out["capacity"] = capacity
    capacity_ids = np.array([c["id"] for c in method.capacity_classes], dtype=object)
    out["capacity_class"] = capacity_ids[_class_index(capacity, method.capacity_classes)]
    priority = _round(risk * (1 - capacity))
    out["priority_score"] = priority
    priority_ids = np.array([c["id"] for c in method.priority_classes], dtype=object)
    priority_labels = np.array([c["label_fr"] for c in method.priority_classes], dtype=object)
    index = _class_index(priority, method.priority_classes)
    out["priority_class"], out["priority_label"] = priority_ids[index], priority_labels[index]
    out["quick_win_score"] = _round(risk * capacity)
    out["quick_win"] = (risk >= method.quick_win["min_risk"]) & (capacity >= method.quick_win["min_capacity"])
    out["n_lines"] = t["n_lines"].to_numpy()
    out["amount_source"] = t["amount_source"].to_numpy()
    out["_authority"] = codes
    out["_order"] = t["category"].map(dict(zip(method.categories["id"], method.categories["order"]))).to_numpy()
    # quick-win rank: among the quick wins of an authority, by quick-win score, then non-EU spend
    ranked = out.sort_values(["_authority", "quick_win", "quick_win_score", "non_eu_eur", "_order"],
                             ascending=[True, False, False, False, True], kind="mergesort")
    quick_rank = ranked.groupby("_authority", sort=False).cumcount() + 1
    out["quick_win_rank"] = np.where(out["quick_win"], quick_rank.reindex(out.index).to_numpy(), 0)
    out = out.sort_values(["_authority", "priority_score", "non_eu_eur", "_order"],
                          ascending=[True, False, False, True], kind="mergesort")
    out["priority_rank"] = out.groupby("_authority", sort=False).cumcount().to_numpy() + 1
    return out[DIAGNOSTIC_COLUMNS].reset_index(drop=True)


def authorities_frame(authorities: list[Authority]) -> pd.DataFrame:
    """The category tables of several authorities as one table (with ``authority_id``)."""
    return pd.concat([a.categories.assign(authority_id=a.id) for a in authorities], ignore_index=True)


def diagnose(authority: Authority, method: Method) -> pd.DataFrame:
    """The four steps for one authority: one row per category, in priority order."""
    return diagnose_frame(authority.categories.assign(authority_id=authority.id), method)


def dependency_totals(dependency: pd.DataFrame) -> dict[str, float]:
    """Step 1, whole authority: total, EU, non-EU and unknown-jurisdiction spend (€) and shares."""
    total = float(dependency["amount_eur"].sum())
    eu = float(dependency["eu_eur"].sum())
    non_eu = float(dependency["non_eu_eur"].sum())
    unknown = float(dependency["unknown_eur"].sum()) if "unknown_eur" in dependency else 0.0
    share = (lambda x: x / total) if total else (lambda x: math.nan)
    return {"n_categories": int(len(dependency)), "total_eur": total, "eu_eur": eu, "non_eu_eur": non_eu,
            "unknown_eur": unknown, "eu_share": share(eu), "non_eu_share": share(non_eu),
            "unknown_share": share(unknown)}


# --------------------------------------------------------------------------------------------
# 5. Summaries and the batch run
# --------------------------------------------------------------------------------------------

def _eur_fr(x: float) -> str:
    from analysis.plotting import number_fr
    if abs(x) >= 1e6:
        return f"{number_fr(x / 1e6, 2)} M€"
    return f"{number_fr(x / 1e3, 0)} k€"


SUMMARY_TOP = 3


def summary_frame(authorities: list[Authority], diagnosis: pd.DataFrame, method: Method,
                  top: int = SUMMARY_TOP) -> pd.DataFrame:
    """One row per authority, vectorised over the batch table: totals and shares, stated totals,
    non-EU spend in critical categories, categories per priority class, quick wins, the first
    ``top`` priorities and a one-line summary (French)."""
    d = diagnosis
    meta = pd.DataFrame({"authority_id": [a.id for a in authorities], "name_fr": [a.name_fr for a in authorities],
                         "kind": [a.kind for a in authorities], "reference_year": [a.reference_year for a in authorities],
                         "stated_eu_eur": [(a.stated_totals or {}).get("eu_eur", math.nan) for a in authorities],
                         "stated_non_eu_eur": [(a.stated_totals or {}).get("non_eu_eur", math.nan) for a in authorities]})
    critical_non_eu = d["non_eu_eur"].where(d["criticality"] >= method.critical_from, 0.0)
    g = d.assign(_critical=critical_non_eu, _quick=d["quick_win"].astype(int)).groupby("authority_id", sort=False)
    sums = g.agg(n_categories=("category", "size"), total_eur=("amount_eur", "sum"), eu_eur=("eu_eur", "sum"),
                 non_eu_eur=("non_eu_eur", "sum"), unknown_eur=("unknown_eur", "sum"),
                 critical_non_eu_eur=("_critical", "sum"), n_quick_wins=("_quick", "sum"))
    counts = pd.crosstab(d["authority_id"], d["priority_class"])
    out = meta.join(sums, on="authority_id")
    for share, column in (("eu_share", "eu_eur"), ("non_eu_share", "non_eu_eur"), ("unknown_share", "unknown_eur")):
        out[share] = out[column] / out["total_eur"]
    out["critical_share_of_non_eu"] = np.where(out["non_eu_eur"] > 0, out["critical_non_eu_eur"]
                                               / out["non_eu_eur"].where(out["non_eu_eur"] > 0, 1), math.nan)
    for c in reversed(method.priority_classes):
        out[f"n_{c['id']}"] = out["authority_id"].map(counts[c["id"]] if c["id"] in counts else {}).fillna(0).astype(int)
    firsts = d[d["priority_rank"] <= top].pivot(index="authority_id", columns="priority_rank", values="category")
    labels = d[d["priority_rank"] <= top].pivot(index="authority_id", columns="priority_rank", values="label_fr")
    for k in range(1, top + 1):
        out[f"priority_{k}"] = out["authority_id"].map(firsts[k] if k in firsts else {}).fillna("")
    quick = d[d["quick_win_rank"] == 1].set_index("authority_id")["category"]
    out["first_quick_win"] = out["authority_id"].map(quick).fillna("")
    label_lists = labels.reindex(out["authority_id"]).apply(lambda r: [x for x in r if isinstance(x, str)], axis=1)
    out["summary_fr"] = [summary_line(row, top_labels, method)
                         for row, top_labels in zip(out.to_dict("records"), label_lists)]
    columns = ["authority_id", "name_fr", "kind", "reference_year", "n_categories", "total_eur", "eu_eur",
               "non_eu_eur", "unknown_eur", "eu_share", "non_eu_share", "unknown_share", "stated_eu_eur",
               "stated_non_eu_eur", "critical_non_eu_eur", "critical_share_of_non_eu",
               *[f"n_{c['id']}" for c in reversed(method.priority_classes)], "n_quick_wins",
               *[f"priority_{k}" for k in range(1, top + 1)], "first_quick_win", "summary_fr"]
    return out[columns]


def summary_row(authority: Authority, diagnosis: pd.DataFrame, method: Method, top: int = SUMMARY_TOP) -> dict:
    """The summary of one authority (see :func:`summary_frame`)."""
    return summary_frame([authority], diagnosis, method, top).iloc[0].to_dict()


def summary_line(row: dict, top_labels: list[str], method: Method) -> str:
    """``<name> : 11,63 M€ sur 14 postes, dont 6,03 M€ hors UE (51,8 %) ; 2 postes en priorité 1 ;
    priorités : 1. …, 2. …, 3. …``"""
    from analysis.plotting import percent_fr
    first = method.priority_classes[-1]
    count = row[f"n_{first['id']}"]
    ranked = ", ".join(f"{k}. {label}" for k, label in enumerate(top_labels, 1))
    unknown = (f", {_eur_fr(row['unknown_eur'])} de juridiction inconnue ({percent_fr(100 * row['unknown_share'], 1)})"
               if row.get("unknown_eur", 0) > 0 else "")
    return (f"{row['name_fr']} : {_eur_fr(row['total_eur'])} sur {row['n_categories']} postes, dont "
            f"{_eur_fr(row['non_eu_eur'])} hors UE ({percent_fr(100 * row['non_eu_share'], 1)}){unknown} ; "
            f"{count} poste{'s' if count != 1 else ''} en {first['label_fr']} ; priorités : {ranked}")


def run_batch(directory: str | os.PathLike, method: Method, *more: str | os.PathLike) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The diagnostic of every authority file of the folder(s), in one vectorised pass: a tidy table
    (authority × category, in authority then priority order) and a summary (one row per authority)."""
    return batch(load_authorities(directory, method, *more), method)


def batch(authorities: list[Authority], method: Method) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The vectorised batch over loaded authorities."""
    tidy = diagnose_frame(authorities_frame(authorities), method)
    return tidy, summary_frame(authorities, tidy, method)


def batch_per_authority(authorities: list[Authority], method: Method) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The same results, one authority at a time (the reference path the benchmark compares with)."""
    diagnoses = [diagnose(a, method) for a in authorities]
    tidy = pd.concat(diagnoses, ignore_index=True)
    summary = pd.concat([summary_frame([a], d, method) for a, d in zip(authorities, diagnoses)], ignore_index=True)
    return tidy, summary


def split_note(authority: Authority, lang: str = "fr") -> str:
    """What the figure of the EU / non-EU split may be read as, by kind of authority."""
    from analysis import i18n

    if authority.kind == "example" and authority.file_format == "yaml":
        return i18n.text("diagnostic.note.example", lang)
    if authority.kind == "synthetic":
        return i18n.text("diagnostic.note.synthetic", lang)
    return i18n.text("diagnostic.note.authority", lang)


# --------------------------------------------------------------------------------------------
# 6. Command line: check files (before anything is written), run the batch over folders
# --------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    import argparse
    import sys

    from analysis.io import write_csv, write_text

    parser = argparse.ArgumentParser(description="TIE Break self-diagnostic: check authority files, run the batch")
    sub = parser.add_subparsers(dest="command")
    check = sub.add_parser("check", help="check authority files or folders; report every problem; write nothing "
                                         "but the stamp (only when every file is valid)")
    check.add_argument("paths", nargs="+", help="authority files (.yaml, .csv, .xlsx) or folders of them")
    check.add_argument("--method", default=str(METHOD_FILE.relative_to(config.ROOT)))
    check.add_argument("--stamp", help="file written (empty) when every file is valid")
    run = sub.add_parser("batch", help="run the batch over folders and write its two tables")
    run.add_argument("folders", nargs="*", default=[str(AUTHORITIES_DIR.relative_to(config.ROOT))])
    run.add_argument("--method", default=str(METHOD_FILE.relative_to(config.ROOT)))
    run.add_argument("--tables", help="folder to write diagnostic_batch_categories.csv and diagnostic_batch_summary.csv to")
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        method = load_method(args.method)
    except DiagnosticError as error:
        print(error, file=sys.stderr)
        return 1
    if args.command == "check":
        files = []
        for given in args.paths:
            path = config.resolve(given)
            files += authority_files(path) if path.is_dir() else [path]
        _, errors = check_files(files, method)
        if errors:
            print(f"{len(errors)} file(s) with problems; nothing was written:\n\n" + "\n\n".join(errors), file=sys.stderr)
            return 1
        if args.stamp:
            write_text("", args.stamp)
        print(f"{len(files)} authority file(s) valid")
        return 0
    try:
        tidy, summary = run_batch(args.folders[0], method, *args.folders[1:])
    except DiagnosticError as error:
        print(error, file=sys.stderr)
        return 1
    if args.tables:
        write_csv(tidy, Path(args.tables) / "diagnostic_batch_categories.csv")
        write_csv(summary, Path(args.tables) / "diagnostic_batch_summary.csv")
    print(f"{len(summary)} authorities diagnosed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
