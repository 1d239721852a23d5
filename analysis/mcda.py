"""Multi-criteria comparison of the procurement-framework variants.

Data (``data/variants/``):

- ``criteria.yaml``: each criterion's definition, direction and kind. Quantitative criteria read
  an outcome of :func:`analysis.variants.evaluate`; qualitative ones read
  ``qualitative_scores.csv`` (0-10, low / most likely / high, with a rationale citing evidence).
  Every criterion becomes a value in [0, 1] by a linear value function between stated bounds
  (``worst`` -> 0, ``best`` -> 1, clipped).
- ``weight_profiles.yaml``: one weight vector per stakeholder group (points, normalised here).

Functions work on numpy arrays whose **last two axes are (variants, criteria)** and whose weights
have **criteria on the last axis**; leading axes are free, so a weight sweep or SMAA can pass
``values`` of shape ``(n_samples, V, C)`` and ``weights`` of shape ``(n_samples, C)`` (or
``(P, C)`` for P profiles against ``(V, C)`` values) without Python loops.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from analysis.io import read_yaml
from analysis.validation import read_csv_validated, schema_violations
from analysis.variants import OUTCOMES, VARIANTS_DIR, _shown

CRITERIA_FILE = VARIANTS_DIR / "criteria.yaml"
WEIGHTS_FILE = VARIANTS_DIR / "weight_profiles.yaml"
QUALITATIVE_FILE = VARIANTS_DIR / "qualitative_scores.csv"
CAUSE_GROUPS_FILE = VARIANTS_DIR / "score_cause_groups.csv"


class MCDAError(ValueError):
    """A criteria, weights or scores file is malformed; the message names file, entry and field."""


CRITERIA_SCHEMA = {
    "type": "object",
    "required": ["scale_qualitative", "criteria"],
    "additionalProperties": False,
    "properties": {
        "scale_qualitative": {
            "type": "object", "required": ["worst", "best", "source"], "additionalProperties": False,
            "properties": {"worst": {"type": "number"}, "best": {"type": "number"}, "source": {"type": "string"}},
        },
        "criteria": {
            "type": "array", "minItems": 2,
            "items": {
                "type": "object",
                "required": ["id", "name_fr", "definition", "kind", "direction", "source"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "pattern": "^[a-z][a-z_]*$"},
                    "name_fr": {"type": "string", "minLength": 3},
                    "definition": {"type": "string", "minLength": 10},
                    "kind": {"enum": ["quantitative", "qualitative"]},
                    "indicator": {"enum": list(OUTCOMES)},
                    "direction": {"enum": ["min", "max"]},
                    "worst": {"type": "number"},
                    "best": {"type": "number"},
                    "source": {"type": "string", "minLength": 3},
                },
                "if": {"properties": {"kind": {"const": "quantitative"}}},
                "then": {"required": ["indicator", "worst", "best"]},
            },
        },
    },
}

WEIGHTS_SCHEMA = {
    "type": "object",
    "required": ["profiles"],
    "additionalProperties": False,
    "properties": {
        "profiles": {
            "type": "array", "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "name_fr", "members", "source", "rationale", "weights"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "pattern": "^[a-z_]+$"},
                    "name_fr": {"type": "string"},
                    "members": {"type": "string"},
                    "source": {"type": "string", "minLength": 3},
                    "rationale": {"type": "string", "minLength": 10},
                    "weights": {"type": "object", "additionalProperties": {"type": "number", "minimum": 0}},
                },
            },
        },
    },
}

QUALITATIVE_SCHEMA = pa.DataFrameSchema(
    {
        "variant_id": pa.Column(str, pa.Check.str_matches(r"^V[0-9]+$")),
        "criterion": pa.Column(str),
        "low": pa.Column(float, pa.Check.in_range(0, 10)),
        "most_likely": pa.Column(float, pa.Check.in_range(0, 10)),
        "high": pa.Column(float, pa.Check.in_range(0, 10)),
        "rationale": pa.Column(str, pa.Check.str_length(min_value=20)),
        "evidence": pa.Column(str, pa.Check.str_length(min_value=3)),
        "cause_group": pa.Column(str, pa.Check.str_matches(r"^V[0-9]+-[a-z0-9-]+$"), nullable=True, required=False),
    },
    checks=[pa.Check(lambda d: (d["low"] <= d["most_likely"]) & (d["most_likely"] <= d["high"]),
                     name="low <= most_likely <= high")],
    unique=["variant_id", "criterion"],
    coerce=True,
    strict=True,
)


def _check(document, schema, path: Path) -> None:
    violations = schema_violations(document, schema)
    if violations:
        raise MCDAError("\n".join(f"{_shown(path)}: field {where}: {message}" for where, message in violations))


def load_criteria(path: str | os.PathLike = CRITERIA_FILE) -> pd.DataFrame:
    """One row per criterion, in file order, with ``worst``/``best`` for every criterion (the
    qualitative scale for qualitative ones)."""
    path = Path(path)
    document = read_yaml(path)
    _check(document, CRITERIA_SCHEMA, path)
    scale = document["scale_qualitative"]
    rows = []
    for i, c in enumerate(document["criteria"]):
        worst = c.get("worst", scale["worst"])
        best = c.get("best", scale["best"])
        if worst == best:
            raise MCDAError(f"{_shown(path)}: criterion {c['id']} (criteria/{i}): fields worst/best: must differ")
        if (c["direction"] == "min") != (best < worst):
            raise MCDAError(f"{_shown(path)}: criterion {c['id']} (criteria/{i}): field direction: "
                            f"{c['direction']} contradicts worst={worst}, best={best}")
        rows.append({"criterion": c["id"], "name_fr": c["name_fr"], "definition": c["definition"],
                     "kind": c["kind"], "indicator": c.get("indicator", ""), "direction": c["direction"],
                     "worst": float(worst), "best": float(best), "source": c["source"]})
    frame = pd.DataFrame(rows)
    duplicated = frame["criterion"][frame["criterion"].duplicated()].tolist()
    if duplicated:
        raise MCDAError(f"{_shown(path)}: criteria listed twice: {duplicated}")
    return frame


def load_weight_profiles(criteria: pd.DataFrame, path: str | os.PathLike = WEIGHTS_FILE) -> pd.DataFrame:
    """Profiles x criteria, normalised to sum 1; every profile must weight exactly the criteria."""
    path = Path(path)
    document = read_yaml(path)
    _check(document, WEIGHTS_SCHEMA, path)
    ids = criteria["criterion"].tolist()
    rows, meta = [], []
    for i, profile in enumerate(document["profiles"]):
        given = profile["weights"]
        missing, extra = sorted(set(ids) - set(given)), sorted(set(given) - set(ids))
        if missing or extra:
            raise MCDAError(f"{_shown(path)}: profile {profile['id']} (profiles/{i}): field weights: "
                            f"missing {missing}, unknown {extra}")
        total = sum(given.values())
        if total <= 0:
            raise MCDAError(f"{_shown(path)}: profile {profile['id']} (profiles/{i}): field weights: all zero")
        rows.append([given[c] / total for c in ids])
        meta.append(profile)
    weights = pd.DataFrame(rows, columns=ids, index=pd.Index([p["id"] for p in meta], name="profile"))
    weights.attrs["profiles"] = {p["id"]: {k: p[k] for k in ("name_fr", "members", "source", "rationale")} for p in meta}
    return weights


def load_qualitative_scores(criteria: pd.DataFrame, variant_ids: list[str],
                            path: str | os.PathLike = QUALITATIVE_FILE,
                            evidence_ids: set[str] | None = None) -> pd.DataFrame:
    """Qualitative scores, validated: one row per (variant, qualitative criterion), no more; any
    evidence id cited in the ``evidence`` column must exist in the evidence file."""
    path = Path(path)
    frame = read_csv_validated(path, QUALITATIVE_SCHEMA)
    qualitative = criteria.loc[criteria["kind"] == "qualitative", "criterion"].tolist()
    unknown = sorted(set(frame["criterion"]) - set(qualitative))
    if unknown:
        raise MCDAError(f"{_shown(path)}: column criterion: not qualitative criteria: {unknown}")
    unknown_variants = [(line, v) for line, v in zip(frame.index + 2, frame["variant_id"]) if v not in variant_ids]
    if unknown_variants:  # a score for a variant that does not exist is an error, never dropped silently
        raise MCDAError("\n".join(f"{_shown(path)}: row {line}: column 'variant_id': unknown variant id "
                                   f"(value found: {v!r}; allowed: {', '.join(variant_ids)})" for line, v in unknown_variants))
    expected = {(v, c) for v in variant_ids for c in qualitative}
    present = set(zip(frame["variant_id"], frame["criterion"]))
    if expected - present:
        raise MCDAError(f"{_shown(path)}: rows missing for (variant, criterion): {sorted(expected - present)}")
    if evidence_ids is not None:
        import re
        for line, text in zip(frame.index + 2, frame["evidence"]):
            cited = re.findall(r"\b[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+\b", text)
            bad = [e for e in cited if e not in evidence_ids]
            if bad:
                raise MCDAError(f"{_shown(path)}: row {line}, column 'evidence': unknown evidence ids {bad}")
    if "cause_group" not in frame.columns:
        frame["cause_group"] = ""
    frame["cause_group"] = frame["cause_group"].fillna("").astype(str)
    return frame[frame["variant_id"].isin(variant_ids)].reset_index(drop=True)


CAUSE_GROUPS_SCHEMA = pa.DataFrameSchema(
    {
        "cause_group": pa.Column(str, pa.Check.str_matches(r"^V[0-9]+-[a-z0-9-]+$"), unique=True),
        "variant_id": pa.Column(str, pa.Check.str_matches(r"^V[0-9]+$")),
        "mechanism": pa.Column(str, pa.Check.str_length(min_value=10)),
        "correlation": pa.Column(float, pa.Check.in_range(0, 1)),
        "source": pa.Column(str, pa.Check.str_length(min_value=3)),
    },
    coerce=True,
    strict=True,
)


def load_cause_groups(qualitative: pd.DataFrame, path: str | os.PathLike = CAUSE_GROUPS_FILE,
                      scores_path: str | os.PathLike = QUALITATIVE_FILE) -> pd.DataFrame:
    """The groups of qualitative scores that share one cause (``cause_group`` column of the scores
    file), each with its mechanism, the correlation its scores are drawn with and a source or the
    word assumption. Checks, all at once: every group named in the scores is defined here, holds
    at least two scores, and only scores of the group's own variant; every group defined is used."""
    path = Path(path)
    groups = read_csv_validated(path, CAUSE_GROUPS_SCHEMA)
    defined = groups.set_index("cause_group")["variant_id"]
    problems = []
    used = qualitative[qualitative["cause_group"] != ""]
    for line, row in zip(used.index + 2, used.itertuples()):
        if row.cause_group not in defined.index:
            problems.append(f"{_shown(Path(scores_path))}: row {line}, column 'cause_group': "
                            f"{row.cause_group!r} is not defined in {_shown(path)}")
        elif defined[row.cause_group] != row.variant_id:
            problems.append(f"{_shown(Path(scores_path))}: row {line}, column 'cause_group': group {row.cause_group!r} "
                            f"belongs to {defined[row.cause_group]}, not {row.variant_id}")
    sizes = used["cause_group"].value_counts()
    for line, group in zip(groups.index + 2, groups["cause_group"]):
        if sizes.get(group, 0) < 2 and defined[group] in set(qualitative["variant_id"]):
            problems.append(f"{_shown(path)}: row {line}, column 'cause_group': {group!r} groups "
                            f"{sizes.get(group, 0)} score(s) of {_shown(Path(scores_path))}; a group needs at least two")
    if problems:
        raise MCDAError("\n".join(problems))
    return groups[groups["variant_id"].isin(set(qualitative["variant_id"]))].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Performance matrix and values
