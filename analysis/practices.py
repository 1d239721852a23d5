"""OECD procurement practices: Table 12.1 of the Digital Education Outlook 2023.

The table is only on the study's slides; ``data/raw/slides/oecd_deo2023_table_12_1.csv`` is its
transcription, one row per system and practice. This module:

1. reads and checks it (``PRACTICES_RAW_SCHEMA`` for the columns, then :func:`check_consistency`
   for what ties columns together); every error names the file, the row and the column;
2. counts the practices, recomputes the slides' statements about the table (:func:`claim_checks`);
3. builds a typology: Jaccard distances between the systems' practice profiles, a hierarchical
   clustering, the nearest systems of France;
4. maps systems to the procurement-framework variants V1–V4 with the rules of
   ``data/practices/variant_map.yaml`` (:func:`variant_map`);
5. runs exact (Fisher) tests of the associations the slides argue from;
6. measures the typology's stability (cophenetic correlation, silhouette, other linkages and
   distances, a bootstrap over systems, the cells that decide France's neighbours).
Figures are in :mod:`analysis.practices_figures`.

What is a practice, a family, a criterion, a variant rule or an association to test is data
(``data/practices/*.yaml``), never a literal here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from analysis import config
from analysis.io import read_yaml
from analysis.validation import DataValidationError, read_csv_validated, schema_violations

RAW_FILE = config.RAW / "slides" / "oecd_deo2023_table_12_1.csv"
SYSTEMS_FILE = config.MAPPINGS / "education_systems.csv"
PRACTICES_DATA = config.DATA / "practices"
DEFINITIONS_FILE = PRACTICES_DATA / "practices.yaml"
VARIANT_RULES_FILE = PRACTICES_DATA / "variant_map.yaml"
ASSOCIATION_TESTS_FILE = PRACTICES_DATA / "association_tests.yaml"

#: Columns of the variant map that the variants part reads (output contract).
VARIANT_MAP_COLUMNS = ["system_code", "system_name_fr", "variant_id", "variant_name_fr", "evidence",
                       "rationale"]
#: Name of the derived feature "buys some tools centrally" (rule in practices.yaml).
CENTRAL_BUYER = "central_buyer"
#: The system the study is about.
FRANCE = "FRA"

SOURCE_LINE = ("Source : OCDE, Perspectives de l'OCDE sur l'éducation numérique 2023, tableau 12.1 "
               "(transcrit des diapositives du 13/01/2026) ; calculs du projet.")


class PracticesConfigError(ValueError):
    """A YAML file of data/practices/ is malformed; the message names file, entry and field."""


def _shown(path: Path) -> str:
    path = Path(path)
    try:
        return str(path.resolve().relative_to(config.ROOT))
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------------------------
# 0. Definitions (data/practices/*.yaml), checked with JSON Schema
# --------------------------------------------------------------------------------------------

_SOURCED_VALUE = {"type": "object", "required": ["value", "rationale", "source"], "additionalProperties": False,
                  "properties": {"value": {"type": "number"}, "rationale": {"type": "string", "minLength": 5},
                                 "source": {"type": "string", "minLength": 3}}}

DEFINITIONS_SCHEMA = {
    "type": "object",
    "required": ["source_table", "families", "practices", "criteria", "claim_rules"],
    "additionalProperties": False,
    "properties": {
        "source_table": {"type": "string"},
        "families": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["id", "label_fr", "short_fr", "source"], "additionalProperties": False,
            "properties": {"id": {"type": "string", "pattern": "^[a-z_]+$"}, "label_fr": {"type": "string"},
                           "short_fr": {"type": "string"}, "source": {"type": "string", "minLength": 3}}}},
        "practices": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["id", "family", "label_fr", "short_fr", "source"],
            "additionalProperties": False,
            "properties": {"id": {"type": "string", "pattern": "^[a-z_]+$"}, "family": {"type": "string"},
                           "label_fr": {"type": "string"}, "short_fr": {"type": "string"},
                           "source": {"type": "string", "minLength": 3}}}},
        "criteria": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["id", "label_fr", "source"], "additionalProperties": False,
            "properties": {"id": {"type": "string", "pattern": "^[a-z_]+$"}, "label_fr": {"type": "string"},
                           "source": {"type": "string", "minLength": 3}}}},
        "claim_rules": {
            "type": "object", "required": ["central_buyer", "rare_share_max", "most_share_min"],
            "additionalProperties": False,
            "properties": {
                "central_buyer": {"type": "object", "required": ["any_of", "rationale", "source"],
                                  "additionalProperties": False,
                                  "properties": {"any_of": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                                                 "rationale": {"type": "string"}, "source": {"type": "string"}}},
                "rare_share_max": _SOURCED_VALUE,
                "most_share_min": _SOURCED_VALUE,
            },
        },
    },
}

VARIANT_RULES_SCHEMA = {
    "type": "object",
    "required": ["multiple", "primary", "rules"],
    "additionalProperties": False,
    "properties": {
        "multiple": {"type": "boolean"},
        "primary": {"enum": ["rarest_rule_then_order", "rule_order"]},
        "rules": {"type": "array", "minItems": 1, "items": {
            "type": "object",
            "required": ["id", "variant_id", "variant_name_fr", "all_of", "any_of", "supporting", "rationale", "source"],
            "additionalProperties": False,
            "properties": {
                "id": {"type": "string", "minLength": 2},
                "variant_id": {"type": "string", "pattern": "^V[0-9]+$"},
                "variant_name_fr": {"type": "string", "minLength": 2},
                "all_of": {"type": "array", "items": {"type": "string"}},
                "any_of": {"type": "array", "items": {"type": "string"}},
                "supporting": {"type": "array", "items": {"type": "string"}},
                "rationale": {"type": "string", "minLength": 10},
                "source": {"type": "string", "minLength": 3},
            },
            "anyOf": [{"properties": {"all_of": {"minItems": 1}}}, {"properties": {"any_of": {"minItems": 1}}}],
        }},
    },
}

ASSOCIATION_TESTS_SCHEMA = {
    "type": "object",
    "required": ["alpha", "tests"],
    "additionalProperties": False,
    "properties": {
        "alpha": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
        "tests": {"type": "array", "minItems": 1, "items": {
            "type": "object",
            "required": ["id", "feature_a", "feature_b", "question_fr", "rationale", "source"],
            "additionalProperties": False,
            "properties": {"id": {"type": "string", "minLength": 2}, "feature_a": {"type": "string"},
                           "feature_b": {"type": "string"}, "question_fr": {"type": "string"},
                           "rationale": {"type": "string"}, "source": {"type": "string", "minLength": 3}}}},
    },
}


def _check_yaml(document, schema: dict, path: Path) -> None:
    violations = schema_violations(document, schema)
    if violations:
        raise PracticesConfigError("\n".join(f"{_shown(path)}: entry {where}: {message}" for where, message in violations))


@dataclass(frozen=True)
class Definitions:
    """Families, practices (table column order), criteria and the claim rules of practices.yaml."""

    families: pd.DataFrame     # id, label_fr, short_fr, source
    practices: pd.DataFrame    # id, family, label_fr, short_fr, source (column order of the table)
    criteria: pd.DataFrame     # id, label_fr, source
    central_buyer: tuple[str, ...]
    rare_share_max: float
    most_share_min: float
    source_table: str

    @property
    def practice_ids(self) -> list[str]:
        return self.practices["id"].tolist()

    @property
    def family_of(self) -> dict[str, str]:
        return dict(zip(self.practices["id"], self.practices["family"]))

    def short(self, practice: str) -> str:
        return self.practices.set_index("id").at[practice, "short_fr"]

    def criterion_label(self, criterion: str) -> str:
        return self.criteria.set_index("id").at[criterion, "label_fr"]


def load_definitions(path: Path = DEFINITIONS_FILE) -> Definitions:
    document = read_yaml(path)
    _check_yaml(document, DEFINITIONS_SCHEMA, path)
    families = pd.DataFrame(document["families"])
    practices = pd.DataFrame(document["practices"])
    criteria = pd.DataFrame(document["criteria"])
    for name, table in (("families", families), ("practices", practices), ("criteria", criteria)):
        duplicated = table["id"][table["id"].duplicated()].tolist()
        if duplicated:
            raise PracticesConfigError(f"{_shown(path)}: entry {name}: ids listed twice: {duplicated}")
    for i, row in practices.iterrows():
        if row["family"] not in set(families["id"]):
            raise PracticesConfigError(f"{_shown(path)}: entry practices/{i}: field family: "
                                       f"unknown family {row['family']!r}")
    rules = document["claim_rules"]
    for practice in rules["central_buyer"]["any_of"]:
        if practice not in set(practices["id"]):
            raise PracticesConfigError(f"{_shown(path)}: entry claim_rules/central_buyer: field any_of: "
                                       f"unknown practice {practice!r}")
    return Definitions(families=families, practices=practices, criteria=criteria,
                       central_buyer=tuple(rules["central_buyer"]["any_of"]),
                       rare_share_max=float(rules["rare_share_max"]["value"]),
                       most_share_min=float(rules["most_share_min"]["value"]),
                       source_table=document["source_table"])


@lru_cache(maxsize=1)
def definitions() -> Definitions:
    """The package's definitions (data/practices/practices.yaml), read once."""
    return load_definitions()


