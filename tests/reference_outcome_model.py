"""Reference copy of the outcome model's kernels as they were before the speed work (issue 14).

Kept verbatim (commit 2f41572 of analysis/variants.py, functions ``_gini_equal_groups``,
``_supplier_outcomes`` and ``evaluate``, the latter calling the two kernels of this module) so
that tests/test_outcome_model_equivalence.py can check the faster model of
:mod:`analysis.variants` against them on seeded samples. Not used by the package.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from analysis.variants import LEVELS, Variant, _as_columns, load_parameters

#: Rows of the supplier grid evaluated at once (memory bound: block x pool size floats).
BLOCK_SIZE = 4096


def _gini_equal_groups(x: np.ndarray) -> np.ndarray:
    """Gini coefficient over equal-size groups, along the last axis (0 when everything is 0)."""
    k = x.shape[-1]
    mean = x.mean(axis=-1)
    diffs = np.abs(x[..., :, None] - x[..., None, :]).sum(axis=(-1, -2))
    with np.errstate(invalid="ignore", divide="ignore"):
        gini = diffs / (2 * k * k * mean)
    return np.where(mean > 0, gini, 0.0)


def _supplier_outcomes(p_cols: dict[str, np.ndarray], mech: dict, a: np.ndarray, b: np.ndarray, c: np.ndarray,
                       lots_bought: np.ndarray, n_open: np.ndarray, n_list: np.ndarray,
                       framework_places: np.ndarray) -> dict[str, np.ndarray]:
    """Suppliers reached, HHI and SME share, evaluated in blocks of samples (memory bound)."""
    n = a.shape[0]
    out = {"suppliers_reached": np.empty(n), "hhi": np.empty(n), "sme_share_spend": np.empty(n)}
    gate = mech["eligible_list"]
    for start in range(0, n, BLOCK_SIZE):
        s = slice(start, min(start + BLOCK_SIZE, n))
        pool = p_cols["supplier_pool"][s][:, None]
        j = np.arange(1, int(np.ceil(p_cols["supplier_pool"][s].max())) + 1, dtype=float)[None, :]
        in_pool = np.clip(pool - j + 1, 0.0, 1.0)  # soft edge for a fractional pool size
        p = in_pool * j ** -p_cols["zipf_national"][s][:, None]
        p /= p.sum(axis=1, keepdims=True)
        q = in_pool * j ** -p_cols["zipf_local"][s][:, None]
        q /= q.sum(axis=1, keepdims=True)
        # Probability that supplier j is inside the gate that list orders must go through.
        if gate == "label":
            pi = np.broadcast_to(p_cols["label_pass_rate"][s][:, None], q.shape)
        elif gate == "catalogue":
            pi = 1.0 - (1.0 - p) ** lots_bought[s][:, None]
        elif gate == "framework":
            pi = 1.0 - (1.0 - p) ** framework_places[s][:, None]
        else:
            pi = np.ones_like(q)
        q_list = q * pi
        total = q_list.sum(axis=1, keepdims=True)
        q_list = np.divide(q_list, total, out=np.zeros_like(q_list), where=total > 0)
        L = np.maximum(lots_bought[s], 1.0)[:, None]
        no = np.maximum(n_open[s], 1.0)[:, None]
        nl = np.maximum(n_list[s], 1.0)[:, None]
        aa, bb, cc = a[s][:, None], b[s][:, None], c[s][:, None]
        second_moment = (aa ** 2 * (p ** 2 + p * (1 - p) / L) + bb ** 2 * (q ** 2 + q * (1 - q) / no)
                         + cc ** 2 * (q_list ** 2 + q_list * (1 - q_list) / nl)
                         + 2 * aa * bb * p * q + 2 * aa * cc * p * q_list + 2 * bb * cc * q * q_list)
        out["hhi"][s] = 10_000 * second_moment.sum(axis=1)
        not_reached = ((1 - p) ** lots_bought[s][:, None] * (1 - q) ** n_open[s][:, None]
                       * (1 - q_list) ** n_list[s][:, None])
        out["suppliers_reached"][s] = (in_pool * (1 - not_reached)).sum(axis=1)
        sme = np.clip(j - p_cols["large_firms"][s][:, None], 0.0, 1.0)
        out["sme_share_spend"][s] = (sme * (aa * p + bb * q + cc * q_list)).sum(axis=1)
    return out


def evaluate(variant: Variant, params=None, parameters: pd.DataFrame | None = None) -> dict[str, np.ndarray]:
    """Outcomes of ``variant`` for parameter samples; every outcome is an array of shape (n,).

    ``params``: ``None`` (the table's values, n = 1), a mapping ``{name: scalar or array (n,)}``
    (missing names take the table's value), or a matrix ``(n, num_vars)`` whose columns follow
    ``salib_problem(parameters)["names"]`` (what SALib's samplers return).

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
    7. Suppliers: see :func:`_supplier_outcomes`.
    8. Continuity risk over the horizon H: ``1 - exp(-H (h_funding + switch / contract_years +
       sme_share * sme_exit_hazard))``.
    """
    parameters = load_parameters() if parameters is None else parameters
    p, n = _as_columns(params, parameters)
    m = variant.mechanism
    procs = m["procedures_per_year"]
    B, P = p["budget_eur"], p["pupils"]
    s, g, r = m["national_share"], m["local_share_via_list"], m["co_financing_rate"]
    cap = np.inf if m["co_financing_cap_eur_per_pupil"] is None else float(m["co_financing_cap_eur_per_pupil"])
    K = int(round(parameters.set_index("name").loc["n_territories", "value"]))

    # 1. territories
    z = stats.norm.ppf((np.arange(K) + 0.5) / K)[None, :]
    sigma = p["territorial_dispersion"][:, None]
    w = np.exp(sigma * z - sigma ** 2 / 2)
    w = w / w.mean(axis=1, keepdims=True)
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

    # 7. suppliers
    lots_national = n_national * m["lots_per_national_procedure"]
    lots_bought = np.full(n, float(lots_national) if national_direct.max() > 0 else 0.0)
    framework_places = lots_national * p["awardees_per_framework_lot"]
    n_open = n_local * p["lots_per_local_procedure"]
    n_list = np.full(n, float(m["orders_per_year"]))
    with np.errstate(invalid="ignore", divide="ignore"):
        a = np.where(to_suppliers > 0, national_to_suppliers / to_suppliers, 0.0)
        b = np.where(to_suppliers > 0, open_to_suppliers / to_suppliers, 0.0)
        c = np.where(to_suppliers > 0, list_to_suppliers / to_suppliers, 0.0)
    suppliers = _supplier_outcomes(p, m, a, b, c, lots_bought, n_open, n_list, framework_places)

    # 8. continuity
    hazard_funding = {"stop_and_go": p["hazard_stop_and_go"], "multi_year": p["hazard_multi_year"],
                      "permanent": p["hazard_permanent"]}[m["funding_stability"]]
    hazard = hazard_funding + p["switch_prob_at_retender"] / m["contract_years"] + suppliers["sme_share_spend"] * p["sme_exit_hazard"]
    continuity_risk = 1 - np.exp(-hazard * p["continuity_horizon_years"])

    pupils_covered = coverage_rate * P
    spent = B - unused
    return {
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
        "coverage_gini": _gini_equal_groups(coverage),
        "suppliers_reached": suppliers["suppliers_reached"],
        "hhi": suppliers["hhi"],
        "sme_share_spend": suppliers["sme_share_spend"],
        "continuity_risk": continuity_risk,
        "cost_per_covered_pupil_eur": np.divide(spent + total_tc, pupils_covered,
                                                out=np.full(n, np.inf), where=pupils_covered > 0),
    }
