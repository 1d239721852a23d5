"""Market sizing of school EdTech in France (STUDY.md §2.2): four approaches, ranges, sensitivity.

Inputs are data (``data/market/inputs.csv``): one row per input with a central ``value``, a
``low`` and a ``high``, a ``distribution`` for the Monte Carlo, a ``unit``, a ``source`` (a raw-row
reference ``data/raw/<file>#<row id>``, a processed-table reference
``data/processed/<file>#col=value&col=value:column``, or the word ``assumption``) and the source of
the range (``range_source``). Rows whose value comes from a processed table leave ``value`` empty:
:func:`resolve_inputs` fills it from the processed frames (and ``low``/``high`` too when empty).

Distributions (the Monte Carlo and the Sobol indices draw every input from its own):

- ``fixed``: the value itself (``low == value == high``);
- ``uniform``: uniform on [low, high];
- ``triangular``: triangular with minimum ``low``, mode ``value``, maximum ``high``;
- ``lognormal``: median ``value``; ``low`` and ``high`` are the 5th and 95th percentiles
  (sigma = ln(high / low) / (2 × 1.645)); ``value`` must be the geometric mean of low and high.

The four approaches are pure, vectorised functions of a mapping ``input id -> value or array``:

1. :func:`company_base` — firms from the Xerfi panel and the slides' shares;
2. :func:`top_down` and :func:`oecd_gap` — GDP × procurement share × education share × digital
   share, for the 2023 and 2025 vintages, and the gap to the OECD-average education share;
3. :func:`bottom_up` (pupils, teachers, schools × spend each) and :func:`past_budgets` (Cour des
   comptes 2019 spending per year);
4. :func:`funding_intensity` — France's share of world and European EdTech funding vs its share of
   world GDP.

:data:`QUANTITIES` names every result; :func:`evaluate` computes them all at once.
"""

from __future__ import annotations

import itertools
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

import numpy as np
import pandas as pd
import pandera.pandas as pa
from scipy import stats

from analysis import config
from analysis.errors import frame_unit_problems
from analysis.validation import DataValidationError, read_csv_validated

SLIDE_MARKET_FIGURES_RAW = config.RAW / "slides" / "edtech_market_figures.csv"
EDUCATION_FACTS_RAW = config.RAW / "evidence" / "education_system_facts.csv"
INPUTS_FILE = config.DATA / "market" / "inputs.csv"
PROCESSED_VINTAGES = config.PROCESSED / "procurement_vintages.csv"
PROCESSED_GDP = config.PROCESSED / "eurostat_gdp_annual.csv"

DISTRIBUTIONS = ("fixed", "uniform", "triangular", "lognormal")
QUALIFIERS = ("exact", "rounded", "about", "at_least", "at_most")
Z95 = float(stats.norm.ppf(0.95))  # 1.645: the 95th percentile of the standard normal

# --------------------------------------------------------------------------------------------
# 1. Schemas of the raw tables and of the inputs file
# --------------------------------------------------------------------------------------------

SLIDE_MARKET_FIGURES_SCHEMA = pa.DataFrameSchema(
    {
        "figure_id": pa.Column(str, pa.Check.str_matches(r"^[a-z0-9_]+$"), unique=True),
        "value": pa.Column(float, pa.Check.ge(0)),
        "unit": pa.Column(str),
        "qualifier": pa.Column(str, pa.Check.isin(QUALIFIERS)),
        "wording": pa.Column(str, pa.Check.str_length(min_value=5)),
        "cited_source": pa.Column(str, pa.Check.str_length(min_value=3)),
        "location": pa.Column(str, pa.Check.str_startswith("Slide ")),
    },
    checks=[pa.Check(lambda df: ~df["unit"].str.startswith("%") | (df["value"] <= 100),
                     name="percentages_at_most_100")],
    coerce=True,
    strict=True,
)

EDUCATION_FACTS_SCHEMA = pa.DataFrameSchema(
    {
        "fact_id": pa.Column(str, pa.Check.str_matches(r"^[a-z0-9_]+$"), unique=True),
        "value": pa.Column(float, pa.Check.gt(0)),
        "unit": pa.Column(str),
        "qualifier": pa.Column(str, pa.Check.isin(QUALIFIERS)),
        "wording": pa.Column(str, pa.Check.str_length(min_value=5)),
        "document": pa.Column(str, pa.Check.str_length(min_value=5)),
        "location": pa.Column(str),
        "url": pa.Column(str, pa.Check.str_matches(r"^https?://")),
    },
    coerce=True,
    strict=True,
)

_SOURCE_PATTERN = (r"^(assumption|data/raw/[\w./-]+\.csv#[a-z0-9_]+"
                   r"|data/processed/[\w./-]+\.csv#[\w=&.-]+:[a-z0-9_]+)$")

INPUTS_SCHEMA = pa.DataFrameSchema(
    {
        "id": pa.Column(str, pa.Check.str_matches(r"^[a-z][a-z0-9_]*$"), unique=True),
        "label_fr": pa.Column(str),
        "value": pa.Column(float, nullable=True),
        "low": pa.Column(float, nullable=True),
        "high": pa.Column(float, nullable=True),
        "distribution": pa.Column(str, pa.Check.isin(DISTRIBUTIONS)),
        "unit": pa.Column(str),
        "source": pa.Column(str, pa.Check.str_matches(_SOURCE_PATTERN)),
        "range_source": pa.Column(str),
        "note": pa.Column(str, nullable=True),
    },
    coerce=True,
    strict=True,
)


def _shown(path) -> str:
    try:
        return str(Path(path).resolve().relative_to(config.ROOT))
    except ValueError:
        return str(path)


def read_slide_figures(path: str | os.PathLike = SLIDE_MARKET_FIGURES_RAW) -> pd.DataFrame:
    return read_csv_validated(path, SLIDE_MARKET_FIGURES_SCHEMA)


def read_education_facts(path: str | os.PathLike = EDUCATION_FACTS_RAW) -> pd.DataFrame:
    return read_csv_validated(path, EDUCATION_FACTS_SCHEMA)


