"""OECD public-procurement comparisons and the Eurostat cross-check.

Steps, each a small function with one job:

1. read and validate the raw files (``read_oecd_raw``, ``read_cofog_raw``, ``read_gdp_raw``,
   ``read_slide_figures``): pandera schemas below, errors naming file, row and column;
2. tidy them into ``data/processed/`` (``tidy_oecd``, ``cofog_procurement``, ``annual_gdp``,
   ``procurement_vintages``): the ``python -m analysis.oecd`` commands the workflow runs;
3. the analyses the notebook shows: the 2021 ranking, France against the OECD over time and its
   rank in every year, the vintage audit, the Eurostat education cross-check and the model that
   places France given the size of its other procurement;
4. the claims of the slides (``claim_values``), each verbal claim recomputed under every reading of
   ``data/claims/thresholds.yaml`` (``*_readings``).

Units: percentages are in percent (12.9 means 12.9 %), money in million euro or million USD PPP.
"""

from __future__ import annotations

import argparse
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from analysis import claims, config
from analysis.countries import countries, eurostat_to_iso3
from analysis.io import write_csv
from analysis.validation import DataValidationError, read_csv_validated, validate

OECD_RAW = config.RAW / "oecd" / "OECD.GOV.GIP_DF_GOV_PPROC_2025.csv"
COFOG_RAW = config.RAW / "eurostat" / "gov_10a_exp.csv"
GDP_RAW = config.RAW / "eurostat" / "namq_10_gdp.csv"
SLIDE_FIGURES_RAW = config.RAW / "slides" / "oecd_gaag2023_procurement_figures.csv"
SLIDE_STATEMENTS_RAW = config.RAW / "slides" / "oecd_slide_statements.csv"

PROCESSED_OECD = config.PROCESSED / "oecd_procurement.csv"
PROCESSED_VINTAGES = config.PROCESSED / "procurement_vintages.csv"
PROCESSED_COFOG = config.PROCESSED / "eurostat_cofog_procurement.csv"
PROCESSED_GDP = config.PROCESSED / "eurostat_gdp_annual.csv"

#: OECD unit codes -> the package's measure names.
MEASURES = {"PT_B1GQ": "pct_gdp", "PT_OTE_S13": "pct_gov_exp", "USD_PPP": "usd_ppp_m"}
PERCENT_UNITS = ("PT_B1GQ", "PT_OTE_S13")
AGGREGATES = {"OECD": "OCDE", "EUOECD": "OCDE-UE", "OECD_REP": "Moyenne des pays de l'OCDE"}
EDUCATION = "GF09"

VINTAGE_LABELS = {
    "gaag2023": "Panorama des administrations publiques 2023 (chiffres des diapositives)",
    "gaag2025": "Panorama des administrations publiques 2025 (données OCDE actuelles)",
}


def _known_codes() -> list[str]:
    return countries()["code"].tolist()


def _known_eurostat_codes() -> list[str]:
    return countries()["eurostat_code"].dropna().tolist()


# --------------------------------------------------------------------------------------------
# Schemas of the raw tables (named in the sidecars' table_schema)
# --------------------------------------------------------------------------------------------

OECD_RAW_SCHEMA = pa.DataFrameSchema(
    {
        "REF_AREA": pa.Column(str, pa.Check.isin(_known_codes()), description="country or aggregate code"),
        "MEASURE": pa.Column(str, pa.Check.isin(["GPROC"])),
        "UNIT_MEASURE": pa.Column(str, pa.Check.isin(list(MEASURES))),
        "TIME_PERIOD": pa.Column(int, pa.Check.in_range(1990, 2100)),
        # empty for the OECD aggregates in 2024 (not yet computed by the OECD): dropped by tidy_oecd
        "OBS_VALUE": pa.Column(float, pa.Check.ge(0), nullable=True),
        "OBS_STATUS": pa.Column(str, pa.Check.isin(["A", "B", "E", "P", "M", "F"]), nullable=True),
        "UNIT_MULT": pa.Column(int, pa.Check.isin([0, 3, 6, 9])),
    },
    coerce=True,
    strict=False,
    unique=["REF_AREA", "UNIT_MEASURE", "TIME_PERIOD"],
)

#: Percentages must lie within [0, 100]: checked on the percentage rows only, so that the error
#: names the OBS_VALUE column and the file row.
OECD_PERCENT_SCHEMA = pa.DataFrameSchema(
    {"OBS_VALUE": pa.Column(float, pa.Check.in_range(0, 100), nullable=True)}, strict=False
)

COFOG_RAW_SCHEMA = pa.DataFrameSchema(
    {
        "freq": pa.Column(str, pa.Check.isin(["A"])),
        "unit": pa.Column(str, pa.Check.isin(["MIO_EUR"])),
        "sector": pa.Column(str, pa.Check.isin(["S13"])),
        "cofog99": pa.Column(str, pa.Check.isin(["TOTAL"] + [f"GF{i:02d}" for i in range(1, 11)])),
        # D632 is in Eurostat's dataset but not in the committed extract; a refresh with
        # `python -m analysis.download eurostat` adds it
        "na_item": pa.Column(str, pa.Check.isin(["P2", "P51G", "D632", "TE"])),
        "geo": pa.Column(str, pa.Check.isin(_known_eurostat_codes())),
        "time": pa.Column(int, pa.Check.in_range(1990, 2100)),
        "values": pa.Column(float, nullable=True),
    },
    # sign check: intermediate consumption (P2) is never negative (P51G and TE can be: asset sales)
    checks=[pa.Check(lambda d: (d["na_item"] != "P2") | d["values"].isna() | (d["values"] >= 0),
                     name="P2 (intermediate consumption) >= 0")],
    coerce=True,
    strict=True,
    unique=["cofog99", "na_item", "geo", "time"],
)

GDP_RAW_SCHEMA = pa.DataFrameSchema(
    {
        "freq": pa.Column(str, pa.Check.isin(["Q"])),
        "unit": pa.Column(str, pa.Check.isin(["CP_MEUR", "CLV_PCH_SM"])),
        "s_adj": pa.Column(str, pa.Check.isin(["SCA"])),
        "na_item": pa.Column(str, pa.Check.isin(["B1GQ"])),
        "geo": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{2}[A-Z0-9_]*$")),
        "time": pa.Column(str, pa.Check.str_matches(r"^\d{4}-Q[1-4]$")),
        "values": pa.Column(float, nullable=True),
    },
    # sign check: GDP at current prices is positive (CLV_PCH_SM, a growth rate, can be negative)
    checks=[pa.Check(lambda d: (d["unit"] != "CP_MEUR") | d["values"].isna() | (d["values"] > 0),
                     name="GDP at current prices (CP_MEUR) > 0")],
    coerce=True,
    strict=True,
    unique=["unit", "geo", "time"],
)

