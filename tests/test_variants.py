"""The variants part: variant files, evidence, parameter table, SALib problem and
the vectorised outcome model, checked on hand-computed cases."""

from __future__ import annotations

import copy
import math

import numpy as np
import pandas as pd
import pytest
import yaml

from analysis import config, variants
from analysis.validation import DataValidationError, validate
from tests.conftest import read_rows

VARIANT_DIR = config.DATA / "variants"


@pytest.fixture(scope="module")
def parameters() -> pd.DataFrame:
    return variants.load_parameters()


@pytest.fixture(scope="module")
def defaults(parameters) -> dict:
    return dict(zip(parameters["name"], parameters["value"]))


def _variant(**mechanism) -> variants.Variant:
    """A hand-made variant: nothing bought, no procedure, unless said otherwise."""
    base = {
        "buyer": "test buyer",
        "procedures_per_year": {level: 0 for level in variants.LEVELS},
        "orders_per_year": 0, "national_share": 0.0, "local_share_via_list": 0.0,
        "co_financing_rate": 0.0, "co_financing_cap_eur_per_pupil": None, "eligible_list": "none",
        "lots_per_national_procedure": 1, "intermediary": "none", "contract_years": 4,
        "price_negotiation": False, "funding_stability": "permanent",
    }
    procedures = mechanism.pop("procedures_per_year", {})
    base["procedures_per_year"].update(procedures)
    base.update(mechanism)
    document = {"id": "V9", "name_fr": "Variante test", "name_en": "Test variant", "oecd_family": "test",
                "description_fr": "Une variante construite pour les tests.", "mechanism": base,
                "sources": {name: "assumption" for name in variants.MECHANISM_FIELDS}}
    return variants.variant_from_dict(document, "test.yaml")


# ------------------------------------------------------------------------------------------
# Variant files
# ------------------------------------------------------------------------------------------

def test_the_five_variant_files_load_in_order():
    loaded = variants.load_variants()
    assert [v.id for v in loaded] == sorted((p.name.split("_")[0] for p in VARIANT_DIR.glob("V*.yaml")), key=lambda i: int(i[1:]))
    for v in loaded:
        assert set(v.sources) == set(variants.MECHANISM_FIELDS)
        assert all(len(text) >= 3 for text in v.sources.values())


def test_v3_file_has_the_danish_co_financing_rate():
    document = yaml.safe_load((VARIANT_DIR / "V3_label_drawing_rights.yaml").read_text(encoding="utf-8"))
    rate = [r for r in read_rows(variants.EVIDENCE_RAW) if r["evidence_id"] == "DK-COFIN-RATE"][0]
    assert document["mechanism"]["co_financing_rate"] == pytest.approx(float(rate["value"]) / 100)


def test_v0_national_share_follows_the_cour_des_comptes_figures():
    rows = {r["evidence_id"]: float(r["value"]) for r in read_rows(variants.EVIDENCE_RAW)}
    share = rows["CDC-STATE-SPEND"] / (rows["CDC-STATE-SPEND"] + rows["CDC-LOCAL-SPEND"])
    document = yaml.safe_load((VARIANT_DIR / "V0_baseline_fragmented.yaml").read_text(encoding="utf-8"))
    assert document["mechanism"]["national_share"] == pytest.approx(share, abs=0.005)


def _write_broken(tmp_path, edit) -> str:
    source = VARIANT_DIR / "V3_label_drawing_rights.yaml"
    document = yaml.safe_load(source.read_text(encoding="utf-8"))
    edit(document)
    target = tmp_path / "V3_broken.yaml"
    target.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return target


def test_missing_field_names_file_variant_and_field(tmp_path):
    path = _write_broken(tmp_path, lambda d: d["mechanism"].pop("contract_years"))
    with pytest.raises(variants.VariantError) as error:
        variants.load_variant(path)
    message = str(error.value)
    assert "V3_broken.yaml" in message and "variant V3" in message and "mechanism/contract_years" in message


def test_wrong_type_names_file_variant_and_field(tmp_path):
    path = _write_broken(tmp_path, lambda d: d["mechanism"].update(price_negotiation="yes"))
    with pytest.raises(variants.VariantError) as error:
        variants.load_variant(path)
    message = str(error.value)
    assert "V3_broken.yaml" in message and "variant V3" in message and "mechanism/price_negotiation" in message