# --------------------------------------------------------------------------------------------

def performance_matrix(outcomes: pd.DataFrame, qualitative: pd.DataFrame, criteria: pd.DataFrame,
                       variant_ids: list[str], which: str = "most_likely") -> pd.DataFrame:
    """Variants x criteria, in natural units: model outcomes for quantitative criteria (from
    ``outcomes``: variant_id x outcome, a column named ``value``), the ``which`` column
    (low / most_likely / high) of the qualitative scores for the others."""
    table = pd.DataFrame(index=pd.Index(variant_ids, name="variant_id"), columns=criteria["criterion"], dtype=float)
    out = outcomes.set_index(["variant_id", "outcome"])["value"]
    qual = qualitative.set_index(["variant_id", "criterion"])[which]
    for c in criteria.itertuples():
        for v in variant_ids:
            table.loc[v, c.criterion] = out.loc[(v, c.indicator)] if c.kind == "quantitative" else qual.loc[(v, c.criterion)]
    return table


def linear_values(performance, worst, best) -> np.ndarray:
    """Linear value function on the last axis (criteria): 0 at ``worst``, 1 at ``best``, clipped."""
    performance = np.asarray(performance, dtype=float)
    worst, best = np.asarray(worst, dtype=float), np.asarray(best, dtype=float)
    values = np.subtract(performance, worst)
    if np.ndim(values) == 0:
        return np.clip(values / (best - worst), 0.0, 1.0)
    values /= best - worst                                   # one work array, the same operations
    return np.clip(values, 0.0, 1.0, out=values)


