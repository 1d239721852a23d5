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


def _slide_figures() -> dict[str, float]:
    return {r["figure_id"]: float(r["value"]) for r in read_rows(config.RAW / "slides" / "oecd_gaag2023_procurement_figures.csv")}


def test_vintages_recompute_education_shares_of_gdp(tidy, oecd_rows):
    """Both vintages from the two raw files: a transcription or arithmetic error changes them."""
    fig = _slide_figures()
    vintages = oecd.procurement_vintages(tidy, oecd.read_slide_figures()).set_index(["vintage", "code"])
    assert vintages.loc[("gaag2023", "OECD"), "education_pct_gdp"] == pytest.approx(
        fig["gaag2023_proc_gdp_oecd"] * fig["gaag2023_edu_share_oecd"] / 100)
    assert vintages.loc[("gaag2025", "OECD"), "education_pct_gdp"] == pytest.approx(
        _oecd_value(oecd_rows, "OECD", "PT_B1GQ", 2021) * fig["gaag2023_edu_share_oecd"] / 100)
    assert vintages.loc[("gaag2023", "FRA"), "procurement_pct_gdp"] == pytest.approx(
        100 * fig["gaag2023_edu_gdp_fra"] / fig["gaag2023_edu_share_fra"])
    assert vintages.loc[("gaag2025", "FRA"), "education_pct_gdp"] == pytest.approx(
        _oecd_value(oecd_rows, "FRA", "PT_B1GQ", 2021) * fig["gaag2023_edu_share_fra"] / 100)


def test_france_rank_by_year_matches_the_raw_file(tidy, oecd_rows):
    members = {r["code"] for r in read_rows(config.MAPPINGS / "countries.csv")
               if r["oecd_member"] == "true" and r["kind"] == "country"}
    table = oecd.france_rank_by_year(tidy).set_index(["measure", "year"])
    for unit, measure in (("PT_B1GQ", "pct_gdp"), ("PT_OTE_S13", "pct_gov_exp")):
        for year in (2015, 2021, 2023):
            values = {r["REF_AREA"]: float(r["OBS_VALUE"]) for r in oecd_rows if r["UNIT_MEASURE"] == unit
                      and r["TIME_PERIOD"] == str(year) and r["OBS_VALUE"] and r["REF_AREA"] in members}
            higher = sum(v > values["FRA"] for v in values.values())
            assert table.at[(measure, year), "rank_desc"] == higher + 1
            assert table.at[(measure, year), "n"] == len(values)


def test_in_the_average_readings_recomputed_from_the_raw_file(tidy, oecd_rows):
    """The main reading of 'dans la moyenne des pays de l'OCDE-UE', recomputed with the standard library."""
    import statistics

    from analysis import claims

    spec = claims.load_thresholds()["OECD-FRA-IN-EU-AVERAGE-2021"]
    table = oecd.average_readings(tidy, spec)
    eu = {r["code"] for r in read_rows(config.MAPPINGS / "countries.csv")
          if r["oecd_member"] == "true" and r["eu_member"] == "true" and r["kind"] == "country"}
    for year in spec["years"]:
        values = [float(r["OBS_VALUE"]) for r in oecd_rows if r["UNIT_MEASURE"] == "PT_B1GQ"
                  and r["TIME_PERIOD"] == str(year) and r["REF_AREA"] in eu and r["OBS_VALUE"]]
        centre = _oecd_value(oecd_rows, "EUOECD", "PT_B1GQ", year)
        france = _oecd_value(oecd_rows, "FRA", "PT_B1GQ", year)
        sd = statistics.stdev(values)
        row = table.query("measure == 'pct_gdp' and year == @year and reading == 'sd_1'").iloc[0]
        assert row["low"] == pytest.approx(centre - sd) and row["high"] == pytest.approx(centre + sd)
        assert row["holds"] == (abs(france - centre) <= sd)
        assert row["n_inside"] == sum(abs(v - centre) <= sd for v in values)
    assert len(table) == len(spec["bands"]) * len(spec["measures"]) * len(spec["years"])
    assert table["main"].sum() == 1