def test_out_of_range_share_names_file_variant_and_field(tmp_path):
    path = _write_broken(tmp_path, lambda d: d["mechanism"].update(national_share=1.4))
    with pytest.raises(variants.VariantError) as error:
        variants.load_variant(path)
    message = str(error.value)
    assert "V3_broken.yaml" in message and "variant V3" in message and "mechanism/national_share" in message
    assert "1.4" in message


def test_missing_source_names_the_field(tmp_path):
    path = _write_broken(tmp_path, lambda d: d["sources"].pop("co_financing_rate"))
    with pytest.raises(variants.VariantError, match=r"sources/co_financing_rate"):
        variants.load_variant(path)


def test_inconsistent_mechanism_is_refused(tmp_path):
    path = _write_broken(tmp_path, lambda d: d["mechanism"].update(eligible_list="none"))
    with pytest.raises(variants.VariantError, match=r"variant V3: field mechanism/co_financing_rate"):
        variants.load_variant(path)


def test_duplicate_variant_ids_are_refused(tmp_path):
    for name in ("V1_a.yaml", "V1_b.yaml"):
        (tmp_path / name).write_bytes((VARIANT_DIR / "V1_national_direct_purchase.yaml").read_bytes())
    with pytest.raises(variants.VariantError, match="field id"):
        variants.load_variants(tmp_path)


# ------------------------------------------------------------------------------------------
# Evidence and parameters
# ------------------------------------------------------------------------------------------

def test_eu_procedure_costs_add_up():
    rows = {r["evidence_id"]: float(r["value"]) for r in read_rows(variants.EVIDENCE_RAW)}
    assert rows["EU-PROC-COST-AUTHORITY"] + rows["EU-PROC-COST-BIDDERS"] == rows["EU-PROC-COST-TOTAL"] == 28000


def test_every_parameter_has_a_range_a_distribution_and_a_source(parameters):
    rows = read_rows(variants.PARAMETERS_FILE)
    evidence = {r["evidence_id"] for r in read_rows(variants.EVIDENCE_RAW)}
    assert {r["name"] for r in rows} >= set(variants.REQUIRED_PARAMETERS)
    for row in rows:
        low, value, high = float(row["low"]), float(row["value"]), float(row["high"])
        assert low <= value <= high, row["name"]
        assert row["distribution"] in ("uniform", "triangular", "constant")
        ids = [i for i in row["evidence_ids"].split(";") if i]
        assert "assumption" in row["source"] or ids, row["name"]
        assert set(ids) <= evidence, row["name"]


def test_parameter_values_match_their_evidence():
    rows = {r["name"]: r for r in read_rows(variants.PARAMETERS_FILE)}
    evidence = {r["evidence_id"]: float(r["value"]) for r in read_rows(variants.EVIDENCE_RAW)}
    assert float(rows["cost_procedure_authority_eur"]["value"]) == evidence["EU-PROC-COST-AUTHORITY"]
    assert float(rows["cost_procedure_bidders_eur"]["value"]) == evidence["EU-PROC-COST-BIDDERS"]
    assert float(rows["price_discount_central"]["value"]) == evidence["CONSIP-SAVING-AVG"] / 100
    assert float(rows["supplier_pool"]["value"]) == round(evidence["SLIDES-EDTECH-ACTIVE"] * evidence["SLIDES-EDTECH-SCHOOL-SHARE"] / 100)
    pupils = (evidence["PUPILS-PRIMARY-2024"] + evidence["PUPILS-SECONDARY-2024"]) * 1e6
    assert float(rows["pupils"]["value"]) == pytest.approx(pupils)


def test_unknown_evidence_id_is_refused(tmp_path):
    text = variants.PARAMETERS_FILE.read_text(encoding="utf-8").replace("CONSIP-SAVING-AVG;", "CONSIP-NOPE;")
    path = tmp_path / "model_parameters.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(variants.VariantError, match="price_discount_central.*CONSIP-NOPE"):
        variants.load_parameters(path)


