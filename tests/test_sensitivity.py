"""Sensitivity analyses of the variants' comparison: exact rank-reversal
thresholds, SMAA-2, SALib wrappers (tested on Ishigami's analytic Sobol indices and on a linear
model's elementary effects), TOPSIS and PROMETHEE II on hand-computed cases, and the gap model
against the comparison of notebook 04."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis import mcda, sensitivity, variants

# ---- weights one at a time -------------------------------------------------------------------


def test_swept_weights_keep_the_other_criteria_in_proportion():
    w = sensitivity.swept_weights([0.5, 0.3, 0.2], 0, [0.0, 0.5, 1.0])
    assert w.sum(axis=1) == pytest.approx([1, 1, 1])
    assert w[0] == pytest.approx([0.0, 0.6, 0.4])
    assert w[1] == pytest.approx([0.5, 0.3, 0.2])
    assert w[2] == pytest.approx([1.0, 0.0, 0.0])


def test_rank_reversal_thresholds_of_two_opposite_variants():
    """A = (1, 0), B = (0, 1), weights (0.6, 0.4): A leads 0.6 to 0.4; its lead vanishes when the
    first criterion's weight falls below 0.5, or the second's rises above 0.5."""
    values = np.array([[1.0, 0.0], [0.0, 1.0]])
    table = sensitivity.rank_reversal_thresholds(values, [0.6, 0.4], ["c1", "c2"], ["A", "B"]).set_index("criterion")
    assert table.at["c1", "first"] == "A"
    assert table.at["c1", "threshold_below"] == pytest.approx(0.5)
    assert table.at["c1", "first_below"] == "B"
    assert math.isnan(table.at["c1", "threshold_above"])
    assert table.at["c2", "threshold_above"] == pytest.approx(0.5)
    assert table.at["c2", "first_above"] == "B"
    assert table.at["c2", "distance_to_reversal"] == pytest.approx(0.1)


def test_rank_reversal_thresholds_match_a_fine_grid():
    rng = np.random.default_rng(11)
    values = rng.random((5, 4))
    weights = np.array([0.4, 0.3, 0.2, 0.1])
    table = sensitivity.rank_reversal_thresholds(values, weights, list("abcd"), list("VWXYZ"))
    grid = np.linspace(0, 1, 200_001)
    for j, row in enumerate(table.itertuples()):
        firsts = np.argmax(sensitivity.weight_sweep(values, weights, j, grid), axis=1)
        first_now = np.argmax(values @ weights)
        below = grid[(grid < weights[j]) & (firsts != first_now)]
        above = grid[(grid > weights[j]) & (firsts != first_now)]
        if below.size:
            assert row.threshold_below == pytest.approx(below.max(), abs=1e-5)
        else:
            assert math.isnan(row.threshold_below)
        if above.size:
            assert row.threshold_above == pytest.approx(above.min(), abs=1e-5)
        else:
            assert math.isnan(row.threshold_above)


def test_no_reversal_for_a_dominant_variant():
    values = np.array([[0.9, 0.8, 0.7], [0.5, 0.4, 0.3]])
    table = sensitivity.rank_reversal_thresholds(values, [1, 1, 1], ["a", "b", "c"], ["A", "B"])
    assert table["threshold_below"].isna().all() and table["threshold_above"].isna().all()
    assert table["distance_to_reversal"].isna().all()


# ---- SMAA-2 ----------------------------------------------------------------------------------


def test_smaa_of_two_symmetric_variants_under_uniform_weights():
    """A = (1, 0), B = (0, 1), weights uniform on the segment: each is first half of the time;
    A's central weight is E[w1 | w1 > 1/2] = 3/4; with it, A is always first."""
    rng = np.random.default_rng(5)
    n = 200_000
    values = np.broadcast_to(np.array([[1.0, 0.0], [0.0, 1.0]]), (n, 2, 2))
    result = sensitivity.smaa(values, mcda.sample_simplex_weights(n, 2, rng))
    assert result["rank_acceptability"][:, 0] == pytest.approx([0.5, 0.5], abs=0.005)
    assert result["central_weights"][0] == pytest.approx([0.75, 0.25], abs=0.005)
    assert result["confidence"] == pytest.approx([1.0, 1.0])
    assert result["holistic"] == pytest.approx([0.5, 0.5], abs=0.005)


def test_smaa_of_a_dominant_variant():
    rng = np.random.default_rng(6)
    values = np.broadcast_to(np.array([[0.9, 0.9, 0.9], [0.1, 0.5, 0.2], [0.0, 0.0, 0.0]]), (1000, 3, 3))
    result = sensitivity.smaa(values, mcda.sample_simplex_weights(1000, 3, rng))
    assert result["rank_acceptability"][0, 0] == 1.0
    assert result["rank_acceptability"][2, 2] == 1.0
    assert np.isnan(result["central_weights"][2]).all() and np.isnan(result["confidence"][2])