def check_input_rows(inputs: pd.DataFrame, source: str, resolved: bool = False) -> pd.DataFrame:
    """Row-level rules of an inputs table; raise :class:`DataValidationError` naming row and column.

    - ``value`` may be empty only when the source is a ``data/processed`` reference (before
      resolution); after resolution (``resolved=True``) every value, low and high is present;
    - ``low <= value <= high``; a ``fixed`` input has ``low == value == high``;
    - a ``lognormal`` input has ``0 < low < high`` and value = sqrt(low × high) (1 % tolerance);
    - ``triangular`` and ``uniform`` inputs have ``low < high``.
    """
    failures = []

    def fail(index, column, check, value=None):
        failures.append({"line": int(index) + 2, "column": column, "check": check,
                         "value": None if value is None or (isinstance(value, float) and math.isnan(value)) else value})

    for index, row in inputs.iterrows():
        processed = str(row["source"]).startswith("data/processed/")
        if pd.isna(row["value"]):
            if resolved or not processed:
                fail(index, "value", "value is missing (only inputs read from data/processed may leave it empty)")
            continue
        low = row["value"] if pd.isna(row["low"]) and not resolved else row["low"]
        high = row["value"] if pd.isna(row["high"]) and not resolved else row["high"]
        if pd.isna(low) or pd.isna(high):
            fail(index, "low" if pd.isna(low) else "high", "range bound is missing")
            continue
        value = row["value"]
        if not low <= value <= high:
            fail(index, "value", f"value outside [low, high] = [{low:g}, {high:g}]", value)
            continue
        dist = row["distribution"]
        if dist == "fixed" and not low == value == high:
            fail(index, "distribution", "a fixed input needs low == value == high", dist)
        if dist in ("uniform", "triangular") and not low < high:
            fail(index, "high", f"a {dist} input needs low < high", high)
        if dist == "lognormal":
            if not 0 < low < high:
                fail(index, "low", "a lognormal input needs 0 < low < high", low)
            elif abs(value / math.sqrt(low * high) - 1) > 0.01:
                fail(index, "value", "a lognormal input needs value = sqrt(low * high) (median between the "
                                     "5th and 95th percentiles)", value)
    if failures:
        raise DataValidationError(source, failures)
    return inputs


def read_inputs(path: str | os.PathLike = INPUTS_FILE) -> pd.DataFrame:
    """Read and check an inputs file (schema, then row rules)."""
    path = config.resolve(path)
    frame = read_csv_validated(path, INPUTS_SCHEMA, keep_default_na=False,
                               na_values={"value": [""], "low": [""], "high": [""], "note": [""]})
    frame["note"] = frame["note"].fillna("")
    unit_problems = frame_unit_problems(frame, ["value", "low", "high"], unit_column="unit")
    try:
        checked = check_input_rows(frame, _shown(path))
    except DataValidationError as error:
        raise DataValidationError.from_problems(error.source, unit_problems + error.problems) from None
    if unit_problems:
        raise DataValidationError.from_problems(_shown(path), unit_problems)
    return checked


# --------------------------------------------------------------------------------------------
# 2. Resolving references and applying a scenario's overrides
# --------------------------------------------------------------------------------------------

def parse_processed_reference(source: str) -> tuple[str, dict[str, str], str]:
    """``data/processed/f.csv#a=1&b=x:col`` -> (``f.csv``, {a: 1, b: x}, ``col``)."""
    match = re.match(r"^data/processed/(?P<file>[\w./-]+\.csv)#(?P<filters>[\w=&.-]+):(?P<column>\w+)$", source)
    if not match:
        raise ValueError(f"not a processed-table reference: {source!r}")
    filters = dict(item.split("=", 1) for item in match["filters"].split("&"))
    return match["file"], filters, match["column"]


def lookup_processed(source: str, processed: Mapping[str, pd.DataFrame]) -> float:
    """The single value a processed-table reference points to."""
    name, filters, column = parse_processed_reference(source)
    if name not in processed:
        raise KeyError(f"{source}: processed table {name!r} was not given")
    frame = processed[name]
    mask = pd.Series(True, index=frame.index)
    for key, wanted in filters.items():
        mask &= frame[key].astype(str) == wanted
    selected = frame.loc[mask, column]
    if len(selected) != 1 or pd.isna(selected.iloc[0]):
        raise ValueError(f"{source}: expected exactly one non-empty value, found {selected.tolist()}")
    return float(selected.iloc[0])


def resolve_inputs(inputs: pd.DataFrame, processed: Mapping[str, pd.DataFrame],
                   source: str = "inputs") -> pd.DataFrame:
    """Fill the values read from processed tables; empty low/high of those rows = the value."""
    resolved = inputs.copy()
    for index, row in resolved.iterrows():
        if str(row["source"]).startswith("data/processed/") and pd.isna(row["value"]):
            value = lookup_processed(row["source"], processed)
            resolved.at[index, "value"] = value
            for bound in ("low", "high"):
                if pd.isna(row[bound]):
                    resolved.at[index, bound] = value
    return check_input_rows(resolved, source, resolved=True)


def apply_overrides(inputs: pd.DataFrame, overrides: Mapping[str, object] | None,
                    source: str = "input_overrides") -> pd.DataFrame:
    """Return ``inputs`` with a scenario's changes: ``{input id: value}`` or
    ``{input id: {value, low, high, distribution}}`` (any subset of those keys).

    A bare value must lie inside the input's [low, high] (give low and high too otherwise); a
    ``fixed`` input given a bare value stays fixed (its low and high follow). The changed rows
    get ``source`` and ``note`` saying so.
    """
    if not overrides:
        return inputs.copy()
    changed = inputs.copy().set_index("id")
    for input_id, override in overrides.items():
        if input_id not in changed.index:
            raise KeyError(f"{source}: unknown input id {input_id!r} (known: {', '.join(changed.index)})")
        fields = dict(override) if isinstance(override, Mapping) else {"value": override}
        unknown = set(fields) - {"value", "low", "high", "distribution"}
        if unknown:
            raise KeyError(f"{source}: input {input_id!r}: unknown fields {sorted(unknown)}")
        if set(fields) == {"value"} and changed.at[input_id, "distribution"] == "fixed":
            fields.update(low=fields["value"], high=fields["value"])
        for field, value in fields.items():
            changed.at[input_id, field] = value if field == "distribution" else float(value)
        changed.at[input_id, "note"] = (f"Changed by the scenario ({source}: {fields}). "
                                        + str(changed.at[input_id, "note"])).strip()
    result = changed.reset_index()
    try:
        return check_input_rows(result, source, resolved=True)
    except DataValidationError as error:
        raise DataValidationError(source, [dict(f, line=None, column=f"{result.at[f['line'] - 2, 'id']}.{f['column']}")
                                           for f in error.failures]) from None