def test_bad_evidence_row_names_row_and_column():
    frame = pd.read_csv(variants.EVIDENCE_RAW)
    frame.loc[3, "url"] = "not a url"
    with pytest.raises(DataValidationError, match=r"row 5: column 'url'"):
        validate(frame, variants.EVIDENCE_SCHEMA, "procurement_evidence.csv")


def test_salib_problem_format(parameters):
    problem = variants.salib_problem(parameters)
    constants = (parameters["distribution"] == "constant").sum()
    assert problem["num_vars"] == len(parameters) - constants == len(problem["names"]) == len(problem["bounds"])
    for bounds, dist in zip(problem["bounds"], problem["dists"]):
        if dist == "triang":
            assert len(bounds) == 3 and 0 <= bounds[2] < 1 and bounds[0] < bounds[1]
        else:
            assert dist == "unif" and bounds[0] < bounds[1]


def test_salib_samples_run_through_the_model(parameters):
    from SALib.sample import latin

    problem = variants.salib_problem(parameters)
    matrix = latin.sample(problem, 64, seed=1)
    out = variants.evaluate(variants.load_variants()[3], matrix, parameters)
    assert all(v.shape == (64,) and np.isfinite(v).all() for v in out.values())


def test_market_inputs_replace_budget_and_pupils(parameters):
    market = pd.DataFrame({
        "quantity": ["annual_public_digital_resources_budget_eur", "pupils"],
        "low": [1e8, 1.1e7], "central": [2e8, 1.2e7], "high": [3e8, 1.3e7],
        "unit": ["EUR", "pupils"], "source": ["hand-made", "hand-made"]})
    table = variants.with_market_inputs(parameters, market).set_index("name")
    assert table.loc["budget_eur", ["value", "low", "high"]].tolist() == [2e8, 1e8, 3e8]
    assert table.loc["pupils", "value"] == 1.2e7
    high = variants.with_market_inputs(parameters, market, budget_column="high").set_index("name")
    assert high.loc["budget_eur", "value"] == 3e8


@pytest.mark.parametrize("column", ["low", "high"])
def test_a_budget_at_one_end_of_its_range_is_held_in_every_draw(parameters, column):
    """A low- or high-budget scenario's sensitivity analyses are conditional on that budget: the
    draws do not average over the whole market range again (they did before: a low-budget scenario's
    SMAA was the baseline's)."""
    market = pd.DataFrame({
        "quantity": ["annual_public_digital_resources_budget_eur", "pupils"],
        "low": [1e8, 1.1e7], "central": [2e8, 1.2e7], "high": [3e8, 1.3e7],
        "unit": ["EUR", "pupils"], "source": ["hand-made", "hand-made"]})
    held = variants.with_market_inputs(parameters, market, budget_column=column)
    draws = variants.sample_parameters(held, 500, seed=3)
    expected = market.set_index("quantity").loc["annual_public_digital_resources_budget_eur", column]
    assert (draws["budget_eur"] == expected).all()
    assert "budget_eur" not in variants.salib_problem(held)["names"]
    central = variants.with_market_inputs(parameters, market)
    spread = variants.sample_parameters(central, 500, seed=3)["budget_eur"]
    assert spread.min() < 1.5e8 and spread.max() > 2.5e8
    assert "budget_eur" in variants.salib_problem(central)["names"]


# ------------------------------------------------------------------------------------------
# Outcome model: hand-computed cases
# ------------------------------------------------------------------------------------------

def test_a_single_national_procedure_pays_for_one_procedure(parameters, defaults):
    variant = _variant(procedures_per_year={"national": 1}, national_share=1.0)
    out = variants.evaluate(variant, None, parameters)
    assert out["procedures_per_year"][0] == 1
    assert out["transaction_cost_authority_eur"][0] == pytest.approx(defaults["cost_procedure_authority_eur"])
    assert out["transaction_cost_bidders_eur"][0] == pytest.approx(defaults["cost_procedure_bidders_eur"])
    assert out["transaction_cost_total_eur"][0] == pytest.approx(5500 + 22500)