# ---- SALib wrappers --------------------------------------------------------------------------

ISHIGAMI = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-math.pi, math.pi]] * 3}


def _ishigami(x):
    return {"y": np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])}


def test_sobol_indices_of_the_ishigami_function():
    """Analytic values (a = 7, b = 0.1): S1 = 0.3139, 0.4424, 0; ST = 0.5576, 0.4424, 0.2437."""
    table = sensitivity.sobol_indices(ISHIGAMI, _ishigami, 4096, seed=1).set_index("factor")
    assert table["S1"].to_numpy() == pytest.approx([0.3139, 0.4424, 0.0], abs=0.03)
    assert table["ST"].to_numpy() == pytest.approx([0.5576, 0.4424, 0.2437], abs=0.03)


def test_sobol_indices_are_reproducible_from_the_seed():
    first = sensitivity.sobol_indices(ISHIGAMI, _ishigami, 256, seed=3)
    again = sensitivity.sobol_indices(ISHIGAMI, _ishigami, 256, seed=3)
    pd.testing.assert_frame_equal(first, again)


def test_sobol_indices_of_a_constant_output_are_zero():
    table = sensitivity.sobol_indices(ISHIGAMI, lambda x: {"c": np.ones(len(x))}, 64, seed=1)
    assert (table["ST"] == 0).all()


MIXED = {"num_vars": 4, "names": ["a", "b", "c", "d"],
         "bounds": [[-math.pi, math.pi], [-math.pi, math.pi], [0.0, 2.0, 0.3], [1.0, 5.0]],
         "dists": ["unif", "unif", "triang", "unif"]}


@pytest.mark.parametrize("n", [8, 256])
def test_sobol_sample_gives_the_points_of_salibs_sampler(n):
    from SALib.sample import sobol as salib_sobol

    expected = salib_sobol.sample(dict(MIXED), n, calc_second_order=False, scramble=True, seed=11)
    assert np.array_equal(sensitivity.sobol_sample(MIXED, n, 11), expected)


def test_sobol_sample_is_nested_in_n():
    """The first N / 2 base points (and their D + 2 rows) are the sample at N / 2."""
    full, half = sensitivity.sobol_sample(MIXED, 128, 5), sensitivity.sobol_sample(MIXED, 64, 5)
    assert np.array_equal(full[:len(half)], half)


@pytest.mark.parametrize("n", [64, 1024])
def test_sobol_analyze_gives_salibs_indices_and_intervals(n):
    """The vectorised estimators and bootstrap equal SALib's analyze (its own loop over factors
    and resamples) up to rounding, on an output where one factor has no effect."""
    from SALib.analyze import sobol as salib_sobol

    x = sensitivity.sobol_sample(MIXED, n, 7)
    y = np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])
    expected = salib_sobol.analyze(dict(MIXED), y, calc_second_order=False, seed=7, print_to_console=False)
    table = sensitivity.sobol_analyze(MIXED, {"y": y}, n, 7)
    for column in ("S1", "ST", "S1_conf", "ST_conf"):
        np.testing.assert_allclose(table[column].to_numpy(), expected[column], rtol=0, atol=1e-12, err_msg=column)
    assert table.loc[table["factor"] == "d", ["S1", "ST"]].to_numpy() == pytest.approx(0.0, abs=1e-15)


def test_sobol_analyze_rejects_outputs_of_the_wrong_size():
    with pytest.raises(ValueError, match="expected N x"):
        sensitivity.sobol_analyze(ISHIGAMI, {"y": np.ones(10)}, 4, 1)


