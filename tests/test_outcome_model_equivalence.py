"""The outcome model's fast kernels (analysis.variants) give the results of the former ones.

tests/reference_outcome_model.py keeps the model (``evaluate`` and its supplier-grid and Gini
kernels) as it was before it was rewritten for speed; here both are run on the same seeded
parameter samples, for the five variant files (one at a time with ``evaluate`` and all together
with ``evaluate_many``, which shares the supplier grid's Zipf parts between variants) and for
hand-made variants that reach the kernels' edge cases (every gate, no national lot, a label
nobody passes, fractional and tiny supplier pools, blocks of samples). Every outcome must agree
to a relative 1e-12.
"""

from __future__ import annotations

import numpy as np
import pytest

from analysis import variants
from tests import reference_outcome_model as reference

RTOL = 1e-12


@pytest.fixture(scope="module")
def parameters():
    return variants.load_parameters()


def _assert_same(fast: dict, slow: dict, label: str) -> None:
    assert fast.keys() == slow.keys()
    for name in slow:
        np.testing.assert_allclose(fast[name], slow[name], rtol=RTOL, atol=0, err_msg=f"{label}: {name}")


def _hand_made(**mechanism) -> variants.Variant:
    base = {
        "buyer": "test buyer",
        "procedures_per_year": {"national": 2, "regional": 10, "departmental": 50, "communal": 400, "school": 300},
        "orders_per_year": 0, "national_share": 0.3, "local_share_via_list": 0.0, "co_financing_rate": 0.0,
        "co_financing_cap_eur_per_pupil": None, "eligible_list": "none", "lots_per_national_procedure": 3,
        "intermediary": "none", "contract_years": 4, "price_negotiation": False, "funding_stability": "permanent",
    }
    base.update(mechanism)
    document = {"id": "V9", "name_fr": "Variante test", "name_en": "Test variant", "oecd_family": "test",
                "description_fr": "Une variante construite pour les tests.", "mechanism": base,
                "sources": {name: "assumption" for name in variants.MECHANISM_FIELDS}}
    return variants.variant_from_dict(document, "test.yaml")


HAND_MADE = {
    "catalogue without national lots": dict(national_share=0.0, co_financing_rate=0.5, local_share_via_list=0.6,
                                            orders_per_year=900, eligible_list="catalogue",
                                            procedures_per_year={"national": 0, "regional": 5, "departmental": 9,
                                                                 "communal": 40, "school": 0}),
    "catalogue with national lots": dict(local_share_via_list=0.5, orders_per_year=4000, eligible_list="catalogue"),
    "framework and national purchase": dict(local_share_via_list=0.3, orders_per_year=2500, eligible_list="framework"),
    "label and national purchase": dict(local_share_via_list=0.7, orders_per_year=8000, eligible_list="label"),
    "national purchase only": dict(national_share=0.9),
}


@pytest.mark.parametrize("seed", [3, 20260113])
def test_every_variant_file_matches_the_reference_model(parameters, seed):
    samples = variants.sample_parameters(parameters, variants.BLOCK_SIZE * 2 + 37, seed)
    variant_list = variants.load_variants()
    together = variants.evaluate_many(variant_list, samples, parameters)
    assert list(together) == [variant.id for variant in variant_list]
    for variant in variant_list:
        slow = reference.evaluate(variant, samples, parameters)
        _assert_same(variants.evaluate(variant, samples, parameters), slow, variant.id)
        _assert_same(together[variant.id], slow, f"{variant.id} (evaluate_many)")
        alone = variants.evaluate(variant, samples, parameters)
        for name in alone:  # sharing the Zipf parts changes no operation: the same bits
            assert np.array_equal(together[variant.id][name], alone[name]), f"{variant.id}: {name}"


def test_central_values_match_the_reference_model(parameters):
    for variant in variants.load_variants():
        _assert_same(variants.evaluate(variant, None, parameters), reference.evaluate(variant, None, parameters),
                     f"{variant.id} (central)")


@pytest.mark.parametrize("case", sorted(HAND_MADE))
def test_hand_made_variants_match_the_reference_model(parameters, case):
    variant = _hand_made(**HAND_MADE[case])
    samples = variants.sample_parameters(parameters, 700, seed=17)
    _assert_same(variants.evaluate(variant, samples, parameters), reference.evaluate(variant, samples, parameters),
                 case)


def test_hand_made_variants_together_match_the_reference_model(parameters):
    """Every gate in one evaluate_many call: the shared parts (p, q, their logs and row sums)
    must not leak from one variant's flows into another's."""
    samples = variants.sample_parameters(parameters, 700, seed=23)
    hand_made = []
    for number, case in enumerate(sorted(HAND_MADE)):
        variant = _hand_made(**HAND_MADE[case])
        hand_made.append(variants.Variant(**{**variant.__dict__, "id": f"V{90 + number}"}))
    together = variants.evaluate_many(hand_made, samples, parameters)
    for variant in hand_made:
        _assert_same(together[variant.id], reference.evaluate(variant, samples, parameters), variant.id)


