"""Market sizing of school EdTech in France: four approaches, ranges, sensitivity.

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
2. :func:`top_down` — on consistent bases: the world digital share of education spending × total
   public education expenditure (COFOG GF09, TE); a digital share of procurement (an assumption)
   × education procurement (OECD, both vintages; Eurostat P2 + P51G); :func:`oecd_gap` — the gap
   to the OECD average in both forms (the slides' % of GDP, and the OECD education share applied
   to France's procurement);
3. :func:`bottom_up` (pupils, teachers, schools × spend each on resources, not equipment) and
   :func:`past_budgets` (Cour des comptes 2019 spending per year, equipment included);
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

from analysis import config
from analysis.errors import frame_unit_problems
from analysis.validation import DataValidationError, read_csv_validated

SLIDE_MARKET_FIGURES_RAW = config.RAW / "slides" / "edtech_market_figures.csv"
EDUCATION_FACTS_RAW = config.RAW / "evidence" / "education_system_facts.csv"
INPUTS_FILE = config.DATA / "market" / "inputs.csv"
PROCESSED_VINTAGES = config.PROCESSED / "procurement_vintages.csv"
PROCESSED_GDP = config.PROCESSED / "eurostat_gdp_annual.csv"
PROCESSED_COFOG = config.PROCESSED / "eurostat_cofog_procurement.csv"
#: The OECD part's processed tables the inputs file refers to, by the name the references use.
PROCESSED_TABLES = {"procurement_vintages.csv": PROCESSED_VINTAGES, "eurostat_gdp_annual.csv": PROCESSED_GDP,
                    "eurostat_cofog_procurement.csv": PROCESSED_COFOG}


def read_processed(tables: Mapping[str, Path] | None = None) -> dict[str, pd.DataFrame]:
    """The processed tables the inputs refer to (``{name: frame}``), read from data/processed
    (a missing one is an error naming the command that builds it)."""
    return {name: pd.read_csv(config.require(path, config.BUILD_PROCESSED))
            for name, path in (tables or PROCESSED_TABLES).items()}

DISTRIBUTIONS = ("fixed", "uniform", "triangular", "lognormal")
QUALIFIERS = ("exact", "rounded", "about", "at_least", "at_most")


def z95() -> float:
    """1.645: the 95th percentile of the standard normal (scipy.special.ndtri, as scipy.stats.norm.ppf).
    Computed on use: the input checks, which import this module for its schemas, need no scipy."""
    from scipy import special

    return float(special.ndtri(0.95))


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
        # inputs still referring to data/processed (not yet resolved, as in the workflow's check
        # before anything runs) may stay empty; every other row must be complete
        return check_input_rows(result, source, resolved=False)
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
    bound: 'plus de 60 %'); idf_edtechs = active × Île-de-France share; revenue per firm = market
    / active firms; school_segment_eur = market (bn€) × the school segment's share of *revenue*
    (an assumption: the slides give a share of *firms*, and nothing says revenue is spread alike).
    The market figure covers every segment and every payer (households and firms included).
    """
    active = p["edtech_active_2025"]
    return {
        "company_school_edtechs": active * p["edtech_school_share_pct"] / 100,
        "company_created_after_2015_min": active * p["edtech_created_after_2015_pct"] / 100,
        "company_idf_edtechs": active * p["edtech_idf_share_pct"] / 100,
        "company_revenue_per_firm_eur": p["market_2023_beur"] * 1e9 / active,
        "company_school_segment_eur": p["market_2023_beur"] * 1e9 * p["edtech_school_revenue_share_pct"] / 100,
    }


VINTAGES = ("gaag2023", "gaag2025")


def procurement_share_gdp_fra(p: Mapping, vintage: str):
    """France's procurement as % of GDP in one vintage.

    2023 vintage: not printed on the slides, implied by education procurement (% of GDP) / the
    education share of procurement, so that the two drawn figures fix it jointly (their product
    is the printed 0.9 % of GDP, read over its rounding); 2025 vintage: the OECD 2025 release.
    """
    if vintage == "gaag2023":
        return 100 * p["edu_pct_gdp_fra_gaag2023"] / p["edu_share_proc_fra_pct"]
    if vintage == "gaag2025":
        return p["proc_share_gdp_fra_gaag2025_pct"]
    raise ValueError(f"unknown vintage {vintage!r}")


