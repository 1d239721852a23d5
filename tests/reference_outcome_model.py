"""Reference copy of the outcome model's kernels as they were before the speed work (issue 14).

Kept verbatim (commit 2f41572 of analysis/variants.py, functions ``_gini_equal_groups`` and
``_supplier_outcomes``) so that tests/test_outcome_model_equivalence.py can check the faster
kernels of :mod:`analysis.variants` against them on seeded samples. Not used by the package.
"""

from __future__ import annotations

import numpy as np

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