def central(inputs: pd.DataFrame) -> dict[str, float]:
    """``{input id: central value}``."""
    return dict(zip(inputs["id"], inputs["value"].astype(float)))


# --------------------------------------------------------------------------------------------
# 3. The four approaches (vectorised: each input may be a float or a numpy array)
# --------------------------------------------------------------------------------------------

def company_base(p: Mapping) -> dict:
    """Firms of the Xerfi panel by segment, age and region; the school segment of the market.

    school_edtechs = active × school share; created_after_2015_min = active × share (a lower
    bound: 'plus de 60 %'); idf_edtechs = active × Île-de-France share; school_segment_eur =
    market (bn€) × school share, assuming revenue is spread like the number of firms.
    """
    active = p["edtech_active_2025"]
    return {
        "company_school_edtechs": active * p["edtech_school_share_pct"] / 100,
        "company_created_after_2015_min": active * p["edtech_created_after_2015_pct"] / 100,
        "company_idf_edtechs": active * p["edtech_idf_share_pct"] / 100,
        "company_school_segment_eur": p["market_2023_beur"] * 1e9 * p["edtech_school_share_pct"] / 100,
    }


VINTAGES = ("gaag2023", "gaag2025")


def top_down(p: Mapping, vintage: str) -> dict:
    """Public education procurement and its digital part, in euros, for one data vintage.

    education procurement = GDP (M€ × 1e6) × procurement share of GDP × education share of
    procurement; digital = that × digital share of education spending.
    """
    if vintage not in VINTAGES:
        raise ValueError(f"unknown vintage {vintage!r}")
    education = (p["gdp_fra_2021_meur"] * 1e6 * p[f"proc_share_gdp_fra_{vintage}_pct"] / 100
                 * p["edu_share_proc_fra_pct"] / 100)
    return {
        f"topdown_education_procurement_{vintage}_eur": education,
        f"topdown_digital_{vintage}_eur": education * p["digital_share_education_pct"] / 100,
    }


def oecd_gap(p: Mapping, vintage: str) -> dict:
    """What France would add, in euros, if education had the OECD-average share of its procurement.

    gap = GDP × France's procurement share × (OECD education share − France's education share);
    its digital part = gap × digital share.
    """
    gap = (p["gdp_fra_2021_meur"] * 1e6 * p[f"proc_share_gdp_fra_{vintage}_pct"] / 100
           * (p["edu_share_proc_oecd_pct"] - p["edu_share_proc_fra_pct"]) / 100)
    return {
        f"oecd_gap_education_{vintage}_eur": gap,
        f"oecd_gap_digital_{vintage}_eur": gap * p["digital_share_education_pct"] / 100,
    }


def bottom_up(p: Mapping) -> dict:
    """Addressable school market for digital resources per year: pupils × €/pupil + teachers ×
    €/teacher + schools (écoles + collèges + lycées) × €/school."""
    pupils = p["pupils_primary"] + p["pupils_secondary"]
    schools = p["schools_ecoles"] + p["schools_colleges"] + p["schools_lycees"]
    by_pupil = pupils * p["spend_per_pupil_eur"]
    by_teacher = p["teachers"] * p["spend_per_teacher_eur"]
    by_school = schools * p["spend_per_school_eur"]
    return {
        "pupils_total": pupils,
        "schools_total": schools,
        "bottomup_pupils_eur": by_pupil,
        "bottomup_teachers_eur": by_teacher,
        "bottomup_schools_eur": by_school,
        "bottomup_total_eur": by_pupil + by_teacher + by_school,
    }


def past_budgets(p: Mapping) -> dict:
    """Public spending on digital education per year in 2013–2017 (Cour des comptes 2019)."""
    local, state, years = (p["local_authorities_digital_2013_2017_eur"], p["state_digital_2013_2017_eur"],
                           p["past_budget_years"])
    return {
        "past_public_digital_annual_eur": (local + state) / years,
        "past_local_authority_share_pct": 100 * local / (local + state),
    }


def funding_intensity(p: Mapping) -> dict:
    """France's weight in EdTech funding against its weight in world GDP.

    share of world funding = France (M$) / world (bn$ × 1000); implied European total =
    France / share of European funding; funding at France's GDP weight = world × GDP share;
    intensity = share of world funding / share of world GDP (1 = funding in line with GDP).
    """
    france, world = p["funding_fra_2024_musd"], p["funding_world_2024_busd"] * 1000
    share_world = 100 * france / world
    europe = france / (p["funding_fra_share_europe_pct"] / 100)
    return {
        "funding_fra_share_world_pct": share_world,
        "funding_europe_implied_musd": europe,
        "funding_europe_share_world_pct": 100 * europe / world,
        "funding_fra_at_gdp_weight_musd": world * p["gdp_fra_share_world_pct"] / 100,
        "funding_intensity_ratio": share_world / p["gdp_fra_share_world_pct"],
    }


def evaluate(p: Mapping) -> dict:
    """Every quantity of :data:`QUANTITIES` from one set of inputs (floats or arrays)."""
    out = {}
    out.update(company_base(p))
    for vintage in VINTAGES:
        out.update(top_down(p, vintage))
        out.update(oecd_gap(p, vintage))
    out.update(bottom_up(p))
    out.update(past_budgets(p))
    out.update(funding_intensity(p))
    out["reference_market_2023_eur"] = p["market_2023_beur"] * 1e9
    return out


