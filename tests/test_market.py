"""Market part: the four approaches on cases computed by hand, ranges, tornado, Monte Carlo, Sobol
indices, the inputs file and its references, scenarios, and the table the variants part reads.

Unit tests use small hand-made frames; the data tests read the raw files with the standard library.
The one test that reads the OECD part's processed tables is skipped when they are absent.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import yaml

from analysis import claims, config, market
from analysis.validation import DataValidationError
from conftest import read_rows

INPUT_COLUMNS = ["id", "label_fr", "value", "low", "high", "distribution", "unit", "source", "range_source", "note"]


def _inputs(rows) -> pd.DataFrame:
    """A hand-made inputs table: rows of (id, value, low, high, distribution)."""
    return pd.DataFrame([{"id": i, "label_fr": i, "value": float(v), "low": float(lo), "high": float(hi),
                          "distribution": d, "unit": "u", "source": "assumption", "range_source": "assumption",
                          "note": ""} for i, v, lo, hi, d in rows], columns=INPUT_COLUMNS)


#: Every input of the model, on a small hand-made scale (values easy to multiply by hand).
TOY = [
    ("edtech_active_2025", 100, 100, 100, "fixed"),
    ("edtech_school_share_pct", 45, 40, 50, "uniform"),
    ("edtech_created_after_2015_pct", 60, 60, 70, "uniform"),
    ("edtech_idf_share_pct", 60, 60, 60, "fixed"),
    ("market_2023_beur", 2, 2, 2, "fixed"),
    ("edtech_school_revenue_share_pct", 30, 20, 40, "uniform"),
    ("funding_fra_2024_musd", 67, 67, 67, "fixed"),
    ("funding_world_2024_busd", 6.3, 6.3, 6.3, "fixed"),
    ("funding_fra_share_europe_pct", 8, 8, 8, "fixed"),
    ("gdp_fra_share_world_pct", 2.8, 2.8, 2.8, "fixed"),
    ("gdp_fra_2021_meur", 1000, 1000, 1000, "fixed"),
    ("edu_pct_gdp_fra_gaag2023", 1, 1, 1, "fixed"),
    ("edu_pct_gdp_oecd_gaag2023", 1.5, 1.5, 1.5, "fixed"),
    ("proc_share_gdp_fra_gaag2025_pct", 25, 25, 25, "fixed"),
    ("proc_share_gdp_oecd_gaag2025_pct", 16, 16, 16, "fixed"),
    ("edu_share_proc_fra_pct", 5, 5, 5, "fixed"),
    ("edu_share_proc_oecd_pct", 10, 10, 10, "fixed"),
    ("digital_share_education_pct", 4, 2, 8, "lognormal"),
    ("digital_share_education_procurement_pct", 2, 1, 4, "lognormal"),
    ("education_expenditure_fra_2021_meur", 100, 100, 100, "fixed"),
    ("education_procurement_cofog_fra_2021_meur", 15, 15, 15, "fixed"),
    ("pupils_primary", 100, 100, 100, "fixed"),
    ("pupils_secondary", 50, 50, 50, "fixed"),
    ("schools_ecoles", 1, 1, 1, "fixed"),
    ("schools_colleges", 2, 2, 2, "fixed"),
    ("schools_lycees", 3, 3, 3, "fixed"),
    ("teachers", 10, 10, 10, "fixed"),
    ("spend_per_pupil_eur", 10, 0, 20, "uniform"),
    ("spend_per_teacher_eur", 2, 2, 2, "fixed"),
    ("spend_per_school_eur", 100, 0, 200, "uniform"),
    ("local_authorities_digital_2013_2017_eur", 2e9, 2e9, 2e9, "fixed"),
    ("state_digital_2013_2017_eur", 3e8, 3e8, 3e8, "fixed"),
    ("past_budget_years", 5, 5, 5, "fixed"),
]


@pytest.fixture
def toy() -> pd.DataFrame:
    return _inputs(TOY)


# ---- the four approaches, by hand --------------------------------------------------------------

def test_company_base_by_hand(toy):
    out = market.company_base(market.central(toy))
    assert out["company_school_edtechs"] == pytest.approx(45)           # 100 x 45 %
    assert out["company_created_after_2015_min"] == pytest.approx(60)   # 100 x 60 %
    assert out["company_idf_edtechs"] == pytest.approx(60)
    assert out["company_revenue_per_firm_eur"] == pytest.approx(20e6)   # 2 bn / 100 firms
    assert out["company_school_segment_eur"] == pytest.approx(0.6e9)    # 2 bn x 30 % of revenue (not 45 % of firms)


def test_company_base_on_the_slides_figures_with_rounding():
    p = {"edtech_active_2025": 695, "edtech_school_share_pct": 45, "edtech_created_after_2015_pct": 60,
         "edtech_idf_share_pct": 60, "market_2023_beur": 1.6, "edtech_school_revenue_share_pct": 45}
    out = market.company_base(p)
    assert out["company_school_edtechs"] == pytest.approx(312.75)
    assert round(out["company_school_edtechs"]) == 313
    assert out["company_idf_edtechs"] == pytest.approx(417)
    assert out["company_school_segment_eur"] == pytest.approx(720e6)
    assert out["company_revenue_per_firm_eur"] == pytest.approx(1.6e9 / 695)


def test_top_down_on_consistent_bases_by_hand(toy):
    p = market.central(toy)
    out = market.top_down(p)
    # the world share applies to total education expenditure, the procurement share to procurement
    assert out["topdown_digital_of_education_expenditure_eur"] == pytest.approx(4e6)    # 100 M€ x 4 %
    assert out["topdown_procurement_share_of_education_expenditure_pct"] == pytest.approx(15)  # 15 / 100
    assert out["topdown_digital_of_procurement_cofog_eur"] == pytest.approx(0.3e6)      # 15 M€ x 2 %
    # 2023 vintage: GDP x education % of GDP (the procurement share is implied: 1 / 5 = 20 %)
    assert out["topdown_education_procurement_gaag2023_eur"] == pytest.approx(10e6)    # 1000 M€ x 1 %
    assert out["topdown_digital_of_procurement_gaag2023_eur"] == pytest.approx(0.2e6)   # x 2 %
    assert out["topdown_education_procurement_gaag2025_eur"] == pytest.approx(12.5e6)  # 1000 x 25 % x 5 %
    assert out["topdown_digital_of_procurement_gaag2025_eur"] == pytest.approx(0.25e6)


def test_gap_to_the_oecd_in_both_forms_by_hand(toy):
    p = market.central(toy)
    gap = market.oecd_gap(p, "gaag2023")
    assert gap["oecd_gap_gdp_gaag2023_eur"] == pytest.approx(5e6)            # 1000 x (1.5 - 1) %
    assert gap["oecd_gap_share_gaag2023_eur"] == pytest.approx(10e6)         # 1000 x 20 % x (10 - 5) %
    assert gap["oecd_gap_gdp_digital_gaag2023_eur"] == pytest.approx(0.1e6)  # x 2 %
    gap = market.oecd_gap(p, "gaag2025")
    assert gap["oecd_gap_gdp_gaag2025_eur"] == pytest.approx(3.5e6)          # 1000 x (16 x 10 % - 25 x 5 %) %
    assert gap["oecd_gap_share_gaag2025_eur"] == pytest.approx(12.5e6)       # 1000 x 25 % x 5 %
    with pytest.raises(ValueError):
        market.oecd_gap(p, "gaag1999")
    with pytest.raises(ValueError):
        market.education_procurement_eur(p, "gaag1999")


def test_2023_vintage_draws_keep_the_printed_education_share_of_gdp(toy):
    """The implied total and the education share are drawn jointly: their product is the drawn
    education % of GDP in every draw (not an independent product)."""
    rows = [r for r in TOY if r[0] not in ("edu_pct_gdp_fra_gaag2023", "edu_share_proc_fra_pct")]
    inputs = _inputs(rows + [("edu_pct_gdp_fra_gaag2023", 0.9, 0.85, 0.95, "uniform"),
                             ("edu_share_proc_fra_pct", 5.9, 5.85, 5.95, "uniform")])
    draws = market.sample_inputs(inputs, 500, seed=3)
    p = {c: draws[c].to_numpy() for c in draws.columns}
    implied = market.procurement_share_gdp_fra(p, "gaag2023")
    np.testing.assert_allclose(implied * p["edu_share_proc_fra_pct"] / 100, p["edu_pct_gdp_fra_gaag2023"])
    out = market.top_down(p)
    np.testing.assert_allclose(out["topdown_education_procurement_gaag2023_eur"],
                               p["gdp_fra_2021_meur"] * 1e6 * p["edu_pct_gdp_fra_gaag2023"] / 100)


def test_top_down_on_the_slides_figures():
    """France 2021, 2023 vintage: 0.9 % of GDP in education procurement against the OECD's 1.4 %."""
    p = {"gdp_fra_2021_meur": 2_504_729.9, "edu_pct_gdp_fra_gaag2023": 0.9, "edu_pct_gdp_oecd_gaag2023": 1.4,
         "edu_share_proc_fra_pct": 5.9, "edu_share_proc_oecd_pct": 10.7, "digital_share_education_procurement_pct": 3}
    assert market.education_procurement_eur(p, "gaag2023") == pytest.approx(2_504_729.9e6 * 0.009)
    gap = market.oecd_gap(p, "gaag2023")
    assert gap["oecd_gap_gdp_gaag2023_eur"] == pytest.approx(2_504_729.9e6 * 0.005)
    assert gap["oecd_gap_share_gaag2023_eur"] == pytest.approx(2_504_729.9e6 * 0.9 / 5.9 * (10.7 - 5.9) / 100)