SLIDE_FIGURES_SCHEMA = pa.DataFrameSchema(
    {
        "figure_id": pa.Column(str, unique=True),
        "code": pa.Column(str, pa.Check.isin(_known_codes())),
        "year": pa.Column(int, pa.Check.in_range(2000, 2100)),
        "measure": pa.Column(str, pa.Check.isin(["procurement_pct_gdp", "education_share_pct", "education_pct_gdp"])),
        "value": pa.Column(float, pa.Check.in_range(0, 100)),
        "unit": pa.Column(str),
        "wording": pa.Column(str),
        "document": pa.Column(str),
        "location": pa.Column(str),
    },
    coerce=True,
    strict=True,
)


SLIDE_STATEMENTS_SCHEMA = pa.DataFrameSchema(
    {
        "statement_id": pa.Column(str, pa.Check.str_matches(r"^[a-z0-9_]+$"), unique=True),
        "slide": pa.Column(str),
        "location": pa.Column(str),
        "text": pa.Column(str, pa.Check.str_length(min_value=5)),
        "value": pa.Column(float, nullable=True),
        "items": pa.Column(str, nullable=True),
        "items_codes": pa.Column(str, nullable=True),
    },
    coerce=True,
    strict=True,
)


def _shown(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(config.ROOT))
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------------------------
# 1. Reading raw files
# --------------------------------------------------------------------------------------------

def read_oecd_raw(path: str | os.PathLike = OECD_RAW) -> pd.DataFrame:
    """Read the OECD SDMX CSV and validate it (codes, units, years, values, percentages)."""
    frame = read_csv_validated(path, OECD_RAW_SCHEMA, dtype={"OBS_STATUS": "string"})
    percent_rows = frame[frame["UNIT_MEASURE"].isin(PERCENT_UNITS)]
    validate(percent_rows, OECD_PERCENT_SCHEMA, _shown(path))
    return frame


def read_cofog_raw(path: str | os.PathLike = COFOG_RAW) -> pd.DataFrame:
    return read_csv_validated(path, COFOG_RAW_SCHEMA)


def read_gdp_raw(path: str | os.PathLike = GDP_RAW) -> pd.DataFrame:
    return read_csv_validated(path, GDP_RAW_SCHEMA)


def read_slide_figures(path: str | os.PathLike = SLIDE_FIGURES_RAW) -> pd.DataFrame:
    return read_csv_validated(path, SLIDE_FIGURES_SCHEMA)


def read_slide_statements(path: str | os.PathLike = SLIDE_STATEMENTS_RAW) -> pd.DataFrame:
    """The slides' statements as printed (text, the number printed, the items they name)."""
    frame = read_csv_validated(path, SLIDE_STATEMENTS_SCHEMA, dtype={"items": "string", "items_codes": "string"})
    problems = []
    for line, row in zip(range(2, len(frame) + 2), frame.itertuples()):
        items, codes = row.items, row.items_codes
        if isinstance(codes, str) and (not isinstance(items, str) or len(codes.split("|")) != len(items.split("|"))):
            problems.append(f"{_shown(path)}, row {line}, column 'items_codes': one code per item expected")
    if problems:
        raise DataValidationError("\n".join(problems))
    return frame


def slide_figure(figures: pd.DataFrame, figure_id: str) -> float:
    """One figure of the transcription of Government at a Glance 2023 figures, by id."""
    match = figures.loc[figures["figure_id"] == figure_id, "value"]
    if len(match) != 1:
        raise KeyError(f"{_shown(SLIDE_FIGURES_RAW)}: no figure {figure_id!r}")
    return float(match.iloc[0])


def slide_statement(statements: pd.DataFrame, statement_id: str) -> pd.Series:
    match = statements[statements["statement_id"] == statement_id]
    if len(match) != 1:
        raise KeyError(f"{_shown(SLIDE_STATEMENTS_RAW)}: no statement {statement_id!r}")
    return match.iloc[0]


def statement_items(statements: pd.DataFrame, statement_id: str, column: str = "items") -> list[str]:
    value = slide_statement(statements, statement_id)[column]
    return value.split("|") if isinstance(value, str) and value else []


# --------------------------------------------------------------------------------------------
# 2. Tidy tables (data/processed)
# --------------------------------------------------------------------------------------------

def tidy_oecd(raw: pd.DataFrame) -> pd.DataFrame:
    """One row per country (or aggregate), year and measure, with French and English names.

    USD PPP values are in millions (UNIT_MULT = 6 in the raw file); the function checks it.
    Observations without a value (the OECD aggregates in 2024) are dropped.
    """
    raw = raw.dropna(subset=["OBS_VALUE"])
    usd = raw["UNIT_MEASURE"] == "USD_PPP"
    if not (raw.loc[usd, "UNIT_MULT"] == 6).all():
        raise ValueError("USD_PPP rows are expected in millions (UNIT_MULT = 6)")
    tidy = pd.DataFrame({
        "code": raw["REF_AREA"],
        "year": raw["TIME_PERIOD"].astype(int),
        "measure": raw["UNIT_MEASURE"].map(MEASURES),
        "value": raw["OBS_VALUE"].astype(float),
        "obs_status": raw["OBS_STATUS"].fillna("A").astype(str),
    })
    names = countries()[["code", "name_fr", "name_en", "kind", "oecd_member", "eu_member"]]
    tidy = tidy.merge(names, on="code", how="left", validate="many_to_one")
    columns = ["code", "name_fr", "name_en", "kind", "oecd_member", "eu_member", "year", "measure",
               "value", "obs_status"]
    return tidy[columns].sort_values(["measure", "code", "year"]).reset_index(drop=True)


def annual_gdp(raw_gdp: pd.DataFrame) -> pd.DataFrame:
    """Annual GDP (million euro, current prices) as the sum of four seasonally adjusted quarters."""
    current = raw_gdp[(raw_gdp["unit"] == "CP_MEUR")].dropna(subset=["values"]).copy()
    current["year"] = current["time"].str.slice(0, 4).astype(int)
    annual = (current.groupby(["geo", "year"], as_index=False)
              .agg(gdp_meur=("values", "sum"), quarters=("values", "size")))
    annual = annual[annual["quarters"] == 4]
    iso3 = eurostat_to_iso3()
    annual = annual[annual["geo"].isin(iso3)].copy()
    annual.insert(0, "code", annual["geo"].map(iso3))
    annual = annual.rename(columns={"geo": "eurostat_code"})
    return annual[["code", "eurostat_code", "year", "gdp_meur", "quarters"]].sort_values(
        ["code", "year"]).reset_index(drop=True)


