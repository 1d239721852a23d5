"""OECD part: headline numbers recomputed in the test from the raw files (standard library only),
the analyses on hand-made cases, and bad input stopping with an error naming file, row, column."""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import config, oecd
from analysis.validation import DataValidationError
from conftest import read_rows

OECD_RAW = config.RAW / "oecd" / "OECD.GOV.GIP_DF_GOV_PPROC_2025.csv"


def _oecd_value(rows, code, unit, year):
    matches = [r for r in rows if r["REF_AREA"] == code and r["UNIT_MEASURE"] == unit and r["TIME_PERIOD"] == str(year)]
    assert len(matches) == 1
    return float(matches[0]["OBS_VALUE"])


@pytest.fixture(scope="module")
def tidy():
    return oecd.tidy_oecd(oecd.read_oecd_raw())


@pytest.fixture(scope="module")
def cofog():
    return oecd.cofog_procurement(oecd.read_cofog_raw())


@pytest.fixture(scope="module")
def gdp():
    return oecd.annual_gdp(oecd.read_gdp_raw())


# ---- headline numbers against the raw file -------------------------------------------------

def test_headline_2021_values_match_the_raw_file(tidy, oecd_rows):
    averages = oecd.aggregates(tidy, 2021, "pct_gdp")
    assert averages["OECD"] == _oecd_value(oecd_rows, "OECD", "PT_B1GQ", 2021)
    assert averages["EUOECD"] == _oecd_value(oecd_rows, "EUOECD", "PT_B1GQ", 2021)
    france = tidy.query("code == 'FRA' and year == 2021 and measure == 'pct_gdp'")["value"].item()
    assert france == _oecd_value(oecd_rows, "FRA", "PT_B1GQ", 2021)
    usd = tidy.query("code == 'FRA' and year == 2021 and measure == 'usd_ppp_m'")["value"].item()
    assert usd == _oecd_value(oecd_rows, "FRA", "USD_PPP", 2021)


def test_ranking_is_sorted_and_contains_every_oecd_country_with_data(tidy, oecd_rows):
    ranking = oecd.ranking(tidy, 2021, "pct_gdp")
    members = {r["code"] for r in read_rows(config.MAPPINGS / "countries.csv") if r["oecd_member"] == "true"}
    expected = {r["REF_AREA"] for r in oecd_rows if r["UNIT_MEASURE"] == "PT_B1GQ" and r["TIME_PERIOD"] == "2021"
                and r["OBS_VALUE"] and r["REF_AREA"] in members}
    assert set(ranking["code"]) == expected
    assert list(ranking["value"]) == sorted(ranking["value"], reverse=True)
    france_rank = ranking.set_index("code").at["FRA", "rank"]
    france_value = _oecd_value(oecd_rows, "FRA", "PT_B1GQ", 2021)
    higher = sum(1 for r in oecd_rows if r["UNIT_MEASURE"] == "PT_B1GQ" and r["TIME_PERIOD"] == "2021"
                 and r["REF_AREA"] in expected and float(r["OBS_VALUE"]) > france_value)
    assert france_rank == higher + 1


def test_vintages_recompute_education_shares_of_gdp(tidy):
    slides = oecd.read_slide_figures()
    vintages = oecd.procurement_vintages(tidy, slides).set_index(["vintage", "code"])
    assert vintages.loc[("gaag2023", "OECD"), "education_pct_gdp"] == pytest.approx(12.9 * 10.7 / 100)
    assert vintages.loc[("gaag2025", "OECD"), "education_pct_gdp"] == pytest.approx(13.00 * 10.7 / 100)
    # France's 2023 total is implied by 0.9 / 5.9, so the 2023 vintage gives back the slide's 0.9
    assert vintages.loc[("gaag2023", "FRA"), "procurement_pct_gdp"] == pytest.approx(100 * 0.9 / 5.9)
    assert vintages.loc[("gaag2023", "FRA"), "education_pct_gdp"] == pytest.approx(0.9)
    assert vintages.loc[("gaag2025", "FRA"), "education_pct_gdp"] == pytest.approx(16.41 * 5.9 / 100)


def test_annual_gdp_sums_four_quarters(gdp):
    rows = read_rows(config.RAW / "eurostat" / "namq_10_gdp.csv")
    france = [float(r["values"]) for r in rows if r["geo"] == "FR" and r["unit"] == "CP_MEUR"
              and r["time"].startswith("2021-")]
    assert len(france) == 4
    assert gdp.query("code == 'FRA' and year == 2021")["gdp_meur"].item() == pytest.approx(sum(france))


def test_eurostat_education_share_for_france(cofog, gdp):
    rows = read_rows(config.RAW / "eurostat" / "gov_10a_exp.csv")

    def value(cofog_code, item):
        return float(next(r["values"] for r in rows if r["geo"] == "FR" and r["time"] == "2021"
                          and r["cofog99"] == cofog_code and r["na_item"] == item))

    education = value("GF09", "P2") + value("GF09", "P51G")
    total = value("TOTAL", "P2") + value("TOTAL", "P51G")
    cross = oecd.education_cross_section(cofog, gdp, 2021).set_index("code")
    assert cross.at["FRA", "education_share_pct"] == pytest.approx(100 * education / total)
    assert "EU27_2020" not in cross.index and "EA20" not in cross.index