def test_bottom_up_and_past_budgets_by_hand(toy):
    p = market.central(toy)
    out = market.bottom_up(p)
    assert out["pupils_total"] == 150
    assert out["schools_total"] == 6
    assert out["bottomup_pupils_eur"] == pytest.approx(1500)     # 150 x 10
    assert out["bottomup_teachers_eur"] == pytest.approx(20)     # 10 x 2
    assert out["bottomup_schools_eur"] == pytest.approx(600)     # 6 x 100
    assert out["bottomup_total_eur"] == pytest.approx(2120)
    assert out["bottomup_per_pupil_eur"] == pytest.approx(2120 / 150)
    assert out["bottomup_share_of_past_public_digital_pct"] == pytest.approx(100 * 2120 / 460e6)
    past = market.past_budgets(p)
    assert past["past_public_digital_annual_eur"] == pytest.approx(460e6)  # 2.3 bn / 5
    assert past["past_local_authority_share_pct"] == pytest.approx(200 / 2.3)


def test_funding_intensity_by_hand(toy):
    out = market.funding_intensity(market.central(toy))
    assert out["funding_fra_share_world_pct"] == pytest.approx(100 * 67 / 6300)       # 1.063 %
    assert out["funding_europe_implied_musd"] == pytest.approx(837.5)                 # 67 / 8 %
    assert out["funding_europe_share_world_pct"] == pytest.approx(100 * 837.5 / 6300)
    assert out["funding_fra_at_gdp_weight_musd"] == pytest.approx(176.4)              # 6300 x 2.8 %
    assert out["funding_intensity_ratio"] == pytest.approx((67 / 6300 * 100) / 2.8)