def test_local_procedures_and_orders_cost_what_the_parameters_say(parameters):
    variant = _variant(procedures_per_year={"communal": 10, "school": 10}, orders_per_year=100,
                       local_share_via_list=0.5, eligible_list="label")
    params = {"local_procedure_cost_factor": 0.5, "cost_procedure_authority_eur": 6000,
              "cost_procedure_bidders_eur": 20000, "order_cost_eur": 200, "label_admin_cost_eur": 1e6,
              "label_products": 400, "certification_cost_per_product_eur": 4000}
    out = variants.evaluate(variant, params, parameters)
    assert out["transaction_cost_authority_eur"][0] == pytest.approx(20 * 0.5 * 6000 + 100 * 200 + 1e6)
    assert out["transaction_cost_bidders_eur"][0] == pytest.approx(20 * 0.5 * 20000 + 400 * 4000 / 4)


def test_doubling_the_budget_doubles_what_reaches_suppliers(parameters):
    for variant in [v for v in variants.load_variants() if v.mechanism["co_financing_rate"] == 0]:
        budget = np.array([3e8, 6e8])
        out = variants.evaluate(variant, {"budget_eur": budget}, parameters)
        assert out["budget_to_suppliers_eur"][1] == pytest.approx(2 * out["budget_to_suppliers_eur"][0]), variant.id
        assert out["price_effect_eur"][1] == pytest.approx(2 * out["price_effect_eur"][0]), variant.id


def test_uniform_national_purchase_gives_coverage_budget_over_package(parameters):
    variant = _variant(procedures_per_year={"national": 1}, national_share=1.0)
    out = variants.evaluate(variant, {"budget_eur": 15e6, "pupils": 1e6, "package_cost_per_pupil_eur": 30,
                                      "territorial_dispersion": 0.0}, parameters)
    assert out["coverage_rate"][0] == pytest.approx(0.5)
    assert out["pupils_covered"][0] == pytest.approx(5e5)
    assert out["coverage_gini"][0] == pytest.approx(0.0, abs=1e-12)
    # one lot, one supplier: all spend to one firm
    assert out["hhi"][0] == pytest.approx(10_000)
    assert out["suppliers_reached"][0] == pytest.approx(1.0)


def test_price_negotiation_buys_more_at_list_prices(parameters):
    variant = _variant(procedures_per_year={"national": 1}, national_share=1.0, price_negotiation=True)
    out = variants.evaluate(variant, {"budget_eur": 1e8, "price_discount_central": 0.2,
                                      "content_discount_factor": 0.5}, parameters)
    assert out["budget_to_suppliers_eur"][0] == pytest.approx(1e8)
    assert out["value_bought_eur"][0] == pytest.approx(1e8 / 0.9)
    assert out["price_effect_eur"][0] == pytest.approx(1e8 / 0.9 - 1e8)


def test_co_financing_pool_lapses_when_local_demand_is_short(parameters):
    variant = _variant(procedures_per_year={"communal": 1}, orders_per_year=10, national_share=0.5,
                       local_share_via_list=0.5, co_financing_rate=0.5, eligible_list="label")
    out = variants.evaluate(variant, {"budget_eur": 1e8, "pupils": 1e6, "territorial_dispersion": 0.0}, parameters)
    # local 50 M, half through the list = 25 M, matched 1:1 at a 50% rate -> 25 M of a 50 M pool
    assert out["unused_budget_eur"][0] == pytest.approx(25e6)
    assert out["budget_to_suppliers_eur"][0] == pytest.approx(75e6)


def test_co_financing_cap_per_pupil_binds(parameters):
    variant = _variant(procedures_per_year={"communal": 1}, orders_per_year=10, national_share=0.5,
                       local_share_via_list=1.0, co_financing_rate=0.5, co_financing_cap_eur_per_pupil=5,
                       eligible_list="label")
    out = variants.evaluate(variant, {"budget_eur": 1e8, "pupils": 1e6, "territorial_dispersion": 0.3}, parameters)
    assert out["unused_budget_eur"][0] == pytest.approx(50e6 - 5e6)