def _known_features(defs: Definitions) -> set[str]:
    return set(defs.practice_ids) | {CENTRAL_BUYER}


def load_variant_rules(path: Path = VARIANT_RULES_FILE, defs: Definitions | None = None) -> dict:
    """The system -> variant rules, checked: every practice named must be a practice of the table."""
    defs = defs or definitions()
    document = read_yaml(path)
    _check_yaml(document, VARIANT_RULES_SCHEMA, path)
    known = set(defs.practice_ids)
    for i, rule in enumerate(document["rules"]):
        for field in ("all_of", "any_of", "supporting"):
            unknown = [p for p in rule[field] if p not in known]
            if unknown:
                raise PracticesConfigError(f"{_shown(path)}: entry rules/{i} ({rule['id']}): field {field}: "
                                           f"unknown practice(s) {unknown}")
    ids = [rule["id"] for rule in document["rules"]]
    if len(set(ids)) != len(ids):
        raise PracticesConfigError(f"{_shown(path)}: entry rules: rule ids listed twice")
    return document


def load_association_tests(path: Path = ASSOCIATION_TESTS_FILE, defs: Definitions | None = None) -> dict:
    defs = defs or definitions()
    document = read_yaml(path)
    _check_yaml(document, ASSOCIATION_TESTS_SCHEMA, path)
    known = _known_features(defs)
    for i, test in enumerate(document["tests"]):
        for field in ("feature_a", "feature_b"):
            if test[field] not in known:
                raise PracticesConfigError(f"{_shown(path)}: entry tests/{i} ({test['id']}): field {field}: "
                                           f"unknown feature {test[field]!r}")
    return document


# --------------------------------------------------------------------------------------------
# 1. The systems and the raw table
# --------------------------------------------------------------------------------------------

SYSTEMS_SCHEMA = pa.DataFrameSchema(
    {
        "code": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}(_[A-Z]{2,3})?$"), unique=True),
        "country_code": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$")),
        "name_fr": pa.Column(str),
        "name_en": pa.Column(str),
        "slide_label_fr": pa.Column(str),
        "kind": pa.Column(str, pa.Check.isin(["country", "subnational"])),
        "oecd_member": pa.Column(bool),
        "in_table_12_1": pa.Column(bool),
    },
    strict=True,
)


@lru_cache(maxsize=1)
def systems() -> pd.DataFrame:
    """The education systems of Table 12.1 (and those the slides' text names), validated."""
    return read_csv_validated(SYSTEMS_FILE, SYSTEMS_SCHEMA, keep_default_na=False)


def system_names() -> dict[str, str]:
    return dict(zip(systems()["code"], systems()["name_fr"]))


_DEFS = definitions()
_CRITERIA_PATTERN = (r"^(unspecified|(" + "|".join(c for c in _DEFS.criteria["id"] if c != "unspecified")
                     + r")(\|(" + "|".join(c for c in _DEFS.criteria["id"] if c != "unspecified") + r"))*)$")
_CELL_PATTERN = r"^(✓\*?|[^✓]+)$"

PRACTICES_RAW_SCHEMA = pa.DataFrameSchema(
    {
        "table_row": pa.Column(int, pa.Check.in_range(1, 99), description="row of the table on the slides"),
        "system_code": pa.Column(str, pa.Check.isin(systems()["code"].tolist()),
                                 description="code of data/mappings/education_systems.csv"),
        "label_fr": pa.Column(str, description="the system's label as printed on the slides"),
        "family": pa.Column(str, pa.Check.isin(_DEFS.families["id"].tolist())),
        "practice": pa.Column(str, pa.Check.isin(_DEFS.practice_ids)),
        "value": pa.Column(str, pa.Check.isin(["yes", "no"])),
        # pandas reads a clean true/false column as booleans, a column with a stray value as text
        "asterisk": pa.Column(checks=pa.Check.isin([True, False, "true", "false"]),
                              description="the cell carries the table's asterisk (true/false)"),
        "criteria": pa.Column(str, pa.Check.str_matches(_CRITERIA_PATTERN), nullable=True,
                              description="binding criteria named in the cell, '|'-separated"),
        "cell_text": pa.Column(str, pa.Check.str_matches(_CELL_PATTERN), nullable=True,
                               description="the cell exactly as on the slides (empty = no tick)"),
    },
    unique=["system_code", "practice"],
    strict=True,
    coerce=True,
)