@dataclass(frozen=True)
class Quantity:
    approach: str
    label_fr: str
    unit: str
    rounding: str
    note: str = ""


_A1, _A2, _A3, _A4 = ("1. base d'entreprises", "2. descendante (marchés publics)", "3. ascendante (élèves)",
                      "4. intensité de financement")
QUANTITIES: dict[str, Quantity] = {
    "company_school_edtechs": Quantity(_A1, "EdTech du scolaire/parascolaire", "firms", "nearest firm",
                                       "active EdTechs × school share (the printed share read over its rounding interval)."),
    "company_created_after_2015_min": Quantity(_A1, "EdTech créées après 2015 (au moins)", "firms", "nearest firm",
                                               "active EdTechs × share created after 2015 ('plus de': the central value is a lower bound; the high end is an assumption)."),
    "company_idf_edtechs": Quantity(_A1, "EdTech en Île-de-France", "firms", "nearest firm",
                                    "active EdTechs × Île-de-France share."),
    "company_school_segment_eur": Quantity(_A1, "Base d'entreprises : segment scolaire du marché EdTech (marché 2023 × part scolaire)", "EUR", "nearest M€",
                                           "Assumes revenue is spread like the number of firms; private (after-school) spending included."),
    "topdown_education_procurement_gaag2023_eur": Quantity(_A2, "Achats publics d'éducation (édition 2023)", "EUR", "nearest M€",
                                                           "GDP 2021 × procurement share (2023 edition, implied by education % of GDP / education share) × education share."),
    "topdown_digital_gaag2023_eur": Quantity(_A2, "Descendante : achats publics numériques d'éducation (édition 2023)", "EUR", "nearest M€",
                                             "education procurement × digital share (a world share, all payers: its use for French public procurement is an assumption)."),
    "oecd_gap_education_gaag2023_eur": Quantity(_A2, "Écart à la part OCDE de l'éducation (édition 2023)", "EUR", "nearest M€",
                                                "GDP × France's procurement share × (OECD education share − France's education share)."),
    "oecd_gap_digital_gaag2023_eur": Quantity(_A2, "Descendante : écart à la part OCDE de l'éducation, part numérique (édition 2023)", "EUR", "nearest M€",
                                              "The gap × the digital share."),
    "topdown_education_procurement_gaag2025_eur": Quantity(_A2, "Achats publics d'éducation (édition 2025)", "EUR", "nearest M€",
                                                           "GDP 2021 × procurement share (OECD 2025 release) × education share."),
    "topdown_digital_gaag2025_eur": Quantity(_A2, "Descendante : achats publics numériques d'éducation (édition 2025)", "EUR", "nearest M€",
                                             "education procurement × digital share."),
    "oecd_gap_education_gaag2025_eur": Quantity(_A2, "Écart à la part OCDE de l'éducation (édition 2025)", "EUR", "nearest M€",
                                                "GDP × procurement share (2025 release) × (OECD education share − France's education share)."),
    "oecd_gap_digital_gaag2025_eur": Quantity(_A2, "Descendante : écart à la part OCDE de l'éducation, part numérique (édition 2025)", "EUR", "nearest M€",
                                              "The gap × the digital share."),
    "pupils_total": Quantity(_A3, "Élèves (premier + second degré)", "pupils", "nearest thousand",
                             "primary + secondary pupils (rentrée 2024)."),
    "schools_total": Quantity(_A3, "Établissements (écoles, collèges, lycées)", "schools", "exact",
                              "écoles + collèges + lycées."),
    "bottomup_pupils_eur": Quantity(_A3, "Ascendante : part élèves", "EUR", "nearest M€", "pupils × €/pupil."),
    "bottomup_teachers_eur": Quantity(_A3, "Ascendante : part enseignants", "EUR", "nearest M€", "teachers × €/teacher (assumptions)."),
    "bottomup_schools_eur": Quantity(_A3, "Ascendante : part établissements", "EUR", "nearest M€", "schools × €/school."),
    "bottomup_total_eur": Quantity(_A3, "Ascendante : budget annuel en ressources numériques", "EUR", "nearest M€",
                                   "pupils × €/pupil + teachers × €/teacher + schools × €/school, per year."),
    "past_public_digital_annual_eur": Quantity(_A3, "Dépense publique annuelle en numérique éducatif 2013–2017", "EUR", "nearest M€",
                                               "(local authorities + State spending over 2013–2017) / number of years; equipment included."),
    "past_local_authority_share_pct": Quantity(_A3, "Part des collectivités dans cette dépense", "%", "0.1 pt",
                                               "local authorities / (local authorities + State)."),
    "funding_fra_share_world_pct": Quantity(_A4, "Part de la France dans les levées mondiales", "%", "0.01 pt",
                                            "France's funding / world funding."),
    "funding_europe_implied_musd": Quantity(_A4, "Levées européennes implicites (levées France / part européenne)", "M USD", "nearest 10 M$",
                                            "France's funding / France's share of European funding (read over its rounding interval)."),
    "funding_europe_share_world_pct": Quantity(_A4, "Part de l'Europe dans les levées mondiales (implicite)", "%", "0.1 pt",
                                               "implied European total / world funding."),
    "funding_fra_at_gdp_weight_musd": Quantity(_A4, "Levées françaises si proportionnelles au PIB", "M USD", "nearest M$",
                                               "world funding × France's share of world GDP."),
    "funding_intensity_ratio": Quantity(_A4, "Intensité de financement (part des levées / part du PIB)", "ratio", "0.01",
                                        "1 = funding in line with GDP weight."),
    "reference_market_2023_eur": Quantity("0. repère (diapositives)", "Marché EdTech français 2023, tous segments (diapositives)",
                                          "EUR", "0.1 bn€ (as printed)",
                                          "Reference mark: the slides' market estimate (all segments, private spending included)."),
}