def education_procurement_eur(p: Mapping, vintage: str):
    """France's public education procurement in euros (OECD definition) for one vintage."""
    if vintage not in VINTAGES:
        raise ValueError(f"unknown vintage {vintage!r}")
    return p["gdp_fra_2021_meur"] * 1e6 * procurement_share_gdp_fra(p, vintage) / 100 * p["edu_share_proc_fra_pct"] / 100


def top_down(p: Mapping) -> dict:
    """Top-down estimates on consistent bases.

    - digital share of *education expenditure*: the slides' 4 % is technology's share of all
      education and training spending (world, every payer, wages included), so it applies to a
      total: France's public education expenditure (COFOG GF09, TE) × that share. It measures
      what French public education would spend on technology if it spent like the world average
      of all payers; it is not a measured French figure;
    - digital share of *procurement*: education procurement (OECD, both vintages; Eurostat COFOG
      P2 + P51G of GF09) × a digital share of procurement, which no source in the package gives
      (an assumption, see the inputs file);
    - the procurement share of education expenditure (COFOG: P2 + P51G over TE of GF09), which
      says how far apart the two bases are.
    """
    te = p["education_expenditure_fra_2021_meur"] * 1e6
    cofog = p["education_procurement_cofog_fra_2021_meur"] * 1e6
    out = {
        "topdown_education_expenditure_eur": te,
        "topdown_procurement_share_of_education_expenditure_pct": 100 * cofog / te,
        "topdown_digital_of_education_expenditure_eur": te * p["digital_share_education_pct"] / 100,
        "topdown_education_procurement_cofog_eur": cofog,
        "topdown_digital_of_procurement_cofog_eur": cofog * p["digital_share_education_procurement_pct"] / 100,
    }
    for vintage in VINTAGES:
        education = education_procurement_eur(p, vintage)
        out[f"topdown_education_procurement_{vintage}_eur"] = education
        out[f"topdown_digital_of_procurement_{vintage}_eur"] = education * p["digital_share_education_procurement_pct"] / 100
    return out


def oecd_gap(p: Mapping, vintage: str) -> dict:
    """What France would add, in euros, to reach the OECD average, in the two forms of the comparison.

    - ``gdp``, the slides' own comparison in % of GDP: GDP × (OECD education procurement % of GDP
      − France's); 2023 vintage: the printed 1.4 % and 0.9 %; 2025 vintage: each procurement
      share of the 2025 release × the cited education shares;
    - ``share``: education given the OECD-average share of France's (larger) total procurement:
      GDP × France's procurement share × (OECD education share − France's education share).
    Each gap's digital part = gap × the digital share of procurement (assumption).
    """
    gdp = p["gdp_fra_2021_meur"] * 1e6
    if vintage == "gaag2023":
        oecd_pct, fra_pct = p["edu_pct_gdp_oecd_gaag2023"], p["edu_pct_gdp_fra_gaag2023"]
    elif vintage == "gaag2025":
        oecd_pct = p["proc_share_gdp_oecd_gaag2025_pct"] * p["edu_share_proc_oecd_pct"] / 100
        fra_pct = p["proc_share_gdp_fra_gaag2025_pct"] * p["edu_share_proc_fra_pct"] / 100
    else:
        raise ValueError(f"unknown vintage {vintage!r}")
    gap_gdp = gdp * (oecd_pct - fra_pct) / 100
    gap_share = (gdp * procurement_share_gdp_fra(p, vintage) / 100
                 * (p["edu_share_proc_oecd_pct"] - p["edu_share_proc_fra_pct"]) / 100)
    digital = p["digital_share_education_procurement_pct"] / 100
    return {
        f"oecd_gap_gdp_{vintage}_eur": gap_gdp,
        f"oecd_gap_share_{vintage}_eur": gap_share,
        f"oecd_gap_gdp_digital_{vintage}_eur": gap_gdp * digital,
        f"oecd_gap_share_digital_{vintage}_eur": gap_share * digital,
    }