def _flag(value) -> bool:
    return value is True or value == "true" or (isinstance(value, (bool, np.bool_)) and bool(value))


def _criteria_of_cell(text: str) -> str | None:
    """The criteria codes a cell names, as in the raw file ('|'-separated; 'unspecified' for a tick)."""
    if not isinstance(text, str) or not text:
        return None
    names = [part.strip().rstrip("*").strip() for part in text.split(",")]
    if names == ["✓"]:
        return "unspecified"
    by_label = dict(zip(_DEFS.criteria["label_fr"], _DEFS.criteria["id"]))
    codes = [by_label.get(name) for name in names]
    return None if None in codes else "|".join(codes)


def check_consistency(frame: pd.DataFrame, source: str, defs: Definitions | None = None,
                      header_lines: int = 1) -> None:
    """Checks that tie columns together (run after the column schema). Raises
    :class:`DataValidationError` naming file, row and column for each failure."""
    defs = defs or definitions()
    failures = []

    def fail(index, column, check, value):
        failures.append({"line": int(index) + header_lines + 1, "column": column, "check": check,
                         "value": None if (isinstance(value, float) and np.isnan(value)) else value})

    family_of = defs.family_of
    mapping = systems().set_index("code")
    text = frame["cell_text"].fillna("")
    for i, row in frame.iterrows():
        cell = text.at[i]
        if row["family"] != family_of[row["practice"]]:
            fail(i, "family", f"practice {row['practice']!r} belongs to family {family_of[row['practice']]!r}",
                 row["family"])
        if (row["value"] == "yes") != bool(cell):
            fail(i, "value", "value must be 'yes' exactly when the cell has text", row["value"])
        if _flag(row["asterisk"]) != ("*" in cell):
            fail(i, "asterisk", "asterisk must be true exactly when the cell has a '*'", row["asterisk"])
        expected = _criteria_of_cell(cell) if row["practice"] == "binding_criteria" else None
        if row["practice"] != "binding_criteria" and cell not in ("", "✓", "✓*"):
            fail(i, "cell_text", "only the binding-criteria column may name criteria", cell)
        given = row["criteria"] if isinstance(row["criteria"], str) else None
        if given != expected:
            fail(i, "criteria", f"criteria must match the cell text (expected {expected!r})", given)
        expected_label = mapping.at[row["system_code"], "slide_label_fr"]
        if row["label_fr"] != expected_label:
            fail(i, "label_fr", f"label differs from the mapping's slide label {expected_label!r}", row["label_fr"])
        if not mapping.at[row["system_code"], "in_table_12_1"]:
            fail(i, "system_code", "system marked in_table_12_1=false in the mapping", row["system_code"])
    for code, group in frame.groupby("system_code", sort=False):
        missing = [p for p in defs.practice_ids if p not in set(group["practice"])]
        if missing:
            fail(group.index[0], "practice", f"system {code} lacks practice(s) {missing}", code)
        if group["table_row"].nunique() != 1:
            fail(group.index[0], "table_row", f"system {code} spans several table rows", code)
    rows_per_system = frame.groupby("table_row")["system_code"].nunique()
    for table_row in rows_per_system.index[rows_per_system > 1]:
        index = frame.index[frame["table_row"] == table_row][0]
        fail(index, "table_row", "several systems share one table row", int(table_row))
    if failures:
        raise DataValidationError(source, failures)


def read_raw(path: Path = RAW_FILE, defs: Definitions | None = None) -> pd.DataFrame:
    """The transcription of Table 12.1, validated (columns, then consistency), in table order."""
    frame = read_csv_validated(path, PRACTICES_RAW_SCHEMA)
    check_consistency(frame, _shown(path), defs)
    frame["asterisk"] = frame["asterisk"].map(_flag).astype(bool)
    defs = defs or definitions()
    order = {p: i for i, p in enumerate(defs.practice_ids)}
    return (frame.assign(_order=frame["practice"].map(order))
            .sort_values(["table_row", "_order"]).drop(columns="_order").reset_index(drop=True))


# --------------------------------------------------------------------------------------------
# 2. Matrix, counts, profiles
# --------------------------------------------------------------------------------------------

def practice_matrix(raw: pd.DataFrame, defs: Definitions | None = None) -> pd.DataFrame:
    """Systems x practices, 1 = yes, in table row order and table column order."""
    defs = defs or definitions()
    wide = (raw.assign(flag=(raw["value"] == "yes").astype(int))
            .pivot(index="system_code", columns="practice", values="flag"))
    order = raw.drop_duplicates("system_code").sort_values("table_row")["system_code"]
    return wide.loc[order, defs.practice_ids].rename_axis(index="system_code", columns=None)


def features(matrix: pd.DataFrame, defs: Definitions | None = None) -> pd.DataFrame:
    """The matrix plus the derived feature ``central_buyer`` (any practice of the central rule)."""
    defs = defs or definitions()
    out = matrix.copy()
    out[CENTRAL_BUYER] = matrix[list(defs.central_buyer)].max(axis=1)
    return out


def _names(codes) -> str:
    names = system_names()
    return ", ".join(names[c] for c in codes)


def practice_counts(raw: pd.DataFrame, defs: Definitions | None = None) -> pd.DataFrame:
    """Per practice and per family (any of its practices): systems with it, share, asterisks, France."""
    defs = defs or definitions()
    matrix = practice_matrix(raw, defs)
    n = len(matrix)
    starred = raw[raw["asterisk"]].groupby("practice")["system_code"].nunique()
    rows = []
    for family in defs.families.itertuples():
        members = defs.practices.loc[defs.practices["family"] == family.id, "id"].tolist()
        has = matrix[members].max(axis=1)
        rows.append({"level": "famille", "family": family.id, "practice": "", "label_fr": family.short_fr,
                     "n_systems_yes": int(has.sum()), "n_systems": n, "share": has.sum() / n,
                     "n_asterisk": int(raw[raw["practice"].isin(members) & raw["asterisk"]]["system_code"].nunique()),
                     "france": int(has.get(FRANCE, 0)), "systems_fr": _names(has.index[has == 1])})
        for practice in members:
            col = matrix[practice]
            rows.append({"level": "pratique", "family": family.id, "practice": practice,
                         "label_fr": defs.short(practice), "n_systems_yes": int(col.sum()), "n_systems": n,
                         "share": col.sum() / n, "n_asterisk": int(starred.get(practice, 0)),
                         "france": int(col.get(FRANCE, 0)), "systems_fr": _names(col.index[col == 1])})
    return pd.DataFrame(rows)


