"""OECD public-procurement comparisons and the Eurostat cross-check (STUDY.md §2.1).

Steps, each a small function with one job:

1. read and validate the raw files (``read_oecd_raw``, ``read_cofog_raw``, ``read_gdp_raw``,
   ``read_slide_figures``): pandera schemas below, errors naming file, row and column;
2. tidy them into ``data/processed/`` (``tidy_oecd``, ``cofog_procurement``, ``annual_gdp``,
   ``procurement_vintages``): the ``python -m analysis.oecd`` commands the workflow runs;
3. the analyses the notebook shows: the 2021 ranking, France against the OECD over time, the
   vintage audit, the Eurostat education cross-check and the regression that places France.

Units: percentages are in percent (12.9 means 12.9 %), money in million euro or million USD PPP.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from analysis import config
from analysis.countries import countries, eurostat_to_iso3
from analysis.io import write_csv
from analysis.validation import DataValidationError, read_csv_validated, validate

OECD_RAW = config.RAW / "oecd" / "OECD.GOV.GIP_DF_GOV_PPROC_2025.csv"
COFOG_RAW = config.RAW / "eurostat" / "gov_10a_exp.csv"
GDP_RAW = config.RAW / "eurostat" / "namq_10_gdp.csv"
SLIDE_FIGURES_RAW = config.RAW / "slides" / "oecd_gaag2023_procurement_figures.csv"

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
        "na_item": pa.Column(str, pa.Check.isin(["P2", "P51G", "TE"])),
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

    The OECD adds D632 (social transfers in kind via market producers), absent from this source:
    ``procurement_meur`` is a lower bound of the OECD's procurement.
    """
    wide = raw_cofog.pivot_table(index=["geo", "time", "cofog99"], columns="na_item",
                                 values="values", aggfunc="first").reset_index()
    wide = wide.rename(columns={"geo": "eurostat_code", "time": "year", "cofog99": "cofog",
                                "P2": "p2_meur", "P51G": "p51g_meur", "TE": "te_meur"})
    wide["procurement_meur"] = wide["p2_meur"] + wide["p51g_meur"]
    codes = countries().dropna(subset=["eurostat_code"]).set_index("eurostat_code")
    wide.insert(0, "code", wide["eurostat_code"].map(codes["code"]))
    wide.insert(2, "name_fr", wide["eurostat_code"].map(codes["name_fr"]))
    columns = ["code", "eurostat_code", "name_fr", "year", "cofog", "p2_meur", "p51g_meur",
               "procurement_meur", "te_meur"]
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


@dataclass
class FrancePrediction:
    """The regression of education on total procurement (% of GDP), fitted without France."""

    model: object                 # statsmodels RegressionResults
    data: pd.DataFrame            # the countries used in the fit
    france_observed: float
    france_predicted: float
    prediction_low: float         # prediction interval for a new country (obs_ci)
    prediction_high: float
    alpha: float
    diagnostics: pd.DataFrame     # test, statistic, p_value, note

    @property
    def france_inside_interval(self) -> bool:
        return self.prediction_low <= self.france_observed <= self.prediction_high


def predict_france(cross_section: pd.DataFrame, alpha: float = 0.05, code: str = "FRA") -> FrancePrediction:
    """OLS of education procurement (% GDP) on total procurement (% GDP), France left out.

    The question: given the size of its total procurement, is France's education procurement
    unusually low among European countries? France is compared with the prediction interval of a
    new observation at its total procurement share. Diagnostics: Breusch-Pagan
    (heteroskedasticity), Jarque-Bera (normality of residuals), the largest Cook's distance.
    """
    others = cross_section[cross_section["code"] != code].reset_index(drop=True)
    import statsmodels.api as sm  # imported on use: the data steps (python -m analysis.oecd) need none of it
    from statsmodels.stats.diagnostic import het_breuschpagan
    from statsmodels.stats.stattools import jarque_bera

    design = sm.add_constant(others[["procurement_pct_gdp"]])
    model = sm.OLS(others["education_pct_gdp"], design).fit()
    france = cross_section[cross_section["code"] == code].iloc[0]
    new = pd.DataFrame({"const": [1.0], "procurement_pct_gdp": [france["procurement_pct_gdp"]]})
    frame = model.get_prediction(new).summary_frame(alpha=alpha)
    bp_lm, bp_p, _, _ = het_breuschpagan(model.resid, design)
    jb, jb_p, _, _ = jarque_bera(model.resid)
    cooks = model.get_influence().cooks_distance[0]
    worst = int(np.argmax(cooks))
    diagnostics = pd.DataFrame([
        {"test": "Breusch-Pagan (heteroscédasticité)", "statistic": bp_lm, "p_value": bp_p,
         "note": "H0: variance des résidus constante"},
        {"test": "Jarque-Bera (normalité des résidus)", "statistic": jb, "p_value": jb_p,
         "note": "H0: résidus normaux"},
        {"test": f"Distance de Cook maximale ({others.loc[worst, 'code']})", "statistic": float(cooks[worst]),
         "p_value": np.nan, "note": f"seuil usuel 4/n = {4 / len(others):.3f}"},
        {"test": "R² ajusté", "statistic": model.rsquared_adj, "p_value": np.nan,
         "note": f"n = {int(model.nobs)} pays (France exclue)"},
    ])
    return FrancePrediction(model=model, data=others, france_observed=float(france["education_pct_gdp"]),
                            france_predicted=float(frame["mean"].iloc[0]),
                            prediction_low=float(frame["obs_ci_lower"].iloc[0]),
                            prediction_high=float(frame["obs_ci_upper"].iloc[0]), alpha=alpha,
                            diagnostics=diagnostics)


def regression_table(prediction: FrancePrediction) -> pd.DataFrame:
    model = prediction.model
    ci = model.conf_int(alpha=prediction.alpha)
    table = pd.DataFrame({"term": model.params.index, "estimate": model.params.values,
                          "std_error": model.bse.values, "p_value": model.pvalues.values,
                          "ci_low": ci[0].values, "ci_high": ci[1].values})
    return table


# --------------------------------------------------------------------------------------------
# Command line: the workflow's processed-data rules
# --------------------------------------------------------------------------------------------

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
    args = parser.parse_args(argv)
    try:
        if args.command == "tidy":
            table = tidy_oecd(read_oecd_raw(args.input or OECD_RAW))
        elif args.command == "gdp":
            table = annual_gdp(read_gdp_raw(args.input or GDP_RAW))
        elif args.command == "cofog":
            table = cofog_procurement(read_cofog_raw(args.input or COFOG_RAW))
        else:
            tidy = pd.read_csv(args.input or PROCESSED_OECD)
            table = procurement_vintages(tidy, read_slide_figures(args.slides), year=args.year)
    except DataValidationError as error:
        raise SystemExit(f"error: {error}") from None
    write_csv(table, args.output)
    print(f"wrote {args.output} ({len(table)} rows)")


if __name__ == "__main__":
    main()