def test_evaluate_covers_every_registered_quantity(toy):
    assert set(market.evaluate(market.central(toy))) == set(market.QUANTITIES)


# ---- ranges and tornado --------------------------------------------------------------------------

def test_input_range_is_the_extreme_combination(toy):
    low, middle, high = market.input_range(toy, "bottomup_total_eur")
    assert middle == pytest.approx(2120)
    assert low == pytest.approx(20)                       # spend per pupil 0, per school 0
    assert high == pytest.approx(150 * 20 + 20 + 6 * 200)  # 4220
    assert market.relevant_inputs(toy, "bottomup_total_eur") == ["spend_per_pupil_eur", "spend_per_school_eur"]


def test_input_range_handles_decreasing_inputs():
    """The gap decreases with France's education share: its low is at that input's high."""
    rows = [r if r[0] != "edu_share_proc_fra_pct" else ("edu_share_proc_fra_pct", 5, 4, 6, "uniform") for r in TOY]
    low, middle, high = market.input_range(_inputs(rows), "oecd_gap_share_gaag2025_eur")
    assert (low, middle, high) == pytest.approx((10e6, 12.5e6, 15e6))   # 1000 M€ x 25 % x (10 - 6 | 5 | 4) %


def test_tornado_by_hand(toy):
    table = market.tornado(toy, "bottomup_total_eur")
    assert table["input_id"].tolist() == ["spend_per_pupil_eur", "spend_per_school_eur"]   # swing 3000 > 1200
    first = table.iloc[0]
    assert first["output_at_low"] == pytest.approx(2120 - 1500)
    assert first["output_at_high"] == pytest.approx(2120 + 1500)
    assert first["swing"] == pytest.approx(3000)
    assert table.iloc[1]["swing"] == pytest.approx(1200)