def test_claim_values_follow_from_the_raw_files(tidy, cofog, gdp, oecd_rows):
    from analysis import claims

    fig = _slide_figures()
    vintages = oecd.procurement_vintages(tidy, oecd.read_slide_figures())
    cross = oecd.education_cross_section(cofog, gdp, 2021)
    prediction = oecd.predict_france(cross, country_set="oecd")
    values, readings = oecd.claim_values(tidy, vintages, cofog, gdp, oecd.read_slide_figures(),
                                         oecd.read_slide_statements(), claims.load_thresholds(), prediction)
    assert values["OECD-PROC-GDP-OECD-2021"][0] == _oecd_value(oecd_rows, "OECD", "PT_B1GQ", 2021)
    assert values["OECD-PROC-GDP-EUOECD-2021"][0] == _oecd_value(oecd_rows, "EUOECD", "PT_B1GQ", 2021)
    france = _oecd_value(oecd_rows, "FRA", "PT_B1GQ", 2021)
    assert values["OECD-EDU-GDP-FRA-2021"][0] == pytest.approx(france * fig["gaag2023_edu_share_fra"] / 100)
    # two readings of the revision: share unchanged (fails to round to 0.9) and level unchanged (holds)
    both = readings["OECD-EDU-GDP-FRA-2021"].set_index("reading")
    assert both.at["level_unchanged", "education_share_pct"] == pytest.approx(100 * fig["gaag2023_edu_gdp_fra"] / france)
    assert values["OECD-EDU-HALF-2021"][0] == pytest.approx(fig["gaag2023_edu_share_fra"] / fig["gaag2023_edu_share_oecd"])
    half = readings["OECD-EDU-HALF-2021"]
    assert half["holds"].tolist() == [abs(r - 0.5) <= t + 1e-12 for r, t in zip(half["ratio"], half["tolerance"])]
    lowest = readings["OECD-EDU-AMONG-LOWEST-2021"]
    assert values["OECD-EDU-AMONG-LOWEST-2021"][2] == pytest.approx(lowest["holds"].mean())
    statements = {r["statement_id"]: r for r in read_rows(config.RAW / "slides" / "oecd_slide_statements.csv")}
    assert values["OECD-ECOSYSTEM-COMPONENTS"][0] == len(statements["oecd_ecosystem_components"]["items"].split("|"))
    assert values["CONDITIONS-MARKET-COUNT"][0] == len(statements["conditions_market"]["items"].split("|"))


def test_bottom_readings_recount_the_cross_section(cofog, gdp):
    from analysis import claims

    spec = claims.load_thresholds()["OECD-EDU-AMONG-LOWEST-2021"]
    table = oecd.bottom_readings(cofog, gdp, spec)
    for row in table.sample(6, random_state=0).itertuples():
        cross = oecd.education_cross_section(cofog, gdp, row.year)
        if row.country_set == "oecd":
            cross = oecd.oecd_members_only(cross)
        values = cross.set_index("code")[row.measure]
        assert row.rank_from_bottom == int((values < values["FRA"]).sum()) + 1
        assert row.holds == (values["FRA"] <= values.quantile(float(
            next(q["value"] for q in spec["quantiles"] if q["id"] == row.reading))))


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


@pytest.mark.parametrize("country_set", ["eurostat", "oecd"])
def test_regression_matches_a_least_squares_fit_in_logs_computed_here(cofog, gdp, country_set):
    cross = oecd.education_cross_section(cofog, gdp, 2021)
    prediction = oecd.predict_france(cross, country_set=country_set)
    if country_set == "oecd":
        cross = oecd.oecd_members_only(cross)
    others = cross[cross["code"] != "FRA"]
    non_education = others["procurement_pct_gdp"] - others["education_pct_gdp"]
    design = np.column_stack([np.ones(len(others)), np.log(non_education)])
    coefficients, *_ = np.linalg.lstsq(design, np.log(others["education_pct_gdp"]), rcond=None)
    france = cross.set_index("code").loc["FRA"]
    predicted = np.exp(coefficients[0] + coefficients[1] * np.log(france["procurement_pct_gdp"] - france["education_pct_gdp"]))
    assert prediction.france_predicted == pytest.approx(predicted)
    assert 0 < prediction.prediction_low < prediction.france_predicted < prediction.prediction_high
    assert "FRA" not in set(prediction.data["code"])
    assert len(prediction.leave_one_out) == len(others)
    assert prediction.minimum_detectable_shortfall_pct == pytest.approx(
        100 * (1 - prediction.prediction_low / prediction.france_predicted))
    # HC3 standard errors differ from the classical ones (heteroskedasticity-robust)
    assert not np.allclose(prediction.robust.bse, prediction.model.bse)


def test_the_model_can_flag_a_country_far_below_its_prediction(cofog, gdp):
    """A France with a third of its education procurement falls below the interval: the test can fail."""
    cross = oecd.education_cross_section(cofog, gdp, 2021).copy()
    france = cross["code"] == "FRA"
    cross.loc[france, "education_pct_gdp"] /= 3
    assert not oecd.predict_france(cross, country_set="oecd").france_inside_interval


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


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_figures_draw_in_both_languages(tidy, cofog, gdp, lang):
    import matplotlib.pyplot as plt

    from analysis import claims, oecd_figures

    ranking = oecd.ranking(tidy, 2021, "pct_gdp")
    fig = oecd_figures.ranking_bars(ranking, oecd.aggregates(tidy, 2021, "pct_gdp"), 2021, "pct_gdp", lang=lang)
    assert (lang == "fr") == ("PIB" in fig.axes[0].get_xlabel())
    cross = oecd.education_cross_section(cofog, gdp, 2021)
    prediction = oecd.predict_france(cross, country_set="oecd")
    fig2 = oecd_figures.regression_figure(prediction, cross, 2021, lang=lang)
    low, _ = fig2.axes[0].get_ylim()
    assert low > 0  # log scale: the band never goes below 0 % of GDP
    spec = claims.load_thresholds()["OECD-EDU-HALF-2021"]
    readings = {"OECD-EDU-HALF-2021": oecd.half_readings(oecd.procurement_vintages(tidy, oecd.read_slide_figures()),
                                                          oecd.read_slide_figures(), spec)}
    fig3 = oecd_figures.claim_readings_figure(readings, {}, lang=lang)
    for figure in (fig, fig2, fig3):
        plt.close(figure)