def cofog_procurement(raw_cofog: pd.DataFrame) -> pd.DataFrame:
    """Procurement proxy P2 + P51G by COFOG function (million euro), with total expenditure TE.

    The OECD adds D632 (social transfers in kind via market producers). Eurostat's dataset has it;
    the committed extract does not, so ``procurement_meur`` is a lower bound of the OECD's
    procurement and ``d632_meur`` / ``procurement_oecd_def_meur`` are empty until the extract is
    refreshed with D632 (``python -m analysis.download eurostat``).
    """
    wide = raw_cofog.pivot_table(index=["geo", "time", "cofog99"], columns="na_item",
                                 values="values", aggfunc="first").reset_index()
    wide = wide.rename(columns={"geo": "eurostat_code", "time": "year", "cofog99": "cofog",
                                "P2": "p2_meur", "P51G": "p51g_meur", "TE": "te_meur"})
    wide["procurement_meur"] = wide["p2_meur"] + wide["p51g_meur"]
    # the OECD's definition, where the extract has D632 (after `python -m analysis.download eurostat`)
    wide["d632_meur"] = wide["D632"] if "D632" in wide.columns else np.nan
    wide["procurement_oecd_def_meur"] = wide["procurement_meur"] + wide["d632_meur"]
    codes = countries().dropna(subset=["eurostat_code"]).set_index("eurostat_code")
    wide.insert(0, "code", wide["eurostat_code"].map(codes["code"]))
    wide.insert(2, "name_fr", wide["eurostat_code"].map(codes["name_fr"]))
    columns = ["code", "eurostat_code", "name_fr", "year", "cofog", "p2_meur", "p51g_meur",
               "procurement_meur", "d632_meur", "procurement_oecd_def_meur", "te_meur"]
    return wide[columns].sort_values(["code", "year", "cofog"]).reset_index(drop=True)


def procurement_vintages(tidy: pd.DataFrame, slide_figures: pd.DataFrame, year: int = 2021) -> pd.DataFrame:
    """The two data vintages side by side, for FRA, OECD and OECD-EU in ``year``.

    - ``gaag2023``: the figures the slides use (Government at a Glance 2023). France's total
      procurement share is not on the slides: it is implied as 0.9 / 5.9 (education % of GDP
      divided by education's share of procurement) and flagged ``implied``.
    - ``gaag2025``: the OECD data available now; education shares are the cited 2023 inputs (no
      newer breakdown by function exists in the data), so education % of GDP = total × share.
    """
    figures = slide_figures[slide_figures["year"] == year]

    def slide(code: str, measure: str) -> float:
        match = figures[(figures["code"] == code) & (figures["measure"] == measure)]["value"]
        return float(match.iloc[0]) if len(match) else np.nan

    current = tidy[(tidy["year"] == year) & (tidy["measure"] == "pct_gdp")].set_index("code")["value"]
    rows = []
    for code in ("FRA", "OECD", "EUOECD"):
        share = slide(code, "education_share_pct")
        stated_total = slide(code, "procurement_pct_gdp")
        stated_education = slide(code, "education_pct_gdp")
        if np.isnan(stated_total) and not np.isnan(stated_education) and not np.isnan(share):
            total_2023, source_2023 = 100 * stated_education / share, "implied: education % of GDP / education share"
        else:
            total_2023, source_2023 = stated_total, "stated (Government at a Glance 2023)"
        rows.append({"vintage": "gaag2023", "code": code, "year": year,
                     "procurement_pct_gdp": total_2023, "education_share_pct": share,
                     "education_pct_gdp": total_2023 * share / 100, "source": source_2023})
        total_2025 = float(current.get(code, np.nan))
        rows.append({"vintage": "gaag2025", "code": code, "year": year,
                     "procurement_pct_gdp": total_2025, "education_share_pct": share,
                     "education_pct_gdp": total_2025 * share / 100,
                     "source": "OECD 2025 release; education share = cited 2023 input"})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# 3. Analyses
# --------------------------------------------------------------------------------------------

def ranking(tidy: pd.DataFrame, year: int, measure: str = "pct_gdp") -> pd.DataFrame:
    """Countries with data for ``year`` and ``measure``, sorted descending, with France's rank."""
    rows = tidy[(tidy["year"] == year) & (tidy["measure"] == measure) & (tidy["kind"] == "country")
                & tidy["oecd_member"]].copy()
    rows = rows.sort_values(["value", "code"], ascending=[False, True]).reset_index(drop=True)
    rows["rank"] = np.arange(1, len(rows) + 1)
    return rows[["rank", "code", "name_fr", "name_en", "eu_member", "value", "obs_status"]]


def aggregates(tidy: pd.DataFrame, year: int, measure: str = "pct_gdp") -> pd.Series:
    rows = tidy[(tidy["year"] == year) & (tidy["measure"] == measure) & (tidy["kind"] == "aggregate")]
    return rows.set_index("code")["value"]


def france_vs_oecd(tidy: pd.DataFrame, measure: str) -> pd.DataFrame:
    """France, OECD and OECD-EU over every year of the series, one column each."""
    rows = tidy[(tidy["measure"] == measure) & tidy["code"].isin(["FRA", "OECD", "EUOECD"])]
    wide = rows.pivot(index="year", columns="code", values="value")
    return wide.reindex(columns=["FRA", "OECD", "EUOECD"]).reset_index()


@dataclass(frozen=True)
class Position:
    """Where one country sits in a distribution."""

    value: float
    rank_desc: int          # 1 = highest
    n: int
    percentile: float       # share of the others strictly below, in %  (mid-rank convention)
    quartile_low: float
    quartile_high: float


def position_of(values: pd.Series, code: str) -> Position:
    """Rank (1 = highest) and mid-rank percentile of ``code`` among ``values`` (indexed by code)."""
    values = values.dropna()
    value = float(values[code])
    below = float((values < value).sum())
    ties = float((values == value).sum())
    percentile = 100 * (below + 0.5 * ties) / len(values)
    return Position(value=value, rank_desc=int((values > value).sum()) + 1, n=int(len(values)),
                    percentile=percentile, quartile_low=float(values.quantile(0.25)),
                    quartile_high=float(values.quantile(0.75)))