# ---- distributions, Monte Carlo, Sobol -----------------------------------------------------------

def test_inverse_cdf_of_each_distribution():
    u = np.array([0.05, 0.5, 0.95])
    assert market.inverse_cdf({"value": 4, "low": 4, "high": 4, "distribution": "fixed"}, u).tolist() == [4, 4, 4]
    assert market.inverse_cdf({"value": 5, "low": 0, "high": 10, "distribution": "uniform"}, u) == pytest.approx([0.5, 5, 9.5])
    logn = market.inverse_cdf({"value": 4, "low": 2, "high": 8, "distribution": "lognormal"}, u)
    assert logn == pytest.approx([2, 4, 8], rel=1e-6)        # low and high are the 5th and 95th percentiles
    # triangular(0, 0, 10): F(x) = 1 - (1 - x/10)^2, so the median is 10 (1 - sqrt(0.5))
    tri = market.inverse_cdf({"value": 0, "low": 0, "high": 10, "distribution": "triangular"}, np.array([0.5]))
    assert tri[0] == pytest.approx(10 * (1 - math.sqrt(0.5)))
    with pytest.raises(ValueError):
        market.inverse_cdf({"value": 1, "low": 0, "high": 2, "distribution": "beta"}, u)


def test_monte_carlo_is_reproducible_and_its_mean_matches_the_formula(toy):
    a = market.monte_carlo(toy, 20000, seed=7)
    b = market.monte_carlo(toy, 20000, seed=7)
    c = market.monte_carlo(toy, 20000, seed=8)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)
    # E[total] = 150 E[spp] + 20 + 6 E[sps] = 150 x 10 + 20 + 6 x 100 (uniform, symmetric)
    assert a["bottomup_total_eur"].mean() == pytest.approx(2120, rel=0.01)
    summary = market.summarise(a[["bottomup_total_eur"]])
    row = summary.iloc[0]
    assert row["p05"] < row["p50"] < row["p95"]
    assert row["p50"] == pytest.approx(np.median(a["bottomup_total_eur"]))


def test_sobol_indices_match_the_variance_shares_of_an_additive_model(toy):
    """total = 150 spp + 6 sps + 20, spp ~ U(0, 20), sps ~ U(0, 200): Var = 150² × 400/12 and 6² × 40000/12,
    so the shares are 9 000 000 / 10 440 000 = 0.862 and 0.138 (additive: S1 = ST)."""
    table = market.sobol_indices(toy, "bottomup_total_eur", 1024, seed=3).set_index("input_id")
    share_pupil = 150 ** 2 * 400 / (150 ** 2 * 400 + 36 * 40000)
    assert table.at["spend_per_pupil_eur", "ST"] == pytest.approx(share_pupil, abs=0.03)
    assert table.at["spend_per_school_eur", "ST"] == pytest.approx(1 - share_pupil, abs=0.03)
    assert table.at["spend_per_pupil_eur", "S1"] == pytest.approx(share_pupil, abs=0.05)
    again = market.sobol_indices(toy, "bottomup_total_eur", 1024, seed=3)
    pd.testing.assert_frame_equal(table.reset_index()[again.columns], again)
    assert market.drivers(again, "bottomup_total_eur", 0.5) == ["spend_per_pupil_eur"]


# ---- the variants part's table -------------------------------------------------------------------