def criteria_counts(raw: pd.DataFrame, defs: Definitions | None = None) -> pd.DataFrame:
    """Per binding criterion: the systems naming it."""
    defs = defs or definitions()
    cells = raw[(raw["practice"] == "binding_criteria") & raw["criteria"].notna()]
    rows = []
    for criterion in defs.criteria.itertuples():
        codes = [r.system_code for r in cells.itertuples() if criterion.id in r.criteria.split("|")]
        rows.append({"criterion": criterion.id, "label_fr": criterion.label_fr, "n_systems": len(codes),
                     "france": int(FRANCE in codes), "systems_fr": _names(codes)})
    return pd.DataFrame(rows)


def system_profile(raw: pd.DataFrame, code: str = FRANCE, defs: Definitions | None = None) -> pd.DataFrame:
    """One system's row of the table: each practice, yes/no, asterisk, criteria in French."""
    defs = defs or definitions()
    rows = raw[raw["system_code"] == code]
    if rows.empty:
        raise KeyError(f"system {code!r} is not in Table 12.1")
    family_short = dict(zip(defs.families["id"], defs.families["short_fr"]))
    out = []
    for r in rows.itertuples():
        criteria = "" if not isinstance(r.criteria, str) else ", ".join(
            defs.criterion_label(c) for c in r.criteria.split("|"))
        out.append({"family_fr": family_short[r.family], "practice": r.practice,
                    "practice_fr": defs.short(r.practice), "value": r.value,
                    "asterisk": bool(r.asterisk), "criteria_fr": criteria})
    return pd.DataFrame(out)


# --------------------------------------------------------------------------------------------
# 3. The slides' statements, recomputed
# --------------------------------------------------------------------------------------------

def _statements():
    from analysis import oecd
    return oecd.read_slide_statements()


def _share_text(k: int, n: int) -> str:
    return f"{k}/{n} = {k / n:.1%}"


def share_readings(k_by_set: dict[str, tuple[int, int]], spec: dict) -> pd.DataFrame:
    """A share claim ('plus des deux tiers', 'la plupart', 'rares') under every threshold and
    country set of ``spec`` (an entry of data/claims/thresholds.yaml): ``k_by_set`` gives, per
    country set, (systems counted, systems in the set)."""
    rows = []
    for country_set in spec["country_sets"]:
        k, n = k_by_set[country_set]
        for threshold in spec["thresholds"]:
            share = k / n
            holds = share > threshold["value"] if spec["test"] == "share_more_than" else share <= threshold["value"] + 1e-12
            rows.append({"main": country_set == spec["main"]["country_set"] and threshold["id"] == spec["main"]["threshold"],
                         "country_set": country_set, "reading": threshold["id"], "threshold": threshold["value"],
                         "k": k, "n": n, "share": share, "holds": bool(holds)})
    out = pd.DataFrame(rows)
    if out["main"].sum() != 1:
        raise ValueError(f"main reading {spec['main']} matches {int(out['main'].sum())} rows (expected 1)")
    return out


def _readings_text(readings: pd.DataFrame) -> str:
    parts = [f"{r.country_set}, {r.reading} ({r.threshold:.2f}): {r.k}/{r.n} = {r.share:.1%} "
             f"{'holds' if r.holds else 'fails'}" for r in readings.itertuples()]
    return f"Holds in {int(readings['holds'].sum())} of {len(readings)} readings: " + "; ".join(parts) + "."


def claim_checks(raw: pd.DataFrame, defs: Definitions | None = None, statements: pd.DataFrame | None = None,
                 thresholds: dict | None = None) -> pd.DataFrame:
    """Every statement of the slides about Table 12.1 and the practices' slides, recomputed:
    ``claim_id``, ``computed_value``, ``explanation`` (for the ledger) and ``readings_true`` (share
    of the readings under which a verbal claim holds). Booleans are 1/0. The numbers and names the
    slides print are read from ``data/raw/slides/oecd_slide_statements.csv``, the thresholds of
    the verbal claims from ``data/claims/thresholds.yaml``."""
    return _claims(raw, defs, statements, thresholds)[0]


def claim_readings(raw: pd.DataFrame, defs: Definitions | None = None, statements: pd.DataFrame | None = None,
                   thresholds: dict | None = None) -> dict[str, pd.DataFrame]:
    """The readings table of each verbal claim of this part, ``{claim_id: table}``."""
    return _claims(raw, defs, statements, thresholds)[1]