#: The reference marks of the approaches figure: (quantity, label).
REFERENCE_QUANTITIES = ["reference_market_2023_eur", "past_public_digital_annual_eur"]

#: The market-size quantities in euros compared in the approaches figure.
EURO_MARKET_QUANTITIES = [
    "company_school_segment_eur",
    "topdown_digital_gaag2023_eur",
    "topdown_digital_gaag2025_eur",
    "oecd_gap_digital_gaag2023_eur",
    "oecd_gap_digital_gaag2025_eur",
    "bottomup_total_eur",
]
#: The quantities whose sensitivity is analysed (tornado, Monte Carlo, Sobol).
SENSITIVITY_QUANTITIES = ["bottomup_total_eur", "topdown_digital_gaag2025_eur"]
#: The headline for the variants part: the annual public budget for school digital resources.
BUDGET_QUANTITY = "bottomup_total_eur"


def quantity_function(name: str) -> Callable[[Mapping], object]:
    if name not in QUANTITIES:
        raise KeyError(f"unknown quantity {name!r}")
    return lambda p: evaluate(p)[name]


# --------------------------------------------------------------------------------------------
# 4. Ranges, tornado
# --------------------------------------------------------------------------------------------

def relevant_inputs(inputs: pd.DataFrame, quantity: str) -> list[str]:
    """Inputs with a range (low < high) whose low or high moves ``quantity`` (one at a time)."""
    base = central(inputs)
    reference = evaluate(base)[quantity]
    used = []
    for row in inputs.itertuples():
        if row.low == row.high:
            continue
        for bound in (row.low, row.high):
            if not np.isclose(evaluate({**base, row.id: bound})[quantity], reference, rtol=1e-12, atol=0):
                used.append(row.id)
                break
    return used


def input_range(inputs: pd.DataFrame, quantity: str) -> tuple[float, float, float]:
    """(low, central, high) of ``quantity``: central at central inputs; low and high the minimum and
    maximum over every combination of the relevant inputs at their low or high value."""
    base = central(inputs)
    middle = float(evaluate(base)[quantity])
    ids = relevant_inputs(inputs, quantity)
    if not ids:
        return middle, middle, middle
    bounds = inputs.set_index("id").loc[ids, ["low", "high"]].to_numpy(dtype=float)
    corners = np.array(list(itertools.product((0, 1), repeat=len(ids))))
    p = dict(base)
    for j, input_id in enumerate(ids):
        p[input_id] = bounds[j, corners[:, j]]
    values = np.asarray(evaluate(p)[quantity], dtype=float)
    return float(values.min()), middle, float(values.max())


def approaches_table(inputs: pd.DataFrame, quantities: list[str] | None = None) -> pd.DataFrame:
    """One row per quantity: approach, label, unit, low, central, high, inputs with a range, note."""
    rows = []
    for name in quantities or list(QUANTITIES):
        meta = QUANTITIES[name]
        low, middle, high = input_range(inputs, name)
        rows.append({"approach": meta.approach, "quantity": name, "label_fr": meta.label_fr, "unit": meta.unit,
                     "low": low, "central": middle, "high": high,
                     "inputs_with_range": " ".join(relevant_inputs(inputs, name)),
                     "rounding": meta.rounding, "note": meta.note})
    return pd.DataFrame(rows)


def tornado(inputs: pd.DataFrame, quantity: str) -> pd.DataFrame:
    """One-at-a-time: ``quantity`` with each relevant input at its low and at its high, the others
    central; sorted by swing (|high − low| of the output), largest first."""
    base = central(inputs)
    middle = float(evaluate(base)[quantity])
    labels = dict(zip(inputs["id"], inputs["label_fr"]))
    rows = []
    table = inputs.set_index("id")
    for input_id in relevant_inputs(inputs, quantity):
        low, high = float(table.at[input_id, "low"]), float(table.at[input_id, "high"])
        at_low = float(evaluate({**base, input_id: low})[quantity])
        at_high = float(evaluate({**base, input_id: high})[quantity])
        rows.append({"quantity": quantity, "input_id": input_id, "label_fr": labels[input_id],
                     "unit": table.at[input_id, "unit"], "input_low": low, "input_central": base[input_id], "input_high": high,
                     "output_central": middle, "output_at_low": at_low, "output_at_high": at_high,
                     "swing": abs(at_high - at_low)})
    frame = pd.DataFrame(rows, columns=["quantity", "input_id", "label_fr", "unit", "input_low", "input_central", "input_high",
                                        "output_central", "output_at_low", "output_at_high", "swing"])
    return frame.sort_values(["swing", "input_id"], ascending=[False, True], kind="mergesort").reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# 5. Monte Carlo and Sobol indices
# --------------------------------------------------------------------------------------------

def inverse_cdf(row, u: np.ndarray) -> np.ndarray:
    """Values of one input at the probabilities ``u`` (0 < u < 1) under its distribution."""
    u = np.clip(np.asarray(u, dtype=float), 1e-12, 1 - 1e-12)
    value, low, high = float(row["value"]), float(row["low"]), float(row["high"])
    dist = row["distribution"]
    if dist == "fixed":
        return np.full_like(u, value)
    if dist == "uniform":
        return low + u * (high - low)
    if dist == "triangular":
        return stats.triang.ppf(u, c=(value - low) / (high - low), loc=low, scale=high - low)
    if dist == "lognormal":
        sigma = math.log(high / low) / (2 * Z95)
        return np.exp(math.log(value) + sigma * stats.norm.ppf(u))
    raise ValueError(f"unknown distribution {dist!r}")


