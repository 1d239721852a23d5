"""OECD procurement practices: Table 12.1 of the Digital Education Outlook 2023 (STUDY.md §2.1).

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
6. draws the figures (labels in French).

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
from scipy.cluster import hierarchy
from scipy.spatial.distance import pdist, squareform
from scipy.stats import fisher_exact
from scipy.stats.contingency import odds_ratio
from statsmodels.stats.multitest import multipletests

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

#: Systems the slides name as non-centralised examples (slide text; labels in the mapping).
NON_CENTRAL_EXAMPLES_LABELS = ("Tchéquie", "Pays-Bas", "Finlande", "Suède", "États-Unis")
#: Binding criteria the slides attribute to France (slide text).
FRANCE_CRITERIA_SLIDE = ("equity_of_access", "security", "interoperability")
#: The number of systems the slides' text announces.
SYSTEMS_ANNOUNCED = 29


def _codes_for_labels(labels) -> list[str]:
    table = systems()
    by_label = dict(zip(table["slide_label_fr"], table["code"])) | dict(zip(table["name_fr"], table["code"]))
    return [by_label[label] for label in labels]


def _share_text(k: int, n: int) -> str:
    return f"{k}/{n} = {k / n:.1%}"


def claim_checks(raw: pd.DataFrame, defs: Definitions | None = None) -> pd.DataFrame:
    """Every statement of the slides about Table 12.1, recomputed: ``claim_id``, ``computed_value``,
    ``holds_fr`` (for the notebook) and ``explanation`` (for the ledger). Booleans are 1/0."""
    defs = defs or definitions()
    matrix = features(practice_matrix(raw, defs), defs)
    names = system_names()
    n = len(matrix)
    central = matrix[CENTRAL_BUYER] == 1
    delegated = matrix["delegated_provision"] == 1
    no_nego = matrix["price_negotiation"] == 0
    guidance = matrix["guidance_to_schools"] == 1
    fra = matrix.loc[FRANCE]
    rows = []

    def add(claim_id, value, explanation):
        rows.append({"claim_id": claim_id, "computed_value": float(value), "explanation": explanation})

    # systems count
    absent = systems()[~systems()["in_table_12_1"]]
    add("PRACT-SYSTEMS-COUNT", n,
        f"The table on the slides has {n} rows against {SYSTEMS_ANNOUNCED} systems announced in the text. "
        f"Named in the text but absent from the table: {', '.join(absent['name_fr'])} "
        f"(slide label {', '.join(repr(x) for x in absent['slide_label_fr'])}). The OECD's companion report "
        f"counts Belgium as its Flemish and French Communities, hence {SYSTEMS_ANNOUNCED} systems.")
    # central buying
    k_central = int(central.sum())
    add("PRACT-CENTRAL-COUNT", k_central,
        f"Systems with direct provision or delegation (central government procurement): {k_central} of {n}. "
        f"Not central: {_names(matrix.index[~central])}.")
    share_central = k_central / n
    share_central_29 = k_central / SYSTEMS_ANNOUNCED
    add("PRACT-CENTRAL-TWO-THIRDS", int(share_central > 2 / 3),
        f"Share of central buyers: {_share_text(k_central, n)} of the table's systems; "
        f"{_share_text(k_central, SYSTEMS_ANNOUNCED)} if the missing system does not buy centrally. "
        f"'Plus des deux tiers' {'holds' if share_central > 2 / 3 else 'fails'} on the table "
        f"and {'holds' if share_central_29 > 2 / 3 else 'fails'} on 29 systems.")
    # delegation
    k_deleg = int(delegated.sum())
    add("PRACT-DELEGATED-COUNT", k_deleg,
        f"Systems delegating provision to another organisation: {k_deleg} of {n} ({_names(matrix.index[delegated])}).")
    add("PRACT-FRA-DELEGATES", int(fra["delegated_provision"]),
        f"France's delegation cell: {'ticked' if fra['delegated_provision'] else 'empty'} "
        "(the slides' footnote: the OECD refers to Réseau Canopé).")
    # non-central examples
    examples = _codes_for_labels(NON_CENTRAL_EXAMPLES_LABELS)
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
    criteria_table = criteria_counts(raw, defs)
    only_interop = criteria_table.set_index("criterion").at["interoperability", "systems_fr"]
    add("PRACT-FRA-BINDING-CRITERIA", int(fra_criteria == set(FRANCE_CRITERIA_SLIDE)),
        f"France's criteria cell: {fra_cell['cell_text']!r}. Systems naming interoperability: {only_interop}.")
    # price negotiation
    add("PRACT-FRA-NO-NEGOTIATION", int(no_nego[FRANCE]),
        f"France's price-negotiation cell is {'empty' if no_nego[FRANCE] else 'ticked'}.")
    k_all, k_central_no = int(no_nego.sum()), int((no_nego & central).sum())
    share_all, share_c = k_all / n, k_central_no / k_central
    limit = defs.rare_share_max
    add("PRACT-FRA-RARE-NO-NEGO-ALL", int(no_nego[FRANCE] and share_all <= limit),
        f"Among all systems, {_share_text(k_all, n)} do not negotiate prices ({_names(matrix.index[no_nego])}); "
        f"'rare' read as at most {limit:.0%} (data/practices/practices.yaml): "
        f"{'holds' if share_all <= limit else 'does not hold'}.")
    add("PRACT-FRA-RARE-NO-NEGO-CENTRAL", int(no_nego[FRANCE] and central[FRANCE] and share_c <= limit),
        f"Among the {k_central} central buyers, {_share_text(k_central_no, k_central)} do not negotiate prices "
        f"({_names(matrix.index[no_nego & central])}); 'rare' read as at most {limit:.0%}: "
        f"{'holds' if share_c <= limit else 'does not hold'}.")
    # guidance
    k_guid = int(guidance.sum())
    k_guid_nc = int((guidance & ~central).sum())
    add("PRACT-GUIDANCE-MOST", int(k_guid / n > defs.most_share_min),
        f"Systems giving guidance to schools: {_share_text(k_guid, n)}; among the {int((~central).sum())} "
        f"that do not buy centrally: {k_guid_nc}. Without guidance: {_names(matrix.index[~guidance])}.")
    out = pd.DataFrame(rows)
    out.insert(1, "system_count", n)
    return out


def claim_values(checks: pd.DataFrame) -> dict[str, tuple[float, str]]:
    """The argument of ``claims.write_computed``: ``{claim_id: (value, explanation)}``."""
    return {r.claim_id: (r.computed_value, r.explanation) for r in checks.itertuples()}


# --------------------------------------------------------------------------------------------
# 4. Typology: distances, clustering, nearest systems
# --------------------------------------------------------------------------------------------

def jaccard_distances(matrix: pd.DataFrame) -> pd.DataFrame:
    """Jaccard distance between practice profiles (scipy). Two systems with no practice at all are
    at distance 0 (scipy's convention), and at distance 1 from every other system."""
    values = matrix.to_numpy(dtype=bool)
    square = squareform(pdist(values, metric="jaccard"))
    return pd.DataFrame(square, index=matrix.index, columns=matrix.index)


def linkage(distances: pd.DataFrame, method: str = "average") -> np.ndarray:
    """Hierarchical clustering (scipy) of a square distance table."""
    return hierarchy.linkage(squareform(distances.to_numpy(), checks=False), method=method)


def clusters(distances: pd.DataFrame, n_clusters: int, method: str = "average") -> pd.DataFrame:
    """Cut the tree into ``n_clusters`` groups; groups numbered in order of first appearance in the
    dendrogram's leaf order (stable labels)."""
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
    p_value = float(fisher_exact(table, alternative="two-sided").pvalue)
    result = odds_ratio(table, kind="conditional")
    interval = result.confidence_interval(confidence_level=confidence)
    return {"odds_ratio_conditional": float(result.statistic), "ci_low": float(interval.low),
            "ci_high": float(interval.high), "p_value": p_value}


def association_tests(matrix: pd.DataFrame, tests: dict, confidence: float = 0.95,
                      defs: Definitions | None = None) -> pd.DataFrame:
    """Every test of ``tests`` (association_tests.yaml): counts, odds ratio, exact CI, p-value,
    Holm-adjusted p-value across the tests, and a verdict in French."""
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
# 7. Figures (labels in French)
# --------------------------------------------------------------------------------------------

_CRITERIA_ABBREVIATIONS_FR = {"equity_of_access": "É", "security": "S", "interoperability": "I",
                              "sustainability": "D", "unspecified": "✓"}
#: Family colours: no blue, which is France's colour (plotting.FRANCE_COLOUR).
_FAMILY_COLOURS = ["#7b4fa3", "#29a36a", "#f2a541"]


def heatmap_figure(raw: pd.DataFrame, order: list[str] | None = None, defs: Definitions | None = None,
                   title: str = "Pratiques d'achat public de ressources numériques éducatives (tableau 12.1 de l'OCDE)"):
    """Systems x practices: a filled cell = practice present, colour = family; asterisks and the
    binding criteria's initials written in the cells; France highlighted."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    from analysis import plotting

    defs = defs or definitions()
    matrix = practice_matrix(raw, defs)
    order = order or list(matrix.index)
    matrix = matrix.loc[order]
    names = system_names()
    families = defs.families["id"].tolist()
    colour_of_family = dict(zip(families, _FAMILY_COLOURS))
    cells = raw.set_index(["system_code", "practice"])
    n_rows, n_cols = matrix.shape
    fig, ax = plt.subplots(figsize=(10.5, 0.34 * n_rows + 3.0))
    for i, code in enumerate(matrix.index):
        for j, practice in enumerate(defs.practice_ids):
            yes = matrix.at[code, practice] == 1
            colour = colour_of_family[defs.family_of[practice]] if yes else "#f1f2f4"
            ax.add_patch(Rectangle((j, i), 1, 1, facecolor=colour, edgecolor="white", linewidth=1.5))
            if yes:
                cell = cells.loc[(code, practice)]
                text = ""
                if practice == "binding_criteria" and isinstance(cell["criteria"], str):
                    text = " ".join(_CRITERIA_ABBREVIATIONS_FR[c] for c in cell["criteria"].split("|"))
                if cell["asterisk"]:
                    text += "*"
                if text:
                    ax.text(j + 0.5, i + 0.52, text, ha="center", va="center", fontsize=8, color="white",
                            fontweight="bold")
    if FRANCE in matrix.index:
        k = list(matrix.index).index(FRANCE)
        ax.add_patch(Rectangle((-0.02, k), n_cols + 0.04, 1, fill=False, edgecolor=plotting.FRANCE_COLOUR,
                               linewidth=2.2, clip_on=False))
    # family separators and headers
    bounds = []
    for family in families:
        cols = [j for j, p in enumerate(defs.practice_ids) if defs.family_of[p] == family]
        bounds.append((family, min(cols), max(cols) + 1))
    for family, start, end in bounds[1:]:
        ax.axvline(start, color="#333333", linewidth=1.2)
    ax.set_xlim(0, n_cols)
    ax.set_ylim(n_rows, 0)
    ax.set_yticks(np.arange(n_rows) + 0.5)
    ax.set_yticklabels([names[c] for c in matrix.index], fontsize=9)
    for label, code in zip(ax.get_yticklabels(), matrix.index):
        if code == FRANCE:
            label.set_color(plotting.FRANCE_COLOUR)
            label.set_fontweight("bold")
    ax.set_xticks(np.arange(n_cols) + 0.5)
    ax.set_xticklabels([defs.short(p) for p in defs.practice_ids], rotation=30, ha="left", fontsize=9)
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    short = dict(zip(defs.families["id"], defs.families["short_fr"]))
    for family, start, end in bounds:
        y = n_rows + 0.35
        ax.plot([start + 0.08, end - 0.08], [y, y], color=colour_of_family[family], linewidth=3,
                clip_on=False, solid_capstyle="butt")
        ax.text((start + end) / 2, y + 0.3, short[family], ha="center", va="top", fontsize=9.5,
                color=colour_of_family[family], fontweight="bold")
    ax.set_title(title, pad=95, loc="left")
    plotting.add_source(fig, "Lettres dans la colonne « Critères contraignants » : É = égalité d'accès, "
                             "S = sécurité, I = interopérabilité, D = durabilité, ✓ = critères non précisés. Case grise = pratique "
                             "absente. * = astérisque du tableau (signification non donnée sur les diapositives). "
                             "Systèmes dans l'ordre du dendrogramme (profils proches côte à côte). "
                             + SOURCE_LINE)
    fig.tight_layout()
    return fig


def frequency_figure(counts: pd.DataFrame, defs: Definitions | None = None,
                     title: str = "Nombre de systèmes éducatifs appliquant chaque pratique"):
    """Horizontal bars: systems per practice, grouped and coloured by family; France's practices marked."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    from analysis import plotting

    defs = defs or definitions()
    rows = counts[counts["level"] == "pratique"].reset_index(drop=True)
    families = defs.families["id"].tolist()
    colour_of_family = dict(zip(families, _FAMILY_COLOURS))
    n = int(rows["n_systems"].iloc[0])
    fig, ax = plt.subplots(figsize=(9, 4.8))
    y = np.arange(len(rows))[::-1]
    ax.barh(y, rows["n_systems_yes"], color=[colour_of_family[f] for f in rows["family"]], height=0.65)
    for yi, row in zip(y, rows.itertuples()):
        ax.text(row.n_systems_yes + 0.3, yi, f"{row.n_systems_yes} ({plotting.percent_fr(100 * row.share, 0)})",
                va="center", fontsize=9)
        ax.text(1.03, yi, "oui" if row.france else "non", transform=ax.get_yaxis_transform(), va="center",
                ha="center", fontsize=9, color=plotting.FRANCE_COLOUR if row.france else "#777777",
                fontweight="bold" if row.france else "normal")
    ax.text(1.03, len(rows) - 0.4, "France", transform=ax.get_yaxis_transform(), ha="center", va="bottom",
            fontsize=9, color=plotting.FRANCE_COLOUR, fontweight="bold")
    ax.set_yticks(y)
    ax.set_yticklabels(rows["label_fr"])
    ax.set_xlim(0, n)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlabel(f"Nombre de systèmes éducatifs (sur {n})")
    ax.grid(axis="y", visible=False)
    short = dict(zip(defs.families["id"], defs.families["short_fr"]))
    ax.legend(handles=[Patch(facecolor=colour_of_family[f], label=short[f]) for f in families],
              loc="upper center", bbox_to_anchor=(0.45, -0.16), ncol=3, frameon=False, fontsize=9)
    ax.set_title(title, loc="left", pad=20)
    plotting.add_source(fig, SOURCE_LINE)
    fig.tight_layout()
    return fig


def dendrogram_figure(distances: pd.DataFrame, method: str = "average", n_clusters: int | None = None,
                      title: str = "Typologie des systèmes selon leurs pratiques d'achat (distance de Jaccard)"):
    """Dendrogram of the clustering, France's label highlighted; the cut into ``n_clusters`` drawn."""
    import matplotlib.pyplot as plt

    from analysis import plotting

    tree = linkage(distances, method)
    names = system_names()
    labels = [names[c] for c in distances.index]
    fig, ax = plt.subplots(figsize=(9, 7.5))
    threshold = None
    if n_clusters and n_clusters > 1:
        heights = np.sort(tree[:, 2])
        threshold = (heights[-n_clusters] + heights[-n_clusters + 1]) / 2 if n_clusters < len(heights) + 1 else None
    # group colours unrelated to the family colours of the other figures
    hierarchy.set_link_color_palette(["#e4572e", "#1b9e9e", "#8c6d31", "#d45087", "#5b6770"])
    try:
        hierarchy.dendrogram(tree, labels=labels, orientation="right", ax=ax, leaf_font_size=9,
                             color_threshold=threshold if threshold is not None else 0,
                             above_threshold_color="#888888")
    finally:
        hierarchy.set_link_color_palette(None)
    ax.set_xlim(-0.02, 1.05)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda x, _: f"{x:.1f}".replace(".", ",")))
    for label in ax.get_yticklabels():
        if label.get_text() == names[FRANCE]:
            label.set_color(plotting.FRANCE_COLOUR)
            label.set_fontweight("bold")
    if threshold is not None:
        ax.axvline(threshold, color="#444444", linestyle="--", linewidth=1)
        ax.text(threshold, ax.get_ylim()[1], f" coupe en {n_clusters} groupes", color="#444444",
                fontsize=8, va="top")
    ax.set_xlabel(f"Distance de Jaccard entre profils de pratiques (liaison {'moyenne' if method == 'average' else method})")
    ax.grid(axis="y", visible=False)
    ax.set_title(title, loc="left")
    groups = identical_profiles(distances)
    identical = " ; ".join(", ".join(names[c] for c in group) for group in groups)
    plotting.add_source(fig, (f"Profils identiques (fusionnés à distance 0) : {identical}. "
                              if identical else "")
                        + "Un système sans aucune pratique est à distance 1 de tous les autres. " + SOURCE_LINE)
    fig.tight_layout()
    return fig
