"""The multi-criteria comparison: criteria, weights and scores as data; value functions, weighted
totals and ranks, vectorised over sampled weights and scores."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from analysis import config, mcda, variants
from tests.conftest import read_rows

VARIANT_DIR = config.DATA / "variants"
CRITERIA_IDS = ["equity", "life_cycle_cost", "market_diversity", "sovereignty_security", "interoperability",
                "pedagogical_impact", "teacher_freedom", "continuity", "governance_feasibility", "accessibility"]


@pytest.fixture(scope="module")
def criteria() -> pd.DataFrame:
    return mcda.load_criteria()


@pytest.fixture(scope="module")
def weights(criteria) -> pd.DataFrame:
    return mcda.load_weight_profiles(criteria)


def test_the_ten_criteria_of_the_study(criteria):
    assert criteria["criterion"].tolist() == CRITERIA_IDS
    quantitative = criteria[criteria["kind"] == "quantitative"]
    assert set(quantitative["indicator"]) <= set(variants.OUTCOMES)
    assert (criteria["definition"].str.len() > 20).all()


def test_profiles_of_the_four_stakeholder_groups_and_equal_weights(weights):
    assert list(weights.index) == ["etat", "collectivites", "filiere", "experts", "egalite"]
    assert np.allclose(weights.sum(axis=1), 1.0)
    assert np.allclose(weights.loc["egalite"], 0.1)
    raw = yaml.safe_load((VARIANT_DIR / "weight_profiles.yaml").read_text(encoding="utf-8"))
    for profile in raw["profiles"]:
        assert profile["source"] == "assumption" and len(profile["rationale"]) > 30
        assert sum(profile["weights"].values()) == 100


def test_every_qualitative_cell_is_scored_with_a_rationale(criteria):
    rows = read_rows(VARIANT_DIR / "qualitative_scores.csv")
    qualitative = set(criteria.loc[criteria["kind"] == "qualitative", "criterion"])
    cells = {(r["variant_id"], r["criterion"]) for r in rows}
    assert cells == {(v, c) for v in [v.id for v in variants.load_variants()] for c in qualitative}
    for r in rows:
        assert 0 <= float(r["low"]) <= float(r["most_likely"]) <= float(r["high"]) <= 10
        assert len(r["rationale"]) > 40 and r["evidence"]


def test_qualitative_scores_cite_known_evidence(criteria):
    evidence = {r["evidence_id"] for r in read_rows(variants.EVIDENCE_RAW)}
    frame = mcda.load_qualitative_scores(criteria, [v.id for v in variants.load_variants()], evidence_ids=evidence)
    assert len(frame) == 30


def test_unknown_evidence_id_in_a_rationale_is_refused(tmp_path, criteria):
    text = (VARIANT_DIR / "qualitative_scores.csv").read_text(encoding="utf-8").replace("UGAP-TURNOVER", "UGAP-TURNOVR", 1)
    path = tmp_path / "qualitative_scores.csv"
    path.write_text(text, encoding="utf-8")
    evidence = {r["evidence_id"] for r in read_rows(variants.EVIDENCE_RAW)}
    with pytest.raises(mcda.MCDAError, match="UGAP-TURNOVR"):
        mcda.load_qualitative_scores(criteria, [v.id for v in variants.load_variants()], path, evidence)


def test_missing_qualitative_cell_is_refused(tmp_path, criteria):
    lines = (VARIANT_DIR / "qualitative_scores.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "qualitative_scores.csv"
    path.write_text("".join(lines[:-1]), encoding="utf-8")
    with pytest.raises(mcda.MCDAError, match="rows missing"):
        mcda.load_qualitative_scores(criteria, [v.id for v in variants.load_variants()], path)


def test_direction_contradicting_bounds_names_the_criterion(tmp_path):
    document = yaml.safe_load((VARIANT_DIR / "criteria.yaml").read_text(encoding="utf-8"))
    document["criteria"][2]["direction"] = "max"
    path = tmp_path / "criteria.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    with pytest.raises(mcda.MCDAError, match="criterion market_diversity.*field direction"):
        mcda.load_criteria(path)


def test_quantitative_criterion_without_bounds_names_the_field(tmp_path):
    document = yaml.safe_load((VARIANT_DIR / "criteria.yaml").read_text(encoding="utf-8"))
    del document["criteria"][0]["worst"]
    path = tmp_path / "criteria.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    with pytest.raises(mcda.MCDAError, match=r"field criteria/0.*worst"):
        mcda.load_criteria(path)


def test_profile_missing_a_criterion_is_refused(tmp_path, criteria):
    document = yaml.safe_load((VARIANT_DIR / "weight_profiles.yaml").read_text(encoding="utf-8"))
    del document["profiles"][1]["weights"]["continuity"]
    path = tmp_path / "weight_profiles.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    with pytest.raises(mcda.MCDAError, match=r"profile collectivites.*missing \['continuity'\]"):
        mcda.load_weight_profiles(criteria, path)


# ------------------------------------------------------------------------------------------
# Value functions, totals, ranks
# ------------------------------------------------------------------------------------------

def test_linear_values_hand_cases():
    values = mcda.linear_values([[0.05, 45.0, 2500.0, 7.0]], worst=[0.15, 60, 2500, 0], best=[0.0, 30, 0, 10])
    assert values[0].tolist() == pytest.approx([2 / 3, 0.5, 0.0, 0.7])
    assert mcda.linear_values([[-1.0, 100.0]], [0, 0], [10, 10])[0].tolist() == [0.0, 1.0]  # clipped


def test_a_variant_best_on_every_criterion_ranks_first_under_every_profile(weights):
    rng = np.random.default_rng(0)
    values = rng.uniform(0, 0.8, size=(5, len(CRITERIA_IDS)))
    values[3] = values.max(axis=0) + 0.1  # variant 3 dominates
    totals = mcda.weighted_totals(values, weights[CRITERIA_IDS].to_numpy())
    assert totals.shape == (len(weights), 5)
    assert (mcda.ranks(totals)[:, 3] == 1).all()
    sampled = mcda.sample_simplex_weights(10_000, len(CRITERIA_IDS), rng)
    assert (mcda.ranks(mcda.weighted_totals(values, sampled))[:, 3] == 1).all()


def test_weighted_totals_hand_case():
    values = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    totals = mcda.weighted_totals(values, [3, 1])
    assert totals.tolist() == pytest.approx([0.75, 0.25, 0.5])
    assert mcda.ranks(totals).tolist() == [1, 3, 2]


def test_weighted_totals_broadcast_over_samples():
    rng = np.random.default_rng(1)
    values = rng.random((50, 4, 3))
    weights = rng.random((50, 3))
    totals = mcda.weighted_totals(values, weights)
    expected = np.array([values[i] @ (weights[i] / weights[i].sum()) for i in range(50)])
    assert totals.shape == (50, 4) and np.allclose(totals, expected)
    same_weights = mcda.weighted_totals(values, weights[0])
    assert np.allclose(same_weights, values @ (weights[0] / weights[0].sum()))


def test_ties_share_the_better_rank():
    assert mcda.ranks([0.5, 0.7, 0.5]).tolist() == [2, 1, 2]


def test_triangular_score_sampler():
    rng = np.random.default_rng(2)
    draws = mcda.sample_triangular_scores([4.0, 5.0], [5.0, 5.0], [9.0, 5.0], 200_000, rng)
    assert draws.shape == (200_000, 2)
    assert draws[:, 0].min() >= 4 and draws[:, 0].max() <= 9
    assert draws[:, 0].mean() == pytest.approx((4 + 5 + 9) / 3, abs=0.02)
    assert (draws[:, 1] == 5).all()


def test_simplex_weights_sum_to_one():
    weights = mcda.sample_simplex_weights(1000, 10, np.random.default_rng(3))
    assert weights.shape == (1000, 10) and np.allclose(weights.sum(axis=1), 1) and (weights >= 0).all()


def test_scores_and_totals_tables(criteria, weights):
    ids = [v.id for v in variants.load_variants()]
    qualitative = mcda.load_qualitative_scores(criteria, ids)
    outcomes = pd.DataFrame([{"variant_id": v, "outcome": o, "value": 0.1}
                             for v in ids for o in criteria["indicator"] if o])
    performance = mcda.performance_matrix(outcomes, qualitative, criteria, ids)
    assert performance.loc["V3", "teacher_freedom"] == float(
        qualitative.query("variant_id == 'V3' and criterion == 'teacher_freedom'")["most_likely"].iloc[0])
    scores = mcda.scores_table(performance, criteria, qualitative)
    assert len(scores) == 50 and scores["value"].between(0, 1).all()
    values = scores.pivot(index="variant_id", columns="criterion", values="value")[criteria["criterion"]]
    totals = mcda.totals_by_profile(values, weights)
    assert len(totals) == 25 and set(totals["rank"]) == {1, 2, 3, 4, 5}


def test_value_array_for_sampled_outcomes_and_scores(criteria, weights):
    ids = [v.id for v in variants.load_variants()]
    params = variants.load_parameters()
    samples = variants.sample_parameters(params, 200, seed=5)
    loaded = {v.id: v for v in variants.load_variants()}
    model = {v: variants.evaluate(loaded[v], samples, params) for v in ids}
    qualitative = mcda.load_qualitative_scores(criteria, ids)
    low, mode, high = mcda.qualitative_bounds(qualitative, criteria, ids)
    draws = mcda.sample_triangular_scores(low, mode, high, 200, np.random.default_rng(6))
    values = mcda.value_array(criteria, ids, model, draws)
    assert values.shape == (200, 5, 10) and ((values >= 0) & (values <= 1)).all()
    # one sample, computed by hand for the Gini criterion of V2
    gini = model["V2"]["coverage_gini"][7]
    assert values[7, 2, 0] == pytest.approx(np.clip((gini - 0.15) / (0.0 - 0.15), 0, 1))
    fixed = mcda.value_array(criteria, ids, model, qualitative=qualitative)
    assert fixed[0, 3, 6] == pytest.approx(mode[3, 3] / 10)  # teacher_freedom is the 4th qualitative criterion
    totals = mcda.weighted_totals(values, mcda.sample_simplex_weights(200, 10, np.random.default_rng(7)))
    assert totals.shape == (200, 5)


# ---- qualitative scores that share a cause ---------------------------------------------------

def test_cause_groups_of_the_package_are_defined_and_used(criteria):
    ids = ["V0", "V1", "V2", "V3", "V4"]
    qualitative = mcda.load_qualitative_scores(criteria, ids)
    groups = mcda.load_cause_groups(qualitative)
    used = set(qualitative.loc[qualitative["cause_group"] != "", "cause_group"])
    assert used == set(groups["cause_group"])
    assert groups["source"].str.contains("assumption").all()


def test_an_undefined_or_foreign_cause_group_is_named(criteria, tmp_path):
    ids = ["V0", "V1", "V2", "V3", "V4"]
    qualitative = mcda.load_qualitative_scores(criteria, ids)
    broken = qualitative.copy()
    first_v3 = broken.index[broken["variant_id"] == "V3"][0]
    first_v1 = broken.index[(broken["variant_id"] == "V1") & (broken["cause_group"] == "")][0]
    broken.loc[first_v3, "cause_group"] = "V3-not-defined"
    broken.loc[first_v1, "cause_group"] = "V2-catalogue-entry-vetting"
    with pytest.raises(mcda.MCDAError) as error:
        mcda.load_cause_groups(broken)
    message = str(error.value)
    assert f"row {first_v3 + 2}, column 'cause_group'" in message and "V3-not-defined" in message
    assert f"row {first_v1 + 2}" in message and "belongs to V2, not V1" in message


def test_joint_draws_keep_each_triangle_and_move_a_group_together():
    low = np.array([[2.0, 4.0, 1.0], [3.0, 3.0, 3.0]])
    mode = np.array([[5.0, 6.0, 2.0], [4.0, 5.0, 4.0]])
    high = np.array([[6.0, 9.0, 8.0], [7.0, 8.0, 9.0]])
    groups = np.array([["g", "g", ""], ["", "h", "h"]], dtype=object)
    n = 40000
    joint = mcda.sample_scores_jointly(low, mode, high, groups, {"g": 1.0, "h": 0.5}, n, np.random.default_rng(3))
    # each marginal is still its triangle: mean (low + mode + high) / 3, Kolmogorov-Smirnov test
    assert joint.mean(axis=0) == pytest.approx((low + mode + high) / 3, abs=0.03)
    for i, j in [(0, 0), (0, 1), (1, 2)]:
        c = (mode[i, j] - low[i, j]) / (high[i, j] - low[i, j])
        dist = stats.triang(c, loc=low[i, j], scale=high[i, j] - low[i, j])
        assert stats.kstest(joint[:5000, i, j], dist.cdf).pvalue > 0.01
    # comonotone group: same quantile, so rank correlation 1; rho = 0.5: in between; others independent
    rho_g = stats.spearmanr(joint[:, 0, 0], joint[:, 0, 1]).statistic
    rho_h = stats.spearmanr(joint[:, 1, 1], joint[:, 1, 2]).statistic
    rho_free = stats.spearmanr(joint[:, 0, 0], joint[:, 0, 2]).statistic
    assert rho_g == pytest.approx(1.0)
    assert 0.3 < rho_h < 0.7
    assert abs(rho_free) < 0.03
    # no group at all: exactly the independent draws
    none = np.full(low.shape, "", dtype=object)
    assert np.array_equal(mcda.sample_scores_jointly(low, mode, high, none, {}, 100, np.random.default_rng(5)),
                          mcda.sample_triangular_scores(low, mode, high, 100, np.random.default_rng(5)))
    with pytest.raises(mcda.MCDAError, match="no correlation"):
        mcda.sample_scores_jointly(low, mode, high, groups, {"g": 1.0}, 10, np.random.default_rng(0))


@pytest.mark.parametrize("shape", [(5,), (20_000, 5), (40, 3, 7), (200, 30)])
def test_ranks_equal_scipys_min_ranks_with_ties(shape):
    """mcda.ranks (1 + the number of higher totals, or scipy beyond RANKS_BY_COMPARISON variants)
    gives scipy's rankdata(-totals, method="min") on totals with many ties."""
    totals = np.round(np.random.default_rng(len(shape)).random(shape), 1)
    expected = stats.rankdata(-totals, method="min", axis=-1).astype(int)
    assert np.array_equal(mcda.ranks(totals), expected)
    assert mcda.ranks(totals).dtype == expected.dtype


def test_ranks_with_nan_are_scipys():
    totals = np.array([[0.2, np.nan, 0.5], [0.1, 0.3, 0.3]])
    assert np.array_equal(mcda.ranks(totals), stats.rankdata(-totals, method="min", axis=-1).astype(int))