def test_budget_for_variants_contract(toy):
    draws = market.monte_carlo(toy, 2000, seed=1)
    budget = market.budget_for_variants(toy, market.summarise(draws), seed=1, n=2000)
    assert budget.columns.tolist() == ["quantity", "low", "central", "median", "high", "unit", "source"]
    assert budget["quantity"].is_unique
    rows = budget.set_index("quantity")
    assert {"annual_public_digital_resources_budget_eur", "pupils"} <= set(rows.index)
    assert rows.at["annual_public_digital_resources_budget_eur", "central"] == pytest.approx(2120)
    assert rows.at["pupils", "central"] == 150
    summary = market.summarise(draws).set_index("quantity")
    assert rows.at["annual_public_digital_resources_budget_eur", "median"] == summary.at["bottomup_total_eur", "p50"]
    assert (budget["low"] <= budget["central"]).all() and (budget["central"] <= budget["high"]).all()
    assert "bottom-up" in rows.at["annual_public_digital_resources_budget_eur", "source"]


# ---- the inputs file: checks, references, overrides ----------------------------------------------

def _write(tmp_path, frame) -> str:
    path = tmp_path / "inputs.csv"
    frame.to_csv(path, index=False)
    return path


def test_value_outside_its_range_names_the_row_and_column(tmp_path, toy):
    bad = toy.copy()
    bad.loc[3, "value"] = 99.0   # edtech_idf_share_pct, fixed at 60: file line 5
    with pytest.raises(DataValidationError, match=r"row 5: column 'value'"):
        market.read_inputs(_write(tmp_path, bad))


def test_unknown_distribution_and_bad_source_are_rejected(tmp_path, toy):
    bad = toy.copy()
    bad.loc[0, "distribution"] = "beta"
    bad.loc[1, "source"] = "somewhere on the web"
    with pytest.raises(DataValidationError) as error:
        market.read_inputs(_write(tmp_path, bad))
    assert "row 2: column 'distribution'" in str(error.value)
    assert "row 3: column 'source'" in str(error.value)


def test_lognormal_needs_the_geometric_mean(tmp_path, toy):
    bad = toy.copy()
    index = int(np.flatnonzero(bad["id"] == "digital_share_education_pct")[0])
    bad.loc[index, "value"] = 5.0   # digital share, lognormal 2-8: median must be 4
    with pytest.raises(DataValidationError, match=rf"row {index + 2}: column 'value'.*sqrt"):
        market.read_inputs(_write(tmp_path, bad))


def test_missing_value_is_allowed_only_for_processed_references(tmp_path, toy):
    frame = toy.copy()
    gdp = int(np.flatnonzero(frame["id"] == "gdp_fra_2021_meur")[0])
    frame.loc[gdp, ["value", "low", "high"]] = np.nan
    frame.loc[gdp, "source"] = "data/processed/eurostat_gdp_annual.csv#code=FRA&year=2021:gdp_meur"
    read = market.read_inputs(_write(tmp_path, frame))
    processed = {"eurostat_gdp_annual.csv": pd.DataFrame({"code": ["FRA", "FRA", "DEU"], "year": [2020, 2021, 2021],
                                                          "gdp_meur": [1.0, 1234.5, 9.0]})}
    resolved = market.resolve_inputs(read, processed)
    assert resolved.set_index("id").loc["gdp_fra_2021_meur", ["value", "low", "high"]].tolist() == [1234.5] * 3
    frame.loc[gdp, "source"] = "assumption"
    with pytest.raises(DataValidationError, match=rf"row {gdp + 2}: column 'value'"):
        market.read_inputs(_write(tmp_path, frame))


def test_processed_reference_must_match_one_row():
    frame = pd.DataFrame({"code": ["FRA", "FRA"], "year": [2021, 2021], "gdp_meur": [1.0, 2.0]})
    with pytest.raises(ValueError, match="exactly one"):
        market.lookup_processed("data/processed/g.csv#code=FRA&year=2021:gdp_meur", {"g.csv": frame})
    assert market.parse_processed_reference("data/processed/p.csv#vintage=gaag2025&code=FRA:education_share_pct") == \
        ("p.csv", {"vintage": "gaag2025", "code": "FRA"}, "education_share_pct")