def normalise_weights(weights) -> np.ndarray:
    weights = np.asarray(weights, dtype=float)
    total = weights.sum(axis=-1, keepdims=True)
    if np.any(total <= 0):
        raise MCDAError("weights sum to zero")
    return weights / total


def weighted_totals(values, weights) -> np.ndarray:
    """Weighted sum. ``values`` (..., V, C), ``weights`` (..., C) -> totals (..., V).

    The leading axes broadcast: values (V, C) with weights (P, C) gives (P, V); values (n, V, C)
    with weights (n, C) gives (n, V)."""
    values = np.asarray(values, dtype=float)
    weights = normalise_weights(weights)
    return (values * weights[..., None, :]).sum(axis=-1)


#: Up to this many variants, :func:`ranks` counts the higher totals of every pair (V x V
#: comparisons per row, no sort); beyond it, and with NaN, it calls scipy's rankdata.
RANKS_BY_COMPARISON = 16


def ranks(totals) -> np.ndarray:
    """Rank along the last axis, 1 = highest total; ties share the better rank (scipy's
    ``rankdata(-totals, method="min")``: 1 + the number of strictly higher totals)."""
    from scipy import stats  # imported on use: the input checks need none of it

    totals = np.asarray(totals, dtype=float)
    if totals.ndim and totals.shape[-1] <= RANKS_BY_COMPARISON and not np.isnan(totals).any():
        rank = np.ones(totals.shape, dtype=np.int64)
        for j in range(totals.shape[-1]):
            rank += totals[..., j:j + 1] > totals          # variant j's total is higher than each one's
        return rank
    return stats.rankdata(-totals, method="min", axis=-1).astype(int)