def bottom_up(p: Mapping) -> dict:
    """Addressable school market for digital resources per year: pupils × €/pupil + teachers ×
    €/teacher + schools (écoles + collèges + lycées) × €/school."""
    pupils = p["pupils_primary"] + p["pupils_secondary"]
    schools = p["schools_ecoles"] + p["schools_colleges"] + p["schools_lycees"]
    by_pupil = pupils * p["spend_per_pupil_eur"]
    by_teacher = p["teachers"] * p["spend_per_teacher_eur"]
    by_school = schools * p["spend_per_school_eur"]
    total = by_pupil + by_teacher + by_school
    past = (p["local_authorities_digital_2013_2017_eur"] + p["state_digital_2013_2017_eur"]) / p["past_budget_years"]
    return {
        "pupils_total": pupils,
        "schools_total": schools,
        "bottomup_pupils_eur": by_pupil,
        "bottomup_teachers_eur": by_teacher,
        "bottomup_schools_eur": by_school,
        "bottomup_total_eur": total,
        "bottomup_per_pupil_eur": total / pupils,
        "bottomup_share_of_past_public_digital_pct": 100 * total / past,
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
    out.update(top_down(p))
    for vintage in VINTAGES:
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


_A1, _A2, _A3, _A4 = ("1. base d'entreprises", "2. descendante (dépense et achats publics)", "3. ascendante (élèves)",
                      "4. intensité de financement")
QUANTITIES: dict[str, Quantity] = {
    "company_school_edtechs": Quantity(_A1, "EdTech du scolaire/parascolaire", "firms", "nearest firm",
                                       "active EdTechs × school share (the printed share read over its rounding interval)."),
    "company_created_after_2015_min": Quantity(_A1, "EdTech créées après 2015 (au moins)", "firms", "nearest firm",
                                               "active EdTechs × share created after 2015 ('plus de': the central value is a lower bound; the high end is an assumption)."),
    "company_idf_edtechs": Quantity(_A1, "EdTech en Île-de-France", "firms", "nearest firm",
                                    "active EdTechs × Île-de-France share."),
    "company_revenue_per_firm_eur": Quantity(_A1, "Chiffre d'affaires moyen par EdTech (marché 2023 / EdTech actives)", "EUR", "nearest 0.1 M€",
                                             "market / active firms: far above what a young sector of small firms earns, so the market figure "
                                             "likely covers more than the firms counted (publishers' digital sales, training providers, platforms)."),
    "company_school_segment_eur": Quantity(_A1, "Segment scolaire du marché EdTech, tous financeurs (marché 2023 × part scolaire du chiffre d'affaires)", "EUR", "nearest 10 M€",
                                           "market × school share of revenue (an assumption: the slides give a share of firms); every payer "
                                           "(households, after-school), not public spending."),
    "topdown_education_expenditure_eur": Quantity(_A2, "Dépense publique totale d'éducation 2021 (COFOG GF09, TE)", "EUR", "nearest M€",
                                                  "Eurostat gov_10a_exp, general government, total expenditure of function GF09 (wages included)."),
    "topdown_procurement_share_of_education_expenditure_pct": Quantity(_A2, "Part des achats (P2 + P51G) dans la dépense publique d'éducation", "%", "0.1 pt",
                                                                      "Eurostat COFOG GF09: (P2 + P51G) / TE; D632 is absent from the extract."),
    "topdown_digital_of_education_expenditure_eur": Quantity(_A2, "Descendante A : part numérique mondiale × dépense publique totale d'éducation", "EUR", "nearest 10 M€",
                                                             "What French public education would spend on technology at the world share of all payers (4 %, range 2-8 %); "
                                                             "a consistent base for that share, not a measured French figure."),
    "topdown_education_procurement_cofog_eur": Quantity(_A2, "Achats publics d'éducation 2021 (Eurostat, P2 + P51G de GF09)", "EUR", "nearest M€",
                                                        "lower bound of the OECD measure (no D632)."),
    "topdown_digital_of_procurement_cofog_eur": Quantity(_A2, "Descendante B : part numérique des achats (hypothèse) × achats d'éducation (Eurostat)", "EUR", "nearest 10 M€",
                                                         "education procurement (COFOG) × digital share of procurement (assumption)."),
    "topdown_education_procurement_gaag2023_eur": Quantity(_A2, "Achats publics d'éducation (OCDE, édition 2023)", "EUR", "nearest M€",
                                                           "GDP 2021 × education procurement % of GDP (the printed 0.9 %)."),
    "topdown_digital_of_procurement_gaag2023_eur": Quantity(_A2, "Descendante B : part numérique des achats (hypothèse) × achats d'éducation (OCDE, édition 2023)", "EUR", "nearest 10 M€",
                                                            "education procurement × digital share of procurement (assumption)."),
    "topdown_education_procurement_gaag2025_eur": Quantity(_A2, "Achats publics d'éducation (OCDE, édition 2025)", "EUR", "nearest M€",
                                                           "GDP 2021 × procurement share (OECD 2025 release) × education share (2023 edition)."),
    "topdown_digital_of_procurement_gaag2025_eur": Quantity(_A2, "Descendante B : part numérique des achats (hypothèse) × achats d'éducation (OCDE, édition 2025)", "EUR", "nearest 10 M€",
                                                            "education procurement × digital share of procurement (assumption)."),
    "oecd_gap_gdp_gaag2023_eur": Quantity(_A2, "Écart à l'OCDE en % du PIB (comparaison des diapositives, édition 2023)", "EUR", "nearest 0.1 bn€",
                                          "GDP × (1.4 % − 0.9 %), the printed figures read over their rounding."),
    "oecd_gap_share_gaag2023_eur": Quantity(_A2, "Écart à la part OCDE de l'éducation dans les achats (édition 2023)", "EUR", "nearest 0.1 bn€",
                                            "GDP × France's procurement share × (OECD education share − France's)."),
    "oecd_gap_gdp_digital_gaag2023_eur": Quantity(_A2, "Écart en % du PIB, part numérique (édition 2023)", "EUR", "nearest 10 M€",
                                                  "the gap × the digital share of procurement (assumption)."),
    "oecd_gap_share_digital_gaag2023_eur": Quantity(_A2, "Écart à la part OCDE, part numérique (édition 2023)", "EUR", "nearest 10 M€",
                                                    "the gap × the digital share of procurement (assumption)."),
    "oecd_gap_gdp_gaag2025_eur": Quantity(_A2, "Écart à l'OCDE en % du PIB (édition 2025)", "EUR", "nearest 0.1 bn€",
                                          "GDP × (OECD procurement share × OECD education share − France's, 2025 release)."),
    "oecd_gap_share_gaag2025_eur": Quantity(_A2, "Écart à la part OCDE de l'éducation dans les achats (édition 2025)", "EUR", "nearest 0.1 bn€",
                                            "GDP × procurement share (2025 release) × (OECD education share − France's)."),
    "oecd_gap_gdp_digital_gaag2025_eur": Quantity(_A2, "Écart en % du PIB, part numérique (édition 2025)", "EUR", "nearest 10 M€",
                                                  "the gap × the digital share of procurement (assumption)."),
    "oecd_gap_share_digital_gaag2025_eur": Quantity(_A2, "Écart à la part OCDE, part numérique (édition 2025)", "EUR", "nearest 10 M€",
                                                    "the gap × the digital share of procurement (assumption)."),
    "pupils_total": Quantity(_A3, "Élèves (premier + second degré)", "pupils", "nearest thousand",
                             "primary + secondary pupils (rentrée 2024)."),
    "schools_total": Quantity(_A3, "Établissements (écoles, collèges, lycées)", "schools", "exact",
                              "écoles + collèges + lycées."),
    "bottomup_pupils_eur": Quantity(_A3, "Ascendante : part élèves", "EUR", "nearest M€", "pupils × €/pupil."),
    "bottomup_teachers_eur": Quantity(_A3, "Ascendante : part enseignants", "EUR", "nearest M€", "teachers × €/teacher (assumptions)."),
    "bottomup_schools_eur": Quantity(_A3, "Ascendante : part établissements", "EUR", "nearest M€", "schools × €/school."),
    "bottomup_total_eur": Quantity(_A3, "Ascendante : budget public annuel en ressources numériques (hors équipement)", "EUR", "nearest 10 M€",
                                   "pupils × €/pupil + teachers × €/teacher + schools × €/school, per year; resources and services, "
                                   "not equipment."),
    "bottomup_per_pupil_eur": Quantity(_A3, "Ascendante : budget par élève", "EUR per pupil", "nearest €",
                                       "bottom-up total / pupils."),
    "past_public_digital_annual_eur": Quantity(_A3, "Dépense publique annuelle en numérique éducatif 2013–2017, équipement compris", "EUR", "nearest 10 M€",
                                               "(local authorities + State spending over 2013–2017) / number of years; equipment included."),
    "bottomup_share_of_past_public_digital_pct": Quantity(_A3, "Ressources (ascendante) en % de la dépense numérique publique 2013–2017, équipement compris", "%", "1 pt",
                                                          "bottom-up total / past annual public digital spending: the resources' share of "
                                                          "all digital spending this estimate implies (the sources give no split)."),
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
    "reference_market_2023_eur": Quantity("0. repère (diapositives)", "Marché EdTech français 2023, tous segments et tous financeurs (diapositives)",
                                          "EUR", "0.1 bn€ (as printed)",
                                          "The slides' market estimate (all segments, private spending included): another quantity "
                                          "than public school spending."),
}

#: The reference mark of the approaches figure (same kind of quantity: public spending).
REFERENCE_QUANTITIES = ["past_public_digital_annual_eur"]

#: The market-size quantities in euros compared in the approaches figure (each measures another
#: thing: the labels say which).
EURO_MARKET_QUANTITIES = [
    "company_school_segment_eur",
    "topdown_digital_of_education_expenditure_eur",
    "topdown_digital_of_procurement_cofog_eur",
    "topdown_digital_of_procurement_gaag2023_eur",
    "topdown_digital_of_procurement_gaag2025_eur",
    "bottomup_total_eur",
]
#: The gaps to the OECD average (education procurement, euros), both forms, both vintages.
GAP_QUANTITIES = ["oecd_gap_gdp_gaag2023_eur", "oecd_gap_share_gaag2023_eur",
                  "oecd_gap_gdp_gaag2025_eur", "oecd_gap_share_gaag2025_eur"]
#: The quantities whose sensitivity is analysed (tornado, Monte Carlo, Sobol).
SENSITIVITY_QUANTITIES = ["bottomup_total_eur", "topdown_digital_of_education_expenditure_eur",
                          "topdown_digital_of_procurement_gaag2025_eur"]
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
    from scipy import stats    # imported on use: the input checks and the figures need none of it

    if dist == "triangular":
        return stats.triang.ppf(u, c=(value - low) / (high - low), loc=low, scale=high - low)
    if dist == "lognormal":
        sigma = math.log(high / low) / (2 * z95())
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

BUDGET_COLUMNS = ["quantity", "low", "central", "median", "high", "unit", "source"]


def budget_for_variants(inputs: pd.DataFrame, summary: pd.DataFrame, seed: int, n: int) -> pd.DataFrame:
    """``market_budget_for_variants.csv``: one row per quantity (low, central, median, high, unit, source).

    annual_public_digital_resources_budget_eur: the bottom-up budget at central inputs
    (``central``: the inputs' modes or mid-points), the Monte Carlo median beside it (``median``),
    low and high = its Monte Carlo 5th and 95th percentiles; pupils and schools: their input
    ranges (median = central); the top-down figure on total public education expenditure and the
    local authorities' share of past spending are given for reference.
    """
    mc = summary.set_index("quantity")
    ids = " ".join(relevant_inputs(inputs, BUDGET_QUANTITY))
    centre = evaluate(central(inputs))

    def from_mc(name):
        return (float(mc.at[name, "p05"]), float(centre[name]), float(mc.at[name, "p50"]),
                float(mc.at[name, "p95"]))

    rows = []
    low, mid, median, high = from_mc(BUDGET_QUANTITY)
    rows.append(("annual_public_digital_resources_budget_eur", low, mid, median, high, "EUR per year",
                 "Approach 3 (bottom-up, analysis.market.bottom_up): pupils x EUR/pupil + teachers x EUR/teacher + "
                 f"schools x EUR/school, data/market/inputs.csv; resources, not equipment; central at central inputs; "
                 f"median, low/high = Monte Carlo P50, P5/P95 (seed {seed}, n {n}) over {ids}"))
    for name, quantity, unit, source in [
        ("pupils", "pupils_total", "pupils", "pupils_primary + pupils_secondary (data/raw/evidence/education_system_facts.csv, "
                                              "rentrée 2024); range = input ranges"),
        ("schools", "schools_total", "schools", "écoles + collèges + lycées (data/raw/evidence/education_system_facts.csv, 2024)"),
    ]:
        low, mid, high = input_range(inputs, quantity)
        rows.append((name, low, mid, mid, high, unit, source))
    low, mid, median, high = from_mc("topdown_digital_of_education_expenditure_eur")
    rows.append(("topdown_digital_of_education_expenditure_eur", low, mid, median, high, "EUR per year",
                 "Approach 2A (top-down): COFOG GF09 total expenditure 2021 x world digital share of education spending; "
                 f"low/high = Monte Carlo P5/P95 (seed {seed}, n {n}); for comparison, not the allocated budget"))
    low, mid, high = input_range(inputs, "past_local_authority_share_pct")
    rows.append(("local_authority_share_of_public_digital_spending_pct", low, mid, mid, high, "%",
                 "Cour des comptes 2019: local authorities about EUR 2 bn vs State about EUR 0.3 bn over 2013-2017 "
                 "(digital education as a whole); range = input ranges"))
    return pd.DataFrame(rows, columns=BUDGET_COLUMNS)


# --------------------------------------------------------------------------------------------
# 7. Funding shares (the figures are in analysis.market_figures)
# --------------------------------------------------------------------------------------------

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