def test_regression_matches_a_least_squares_fit_computed_here(cofog, gdp):
    cross = oecd.education_cross_section(cofog, gdp, 2021)
    prediction = oecd.predict_france(cross)
    others = cross[cross["code"] != "FRA"]
    design = np.column_stack([np.ones(len(others)), others["procurement_pct_gdp"]])
    coefficients, *_ = np.linalg.lstsq(design, others["education_pct_gdp"], rcond=None)
    france_total = cross.set_index("code").at["FRA", "procurement_pct_gdp"]
    assert prediction.france_predicted == pytest.approx(coefficients[0] + coefficients[1] * france_total)
    assert prediction.prediction_low < prediction.france_predicted < prediction.prediction_high
    assert "FRA" not in set(prediction.data["code"])
    assert len(prediction.diagnostics) == 4


# ---- analyses on hand-made cases -------------------------------------------------------------

def test_position_of_on_a_hand_made_distribution():
    values = pd.Series({"A": 1.0, "B": 2.0, "C": 3.0, "D": 4.0})
    position = oecd.position_of(values, "B")
    assert position.rank_desc == 3
    assert position.percentile == pytest.approx(100 * (1 + 0.5) / 4)
    assert position.n == 4


def test_implied_interval_brackets_the_ratio():
    low, high = oecd.implied_interval(0.9, 5.9)
    assert low == pytest.approx(100 * 0.85 / 5.95)
    assert high == pytest.approx(100 * 0.95 / 5.85)
    assert low < 100 * 0.9 / 5.9 < high


def test_vintage_audit_reports_the_revision():
    vintages = pd.DataFrame([
        {"vintage": v, "code": c, "procurement_pct_gdp": t, "education_share_pct": s, "education_pct_gdp": t * s / 100}
        for v, c, t, s in [("gaag2023", "OECD", 10.0, 10.0), ("gaag2025", "OECD", 12.0, 10.0),
                           ("gaag2023", "EUOECD", 11.0, math.nan), ("gaag2025", "EUOECD", 11.5, math.nan),
                           ("gaag2023", "FRA", 20.0, 5.0), ("gaag2025", "FRA", 22.0, 5.0)]
    ])
    audit = oecd.vintage_audit(vintages).set_index(["code", "quantity"])
    assert audit.loc[("OECD", "procurement_pct_gdp"), "revision"] == pytest.approx(2.0)
    assert audit.loc[("FRA", "education_pct_gdp"), "gaag2025"] == pytest.approx(1.1)
    assert audit.loc[("FRA/OECD", "education_pct_gdp_ratio"), "gaag2023"] == pytest.approx(1.0 / 1.0)


# ---- bad input: clear errors, nothing written -------------------------------------------------

def _write_variant(tmp_path: Path, transform) -> Path:
    frame = pd.read_csv(OECD_RAW, dtype=str, keep_default_na=False)
    frame = transform(frame)
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    return path


def _set(frame, row, column, value):
    frame.loc[row, column] = value
    return frame


@pytest.mark.parametrize("transform, column, line, message", [
    (lambda f: f.drop(columns=["OBS_VALUE"]), "OBS_VALUE", None, "required column is missing"),
    (lambda f: _set(f, 10, "OBS_VALUE", "twelve"), "OBS_VALUE", 12, "coerce"),
    (lambda f: _set(f, 5, "REF_AREA", "XXX"), "REF_AREA", 7, "isin"),
    (lambda f: _set(f, 3, "OBS_VALUE", "140.5"), "OBS_VALUE", 5, "in_range"),
])
def test_bad_oecd_input_names_file_row_and_column(tmp_path, transform, column, line, message):
    path = _write_variant(tmp_path, transform)
    with pytest.raises(DataValidationError) as caught:
        oecd.read_oecd_raw(path)
    error = caught.value
    assert "bad.csv" in str(error)
    failure = next(f for f in error.failures if f["column"] == column)
    assert failure["line"] == line
    assert message in failure["check"]


def test_bad_input_stops_the_command_and_leaves_the_previous_output_untouched(tmp_path):
    bad = _write_variant(tmp_path, lambda f: _set(f, 5, "REF_AREA", "XXX"))
    output = tmp_path / "oecd_procurement.csv"
    output.write_text("previous output\n")
    result = subprocess.run([sys.executable, "-m", "analysis.oecd", "tidy", "--input", str(bad),
                             "--output", str(output)], capture_output=True, text=True, cwd=config.ROOT)
    assert result.returncode != 0
    assert "row 7" in result.stderr and "REF_AREA" in result.stderr and "bad.csv" in result.stderr
    assert output.read_text() == "previous output\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp file left


def test_out_of_range_value_in_slide_figures_is_rejected(tmp_path):
    source = config.RAW / "slides" / "oecd_gaag2023_procurement_figures.csv"
    bad = tmp_path / "figures.csv"
    shutil.copyfile(source, bad)
    bad.write_text(bad.read_text(encoding="utf-8").replace(",12.9,", ",129,"), encoding="utf-8")
    with pytest.raises(DataValidationError, match="row 2: column 'value'"):
        oecd.read_slide_figures(bad)