def triangular_ppf(u, low, mode, high) -> np.ndarray:
    """Inverse CDF of triangular(low, mode, high), elementwise and broadcasting (``low`` where
    ``low == high``): the value below which a share ``u`` of the distribution lies."""
    u, low, mode, high = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (u, low, mode, high)))
    width = high - low
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.where(width > 0, (mode - low) / width, 0.5)
        left = low + np.sqrt(u * width * (mode - low))
        right = high - np.sqrt((1 - u) * width * (high - mode))
    return np.where(width > 0, np.where(u < c, left, right), low)


def sample_triangular_scores(low, mode, high, n: int, rng: np.random.Generator) -> np.ndarray:
    """Draws (n, *shape) from triangular(low, mode, high) elementwise (degenerate where low == high)."""
    low = np.asarray(low, dtype=float)
    return triangular_ppf(rng.random((n, *low.shape)), low, mode, high)


def cause_group_array(qualitative: pd.DataFrame, criteria: pd.DataFrame, variant_ids: list[str]) -> np.ndarray:
    """Cause group of each qualitative score, shape (V, number of qualitative criteria); ``""``
    where the score has a cause of its own."""
    table = qualitative.set_index(["variant_id", "criterion"])["cause_group"]
    qual_ids = criteria.loc[criteria["kind"] == "qualitative", "criterion"]
    return np.array([[table.loc[(v, c)] for c in qual_ids] for v in variant_ids], dtype=object)