def _claims(raw, defs, statements, thresholds):
    from analysis import claims as claims_module
    from analysis import oecd

    defs = defs or definitions()
    statements = _statements() if statements is None else statements
    thresholds = claims_module.load_thresholds() if thresholds is None else thresholds
    matrix = features(practice_matrix(raw, defs), defs)
    n = len(matrix)
    central = matrix[CENTRAL_BUYER] == 1
    delegated = matrix["delegated_provision"] == 1
    no_nego = matrix["price_negotiation"] == 0
    guidance = matrix["guidance_to_schools"] == 1
    fra = matrix.loc[FRANCE]
    announced = int(oecd.slide_statement(statements, "pract_bullet_1")["value"])
    rows, readings = [], {}

    def add(claim_id, value, explanation, share=np.nan):
        rows.append({"claim_id": claim_id, "computed_value": float(value), "explanation": explanation,
                     "readings_true": share})

    # systems count: true of the OECD's analysis; the slides' table lacks one row
    absent = systems()[~systems()["in_table_12_1"]]
    add("PRACT-SYSTEMS-COUNT", announced,
        f"The OECD's analysis counts Belgium as its Flemish and French Communities, hence {announced} systems: "
        f"the statement is the OECD's. What the slides lack is one row of the table ({n} rows; see PRACT-TABLE-ROWS).")
    add("PRACT-TABLE-ROWS", n,
        f"The table on the slides has {n} rows against {announced} systems announced. Named in the text but absent "
        f"from the table: {', '.join(absent['name_fr'])} (slide label {', '.join(repr(x) for x in absent['slide_label_fr'])}).")
    caption = oecd.slide_statement(statements, "pract_caption")
    add("PRACT-TABLE-CAPTION-YEAR", caption["value"],
        f"The caption reads '{caption['text']}'. The table is from the OECD Digital Education Outlook 2023 "
        "(published in December 2023); a situation dated 2024 cannot be checked from the slides, and the OECD "
        "original is not in the package.")
    # central buying
    k_central = int(central.sum())
    add("PRACT-CENTRAL-COUNT", k_central,
        f"Systems with direct provision or delegation (central government procurement): {k_central} of {n}. "
        f"Not central: {_names(matrix.index[~central])}.")
    table = share_readings({"table": (k_central, n), "announced": (k_central, announced)},
                           thresholds["PRACT-CENTRAL-TWO-THIRDS"])
    readings["PRACT-CENTRAL-TWO-THIRDS"] = table
    add("PRACT-CENTRAL-TWO-THIRDS", int(table.loc[table["main"], "holds"].iloc[0]),
        "Share of central buyers over the table's rows and over the systems announced. " + _readings_text(table),
        claims_module.readings_share(table))
    # delegation
    k_deleg = int(delegated.sum())
    add("PRACT-DELEGATED-COUNT", k_deleg,
        f"Systems delegating provision to another organisation: {k_deleg} of {n} ({_names(matrix.index[delegated])}).")
    add("PRACT-FRA-DELEGATES", int(fra["delegated_provision"]),
        f"France's delegation cell: {'ticked' if fra['delegated_provision'] else 'empty'} "
        f"(the slides' footnote: '{oecd.slide_statement(statements, 'pract_footnote')['text'].lstrip('* ')}').")
    # non-central examples
    examples = oecd.statement_items(statements, "pract_bullet_3", "items_codes")
    not_central = [c for c in examples if not central[c]]
    no_practice = [c for c in examples if matrix.loc[c, defs.practice_ids].sum() == 0]
    with_guidance = [c for c in examples if guidance[c]]
    add("PRACT-NONCENTRAL-EXAMPLES", len(not_central),
        f"Of the {len(examples)} examples, {len(not_central)} buy nothing centrally"
        + (f" (central buyers among them: {_names([c for c in examples if central[c]])})"
           if len(not_central) < len(examples) else "")
        + f". Guidance to schools ('objectifs nationaux'): {_names(with_guidance) or 'none'}; "
        f"no practice at all in the table: {_names(no_practice) or 'none'}.")
    # France's profile
    regulated = defs.practices.loc[defs.practices["family"] == "regulated", "id"].tolist()
    central_cols = list(defs.central_buyer)
    fra_central = int(fra[central_cols].sum())
    fra_regulated = [p for p in regulated if fra[p]]
    holds = fra_central == len(central_cols) and len(fra_regulated) > 0
    add("PRACT-FRA-CENTRALISED-REGULATED", int(holds),
        f"France has {fra_central} of the {len(central_cols)} central practices and "
        f"{len(fra_regulated)} of the {len(regulated)} regulated practices "
        f"({', '.join(defs.short(p) for p in fra_regulated) or 'none'}); no pre-authorised list nor "
        "case-by-case authorisation, so 'régulée' means binding criteria only.")
    fra_cell = raw[(raw["system_code"] == FRANCE) & (raw["practice"] == "binding_criteria")].iloc[0]
    fra_criteria = set(fra_cell["criteria"].split("|")) if isinstance(fra_cell["criteria"], str) else set()
    slide_criteria = set(oecd.statement_items(statements, "pract_bullet_7", "items_codes"))
    criteria_table = criteria_counts(raw, defs).set_index("criterion")
    only_interop = criteria_table.at["interoperability", "systems_fr"]
    add("PRACT-FRA-BINDING-CRITERIA", int(fra_criteria == slide_criteria),
        f"France's criteria cell: {fra_cell['cell_text']!r}. Systems naming interoperability: {only_interop}.")
    # price negotiation
    add("PRACT-FRA-NO-NEGOTIATION", int(no_nego[FRANCE]),
        f"France's price-negotiation cell is {'empty' if no_nego[FRANCE] else 'ticked'}.")
    k_all, k_central_no = int(no_nego.sum()), int((no_nego & central).sum())
    for claim_id, counts, who in (("PRACT-FRA-RARE-NO-NEGO-ALL", {"table": (k_all, n)}, no_nego),
                                  ("PRACT-FRA-RARE-NO-NEGO-CENTRAL", {"central": (k_central_no, k_central)},
                                   no_nego & central)):
        table = share_readings(counts, thresholds[claim_id])
        if not no_nego[FRANCE]:
            table["holds"] = False
        readings[claim_id] = table
        add(claim_id, int(table.loc[table["main"], "holds"].iloc[0]),
            f"Without price negotiation: {_names(matrix.index[who])}. " + _readings_text(table),
            claims_module.readings_share(table))
    # guidance
    k_guid, k_guid_nc, n_nc = int(guidance.sum()), int((guidance & ~central).sum()), int((~central).sum())
    table = share_readings({"table": (k_guid, n), "non_central": (k_guid_nc, n_nc)}, thresholds["PRACT-GUIDANCE-MOST"])
    readings["PRACT-GUIDANCE-MOST"] = table
    add("PRACT-GUIDANCE-MOST", int(table.loc[table["main"], "holds"].iloc[0]),
        f"Without guidance: {_names(matrix.index[~guidance])}. " + _readings_text(table),
        claims_module.readings_share(table))
    # the other slides' countries against Table 12.1
    own = oecd.statement_items(statements, "pract_bullet_4", "items_codes")
    add("PRACT-OWN-SOLUTIONS", len(own),
        "Not a column of Table 12.1, so it cannot be recomputed; "
        + ", ".join(f"{system_names()[c]} {'is' if c in matrix.index else 'is not'} a row of the slides' table"
                    + (f" ({int(matrix.loc[c, defs.practice_ids].sum())} practices, central buying: "
                       f"{'yes' if central[c] else 'no'})" if c in matrix.index else "") for c in own) + ".")
    advanced = oecd.statement_items(statements, "ppp_advanced_countries", "items_codes")
    add("PRACT-ADVANCED-COUNTRIES-MODEL", np.nan,
        "Table 12.1 against the countries cited as models: "
        + "; ".join(f"{system_names()[c]}: {int(matrix.loc[c, defs.practice_ids].sum())} of {len(defs.practice_ids)} practices"
                    for c in advanced if c in matrix.index)
        + ". Finland's row is empty: the table gives no procurement practice to imitate; the claim rests on "
        "evidence outside the table (labels, partnerships) that the package does not hold.")
    for claim_id, sid, criterion in (("PRACT-INTEROP-EXEMPLARY", "interop_exemplary_countries", "interoperability"),
                                     ("PRACT-ACCESS-EXEMPLARY", "accessibility_exemplary_countries", "equity_of_access")):
        cited = oecd.statement_items(statements, sid, "items_codes")
        naming = [c for c in cited if c in matrix.index and criterion in str(
            raw[(raw["system_code"] == c) & (raw["practice"] == "binding_criteria")]["criteria"].iloc[0])]
        add(claim_id, len(naming),
            f"Of the {len(cited)} exemplary countries, {len(naming)} ({_names(naming) or 'none'}) name "
            f"'{defs.criterion_label(criterion)}' among the binding procurement criteria of Table 12.1; every "
            f"system naming it: {criteria_table.at[criterion, 'systems_fr']}. The table records procurement "
            "criteria, not standards or labels, so it can neither confirm nor refute 'exemplaire'.")
    out = pd.DataFrame(rows)
    out.insert(1, "system_count", n)
    return out, readings