def sample_inputs(inputs: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    """``n`` joint draws of every input (independent), reproducible from ``seed``."""
    rng = np.random.default_rng(seed)
    u = rng.random((n, len(inputs)))
    return pd.DataFrame({row["id"]: inverse_cdf(row, u[:, j]) for j, (_, row) in enumerate(inputs.iterrows())})


def monte_carlo(inputs: pd.DataFrame, n: int, seed: int, quantities: list[str] | None = None) -> pd.DataFrame:
    """Quantities evaluated on ``n`` seeded draws of the inputs (one row per draw)."""
    draws = sample_inputs(inputs, n, seed)
    results = evaluate({c: draws[c].to_numpy() for c in draws.columns})
    names = quantities or list(QUANTITIES)
    return pd.DataFrame({name: np.broadcast_to(np.asarray(results[name], dtype=float), (n,)) for name in names})


PERCENTILES = (5, 25, 50, 75, 95)


def summarise(draws: pd.DataFrame) -> pd.DataFrame:
    """Mean, standard deviation and percentiles of each column of ``draws``."""
    rows = []
    for name in draws.columns:
        values = draws[name].to_numpy()
        row = {"quantity": name, "label_fr": QUANTITIES[name].label_fr if name in QUANTITIES else name,
               "unit": QUANTITIES[name].unit if name in QUANTITIES else "", "n": len(values),
               "mean": float(values.mean()), "sd": float(values.std(ddof=1))}
        row.update({f"p{q:02d}": float(v) for q, v in zip(PERCENTILES, np.percentile(values, PERCENTILES))})
        rows.append(row)
    return pd.DataFrame(rows)


def sobol_indices(inputs: pd.DataFrame, quantity: str, n: int, seed: int) -> pd.DataFrame:
    """First-order and total Sobol indices of ``quantity`` over its relevant inputs (SALib,
    Saltelli/Sobol' sampling of N × (D + 2) points, inputs mapped through their distributions)."""
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    ids = relevant_inputs(inputs, quantity)
    problem = {"num_vars": len(ids), "names": ids, "bounds": [[0.0, 1.0]] * len(ids)}
    u = sobol_sample.sample(problem, n, calc_second_order=False, scramble=True, seed=seed)
    table = inputs.set_index("id")
    p = central(inputs)
    for j, input_id in enumerate(ids):
        p[input_id] = inverse_cdf(table.loc[input_id].to_dict() | {"id": input_id}, u[:, j])
    y = np.asarray(evaluate(p)[quantity], dtype=float)
    result = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed, print_to_console=False)
    labels = dict(zip(inputs["id"], inputs["label_fr"]))
    frame = pd.DataFrame({"quantity": quantity, "input_id": ids, "label_fr": [labels[i] for i in ids],
                          "S1": result["S1"], "S1_conf": result["S1_conf"],
                          "ST": result["ST"], "ST_conf": result["ST_conf"], "N": n, "evaluations": len(y)})
    return frame.sort_values(["ST", "input_id"], ascending=[False, True], kind="mergesort").reset_index(drop=True)


def drivers(sobol: pd.DataFrame, quantity: str, threshold: float = 0.05) -> list[str]:
    """Inputs whose total Sobol index of ``quantity`` is at least ``threshold``, largest first."""
    rows = sobol[(sobol["quantity"] == quantity) & (sobol["ST"] >= threshold)]
    return rows["input_id"].tolist()


# --------------------------------------------------------------------------------------------
# 6. The table the variants part reads
# --------------------------------------------------------------------------------------------

BUDGET_COLUMNS = ["quantity", "low", "central", "high", "unit", "source"]


def budget_for_variants(inputs: pd.DataFrame, summary: pd.DataFrame, seed: int, n: int) -> pd.DataFrame:
    """``market_budget_for_variants.csv``: one row per quantity (low, central, high, unit, source).

    annual_public_digital_resources_budget_eur: the bottom-up budget (central inputs), low and high
    = its Monte Carlo 5th and 95th percentiles; pupils and schools: their input ranges; the
    top-down digital spending (2025 vintage) and the local authorities' share of past spending are
    given for reference.
    """
    mc = summary.set_index("quantity")
    ids = " ".join(relevant_inputs(inputs, BUDGET_QUANTITY))

    def from_mc(name):
        return float(mc.at[name, "p05"]), float(evaluate(central(inputs))[name]), float(mc.at[name, "p95"])

    rows = []
    low, mid, high = from_mc(BUDGET_QUANTITY)
    rows.append(("annual_public_digital_resources_budget_eur", low, mid, high, "EUR per year",
                 "Approach 3 (bottom-up, analysis.market.bottom_up): pupils x EUR/pupil + teachers x EUR/teacher + "
                 f"schools x EUR/school, data/market/inputs.csv; central at central inputs; low/high = Monte Carlo "
                 f"P5/P95 (seed {seed}, n {n}) over {ids}"))
    for name, quantity, unit, source in [
        ("pupils", "pupils_total", "pupils", "pupils_primary + pupils_secondary (data/raw/evidence/education_system_facts.csv, "
                                              "rentrée 2024); range = input ranges"),
        ("schools", "schools_total", "schools", "écoles + collèges + lycées (data/raw/evidence/education_system_facts.csv, 2024)"),
    ]:
        low, mid, high = input_range(inputs, quantity)
        rows.append((name, low, mid, high, unit, source))
    low, mid, high = from_mc("topdown_digital_gaag2025_eur")
    rows.append(("topdown_public_digital_education_eur", low, mid, high, "EUR per year",
                 "Approach 2 (top-down, 2025 vintage): GDP 2021 x procurement share x education share x digital share; "
                 f"low/high = Monte Carlo P5/P95 (seed {seed}, n {n}); for comparison, not the allocated budget"))
    low, mid, high = input_range(inputs, "past_local_authority_share_pct")
    rows.append(("local_authority_share_of_public_digital_spending_pct", low, mid, high, "%",
                 "Cour des comptes 2019: local authorities about EUR 2 bn vs State about EUR 0.3 bn over 2013-2017 "
                 "(digital education as a whole); range = input ranges"))
    return pd.DataFrame(rows, columns=BUDGET_COLUMNS)


# --------------------------------------------------------------------------------------------
# 7. Figures (labels in French)
# --------------------------------------------------------------------------------------------

def _meur(x: float) -> str:
    from analysis.plotting import number_fr
    return f"{number_fr(x / 1e6)} M€"


APPROACH_COLOURS = {"1": "#29a36a", "2": "#5b6770", "3": "#1f3f99", "4": "#7b4fa3"}


