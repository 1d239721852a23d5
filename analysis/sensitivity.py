"""Sensitivity of the variants' comparison: how confident can a reader be in the
recommended variant, and what would have to be true for another one to win?

Four analyses, each a set of pure functions (numpy arrays whose last two axes are variants and
criteria, as in :mod:`analysis.mcda`):

1. **Weights, one at a time** (:func:`weight_sweep`, :func:`rank_reversal_thresholds`): the
   weight of one criterion goes from 0 to 1, the others keep their proportions; totals are linear
   in that weight, so the weights at which the first-ranked variant changes are found exactly
   (crossings of straight lines), not on a grid.
2. **SMAA-2** (:func:`smaa`; Lahdelma and Salminen 2001): weights sampled uniformly on the
   simplex, model outcomes from the parameters' distributions, qualitative scores from their
   (low, most likely, high) triangles; rank acceptability indices, central weight vectors,
   confidence factors and the holistic acceptability index.
3. **Global sensitivity of the model** (:func:`sobol_indices`, :func:`morris_screening`, SALib):
   of the criteria the outcome model feeds and of the score gap between the top two variants; the
   gap's factors include the two variants' qualitative scores (as probabilities mapped through
   their triangles), since they move the gap as much as the model does.
4. **Another aggregation** (:func:`topsis`, :func:`promethee_ii`): does the ranking of the
   weighted sum hold under a distance-based and an outranking method?

:class:`Comparison` gathers the data of the comparison (variants, parameters, criteria, weights,
qualitative scores) as loaded and checked by :mod:`analysis.variants` and :mod:`analysis.mcda`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
from scipy import stats

from analysis import mcda, variants
from analysis.plotting import number_fr

# --------------------------------------------------------------------------------------------
# 0. The comparison's data
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """Everything the comparison of the variants reads, loaded and checked."""

    variants: list            # analysis.variants.Variant, in id order
    parameters: pd.DataFrame  # the outcome model's parameters (budget and pupils from the market part)
    criteria: pd.DataFrame    # analysis.mcda.load_criteria
    weights: pd.DataFrame     # profiles x criteria, rows sum to 1
    qualitative: pd.DataFrame  # qualitative scores (low, most likely, high)
    variants_dir: Path = variants.VARIANTS_DIR  # the folder it was read from (score_cause_groups.csv too)

    @property
    def variant_ids(self) -> list[str]:
        return [v.id for v in self.variants]

    @property
    def criterion_ids(self) -> list[str]:
        return self.criteria["criterion"].tolist()

    @property
    def qualitative_ids(self) -> list[str]:
        return self.criteria.loc[self.criteria["kind"] == "qualitative", "criterion"].tolist()

    def variant(self, variant_id: str):
        return next(v for v in self.variants if v.id == variant_id)


def load_comparison(market: pd.DataFrame, budget_column: str = "central",
                    pupils_column: str = "central", variants_dir=variants.VARIANTS_DIR) -> Comparison:
    """The comparison of notebook 04, from the package's data files (``variants_dir``: a
    scenario's folder of variant data) and the market part's table."""
    evidence = variants.read_evidence()
    variant_list = variants.load_variants(Path(variants_dir))
    parameters = variants.with_market_inputs(variants.load_parameters(Path(variants_dir) / "model_parameters.csv", evidence=evidence), market,
                                             budget_column=budget_column, pupils_column=pupils_column)
    criteria = mcda.load_criteria(Path(variants_dir) / "criteria.yaml")
    weights = mcda.load_weight_profiles(criteria, Path(variants_dir) / "weight_profiles.yaml")
    qualitative = mcda.load_qualitative_scores(criteria, [v.id for v in variant_list], Path(variants_dir) / "qualitative_scores.csv",
                                               evidence_ids=set(evidence["evidence_id"]))
    return Comparison(variant_list, parameters, criteria, weights, qualitative, Path(variants_dir))


def model_outcomes(comparison: Comparison, samples=None) -> dict[str, dict[str, np.ndarray]]:
    """``{variant id: outcomes}`` of the outcome model, at the table's values (``samples=None``)
    or on parameter samples (a mapping or a SALib matrix, the same for every variant)."""
    return variants.evaluate_many(comparison.variants, samples, comparison.parameters)


def values(comparison: Comparison, outcomes: dict[str, dict[str, np.ndarray]],
           qualitative_draws: np.ndarray | None = None) -> np.ndarray:
    """Values (n, V, C) in [0, 1]: model outcomes through the criteria's value functions, and
    the qualitative scores (most likely, or ``qualitative_draws`` of shape (n, V, Q))."""
    return mcda.value_array(comparison.criteria, comparison.variant_ids, outcomes, qualitative_draws,
                            comparison.qualitative)


def central_values(comparison: Comparison) -> np.ndarray:
    """Values (V, C) at the parameters' values and the most likely scores (those of notebook 04)."""
    return values(comparison, model_outcomes(comparison))[0]


def recommended(central: np.ndarray, weights: pd.DataFrame, variant_ids: list[str]) -> pd.DataFrame:
    """Per profile: the first- and second-ranked variants and the gap between their totals."""
    totals = mcda.weighted_totals(central, weights.to_numpy())            # (P, V)
    order = np.argsort(-totals, axis=1, kind="stable")
    rows = []
    for p, profile in enumerate(weights.index):
        first, second = order[p, 0], order[p, 1]
        rows.append({"profile": profile, "first": variant_ids[first], "second": variant_ids[second],
                     "total_first": totals[p, first], "total_second": totals[p, second],
                     "gap": totals[p, first] - totals[p, second]})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# 1. Weights one at a time: sweeps and exact rank-reversal thresholds
# --------------------------------------------------------------------------------------------

def swept_weights(weights, criterion: int, t) -> np.ndarray:
    """Weight vectors (G, C) with criterion ``criterion`` at each value of ``t`` (0..1) and the
    other criteria keeping their proportions (scaled by (1 − t) / (1 − w_j))."""
    weights = mcda.normalise_weights(weights)
    t = np.atleast_1d(np.asarray(t, dtype=float))
    rest = 1.0 - weights[criterion]
    if rest <= 0:
        raise ValueError("the swept criterion holds all the weight: the others have no proportions to keep")
    out = np.outer(1.0 - t, weights / rest)
    out[:, criterion] = t
    return out


def weight_sweep(values_vc, weights, criterion: int, t) -> np.ndarray:
    """Weighted totals (G, V) of the variants as the weight of ``criterion`` takes the values ``t``."""
    return mcda.weighted_totals(np.asarray(values_vc, dtype=float), swept_weights(weights, criterion, t))


#: Two weighted totals closer than this are a tie, not a reversal (floating point would otherwise
#: report a crossing at 0.9999999999999998 between two variants that tie at weight 1).
TIE_TOLERANCE = 1e-9


def _first_on_segments(values_vc: np.ndarray, weights: np.ndarray, criterion: int,
                       incumbent: int | None = None, tolerance: float = TIE_TOLERANCE):
    """Breakpoints 0 = b_0 < ... < b_m = 1 of the weight of ``criterion`` between which the
    first-ranked variant is constant, and that variant on each segment (exact: totals are lines).

    Near-ties are not reversals: crossings within ``tolerance`` of 0 or 1 are dropped, and on a
    segment where ``incumbent`` is within ``tolerance`` of the best total it stays first."""
    rest = 1.0 - weights[criterion]
    own = values_vc[:, criterion]                                          # slope part: t * x_vj
    others = (values_vc @ weights - weights[criterion] * own) / rest      # (1 - t) * S_v
    # total_v(t) = others_v + t (own_v - others_v); crossings of every pair of lines
    slope = own - others
    crossings = []
    n = len(own)
    for a in range(n):
        for b in range(a + 1, n):
            if slope[a] != slope[b]:
                t_star = (others[b] - others[a]) / (slope[a] - slope[b])
                if tolerance < t_star < 1 - tolerance:
                    crossings.append(t_star)
    points = np.unique(np.concatenate([[0.0, 1.0], crossings]))
    middles = (points[:-1] + points[1:]) / 2
    totals = others[None, :] + middles[:, None] * slope[None, :]
    firsts = np.argmax(totals, axis=1)
    if incumbent is not None:
        tied = totals[:, incumbent] >= totals.max(axis=1) - tolerance
        firsts[tied] = incumbent
    # merge neighbouring segments with the same first variant (a crossing of two other lines)
    keep = np.concatenate([[True], firsts[1:] != firsts[:-1]])
    return np.concatenate([points[:-1][keep], [1.0]]), firsts[keep]