def test_overrides(toy):
    changed = market.apply_overrides(toy, {"spend_per_pupil_eur": 15, "teachers": 20,
                                           "digital_share_education_pct": {"value": 6, "low": 4, "high": 9}})
    table = changed.set_index("id")
    assert table.at["spend_per_pupil_eur", "value"] == 15 and table.at["spend_per_pupil_eur", "high"] == 20
    assert table.loc["teachers", ["value", "low", "high"]].tolist() == [20, 20, 20]   # fixed stays fixed
    assert table.at["digital_share_education_pct", "low"] == 4
    assert "scenario" in table.at["spend_per_pupil_eur", "note"]
    assert toy.set_index("id").at["spend_per_pupil_eur", "value"] == 10   # the input frame is not modified
    with pytest.raises(KeyError, match="nonexistent"):
        market.apply_overrides(toy, {"nonexistent": 1})
    with pytest.raises(DataValidationError, match="spend_per_pupil_eur.value"):
        market.apply_overrides(toy, {"spend_per_pupil_eur": 50})   # outside 0-20: give low/high too


# ---- data tests: the repository's files -----------------------------------------------------------

RAW_TABLES = {
    "data/raw/slides/edtech_market_figures.csv": "figure_id",
    "data/raw/slides/oecd_gaag2023_procurement_figures.csv": "figure_id",
    "data/raw/evidence/education_system_facts.csv": "fact_id",
}


def test_inputs_file_is_valid_and_every_raw_reference_resolves_to_the_same_value():
    inputs = market.read_inputs()
    raw = {path: {r[key]: r for r in read_rows(config.ROOT / path)} for path, key in RAW_TABLES.items()}
    for row in read_rows(market.INPUTS_FILE):
        for field in ("source", "range_source"):
            reference = row[field]
            if reference.startswith("data/raw/"):
                path, row_id = reference.split("#")
                assert row_id in raw[path], f"{row['id']}: {field} {reference} points to no row"
        if row["source"].startswith("data/raw/") and row["value"]:
            path, row_id = row["source"].split("#")
            if row["id"] != "past_budget_years":   # the period of the figure, not its value
                assert float(row["value"]) == float(raw[path][row_id]["value"]), row["id"]
        if row["source"] == "assumption":
            assert row["range_source"], row["id"]
    assert set(inputs["id"]) == {r[0] for r in TOY}   # the model's inputs, no more, no less


def test_slides_figures_match_the_claims_registry():
    figures = {r["figure_id"]: float(r["value"]) for r in read_rows(market.SLIDE_MARKET_FIGURES_RAW)}
    registry = claims.registry_for("market").set_index("claim_id")
    pairs = {"MARKET-EDTECH-ACTIVE-2025": "edtech_active_2025", "MARKET-EDTECH-SCHOOL-SHARE": "edtech_school_share_pct",
             "MARKET-EDTECH-CREATED-AFTER-2015": "edtech_created_after_2015_pct",
             "MARKET-EDTECH-IDF-SHARE": "edtech_idf_share_pct", "MARKET-SIZE-2023": "market_2023_beur",
             "MARKET-FUNDING-FRA-2024": "funding_fra_2024_musd", "MARKET-FUNDING-WORLD-2024": "funding_world_2024_busd",
             "MARKET-FUNDING-FRA-SHARE-EUROPE": "funding_fra_share_europe_pct",
             "MARKET-FUNDING-FRA-SHARE-WORLD": "funding_fra_share_world_pct",
             "MARKET-GDP-FRA-SHARE-WORLD": "gdp_fra_share_world_pct",
             "MARKET-DIGITAL-SHARE-EDUCATION": "digital_share_world_education_pct"}
    for claim_id, figure_id in pairs.items():
        assert registry.at[claim_id, "slide_value"] == figures[figure_id], claim_id


def test_derived_funding_claims_hold_on_the_raw_figures():
    """1 % of world funding = 67 M$ / 6.3 bn$ within the rounding of a whole percentage; below 2.8 %."""
    f = {r["figure_id"]: float(r["value"]) for r in read_rows(market.SLIDE_MARKET_FIGURES_RAW)}
    share = 100 * f["funding_fra_2024_musd"] / (f["funding_world_2024_busd"] * 1000)
    registry = claims.registry_for("market").set_index("claim_id")
    claim = registry.loc["MARKET-FUNDING-FRA-SHARE-WORLD"]
    assert claims.status_of(claim["kind"], claim["slide_value"], share, claim["tolerance"]) == "derived"
    assert share < f["gdp_fra_share_world_pct"]
    assert f["funding_fra_2024_musd"] / (f["funding_fra_share_europe_pct"] / 100) == pytest.approx(837.5)