def _tiny_pool_columns(rng, n: int) -> dict:
    """Sampled parameters with pools of fewer than four suppliers (fractional ones too) and a
    label that nobody passes in every seventh sample."""
    pool = np.concatenate([[0.5, 1.0, 1.5, 2.0, 2.7, 3.0], rng.uniform(1, 60, n - 6)])
    return {"supplier_pool": pool, "zipf_national": rng.uniform(0.5, 2.5, n), "zipf_local": rng.uniform(0.5, 2, n),
            "large_firms": rng.uniform(0, 40, n),
            "label_pass_rate": np.where(np.arange(n) % 7 == 0, 0.0, rng.uniform(0.1, 1, n))}


@pytest.mark.parametrize("gate", ["none", "label", "catalogue", "framework"])
def test_tiny_fractional_pools_and_a_label_nobody_passes(gate):
    rng = np.random.default_rng(5)
    n = 300
    p_cols = _tiny_pool_columns(rng, n)
    a = rng.uniform(0, 1, n) * (np.arange(n) % 3 != 0)
    b = rng.uniform(0, 1, n)
    c = rng.uniform(0, 1, n)
    lots = np.where(np.arange(n) % 5 == 0, 0.0, rng.integers(1, 12, n).astype(float))
    n_open, n_list, places = rng.uniform(0, 5000, n), rng.uniform(0, 9000, n), rng.uniform(0, 30, n)
    args = (p_cols, {"eligible_list": gate}, a, b, c, lots, n_open, n_list, places)
    fast, slow = variants._supplier_outcomes(*args), reference._supplier_outcomes(*args)
    _assert_same(fast, slow, gate)


def test_tiny_fractional_pools_every_gate_together():
    rng = np.random.default_rng(6)
    n = 300
    p_cols = _tiny_pool_columns(rng, n)
    flows = []
    for number, gate in enumerate(["none", "label", "catalogue", "framework", "none"]):
        flows.append({"gate": gate, "a": rng.uniform(0, 1, n) * (np.arange(n) % (number + 2) != 0),
                      "b": rng.uniform(0, 1, n), "c": rng.uniform(0, 1, n),
                      "lots": np.where(np.arange(n) % 5 == number, 0.0, rng.integers(1, 12, n).astype(float)),
                      "n_open": rng.uniform(0, 5000, n), "n_list": rng.uniform(0, 9000, n),
                      "places": rng.uniform(0, 30, n)})
    together = variants._supplier_outcomes_many(p_cols, flows)
    for flow, fast in zip(flows, together):
        slow = reference._supplier_outcomes(p_cols, {"eligible_list": flow["gate"]}, flow["a"], flow["b"], flow["c"],
                                            flow["lots"], flow["n_open"], flow["n_list"], flow["places"])
        _assert_same(fast, slow, flow["gate"])


def test_gini_matches_the_reference_including_equal_and_zero_rows():
    rng = np.random.default_rng(8)
    x = rng.random((500, 10))
    x[0] = 0.0
    x[1] = 1.0
    x[2, :5] = 0.0
    np.testing.assert_allclose(variants._gini_equal_groups(x), reference._gini_equal_groups(x), rtol=RTOL, atol=0)
    np.testing.assert_allclose(variants._gini_equal_groups(np.ascontiguousarray(x.T), axis=0),
                               reference._gini_equal_groups(x), rtol=RTOL, atol=0)


def test_steps_before_the_supplier_grid_in_chunks_equal_all_samples_at_once(parameters):
    """evaluate_many computes the steps before the supplier grid on chunks of CHUNK_SIZE samples:
    the outcomes and flows are those of one pass over all the samples, bit for bit, for every
    variant file and for a variant that buys national lots in some samples only (a budget of 0
    in the others, so that a chunk without national lots still gets them)."""
    n = 2 * variants.CHUNK_SIZE + 17
    p, _ = variants._as_columns(variants.sample_parameters(parameters, n, 21), parameters)
    p["budget_eur"][: variants.CHUNK_SIZE + 5] = 0.0
    k = int(round(parameters.set_index("name").loc["n_territories", "value"]))
    z = np.linspace(-1.5, 1.5, k)[None, :]
    w = np.exp(p["territorial_dispersion"][:, None] * z)
    w = w / w.mean(axis=1, keepdims=True)
    for variant in variants.load_variants() + [_hand_made(national_share=0.4)]:
        with np.errstate(invalid="ignore", divide="ignore"):
            chunked = variants._before_suppliers_in_chunks(variant, p, n, w)
            whole = variants._before_suppliers(variant, p, n, w)
        for part, expected in zip(chunked[:2], whole[:2]):
            assert part.keys() == expected.keys()
            for name, value in expected.items():
                assert np.array_equal(part[name], value, equal_nan=True) if name != "gate" else part[name] == value, name
        assert np.array_equal(chunked[2], whole[2])