def claim_values(checks: pd.DataFrame) -> dict[str, tuple]:
    """The argument of ``claims.write_computed``: ``{claim_id: (value, explanation, readings_true)}``."""
    return {r.claim_id: (r.computed_value, r.explanation,
                         None if pd.isna(r.readings_true) else float(r.readings_true)) for r in checks.itertuples()}


# --------------------------------------------------------------------------------------------
# 4. Typology: distances, clustering, nearest systems
# --------------------------------------------------------------------------------------------

def jaccard_distances(matrix: pd.DataFrame) -> pd.DataFrame:
    """Jaccard distance between practice profiles (scipy). Two systems with no practice at all are
    at distance 0 (scipy's convention), and at distance 1 from every other system."""
    from scipy.spatial.distance import pdist, squareform

    values = matrix.to_numpy(dtype=bool)
    square = squareform(pdist(values, metric="jaccard"))
    return pd.DataFrame(square, index=matrix.index, columns=matrix.index)


def linkage(distances: pd.DataFrame, method: str = "average") -> np.ndarray:
    """Hierarchical clustering (scipy) of a square distance table."""
    from scipy.spatial.distance import squareform
    from scipy.cluster import hierarchy

    return hierarchy.linkage(squareform(distances.to_numpy(), checks=False), method=method)


def clusters(distances: pd.DataFrame, n_clusters: int, method: str = "average") -> pd.DataFrame:
    """Cut the tree into ``n_clusters`` groups; groups numbered in order of first appearance in the
    dendrogram's leaf order (stable labels)."""
    from scipy.cluster import hierarchy

    tree = linkage(distances, method)
    raw_labels = hierarchy.fcluster(tree, t=n_clusters, criterion="maxclust")
    leaves = hierarchy.leaves_list(tree)
    renumber = {}
    for leaf in leaves:
        renumber.setdefault(raw_labels[leaf], len(renumber) + 1)
    codes = distances.index
    names = system_names()
    out = pd.DataFrame({"system_code": codes[leaves], "system_name_fr": [names[c] for c in codes[leaves]],
                        "cluster": [renumber[raw_labels[i]] for i in leaves],
                        "leaf_order": range(1, len(leaves) + 1)})
    return out


def nearest_systems(distances: pd.DataFrame, matrix: pd.DataFrame, code: str = FRANCE, k: int = 5,
                    defs: Definitions | None = None) -> pd.DataFrame:
    """The ``k`` systems closest to ``code`` (all systems tied with the k-th are kept), with the
    practices they share and those that differ."""
    defs = defs or definitions()
    others = distances.loc[code].drop(code)
    order = sorted(others.index, key=lambda c: (others[c], c))
    cutoff = others[order[min(k, len(order)) - 1]]
    chosen = [c for c in order if others[c] <= cutoff + 1e-12]
    names = system_names()
    rows = []
    for c in chosen:
        shared = [defs.short(p) for p in defs.practice_ids if matrix.at[code, p] and matrix.at[c, p]]
        only_focus = [defs.short(p) for p in defs.practice_ids if matrix.at[code, p] and not matrix.at[c, p]]
        only_other = [defs.short(p) for p in defs.practice_ids if matrix.at[c, p] and not matrix.at[code, p]]
        rows.append({"rank": 1 + sum(others[x] < others[c] - 1e-12 for x in chosen),
                     "system_code": c, "system_name_fr": names[c], "jaccard_distance": others[c],
                     "shared_fr": ", ".join(shared), f"only_{code.lower()}_fr": ", ".join(only_focus),
                     "only_other_fr": ", ".join(only_other)})
    return pd.DataFrame(rows)


def identical_profiles(distances: pd.DataFrame) -> list[list[str]]:
    """Groups (of two or more) of systems with identical practice profiles (distance 0)."""
    groups, seen = [], set()
    for code in distances.index:
        if code in seen:
            continue
        group = [c for c in distances.index if distances.at[code, c] == 0]
        seen.update(group)
        if len(group) > 1:
            groups.append(group)
    return groups


def distances_long(distances: pd.DataFrame) -> pd.DataFrame:
    """The distance table as pairs (i < j in table order), for the CSV."""
    codes = list(distances.index)
    rows = [{"system_a": a, "system_b": b, "jaccard_distance": distances.at[a, b]}
            for i, a in enumerate(codes) for b in codes[i + 1:]]
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# 5. Systems -> variants V1..V4
# --------------------------------------------------------------------------------------------

def _rule_matches(row: pd.Series, rule: dict) -> bool:
    return all(row[p] == 1 for p in rule["all_of"]) and (
        not rule["any_of"] or any(row[p] == 1 for p in rule["any_of"]))


def variant_map(matrix: pd.DataFrame, rules: dict, defs: Definitions | None = None) -> pd.DataFrame:
    """One row per (system, variant) that a rule of ``rules`` matches (output contract:
    :data:`VARIANT_MAP_COLUMNS`). If a variant has several rules, the first matching one is used.
    Rows ordered by variant then table order."""
    defs = defs or definitions()
    names = system_names()
    rows = []
    for rule in rules["rules"]:
        for code, row in matrix.iterrows():
            if not _rule_matches(row, rule):
                continue
            decisive = [p for p in rule["all_of"] + rule["any_of"] if row[p] == 1]
            support = [p for p in rule["supporting"] if row[p] == 1]
            evidence = "Tableau 12.1 : " + ", ".join(defs.short(p) for p in decisive)
            if support:
                evidence += " ; à l'appui : " + ", ".join(defs.short(p) for p in support)
            rows.append({"system_code": code, "system_name_fr": names[code], "variant_id": rule["variant_id"],
                         "variant_name_fr": rule["variant_name_fr"], "evidence": evidence,
                         "rationale": " ".join(rule["rationale"].split()), "_rule": rule["id"]})
    frame = pd.DataFrame(rows, columns=VARIANT_MAP_COLUMNS + ["_rule"])
    frame = frame.drop_duplicates(["system_code", "variant_id"], keep="first")
    if not rules["multiple"]:
        frame = frame.drop_duplicates("system_code", keep="first")
    order = {c: i for i, c in enumerate(matrix.index)}
    frame = frame.assign(_o=frame["system_code"].map(order)).sort_values(["variant_id", "_o"])
    return frame.drop(columns=["_o", "_rule"]).reset_index(drop=True)