def test_scenario_file_overrides_existing_inputs():
    scenario = yaml.safe_load((config.CONFIG / "scenarios" / "market_high_digital_share.yaml").read_text(encoding="utf-8"))
    assert scenario["scenario"] == "market_high_digital_share"
    overrides = scenario["notebook_params"]["03_market_sizing"]["input_overrides"]
    toy = _inputs(TOY)
    changed = market.apply_overrides(toy, overrides).set_index("id")
    for input_id, value in overrides.items():
        expected = value["value"] if isinstance(value, dict) else value
        assert changed.at[input_id, "value"] == expected


@pytest.mark.skipif(not all(path.exists() for path in market.PROCESSED_TABLES.values()),
                    reason="data/processed not built (run: snakemake --cores 1 processed)")
def test_top_down_on_the_processed_tables_matches_the_raw_files(oecd_rows):
    """GDP 2021 = the four quarters of the raw Eurostat file; procurement share 2025 = the raw OECD
    file; education expenditure = TE of GF09 in the raw COFOG file; the digital share applies to it."""
    inputs = market.resolve_inputs(market.read_inputs(), market.read_processed())
    gdp = sum(float(r["values"]) for r in read_rows(config.RAW / "eurostat" / "namq_10_gdp.csv")
              if r["geo"] == "FR" and r["unit"] == "CP_MEUR" and r["time"].startswith("2021-"))
    proc = [float(r["OBS_VALUE"]) for r in oecd_rows if r["REF_AREA"] == "FRA" and r["UNIT_MEASURE"] == "PT_B1GQ"
            and r["TIME_PERIOD"] == "2021"]
    assert len(proc) == 1
    cofog = {r["na_item"]: float(r["values"]) for r in read_rows(config.RAW / "eurostat" / "gov_10a_exp.csv")
             if r["geo"] == "FR" and r["time"] == "2021" and r["cofog99"] == "GF09"}
    table = inputs.set_index("id")
    assert table.at["gdp_fra_2021_meur", "value"] == pytest.approx(gdp, abs=0.1)
    assert table.at["proc_share_gdp_fra_gaag2025_pct", "value"] == pytest.approx(proc[0])
    assert table.at["education_expenditure_fra_2021_meur", "value"] == pytest.approx(cofog["TE"])
    assert table.at["education_procurement_cofog_fra_2021_meur", "value"] == pytest.approx(cofog["P2"] + cofog["P51G"])
    figures = {r["figure_id"]: float(r["value"]) for r in read_rows(market.SLIDE_MARKET_FIGURES_RAW)}
    out = market.evaluate(market.central(inputs))
    assert out["topdown_digital_of_education_expenditure_eur"] == pytest.approx(
        cofog["TE"] * 1e6 * figures["digital_share_world_education_pct"] / 100)
    # procurement is a small part of education expenditure: the two bases differ by a factor of about 6
    assert out["topdown_procurement_share_of_education_expenditure_pct"] == pytest.approx(
        100 * (cofog["P2"] + cofog["P51G"]) / cofog["TE"])


def test_headline_bottom_up_budget_recomputed_from_the_inputs_and_raw_rows():
    """The budget the notebook prints and passes to the variants part (central inputs), by hand from
    the rows of data/market/inputs.csv and of the raw facts file."""
    row = {r["id"]: r for r in read_rows(market.INPUTS_FILE)}
    facts = {r["fact_id"]: float(r["value"]) for r in read_rows(market.EDUCATION_FACTS_RAW)}
    pupils = facts["pupils_primary_2024"] + facts["pupils_secondary_2024"]
    schools = facts["schools_ecoles_2024"] + facts["schools_colleges_2024"] + facts["schools_lycees_2024"]
    by_hand = (pupils * float(row["spend_per_pupil_eur"]["value"])
               + float(row["teachers"]["value"]) * float(row["spend_per_teacher_eur"]["value"])
               + schools * float(row["spend_per_school_eur"]["value"]))
    computed = market.bottom_up(market.central(market.read_inputs()))   # processed refs unused here
    assert computed["bottomup_total_eur"] == pytest.approx(by_hand)