def test_intermediary_fee_is_taken_from_the_flows_it_handles(parameters):
    variant = _variant(procedures_per_year={"national": 1}, national_share=1.0, intermediary="operator")
    out = variants.evaluate(variant, {"budget_eur": 1e8, "operator_fee_rate": 0.1}, parameters)
    assert out["intermediary_cost_eur"][0] == pytest.approx(1e7)
    assert out["budget_to_suppliers_eur"][0] == pytest.approx(9e7)


def test_continuity_risk_formula(parameters):
    variant = _variant(procedures_per_year={"national": 1}, national_share=1.0, funding_stability="stop_and_go",
                       contract_years=4)
    params = {"hazard_stop_and_go": 0.2, "switch_prob_at_retender": 0.4, "sme_exit_hazard": 0.0}
    out = variants.evaluate(variant, params, parameters)
    assert out["continuity_risk"][0] == pytest.approx(1 - math.exp(-5 * (0.2 + 0.4 / 4)))


def test_gini_of_two_groups():
    assert variants._gini_equal_groups(np.array([[0.0, 1.0]]))[0] == pytest.approx(0.5)
    assert variants._gini_equal_groups(np.array([[0.3, 0.3, 0.3]]))[0] == pytest.approx(0.0)


def test_evaluate_is_vectorised_over_samples(parameters):
    variant = variants.load_variants()[2]
    samples = variants.sample_parameters(parameters, 5, seed=3)
    together = variants.evaluate(variant, samples, parameters)
    for i in range(5):
        one = variants.evaluate(variant, {k: v[i] for k, v in samples.items()}, parameters)
        for name in variants.OUTCOMES:
            assert together[name][i] == pytest.approx(one[name][0]), name


def test_samples_stay_in_their_ranges(parameters):
    samples = variants.sample_parameters(parameters, 2000, seed=7)
    for row in parameters.itertuples():
        assert samples[row.name].min() >= row.low and samples[row.name].max() <= row.high


def test_more_samples_than_a_block(parameters):
    variant = variants.load_variants()[4]
    samples = variants.sample_parameters(parameters, variants.BLOCK_SIZE + 10, seed=11)
    out = variants.evaluate(variant, samples, parameters)
    assert out["hhi"].shape == (variants.BLOCK_SIZE + 10,) and np.isfinite(out["hhi"]).all()


def test_unknown_parameter_is_refused(parameters):
    with pytest.raises(ValueError, match="unknown parameters"):
        variants.evaluate(variants.load_variants()[0], {"budgte_eur": 1.0}, parameters)


# ------------------------------------------------------------------------------------------
# Countries by variant
# ------------------------------------------------------------------------------------------

def test_countries_by_variant_from_a_hand_made_map():
    mapping = pd.DataFrame({
        "system_code": ["DNK", "IRL", "GBR-ENG", "AUT"],
        "system_name_fr": ["Danemark", "Irlande", "Angleterre (Royaume-Uni)", "Autriche"],
        "variant_id": ["V3", "V4", "V4", "V1"], "variant_name_fr": ["a", "b", "b", "c"],
        "evidence": ["x"] * 4, "rationale": ["y"] * 4})
    table = variants.countries_by_variant(mapping, variants.load_variants()).set_index("variant_id")
    assert table.loc["V4", "n_systems"] == 2
    assert table.loc["V4", "systems_fr"] == "Angleterre (Royaume-Uni), Irlande"
    assert table.loc["V0", "n_systems"] == 0 and table.loc["V2", "systems_fr"] == ""
    assert "France" in table.loc["V0", "note"]


def test_countries_by_variant_refuses_unknown_variants():
    mapping = pd.DataFrame({c: ["x"] for c in variants.COUNTRY_MAP_COLUMNS})
    with pytest.raises(variants.VariantError, match="unknown variant ids"):
        variants.countries_by_variant(mapping, variants.load_variants())