def vintage_audit(vintages: pd.DataFrame) -> pd.DataFrame:
    """Every figure derived from the total procurement share, under both vintages, and the change."""
    wide = vintages.pivot(index="code", columns="vintage",
                          values=["procurement_pct_gdp", "education_share_pct", "education_pct_gdp"])
    rows = []
    for code in ("OECD", "EUOECD", "FRA"):
        for quantity in ("procurement_pct_gdp", "education_pct_gdp"):
            old = float(wide.loc[code, (quantity, "gaag2023")])
            new = float(wide.loc[code, (quantity, "gaag2025")])
            rows.append({"code": code, "quantity": quantity, "gaag2023": old, "gaag2025": new,
                         "revision": new - old})
    ratio_old = wide.loc["FRA", ("education_pct_gdp", "gaag2023")] / wide.loc["OECD", ("education_pct_gdp", "gaag2023")]
    ratio_new = wide.loc["FRA", ("education_pct_gdp", "gaag2025")] / wide.loc["OECD", ("education_pct_gdp", "gaag2025")]
    rows.append({"code": "FRA/OECD", "quantity": "education_pct_gdp_ratio", "gaag2023": float(ratio_old),
                 "gaag2025": float(ratio_new), "revision": float(ratio_new - ratio_old)})
    return pd.DataFrame(rows)


def implied_interval(numerator: float, denominator: float, decimals: int = 1) -> tuple[float, float]:
    """Interval of numerator / denominator × 100 when both were rounded to ``decimals`` places."""
    half = 0.5 * 10 ** (-decimals)
    return (100 * (numerator - half) / (denominator + half), 100 * (numerator + half) / (denominator - half))


def education_cross_section(cofog: pd.DataFrame, gdp: pd.DataFrame, year: int) -> pd.DataFrame:
    """Eurostat proxy of education procurement for the EU/EFTA countries in ``year``.

    Columns: education procurement as a share of total procurement (P2+P51G, %), education and
    total procurement as % of GDP. Aggregates (EU27, euro area) are excluded; countries missing
    any of the values are dropped.
    """
    rows = cofog[(cofog["year"] == year) & cofog["cofog"].isin(["TOTAL", EDUCATION])]
    wide = rows.pivot(index=["code", "name_fr"], columns="cofog", values="procurement_meur").reset_index()
    wide = wide.rename(columns={"TOTAL": "procurement_meur", EDUCATION: "education_procurement_meur"})
    kinds = countries().set_index("code")["kind"]
    wide = wide[wide["code"].map(kinds) == "country"]
    gdp_year = gdp[gdp["year"] == year][["code", "gdp_meur"]]
    wide = wide.merge(gdp_year, on="code", how="inner", validate="one_to_one")
    wide["education_share_pct"] = 100 * wide["education_procurement_meur"] / wide["procurement_meur"]
    wide["education_pct_gdp"] = 100 * wide["education_procurement_meur"] / wide["gdp_meur"]
    wide["procurement_pct_gdp"] = 100 * wide["procurement_meur"] / wide["gdp_meur"]
    wide = wide.dropna(subset=["education_share_pct", "education_pct_gdp", "procurement_pct_gdp"])
    columns = ["code", "name_fr", "education_procurement_meur", "procurement_meur", "gdp_meur",
               "education_share_pct", "education_pct_gdp", "procurement_pct_gdp"]
    return wide[columns].sort_values("education_pct_gdp", ascending=False).reset_index(drop=True)


def _others_with_nonedu(cross_section: pd.DataFrame) -> pd.DataFrame:
    data = cross_section.copy()
    data["non_education_pct_gdp"] = data["procurement_pct_gdp"] - data["education_pct_gdp"]
    data = data[(data["education_pct_gdp"] > 0) & (data["non_education_pct_gdp"] > 0)].copy()
    data["log_education"] = np.log(data["education_pct_gdp"])
    data["log_non_education"] = np.log(data["non_education_pct_gdp"])
    return data


def oecd_members_only(cross_section: pd.DataFrame) -> pd.DataFrame:
    """The rows of a Eurostat cross-section whose country is an OECD member."""
    members = countries().set_index("code")["oecd_member"].astype(bool)
    return cross_section[cross_section["code"].map(members).fillna(False).astype(bool)].reset_index(drop=True)


@dataclass
class FrancePrediction:
    """France's education procurement given its other procurement, in logs, fitted without France.

    ``log(education % GDP) = a + b log(non-education % GDP)``: the explanatory variable does not
    contain education, so France can fall outside the interval (a regression on total procurement,
    which contains education, cannot flag a country unless it is below every other one).
    """

    model: object                 # statsmodels OLS results (classical covariance: prediction)
    robust: object                # the same fit with HC3 standard errors (coefficients)
    data: pd.DataFrame            # the countries used in the fit
    country_set: str              # "eurostat" (every EU/EFTA country) or "oecd" (members only)
    france_observed: float        # % of GDP
    france_non_education: float   # % of GDP
    france_predicted: float       # % of GDP (exp of the predicted log; the median prediction)
    prediction_low: float         # % of GDP, bounds of the prediction interval (exp of the log bounds)
    prediction_high: float
    alpha: float
    diagnostics: pd.DataFrame     # test, statistic, p_value, note
    influence: pd.DataFrame       # every country: leverage, studentised residual, Cook's D, DFFITS, flags
    leave_one_out: pd.DataFrame   # France's interval with each other country left out

    @property
    def france_inside_interval(self) -> bool:
        return self.prediction_low <= self.france_observed <= self.prediction_high

    @property
    def france_gap_pct(self) -> float:
        """France's observed value against the prediction, in % (negative = below)."""
        return 100 * (self.france_observed / self.france_predicted - 1)

    @property
    def minimum_detectable_shortfall_pct(self) -> float:
        """How far below its predicted value (in %) France would have to be for the test to flag it."""
        return 100 * (1 - self.prediction_low / self.france_predicted)


def _fit(data: pd.DataFrame):
    import statsmodels.api as sm  # imported on use: the data steps (python -m analysis.oecd) need none of it

    design = sm.add_constant(data[["log_non_education"]])
    return sm.OLS(data["log_education"], design).fit(), design


def _predict_log(model, x: float, alpha: float) -> tuple[float, float, float]:
    frame = model.get_prediction(np.array([[1.0, x]])).summary_frame(alpha=alpha)
    return float(frame["mean"].iloc[0]), float(frame["obs_ci_lower"].iloc[0]), float(frame["obs_ci_upper"].iloc[0])


