"""The procurement-framework variants: variants as data, and their outcome model.

1. **Variants are data.** One YAML file per variant in ``data/variants/`` (``V0_*.yaml`` ...):
   who buys, procedures per year at each level of government, orders placed without a tender,
   the share of the budget bought nationally, co-financing rate and cap per pupil, the eligible
   list (none / catalogue / label / framework), contract length, price negotiation, the
   stability of funding, and a source for each. :func:`load_variant` checks a file against
   :data:`VARIANT_SCHEMA` (JSON Schema) and raises :class:`VariantError` naming the file, the
   variant and the field.
2. **Parameters are data.** ``data/variants/model_parameters.csv``: every parameter of the model
   with a value, a range, a distribution and a source (evidence ids from
   ``data/raw/evidence/procurement_evidence.csv``) or ``assumption``. :func:`salib_problem` gives
   them in SALib's format.
3. **The outcome model** :func:`evaluate` is vectorised with numpy over parameter samples: each
   parameter may be an array of shape ``(n_samples,)``; no Python loop runs over samples.

The model, for one variant and an annual public budget ``B`` for digital resources and ``P``
pupils (every step is stated in the docstring of :func:`evaluate`):

- *money*: the national share of ``B`` is either spent by the State or its operator on national
  lots, or, when the variant co-finances, a pool that matches local purchases from the list at
  the co-financing rate up to a cap per pupil (unused pool lapses). Local budgets are spread
  over territories (deciles) with a lognormal dispersion; part goes through the list/catalogue/
  framework (orders), the rest through local procedures. An intermediary (operator or central
  purchasing body) keeps a fee on the flows it handles;
- *transaction costs*: procedures x cost per procedure (EU averages for the authority and the
  bidders; local procedures at a fraction of that), orders x cost per order, label running cost
  and suppliers' certification costs;
- *price effect*: negotiated flows buy ``1 / (1 - d)`` times more at list prices, with ``d`` the
  central-purchasing discount times the share of it that applies to pedagogical content;
- *coverage*: a pupil is covered when the resources bought per pupil are worth a full package;
  inequality is the Gini coefficient of coverage across territory deciles;
- *suppliers*: suppliers are ranked by size; a purchase decision picks rank ``j`` with Zipf
  probabilities (national awards more concentrated than local choices); expected suppliers
  reached, expected HHI of spend and the SME share of spend follow in closed form;
- *continuity*: the probability that a resource in use is interrupted within the horizon, from
  the hazard of the funding scheme, re-tendering and exits of small suppliers.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd
import pandera.pandas as pa

from analysis import config
from analysis.io import read_yaml
from analysis.errors import InputError, frame_unit_problems
from analysis.validation import DataValidationError, read_csv_validated, schema_violations

VARIANTS_DIR = config.DATA / "variants"
PARAMETERS_FILE = VARIANTS_DIR / "model_parameters.csv"
EVIDENCE_RAW = config.RAW / "evidence" / "procurement_evidence.csv"

LEVELS = ("national", "regional", "departmental", "communal", "school")
LEVEL_LABELS_FR = {"national": "national", "regional": "régions", "departmental": "départements",
                   "communal": "communes", "school": "établissements"}
ELIGIBLE_LISTS = ("none", "catalogue", "label", "framework")
INTERMEDIARIES = ("none", "operator", "central_purchasing_body")
FUNDING_STABILITY = ("stop_and_go", "multi_year", "permanent")
DISTRIBUTIONS = ("uniform", "triangular", "constant")

#: Samples of the supplier grid evaluated at once (block x pool size floats: small enough to stay in cache).
BLOCK_SIZE = 512

# --------------------------------------------------------------------------------------------
# 1. Variant files
# --------------------------------------------------------------------------------------------

_MECHANISM_PROPERTIES = {
    "buyer": {"type": "string", "minLength": 3},
    "procedures_per_year": {
        "type": "object", "required": list(LEVELS), "additionalProperties": False,
        "properties": {level: {"type": "number", "minimum": 0} for level in LEVELS},
    },
    "orders_per_year": {"type": "number", "minimum": 0},
    "national_share": {"type": "number", "minimum": 0, "maximum": 1},
    "local_share_via_list": {"type": "number", "minimum": 0, "maximum": 1},
    "co_financing_rate": {"type": "number", "minimum": 0, "exclusiveMaximum": 1},
    "co_financing_cap_eur_per_pupil": {"type": ["number", "null"], "minimum": 0},
    "eligible_list": {"enum": list(ELIGIBLE_LISTS)},
    "lots_per_national_procedure": {"type": "integer", "minimum": 0},
    "intermediary": {"enum": list(INTERMEDIARIES)},
    "contract_years": {"type": "number", "exclusiveMinimum": 0},
    "price_negotiation": {"type": "boolean"},
    "funding_stability": {"enum": list(FUNDING_STABILITY)},
}
MECHANISM_FIELDS = tuple(_MECHANISM_PROPERTIES)

VARIANT_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["id", "name_fr", "name_en", "oecd_family", "description_fr", "mechanism", "sources"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "pattern": "^V[0-9]+$"},
        "name_fr": {"type": "string", "minLength": 3},
        "name_en": {"type": "string", "minLength": 3},
        "oecd_family": {"type": "string", "minLength": 1},
        "description_fr": {"type": "string", "minLength": 10},
        "mechanism": {"type": "object", "required": list(MECHANISM_FIELDS), "additionalProperties": False,
                      "properties": _MECHANISM_PROPERTIES},
        "sources": {"type": "object", "required": list(MECHANISM_FIELDS), "additionalProperties": False,
                    "properties": {name: {"type": "string", "minLength": 3} for name in MECHANISM_FIELDS}},
    },
}


class VariantError(ValueError):
    """A variant file is malformed; the message names the file, the variant and the field."""


@dataclass(frozen=True)
class Variant:
    id: str
    name_fr: str
    name_en: str
    oecd_family: str
    description_fr: str
    mechanism: dict
    sources: dict
    path: str = ""

    @property
    def label_fr(self) -> str:
        return f"{self.id} — {self.name_fr}"


def _shown(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(config.ROOT))
    except ValueError:
        return str(path)


def variant_from_dict(document, source: str = "<dict>") -> Variant:
    """Check one variant document against :data:`VARIANT_SCHEMA` and the rules between fields."""
    variant_id = document.get("id", "?") if isinstance(document, dict) else "?"
    violations = schema_violations(document, VARIANT_SCHEMA)
    if violations:
        raise VariantError("\n".join(f"{source}: variant {variant_id}: field {where}: {message}"
                                     for where, message in violations))
    m = document["mechanism"]
    problems = []
    if m["co_financing_rate"] > 0 and m["eligible_list"] == "none":
        problems.append(("mechanism/co_financing_rate", "co-financing needs an eligible list (eligible_list is none)"))
    if m["local_share_via_list"] > 0 and m["orders_per_year"] == 0:
        problems.append(("mechanism/orders_per_year", "local spending goes through the list but no order is placed"))
    if m["local_share_via_list"] > 0 and m["eligible_list"] == "none":
        problems.append(("mechanism/local_share_via_list", "local spending through a list needs an eligible list"))
    if m["national_share"] > 0 and m["co_financing_rate"] == 0 and (
            m["procedures_per_year"]["national"] == 0 or m["lots_per_national_procedure"] == 0):
        problems.append(("mechanism/procedures_per_year/national",
                         "a national share is bought without any national procedure or lot"))
    if m["eligible_list"] == "framework" and m["procedures_per_year"]["national"] * m["lots_per_national_procedure"] == 0:
        problems.append(("mechanism/lots_per_national_procedure", "framework agreements need national procedures with lots"))
    if problems:
        raise VariantError("\n".join(f"{source}: variant {variant_id}: field {where}: {message}"
                                     for where, message in problems))
    return Variant(id=document["id"], name_fr=document["name_fr"], name_en=document["name_en"],
                   oecd_family=document["oecd_family"], description_fr=document["description_fr"],
                   mechanism=document["mechanism"], sources=document["sources"], path=source)


def load_variant(path: str | os.PathLike) -> Variant:
    """Read and check one variant file."""
    path = Path(path)
    shown = _shown(path)
    try:
        document = read_yaml(path)
    except InputError as error:  # syntax, encoding, empty file: already in the one error form
        raise VariantError(str(error)) from None
    except Exception as error:  # yaml syntax errors
        raise VariantError(f"{shown}: variant ?: field (file): not readable YAML: {error}") from None
    if not isinstance(document, dict):
        raise VariantError(f"{shown}: variant ?: field (top level): the file must hold a mapping")
    return variant_from_dict(document, shown)


def variant_files(directory: Path = VARIANTS_DIR) -> list[Path]:
    return sorted(directory.glob("V*.yaml"))


def load_variants(directory: Path = VARIANTS_DIR) -> list[Variant]:
    """Every variant file in ``directory``, in id order (V0, V1, ... V10); ids must be unique."""
    variants = [load_variant(path) for path in variant_files(directory)]
    seen = {}
    for variant in variants:
        if variant.id in seen:
            raise VariantError(f"{variant.path}: variant {variant.id}: field id: also used by {seen[variant.id]}")
        seen[variant.id] = variant.path
    return sorted(variants, key=lambda v: int(v.id[1:]))


def mechanism_table(variants: list[Variant]) -> pd.DataFrame:
    """One row per variant, one column per mechanism field (procedures by level spread out)."""
    rows = []
    for v in variants:
        m = v.mechanism
        row = {"variant_id": v.id, "variant_name_fr": v.name_fr, "oecd_family": v.oecd_family}
        for key in MECHANISM_FIELDS:
            if key == "procedures_per_year":
                for level in LEVELS:
                    row[f"procedures_{level}"] = m[key][level]
            else:
                row[key] = m[key]
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# 2. Evidence (raw, transcribed) and parameter table
# --------------------------------------------------------------------------------------------

EVIDENCE_SCHEMA = pa.DataFrameSchema(
    {
        "evidence_id": pa.Column(str, pa.Check.str_matches(r"^[A-Z0-9][A-Z0-9-]+$"), unique=True),
        "document": pa.Column(str, pa.Check.str_matches(r"^[a-z0-9_]+$")),
        "fact": pa.Column(str, pa.Check.str_length(min_value=3)),
        "value": pa.Column(float, pa.Check.ge(0)),
        "value_low": pa.Column(float, pa.Check.ge(0), nullable=True),
        "value_high": pa.Column(float, pa.Check.ge(0), nullable=True),
        "unit": pa.Column(str),
        "wording": pa.Column(str, pa.Check.str_length(min_value=3)),
        "location": pa.Column(str),
        "publisher": pa.Column(str),
        "document_year": pa.Column(float, pa.Check.in_range(1990, 2100), nullable=True),
        "url": pa.Column(str, pa.Check.str_matches(r"^https?://")),
        "licence": pa.Column(str, pa.Check.str_length(min_value=3)),
        "licence_url": pa.Column(str, pa.Check.str_matches(r"^https?://")),
        "document_title": pa.Column(str),
    },
    checks=[
        pa.Check(lambda d: (d["value_low"].isna() | (d["value_low"] <= d["value"])), name="value_low <= value"),
        pa.Check(lambda d: (d["value_high"].isna() | (d["value"] <= d["value_high"])), name="value <= value_high"),
    ],
    coerce=True,
    strict=True,
)

PARAMETER_SCHEMA = pa.DataFrameSchema(
    {
        "name": pa.Column(str, pa.Check.str_matches(r"^[a-z][a-z0-9_]*$"), unique=True),
        "label_fr": pa.Column(str, pa.Check.str_length(min_value=3)),
        "unit": pa.Column(str),
        "value": pa.Column(float),
        "low": pa.Column(float),
        "high": pa.Column(float),
        "distribution": pa.Column(str, pa.Check.isin(list(DISTRIBUTIONS))),
        "applies_to": pa.Column(str, pa.Check.str_matches(r"^(all|V[0-9]+(;V[0-9]+)*)$")),
        "source": pa.Column(str, pa.Check.str_length(min_value=3)),
        "evidence_ids": pa.Column(str, nullable=True),
        "note": pa.Column(str, nullable=True),
    },
    checks=[
        pa.Check(lambda d: (d["low"] <= d["value"]) & (d["value"] <= d["high"]), name="low <= value <= high"),
        pa.Check(lambda d: (d["distribution"] == "constant") | (d["low"] < d["high"]), name="low < high unless constant"),
        pa.Check(lambda d: (d["distribution"] == "constant") | (d["low"] >= 0), name="low >= 0 (SALib triangular needs it)"),
        pa.Check(lambda d: (d["distribution"] != "triangular") | (d["value"] < d["high"]), name="triangular mode below high"),
        pa.Check(lambda d: d["source"].str.contains("assumption") | d["evidence_ids"].notna(),
                 name="source is 'assumption' or cites evidence ids"),
    ],
    coerce=True,
    strict=True,
)

REQUIRED_PARAMETERS = (
    "budget_eur", "pupils", "cost_procedure_authority_eur", "cost_procedure_bidders_eur",
    "local_procedure_cost_factor", "order_cost_eur", "price_discount_central", "content_discount_factor",
    "operator_fee_rate", "cpb_fee_rate", "label_admin_cost_eur", "label_products",
    "certification_cost_per_product_eur", "lots_per_local_procedure", "awardees_per_framework_lot",
    "supplier_pool", "zipf_local", "zipf_national", "large_firms", "label_pass_rate",
    "territorial_dispersion", "package_cost_per_pupil_eur", "hazard_stop_and_go", "hazard_multi_year",
    "hazard_permanent", "switch_prob_at_retender", "sme_exit_hazard", "continuity_horizon_years",
    "n_territories",
)


def read_evidence(path: str | os.PathLike = EVIDENCE_RAW) -> pd.DataFrame:
    return read_csv_validated(path, EVIDENCE_SCHEMA)


def load_parameters(path: str | os.PathLike = PARAMETERS_FILE,
                    evidence: pd.DataFrame | None = None) -> pd.DataFrame:
    """The parameter table, validated; every evidence id it cites must exist in the evidence file."""
    table = read_csv_validated(path, PARAMETER_SCHEMA, dtype={"evidence_ids": "string", "note": "string"})
    unit_problems = frame_unit_problems(table, ["value", "low", "high"], unit_column="unit")
    if unit_problems:
        raise DataValidationError.from_problems(_shown(Path(path)), unit_problems)
    missing = sorted(set(REQUIRED_PARAMETERS) - set(table["name"]))
    if missing:
        raise VariantError(f"{_shown(Path(path))}: parameters missing: {missing}")
    evidence = read_evidence() if evidence is None else evidence
    known = set(evidence["evidence_id"])
    for row in table.itertuples():
        if isinstance(row.evidence_ids, str):
            unknown = [e for e in row.evidence_ids.split(";") if e not in known]
            if unknown:
                raise VariantError(f"{_shown(Path(path))}: parameter {row.name}: field evidence_ids: "
                                   f"unknown evidence ids {unknown}")
    return table.reset_index(drop=True)


def with_market_inputs(parameters: pd.DataFrame, market: pd.DataFrame, budget_column: str = "central",
                       pupils_column: str = "central") -> pd.DataFrame:
    """Replace budget and pupils (value and range) by the market part's table.

    ``market`` has columns ``quantity, low, central, high, unit, source`` with rows
    ``annual_public_digital_resources_budget_eur`` and ``pupils``. ``*_column`` picks the value
    used as the parameter's value. With ``central`` or ``median`` the parameter stays uncertain
    over the market part's range (low-high, drawn uniformly by the Monte Carlo, SMAA and Sobol
    analyses). With ``low`` or ``high`` the question is "what if the budget (or the number of
    pupils) were at that end of its range": the parameter is then held at that value in every draw
    (distribution ``constant``), so the sensitivity analyses of such a scenario are conditional on
    it rather than averaging over the whole range again; it also leaves the Sobol factors.
    """
    for column in (budget_column, pupils_column):
        if column not in ("low", "central", "median", "high"):
            raise VariantError(f"market table: column {column!r} is not one of low, central, median, high")
    rows = {"budget_eur": "annual_public_digital_resources_budget_eur", "pupils": "pupils"}
    chosen = {"budget_eur": budget_column, "pupils": pupils_column}
    table = parameters.copy()
    indexed = market.set_index("quantity")
    for name, quantity in rows.items():
        if quantity not in indexed.index:
            raise VariantError(f"market table: row {quantity!r} is missing")
        row = indexed.loc[quantity]
        low, high = float(row["low"]), float(row["high"])
        value = float(row[chosen[name]])
        if not (0 < low <= value <= high):
            raise VariantError(f"market table: row {quantity!r}: expected 0 < low <= {chosen[name]} <= high")
        held = chosen[name] in ("low", "high")
        if held:
            low = high = value
        elif low == high:  # keep a usable range for sampling
            low, high = value * 0.999, value * 1.001
        mask = table["name"] == name
        table.loc[mask, ["value", "low", "high"]] = [value, low, high]
        table.loc[mask, "source"] = (f"market part (notebook 03), column {chosen[name]}"
                                     + (" held in every draw" if held else "") + f": {row['source']}")
        table.loc[mask, "distribution"] = "constant" if held else "uniform"
    return table


def salib_problem(parameters: pd.DataFrame) -> dict:
    """The uncertain parameters in SALib's problem format (constants are left out).

    Uniform: ``bounds = [low, high]``, ``dists = "unif"``; triangular: ``bounds = [low, high,
    (value - low) / (high - low)]`` (SALib's peak as a fraction of the width), ``dists = "triang"``.
    """
    uncertain = parameters[parameters["distribution"] != "constant"]
    bounds, dists = [], []
    for row in uncertain.itertuples():
        if row.distribution == "uniform":
            bounds.append([float(row.low), float(row.high)])
            dists.append("unif")
        else:
            bounds.append([float(row.low), float(row.high), float((row.value - row.low) / (row.high - row.low))])
            dists.append("triang")
    return {"num_vars": len(uncertain), "names": uncertain["name"].tolist(), "bounds": bounds, "dists": dists}


def sample_parameters(parameters: pd.DataFrame, n: int, seed: int) -> dict[str, np.ndarray]:
    """Independent Monte Carlo draws of every uncertain parameter (constants repeated)."""
    from scipy import stats  # imported on use: the input checks need none of it

    rng = np.random.default_rng(seed)
    draws = {}
    for row in parameters.itertuples():
        u = rng.random(n)
        if row.distribution == "uniform":
            draws[row.name] = row.low + u * (row.high - row.low)
        elif row.distribution == "triangular":
            c = (row.value - row.low) / (row.high - row.low)
            draws[row.name] = stats.triang.ppf(u, c, loc=row.low, scale=row.high - row.low)
        else:
            draws[row.name] = np.full(n, float(row.value))
    return draws


def parameters_report(parameters: pd.DataFrame, evidence: pd.DataFrame) -> pd.DataFrame:
    """The table of every parameter for reports/: value, range, distribution, source, evidence."""
    lookup = evidence.set_index("evidence_id")
    cited = []
    for ids in parameters["evidence_ids"]:
        if isinstance(ids, str):
            cited.append("; ".join(f"{i}: {lookup.loc[i, 'value']:g} {lookup.loc[i, 'unit']} ({lookup.loc[i, 'publisher']})"
                                   for i in ids.split(";")))
        else:
            cited.append("")
    report = parameters[["name", "label_fr", "unit", "value", "low", "high", "distribution", "applies_to",
                         "source", "evidence_ids"]].copy()
    report["evidence_values"] = cited
    report["evidence_ids"] = report["evidence_ids"].fillna("")
    report["is_assumption"] = parameters["source"].str.startswith("assumption")
    return report


# --------------------------------------------------------------------------------------------
# 3. The outcome model (vectorised)
# --------------------------------------------------------------------------------------------

OUTCOMES = {
    # name: (label_fr, unit)
    "procedures_per_year": ("Procédures par an", "procédures"),
    "orders_per_year": ("Commandes sans appel d'offres par an", "commandes"),
    "transaction_cost_authority_eur": ("Coûts de transaction des acheteurs", "€ par an"),
    "transaction_cost_bidders_eur": ("Coûts de transaction des soumissionnaires", "€ par an"),
    "transaction_cost_total_eur": ("Coûts de transaction totaux", "€ par an"),
    "transaction_cost_share": ("Coûts de transaction / budget", "part"),
    "budget_to_suppliers_eur": ("Budget qui atteint les fournisseurs", "€ par an"),
    "share_to_suppliers": ("Part du budget qui atteint les fournisseurs", "part"),
    "intermediary_cost_eur": ("Frais d'intermédiaire (opérateur, centrale)", "€ par an"),
    "unused_budget_eur": ("Budget de cofinancement non consommé", "€ par an"),
    "price_effect_eur": ("Effet prix de la négociation centrale (valeur gagnée)", "€ par an"),
    "value_bought_eur": ("Valeur achetée au prix catalogue", "€ par an"),
    "pupils_covered": ("Élèves couverts", "élèves"),
    "coverage_rate": ("Taux de couverture", "part"),
    "coverage_bottom_decile": ("Couverture du décile de territoires le moins doté", "part"),
    "coverage_gini": ("Inégalité de couverture entre territoires (Gini)", "indice 0-1"),
    "suppliers_reached": ("Fournisseurs atteints", "fournisseurs"),
    "hhi": ("Concentration des dépenses (IHH)", "0-10 000"),
    "sme_share_spend": ("Part des dépenses allant aux PME", "part"),
    "continuity_risk": ("Risque d'interruption sur l'horizon", "probabilité"),
    "cost_per_covered_pupil_eur": ("Coût complet par élève couvert", "€ par élève et par an"),
}


def _as_columns(params, parameters: pd.DataFrame) -> tuple[dict[str, np.ndarray], int]:
    """Normalise ``params`` to {name: array (n,)}; missing names take the table's value."""
    defaults = dict(zip(parameters["name"], parameters["value"].astype(float)))
    if params is None:
        given = {}
    elif isinstance(params, Mapping):
        given = {k: np.asarray(v, dtype=float) for k, v in params.items()}
    else:
        matrix = np.atleast_2d(np.asarray(params, dtype=float))
        names = salib_problem(parameters)["names"]
        if matrix.shape[1] != len(names):
            raise ValueError(f"params_matrix has {matrix.shape[1]} columns; the SALib problem has {len(names)}")
        given = {name: matrix[:, i] for i, name in enumerate(names)}
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        raise ValueError(f"unknown parameters: {unknown}")
    sizes = {np.size(v) for v in given.values() if np.ndim(v) > 0}
    if len(sizes) > 1:
        raise ValueError(f"parameter arrays of different lengths: {sorted(sizes)}")
    n = sizes.pop() if sizes else 1
    columns = {name: np.broadcast_to(np.ravel(given.get(name, defaults[name])), (n,)).astype(float)
               for name in defaults}
    return columns, n


_LOG_RANKS = np.zeros(0)


def _log_ranks(count: int) -> np.ndarray:
    """log j for the ranks j = 1..count (computed once, grown when a larger pool comes)."""
    global _LOG_RANKS
    if _LOG_RANKS.size < count:
        _LOG_RANKS = np.log(np.arange(1, max(count, 512) + 1, dtype=float))
    return _LOG_RANKS[:count]


def _gini_equal_groups(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Gini coefficient over equal-size groups along ``axis`` (0 when everything is 0).

    The sum of |x_i - x_j| over ordered pairs is twice the sum over the pairs i < j, added one
    pair of groups at a time into one work array (no (k, k) grid per row, no new memory per
    pair); with the groups along the first axis of a C-ordered array (what :func:`evaluate`
    passes), each pair is a subtraction of two contiguous rows."""
    x = np.moveaxis(x, axis, 0)
    k = x.shape[0]
    mean = x.mean(axis=0)
    diffs = np.zeros(x.shape[1:])
    work = np.empty(x.shape[1:])
    for i in range(k - 1):
        for j in range(i + 1, k):
            np.subtract(x[j], x[i], out=work)
            np.abs(work, out=work)
            diffs += work
    diffs *= 2
    with np.errstate(invalid="ignore", divide="ignore"):
        gini = diffs / (2 * k * k * mean)
    return np.where(mean > 0, gini, 0.0)


def _supplier_outcomes(p_cols: dict[str, np.ndarray], mech: dict, a: np.ndarray, b: np.ndarray, c: np.ndarray,
                       lots_bought: np.ndarray, n_open: np.ndarray, n_list: np.ndarray,
                       framework_places: np.ndarray) -> dict[str, np.ndarray]:
    """Suppliers reached, HHI and SME share of one variant's flows (see :func:`_supplier_outcomes_many`)."""
    flow = {"gate": mech["eligible_list"], "a": a, "b": b, "c": c, "lots": lots_bought, "n_open": n_open,
            "n_list": n_list, "places": framework_places}
    return _supplier_outcomes_many(p_cols, [flow])[0]


def _supplier_outcomes_many(p_cols: dict[str, np.ndarray], flows: list[dict]) -> list[dict[str, np.ndarray]]:
    """Suppliers reached, HHI and SME share over the supplier grid (ranks j = 1 .. pool), for
    several variants' flows on the same parameter samples.

    Each flow is ``{"gate": eligible_list, "a", "b", "c": shares of the national, open and list
    flows, "lots": national lots bought, "n_open": local lots, "n_list": list orders, "places":
    framework places}`` (arrays of shape (n,)). The Zipf probabilities of national awards ``p`` and
    of local choices ``q``, their logarithms ``log(1 - p)``, ``log(1 - q)`` and the row sums that
    depend on them only (sums of squares and cross products, SME sums) are the same for every
    variant: they are computed once per block of samples and shared by the flows.

    The model is the former one (tests/reference_outcome_model.py), computed with fewer passes
    over the (samples x ranks) grid: samples are sorted by pool size and taken in small blocks
    (the grid of a block stays in the processor's cache and stops at the block's largest pool);
    Zipf weights are exp(-alpha log j) with log j computed once; the products (1 - x)^n become
    exp(sum n log(1 - x)); and the HHI and SME share, sums over j of products of p, q, q_list,
    come from a few row sums (sums of squares and cross products) instead of grids of their terms.
    """
    n = np.shape(flows[0]["a"])[0]
    order = np.argsort(p_cols["supplier_pool"], kind="stable")
    pool_all = p_cols["supplier_pool"][order]

    def sorted_(x):
        return np.ascontiguousarray(np.broadcast_to(x, (n,))[order], dtype=float)

    alpha_n, alpha_l = sorted_(p_cols["zipf_national"]), sorted_(p_cols["zipf_local"])
    large_all = sorted_(p_cols["large_firms"])
    pass_all = sorted_(p_cols["label_pass_rate"])
    keys = ("a", "b", "c", "lots", "n_open", "n_list", "places")
    flows_sorted = [{key: sorted_(flow[key]) for key in keys} for flow in flows]
    gates = [flow["gate"] for flow in flows]
    results = [{"suppliers_reached": np.empty(n), "hhi": np.empty(n), "sme_share_spend": np.empty(n)}
               for _ in flows]

    def dot(x, y):
        return np.einsum("ij,ij->i", x, y)

    buffers: dict[str, np.ndarray] = {}

    def grid(name: str, rows: int, width: int) -> np.ndarray:
        """A C-contiguous (rows, width) work array, reused from block to block (no new memory)."""
        buffer = buffers.get(name)
        if buffer is None or buffer.size < rows * width:
            buffer = buffers[name] = np.empty(rows * width)
        return buffer[:rows * width].reshape(rows, width)

    with np.errstate(divide="ignore", invalid="ignore"):  # log(0) in pools of one supplier, handled below
        for start in range(0, n, BLOCK_SIZE):
            s = slice(start, min(start + BLOCK_SIZE, n))
            pool = pool_all[s]
            rows = pool.shape[0]
            width = int(np.ceil(pool.max()))
            full = max(0, min(width, int(np.floor(pool.min()))))  # columns 0..full-1 are inside every pool
            minus_log_j = -_log_ranks(width)
            ranks_tail = np.arange(full + 1, width + 1, dtype=float)
            in_pool_tail = np.clip(pool[:, None] - ranks_tail[None, :] + 1, 0.0, 1.0)
            degenerate = pool.min() <= 1  # a single supplier: p = 1, (1 - p)^0 must stay 1

            def zipf_minus(alpha, name):
                """-p (rows sum to -1): Zipf probabilities over the pool, negated."""
                w = np.multiply(alpha[:, None], minus_log_j[None, :], out=grid(name, rows, width))
                np.exp(w, out=w)
                w[:, full:] *= in_pool_tail
                total = w.sum(axis=1)
                np.divide(w, -total[:, None], out=w)
                return w

            def log_one_plus(xn, name):
                """log(1 - x) from -x."""
                out = np.add(xn, 1.0, out=grid(name, rows, width))
                return np.log(out, out=out)

            block = [{key: flow[key][s] for key in keys} for flow in flows_sorted]
            need_p = [gate in ("catalogue", "framework") or f["a"].any() or f["lots"].any()
                      for gate, f in zip(gates, block)]
            qn = zipf_minus(alpha_l[s], "q")                              # -q
            lq = log_one_plus(qn, "log_q")                                # log(1 - q)
            pn = lp = None
            if any(need_p):
                pn = zipf_minus(alpha_n[s], "p")                          # -p
                lp = log_one_plus(pn, "log_p")                            # log(1 - p)

            # SME share: sum over j of sme_j (a p_j + b q_j + c q_list_j), sme_j = clip(j - large, 0, 1).
            head = min(width, int(np.ceil(large_all[s].max())) + 1)       # sme_j = 1 beyond these ranks
            sme_head = np.clip(np.arange(1, head + 1, dtype=float)[None, :] - large_all[s][:, None], 0.0, 1.0)

            def sme_sum(xn):
                return -(xn[:, head:].sum(axis=1) + dot(sme_head, xn[:, :head]))

            shared = {}

            def once(key, compute):
                """A row sum that depends on p and q only, computed for the first flow that needs it."""
                if key not in shared:
                    shared[key] = compute()
                return shared[key]

            for k, (gate, f) in enumerate(zip(gates, block)):
                aa, bb, cc = f["a"], f["b"], f["c"]
                lots, n_op, n_li = f["lots"], f["n_open"], f["n_list"]
                with_p = need_p[k]
                lots_in_s = with_p and lots.any()                         # (1 - p)^lots is a factor of not reached
                S = None if degenerate else grid("S", rows, width)        # log of not reached

                # q_list: local choices q restricted to the gate, renormalised.
                if gate in ("catalogue", "framework"):
                    exponent = lots if gate == "catalogue" else f["places"]
                    outside = np.multiply(lp, exponent[:, None], out=grid("outside", rows, width))
                    if S is not None:
                        np.multiply(lq, n_op[:, None], out=S)
                        if gate == "catalogue" and lots_in_s:             # lots log(1 - p), already at hand
                            S += outside
                            lots_in_s = False
                    np.exp(outside, out=outside)                          # (1 - p)^exponent
                    if degenerate:
                        outside = (1.0 + pn) ** exponent[:, None]
                    rn = np.subtract(outside, 1.0, out=outside)           # -(1 - (1 - p)^exponent) = -pi
                    np.multiply(rn, qn, out=rn)                           # q pi
                    total = rn.sum(axis=1)
                    has_list = total > 0
                    np.divide(rn, np.where(has_list, -total, 1.0)[:, None], out=rn)   # -q_list (0 where no list)
                    rn[~has_list] = 0.0
                    same_as_q = None
                else:
                    pass_rate = pass_all[s] if gate == "label" else np.ones(rows)
                    has_list = pass_rate > 0                              # q_list = q (or 0 without a gate pass)
                    rn = None
                    same_as_q = has_list.astype(float)

                # Not reached: (1 - p)^lots (1 - q)^n_open (1 - q_list)^n_list = exp(S).
                if degenerate:
                    not_reached = (1.0 + qn) ** n_op[:, None]
                    if with_p:
                        not_reached *= (1.0 + pn) ** lots[:, None]
                    not_reached *= ((1.0 + rn) if rn is not None else (1.0 + qn * same_as_q[:, None])) ** n_li[:, None]
                else:
                    if rn is None:
                        np.multiply(lq, (n_op + n_li * same_as_q)[:, None], out=S)
                    else:
                        lr = log_one_plus(rn, "log_r")
                        np.multiply(lr, n_li[:, None], out=lr)
                        S += lr
                    if lots_in_s:
                        national_term = np.multiply(lp, lots[:, None], out=grid("national", rows, width))
                        S += national_term
                    not_reached = np.exp(S, out=S)
                reached = (full - not_reached[:, :full].sum(axis=1)
                           + np.einsum("ij,ij->i", in_pool_tail, 1.0 - not_reached[:, full:]))
                results[k]["suppliers_reached"][s] = reached

                # HHI: sum over j of E[share_j^2] (second moments of the three flows' shares).
                qq = once("qq", lambda: dot(qn, qn))
                L = np.maximum(lots, 1.0)
                no = np.maximum(n_op, 1.0)
                nl = np.maximum(n_li, 1.0)
                sum_r = has_list.astype(float)
                if rn is None:
                    rr, qr = qq * same_as_q, qq * same_as_q
                else:
                    rr, qr = dot(rn, rn), dot(qn, rn)
                second = bb ** 2 * (qq + (1.0 - qq) / no) + cc ** 2 * (rr + (sum_r - rr) / nl) + 2 * bb * cc * qr
                if with_p and aa.any():
                    pp, pq = once("pp", lambda: dot(pn, pn)), once("pq", lambda: dot(pn, qn))
                    pr = pq * same_as_q if rn is None else dot(pn, rn)
                    second += aa ** 2 * (pp + (1.0 - pp) / L) + 2 * aa * bb * pq + 2 * aa * cc * pr
                results[k]["hhi"][s] = 10_000 * second

                sme_q = once("sme_q", lambda: sme_sum(qn))
                share = (bb + cc * same_as_q) * sme_q if rn is None else bb * sme_q + cc * sme_sum(rn)
                if with_p and aa.any():
                    share = share + aa * once("sme_p", lambda: sme_sum(pn))
                results[k]["sme_share_spend"][s] = share

    unsorted = []
    for result in results:
        out = {}
        for name, values in result.items():
            out[name] = np.empty(n)
            out[name][order] = values
        unsorted.append(out)
    return unsorted


def evaluate(variant: Variant, params=None, parameters: pd.DataFrame | None = None) -> dict[str, np.ndarray]:
    """Outcomes of ``variant`` for parameter samples; every outcome is an array of shape (n,).

    ``params``: ``None`` (the table's values, n = 1), a mapping ``{name: scalar or array (n,)}``
    (missing names take the table's value), or a matrix ``(n, num_vars)`` whose columns follow
    ``salib_problem(parameters)["names"]`` (what SALib's samplers return). Several variants on
    the same samples: :func:`evaluate_many` (same results, the supplier grid's shared parts
    computed once).

    Steps (B budget, P pupils, s national share, g share of local spending through the list,
    r co-financing rate, cap per pupil, K territory deciles):

    1. Local budget per pupil in decile k: ``(1 - s) B / P * w_k``, ``w_k`` lognormal quantiles
       with log standard deviation ``territorial_dispersion``, mean 1.
    2. National share: if r > 0, a pool ``s B`` matching list purchases, per pupil
       ``min(r / (1 - r) * g * local_k, cap)``, scaled down if the pool is short; what is not
       drawn lapses (``unused_budget_eur``). Otherwise ``s B`` buys national lots.
    3. Intermediary fee (operator or central purchasing body) on national and list flows.
    4. Negotiated flows (national and list, if ``price_negotiation``) buy ``1 / (1 - d)`` at list
       prices, ``d = price_discount_central * content_discount_factor``.
    5. Coverage in decile k: ``min(1, value per pupil / package_cost_per_pupil_eur)``.
    6. Transaction costs: national procedures at the EU average cost (authority, bidders), local
       procedures at ``local_procedure_cost_factor`` of it, orders at ``order_cost_eur``; a
       label adds its running cost (authority) and certification of ``label_products`` every
       ``contract_years`` (bidders).
    7. Suppliers: see :func:`_supplier_outcomes_many`.
    8. Continuity risk over the horizon H: ``1 - exp(-H (h_funding + switch / contract_years +
       sme_share * sme_exit_hazard))``.
    """
    return evaluate_many([variant], params, parameters)[variant.id]


def evaluate_many(variant_list: list[Variant], params=None,
                  parameters: pd.DataFrame | None = None) -> dict[str, dict[str, np.ndarray]]:
    """:func:`evaluate` for several variants on the same parameter samples: ``{variant id:
    outcomes}``. The parameters are read once, the territories' weights computed once, and the
    supplier grid's parts that do not depend on the variant (Zipf probabilities, their logarithms
    and row sums) once per block of samples for all the variants."""
    from scipy import stats  # imported on use: the input checks need none of it

    parameters = load_parameters() if parameters is None else parameters
    p, n = _as_columns(params, parameters)
    K = int(round(parameters.set_index("name").loc["n_territories", "value"]))
    z = stats.norm.ppf((np.arange(K) + 0.5) / K)[None, :]
    sigma = p["territorial_dispersion"][:, None]
    w = np.exp(sigma * z - sigma ** 2 / 2)
    w = w / w.mean(axis=1, keepdims=True)
    staged = [_before_suppliers_in_chunks(variant, p, n, w) for variant in variant_list]
    suppliers = _supplier_outcomes_many(p, [flow for _, flow, _ in staged])
    return {variant.id: _after_suppliers(variant, p, out, hazard_fixed, found)
            for variant, (out, _, hazard_fixed), found in zip(variant_list, staged, suppliers)}


def _before_suppliers_in_chunks(variant: Variant, p: dict[str, np.ndarray], n: int, w: np.ndarray):
    """:func:`_before_suppliers` on blocks of :data:`CHUNK_SIZE` samples, written into arrays of
    all n samples: the same values (every step acts sample by sample), without a new
    (n x territories) array for each intermediate result (at 10^5 samples each one is 8 MB of
    fresh memory, slower to obtain than to compute)."""
    m = variant.mechanism
    # the one decision taken on all samples at once: whether any sample buys national lots
    national_lots = not m["co_financing_rate"] > 0 and bool(n) and (m["national_share"] * p["budget_eur"]).max() > 0
    if n <= CHUNK_SIZE:
        return _before_suppliers(variant, p, n, w, national_lots)
    parts = []
    for start in range(0, n, CHUNK_SIZE):
        rows = slice(start, min(start + CHUNK_SIZE, n))
        parts.append(_before_suppliers(variant, {name: column[rows] for name, column in p.items()},
                                       rows.stop - rows.start, w[rows], national_lots))
    outs, flows, hazards = zip(*parts)
    out = {name: np.concatenate([part[name] for part in outs]) for name in outs[0]}
    flow = {name: np.concatenate([part[name] for part in flows]) for name in flows[0] if name != "gate"}
    return out, {"gate": m["eligible_list"], **flow}, np.concatenate(hazards)


#: Samples of the steps before the supplier grid computed at once (their work arrays of
#: CHUNK_SIZE x territories floats are reused from chunk to chunk and stay in the cache).
CHUNK_SIZE = 2048


def _before_suppliers(variant: Variant, p: dict[str, np.ndarray], n: int, w: np.ndarray,
                      national_lots: bool | None = None):
    """Steps 1-6 of :func:`evaluate` and the flows of step 7: (outcomes so far, flows, the hazard
    that does not depend on suppliers). ``national_lots``: whether the variant buys national
    lots in any sample (default: in any of these samples)."""
    m = variant.mechanism
    procs = m["procedures_per_year"]
    B, P = p["budget_eur"], p["pupils"]
    s, g, r = m["national_share"], m["local_share_via_list"], m["co_financing_rate"]
    cap = np.inf if m["co_financing_cap_eur_per_pupil"] is None else float(m["co_financing_cap_eur_per_pupil"])

    # 1. territories
    local_pp = ((1 - s) * B / P)[:, None] * w                     # € per pupil, by decile
    open_pp, list_pp = (1 - g) * local_pp, g * local_pp

    # 2. national share: co-financing pool or national purchase
    pool = s * B
    if r > 0:
        demand_pp = np.minimum(r / (1 - r) * list_pp, cap)
        demand = demand_pp.mean(axis=1) * P
        paid = np.minimum(pool, demand)
        scale = np.divide(paid, demand, out=np.zeros(n), where=demand > 0)
        match_pp = demand_pp * scale[:, None]
        national_direct = np.zeros(n)
        unused = pool - paid
    else:
        match_pp = np.zeros_like(local_pp)
        national_direct = pool * np.ones(n)
        unused = np.zeros(n)

    # 3. intermediary fee
    fee = {"operator": p["operator_fee_rate"], "central_purchasing_body": p["cpb_fee_rate"]}.get(
        m["intermediary"], np.zeros(n))
    national_to_suppliers = national_direct * (1 - fee)
    list_to_suppliers_pp = (list_pp + match_pp) * (1 - fee)[:, None]
    list_to_suppliers = list_to_suppliers_pp.mean(axis=1) * P
    open_to_suppliers = open_pp.mean(axis=1) * P
    intermediary_cost = fee * (national_direct + (list_pp + match_pp).mean(axis=1) * P)
    to_suppliers = national_to_suppliers + open_to_suppliers + list_to_suppliers

    # 4. price effect
    d = p["price_discount_central"] * p["content_discount_factor"] if m["price_negotiation"] else np.zeros(n)
    multiplier = 1 / (1 - d)
    value_pp = (national_to_suppliers / P * multiplier)[:, None] + open_pp + list_to_suppliers_pp * multiplier[:, None]
    price_effect = (national_to_suppliers + list_to_suppliers) * (multiplier - 1)  # exactly 0 without negotiation
    value_bought = to_suppliers + price_effect

    # 5. coverage
    coverage = np.minimum(1.0, value_pp / p["package_cost_per_pupil_eur"][:, None])
    coverage_rate = coverage.mean(axis=1)

    # 6. transaction costs
    n_national = procs["national"]
    n_local = sum(procs[level] for level in LEVELS if level != "national")
    factor = p["local_procedure_cost_factor"]
    authority = (n_national + n_local * factor) * p["cost_procedure_authority_eur"] + m["orders_per_year"] * p["order_cost_eur"]
    bidders = (n_national + n_local * factor) * p["cost_procedure_bidders_eur"]
    if m["eligible_list"] == "label":
        authority = authority + p["label_admin_cost_eur"]
        bidders = bidders + p["label_products"] * p["certification_cost_per_product_eur"] / m["contract_years"]
    total_tc = authority + bidders

    # 7. suppliers (the flows; the grid is shared by the variants)
    lots_national = n_national * m["lots_per_national_procedure"]
    with np.errstate(invalid="ignore", divide="ignore"):
        flow = {
            "gate": m["eligible_list"],
            "a": np.where(to_suppliers > 0, national_to_suppliers / to_suppliers, 0.0),
            "b": np.where(to_suppliers > 0, open_to_suppliers / to_suppliers, 0.0),
            "c": np.where(to_suppliers > 0, list_to_suppliers / to_suppliers, 0.0),
            "lots": np.full(n, float(lots_national) if (national_direct.max() > 0 if national_lots is None
                                                        else national_lots) else 0.0),
            "n_open": n_local * p["lots_per_local_procedure"],
            "n_list": np.full(n, float(m["orders_per_year"])),
            "places": lots_national * p["awardees_per_framework_lot"],
        }

    # 8. continuity: the part of the hazard that does not depend on suppliers
    hazard_funding = {"stop_and_go": p["hazard_stop_and_go"], "multi_year": p["hazard_multi_year"],
                      "permanent": p["hazard_permanent"]}[m["funding_stability"]]
    hazard_fixed = hazard_funding + p["switch_prob_at_retender"] / m["contract_years"]

    pupils_covered = coverage_rate * P
    spent = B - unused
    out = {
        "procedures_per_year": np.full(n, float(n_national + n_local)),
        "orders_per_year": np.full(n, float(m["orders_per_year"])),
        "transaction_cost_authority_eur": authority,
        "transaction_cost_bidders_eur": bidders,
        "transaction_cost_total_eur": total_tc,
        "transaction_cost_share": total_tc / B,
        "budget_to_suppliers_eur": to_suppliers,
        "share_to_suppliers": to_suppliers / B,
        "intermediary_cost_eur": intermediary_cost,
        "unused_budget_eur": unused,
        "price_effect_eur": price_effect,
        "value_bought_eur": value_bought,
        "pupils_covered": pupils_covered,
        "coverage_rate": coverage_rate,
        "coverage_bottom_decile": coverage[:, 0],
        "coverage_gini": _gini_equal_groups(np.ascontiguousarray(coverage.T), axis=0),
        "cost_per_covered_pupil_eur": np.divide(spent + total_tc, pupils_covered,
                                                out=np.full(n, np.inf), where=pupils_covered > 0),
    }
    return out, flow, hazard_fixed


def _after_suppliers(variant: Variant, p: dict[str, np.ndarray], out: dict, hazard_fixed: np.ndarray,
                     suppliers: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Steps 7-8 of :func:`evaluate`: the supplier outcomes and the continuity risk, every
    outcome in the order of :data:`OUTCOMES`."""
    hazard = hazard_fixed + suppliers["sme_share_spend"] * p["sme_exit_hazard"]
    continuity_risk = 1 - np.exp(-hazard * p["continuity_horizon_years"])
    found = {**out, **suppliers, "continuity_risk": continuity_risk}
    return {name: found[name] for name in OUTCOMES}


def outcomes_table(variants: list[Variant], parameters: pd.DataFrame, samples: dict[str, np.ndarray] | None = None,
                   quantiles: tuple[float, float] = (0.05, 0.95)) -> pd.DataFrame:
    """Long table: variant x outcome, the central value (table values) and, with ``samples``, the
    Monte Carlo median and quantiles."""
    rows = []
    central_all = evaluate_many(variants, None, parameters)
    drawn_all = evaluate_many(variants, samples, parameters) if samples is not None else None
    for variant in variants:
        central = central_all[variant.id]
        drawn = drawn_all[variant.id] if drawn_all is not None else None
        for name, (label, unit) in OUTCOMES.items():
            row = {"variant_id": variant.id, "variant_name_fr": variant.name_fr, "outcome": name,
                   "label_fr": label, "unit": unit, "central": float(central[name][0])}
            if drawn is not None:
                row["median"] = float(np.median(drawn[name]))
                row[f"q{int(quantiles[0] * 100):02d}"] = float(np.quantile(drawn[name], quantiles[0]))
                row[f"q{int(quantiles[1] * 100):02d}"] = float(np.quantile(drawn[name], quantiles[1]))
            rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# 4. Countries that illustrate each variant (from the practices part's map)
# --------------------------------------------------------------------------------------------

COUNTRY_MAP_COLUMNS = ["system_code", "system_name_fr", "variant_id", "variant_name_fr", "evidence", "rationale"]


def countries_by_variant(country_map: pd.DataFrame, variants: list[Variant]) -> pd.DataFrame:
    """One row per variant: the systems of the OECD table that illustrate it (V0 = France today)."""
    missing = [c for c in COUNTRY_MAP_COLUMNS if c not in country_map.columns]
    if missing:
        raise VariantError(f"country_variant_map: columns missing: {missing}")
    unknown = sorted(set(country_map["variant_id"]) - {v.id for v in variants})
    if unknown:
        raise VariantError(f"country_variant_map: unknown variant ids {unknown}")
    rows = []
    for variant in variants:
        members = country_map[country_map["variant_id"] == variant.id].sort_values("system_name_fr")
        rows.append({"variant_id": variant.id, "variant_name_fr": variant.name_fr,
                     "oecd_family": variant.oecd_family, "n_systems": len(members),
                     "systems_fr": ", ".join(members["system_name_fr"]),
                     "system_codes": ";".join(members["system_code"]),
                     "note": "situation de référence : la France aujourd'hui" if variant.id == "V0" else ""})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# 5. Colours (the figures are in analysis/variants_figures.py)
# --------------------------------------------------------------------------------------------

VARIANT_COLOURS = {"V0": "#8a8f99", "V1": "#1f3f99", "V2": "#29a36a", "V3": "#e4572e", "V4": "#f2a541"}


def variant_colour(variant_id: str) -> str:
    return VARIANT_COLOURS.get(variant_id, "#7b4fa3")