def rank_reversal_thresholds(values_vc, weights, criterion_ids: list[str], variant_ids: list[str],
                             profile: str = "") -> pd.DataFrame:
    """For each criterion: its weight, the first-ranked variant there, and the nearest weights
    below and above at which another variant becomes first (empty when none on [0, 1]), with that
    variant. Thresholds are exact (intersections of the variants' total lines)."""
    values_vc = np.asarray(values_vc, dtype=float)
    weights = mcda.normalise_weights(weights)
    current_first = int(np.argmax(values_vc @ weights))
    rows = []
    for j, criterion in enumerate(criterion_ids):
        points, firsts = _first_on_segments(values_vc, weights, j, incumbent=current_first)
        w = weights[j]
        segment = int(np.clip(np.searchsorted(points, w, side="right") - 1, 0, len(firsts) - 1))
        first = firsts[segment]
        lower = upper = np.nan
        below = above = ""
        for k in range(segment - 1, -1, -1):
            if firsts[k] != first:
                lower, below = points[k + 1], variant_ids[firsts[k]]
                break
        for k in range(segment + 1, len(firsts)):
            if firsts[k] != first:
                upper, above = points[k], variant_ids[firsts[k]]
                break
        distance = np.nanmin([w - lower, upper - w]) if not (np.isnan(lower) and np.isnan(upper)) else np.nan
        rows.append({"profile": profile, "criterion": criterion, "weight": w,
                     "first": variant_ids[current_first], "threshold_below": lower, "first_below": below,
                     "threshold_above": upper, "first_above": above, "distance_to_reversal": distance})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# 2. SMAA-2
# --------------------------------------------------------------------------------------------

def smaa(values_nvc, weights_nc) -> dict[str, np.ndarray]:
    """SMAA-2 from joint samples of values (n, V, C) and weights (n, C) (Lahdelma and Salminen 2001).

    - ``rank_acceptability`` (V, V): share of samples in which variant v takes rank r (ties
      share the better rank, so a row may sum to more than 1 only when ties occur);
    - ``central_weights`` (V, C): mean weight vector of the samples in which v ranks first
      (NaN when it never does);
    - ``confidence`` (V,): share of the value samples in which v ranks first when the weights are
      its central weights;
    - ``holistic`` (V,): holistic acceptability, rank acceptabilities weighted by the linear meta
      weights (V − r) / (V − 1);
    - ``ranks`` (n, V): the rank of every variant in every sample.
    """
    values_nvc = np.asarray(values_nvc, dtype=float)
    weights_nc = mcda.normalise_weights(weights_nc)
    n, v_count, _ = values_nvc.shape
    rank = mcda.ranks(mcda.weighted_totals(values_nvc, weights_nc))            # (n, V)
    acceptability = np.stack([(rank == r).mean(axis=0) for r in range(1, v_count + 1)], axis=1)  # (V, R)
    first = rank == 1
    counts = first.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        central = (first.T.astype(float) @ weights_nc) / counts[:, None]
    confidence = np.full(v_count, np.nan)
    for v in range(v_count):
        if counts[v]:
            confidence[v] = (mcda.ranks(mcda.weighted_totals(values_nvc, central[v]))[:, v] == 1).mean()
    meta = (v_count - np.arange(1, v_count + 1)) / (v_count - 1)
    return {"rank_acceptability": acceptability, "central_weights": central, "confidence": confidence,
            "holistic": acceptability @ meta, "ranks": rank}


def smaa_tables(result: dict, variant_ids: list[str], criterion_ids: list[str], scope: str):
    """The SMAA-2 results as tables: (acceptability and confidence per variant, central weights)."""
    acceptability = pd.DataFrame(result["rank_acceptability"], index=pd.Index(variant_ids, name="variant_id"),
                                 columns=[f"rank_{r}" for r in range(1, len(variant_ids) + 1)]).reset_index()
    acceptability.insert(0, "scope", scope)
    acceptability["holistic_acceptability"] = result["holistic"]
    acceptability["confidence_factor"] = result["confidence"]
    central = pd.DataFrame(result["central_weights"], index=pd.Index(variant_ids, name="variant_id"),
                           columns=criterion_ids).reset_index()
    central.insert(0, "scope", scope)
    return acceptability, central


# --------------------------------------------------------------------------------------------
# 2b. Qualitative scores that share a cause: drawn together
# --------------------------------------------------------------------------------------------

def score_draws(comparison: Comparison, n: int, seed: int, groups: list[str] | None = None,
                cause_groups: pd.DataFrame | None = None) -> np.ndarray:
    """Qualitative score draws (n, V, Q): each score from its triangle, the scores of each cause
    group in ``groups`` (default: every group of ``data/variants/score_cause_groups.csv``) drawn
    together with the group's correlation (:func:`analysis.mcda.sample_scores_jointly`);
    ``groups=[]`` gives independent draws. The same ``seed`` gives the same independent part
    whatever the groups, so scenarios differ only by the dependence (common random numbers)."""
    ids = comparison.variant_ids
    low, mode, high = mcda.qualitative_bounds(comparison.qualitative, comparison.criteria, ids)
    if cause_groups is None:
        cause_groups = mcda.load_cause_groups(comparison.qualitative, comparison.variants_dir / "score_cause_groups.csv")
    correlation = dict(zip(cause_groups["cause_group"], cause_groups["correlation"]))
    chosen = set(correlation) if groups is None else set(groups)
    unknown = sorted(chosen - set(correlation))
    if unknown:
        raise ValueError(f"unknown cause group(s) {unknown}; defined: {sorted(correlation)}")
    array = mcda.cause_group_array(comparison.qualitative, comparison.criteria, ids)
    array = np.where(np.isin(array, list(chosen)), array, "").astype(object)
    return mcda.sample_scores_jointly(low, mode, high, array, correlation, n, np.random.default_rng(seed))


def score_dependence_effect(comparison: Comparison, outcomes: dict[str, dict[str, np.ndarray]],
                            weights_nc: np.ndarray, seed: int,
                            cause_groups: pd.DataFrame | None = None) -> pd.DataFrame:
    """Share of first places of every variant when the qualitative scores are drawn independently,
    with every cause group drawn together, and with each group alone drawn together: under
    uniform weights (``weights_nc``, as in SMAA-2) and under each profile's weights. The model
    outcomes and the weights are the same draws in every scenario. Long table: scenario,
    joint_groups, scope, variant_id, first_share."""
    if cause_groups is None:
        cause_groups = mcda.load_cause_groups(comparison.qualitative, comparison.variants_dir / "score_cause_groups.csv")
    n = len(weights_nc)
    ids = comparison.variant_ids
    all_groups = cause_groups["cause_group"].tolist()
    scenarios = [("independent", []), ("joint", all_groups)] + [(f"joint_{g}_only", [g]) for g in all_groups]
    rows = []
    for scenario, groups in scenarios:
        sampled = values(comparison, outcomes, score_draws(comparison, n, seed, groups, cause_groups))
        scopes = {"uniform_weights": weights_nc} | {p: np.broadcast_to(w.to_numpy(), weights_nc.shape)
                                                     for p, w in comparison.weights.iterrows()}
        for scope, w in scopes.items():
            first = mcda.ranks(mcda.weighted_totals(sampled, w)) == 1
            for i, v in enumerate(ids):
                rows.append({"scenario": scenario, "joint_groups": ";".join(groups), "scope": scope,
                             "variant_id": v, "first_share": float(first[:, i].mean())})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# 2c. Scenario discovery: PRIM on the joint draws
# --------------------------------------------------------------------------------------------

WEIGHT_FACTOR = "poids:{criterion}"


@dataclass
class PrimBox:
    """A box found by PRIM: ``limits`` {factor: (lower, upper)} for the restricted factors only
    (``-inf``/``inf`` where a side is free), and its statistics on the draws: ``coverage`` (share
    of the cases of interest inside the box), ``density`` (share of the draws inside the box that
    are cases of interest), ``mass`` (share of all draws inside the box)."""
    limits: dict[str, tuple[float, float]]
    coverage: float
    density: float
    mass: float