def predict_france(cross_section: pd.DataFrame, alpha: float = 0.05, code: str = "FRA",
                   country_set: str = "eurostat") -> FrancePrediction:
    """Fit ``log(education) ~ log(non-education)`` (both % of GDP) without ``code``; place ``code``.

    ``country_set="oecd"`` keeps only the OECD members (for the claims about the OECD).
    Reported: HC3 robust standard errors of the coefficients; the prediction interval for a new
    country at France's non-education procurement; Breusch-Pagan and Jarque-Bera; every
    influential country (Cook's D > 4/n, |DFFITS| > 2 sqrt(p/n) or leverage > 2p/n); France's
    interval with each other country left out; the smallest shortfall the test could detect.
    """
    from statsmodels.stats.diagnostic import het_breuschpagan  # imported on use: the data steps need none of it
    from statsmodels.stats.stattools import jarque_bera

    data = cross_section if country_set == "eurostat" else oecd_members_only(cross_section)
    data = _others_with_nonedu(data)
    if code not in set(data["code"]):
        raise KeyError(f"{code} is not in the cross-section")
    france = data[data["code"] == code].iloc[0]
    others = data[data["code"] != code].reset_index(drop=True)
    model, design = _fit(others)
    robust = model.get_robustcov_results(cov_type="HC3")
    mean, low, high = _predict_log(model, float(france["log_non_education"]), alpha)
    bp_lm, bp_p, _, _ = het_breuschpagan(model.resid, design)
    jb, jb_p, _, _ = jarque_bera(model.resid)
    n, k = int(model.nobs), int(model.df_model) + 1
    summary = model.get_influence().summary_frame()
    influence = pd.DataFrame({
        "code": others["code"], "name_fr": others["name_fr"],
        "leverage": summary["hat_diag"].to_numpy(), "student_resid": summary["student_resid"].to_numpy(),
        "cooks_d": summary["cooks_d"].to_numpy(), "dffits": summary["dffits"].to_numpy()})
    influence["influential"] = ((influence["cooks_d"] > 4 / n) | (influence["dffits"].abs() > 2 * np.sqrt(k / n))
                                | (influence["leverage"] > 2 * k / n))
    influence = influence.sort_values("cooks_d", ascending=False).reset_index(drop=True)
    loo = []
    for left_out in others["code"]:
        fit, _ = _fit(others[others["code"] != left_out])
        m, lo, hi = _predict_log(fit, float(france["log_non_education"]), alpha)
        loo.append({"left_out": left_out, "france_predicted": float(np.exp(m)), "prediction_low": float(np.exp(lo)),
                    "prediction_high": float(np.exp(hi)),
                    "france_inside": bool(lo <= france["log_education"] <= hi)})
    loo = pd.DataFrame(loo)
    diagnostics = pd.DataFrame([
        {"test": "breusch_pagan", "statistic": bp_lm, "p_value": bp_p, "note": "H0: constant residual variance"},
        {"test": "jarque_bera", "statistic": jb, "p_value": jb_p, "note": "H0: normal residuals"},
        {"test": "r_squared_adj", "statistic": model.rsquared_adj, "p_value": np.nan,
         "note": f"n = {n} countries ({code} left out)"},
        {"test": "n_influential", "statistic": float(influence["influential"].sum()), "p_value": np.nan,
         "note": "Cook's D > 4/n, |DFFITS| > 2 sqrt(p/n) or leverage > 2p/n: "
                 + ", ".join(influence.loc[influence["influential"], "code"])},
        {"test": "leave_one_out_inside", "statistic": float(loo["france_inside"].mean()), "p_value": np.nan,
         "note": "share of the leave-one-out fits whose interval contains France"},
    ])
    return FrancePrediction(model=model, robust=robust, data=others, country_set=country_set,
                            france_observed=float(france["education_pct_gdp"]),
                            france_non_education=float(france["non_education_pct_gdp"]),
                            france_predicted=float(np.exp(mean)), prediction_low=float(np.exp(low)),
                            prediction_high=float(np.exp(high)), alpha=alpha, diagnostics=diagnostics,
                            influence=influence, leave_one_out=loo)


def panel_country_effects(cofog: pd.DataFrame, gdp: pd.DataFrame, years, country_set: str = "oecd",
                          code: str = "FRA") -> tuple[pd.DataFrame, dict]:
    """The same log model on a panel of years with year effects, fitted without ``code``
    (standard errors clustered by country); every country's mean residual over the years (its
    'country effect'), ``code``'s out of sample. Returns the effects (sorted) and a summary:
    ``code``'s effect, its rank from the bottom, the number of countries, the slope and its
    clustered standard error."""
    import statsmodels.api as sm  # imported on use

    frames = []
    for year in years:
        cross = education_cross_section(cofog, gdp, int(year))
        cross = cross if country_set == "eurostat" else oecd_members_only(cross)
        frames.append(_others_with_nonedu(cross).assign(year=int(year)))
    panel = pd.concat(frames, ignore_index=True)
    fit_data = panel[panel["code"] != code].reset_index(drop=True)
    year_dummies = pd.get_dummies(fit_data["year"], prefix="year", drop_first=True, dtype=float)
    design = sm.add_constant(pd.concat([fit_data[["log_non_education"]], year_dummies], axis=1))
    groups = pd.factorize(fit_data["code"])[0]
    model = sm.OLS(fit_data["log_education"], design).fit(cov_type="cluster", cov_kwds={"groups": groups})
    fit_data["residual"] = model.resid
    effects = fit_data.groupby(["code", "name_fr"], as_index=False)["residual"].mean()
    france = panel[panel["code"] == code].copy()
    france_design = sm.add_constant(pd.concat([france[["log_non_education"]],
                                               pd.get_dummies(france["year"], prefix="year", dtype=float)
                                               .reindex(columns=year_dummies.columns, fill_value=0.0)], axis=1),
                                    has_constant="add")
    france_effect = float((france["log_education"] - model.predict(france_design[design.columns])).mean())
    effects = pd.concat([effects, pd.DataFrame([{"code": code, "name_fr": france["name_fr"].iloc[0],
                                                  "residual": france_effect}])], ignore_index=True)
    effects = effects.rename(columns={"residual": "country_effect_log"})
    effects["country_effect_pct"] = 100 * (np.exp(effects["country_effect_log"]) - 1)
    effects = effects.sort_values("country_effect_log").reset_index(drop=True)
    effects["rank_from_bottom"] = np.arange(1, len(effects) + 1)
    summary = {"country_set": country_set, "years": f"{min(years)}-{max(years)}",
               "france_effect_pct": float(100 * (np.exp(france_effect) - 1)),
               "france_rank_from_bottom": int(effects.loc[effects["code"] == code, "rank_from_bottom"].iloc[0]),
               "n_countries": int(len(effects)), "slope": float(model.params["log_non_education"]),
               "slope_se_cluster": float(model.bse["log_non_education"]), "n_observations": int(model.nobs)}
    return effects, summary