def approaches_figure(approaches: pd.DataFrame, references: list[tuple[str, float]],
                      funding: pd.DataFrame, source: str):
    """Left: ranges (low–high bar, central dot) of the euro market sizes, with reference marks.
    Right: funding intensity (France's share of world funding against its share of world GDP), with
    the European total implied by France's share of European funding."""
    import matplotlib.pyplot as plt

    from analysis.plotting import FRANCE_COLOUR, HIGHLIGHT_COLOUR, OTHER_COLOUR, add_source, percent_fr

    euro = approaches.set_index("quantity").loc[EURO_MARKET_QUANTITIES].reset_index()
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(14, 6.2), gridspec_kw={"width_ratios": [2.4, 1]})
    y = np.arange(len(euro))[::-1]
    for yi, row in zip(y, euro.itertuples()):
        colour = APPROACH_COLOURS[row.approach[0]]
        ax.plot([row.low / 1e6, row.high / 1e6], [yi, yi], color=colour, lw=9, alpha=0.3, solid_capstyle="butt")
        ax.plot(row.central / 1e6, yi, "o", color=colour, ms=9)
        ax.annotate(_meur(row.central), (row.central / 1e6, yi), xytext=(0, 10), textcoords="offset points",
                    ha="center", fontsize=8.5, color=colour, fontweight="bold")
        for end, align in ((row.low, "right"), (row.high, "left")):
            ax.annotate(_meur(end), (end / 1e6, yi), xytext=(-6 if align == "right" else 6, -3),
                        textcoords="offset points", ha=align, va="center", fontsize=7.5, color="#555555")
    labels = [_wrap(label, 46) + ("\n(budget retenu pour les variantes)" if q == BUDGET_QUANTITY else "")
              for q, label in zip(euro["quantity"], euro["label_fr"])]
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize=8.5)
    ax.set_ylim(-0.7, len(euro) - 0.3)
    ax.grid(axis="y", visible=False)
    styles = ["--", ":", "-."]
    for k, (label, value) in enumerate(references):
        ax.axvline(value / 1e6, color=HIGHLIGHT_COLOUR, ls=styles[k % 3], lw=1.4, label=f"{_wrap(label, 60)} : {_meur(value)}")
    upper = max(euro["high"].max(), max(v for _, v in references)) / 1e6
    ax.set_xlim(0, upper * 1.12)
    ax.set_xlabel("M€ par an (barre : fourchette basse–haute des entrées ; point : valeur centrale)")
    ax.set_title("Taille du marché des ressources numériques scolaires selon les approches", fontsize=11)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.11), fontsize=8, frameon=False, ncol=1)

    shares = funding.set_index("measure")
    values = shares.loc[["share_world_funding", "share_world_gdp"]]
    names = ["Part des levées\nEdTech mondiales (2024)", "Part du PIB\nmondial"]
    bars = ax2.bar(names, values["central"], color=[FRANCE_COLOUR, OTHER_COLOUR], width=0.6,
                   yerr=[values["central"] - values["low"], values["high"] - values["central"]], capsize=4)
    for bar, v in zip(bars, values["central"]):
        ax2.annotate(percent_fr(v, 2 if v < 2 else 1), (bar.get_x() + bar.get_width() / 2, v), xytext=(0, 6),
                     textcoords="offset points", ha="center", fontsize=10, fontweight="bold")
    europe = shares.loc["share_europe_funding"]
    implied = shares.loc["europe_implied_musd"]
    ax2.text(0.5, 0.97, f"France : {percent_fr(europe['central'], 0)} des levées européennes\n"
                        f"⇒ total européen implicite ≈ {implied['central']:.0f} M$\n"
                        f"({implied['low']:.0f}–{implied['high']:.0f} M$ selon l'arrondi)",
             transform=ax2.transAxes, ha="center", va="top", fontsize=8.5,
             bbox={"boxstyle": "round", "facecolor": "#f3f4f7", "edgecolor": "#cccccc"})
    ax2.set_ylabel("% (France)")
    ax2.set_ylim(0, values["high"].max() * 1.9)
    ax2.grid(axis="x", visible=False)
    ax2.set_title("Levées de fonds EdTech : la France\nsous-représentée par rapport à son PIB", fontsize=11)
    ax2.tick_params(axis="x", labelsize=8.5)
    fig.tight_layout()
    add_source(fig, source)
    return fig


def _wrap(text: str, width: int) -> str:
    import textwrap
    return "\n".join(textwrap.wrap(text, width))