def sample_scores_jointly(low, mode, high, groups, correlation: dict[str, float], n: int,
                          rng: np.random.Generator) -> np.ndarray:
    """Draws (n, *shape) of triangular(low, mode, high) scores in which the scores of one cause
    group move together.

    Each score keeps its own triangular distribution (its marginal); the dependence is a Gaussian
    copula with one common factor per group: for a group with correlation ``rho``, score ``i`` is
    drawn at the quantile ``Phi(sqrt(rho) Z_g + sqrt(1 - rho) E_i)`` of its triangle, with
    ``Z_g`` common to the group and ``E_i`` its own. ``rho = 1`` is the comonotone copula (one
    uniform per group per draw, every score of the group at the same quantile of its own
    triangle); ``rho = 0`` gives independent draws. Scores outside any group (``groups == ""``)
    are drawn as by :func:`sample_triangular_scores` from the same generator state: with no group
    at all, the draws are identical to it."""
    from scipy import stats  # imported on use: the input checks need none of it

    low = np.asarray(low, dtype=float)
    groups = np.asarray(groups, dtype=object)
    if groups.shape != low.shape:
        raise MCDAError(f"cause groups of shape {groups.shape} for scores of shape {low.shape}")
    u = rng.random((n, *low.shape))
    names = sorted({g for g in groups.ravel() if g})
    unknown = [g for g in names if g not in correlation]
    if unknown:
        raise MCDAError(f"no correlation given for cause group(s) {unknown}")
    common = rng.standard_normal((n, len(names)))
    for k, group in enumerate(names):
        rho = float(correlation[group])
        if not 0 <= rho <= 1:
            raise MCDAError(f"cause group {group!r}: correlation {rho} outside [0, 1]")
        mask = groups == group
        if rho >= 1:
            u[:, mask] = stats.norm.cdf(common[:, k])[:, None]
        elif rho > 0:
            own = stats.norm.ppf(np.clip(u[:, mask], 1e-15, 1 - 1e-15))
            u[:, mask] = stats.norm.cdf(np.sqrt(rho) * common[:, k, None] + np.sqrt(1 - rho) * own)
    return triangular_ppf(u, low, mode, high)


def sample_simplex_weights(n: int, n_criteria: int, rng: np.random.Generator) -> np.ndarray:
    """Weights uniform on the simplex (Dirichlet(1, ..., 1)), shape (n, n_criteria)."""
    return rng.dirichlet(np.ones(n_criteria), size=n)