def primary_variants(matrix: pd.DataFrame, rules: dict, defs: Definitions | None = None) -> pd.DataFrame:
    """One variant per system (tie-break of ``rules['primary']``), and the systems no rule matches."""
    defs = defs or definitions()
    names = system_names()
    matched = {rule["id"]: [c for c, row in matrix.iterrows() if _rule_matches(row, rule)] for rule in rules["rules"]}
    position = {rule["id"]: i for i, rule in enumerate(rules["rules"])}
    rows = []
    for code in matrix.index:
        candidates = [rule for rule in rules["rules"] if code in matched[rule["id"]]]
        all_variants = ";".join(dict.fromkeys(r["variant_id"] for r in candidates))
        if not candidates:
            rows.append({"system_code": code, "system_name_fr": names[code], "primary_variant_id": "",
                         "primary_variant_name_fr": "aucune (aucune règle ne s'applique)",
                         "all_variant_ids": "", "n_systems_matching_rule": 0})
            continue
        if rules["primary"] == "rarest_rule_then_order":
            best = min(candidates, key=lambda r: (len(matched[r["id"]]), position[r["id"]]))
        else:
            best = candidates[0]
        rows.append({"system_code": code, "system_name_fr": names[code], "primary_variant_id": best["variant_id"],
                     "primary_variant_name_fr": best["variant_name_fr"], "all_variant_ids": all_variants,
                     "n_systems_matching_rule": len(matched[best["id"]])})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# 6. Exact tests of association
# --------------------------------------------------------------------------------------------

def contingency(feature_table: pd.DataFrame, a: str, b: str) -> np.ndarray:
    """2x2 counts [[a&b, a&~b], [~a&b, ~a&~b]] over the systems."""
    x, y = feature_table[a] == 1, feature_table[b] == 1
    return np.array([[int((x & y).sum()), int((x & ~y).sum())],
                     [int((~x & y).sum()), int((~x & ~y).sum())]])


def exact_test(table: np.ndarray, confidence: float = 0.95) -> dict:
    """Fisher's exact test (two-sided) and the conditional maximum-likelihood odds ratio with its
    exact confidence interval (scipy.stats.contingency.odds_ratio, kind='conditional')."""
    from scipy.stats import fisher_exact
    from scipy.stats.contingency import odds_ratio

    p_value = float(fisher_exact(table, alternative="two-sided").pvalue)
    result = odds_ratio(table, kind="conditional")
    interval = result.confidence_interval(confidence_level=confidence)
    return {"odds_ratio_conditional": float(result.statistic), "ci_low": float(interval.low),
            "ci_high": float(interval.high), "p_value": p_value}


def association_tests(matrix: pd.DataFrame, tests: dict, confidence: float = 0.95,
                      defs: Definitions | None = None) -> pd.DataFrame:
    """Every test of ``tests`` (association_tests.yaml): counts, odds ratio, exact CI, p-value,
    Holm-adjusted p-value across the tests, and a verdict in French."""
    from statsmodels.stats.multitest import multipletests

    defs = defs or definitions()
    table = features(matrix, defs)
    label = {CENTRAL_BUYER: "Achat central (fourniture directe ou délégation)"} | {
        p: defs.short(p) for p in defs.practice_ids}
    rows = []
    for test in tests["tests"]:
        counts = contingency(table, test["feature_a"], test["feature_b"])
        result = exact_test(counts, confidence)
        a_total, not_a_total = counts[0].sum(), counts[1].sum()
        rows.append({"test_id": test["id"], "question_fr": test["question_fr"],
                     "feature_a": test["feature_a"], "feature_b": test["feature_b"],
                     "feature_a_fr": label[test["feature_a"]], "feature_b_fr": label[test["feature_b"]],
                     "n_a_b": counts[0, 0], "n_a_notb": counts[0, 1], "n_nota_b": counts[1, 0],
                     "n_nota_notb": counts[1, 1], "n_systems": int(counts.sum()),
                     "share_b_given_a": counts[0, 0] / a_total if a_total else np.nan,
                     "share_b_given_nota": counts[1, 0] / not_a_total if not_a_total else np.nan,
                     **result})
    out = pd.DataFrame(rows)
    alpha = float(tests["alpha"])
    out["p_value_holm"] = multipletests(out["p_value"], alpha=alpha, method="holm")[1]
    out["confidence_level"] = confidence
    out["verdict_fr"] = [
        ("association nette (p ajusté < {a})" if p_holm < alpha else
         "association non établie au seuil de {a} (p ajusté)").format(a=f"{alpha:g}".replace(".", ","))
        for p_holm in out["p_value_holm"]]
    out["sentence_fr"] = [_test_sentence(row) for row in out.itertuples()]
    return out


def _number(x: float) -> str:
    return "∞" if np.isinf(x) else f"{x:.2f}".replace(".", ",")


def _p(x: float) -> str:
    return f"{x:.4f}".replace(".", ",")


def _test_sentence(row) -> str:
    """The result of one test in one French sentence, from its counts."""
    n_a, n_not_a = row.n_a_b + row.n_a_notb, row.n_nota_b + row.n_nota_notb
    return (f"{row.feature_a_fr} × {row.feature_b_fr} : parmi les {n_a} systèmes concernés, "
            f"{row.n_a_b} ({row.share_b_given_a:.0%}) ont la seconde pratique ; parmi les {n_not_a} autres, "
            f"{row.n_nota_b} ({row.share_b_given_nota:.0%}). Rapport de cotes conditionnel "
            f"{_number(row.odds_ratio_conditional)} [IC {row.confidence_level:.0%} : {_number(row.ci_low)} ; "
            f"{_number(row.ci_high)}], p = {_p(row.p_value)} (Holm : {_p(row.p_value_holm)}) : {row.verdict_fr}."
            .replace("%", "\u202f%"))


def what_n_can_show(n_systems: int) -> str:
    """The plain sentence on what a table of ``n_systems`` systems can and cannot show."""
    return (f"Avec {n_systems} systèmes, un test exact ne repère que des associations fortes : les "
            "intervalles de confiance des rapports de cotes sont très larges, et un résultat non "
            "significatif ne prouve pas l'indépendance. Les systèmes ne sont pas un échantillon tiré au "
            "hasard (ce sont les participants à l'enquête de l'OCDE) : les valeurs p décrivent la rareté du "
            "motif observé si les pratiques étaient réparties au hasard entre ces systèmes, pas une "
            "population plus large. Et une association n'est pas une causalité.")


# --------------------------------------------------------------------------------------------
# 7. How stable is the typology?
# --------------------------------------------------------------------------------------------

#: Distances between binary profiles compared with Jaccard (scipy metric names).
ALTERNATIVE_DISTANCES = ("jaccard", "dice", "hamming")
ALTERNATIVE_LINKAGES = ("average", "complete", "single", "weighted")


def profile_distances(matrix: pd.DataFrame, metric: str = "jaccard") -> pd.DataFrame:
    """Distances between practice profiles with a scipy metric (two empty profiles: distance 0)."""
    from scipy.spatial.distance import pdist, squareform

    values = matrix.to_numpy(dtype=bool)
    square = np.nan_to_num(squareform(pdist(values, metric=metric)), nan=0.0)
    return pd.DataFrame(square, index=matrix.index, columns=matrix.index)