def tornado_figure(tornado_table: pd.DataFrame, quantities: list[str], source: str, top: int = 8):
    """One panel per quantity: bars from the output at the input's low to the output at its high."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    from analysis.plotting import FRANCE_COLOUR, HIGHLIGHT_COLOUR, add_source

    counts = [min(top, int((tornado_table["quantity"] == q).sum())) for q in quantities]
    fig, axes = plt.subplots(len(quantities), 1, figsize=(10, 1.8 + 0.75 * sum(counts) + 0.6 * len(quantities)),
                             squeeze=False, gridspec_kw={"height_ratios": [c + 0.8 for c in counts]})
    for ax, name in zip(axes[:, 0], quantities):
        rows = tornado_table[tornado_table["quantity"] == name].head(top).iloc[::-1]
        middle = rows["output_central"].iloc[0] / 1e6
        y = np.arange(len(rows))
        low_out, high_out = rows["output_at_low"] / 1e6, rows["output_at_high"] / 1e6
        ax.barh(y, low_out - middle, left=middle, color=HIGHLIGHT_COLOUR, alpha=0.85, height=0.6)
        ax.barh(y, high_out - middle, left=middle, color=FRANCE_COLOUR, alpha=0.85, height=0.6)
        for yi, lo, hi in zip(y, low_out, high_out):
            for value in (lo, hi):
                if abs(value - middle) > 0.02 * middle:
                    ax.annotate(f"{value:,.0f}".replace(",", "\u202f"), (value, yi),
                                xytext=(4 if value > middle else -4, 0), textcoords="offset points",
                                ha="left" if value > middle else "right", va="center", fontsize=7.5)
        ax.axvline(middle, color="#333333", lw=1)
        ax.set_yticks(y)
        ax.set_yticklabels([f"{_wrap(r.label_fr, 42)}\n[{_num(r.input_low)} – {_num(r.input_high)} {_unit_fr(r.unit)}]"
                            for r in rows.itertuples()], fontsize=8)
        ax.set_ylim(-0.6, len(rows) - 0.4)
        ax.grid(axis="y", visible=False)
        lo_all, hi_all = min(low_out.min(), middle), max(high_out.max(), middle)
        pad = 0.12 * (hi_all - lo_all)
        ax.set_xlim(lo_all - pad, hi_all + pad)
        ax.set_title(f"{QUANTITIES[name].label_fr}\n(valeur centrale {_meur(middle * 1e6)})", fontsize=10)
        ax.set_xlabel("M€ par an")
    axes[0, 0].legend(handles=[Patch(color=HIGHLIGHT_COLOUR, label="entrée à sa valeur basse"),
                               Patch(color=FRANCE_COLOUR, label="entrée à sa valeur haute")],
                      loc="lower right", fontsize=8)
    fig.suptitle("Sensibilité de la taille du marché à chaque entrée (une à la fois, les autres à leur valeur centrale)",
                 fontweight="bold", fontsize=11)
    fig.tight_layout()
    add_source(fig, source)
    return fig


_UNITS_FR = {"EUR per pupil per year": "€/élève/an", "EUR per teacher per year": "€/enseignant/an",
             "EUR per school per year": "€/établissement/an", "%": "%", "% of procurement": "% des achats",
             "% of GDP": "% du PIB", "pupils": "élèves", "teachers": "enseignants", "M EUR": "M€"}


def _unit_fr(unit: str) -> str:
    return _UNITS_FR.get(unit, unit)


def _num(x: float) -> str:
    from analysis.plotting import number_fr
    if abs(x) >= 1e6:
        return f"{number_fr(x / 1e6, 2)} M"
    return number_fr(x, 0) if float(x).is_integer() or abs(x) >= 100 else number_fr(x, 2)


def monte_carlo_figure(draws: pd.DataFrame, summary: pd.DataFrame, quantities: list[str],
                       references: list[tuple[str, float]], source: str):
    """One histogram per quantity (M€, shared axis), with P5, P50, P95 and the reference marks."""
    import matplotlib.pyplot as plt

    from analysis.plotting import FRANCE_COLOUR, HIGHLIGHT_COLOUR, PALETTE, add_source, number_fr

    stats_table = summary.set_index("quantity")
    upper = max(max(np.percentile(draws[q], 99.5) for q in quantities), max(v for _, v in references)) / 1e6 * 1.05
    bins = np.linspace(0, upper, 80)
    colours = [FRANCE_COLOUR, PALETTE[5], PALETTE[2]]
    fig, axes = plt.subplots(len(quantities), 1, figsize=(10, 2.2 + 2.6 * len(quantities)), sharex=True, squeeze=False)
    styles = ["--", "-."]
    for ax, colour, name in zip(axes[:, 0], colours, quantities):
        values = draws[name] / 1e6
        beyond = float((values > upper).mean())
        ax.hist(values.clip(upper=upper), bins=bins, color=colour, alpha=0.55)
        top = ax.get_ylim()[1]
        for q, label, height, side in (("p05", "P5", 0.97, -1), ("p50", "P50", 0.97, 1), ("p95", "P95", 0.75, 1)):
            x = stats_table.at[name, q] / 1e6
            ax.axvline(x, color=colour, ls="-" if q == "p50" else ":", lw=1.4)
            ax.annotate(f"{label}\n{_meur(stats_table.at[name, q])}", (x, top * height), xytext=(4 * side, 0),
                        textcoords="offset points", ha="left" if side > 0 else "right", va="top", fontsize=8,
                        color=colour, bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none",
                                            "alpha": 0.85})
        for k, (label, value) in enumerate(references):
            ax.axvline(value / 1e6, color=HIGHLIGHT_COLOUR, ls=styles[k % 2], lw=1.3,
                       label=f"{_wrap(label, 48)} : {_meur(value)}" if ax is axes[0, 0] else None)
        title = QUANTITIES[name].label_fr
        if beyond > 0:
            title += f" ({number_fr(100 * beyond, 1)} % des tirages au-delà de {_meur(upper * 1e6)}, regroupés à droite)"
        ax.set_title(_wrap(title, 95), fontsize=10)
        ax.set_ylabel("Nombre de tirages")
        ax.grid(axis="x", visible=False)
    axes[-1, 0].set_xlabel("M€ par an")
    axes[-1, 0].set_xlim(0, upper)
    n = int(stats_table.at[quantities[0], "n"])
    fig.suptitle(f"Distribution Monte Carlo de la taille du marché ({number_fr(n)} tirages)", fontweight="bold")
    axes[0, 0].legend(loc="center right", fontsize=8, frameon=True, title="Repères", title_fontsize=8)
    fig.tight_layout()
    add_source(fig, source)
    return fig


def funding_shares(inputs: pd.DataFrame) -> pd.DataFrame:
    """France's share of world funding, of European funding and of world GDP (low, central, high)."""
    table = inputs.set_index("id")
    low, mid, high = input_range(inputs, "funding_fra_share_world_pct")
    rows = [("share_world_funding", low, mid, high)]
    for measure, input_id in (("share_europe_funding", "funding_fra_share_europe_pct"),
                              ("share_world_gdp", "gdp_fra_share_world_pct")):
        rows.append((measure, float(table.at[input_id, "low"]), float(table.at[input_id, "value"]),
                     float(table.at[input_id, "high"])))
    low, mid, high = input_range(inputs, "funding_europe_implied_musd")
    rows.append(("europe_implied_musd", low, mid, high))
    return pd.DataFrame(rows, columns=["measure", "low", "central", "high"])