def regression_table(prediction: FrancePrediction) -> pd.DataFrame:
    """Coefficients with HC3 robust standard errors and intervals, and France's placement."""
    robust = prediction.robust
    ci = robust.conf_int(alpha=prediction.alpha)
    names = ["const", "log_non_education"]
    table = pd.DataFrame({"country_set": prediction.country_set, "term": names, "estimate": robust.params,
                          "std_error_hc3": robust.bse, "p_value_hc3": robust.pvalues,
                          "ci_low": ci[:, 0], "ci_high": ci[:, 1]})
    france = pd.DataFrame([
        {"country_set": prediction.country_set, "term": term, "estimate": value, "std_error_hc3": np.nan,
         "p_value_hc3": np.nan, "ci_low": np.nan, "ci_high": np.nan}
        for term, value in [("france_observed_pct_gdp", prediction.france_observed),
                            ("france_predicted_pct_gdp", prediction.france_predicted),
                            ("france_prediction_low_pct_gdp", prediction.prediction_low),
                            ("france_prediction_high_pct_gdp", prediction.prediction_high),
                            ("france_gap_pct", prediction.france_gap_pct),
                            ("minimum_detectable_shortfall_pct", prediction.minimum_detectable_shortfall_pct)]])
    return pd.concat([table, france], ignore_index=True)


def france_rank_by_year(tidy: pd.DataFrame, years=None, code: str = "FRA") -> pd.DataFrame:
    """France's rank (1 = highest) and mid-rank percentile among OECD members, per year and measure."""
    rows = []
    for measure in ("pct_gdp", "pct_gov_exp"):
        available = sorted(tidy.loc[tidy["measure"] == measure, "year"].unique())
        for year in (years or available):
            values = ranking(tidy, int(year), measure).set_index("code")["value"]
            if code not in values.index:
                continue
            position = position_of(values, code)
            rows.append({"measure": measure, "year": int(year), "value": position.value,
                         "rank_desc": position.rank_desc, "n": position.n, "percentile": position.percentile,
                         "quartile_low": position.quartile_low, "quartile_high": position.quartile_high})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# 4. The slides' claims: verbal claims under every reading, and the claim values
# --------------------------------------------------------------------------------------------

def _members(tidy: pd.DataFrame, measure: str, year: int, country_set: str) -> pd.Series:
    rows = ranking(tidy, year, measure)
    if country_set == "euoecd":
        rows = rows[rows["eu_member"].astype(bool)]
    elif country_set != "oecd":
        raise ValueError(f"unknown country set {country_set!r} (oecd, euoecd)")
    return rows.set_index("code")["value"]


def average_readings(tidy: pd.DataFrame, spec: dict, code: str = "FRA") -> pd.DataFrame:
    """'Dans la moyenne': France against a band around the average, for every band, measure,
    country set and year of ``spec`` (an entry of thresholds.yaml, test ``within_band``)."""
    rows = []
    aggregate_of = {"oecd": "OECD", "euoecd": "EUOECD"}
    for measure in spec["measures"]:
        for country_set in spec["country_sets"]:
            for year in spec["years"]:
                values = _members(tidy, measure, year, country_set)
                centre = aggregates(tidy, year, measure).get(aggregate_of[country_set], np.nan)
                if code not in values.index or np.isnan(centre):
                    continue
                france = float(values[code])
                sd = float(values.std(ddof=1))
                for band in spec["bands"]:
                    if band["kind"] == "sd":
                        low, high = centre - band["width"] * sd, centre + band["width"] * sd
                    elif band["kind"] == "iqr":
                        low, high = float(values.quantile(0.25)), float(values.quantile(0.75))
                    elif band["kind"] == "relative":
                        low, high = centre * (1 - band["width"]), centre * (1 + band["width"])
                    else:
                        raise ValueError(f"unknown band kind {band['kind']!r}")
                    rows.append({"measure": measure, "country_set": country_set, "year": int(year),
                                 "reading": band["id"], "france": france, "average": float(centre),
                                 "low": low, "high": high, "n": int(len(values)),
                                 "n_inside": int(((values >= low) & (values <= high)).sum()),
                                 "holds": bool(low <= france <= high)})
    return _mark_main(pd.DataFrame(rows), spec["main"], {"reading": "band"})


def bottom_readings(cofog: pd.DataFrame, gdp: pd.DataFrame, spec: dict, code: str = "FRA") -> pd.DataFrame:
    """'Parmi les plus faibles': France at or below the bottom quantile, for every quantile,
    measure, country set (every European country of COFOG, or OECD members only) and year."""
    rows = []
    for year in spec["years"]:
        cross = education_cross_section(cofog, gdp, year)
        for country_set in spec["country_sets"]:
            data = cross if country_set == "eurostat" else oecd_members_only(cross)
            if code not in set(data["code"]):
                continue
            for measure in spec["measures"]:
                values = data.set_index("code")[measure]
                france = float(values[code])
                for quantile in spec["quantiles"]:
                    cut = float(values.quantile(quantile["value"]))
                    rows.append({"measure": measure, "country_set": country_set, "year": int(year),
                                 "reading": quantile["id"], "france": france, "cut": cut,
                                 "rank_from_bottom": int((values < france).sum()) + 1, "n": int(len(values)),
                                 "holds": bool(france <= cut + 1e-12)})
    return _mark_main(pd.DataFrame(rows), spec["main"], {"reading": "quantile"})


def half_readings(vintages: pd.DataFrame, figures: pd.DataFrame, spec: dict) -> pd.DataFrame:
    """'Quasi moitié moins': France / OECD within a tolerance of one half, for every tolerance and
    measure (education shares; education % of GDP in the 2023 figures and the 2025 vintage)."""
    v = vintages.set_index(["vintage", "code"])
    ratios = {
        "education_share": slide_figure(figures, "gaag2023_edu_share_fra") / slide_figure(figures, "gaag2023_edu_share_oecd"),
        "education_pct_gdp_gaag2023": slide_figure(figures, "gaag2023_edu_gdp_fra") / slide_figure(figures, "gaag2023_edu_gdp_oecd"),
        "education_pct_gdp_gaag2025": float(v.loc[("gaag2025", "FRA"), "education_pct_gdp"]
                                            / v.loc[("gaag2025", "OECD"), "education_pct_gdp"]),
    }
    rows = [{"measure": measure, "reading": tol["id"], "ratio": ratios[measure], "tolerance": tol["value"],
             "holds": bool(abs(ratios[measure] - 0.5) <= tol["value"] + 1e-12)}
            for measure in spec["measures"] for tol in spec["tolerances"]]
    return _mark_main(pd.DataFrame(rows), spec["main"], {"reading": "tolerance"})


def _mark_main(readings: pd.DataFrame, main: dict, renamed: dict) -> pd.DataFrame:
    """Flag the row of the main reading (``main`` keys; ``renamed`` maps columns to main's keys)."""
    if readings.empty:
        raise ValueError("no reading could be computed")
    flag = pd.Series(True, index=readings.index)
    column_of = {key: column for column, key in renamed.items()}
    for key, wanted in main.items():
        flag &= readings[column_of.get(key, key)] == wanted
    if flag.sum() != 1:
        raise ValueError(f"the main reading {main} matches {int(flag.sum())} rows (expected 1)")
    readings.insert(0, "main", flag)
    return readings