def test_headline_transaction_costs_recomputed_from_the_variant_and_parameter_files():
    """The transaction costs the notebook prints, by hand from the YAML and CSV rows: national
    procedures at the EU average cost, local ones at the local cost factor, orders at their cost,
    and for a label its running cost plus certification renewed every contract_years."""
    value = {r["name"]: float(r["value"]) for r in read_rows(variants.PARAMETERS_FILE)}
    parameters = variants.load_parameters()
    for path in sorted(VARIANT_DIR.glob("V*.yaml")):
        m = yaml.safe_load(path.read_text(encoding="utf-8"))["mechanism"]
        procedures = m["procedures_per_year"]
        local = sum(n for level, n in procedures.items() if level != "national")
        weighted = procedures["national"] + value["local_procedure_cost_factor"] * local
        authority = weighted * value["cost_procedure_authority_eur"] + m["orders_per_year"] * value["order_cost_eur"]
        bidders = weighted * value["cost_procedure_bidders_eur"]
        if m["eligible_list"] == "label":
            authority += value["label_admin_cost_eur"]
            bidders += value["label_products"] * value["certification_cost_per_product_eur"] / m["contract_years"]
        out = variants.evaluate(variants.load_variant(path), None, parameters)
        assert out["procedures_per_year"][0] == procedures["national"] + local, path.name
        assert out["transaction_cost_authority_eur"][0] == pytest.approx(authority), path.name
        assert out["transaction_cost_bidders_eur"][0] == pytest.approx(bidders), path.name
    v0 = yaml.safe_load((VARIANT_DIR / "V0_baseline_fragmented.yaml").read_text(encoding="utf-8"))["mechanism"]
    national = v0["procedures_per_year"]["national"]
    weighted = national + value["local_procedure_cost_factor"] * (sum(v0["procedures_per_year"].values()) - national)
    per_procedure = value["cost_procedure_authority_eur"] + value["cost_procedure_bidders_eur"]
    assert round(weighted * per_procedure / 1e5) / 10 == 43.7   # "coûts de transaction 43.7 M EUR" (nbval checks the text)


def test_variant_figures_are_drawn_in_both_languages():
    """Every figure function of analysis.variants_figures takes ``lang`` and finds all its labels."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from analysis import mcda, variants_figures

    variant_list = variants.load_variants()
    ids = [v.id for v in variant_list]
    parameters = variants.load_parameters()
    samples = variants.sample_parameters(parameters, 64, 1)
    outcomes = variants.outcomes_table(variant_list, parameters, samples)
    criteria = mcda.load_criteria()
    weights = mcda.load_weight_profiles(criteria)
    qualitative = mcda.load_qualitative_scores(criteria, ids)
    performance = mcda.performance_matrix(outcomes.rename(columns={"central": "value"}), qualitative, criteria, ids)
    scores = mcda.scores_table(performance, criteria, qualitative)
    values = scores.pivot(index="variant_id", columns="criterion", values="value")[criteria["criterion"]]
    totals = mcda.totals_by_profile(values, weights)
    for lang in ("fr", "en"):
        labels = {v.id: variants_figures.variant_label(v, lang) for v in variant_list}
        figures = [variants_figures.outcomes_figure(outcomes, variant_list, "source", lang=lang),
                   variants_figures.heatmap_figure(scores, criteria, labels, "source", lang=lang),
                   variants_figures.totals_figure(totals, labels, variants.VARIANT_COLOURS, "source", lang=lang)]
        titles = [t.get_text() for f in figures for t in f.texts + [a.title for a in f.axes]]
        assert all("variants." not in t for t in titles), "an i18n key was printed instead of its text"
        for f in figures:
            plt.close(f)
    with pytest.raises(ValueError, match="language"):
        variants_figures.totals_figure(totals, labels, variants.VARIANT_COLOURS, "source", lang="de")


def test_mechanism_view_and_significant_numbers_for_reading():
    from analysis import i18n, variants_figures

    mechanisms = variants.mechanism_table(variants.load_variants())
    view = variants_figures.mechanism_view(mechanisms, "fr")
    assert len(view) == mechanisms.shape[1] - 1
    cells = view.drop(columns="field").to_numpy().ravel()
    assert not any(c in ("True", "False", "nan", "None") for c in cells)
    assert all("_" not in f for f in view["field"])                     # every field has a label
    assert variants_figures.significant(298072500, "fr", 3) == i18n.number(298000000, "fr", 0)
    assert variants_figures.significant(0.27534, "en", 3) == "0.275"
    assert variants_figures.significant(float("nan")) == "–"