def test_sobol_convergence_recomputes_the_half_sample_and_states_the_largest_change():
    n = 512
    x = sensitivity.sobol_sample(ISHIGAMI, n, 2)
    outputs = _ishigami(x)
    table = sensitivity.sobol_convergence(ISHIGAMI, outputs, n, 2, names=("y",))
    at_half = sensitivity.sobol_analyze(ISHIGAMI, _ishigami(sensitivity.sobol_sample(ISHIGAMI, n // 2, 2)), n // 2, 2)
    np.testing.assert_allclose(table["ST_half_n"].to_numpy(), at_half["ST"].to_numpy(), rtol=0, atol=1e-12)
    sentence = sensitivity.convergence_sentence(table, {"x1": "premier"}, "y", "fr")
    largest = table.loc[table["ST_change"].abs().idxmax()]
    assert f"{abs(largest['ST_change']):.3f}".replace(".", ",") in sentence
    assert "N = 256" in sentence and "N = 512" in sentence
    with pytest.raises(ValueError, match="no row for output"):
        sensitivity.convergence_sentence(table, {}, "gap", "fr")


def test_morris_effects_of_a_linear_model():
    """y = 2 x1 + 0.5 x2 on [0, 1]^3: every elementary effect of x_i is its coefficient."""
    problem = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[0, 1]] * 3}
    table = sensitivity.morris_screening(problem, lambda x: {"y": 2 * x[:, 0] + 0.5 * x[:, 1]}, 20, 4, seed=2)
    table = table.set_index("factor")
    assert table["mu_star"].to_numpy() == pytest.approx([2.0, 0.5, 0.0])
    assert table["sigma"].to_numpy() == pytest.approx([0.0, 0.0, 0.0], abs=1e-12)


# ---- other aggregation methods ---------------------------------------------------------------


def test_topsis_by_hand():
    values = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    closeness = sensitivity.topsis(values, [0.5, 0.5])
    # A and B are at distance sqrt(0.5) from both the ideal (1, 1) and the anti-ideal (0, 0)
    assert closeness == pytest.approx([0.5, 0.5, 0.5])
    closeness = sensitivity.topsis(values, [1.0, 0.0])
    assert closeness == pytest.approx([1.0, 0.0, 0.5])


def _promethee_ii_all_pairs_at_once(values_vc, weights, threshold):
    """PROMETHEE II with the (..., V, V, C) array of every pair's differences, as first written:
    the reference of the blocked sensitivity.promethee_ii."""
    values_vc = np.asarray(values_vc, dtype=float)
    weights = mcda.normalise_weights(weights)
    difference = values_vc[..., :, None, :] - values_vc[..., None, :, :]
    preference = np.clip(difference / threshold, 0.0, 1.0) if threshold > 0 else (difference > 0).astype(float)
    pi = (preference * weights[..., None, None, :]).sum(axis=-1)
    return (pi.sum(axis=-1) - pi.sum(axis=-2)) / (values_vc.shape[-2] - 1)


@pytest.mark.parametrize("values_shape, weights_shape", [((5, 10), (10,)), ((5000, 5, 10), (5000, 10)),
                                                         ((5, 10), (7, 10)), ((3000, 4, 6), (6,))])
@pytest.mark.parametrize("threshold", [0.25, 0.0])
def test_promethee_ii_in_blocks_equals_all_pairs_at_once(values_shape, weights_shape, threshold):
    """Blocks of rows and one variant at a time give the same flows, bit for bit, with ties and
    broadcast weights (more rows than one block)."""
    rng = np.random.default_rng(sum(values_shape))
    values, weights = np.round(rng.random(values_shape), 2), rng.random(weights_shape)
    flows = sensitivity.promethee_ii(values, weights, threshold)
    expected = _promethee_ii_all_pairs_at_once(values, weights, threshold)
    assert flows.shape == expected.shape and np.array_equal(flows, expected)


def test_promethee_ii_by_hand():
    values = np.array([[1.0], [0.0], [0.75]])
    flows = sensitivity.promethee_ii(values, [1.0], threshold=0.5)
    # preferences: A>B 1, A>C 0.5, C>B 1; net flows divided by V - 1 = 2
    assert flows == pytest.approx([(1 + 0.5) / 2, (-1 - 1) / 2, (1 - 0.5) / 2])
    usual = sensitivity.promethee_ii(values, [1.0], threshold=0.0)
    assert usual == pytest.approx([1.0, -1.0, 0.0])
    assert flows.sum() == pytest.approx(0.0)


def test_methods_agree_on_a_dominant_variant():
    values = np.array([[0.9, 0.8], [0.2, 0.7], [0.1, 0.1]])
    weights = pd.DataFrame([[0.5, 0.5], [0.9, 0.1]], columns=["a", "b"], index=pd.Index(["p", "q"], name="profile"))
    table = sensitivity.method_agreement(values, weights, ["A", "B", "C"], 0.25)
    assert (table["first"] == "A").all()
    assert (table["kendall_tau_vs_weighted_sum"] == 1).all()


def test_scores_by_method_broadcast_over_samples():
    rng = np.random.default_rng(8)
    values, weights = rng.random((50, 4, 3)), rng.dirichlet(np.ones(3), 50)
    scores = sensitivity.scores_by_method(values, weights, 0.25)
    for method, score in scores.items():
        assert score.shape == (50, 4), method
    assert scores["promethee_ii"][7] == pytest.approx(sensitivity.promethee_ii(values[7], weights[7], 0.25))
    assert scores["topsis"][7] == pytest.approx(sensitivity.topsis(values[7], weights[7]))


# ---- the comparison of the package -----------------------------------------------------------


@pytest.fixture(scope="module")
def comparison():
    market = pd.DataFrame({"quantity": ["annual_public_digital_resources_budget_eur", "pupils"],
                           "low": [3.3e8, 11.8e6], "central": [4.46e8, 11.862e6], "high": [7.1e8, 11.9e6],
                           "unit": ["EUR", "pupils"], "source": ["hand-made", "hand-made"]})
    return sensitivity.load_comparison(market)


def test_central_values_are_those_of_the_multi_criteria_comparison(comparison):
    """The values of notebook 04's path (outcomes table -> performance matrix -> scores)."""
    outcomes = variants.outcomes_table(comparison.variants, comparison.parameters)
    model = outcomes[["variant_id", "outcome", "central"]].rename(columns={"central": "value"})
    performance = mcda.performance_matrix(model, comparison.qualitative, comparison.criteria, comparison.variant_ids)
    scores = mcda.scores_table(performance, comparison.criteria, comparison.qualitative)
    expected = scores.pivot(index="variant_id", columns="criterion", values="value").loc[
        comparison.variant_ids, comparison.criterion_ids].to_numpy()
    assert sensitivity.central_values(comparison) == pytest.approx(expected)


def test_gap_model_at_the_central_point_gives_the_central_gap(comparison):
    central = sensitivity.central_values(comparison)
    recommendation = sensitivity.recommended(central, comparison.weights, comparison.variant_ids).set_index("profile")
    profile = comparison.weights.index[0]
    pair = (recommendation.at[profile, "first"], recommendation.at[profile, "second"])
    problem = sensitivity.gap_problem(comparison, pair)
    model_names = variants.salib_problem(comparison.parameters)["names"]
    values = dict(zip(comparison.parameters["name"], comparison.parameters["value"]))
    table = comparison.qualitative.set_index(["variant_id", "criterion"])
    point = []
    for name in problem["names"]:
        if name in model_names:
            point.append(values[name])
        else:   # the probability whose triangular quantile is the most likely score
            _, variant_id, criterion = name.split(":")
            row = table.loc[(variant_id, criterion)]
            point.append((row["most_likely"] - row["low"]) / (row["high"] - row["low"]))
    model = sensitivity.gap_model(comparison, pair, comparison.weights.loc[profile].to_numpy())
    out = model(np.array([point]))
    assert out["gap"][0] == pytest.approx(recommendation.at[profile, "gap"])
    assert len(problem["names"]) == len(model_names) + sum(
        int(table.loc[(v, c), "high"] > table.loc[(v, c), "low"]) for v in pair for c in comparison.qualitative_ids)


def test_the_gap_model_runs_the_outcome_model_once_per_distinct_row(comparison, monkeypatch):
    """Saltelli's rows that change only a qualitative score repeat the model factors of A: the
    gap model evaluates the outcome model on the distinct rows only, with the same outcomes (to
    1e-12) as evaluating every row."""
    central = sensitivity.central_values(comparison)
    recommendation = sensitivity.recommended(central, comparison.weights, comparison.variant_ids).set_index("profile")
    profile = comparison.weights.index[0]
    pair = (recommendation.at[profile, "first"], recommendation.at[profile, "second"])
    problem = sensitivity.gap_problem(comparison, pair)
    n_model = len(variants.salib_problem(comparison.parameters)["names"])
    x = sensitivity.sobol_sample(problem, 64, 7)
    rows_seen = []
    evaluate = sensitivity.model_outcomes

    def counting(comparison_, samples=None):
        rows_seen.append(len(samples))
        return evaluate(comparison_, samples)

    monkeypatch.setattr(sensitivity, "model_outcomes", counting)
    deduplicated = sensitivity.distinct_row_outcomes(comparison, x[:, :n_model])
    assert rows_seen == [64 * (n_model + 2)] and len(x) == 64 * (problem["num_vars"] + 2)
    every_row = evaluate(comparison, x[:, :n_model])
    for variant_id, outcomes in every_row.items():
        for name, values in outcomes.items():
            np.testing.assert_allclose(deduplicated[variant_id][name], values, rtol=1e-12, atol=1e-12)
    gap = sensitivity.gap_model(comparison, pair, comparison.weights.loc[profile].to_numpy())(x)["gap"]
    assert len(gap) == len(x) and np.isfinite(gap).all()
    rows_seen.clear()     # no repeated row: one evaluation of every row
    sensitivity.distinct_row_outcomes(comparison, x[:5, :n_model])
    assert rows_seen == [5]


def test_child_seeds_are_distinct_and_reproducible():
    assert sensitivity.child_seeds(20260113, 3) == sensitivity.child_seeds(20260113, 3)
    assert len(set(sensitivity.child_seeds(20260113, 3))) == 3
    assert sensitivity.child_seeds(1, 2) != sensitivity.child_seeds(2, 2)


def test_conclusion_names_the_first_variant_and_the_nearest_reversal(comparison):
    central = sensitivity.central_values(comparison)
    ids = comparison.variant_ids
    recommendation = sensitivity.recommended(central, comparison.weights, ids)
    profile = comparison.weights.index[-1]
    thresholds = sensitivity.rank_reversal_thresholds(central, comparison.weights.loc[profile].to_numpy(),
                                                      comparison.criterion_ids, ids, profile)
    uniform = pd.DataFrame({"variant_id": ids, "rank_1": np.linspace(0.1, 0.3, len(ids))})
    by_profile = pd.DataFrame({"profile": comparison.weights.index, **{v: 0.5 for v in ids}})
    agreement = sensitivity.method_agreement(central, comparison.weights, ids, 0.25)
    gap = pd.DataFrame({"output": "gap", "factor": ["budget_eur"], "ST": [0.4]})
    text = sensitivity.conclusion_fr(recommendation, uniform, by_profile, thresholds, agreement, gap, comparison,
                                     {"budget_eur": "Budget"}, profile)
    first = recommendation.set_index("profile").at[profile, "first"]
    assert text.startswith(comparison.variant(first).label_fr)
    nearest = thresholds.dropna(subset=["distance_to_reversal"]).sort_values("distance_to_reversal")
    if len(nearest):
        name = comparison.criteria.set_index("criterion").at[nearest["criterion"].iloc[0], "name_fr"]
        assert f"« {name} »" in text
    assert "Budget (S_T = 0,40)" in text


# ---- near-ties, TOPSIS conventions, what the lead rests on -----------------------------------

NEAR_TIE_VALUES = np.array([[0.2, 0.8, 0.9], [0.2, 0.5, 0.4]])   # equal on the swept criterion: a tie at weight 1
NEAR_TIE_WEIGHTS = np.array([0.51, 0.06, 0.42])


def test_a_tie_at_full_weight_is_not_a_reversal():
    """Floating point puts the two lines' crossing just below 1 (0.9999999999999999); with the
    tolerance no reversal is reported, without it one is."""
    points, _ = sensitivity._first_on_segments(NEAR_TIE_VALUES, mcda.normalise_weights(NEAR_TIE_WEIGHTS), 0,
                                               incumbent=0, tolerance=0.0)
    assert len(points) > 2 and 1 - 1e-12 < points[-2] < 1     # the spurious crossing, without tolerance
    table = sensitivity.rank_reversal_thresholds(NEAR_TIE_VALUES, NEAR_TIE_WEIGHTS, ["a", "b", "c"], ["A", "B"])
    row = table.set_index("criterion").loc["a"]
    assert np.isnan(row["threshold_above"]) and np.isnan(row["threshold_below"])
    # every reported threshold lies strictly inside (0, 1)
    shown = table[["threshold_below", "threshold_above"]].stack()
    assert ((shown > 0) & (shown < 1)).all()


def test_topsis_against_the_published_example():
    """Papathanasiou and Ploskas (2018), TOPSIS, in Multiple Criteria Decision Aid (Springer), the
    example also used in pyrepo-mcda's tests: vector normalisation, weights 0.4/0.3/0.1/0.2,
    closeness 0.387, 0.327, 0.391, 0.615, 0.868, 0.493 (three decimals)."""
    matrix = np.array([[8, 7, 2, 1], [5, 3, 7, 5], [7, 5, 6, 4], [9, 9, 7, 3], [11, 10, 3, 7], [6, 9, 5, 4]], float)
    normalised = matrix / np.sqrt((matrix ** 2).sum(axis=0))
    closeness = sensitivity.topsis(normalised, [0.4, 0.3, 0.1, 0.2])
    assert np.round(closeness, 3).tolist() == [0.387, 0.327, 0.391, 0.615, 0.868, 0.493]
    other = sensitivity.topsis(normalised, [0.4, 0.3, 0.1, 0.2], convention="weighted_distance")
    assert np.round(other, 3).tolist() != [0.387, 0.327, 0.391, 0.615, 0.868, 0.493]
    with pytest.raises(ValueError, match="convention"):
        sensitivity.topsis(normalised, [0.4, 0.3, 0.1, 0.2], convention="nope")


def test_topsis_conventions_table_names_both_rankings():
    values = np.array([[1.0, 0.0, 0.0], [0.0, 0.9, 0.9], [0.55, 0.5, 0.5]])
    weights = pd.DataFrame([[0.6, 0.2, 0.2]], index=["p"], columns=["a", "b", "c"])
    table = sensitivity.topsis_conventions(values, weights, ["A", "B", "C"]).set_index("profile")
    for convention, column in (("hwang_yoon", "ranking_hwang_yoon"), ("weighted_distance", "ranking_weighted_distance")):
        rank = mcda.ranks(sensitivity.topsis(values, weights.loc["p"].to_numpy(), convention))
        assert table.at["p", column].split(" > ")[0] == "ABC"[int(np.argmin(rank))]
    assert table.at["p", "rankings_differ"] == (table.at["p", "ranking_hwang_yoon"] != table.at["p", "ranking_weighted_distance"])


LEAD_CRITERIA = pd.DataFrame({"criterion": ["cost", "label"], "kind": ["quantitative", "qualitative"]})


def test_lead_decomposition_by_hand():
    # A leads B only through the judged criterion; on the modelled one alone B is first
    values = np.array([[0.4, 0.9], [0.6, 0.3], [0.1, 0.1]])
    weights = pd.DataFrame([[0.5, 0.5]], index=["p"], columns=["cost", "label"])
    row = sensitivity.lead_decomposition(values, weights, LEAD_CRITERIA, ["A", "B", "C"]).iloc[0]
    assert (row["first"], row["second"]) == ("A", "B")                    # 0.65 > 0.45
    assert row["lead"] == pytest.approx(0.2)
    assert row["lead_modelled"] == pytest.approx(0.5 * (0.4 - 0.6))      # -0.1
    assert row["lead_judged"] == pytest.approx(0.5 * (0.9 - 0.3))        # 0.3
    assert row["judged_share_of_lead"] == pytest.approx(1.5)
    assert row["judged_weight_share"] == pytest.approx(0.5)
    assert row["first_on_modelled_only"] == "B" and row["rank_of_first_on_modelled_only"] == 2
    assert row["first_if_judged_scores_swapped"] == "B"                  # B: 0.3 + 0.45 against A: 0.2 + 0.15
    long = sensitivity.lead_by_criterion(values, weights, LEAD_CRITERIA, ["A", "B", "C"])
    assert long.groupby("kind")["contribution"].sum().to_dict() == pytest.approx({"modelled": -0.1, "judged": 0.3})


def test_first_share_without_judged_criteria():
    values = np.array([[[0.4, 0.9], [0.6, 0.3]], [[0.7, 0.9], [0.6, 0.3]]])   # two draws
    weights = np.array([[0.5, 0.5], [0.2, 0.8]])
    assert sensitivity.first_share_without_judged(values, weights, LEAD_CRITERIA).tolist() == [0.5, 0.5]


def test_sensitivity_figures_are_drawn_in_both_languages(comparison):
    """The figure functions take ``lang`` and find every label (no i18n key printed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from analysis import sensitivity_figures

    central = sensitivity.central_values(comparison)
    ids = comparison.variant_ids
    profile = comparison.weights.index[0]
    weights = comparison.weights.loc[profile].to_numpy()
    thresholds = sensitivity.rank_reversal_thresholds(central, weights, comparison.criterion_ids, ids, profile)
    agreement = sensitivity.method_agreement(central, comparison.weights, ids, 0.25)
    names = {p: p for p in comparison.weights.index}
    for lang in ("fr", "en"):
        figures = [sensitivity_figures.weight_sweep_figure(central, weights, comparison, thresholds, profile, "s", 21,
                                                           lang=lang),
                   sensitivity_figures.method_figure(agreement, names, ids, "s", lang=lang)]
        texts = [t.get_text() for f in figures for a in f.axes for t in [a.title, *a.texts]] + \
                [t.get_text() for f in figures for t in f.texts]
        assert all("sensitivity." not in t and "variants." not in t for t in texts)
        labels = sensitivity_figures.factor_labels(comparison, lang)
        assert set(comparison.parameters["name"]) <= set(labels)
        for f in figures:
            plt.close(f)


# ---- scores drawn with their cause, scenario discovery ---------------------------------------


def test_score_dependence_changes_only_the_grouped_scores(comparison):
    n = 400
    independent = sensitivity.score_draws(comparison, n, 11, groups=[])
    joint = sensitivity.score_draws(comparison, n, 11)
    groups = mcda.cause_group_array(comparison.qualitative, comparison.criteria, comparison.variant_ids)
    free = groups == ""
    assert np.array_equal(independent[:, free], joint[:, free])        # common random numbers
    assert not np.array_equal(independent[:, ~free], joint[:, ~free])
    outcomes = sensitivity.model_outcomes(comparison, variants.sample_parameters(comparison.parameters, n, 2))
    weights = mcda.sample_simplex_weights(n, len(comparison.criterion_ids), np.random.default_rng(4))
    effect = sensitivity.score_dependence_effect(comparison, outcomes, weights, 11)
    shares = effect.groupby(["scenario", "scope"])["first_share"].sum()
    assert (shares >= 1 - 1e-12).all()                                  # every draw has a first (ties count twice)
    recomputed = sensitivity.smaa(sensitivity.values(comparison, outcomes, joint), weights)["rank_acceptability"][:, 0]
    table = effect[(effect["scenario"] == "joint") & (effect["scope"] == "uniform_weights")]
    assert table["first_share"].to_numpy() == pytest.approx(recomputed)


def test_prim_finds_a_known_box():
    """Cases of interest exactly in a box on two of six uniform factors: PRIM's limits fall near
    the box's sides, with a density near 1 and most of the cases covered; the free factors stay
    free."""
    rng = np.random.default_rng(0)
    x = pd.DataFrame(rng.random((5000, 6)), columns=list("abcdef"))
    y = ((x["a"] > 0.6) & (x["c"] < 0.3)).to_numpy()
    chosen, reduced = sensitivity.prim_box(x, y, alpha=0.05)
    assert set(reduced.limits) == {"a", "c"}
    assert reduced.limits["a"][0] == pytest.approx(0.6, abs=0.03) and reduced.limits["a"][1] == np.inf
    assert reduced.limits["c"][1] == pytest.approx(0.3, abs=0.03) and reduced.limits["c"][0] == -np.inf
    assert reduced.density > 0.95 and reduced.coverage > 0.85
    assert reduced.mass == pytest.approx(((x["a"] >= reduced.limits["a"][0]) & (x["c"] <= reduced.limits["c"][1])).mean())
    trajectory = sensitivity.prim_peel(x, y, alpha=0.05)
    assert trajectory[0].coverage == 1 and trajectory[0].density == pytest.approx(y.mean())
    densities = [b.density for b in trajectory]
    assert all(b > a for a, b in zip(densities, densities[1:]))           # each peel raises the density
    # each peel removes about alpha of the draws still in the box
    masses = np.array([b.mass for b in trajectory])
    assert masses[1:] / masses[:-1] == pytest.approx(np.full(len(masses) - 1, 0.95), abs=0.01)


def _prim_peel_one_factor_at_a_time(x, y, alpha, min_mass):
    """The peeling loop as first written (one np.quantile call per factor and side): the
    reference of the vectorised sensitivity.prim_peel."""
    names, values, y = list(x.columns), x.to_numpy(dtype=float), np.asarray(y, dtype=bool)
    limits = {name: (-np.inf, np.inf) for name in names}
    inside = np.ones(len(y), dtype=bool)
    trajectory = [(dict(), y.mean())]
    while True:
        best = None
        for j, name in enumerate(names):
            column = values[inside, j]
            for side in ("lower", "upper"):
                cut = np.quantile(column, alpha if side == "lower" else 1 - alpha, method="inverted_cdf")
                keep = column > cut if side == "lower" else column < cut
                if keep.all() or not keep.any() or keep.sum() < min_mass * len(y):
                    continue
                candidate = (y[inside][keep].mean(), keep.sum(), -j)
                if best is None or candidate > best[0]:
                    best = (candidate, name, side, cut)
        if best is None or best[0][0] <= trajectory[-1][1]:
            break
        _, name, side, cut = best
        lower, upper = limits[name]
        limits[name] = (np.nextafter(cut, np.inf), upper) if side == "lower" else (lower, np.nextafter(cut, -np.inf))
        low, high = limits[name]
        inside &= (values[:, names.index(name)] >= low) & (values[:, names.index(name)] <= high)
        trajectory.append(({k: v for k, v in limits.items() if v != (-np.inf, np.inf)}, y[inside].mean()))
    return trajectory


def test_prim_peel_matches_the_one_factor_at_a_time_loop_with_ties():
    """Discrete factors (many ties, a constant column) and a noisy case definition."""
    rng = np.random.default_rng(12)
    n = 3000
    x = pd.DataFrame({"a": rng.integers(0, 6, n).astype(float), "b": rng.random(n), "c": np.full(n, 2.0),
                      "d": rng.integers(0, 3, n).astype(float), "e": rng.random(n)})
    y = ((x["a"] >= 3) & (x["b"] < 0.6)) | (rng.random(n) < 0.1)
    expected = _prim_peel_one_factor_at_a_time(x, y, 0.05, 0.05)
    trajectory = sensitivity.prim_peel(x, y, alpha=0.05, min_mass=0.05)
    assert len(trajectory) == len(expected) > 3
    for box, (limits, density) in zip(trajectory, expected):
        assert box.limits == limits
        assert box.density == density


def _prim_reference_boxes(x, y, alpha, min_mass):
    """:func:`_prim_peel_one_factor_at_a_time` with every box's coverage and mass recomputed from
    the draws inside its limits."""
    values, y = x.to_numpy(dtype=float), np.asarray(y, dtype=bool)
    boxes = []
    for limits, density in _prim_peel_one_factor_at_a_time(x, y, alpha, min_mass):
        inside = np.ones(len(y), dtype=bool)
        for name, (low, high) in limits.items():
            column = values[:, list(x.columns).index(name)]
            inside &= (column >= low) & (column <= high)
        boxes.append((limits, (inside & y).sum() / y.sum(), density, inside.mean()))
    return boxes


@pytest.mark.parametrize("seed, alpha, min_mass", [(0, 0.05, 0.05), (1, 0.1, 0.02), (2, 0.03, 0.1), (3, 0.2, 0.01)])
def test_fast_prim_equals_the_straightforward_peeling(seed, alpha, min_mass):
    """The sorted-once PRIM (sensitivity.prim_peel) and the straightforward loop (np.quantile of
    every factor's draws in the box at every peel) give the same boxes, to the last bit, on
    draws with ties (discrete factors, rounded values, a constant column) and with factors that
    depend on each other (so that the draws left in a box are not spread evenly along a factor's
    sorted order, which makes the peel read longer windows of it)."""
    rng = np.random.default_rng(seed)
    n = 4000
    a = rng.random(n)
    x = pd.DataFrame({"a": a, "a_close": a + 0.02 * rng.random(n), "a_opposite": 1 - a + 0.05 * rng.random(n),
                      "levels": rng.integers(0, 5, n).astype(float), "rounded": np.round(rng.normal(size=n), 1),
                      "constant": np.full(n, 3.0), "b": rng.random(n), "c": rng.exponential(size=n)})
    y = (((x["a"] > 0.4) & (x["levels"] >= 2) & (x["b"] < 0.7)) | (rng.random(n) < 0.08)).to_numpy()
    expected = _prim_reference_boxes(x, y, alpha, min_mass)
    trajectory = sensitivity.prim_peel(x, y, alpha=alpha, min_mass=min_mass)
    assert len(trajectory) == len(expected) > 5
    assert [(b.limits, b.coverage, b.density, b.mass) for b in trajectory] == expected
    shared = sensitivity.prim_peel(x, y, alpha=alpha, min_mass=min_mass, sorted_factors=sensitivity.sort_factors(x))
    assert shared == trajectory


def test_inverted_cdf_index_is_numpys_order_statistic():
    """The order statistic the fast PRIM reads is the one np.quantile(method="inverted_cdf")
    returns, for every count of draws (quantiles of 0, 1, ..., count - 1 are their own index)."""
    for count in list(range(1, 400)) + [999, 1000, 1001, 20_000, 49_999, 50_000, 77_777]:
        for quantiles in ([0.05, 0.95], [0.1, 0.9], [0.03, 0.97], [1 / 3, 2 / 3]):
            expected = np.quantile(np.arange(count, dtype=float), quantiles, method="inverted_cdf")
            assert sensitivity._inverted_cdf_index(count, quantiles).tolist() == expected.astype(int).tolist()


def test_scenario_discovery_shares_one_sort_of_the_factors():
    """scenario_discovery sorts the factors once for every variant; the boxes are those of
    prim_box run on each variant alone; sorted draws of other factors are refused."""
    rng = np.random.default_rng(5)
    n = 3000
    x = pd.DataFrame(rng.random((n, 4)), columns=list("abcd"))
    ranks = np.ones((n, 3), dtype=int) * 2
    winner = np.where(x["a"] > 0.7, 1, np.where(x["b"] < 0.2, 2, 0))
    ranks[np.arange(n), winner] = 1
    ids = ["V0", "V1", "V2"]
    table = sensitivity.scenario_discovery(x, ranks, ids, "V0")
    for i, v in enumerate(ids[1:], start=1):
        _, reduced = sensitivity.prim_box(x, ranks[:, i] == 1)
        rows = table[table["variant_id"] == v]
        assert rows["factor"].tolist() == list(reduced.limits)
        assert rows["density"].iloc[0] == reduced.density and rows["mass"].iloc[0] == reduced.mass
    with pytest.raises(ValueError, match="sorted_factors"):
        sensitivity.prim_peel(x, ranks[:, 1] == 1, sorted_factors=sensitivity.sort_factors(x[["a", "b"]]))


def test_prim_reduces_a_box_to_its_most_useful_conditions():
    rng = np.random.default_rng(1)
    x = pd.DataFrame(rng.random((6000, 4)), columns=list("abcd"))
    y = ((x["a"] > 0.5) & (x["b"] > 0.5) & (x["c"] > 0.2)).to_numpy()
    _, reduced = sensitivity.prim_box(x, y, max_conditions=2)
    assert set(reduced.limits) == {"a", "b"}                              # the weakest condition is dropped
    with pytest.raises(ValueError, match="alpha"):
        sensitivity.prim_peel(x, y, alpha=0.6)
    with pytest.raises(ValueError, match="outcomes"):
        sensitivity.prim_peel(x, y[:-1])