def silhouette(distances: pd.DataFrame, labels: np.ndarray) -> float:
    """Mean silhouette width of a partition, from a square distance table (0 for singletons)."""
    d = distances.to_numpy()
    labels = np.asarray(labels)
    if len(set(labels)) < 2:
        return float("nan")
    widths = []
    for i in range(len(labels)):
        same = (labels == labels[i])
        same[i] = False
        if not same.any():
            widths.append(0.0)
            continue
        a = d[i, same].mean()
        b = min(d[i, labels == other].mean() for other in set(labels) if other != labels[i])
        widths.append(0.0 if max(a, b) == 0 else (b - a) / max(a, b))
    return float(np.mean(widths))


def _cluster_labels(distances: pd.DataFrame, n_clusters: int, method: str) -> np.ndarray:
    from scipy.cluster import hierarchy

    return hierarchy.fcluster(linkage(distances, method), t=n_clusters, criterion="maxclust")


def _nearest_set(distances: pd.DataFrame, code: str, k: int) -> frozenset:
    others = distances.loc[code].drop(code)
    order = sorted(others.index, key=lambda c: (others[c], c))
    cutoff = others[order[min(k, len(order)) - 1]]
    return frozenset(c for c in order if others[c] <= cutoff + 1e-12)


def typology_stability(matrix: pd.DataFrame, n_clusters: int, code: str = FRANCE, k: int = 2) -> pd.DataFrame:
    """Every distance x linkage: cophenetic correlation, silhouette of the cut into ``n_clusters``,
    the systems in ``code``'s group and ``code``'s ``k`` nearest systems (ties kept)."""
    from scipy.spatial.distance import squareform
    from scipy.cluster import hierarchy

    names = system_names()
    rows = []
    for metric in ALTERNATIVE_DISTANCES:
        distances = profile_distances(matrix, metric)
        condensed = squareform(distances.to_numpy(), checks=False)
        for method in ALTERNATIVE_LINKAGES:
            tree = hierarchy.linkage(condensed, method=method)
            cophenetic = float(hierarchy.cophenet(tree, condensed)[0])
            labels = hierarchy.fcluster(tree, t=n_clusters, criterion="maxclust")
            group = [c for c, g in zip(distances.index, labels) if g == labels[list(distances.index).index(code)] and c != code]
            rows.append({"distance": metric, "linkage": method, "cophenetic_correlation": cophenetic,
                         "silhouette": silhouette(distances, labels), "n_in_france_group": len(group),
                         "france_group_fr": ", ".join(names[c] for c in group),
                         "france_nearest_fr": ", ".join(names[c] for c in sorted(_nearest_set(distances, code, k)))})
    return pd.DataFrame(rows)


def cluster_bootstrap(matrix: pd.DataFrame, n_clusters: int, method: str = "average", code: str = FRANCE,
                      n_draws: int = 500, share: float = 0.8, seed: int = 0) -> pd.DataFrame:
    """Subsample the systems (``share`` of them, France always kept, without replacement), recluster,
    and count how often each system falls in France's group when both are drawn."""
    rng = np.random.default_rng(seed)
    others = [c for c in matrix.index if c != code]
    together = pd.Series(0, index=others, dtype=float)
    drawn = pd.Series(0, index=others, dtype=float)
    size = int(round(share * len(others)))
    for _ in range(n_draws):
        chosen = list(rng.choice(others, size=size, replace=False))
        sub = matrix.loc[[code] + chosen]
        labels = _cluster_labels(profile_distances(sub), n_clusters, method)
        mine = labels[0]
        drawn[chosen] += 1
        together[[c for c, g in zip(chosen, labels[1:]) if g == mine]] += 1
    names = system_names()
    out = pd.DataFrame({"system_code": others, "system_name_fr": [names[c] for c in others],
                        "times_drawn": drawn.to_numpy().astype(int),
                        "share_with_france": (together / drawn).to_numpy()})
    return out.sort_values(["share_with_france", "system_code"], ascending=[False, True]).reset_index(drop=True)


def deciding_cells(matrix: pd.DataFrame, code: str = FRANCE, k: int = 2, defs: Definitions | None = None,
                   raw: pd.DataFrame | None = None) -> pd.DataFrame:
    """The cells of the table whose flip (present <-> absent) changes ``code``'s ``k`` nearest systems
    (Jaccard distance, ties kept): the cells France's neighbours depend on. With ``raw``, a cell is
    flagged ``ambiguous`` when its reading is a judgement call of the transcription (an asterisk, or
    a bare tick in the binding-criteria column)."""
    defs = defs or definitions()
    ambiguous = set()
    if raw is not None:
        flagged = raw[(raw["asterisk"].astype(bool)) | (raw["criteria"] == "unspecified")]
        ambiguous = set(zip(flagged["system_code"], flagged["practice"]))
    names = system_names()
    base = _nearest_set(profile_distances(matrix), code, k)
    rows = []
    for system in matrix.index:
        for practice in defs.practice_ids:
            flipped = matrix.copy()
            flipped.at[system, practice] = 1 - flipped.at[system, practice]
            after = _nearest_set(profile_distances(flipped), code, k)
            if after != base:
                rows.append({"system_code": system, "system_name_fr": names[system], "practice": practice,
                             "practice_fr": defs.short(practice), "value": int(matrix.at[system, practice]),
                             "ambiguous": (system, practice) in ambiguous,
                             "nearest_before_fr": ", ".join(names[c] for c in sorted(base)),
                             "nearest_after_fr": ", ".join(names[c] for c in sorted(after))})
    return pd.DataFrame(rows, columns=["system_code", "system_name_fr", "practice", "practice_fr", "value",
                                       "ambiguous", "nearest_before_fr", "nearest_after_fr"])


#: Why a test's two features cannot be independent by construction (shown with the exact tests).
DEFINITIONAL_LINKS = {
    ("central_buyer", "price_negotiation"):
        "Lien par définition : la négociation des prix est menée par le niveau central, elle-même une action "
        "du centre ; l'association peut refléter le classement de l'OCDE plus qu'un choix de politique.",
    ("delegated_provision", "price_negotiation"):
        "Lien par définition possible : l'organisme délégué peut être celui qui négocie les prix.",
}


def with_caveats(tests: pd.DataFrame) -> pd.DataFrame:
    """The exact tests' table with a ``caveat_fr`` column for pairs linked by definition."""
    out = tests.copy()
    out["caveat_fr"] = [DEFINITIONAL_LINKS.get((a, b), "") for a, b in zip(out["feature_a"], out["feature_b"])]
    return out


def empty_rows(matrix: pd.DataFrame, defs: Definitions | None = None) -> list[str]:
    """Systems whose row of the table is empty (no practice at all): possibly missing answers."""
    defs = defs or definitions()
    return [c for c in matrix.index if matrix.loc[c, defs.practice_ids].sum() == 0]