def _readings_sentence(readings: pd.DataFrame, by: list[str]) -> str:
    """'holds in k of n readings; by <column>: ...' for the explanation column."""
    k, n = int(readings["holds"].sum()), len(readings)
    parts = []
    for column in by:
        share = readings.groupby(column)["holds"].agg(["sum", "size"])
        parts.append(f"{column}: " + ", ".join(f"{idx} {int(r['sum'])}/{int(r['size'])}" for idx, r in share.iterrows()))
    return f"Holds in {k} of {n} readings ({'; '.join(parts)})."


def claim_values(procurement: pd.DataFrame, vintages: pd.DataFrame, cofog: pd.DataFrame, gdp: pd.DataFrame,
                 figures: pd.DataFrame, statements: pd.DataFrame, thresholds: dict,
                 prediction: FrancePrediction, reference_year: int = 2021, panel_summary: dict | None = None
                 ) -> tuple[dict[str, tuple], dict[str, pd.DataFrame]]:
    """The value, explanation and share of readings of every claim of ``data/claims/oecd.yaml``,
    and the readings table of each verbal claim (``{claim_id: table}``)."""
    fig = {fid: slide_figure(figures, fid) for fid in figures["figure_id"]}
    averages = aggregates(procurement, 2021, "pct_gdp")
    france = float(_members(procurement, "pct_gdp", 2021, "oecd")["FRA"])
    v = vintages.set_index(["vintage", "code"])
    readings: dict[str, pd.DataFrame] = {}
    values: dict[str, tuple] = {}

    for claim_id, label in (("OECD-FRA-IN-OECD-AVERAGE-2021", "OECD"), ("OECD-FRA-IN-EU-AVERAGE-2021", "OECD-EU")):
        table = average_readings(procurement, thresholds[claim_id])
        readings[claim_id] = table
        main = table[table["main"]].iloc[0]
        values[claim_id] = (float(main["holds"]),
            f"Main reading ({main['reading']}, {main['measure']}, {main['year']}): France {main['france']:.2f} "
            f"against the {label} average {main['average']:.2f}, band [{main['low']:.2f}, {main['high']:.2f}] holding "
            f"{main['n_inside']} of {main['n']} countries: {'holds' if main['holds'] else 'fails'}. "
            + _readings_sentence(table, ["reading", "measure", "year"]),
            claims.readings_share(table))

    values["OECD-PROC-GDP-OECD-2021"] = (float(averages["OECD"]),
        f"OECD 2025 release: {averages['OECD']:.2f} % of GDP; the 2023 edition the slide cites printed "
        f"{fig['gaag2023_proc_gdp_oecd']:g} (revision {averages['OECD'] - fig['gaag2023_proc_gdp_oecd']:+.2f} pt).")
    values["OECD-PROC-GDP-EUOECD-2021"] = (float(averages["EUOECD"]),
        f"OECD 2025 release: {averages['EUOECD']:.2f} % of GDP; the 2023 edition printed "
        f"{fig['gaag2023_proc_gdp_euoecd']:g}. Not printed on the slides: the package's reference for 'OCDE-UE'.")

    share_2021 = position_of(education_cross_section(cofog, gdp, reference_year).set_index("code")["education_share_pct"], "FRA")
    values["OECD-EDU-SHARE-OECD-2021"] = (fig["gaag2023_edu_share_oecd"],
        "Cited input; no breakdown by function in the OECD data here.")
    values["OECD-EDU-SHARE-FRA-2021"] = (fig["gaag2023_edu_share_fra"],
        f"Eurostat cross-check {reference_year}: education is {share_2021.value:.1f} % of France's P2+P51G "
        f"(without D632), rank {share_2021.rank_desc} of {share_2021.n}.")
    edu_oecd_2023 = fig["gaag2023_proc_gdp_oecd"] * fig["gaag2023_edu_share_oecd"] / 100
    edu_oecd_2025 = float(v.loc[("gaag2025", "OECD"), "education_pct_gdp"])
    values["OECD-EDU-GDP-OECD-2021"] = (edu_oecd_2023,
        f"{fig['gaag2023_proc_gdp_oecd']:g} × {fig['gaag2023_edu_share_oecd']:g} % = {edu_oecd_2023:.3f}; with the 2025 "
        f"release {averages['OECD']:.2f} × {fig['gaag2023_edu_share_oecd']:g} % = {edu_oecd_2025:.3f}.")

    # France's 0.9 % of GDP under the 2025 revision: two readings
    share_fra, edu_fra = fig["gaag2023_edu_share_fra"], fig["gaag2023_edu_gdp_fra"]
    share_kept = france * share_fra / 100
    level_kept_share = 100 * edu_fra / france
    low, high = implied_interval(edu_fra, share_fra)
    both = pd.DataFrame([
        {"main": True, "reading": "share_unchanged", "education_pct_gdp": share_kept, "education_share_pct": share_fra,
         "holds": bool(abs(share_kept - edu_fra) <= 0.05 + 1e-12)},
        {"main": False, "reading": "level_unchanged", "education_pct_gdp": edu_fra, "education_share_pct": level_kept_share,
         "holds": True}])
    readings["OECD-EDU-GDP-FRA-2021"] = both
    values["OECD-EDU-GDP-FRA-2021"] = (share_kept,
        f"2023 edition: {edu_fra:g} (cited; it implies a 2023 total of {100 * edu_fra / share_fra:.2f} % of GDP, "
        f"{low:.2f}-{high:.2f} given rounding). The 2025 release revises France's total to {france:.2f}: if education's "
        f"{share_fra:g} % share is unchanged, education is {share_kept:.3f} % of GDP (rounds to {share_kept:.1f}, not {edu_fra:g}); "
        f"if education's level is unchanged, it stays {edu_fra:g} and its share falls to {level_kept_share:.2f} %. "
        "No breakdown by function of the 2025 release exists here to choose between them.",
        claims.readings_share(both))

    table = half_readings(vintages, figures, thresholds["OECD-EDU-HALF-2021"])
    readings["OECD-EDU-HALF-2021"] = table
    main = table[table["main"]].iloc[0]
    values["OECD-EDU-HALF-2021"] = (float(main["ratio"]),
        f"Main reading: {share_fra:g} / {fig['gaag2023_edu_share_oecd']:g} = {main['ratio']:.3f}, "
        f"{abs(main['ratio'] - 0.5):.3f} from one half (tolerance {main['tolerance']:g}). "
        + ", ".join(f"{r.measure} {r.ratio:.3f}" for r in table.drop_duplicates("measure").itertuples()) + ". "
        + _readings_sentence(table, ["reading", "measure"]),
        claims.readings_share(table))

    table = bottom_readings(cofog, gdp, thresholds["OECD-EDU-AMONG-LOWEST-2021"])
    readings["OECD-EDU-AMONG-LOWEST-2021"] = table
    main = table[table["main"]].iloc[0]
    values["OECD-EDU-AMONG-LOWEST-2021"] = (float(main["holds"]),
        f"Main reading (Eurostat proxy, {main['year']}, % of GDP): France {main['france']:.2f}, {main['rank_from_bottom']}th "
        f"lowest of {main['n']}, bottom-quartile cut {main['cut']:.2f}: {'holds' if main['holds'] else 'fails'}. "
        + _readings_sentence(table, ["measure", "country_set", "reading"])
        + f" Given its other procurement (OECD members, log model), France is {prediction.france_gap_pct:+.0f} % from its "
        f"predicted {prediction.france_predicted:.2f} % of GDP; the test flags only a shortfall beyond "
        f"{prediction.minimum_detectable_shortfall_pct:.0f} %."
        + (f" Panel {panel_summary['years']} with year effects ({panel_summary['country_set']}): France's country effect "
           f"{panel_summary['france_effect_pct']:+.0f} %, {panel_summary['france_rank_from_bottom']}th lowest of "
           f"{panel_summary['n_countries']}." if panel_summary else ""),
        claims.readings_share(table))

    values["OECD-EDU-INVESTMENT-DEFICIT"] = (math.nan,
        "Procurement counts purchases from market producers (goods, services, investment, social transfers in kind); "
        "it leaves out staff and in-house production (teachers' own resources made by public operators such as "
        "Réseau Canopé or CNED count as staff costs), and a low share of a large education budget can be a large "
        "amount. The data here have no measure of the resources and equipment available to teachers, so a low "
        "procurement share cannot show a deficit of investment in them.")

    components = statement_items(statements, "oecd_ecosystem_components")
    values["OECD-ECOSYSTEM-COMPONENTS"] = (float(len(components)),
        f"The slide lists {len(components)}: {', '.join(components)}.")
    for claim_id, sid in (("CONDITIONS-MARKET-COUNT", "conditions_market"),
                          ("CONDITIONS-SOVEREIGNTY-COUNT", "conditions_sovereignty")):
        headings = statement_items(statements, sid)
        values[claim_id] = (float(len(headings)), f"The slide's {len(headings)} headings: {'; '.join(headings)}.")
    horizon = statement_items(statements, "roadmap_horizon")
    values["ROADMAP-HORIZON-YEARS"] = (float(horizon[0]),
        f"A horizon of {'-'.join(horizon)} years, recommended by the study; nothing to recompute.")
    return values, readings