def test_readable_table_formats_for_the_reader():
    from analysis.oecd_figures import readable_table

    frame = pd.DataFrame({"name_fr": ["France"], "value": [446347500.123], "flag": [True], "gap": [float("nan")]})
    shown = readable_table(frame, {"name_fr": "oecd.col.country", "value": "oecd.col.value",
                                   "flag": "oecd.col.holds", "gap": "oecd.col.revision"}, "fr", decimals=1)
    assert list(shown.columns) == ["Pays", "Valeur", "Vraie", "Révision (pt)"]
    assert shown.iloc[0].tolist() == ["France", "446\u202f347\u202f500,1", "oui", "–"]


def test_panel_country_effects_recomputed_with_numpy(cofog, gdp):
    effects, summary = oecd.panel_country_effects(cofog, gdp, [2019, 2020, 2021], "oecd")
    rows = []
    for year in (2019, 2020, 2021):
        cross = oecd.oecd_members_only(oecd.education_cross_section(cofog, gdp, year))
        cross = cross.assign(year=year, non=cross["procurement_pct_gdp"] - cross["education_pct_gdp"])
        rows.append(cross)
    panel = pd.concat(rows)
    others = panel[panel["code"] != "FRA"]
    design = np.column_stack([np.ones(len(others)), np.log(others["non"]),
                              (others["year"] == 2020).astype(float), (others["year"] == 2021).astype(float)])
    beta, *_ = np.linalg.lstsq(design, np.log(others["education_pct_gdp"]), rcond=None)
    assert summary["slope"] == pytest.approx(beta[1])
    france = panel[panel["code"] == "FRA"]
    fitted = beta[0] + beta[1] * np.log(france["non"]) + beta[2] * (france["year"] == 2020) + beta[3] * (france["year"] == 2021)
    effect = float((np.log(france["education_pct_gdp"]) - fitted).mean())
    assert summary["france_effect_pct"] == pytest.approx(100 * (np.exp(effect) - 1))
    assert summary["n_countries"] == panel["code"].nunique()


def _processed_command(tmp_path, procurement=oecd.OECD_RAW, gdp=oecd.GDP_RAW):
    outputs = {table: tmp_path / f"{table}.csv" for table in ("tidy", "vintages", "gdp", "cofog")}
    command = [sys.executable, "-m", "analysis.oecd", "processed", "--procurement", str(procurement), "--gdp", str(gdp),
               "--cofog", str(oecd.COFOG_RAW), "--slides", str(oecd.SLIDE_FIGURES_RAW), "--year", "2021"]
    for table, path in outputs.items():
        command += [f"--{table}-output", str(path)]
    return command, outputs


@pytest.mark.long_running
def test_the_processed_command_writes_what_the_four_table_commands_write(tmp_path):
    """The workflow's one data step (rule oecd_processed) gives the bytes of the four subcommands,
    the vintages computed from the tidy table as written."""
    command, outputs = _processed_command(tmp_path / "one")
    assert subprocess.run(command, capture_output=True, text=True, cwd=config.ROOT).returncode == 0
    single = tmp_path / "single"
    for name, extra in (("tidy", ["--input", str(oecd.OECD_RAW)]), ("gdp", ["--input", str(oecd.GDP_RAW)]),
                        ("cofog", ["--input", str(oecd.COFOG_RAW)]),
                        ("vintages", ["--input", str(single / "tidy.csv"), "--year", "2021"])):
        result = subprocess.run([sys.executable, "-m", "analysis.oecd", name, *extra, "--output", str(single / f"{name}.csv")],
                                capture_output=True, text=True, cwd=config.ROOT)
        assert result.returncode == 0, result.stderr
    for table, path in outputs.items():
        assert path.read_bytes() == (single / f"{table}.csv").read_bytes(), table


def test_the_processed_command_reports_every_bad_file_and_writes_nothing(tmp_path):
    bad_procurement = _write_variant(tmp_path, lambda f: _set(f, 5, "REF_AREA", "XXX"))
    bad_gdp = tmp_path / "gdp.csv"
    lines = oecd.GDP_RAW.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("values")] = "not a number"
    bad_gdp.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n", encoding="utf-8")
    command, outputs = _processed_command(tmp_path / "out", procurement=bad_procurement, gdp=bad_gdp)
    outputs["tidy"].parent.mkdir()
    outputs["tidy"].write_text("previous output\n")
    result = subprocess.run(command, capture_output=True, text=True, cwd=config.ROOT)
    assert result.returncode != 0
    assert "bad.csv" in result.stderr and "REF_AREA" in result.stderr          # the first file's problem
    assert "gdp.csv: row 2: column 'values'" in result.stderr                   # and the second's
    assert "nothing was written" in result.stderr
    assert outputs["tidy"].read_text() == "previous output\n"
    assert sorted(p.name for p in outputs["tidy"].parent.iterdir()) == ["tidy.csv"]