def _box_stats(inside: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    count = inside.sum()
    hits = (inside & y).sum()
    return hits / max(y.sum(), 1), (hits / count if count else 0.0), count / len(y)


def _inside(x: np.ndarray, names: list[str], limits: dict[str, tuple[float, float]]) -> np.ndarray:
    inside = np.ones(len(x), dtype=bool)
    for name, (lower, upper) in limits.items():
        column = x[:, names.index(name)]
        inside &= (column >= lower) & (column <= upper)
    return inside


def _inverted_cdf_index(count: int, quantiles) -> np.ndarray:
    """The 0-based order statistics that ``np.quantile(a, quantiles, method="inverted_cdf")``
    returns for ``count`` values (numpy's own arithmetic: virtual index ``count * q - 1``, the
    next integer unless it is one already, at least 0)."""
    index = count * np.asarray(quantiles, dtype=float) - 1
    previous = np.floor(index)
    return np.maximum(np.where(index - previous == 0, previous, previous + 1), 0).astype(np.intp)


@dataclass(frozen=True)
class SortedFactors:
    """Every factor's draws sorted once (:func:`sort_factors`), shared by the peeling of every
    case definition on the same draws: ``order`` (F, n) the draws' indices in increasing order
    of each factor, ``values`` (F, n) the sorted values."""
    names: list
    order: np.ndarray
    values: np.ndarray


def sort_factors(x: pd.DataFrame) -> SortedFactors:
    """The sorted draws of every factor of ``x`` (the input of :func:`prim_peel`)."""
    by_factor = x.to_numpy(dtype=float).T
    order = np.argsort(by_factor, axis=1)      # the order among equal values does not change a peel
    return SortedFactors(list(x.columns), order, np.take_along_axis(by_factor, order, axis=1))


def _lower_peel(order: np.ndarray, sorted_values: np.ndarray, start: int, k: int, inside: np.ndarray,
                hits_inside: np.ndarray, window: int) -> tuple[int, float, int, int]:
    """The lower peel of one factor: the k-th (0-based) smallest value among the draws in the box
    (``cut``), the draws in the box with a value <= cut (``removed``) and the cases of interest
    among them. ``order``/``sorted_values``: the factor's draws in increasing order, none in the
    box before position ``start``. Only a window of the sorted draws is read (doubled until it
    holds k + 1 draws of the box). Returns (the new start, cut, removed, removed cases)."""
    n = len(order)
    while True:
        end = min(n, start + window)
        in_box = np.cumsum(inside[order[start:end]])
        if in_box[-1] > k or end == n:
            break
        window *= 2
    position = start + int(np.searchsorted(in_box, k + 1))         # the k-th draw of the box
    cut = sorted_values[position]
    stop = int(np.searchsorted(sorted_values, cut, side="right"))   # every draw <= cut lies before
    if stop == position + 1:                                         # no tie after it: k + 1 draws
        removed = k + 1
    else:
        removed = int(np.count_nonzero(inside[order[start:stop]]))
    removed_hits = int(np.count_nonzero(hits_inside[order[start:stop]]))
    return start + int(np.searchsorted(in_box, 1)), cut, removed, removed_hits


def _upper_peel(order: np.ndarray, sorted_values: np.ndarray, stop: int, r: int, inside: np.ndarray,
                hits_inside: np.ndarray, window: int) -> tuple[int, float, int, int]:
    """The upper peel of one factor: :func:`_lower_peel` from the top (``r``: 0-based rank from
    the largest of the draws in the box; none in the box at or after position ``stop``); the
    draws removed are those with a value >= cut. Returns (the new stop, cut, removed, removed
    cases)."""
    while True:
        start = max(0, stop - window)
        in_box = np.cumsum(inside[order[start:stop]][::-1])
        if in_box[-1] > r or start == 0:
            break
        window *= 2
    position = stop - 1 - int(np.searchsorted(in_box, r + 1))
    cut = sorted_values[position]
    first = int(np.searchsorted(sorted_values, cut, side="left"))    # every draw >= cut lies from here
    if first == position:
        removed = r + 1
    else:
        removed = int(np.count_nonzero(inside[order[first:stop]]))
    removed_hits = int(np.count_nonzero(hits_inside[order[first:stop]]))
    return stop - int(np.searchsorted(in_box, 1)), cut, removed, removed_hits


def prim_peel(x: pd.DataFrame, y, alpha: float = 0.05, min_mass: float = 0.05,
              sorted_factors: SortedFactors | None = None) -> list[PrimBox]:
    """The peeling trajectory of PRIM (Friedman and Fisher 1999), as in the EMA workbench.

    Starting from the box that holds every draw, each step considers, for every factor, removing
    the share ``alpha`` of the draws still in the box with the lowest values of that factor, or
    with the highest, and keeps the peel that leaves the highest density of cases of interest
    (``y`` true); ties go to the peel that removes fewer draws, then to the first factor, then to
    the lower side. Peeling stops when the next box would hold less than ``min_mass`` of all
    draws or no peel raises the density. Returns every box of the trajectory, the full box first.

    A peel cuts at the alpha (or 1 - alpha) quantile of the factor's draws in the box, the order
    statistic ``np.quantile(..., method="inverted_cdf")`` returns, and keeps the draws strictly
    above (below) it. Each factor is sorted once (``sorted_factors``, from :func:`sort_factors`,
    can be shared by several ``y`` on the same draws); a step reads, for each factor and side,
    only the sorted draws from the first one still in the box up to the cut, counting the draws
    of the box and the cases among them, instead of a quantile of every factor's draws in the
    box (tests/test_sensitivity.py compares the two on draws with ties)."""
    names = list(x.columns)
    values = x.to_numpy(dtype=float)
    y = np.asarray(y, dtype=bool)
    if len(values) != len(y):
        raise ValueError(f"{len(values)} draws of the factors but {len(y)} outcomes")
    if not 0 < alpha < 0.5:
        raise ValueError(f"alpha must lie in (0, 0.5), got {alpha}")
    if sorted_factors is None:
        sorted_factors = sort_factors(x)
    elif sorted_factors.names != names or sorted_factors.order.shape != (len(names), len(y)):
        raise ValueError("sorted_factors were not sorted from these factors' draws")
    n = len(y)
    limits = {name: (-np.inf, np.inf) for name in names}
    inside = np.ones(n, dtype=bool)
    hits_inside = y.copy()
    count, hits = n, int(np.count_nonzero(y))
    trajectory = [PrimBox({}, *_box_stats(inside, y))]
    starts = np.zeros(len(names), dtype=np.intp)     # per factor: no draw of the box before it (sorted order)
    stops = np.full(len(names), n, dtype=np.intp)    # nor at or after it
    while True:
        k_lower, k_upper = _inverted_cdf_index(count, [alpha, 1 - alpha])
        r_upper = count - 1 - int(k_upper)
        # a window of sorted draws that holds the k + 1 draws of the box when the factor does not
        # depend on the box (the box holds count / n of the draws); doubled when it is too short
        window = int(1.25 * (max(int(k_lower), r_upper) + 1) * n / count) + 64
        best = None
        for side_index, side in enumerate(("lower", "upper")):
            for j, name in enumerate(names):
                order, sorted_values = sorted_factors.order[j], sorted_factors.values[j]
                if side == "lower":
                    starts[j], cut, removed, removed_hits = _lower_peel(order, sorted_values, int(starts[j]),
                                                                        int(k_lower), inside, hits_inside, window)
                else:
                    stops[j], cut, removed, removed_hits = _upper_peel(order, sorted_values, int(stops[j]),
                                                                       r_upper, inside, hits_inside, window)
                kept = count - removed
                if kept == 0 or kept == count:
                    continue                     # a peel that removes no draw (a constant factor) or every draw
                if kept < min_mass * n:
                    continue
                candidate = ((hits - removed_hits) / kept, kept, -j, -side_index)
                if best is None or candidate > best[0]:
                    best = (candidate, name, side, cut)
        if best is None or best[0][0] <= trajectory[-1].density:
            break
        _, name, side, cut = best
        lower, upper = limits[name]
        limits[name] = (np.nextafter(cut, np.inf), upper) if side == "lower" else (lower, np.nextafter(cut, -np.inf))
        inside = _inside(values, names, {name: limits[name]}) & inside
        np.logical_and(inside, y, out=hits_inside)
        count, hits = int(np.count_nonzero(inside)), int(np.count_nonzero(hits_inside))
        restricted = {k: v for k, v in limits.items() if v != (-np.inf, np.inf)}
        trajectory.append(PrimBox(dict(restricted), *_box_stats(inside, y)))
    return trajectory


def prim_box(x: pd.DataFrame, y, alpha: float = 0.05, min_mass: float = 0.05, min_coverage: float = 0.5,
             max_conditions: int = 3, sorted_factors: SortedFactors | None = None) -> tuple[PrimBox, PrimBox]:
    """Scenario discovery with PRIM: the box of the peeling trajectory with the highest density
    among those that still cover at least ``min_coverage`` of the cases of interest, then the
    same box reduced to its ``max_conditions`` most useful restrictions (one at a time, the
    restriction whose removal costs the least density is dropped), so that it can be stated in a
    sentence. Returns (the box of the trajectory, the reduced box), statistics on the draws.
    ``sorted_factors``: :func:`sort_factors` of ``x``, when several ``y`` share the draws."""
    names = list(x.columns)
    values = x.to_numpy(dtype=float)
    y = np.asarray(y, dtype=bool)
    trajectory = prim_peel(x, y, alpha, min_mass, sorted_factors)
    eligible = [b for b in trajectory if b.coverage >= min_coverage] or trajectory[:1]
    chosen = max(eligible, key=lambda b: (b.density, b.coverage))
    limits = dict(chosen.limits)
    while len(limits) > max_conditions:
        losses = []
        for name in limits:
            rest = {k: v for k, v in limits.items() if k != name}
            losses.append((-_box_stats(_inside(values, names, rest), y)[1], names.index(name), name))
        limits.pop(min(losses)[2])
    return chosen, PrimBox(limits, *_box_stats(_inside(values, names, limits), y))


def scenario_factors(comparison: Comparison, parameter_draws: dict[str, np.ndarray], scores_nvq: np.ndarray,
                     weights_nc: np.ndarray) -> pd.DataFrame:
    """The inputs of every joint draw as columns, for scenario discovery: each criterion's weight
    (normalised), each qualitative score that varies (as :data:`QUALITATIVE_FACTOR`) and each
    model parameter that varies."""
    weights_nc = mcda.normalise_weights(weights_nc)
    columns = {WEIGHT_FACTOR.format(criterion=c): weights_nc[:, j] for j, c in enumerate(comparison.criterion_ids)}
    for i, v in enumerate(comparison.variant_ids):
        for k, c in enumerate(comparison.qualitative_ids):
            if np.ptp(scores_nvq[:, i, k]) > 0:
                columns[QUALITATIVE_FACTOR.format(variant=v, criterion=c)] = scores_nvq[:, i, k]
    for name, draws in parameter_draws.items():
        draws = np.broadcast_to(np.asarray(draws, dtype=float), (len(weights_nc),))
        if np.ptp(draws) > 0:
            columns[name] = draws
    return pd.DataFrame(columns)


def scenario_discovery(factors: pd.DataFrame, ranks_nv: np.ndarray, variant_ids: list[str], recommended_id: str,
                       min_cases: int = 50, alpha: float = 0.05, min_mass: float = 0.05,
                       min_coverage: float = 0.5, max_conditions: int = 3) -> pd.DataFrame:
    """For every variant other than ``recommended_id`` that ranks first in at least ``min_cases``
    draws: the PRIM box (:func:`prim_box`) of the draws in which it is first. Long table, one row
    per condition of the reduced box: variant_id, first_share (all draws), cases, factor, lower,
    upper (NaN where a side is free), coverage, density and mass of the reduced box, and
    coverage and density of the trajectory's box with its number of restrictions."""
    rows = []
    sorted_factors = None                                 # every factor sorted once, for all the variants
    for i, v in enumerate(variant_ids):
        y = ranks_nv[:, i] == 1
        if v == recommended_id or y.sum() < min_cases:
            continue
        if sorted_factors is None:
            sorted_factors = sort_factors(factors)
        chosen, reduced = prim_box(factors, y, alpha, min_mass, min_coverage, max_conditions, sorted_factors)
        for factor, (lower, upper) in (reduced.limits.items() or [("", (-np.inf, np.inf))]):
            rows.append({"variant_id": v, "first_share": float(y.mean()), "cases": int(y.sum()), "factor": factor,
                         "lower": lower if np.isfinite(lower) else np.nan,
                         "upper": upper if np.isfinite(upper) else np.nan,
                         "coverage": reduced.coverage, "density": reduced.density, "mass": reduced.mass,
                         "peeled_box_conditions": len(chosen.limits), "peeled_box_coverage": chosen.coverage,
                         "peeled_box_density": chosen.density})
    return pd.DataFrame(rows, columns=["variant_id", "first_share", "cases", "factor", "lower", "upper", "coverage",
                                       "density", "mass", "peeled_box_conditions", "peeled_box_coverage",
                                       "peeled_box_density"])


def _condition_text(factor: str, lower: float, upper: float, labels: dict[str, str], lang: str) -> str:
    from analysis import i18n

    def shown(x):
        if factor.startswith(WEIGHT_FACTOR.split("{")[0]):
            return i18n.percent(100 * x, lang, 0)
        digits = max(0, 2 - int(np.floor(np.log10(abs(x))))) if x else 0
        return i18n.number(x, lang, min(digits, 4))

    name = labels.get(factor, factor)
    if not np.isnan(lower) and not np.isnan(upper):
        return i18n.text("sensitivity.prim.between", lang, factor=name, lower=shown(lower), upper=shown(upper))
    if not np.isnan(lower):
        return i18n.text("sensitivity.prim.above", lang, factor=name, value=shown(lower))
    return i18n.text("sensitivity.prim.below", lang, factor=name, value=shown(upper))


def scenario_sentence(discovery: pd.DataFrame, labels: dict[str, str], lang: str = "fr", top: int = 2) -> str:
    """One sentence on what would have to be true for another variant to win: for the ``top``
    variants most often first after the recommended one, the conditions of their PRIM box with its
    coverage and density (from :func:`scenario_discovery`)."""
    from analysis import i18n

    if discovery.empty:
        return i18n.text("sensitivity.prim.none", lang)
    order = (discovery.drop_duplicates("variant_id").sort_values(["first_share", "variant_id"], ascending=[False, True])
             .head(top)["variant_id"].tolist())
    parts = []
    for v in order:
        rows = discovery[discovery["variant_id"] == v]
        conditions = [_condition_text(r.factor, r.lower, r.upper, labels, lang) for r in rows.itertuples() if r.factor]
        first = rows.iloc[0]
        parts.append(i18n.text("sensitivity.prim.variant", lang, variant=v,
                               share=i18n.percent(100 * first["first_share"], lang, 1),
                               conditions=(", ".join(conditions[:-1]) + i18n.text("sensitivity.prim.and", lang)
                                           + conditions[-1]) if len(conditions) > 1 else "".join(conditions),
                               coverage=i18n.percent(100 * first["coverage"], lang, 0),
                               density=i18n.percent(100 * first["density"], lang, 0)))
    return i18n.text("sensitivity.prim.sentence", lang, parts=" ; ".join(parts) if lang == "fr" else "; ".join(parts))


def dependence_sentence(effect: pd.DataFrame, variant_id: str, lang: str = "fr") -> str:
    """One sentence: ``variant_id``'s share of first places (uniform weights) with the judged
    scores drawn independently and with the scores that share a cause drawn together."""
    from analysis import i18n

    table = effect[(effect["scope"] == "uniform_weights") & (effect["variant_id"] == variant_id)].set_index("scenario")
    own = [s for s in table.index if s.startswith(f"joint_{variant_id}-")]
    return i18n.text("sensitivity.dependence.sentence", lang, variant=variant_id,
                     independent=i18n.percent(100 * table.at["independent", "first_share"], lang, 1),
                     joint=i18n.percent(100 * table.at["joint", "first_share"], lang, 1),
                     own=i18n.percent(100 * table.at[own[0], "first_share"], lang, 1) if own else "–")


# --------------------------------------------------------------------------------------------
# 3. Global sensitivity (SALib): Sobol indices and Morris screening
# --------------------------------------------------------------------------------------------

#: Bootstrap resamples and confidence level of the Sobol indices' intervals (SALib's defaults).
SOBOL_RESAMPLES = 100
SOBOL_CONFIDENCE = 0.95


def sobol_sample(problem: dict, n: int, seed: int) -> np.ndarray:
    """Saltelli's scheme on a scrambled, seeded Sobol' sequence: N x (D + 2) points (no second
    order), scaled to the problem's distributions.

    The points are those of SALib's ``SALib.sample.sobol.sample(problem, n,
    calc_second_order=False, scramble=True, seed=seed)``, built without its Python loop over the
    N base points: a base sequence (N, 2D) from ``scipy.stats.qmc.Sobol(d=2D, scramble=True,
    seed=seed)`` gives the matrices A (first D columns) and B (last D); for each base point the
    rows are A, then A with column j taken from B (AB_j, j = 1..D), then B; SALib's
    ``scale_samples`` maps each column through its distribution (applied to A and B before the
    rows are built: it acts value by value, so the points are the same). The first N / 2 base
    points of the sequence are the sample at N / 2 (Sobol' sequences are nested), which
    :func:`sobol_convergence` uses. SALib is imported here only (its import is slow)."""
    from scipy.stats import qmc
    from SALib.util import scale_samples

    d = problem["num_vars"]
    base = qmc.Sobol(d=2 * d, scramble=True, seed=seed).random(n)
    # Scaling acts value by value within a column: scale A and B (2N rows), then build the rows.
    scaled = scale_samples(np.concatenate([base[:, :d], base[:, d:]]), dict(problem))
    a, b = scaled[:n], scaled[n:]
    points = np.empty((n, d + 2, d))
    points[:, 0] = a
    points[:, 1:d + 1] = a[:, None, :]
    columns = np.arange(d)
    points[:, 1 + columns, columns] = b
    points[:, d + 1] = b
    return points.reshape(n * (d + 2), d)


def _sobol_estimates(y: np.ndarray, d: int, counts: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """First-order and total indices (D,) of the outputs ``y`` on :func:`sobol_sample`'s points;
    with ``counts`` (N, R), the indices (R, D) of R bootstrap resamples of the N base points
    (counts[i, k]: times base point i is drawn in resample k)."""
    n = y.size // (d + 2)
    rows = y.reshape(n, d + 2)
    a, b, ab = rows[:, 0], rows[:, d + 1], rows[:, 1:d + 1]
    first_terms = b[:, None] * (ab - a[:, None])                # Saltelli et al. (2010): E[f(B) (f(AB_j) - f(A))]
    total_terms = 0.5 * (a[:, None] - ab) ** 2                  # Jansen (1999): E[(f(A) - f(AB_j))^2] / 2
    if counts is None:
        variance = np.var(np.r_[a, b])
        return first_terms.mean(axis=0) / variance, total_terms.mean(axis=0) / variance
    weights = counts.T / n                                      # (R, N): a resample's mean is weights @ x
    mean = (weights @ a + weights @ b) / 2
    variance = (weights @ a ** 2 + weights @ b ** 2) / 2 - mean ** 2
    return (weights @ first_terms) / variance[:, None], (weights @ total_terms) / variance[:, None]


def sobol_analyze(problem: dict, outputs: dict[str, np.ndarray], n: int, seed: int) -> pd.DataFrame:
    """First-order and total Sobol indices, with bootstrap confidence intervals, of every output
    evaluated on :func:`sobol_sample`'s points; a constant output gets indices of 0.

    The estimators and intervals are SALib's (``SALib.analyze.sobol.analyze`` with
    ``calc_second_order=False``, its defaults otherwise), vectorised over the factors and the
    resamples: the output is standardised; first order ``S1_j = mean(f(B) (f(AB_j) - f(A))) /
    V`` (Saltelli et al. 2010), total ``ST_j = mean((f(A) - f(AB_j))^2) / (2 V)`` (Jansen 1999),
    V the variance of the A and B outputs together; the confidence intervals are z(97.5 %) times
    the standard deviation of the indices over ``SOBOL_RESAMPLES`` resamples of the N base points
    with replacement (the resample indices drawn as SALib draws them from ``seed``, the same for
    every output). A resample's means are computed as a product with the matrix of draw counts,
    so the indices equal SALib's up to rounding (tests/test_sensitivity.py compares them)."""
    d = problem["num_vars"]
    draws = np.random.default_rng(seed).integers(n, size=(n, SOBOL_RESAMPLES))
    # counts[i, k]: times base point i is drawn in resample k (whole numbers, so exact as floats)
    cells = (draws * SOBOL_RESAMPLES + np.arange(SOBOL_RESAMPLES)[None, :]).ravel()
    counts = np.bincount(cells, minlength=n * SOBOL_RESAMPLES).reshape(n, SOBOL_RESAMPLES).astype(float)
    z = stats.norm.ppf(0.5 + SOBOL_CONFIDENCE / 2)
    frames = []
    for name, y in outputs.items():
        y = np.asarray(y, dtype=float)
        if y.size != n * (d + 2):
            raise ValueError(f"Sobol output {name!r}: {y.size} values, expected N x (D + 2) = {n * (d + 2)}")
        if np.var(y) == 0:
            s1 = st = s1c = stc = np.zeros(d)
        else:
            y = (y - y.mean()) / y.std()
            s1, st = _sobol_estimates(y, d)
            s1_resampled, st_resampled = _sobol_estimates(y, d, counts)
            s1c, stc = z * s1_resampled.std(axis=0, ddof=1), z * st_resampled.std(axis=0, ddof=1)
        frames.append(pd.DataFrame({"output": name, "factor": problem["names"], "S1": s1, "S1_conf": s1c,
                                    "ST": st, "ST_conf": stc, "N": n, "evaluations": len(y)}))
    return pd.concat(frames, ignore_index=True)


def sobol_indices(problem: dict, function: Callable[[np.ndarray], dict[str, np.ndarray]], n: int,
                  seed: int) -> pd.DataFrame:
    """Sobol indices of every output of ``function``, which maps a sample matrix (rows = points,
    columns = ``problem['names']``, scaled to the problem's distributions) to ``{output: values}``."""
    return sobol_analyze(problem, function(sobol_sample(problem, n, seed)), n, seed)


def sobol_convergence(problem: dict, outputs: dict[str, np.ndarray], n: int, seed: int,
                      names: tuple[str, ...] = ("gap",)) -> pd.DataFrame:
    """Convergence of the Sobol indices of ``names``: indices at N / 2 and at N from the outputs
    already evaluated on ``sobol_sample(problem, n, seed)`` (no new evaluation: the first
    N / 2 x (D + 2) points of that sample are ``sobol_sample(problem, n // 2, seed)``, since
    Sobol' sequences are nested and each base point's D + 2 rows are consecutive). One row per
    output and factor: S1 and ST at both sizes and their changes."""
    if n % 2 or n < 4:
        raise ValueError(f"Sobol convergence needs an even N >= 4 (got {n})")
    half = n // 2
    rows = half * (problem["num_vars"] + 2)
    at_half = sobol_analyze(problem, {k: np.asarray(outputs[k], dtype=float)[:rows] for k in names}, half, seed)
    at_full = sobol_analyze(problem, {k: np.asarray(outputs[k], dtype=float) for k in names}, n, seed)
    keep = ["output", "factor", "S1", "ST"]
    table = at_half[keep].merge(at_full[keep], on=["output", "factor"], suffixes=("_half_n", "_n"))
    table.insert(2, "half_n", half)
    table.insert(3, "n", n)
    table["S1_change"] = table["S1_n"] - table["S1_half_n"]
    table["ST_change"] = table["ST_n"] - table["ST_half_n"]
    return table


def convergence_sentence(convergence: pd.DataFrame, labels: dict[str, str], output: str = "gap",
                         lang: str = "fr", top: int = 3) -> str:
    """One sentence on :func:`sobol_convergence`'s table for ``output``: the largest changes of
    the total and first-order indices between N / 2 and N (and the factor of each), and whether
    the ``top`` factors by total index are the same, in the same order, at both sizes."""
    from analysis import i18n

    table = convergence[convergence["output"] == output]
    if table.empty:
        raise ValueError(f"Sobol convergence table: no row for output {output!r}")
    st_row = table.loc[table["ST_change"].abs().idxmax()]
    s1_row = table.loc[table["S1_change"].abs().idxmax()]
    top_half = table.sort_values("ST_half_n", ascending=False)["factor"].head(top).tolist()
    top_full = table.sort_values("ST_n", ascending=False)["factor"].head(top).tolist()
    return i18n.text("sensitivity.sobol.convergence.sentence", lang,
                     half_n=i18n.number(int(table["half_n"].iloc[0]), lang, 0),
                     n=i18n.number(int(table["n"].iloc[0]), lang, 0),
                     st_change=i18n.number(abs(float(st_row["ST_change"])), lang, 3),
                     st_factor=labels.get(st_row["factor"], st_row["factor"]),
                     s1_change=i18n.number(abs(float(s1_row["S1_change"])), lang, 3),
                     s1_factor=labels.get(s1_row["factor"], s1_row["factor"]),
                     top=top, same=i18n.text("sensitivity.sobol.convergence." + (
                         "same" if top_half == top_full else "different"), lang),
                     factors=", ".join(labels.get(f, f) for f in top_full))


def morris_screening(problem: dict, function: Callable[[np.ndarray], dict[str, np.ndarray]],
                     trajectories: int, levels: int, seed: int) -> pd.DataFrame:
    """Morris elementary effects of every output (SALib): mu, mu* (mean absolute effect) and sigma,
    in output units per unit step of the factor's normalised range [0, 1]."""
    from SALib.analyze import morris as morris_analyze
    from SALib.sample import morris as morris_sample

    x = morris_sample.sample(problem, trajectories, num_levels=levels, seed=seed)
    outputs = function(x)
    frames = []
    for name, y in outputs.items():
        result = morris_analyze.analyze(problem, x, np.asarray(y, dtype=float), num_levels=levels, seed=seed,
                                        print_to_console=False)
        frames.append(pd.DataFrame({"output": name, "factor": problem["names"], "mu": result["mu"],
                                    "mu_star": result["mu_star"], "sigma": result["sigma"],
                                    "mu_star_conf": result["mu_star_conf"], "trajectories": trajectories,
                                    "evaluations": len(y)}))
    return pd.concat(frames, ignore_index=True)


QUALITATIVE_FACTOR = "note:{variant}:{criterion}"


def gap_problem(comparison: Comparison, pair: tuple[str, str]) -> dict:
    """SALib problem of the gap: the model's uncertain parameters (their own distributions) and,
    for the two variants of ``pair``, each qualitative score with a range, as a probability
    (uniform on [0, 1], mapped through the score's triangle by :func:`gap_model`)."""
    problem = variants.salib_problem(comparison.parameters)
    names, bounds, dists = list(problem["names"]), list(problem["bounds"]), list(problem["dists"])
    table = comparison.qualitative.set_index(["variant_id", "criterion"])
    for variant_id in pair:
        for criterion in comparison.qualitative_ids:
            row = table.loc[(variant_id, criterion)]
            if row["high"] > row["low"]:
                names.append(QUALITATIVE_FACTOR.format(variant=variant_id, criterion=criterion))
                bounds.append([0.0, 1.0])
                dists.append("unif")
    return {"num_vars": len(names), "names": names, "bounds": bounds, "dists": dists}


def distinct_row_outcomes(comparison: Comparison, model_rows: np.ndarray) -> dict[str, dict[str, np.ndarray]]:
    """:func:`model_outcomes` on a matrix of model factors, computed once per distinct row.

    In Saltelli's design for the gap, the N rows that change only one qualitative score repeat
    the model factors of the base matrix A row for row, so with q scored factors q N of the
    (D + 2) N rows are repeats. The model runs on the distinct rows (rows equal byte for byte)
    and each row takes its distinct row's outcomes: the same values as evaluating every row, up
    to the order of floating-point sums within the model's blocks of samples (within 1e-12,
    ``tests/test_sensitivity.py``)."""
    model_rows = np.ascontiguousarray(np.atleast_2d(np.asarray(model_rows, dtype=float)))
    as_bytes = model_rows.view(np.dtype((np.void, model_rows.dtype.itemsize * model_rows.shape[1]))).ravel()
    _, first, inverse = np.unique(as_bytes, return_index=True, return_inverse=True)
    if len(first) == len(model_rows):
        return model_outcomes(comparison, model_rows)
    kept = np.sort(first)                      # the distinct rows in the order they come
    position = np.empty(len(first), dtype=np.intp)
    position[np.argsort(first)] = np.arange(len(first))
    take = position[inverse.ravel()]           # row i -> its distinct row's place in ``kept``
    distinct = model_outcomes(comparison, model_rows[kept])
    return {variant_id: {name: values[take] for name, values in outcomes.items()}
            for variant_id, outcomes in distinct.items()}


def gap_model(comparison: Comparison, pair: tuple[str, str], profile_weights: np.ndarray,
              indicators: list[str] | None = None) -> Callable[[np.ndarray], dict[str, np.ndarray]]:
    """The function of :func:`sobol_indices` for the gap: a sample matrix of :func:`gap_problem`
    -> ``gap`` (total of pair[0] minus total of pair[1] under ``profile_weights``) and, for every
    variant, the model indicators of the quantitative criteria (``indicators``; default: all)."""
    criteria = comparison.criteria
    quantitative = criteria.loc[criteria["kind"] == "quantitative"]
    indicators = indicators if indicators is not None else quantitative["indicator"].tolist()
    model_names = variants.salib_problem(comparison.parameters)["names"]
    table = comparison.qualitative.set_index(["variant_id", "criterion"])
    names = gap_problem(comparison, pair)["names"]
    column = {name: i for i, name in enumerate(names)}
    worst, best = criteria["worst"].to_numpy(), criteria["best"].to_numpy()
    weights = mcda.normalise_weights(profile_weights)

    def function(x: np.ndarray) -> dict[str, np.ndarray]:
        x = np.atleast_2d(x)
        outcomes = distinct_row_outcomes(comparison, x[:, :len(model_names)])
        out = {}
        totals = {}
        for variant_id in pair:
            performance = np.empty((len(x), len(criteria)))
            for j, c in enumerate(criteria.itertuples()):
                if c.kind == "quantitative":
                    performance[:, j] = outcomes[variant_id][c.indicator]
                else:
                    row = table.loc[(variant_id, c.criterion)]
                    factor = QUALITATIVE_FACTOR.format(variant=variant_id, criterion=c.criterion)
                    performance[:, j] = (mcda.triangular_ppf(x[:, column[factor]], row["low"], row["most_likely"],
                                                             row["high"]) if factor in column else row["most_likely"])
            totals[variant_id] = mcda.linear_values(performance, worst, best) @ weights
        out["gap"] = totals[pair[0]] - totals[pair[1]]
        for variant_id in comparison.variant_ids:
            for indicator in indicators:
                out[f"{variant_id}:{indicator}"] = outcomes[variant_id][indicator]
        return out

    return function


# --------------------------------------------------------------------------------------------
# 4. Other aggregation methods
# --------------------------------------------------------------------------------------------

TOPSIS_CONVENTIONS = ("hwang_yoon", "weighted_distance")


def topsis(values_vc, weights, convention: str = "hwang_yoon") -> np.ndarray:
    """TOPSIS closeness (..., V) on values already normalised (here the value functions in [0, 1]
    play the role of TOPSIS's normalisation); 1 = at the ideal.

    ``convention="hwang_yoon"`` (the standard form of Hwang and Yoon 1981, as in pymcdm and
    pyrepo-mcda): the weighted normalised matrix v = w × r, ideal and anti-ideal = the best and
    worst v of each criterion among the variants, Euclidean distances on v, so that each squared
    difference carries w². ``convention="weighted_distance"``: distances weighted by w (not w²),
    the form this package used before, kept to report the difference.
    closeness = d− / (d+ + d−).
    """
    if convention not in TOPSIS_CONVENTIONS:
        raise ValueError(f"unknown TOPSIS convention {convention!r} (known: {', '.join(TOPSIS_CONVENTIONS)})")
    values_vc = np.asarray(values_vc, dtype=float)
    weights = mcda.normalise_weights(weights)[..., None, :]
    factor = weights ** 2 if convention == "hwang_yoon" else weights
    ideal = values_vc.max(axis=-2, keepdims=True)
    anti = values_vc.min(axis=-2, keepdims=True)
    d_plus = np.sqrt((factor * (values_vc - ideal) ** 2).sum(axis=-1))
    d_minus = np.sqrt((factor * (values_vc - anti) ** 2).sum(axis=-1))
    total = d_plus + d_minus
    return np.divide(d_minus, total, out=np.full_like(total, 0.5), where=total > 0)


def promethee_ii(values_vc, weights, threshold: float) -> np.ndarray:
    """PROMETHEE II net outranking flows (..., V), with a linear preference function on every
    criterion: preference of a over b = min(1, max(0, x_a − x_b) / threshold) (threshold in value
    units; 0 gives the 'usual' criterion: any difference is a full preference)."""
    values_vc = np.asarray(values_vc, dtype=float)
    weights = mcda.normalise_weights(weights)
    v_count, c_count = values_vc.shape[-2:]
    leading = np.broadcast_shapes(values_vc.shape[:-2], weights.shape[:-1])
    rows = int(np.prod(leading, dtype=int))
    values_rvc = np.broadcast_to(values_vc, leading + (v_count, c_count)).reshape(rows, v_count, c_count)
    weights_rc = np.broadcast_to(weights, leading + (c_count,)).reshape(rows, c_count)
    # pi[r, a, b] = sum over criteria of w × P(x_a − x_b), for one variant a and a block of
    # rows at a time (no (..., V, V, C) array of every pair's differences; same sums)
    pi = np.empty((rows, v_count, v_count))
    for start in range(0, rows, PROMETHEE_BLOCK):
        block = slice(start, start + PROMETHEE_BLOCK)
        values_block, weights_block = values_rvc[block], weights_rc[block][:, None, :]
        for a in range(v_count):
            difference = values_block[:, a:a + 1, :] - values_block                 # (rows, V, C): a minus each b
            if threshold > 0:
                preference = np.clip(difference / threshold, 0.0, 1.0)
            else:
                preference = (difference > 0).astype(float)
            pi[block, a, :] = (preference * weights_block).sum(axis=-1)
    pi = pi.reshape(leading + (v_count, v_count))                                    # (..., V, V)
    return (pi.sum(axis=-1) - pi.sum(axis=-2)) / (v_count - 1)


#: Rows of joint draws per block of :func:`promethee_ii` (its work arrays stay in the cache).
PROMETHEE_BLOCK = 2048


METHODS = ("weighted_sum", "topsis", "promethee_ii")


def scores_by_method(values_vc, weights, threshold: float) -> dict[str, np.ndarray]:
    """Scores (..., V) of the three aggregation methods (higher = better for each)."""
    return {"weighted_sum": mcda.weighted_totals(values_vc, weights), "topsis": topsis(values_vc, weights),
            "promethee_ii": promethee_ii(values_vc, weights, threshold)}


def method_agreement(central: np.ndarray, weights: pd.DataFrame, variant_ids: list[str],
                     threshold: float) -> pd.DataFrame:
    """Per profile and method: the ranking, the first variant, and Kendall's tau against the
    weighted sum's ranking."""
    rows = []
    for profile, w in weights.iterrows():
        scores = scores_by_method(central, w.to_numpy(), threshold)
        reference = mcda.ranks(scores["weighted_sum"])
        for method in METHODS:
            rank = mcda.ranks(scores[method])
            tau = stats.kendalltau(reference, rank).statistic
            order = [variant_ids[i] for i in np.argsort(rank, kind="stable")]
            rows.append({"profile": profile, "method": method, "ranking": " > ".join(order),
                         "first": order[0], "kendall_tau_vs_weighted_sum": float(tau),
                         **{f"rank_{v}": int(r) for v, r in zip(variant_ids, rank)}})
    return pd.DataFrame(rows)


def topsis_conventions(central: np.ndarray, weights: pd.DataFrame, variant_ids: list[str]) -> pd.DataFrame:
    """Per profile: the TOPSIS ranking under the standard Hwang–Yoon convention (used in the
    comparison) and under the weighted-distance form, and whether they differ."""
    rows = []
    for profile, w in weights.iterrows():
        order = {}
        for convention in TOPSIS_CONVENTIONS:
            rank = mcda.ranks(topsis(central, w.to_numpy(), convention))
            order[convention] = " > ".join(variant_ids[i] for i in np.argsort(rank, kind="stable"))
        rows.append({"profile": profile, "ranking_hwang_yoon": order["hwang_yoon"],
                     "ranking_weighted_distance": order["weighted_distance"],
                     "rankings_differ": order["hwang_yoon"] != order["weighted_distance"]})
    return pd.DataFrame(rows)


def first_choice_agreement(values_nvc, weights_nc, threshold: float, variant_ids: list[str]) -> pd.DataFrame:
    """Over joint samples of values and weights: the share of samples in which each method puts
    each variant first, and the share in which the three methods agree on the first variant."""
    scores = scores_by_method(values_nvc, weights_nc, threshold)
    firsts = {method: np.argmax(score, axis=-1) for method, score in scores.items()}
    rows = []
    for method in METHODS:
        shares = np.bincount(firsts[method], minlength=len(variant_ids)) / len(firsts[method])
        rows.append({"method": method, **{f"first_{v}": s for v, s in zip(variant_ids, shares)}})
    table = pd.DataFrame(rows)
    agree = (firsts["weighted_sum"] == firsts["topsis"]) & (firsts["weighted_sum"] == firsts["promethee_ii"])
    table["all_three_agree"] = float(agree.mean())
    return table


# --------------------------------------------------------------------------------------------
# 5. What the lead rests on: modelled against judged criteria
# --------------------------------------------------------------------------------------------

CRITERION_KINDS = {"quantitative": "modelled", "qualitative": "judged"}


def lead_decomposition(central: np.ndarray, weights: pd.DataFrame, criteria: pd.DataFrame,
                       variant_ids: list[str]) -> pd.DataFrame:
    """Per profile: the lead of the first variant over the second split into the contributions of
    the modelled (quantitative, from the outcome model) and judged (qualitative scores) criteria,
    each contribution = sum of w_j × (x_first,j − x_second,j); the judged criteria's share of the
    weight and of the lead; the ranking on the modelled criteria alone (weights renormalised), the
    first variant's rank there; and the first variant if the first two swapped their judged scores."""
    central = np.asarray(central, dtype=float)
    judged = (criteria["kind"] == "qualitative").to_numpy()
    rows = []
    for profile, w in weights.iterrows():
        w = mcda.normalise_weights(w.to_numpy())
        totals = central @ w
        order = np.argsort(-totals, kind="stable")
        first, second = int(order[0]), int(order[1])
        contribution = w * (central[first] - central[second])
        lead = float(contribution.sum())
        lead_judged = float(contribution[judged].sum())
        w_model = np.where(judged, 0.0, w)
        model_totals = central @ (w_model / w_model.sum())
        model_rank = mcda.ranks(model_totals)
        swapped = central.copy()
        swapped[first, judged], swapped[second, judged] = central[second, judged], central[first, judged]
        rows.append({"profile": profile, "first": variant_ids[first], "second": variant_ids[second],
                     "lead": lead, "lead_modelled": lead - lead_judged, "lead_judged": lead_judged,
                     "judged_share_of_lead": lead_judged / lead if lead > 0 else np.nan,
                     "judged_weight_share": float(w[judged].sum()),
                     "first_on_modelled_only": variant_ids[int(np.argmax(model_totals))],
                     "rank_of_first_on_modelled_only": int(model_rank[first]),
                     "first_if_judged_scores_swapped": variant_ids[int(np.argmax(swapped @ w))]})
    return pd.DataFrame(rows)


def lead_by_criterion(central: np.ndarray, weights: pd.DataFrame, criteria: pd.DataFrame,
                      variant_ids: list[str]) -> pd.DataFrame:
    """Per profile and criterion: w_j × (x_first,j − x_second,j), the criterion's contribution to
    the first variant's lead over the second (long table; kind = modelled or judged)."""
    central = np.asarray(central, dtype=float)
    rows = []
    for profile, w in weights.iterrows():
        w = mcda.normalise_weights(w.to_numpy())
        order = np.argsort(-(central @ w), kind="stable")
        first, second = int(order[0]), int(order[1])
        for j, c in enumerate(criteria.itertuples()):
            rows.append({"profile": profile, "first": variant_ids[first], "second": variant_ids[second],
                         "criterion": c.criterion, "kind": CRITERION_KINDS[c.kind], "weight": float(w[j]),
                         "contribution": float(w[j] * (central[first, j] - central[second, j]))})
    return pd.DataFrame(rows)


def first_share_without_judged(values_nvc, weights_nc, criteria: pd.DataFrame) -> np.ndarray:
    """Share of joint draws (V,) in which each variant ranks first when only the modelled criteria
    count (the drawn weights restricted to them and renormalised)."""
    modelled = (criteria["kind"] == "quantitative").to_numpy()
    values_nvc = np.asarray(values_nvc, dtype=float)[..., modelled]
    weights_nc = mcda.normalise_weights(np.asarray(weights_nc, dtype=float)[..., modelled])
    firsts = np.argmax(mcda.weighted_totals(values_nvc, weights_nc), axis=-1)
    return np.bincount(firsts, minlength=values_nvc.shape[-2]) / len(firsts)


# --------------------------------------------------------------------------------------------
# 6. Summaries
# --------------------------------------------------------------------------------------------

def distribution_summary(values: np.ndarray, central: float) -> dict[str, float]:
    """Central value, median, 5th and 95th percentiles and share of negative values of a sample."""
    values = np.asarray(values, dtype=float)
    return {"central": float(central), "median": float(np.median(values)), "p05": float(np.quantile(values, 0.05)),
            "p95": float(np.quantile(values, 0.95)), "share_negative": float((values < 0).mean())}


def first_by_profile(values_nvc, weights: pd.DataFrame, variant_ids: list[str]) -> pd.DataFrame:
    """Per profile (its own weights), the share of value samples in which each variant is first."""
    rows = []
    for profile, w in weights.iterrows():
        rank = mcda.ranks(mcda.weighted_totals(values_nvc, w.to_numpy()))
        rows.append({"profile": profile, "profile_fr": weights.attrs["profiles"][profile]["name_fr"],
                     **{v: float((rank[:, i] == 1).mean()) for i, v in enumerate(variant_ids)}})
    return pd.DataFrame(rows)


def _pct(x: float) -> str:
    return f"{100 * x:.0f}\u202f%"


def share_first_uniform(uniform: pd.DataFrame, variant_id: str) -> float:
    """Rank-1 acceptability of ``variant_id`` in the SMAA table."""
    return float(uniform.set_index("variant_id").at[variant_id, "rank_1"])


def conclusion_fr(recommendation: pd.DataFrame, uniform: pd.DataFrame, by_profile: pd.DataFrame,
                  thresholds: pd.DataFrame, agreement: pd.DataFrame, gap_sobol: pd.DataFrame,
                  comparison: Comparison, factor_labels: dict[str, str], reference_profile: str,
                  lead: pd.DataFrame | None = None, first_share_modelled_only: float | None = None) -> str:
    """The answer of the sensitivity analyses in French: how confident a reader can be in the
    recommended variant, what its lead rests on (``lead``: :func:`lead_decomposition`;
    ``first_share_modelled_only``: its share of first places under random weights when only the
    modelled criteria count), and what would have to be true for another one to win."""
    names = dict(zip(comparison.criteria["criterion"], comparison.criteria["name_fr"]))
    profile_fr = {p: comparison.weights.attrs["profiles"][p]["name_fr"] for p in comparison.weights.index}
    firsts = recommendation["first"].unique().tolist()
    reference = recommendation.set_index("profile").loc[reference_profile]
    best = reference["first"]
    label = comparison.variant(best).label_fr
    if len(firsts) == 1:
        opening = f"{label} arrive en tête pour les {len(recommendation)} profils de pondération."
    else:
        opening = (f"Le premier rang dépend du profil ({', '.join(f'{profile_fr[r.profile]} : {r.first}' for r in recommendation.itertuples())}) ; "
                   f"{label} est premier avec le profil « {profile_fr[reference_profile]} ».")
    share = uniform.set_index("variant_id")["rank_1"]
    rival = share.drop(best).idxmax()
    profile_shares = by_profile.set_index("profile")[best]
    same_first = agreement.groupby("profile")["first"].nunique().eq(1)
    parts = [opening]
    if lead is not None:
        own = lead[lead["first"] == best]
        judged = own["judged_share_of_lead"]
        modelled_first = int((lead["first_on_modelled_only"] == lead["first"]).sum())
        basis = ("les critères jugés (notes qualitatives)" if float(judged.median()) > 0.5
                 else "les critères modélisés (modèle de résultats)")
        sentence = (f"Son avance repose d'abord sur {basis} : les critères jugés portent "
                    f"{_pct(lead['judged_weight_share'].min())} à {_pct(lead['judged_weight_share'].max())} du poids des profils "
                    f"et fournissent {_pct(judged.min())} à {_pct(judged.max())} de l'avance de {best} sur la deuxième variante ; "
                    f"sur les seuls critères modélisés, la variante première l'est encore pour {modelled_first} profil(s) sur {len(lead)}")
        if first_share_modelled_only is not None:
            sentence += (f", et la part des tirages où {best} est première passe de {_pct(share_first_uniform(uniform, best))} "
                         f"à {_pct(first_share_modelled_only)} sans les critères jugés")
        swapped = lead["first_if_judged_scores_swapped"] != lead["first"]
        if swapped.all():
            sentence += " ; si les deux premières échangeaient leurs notes jugées, la deuxième passerait première pour tous les profils"
        parts.append(sentence + ".")
    parts += [f"Poids tirés au hasard et paramètres et notes tirés dans leurs fourchettes, {best} est premier dans "
             f"{_pct(share[best])} des tirages (suivant : {rival}, {_pct(share[rival])}) ; avec les poids de chaque profil, "
             f"dans {_pct(profile_shares.min())} à {_pct(profile_shares.max())} des tirages.",
             ("TOPSIS et PROMETHEE II donnent le même premier que la somme pondérée pour tous les profils."
              if same_first.all() else
              f"Les trois méthodes d'agrégation s'accordent sur le premier pour {int(same_first.sum())} profils sur {len(same_first)}.")]
    reversals = thresholds.dropna(subset=["distance_to_reversal"]).sort_values("distance_to_reversal")
    if len(reversals):
        conditions = []
        for r in reversals.head(2).itertuples():
            above = not pd.isna(r.threshold_above) and (pd.isna(r.threshold_below)
                                                        or r.threshold_above - r.weight <= r.weight - r.threshold_below)
            if above:
                conditions.append(f"porter le poids de « {names[r.criterion]} » de {_pct(r.weight)} à plus de "
                                  f"{_pct(r.threshold_above)} ({r.first_above} passerait premier)")
            else:
                conditions.append(f"abaisser le poids de « {names[r.criterion]} » de {_pct(r.weight)} à moins de "
                                  f"{_pct(r.threshold_below)} ({r.first_below} passerait premier)")
        parts.append(f"Pour qu'une autre variante l'emporte avec le profil « {profile_fr[reference_profile]} », il faudrait "
                     + " ou ".join(conditions) + ".")
    else:
        parts.append(f"Avec le profil « {profile_fr[reference_profile]} », aucun poids d'un seul critère, de 0 à 100 %, ne fait perdre "
                     f"la première place à {best}.")
    top = gap_sobol[gap_sobol["output"] == "gap"].sort_values("ST", ascending=False).head(3)
    parts.append(f"Dans les fourchettes des paramètres et des notes, la dispersion de l'écart {best} − {reference['second']} "
                 "(non sa taille) dépend surtout de : "
                 + ", ".join(f"{factor_labels.get(r.factor, r.factor)} (S_T = {number_fr(r.ST, 2)})"
                             for r in top.itertuples()) + ".")
    return " ".join(parts)


def child_seeds(seed: int, count: int) -> list[int]:
    """``count`` independent integer seeds derived from one (numpy SeedSequence), so that the
    streams of parameter draws, score draws and weight draws do not share random numbers."""
    return [int(child.generate_state(1)[0]) for child in np.random.SeedSequence(seed).spawn(count)]