# --------------------------------------------------------------------------------------------
# Command line: the workflow's processed-data rules
# --------------------------------------------------------------------------------------------

class ProcessedInputsError(ValueError):
    """One or more raw files of the processed tables do not match their schema (every file's
    problems, one file after another)."""


def processed_tables(procurement_raw, gdp_raw, cofog_raw, slides, year: int, outputs: dict) -> None:
    """The four processed tables in one process (the workflow's step): every raw file is read and
    validated first, all problems reported at once, and nothing is written unless every table was
    built. The vintages table is computed from the tidy table as written, as
    ``python -m analysis.oecd vintages`` reads it."""
    import io

    from analysis.io import CSV_FLOAT_FORMAT

    problems, tables = [], {}
    for name, build in (("tidy", lambda: tidy_oecd(read_oecd_raw(procurement_raw))),
                        ("gdp", lambda: annual_gdp(read_gdp_raw(gdp_raw))),
                        ("cofog", lambda: cofog_procurement(read_cofog_raw(cofog_raw))),
                        ("slides", lambda: read_slide_figures(slides))):
        try:
            tables[name] = build()
        except DataValidationError as error:
            problems.append(str(error))
    if problems:
        raise ProcessedInputsError("\n".join(problems) + "\nnothing was written")
    buffer = io.StringIO()
    tables["tidy"].to_csv(buffer, index=False, float_format=CSV_FLOAT_FORMAT, lineterminator="\n")  # as write_csv
    buffer.seek(0)
    tables["vintages"] = procurement_vintages(pd.read_csv(buffer), tables.pop("slides"), year=year)
    for name in ("tidy", "vintages", "gdp", "cofog"):
        write_csv(tables[name], outputs[name])
        print(f"wrote {outputs[name]} ({len(tables[name])} rows)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m analysis.oecd",
                                     description="Build the OECD part's processed tables")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text in [("tidy", "OECD extract -> oecd_procurement.csv"),
                            ("gdp", "Eurostat quarterly GDP -> annual"),
                            ("cofog", "Eurostat COFOG -> procurement by function"),
                            ("vintages", "slides' 2023 figures beside the 2025 release")]:
        command = sub.add_parser(name, help=help_text)
        command.add_argument("--output", required=True)
        command.add_argument("--input", default=None)
        command.add_argument("--slides", default=str(SLIDE_FIGURES_RAW))
        command.add_argument("--year", type=int, default=2021)
    every = sub.add_parser("processed", help="the four tables above in one process (the workflow's step)")
    every.add_argument("--procurement", default=str(OECD_RAW), help="OECD extract")
    every.add_argument("--gdp", default=str(GDP_RAW), help="Eurostat quarterly GDP")
    every.add_argument("--cofog", default=str(COFOG_RAW), help="Eurostat COFOG expenditure")
    every.add_argument("--slides", default=str(SLIDE_FIGURES_RAW))
    every.add_argument("--year", type=int, default=2021)
    for table, default in (("tidy", PROCESSED_OECD), ("vintages", PROCESSED_VINTAGES), ("gdp", PROCESSED_GDP),
                           ("cofog", PROCESSED_COFOG)):
        every.add_argument(f"--{table}-output", default=str(default))
    args = parser.parse_args(argv)
    try:
        if args.command == "processed":
            processed_tables(args.procurement, args.gdp, args.cofog, args.slides, args.year,
                             {t: getattr(args, f"{t}_output") for t in ("tidy", "vintages", "gdp", "cofog")})
            return
        if args.command == "tidy":
            table = tidy_oecd(read_oecd_raw(args.input or OECD_RAW))
        elif args.command == "gdp":
            table = annual_gdp(read_gdp_raw(args.input or GDP_RAW))
        elif args.command == "cofog":
            table = cofog_procurement(read_cofog_raw(args.input or COFOG_RAW))
        else:
            tidy = pd.read_csv(args.input or PROCESSED_OECD)
            table = procurement_vintages(tidy, read_slide_figures(args.slides), year=args.year)
    except (DataValidationError, ProcessedInputsError) as error:
        raise SystemExit(f"error: {error}") from None
    write_csv(table, args.output)
    print(f"wrote {args.output} ({len(table)} rows)")


if __name__ == "__main__":
    main()