def value_array(criteria: pd.DataFrame, variant_ids: list[str], model_outcomes: dict[str, dict[str, np.ndarray]],
                qualitative_draws: np.ndarray | None = None, qualitative: pd.DataFrame | None = None,
                which: str = "most_likely") -> np.ndarray:
    """Values (n, V, C) for SMAA and sweeps, without loops over samples.

    ``model_outcomes[variant_id]`` is the dict returned by :func:`analysis.variants.evaluate`
    (arrays of shape (n,)); ``qualitative_draws`` has shape (n, V, number of qualitative
    criteria, in criteria order), e.g. from :func:`sample_triangular_scores`; without it, the
    ``which`` column of ``qualitative`` is used for every sample.
    """
    quantitative = criteria["kind"].eq("quantitative").to_numpy()
    n = len(next(iter(model_outcomes[variant_ids[0]].values())))
    performance = np.empty((n, len(variant_ids), len(criteria)))
    for j, c in enumerate(criteria.itertuples()):
        if c.kind == "quantitative":
            performance[:, :, j] = np.stack([model_outcomes[v][c.indicator] for v in variant_ids], axis=1)
    if qualitative_draws is None:
        table = qualitative.set_index(["variant_id", "criterion"])[which]
        qual_ids = criteria.loc[~quantitative, "criterion"]
        qualitative_draws = np.broadcast_to(
            np.array([[table.loc[(v, c)] for c in qual_ids] for v in variant_ids], dtype=float),
            (n, len(variant_ids), len(qual_ids)))
    performance[:, :, ~quantitative] = qualitative_draws
    return linear_values(performance, criteria["worst"].to_numpy(), criteria["best"].to_numpy())


def qualitative_bounds(qualitative: pd.DataFrame, criteria: pd.DataFrame, variant_ids: list[str]):
    """(low, most_likely, high) arrays of shape (V, number of qualitative criteria)."""
    table = qualitative.set_index(["variant_id", "criterion"])
    qual_ids = criteria.loc[criteria["kind"] == "qualitative", "criterion"]
    return tuple(np.array([[table.loc[(v, c), col] for c in qual_ids] for v in variant_ids], dtype=float)
                 for col in ("low", "most_likely", "high"))


# --------------------------------------------------------------------------------------------
# Tables the notebook writes
# --------------------------------------------------------------------------------------------

def scores_table(performance: pd.DataFrame, criteria: pd.DataFrame, qualitative: pd.DataFrame) -> pd.DataFrame:
    """Long table: variant x criterion, performance (natural unit), value (0-1) and, for
    qualitative criteria, low / high and the rationale."""
    values = linear_values(performance.to_numpy(), criteria["worst"].to_numpy(), criteria["best"].to_numpy())
    qual = qualitative.set_index(["variant_id", "criterion"])
    rows = []
    for i, v in enumerate(performance.index):
        for j, c in enumerate(criteria.itertuples()):
            row = {"variant_id": v, "criterion": c.criterion, "criterion_fr": c.name_fr, "kind": c.kind,
                   "indicator": c.indicator, "direction": c.direction, "worst": c.worst, "best": c.best,
                   "performance": float(performance.iloc[i, j]), "value": float(values[i, j])}
            if c.kind == "qualitative":
                q = qual.loc[(v, c.criterion)]
                row.update(score_low=float(q["low"]), score_high=float(q["high"]), rationale=q["rationale"],
                           evidence=q["evidence"])
            else:
                row.update(score_low=np.nan, score_high=np.nan, rationale="", evidence="outcome model")
            rows.append(row)
    return pd.DataFrame(rows)


def totals_by_profile(values: pd.DataFrame, weights: pd.DataFrame) -> pd.DataFrame:
    """Long table: profile x variant, weighted total (0-1) and rank (1 = best)."""
    totals = weighted_totals(values.to_numpy(), weights[values.columns].to_numpy())  # (P, V)
    rank = ranks(totals)
    rows = []
    for p, profile in enumerate(weights.index):
        for v, variant_id in enumerate(values.index):
            rows.append({"profile": profile, "profile_fr": weights.attrs["profiles"][profile]["name_fr"],
                         "variant_id": variant_id, "total": float(totals[p, v]), "rank": int(rank[p, v])})
    return pd.DataFrame(rows)
