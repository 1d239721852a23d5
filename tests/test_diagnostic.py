"""The TIE Break self-diagnostic: hand-computed cases on tiny made-up authorities,
the slides' example recomputed from the raw file with the csv module, malformed method and
authority files (each error names the file, the authority or entry, the category and the field),
and the batch run over the synthetic authorities."""

from __future__ import annotations

import copy

import pytest
import yaml

from analysis import config, diagnostic
from analysis.plotting import FRANCE_COLOUR
from analysis.validation import DataValidationError
from conftest import read_rows

RAW = config.RAW / "slides" / "tie_break_example_spending.csv"
AUTHORITIES = config.DATA / "diagnostic" / "authorities"
EXAMPLE_FILE = AUTHORITIES / "exemple_tie_break.yaml"

#: The legend of 'Répartition par type de dépense', typed again from the slides for this test.
SLIDE_AMOUNTS = {
    "Applications Métiers": 3_820_000, "Serveurs": 2_100_000, "Postes de travail": 2_100_000,
    "Smartphones -Tablettes": 72_000, "Périphériques": 57_000, "Stockage": 350_000, "Réseaux": 840_000,
    "Systèmes d'exploitation": 166_000, "Sécurité des données": 142_000, "Protection des terminaux": 81_000,
    "Gestion des postes de travail": 20_000, "Bureautique": 1_828_000, "Applications techniques": 20_000,
    "Visio": 34_000,
}


@pytest.fixture(scope="module")
def method() -> diagnostic.Method:
    return diagnostic.load_method()


@pytest.fixture(scope="module")
def raw_rows() -> list[dict]:
    return read_rows(RAW)


def _load_yaml(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _category(category, amount, eu_share, criticality, alternatives, end_year):
    return {"category": category, "amount_eur": amount, "eu_share": eu_share, "criticality": criticality,
            "alternatives": alternatives, "contract_end_year": end_year,
            "sources": {name: "synthetic: test value" for name in diagnostic.CATEGORY_FIELDS}}


def _tiny(method, categories, **top) -> diagnostic.Authority:
    """A hand-made authority (reference year 2026) from ``_category`` entries."""
    document = {"id": "tiny", "name_fr": "Petite collectivité (test)", "kind": "synthetic",
                "description": "A made-up authority for the tests.", "reference_year": 2026,
                "sources": {"reference_year": "synthetic: test value"}, "categories": categories}
    document.update(top)
    return diagnostic.authority_from_dict(document, method, "tiny.yaml")


# ------------------------------------------------------------------------------------------
# The slides' example, recomputed from the raw file with the csv module
# ------------------------------------------------------------------------------------------

def test_raw_file_holds_the_legend_as_printed(raw_rows):
    categories = {r["label_as_printed"]: float(r["amount_eur"]) for r in raw_rows if r["row_kind"] == "category"}
    assert categories == SLIDE_AMOUNTS
    zones = {r["row_id"]: float(r["amount_eur"]) for r in raw_rows if r["row_kind"] == "zone_total"}
    assert zones == {"eu_total": 5_600_000, "non_eu_total": 6_030_000}


def test_example_totals_recomputed_from_the_raw_csv(raw_rows, method):
    categories = [float(r["amount_eur"]) for r in raw_rows if r["row_kind"] == "category"]
    zones = {r["row_id"]: float(r["amount_eur"]) for r in raw_rows if r["row_kind"] == "zone_total"}
    registry = {c["id"]: c for c in _load_yaml(config.CLAIMS_REGISTRY / "diagnostic.yaml")["claims"]}
    assert len(categories) == registry["DIAG-CATEGORY-COUNT"]["slide_value"]
    # 11.63 M€ (the slides' total) = the sum of the 14 raw amounts = 5.60 + 6.03 M€ (the raw zone totals)
    total = registry["DIAG-TOTAL-SPEND"]
    assert abs(sum(categories) / 1e6 - total["slide_value"]) <= total["tolerance"]
    assert zones["eu_total"] == registry["DIAG-EU-SPEND"]["slide_value"]
    assert zones["non_eu_total"] == registry["DIAG-NON-EU-SPEND"]["slide_value"]
    assert zones["eu_total"] + zones["non_eu_total"] == sum(categories)
    share = registry["DIAG-NON-EU-SHARE"]
    assert abs(100 * zones["non_eu_total"] / sum(categories) - share["slide_value"]) <= share["tolerance"]
    # the module gives the same figures, and the example authority's split meets the slides' totals
    figures = diagnostic.slide_figures(diagnostic.read_spending())
    assert figures["categories_sum_eur"] == sum(categories) and figures["n_categories"] == len(categories)
    totals = diagnostic.dependency_totals(diagnostic.diagnose(diagnostic.load_authority(EXAMPLE_FILE, method), method))
    assert totals["total_eur"] == sum(categories)
    assert totals["eu_eur"] == pytest.approx(zones["eu_total"], abs=1)
    assert totals["non_eu_eur"] == pytest.approx(zones["non_eu_total"], abs=1)


def test_example_split_adds_up_to_the_slide_totals_computed_by_hand(raw_rows):
    amounts = {r["row_id"]: float(r["amount_eur"]) for r in raw_rows}
    document = _load_yaml(EXAMPLE_FILE)
    eu = sum(amounts[c["amount_eur"].split("#")[1]] * c["eu_share"] for c in document["categories"])
    non_eu = sum(amounts[c["amount_eur"].split("#")[1]] * (1 - c["eu_share"]) for c in document["categories"])
    assert eu == pytest.approx(amounts["eu_total"], abs=1)
    assert non_eu == pytest.approx(amounts["non_eu_total"], abs=1)
    assert sorted(c["category"] for c in document["categories"]) == sorted(
        r["row_id"] for r in raw_rows if r["row_kind"] == "category")


def test_example_inputs_not_on_the_slides_are_assumptions_with_a_rationale():
    document = _load_yaml(EXAMPLE_FILE)
    assert document["kind"] == "example"
    for entry in document["categories"]:
        assert entry["amount_eur"].startswith("data/raw/slides/tie_break_example_spending.csv#")
        for name in diagnostic.JUDGEMENT_FIELDS:
            text = entry["sources"][name]
            assert text.startswith("assumption: ") and len(text) > 30, (entry["category"], name)


def test_synthetic_authorities_are_labelled_synthetic():
    files = [p for p in diagnostic.authority_files(AUTHORITIES) if p != EXAMPLE_FILE]
    assert 2 <= len(files) <= 3
    for path in files:
        document = _load_yaml(path)
        assert document["kind"] == "synthetic" and "synthétique" in document["name_fr"]
        assert path.read_text(encoding="utf-8").startswith("# SYNTHETIC authority")


def test_claim_registry_matches_the_raw_rows(raw_rows):
    registry = {c["id"]: c for c in _load_yaml(config.CLAIMS_REGISTRY / "diagnostic.yaml")["claims"]}
    for row in raw_rows:
        if row["row_kind"] == "category":
            claim = registry[f"DIAG-SPEND-{row['row_id'].upper().replace('_', '-')}"]
            assert claim["kind"] == "input" and claim["slide_value"] == float(row["amount_eur"])
    assert registry["DIAG-EU-SPEND"]["slide_value"] == 5_600_000
    assert registry["DIAG-NON-EU-SPEND"]["slide_value"] == 6_030_000
    assert registry["DIAG-TOTAL-SPEND"]["kind"] == "derived" and registry["DIAG-TOTAL-SPEND"]["slide_value"] == 11.63
    assert registry["DIAG-CATEGORY-COUNT"]["kind"] == "reproduce" and registry["DIAG-CATEGORY-COUNT"]["tolerance"] == 0


def test_a_mistyped_amount_is_caught_by_the_raw_schema(tmp_path):
    copy_path = tmp_path / RAW.name
    copy_path.write_text(RAW.read_text(encoding="utf-8").replace("stockage,category,Stockage,350000",
                                                                 "stockage,category,Stockage,35000"), encoding="utf-8")
    with pytest.raises(DataValidationError) as error:
        diagnostic.read_spending(copy_path)
    assert RAW.name in str(error.value) and "row 7" in str(error.value) and "printed_text" in str(error.value)


# ------------------------------------------------------------------------------------------
# The four steps, by hand
# ------------------------------------------------------------------------------------------

def test_dependency_in_money_by_hand(method):
    tiny = _tiny(method, [_category("serveurs", 1000, 0.25, 4, "none", 2031),
                          _category("bureautique", 3000, 0.5, 5, "many", 2026),
                          _category("visio", 1000, 1.0, 2, "some", 2028)])
    table = diagnostic.diagnose(tiny, method).set_index("category").loc[["serveurs", "bureautique", "visio"]]
    assert table.loc["serveurs", ["eu_eur", "non_eu_eur"]].tolist() == [250, 750]
    assert table.loc["bureautique", ["eu_eur", "non_eu_eur"]].tolist() == [1500, 1500]
    assert table.loc["visio", "non_eu_share"] == 0
    assert table["share_of_spend"].tolist() == [0.2, 0.6, 0.2]
    assert table["unknown_eur"].tolist() == [0, 0, 0]
    totals = diagnostic.dependency_totals(table)
    assert (totals["total_eur"], totals["eu_eur"], totals["non_eu_eur"]) == (5000, 2750, 2250)
    assert totals["non_eu_share"] == pytest.approx(0.45)


def test_risk_capacity_and_priority_by_hand(method):
    tiny = _tiny(method, [_category("serveurs", 1000, 0.25, 4, "none", 2031),
                          _category("bureautique", 3000, 0.5, 5, "many", 2026),
                          _category("visio", 1000, 1.0, 2, "some", 2028)])
    table = diagnostic.diagnose(tiny, method).set_index("category")
    # serveurs: risk 0.75 x 4/5 = 0.6 (reaches 'tres_eleve'); no alternative, contract 5 years away -> capacity 0
    assert table.loc["serveurs", "risk_score"] == pytest.approx(0.6) and table.loc["serveurs", "risk_class"] == "tres_eleve"
    assert table.loc["serveurs", "capacity"] == 0 and table.loc["serveurs", "capacity_class"] == "faible"
    assert table.loc["serveurs", "priority_score"] == pytest.approx(0.6) and table.loc["serveurs", "priority_class"] == "p1"
    # bureautique: risk 0.5; many alternatives, contract ends this year -> capacity 0.6 + 0.4 = 1 -> priority 0
    assert table.loc["bureautique", "risk_class"] == "eleve" and table.loc["bureautique", "capacity"] == 1
    assert table.loc["bureautique", "priority_score"] == 0 and table.loc["bureautique", "priority_class"] == "veille"
    # visio: all EU -> risk 0; some alternatives (0.5 x 0.6) and 2 years (0.5 x 0.4) -> capacity 0.5
    assert table.loc["visio", "risk_score"] == 0 and table.loc["visio", "capacity"] == pytest.approx(0.5)
    assert table.loc["visio", "capacity_class"] == "moyenne"
    # order: serveurs first; bureautique and visio tie at 0, bureautique has the larger non-EU spend
    assert table.sort_values("priority_rank").index.tolist() == ["serveurs", "bureautique", "visio"]


def test_ties_are_broken_by_non_eu_spend_then_method_order(method):
    # all three score 0.5 x 5/5 x (1 - 0.5) = 0.25; serveurs has twice the non-EU spend; postes_de_travail
    # comes before stockage in the method's list of categories
    tiny = _tiny(method, [_category("stockage", 1000, 0.5, 5, "some", 2028),
                          _category("postes_de_travail", 1000, 0.5, 5, "some", 2028),
                          _category("serveurs", 2000, 0.5, 5, "some", 2028)])
    table = diagnostic.diagnose(tiny, method)
    assert table["priority_score"].tolist() == pytest.approx([0.25, 0.25, 0.25])
    assert table["category"].tolist() == ["serveurs", "postes_de_travail", "stockage"]
    assert table["priority_rank"].tolist() == [1, 2, 3]


def test_a_score_on_a_threshold_gets_the_class_arithmetic_gives(method):
    # risk 0.25 x 5/5 = 0.25; capacity 0.6 (many) + 0.2 (2 years) = 0.8; priority 0.25 x 0.2 = 0.05 = p3 threshold
    tiny = _tiny(method, [_category("visio", 1000, 0.75, 5, "many", 2028)])
    row = diagnostic.diagnose(tiny, method).iloc[0]
    assert row["capacity"] == 0.8 and row["priority_score"] == 0.05 and row["priority_class"] == "p3"


def test_horizon_bands_and_classes_by_hand(method):
    assert diagnostic.horizon_score([0, 1, 2, 3, 4, 30], method.horizon_bands) == [1.0, 1.0, 0.5, 0.5, 0.0, 0.0]
    classes = [{"id": "a", "min": 0.0}, {"id": "b", "min": 0.2}, {"id": "c", "min": 0.6}]
    assert diagnostic.classify([0, 0.19999, 0.2, 0.1 + 0.1, 0.59, 0.6, 1], classes) == ["a", "a", "b", "b", "b", "c", "c"]


def test_summary_line_by_hand(method):
    tiny = _tiny(method, [_category("serveurs", 1000, 0.25, 4, "none", 2031),
                          _category("bureautique", 3000, 0.5, 5, "many", 2026),
                          _category("visio", 1000, 1.0, 2, "some", 2028)])
    row = diagnostic.summary_row(tiny, diagnostic.diagnose(tiny, method), method)
    assert row["n_p1"] == 1 and row["n_veille"] == 2 and row["critical_non_eu_eur"] == 2250
    assert row["summary_fr"] == ("Petite collectivité (test) : 5 k€ sur 3 postes, dont 2 k€ hors UE (45,0\u202f%) ; "
                                 "1 poste en priorité 1 ; priorités : 1. Serveurs, 2. Bureautique, 3. Visio")


# ------------------------------------------------------------------------------------------
# Malformed authority files: the error names file, authority, category and field
# ------------------------------------------------------------------------------------------

def _broken(tmp_path, method, edit):
    document = copy.deepcopy(_load_yaml(EXAMPLE_FILE))
    edit(document)
    target = tmp_path / "exemple_tie_break.yaml"
    target.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(diagnostic.DiagnosticError) as error:
        diagnostic.load_authority(target, method)
    return str(error.value)


def _entry(document, category):
    return next(c for c in document["categories"] if c["category"] == category)


def _names(message, *parts):
    for part in ("exemple_tie_break.yaml", "authority exemple_tie_break", *parts):
        assert part in message, f"{part!r} not in {message!r}"


def test_missing_field_is_named(tmp_path, method):
    message = _broken(tmp_path, method, lambda d: _entry(d, "serveurs").pop("criticality"))
    _names(message, "category serveurs", "field criticality")


def test_eu_share_above_one_is_named(tmp_path, method):
    message = _broken(tmp_path, method, lambda d: _entry(d, "visio").update(eu_share=1.2))
    _names(message, "category visio", "field eu_share", "1.2")


def test_unknown_category_is_named(tmp_path, method):
    message = _broken(tmp_path, method, lambda d: _entry(d, "visio").update(category="cloud"))
    _names(message, "category cloud", "field category", "unknown category", "visio (Visio)", "serveurs (Serveurs)")


def test_split_not_adding_up_to_the_stated_totals_is_named(tmp_path, method):
    # 10 points less EU on 3 820 000 € moves 382 000 € from EU to non-EU: both totals are off
    message = _broken(tmp_path, method, lambda d: _entry(d, "applications_metiers").update(eu_share=0.81))
    _names(message, "category (all)", "field eu_share", "stated_totals/eu_eur", "stated_totals/non_eu_eur",
           "-382,000", "+382,000")


def test_amount_pointing_at_another_row_is_named(tmp_path, method):
    message = _broken(tmp_path, method, lambda d: _entry(d, "serveurs").update(
        amount_eur="data/raw/slides/tie_break_example_spending.csv#stockage"))
    _names(message, "category serveurs", "field amount_eur", "'stockage'")


def test_contract_ending_before_the_reference_year_is_named(tmp_path, method):
    message = _broken(tmp_path, method, lambda d: _entry(d, "reseaux").update(contract_end_year=2024))
    _names(message, "category reseaux", "field contract_end_year")


def test_assumption_without_rationale_is_named(tmp_path, method):
    message = _broken(tmp_path, method, lambda d: _entry(d, "stockage")["sources"].update(alternatives="assumption"))
    _names(message, "category stockage", "field sources/alternatives")


def test_amount_given_as_number_needs_a_source(tmp_path, method):
    message = _broken(tmp_path, method, lambda d: _entry(d, "visio").update(amount_eur=34000))
    _names(message, "category visio", "field sources/amount_eur")


def test_file_name_must_be_the_authority_id(tmp_path, method):
    message = _broken(tmp_path, method, lambda d: d.update(id="autre_id"))
    assert "authority autre_id" in message and "field id" in message and "exemple_tie_break" in message


# ------------------------------------------------------------------------------------------
# Malformed method: the error names file, entry and field
# ------------------------------------------------------------------------------------------

def _broken_method(edit):
    document = copy.deepcopy(_load_yaml(diagnostic.METHOD_FILE))
    edit(document)
    with pytest.raises(diagnostic.DiagnosticError) as error:
        diagnostic.method_from_dict(document, "data/diagnostic/method.yaml")
    return str(error.value)


def test_method_weights_must_add_up_to_one():
    message = _broken_method(lambda d: d["capacity"]["weights"].update(alternatives=0.7))
    assert "data/diagnostic/method.yaml: entry capacity/weights: field alternatives" in message


def test_method_classes_must_increase():
    message = _broken_method(lambda d: d["risk"]["classes"][2].update(min=0.1))
    assert "entry risk/classes[eleve]: field min" in message


def test_method_value_without_source_is_named():
    message = _broken_method(lambda d: d["priority"]["classes"][3].pop("source"))
    assert "entry priority/classes[p1]: field source" in message


def test_method_formula_is_the_one_implemented():
    message = _broken_method(lambda d: d["priority"].update(formula="priority = risk × capacity"))
    assert "entry priority: field formula" in message


# ------------------------------------------------------------------------------------------
# Batch run
# ------------------------------------------------------------------------------------------

def test_batch_over_the_authorities_folder(method):
    tidy, summary = diagnostic.run_batch(AUTHORITIES, method)
    files = sorted(AUTHORITIES.glob("*.yaml"))
    assert summary["authority_id"].tolist() == [p.stem for p in files]
    assert len(tidy) == sum(len(_load_yaml(p)["categories"]) for p in files)
    assert not tidy.duplicated(["authority_id", "category"]).any()
    # synthetic authorities: totals computed here from their files
    for path in files[1:]:
        document = _load_yaml(path)
        row = summary.set_index("authority_id").loc[document["id"]]
        assert row["total_eur"] == sum(c["amount_eur"] for c in document["categories"])
        assert row["non_eu_eur"] == pytest.approx(sum(c["amount_eur"] * (1 - c["eu_share"]) for c in document["categories"]))
        ranks = tidy.loc[tidy["authority_id"] == document["id"], "priority_rank"].tolist()
        assert ranks == list(range(1, len(document["categories"]) + 1))
    interco = summary.set_index("authority_id").loc["synthetique_interco"]
    assert interco["eu_eur"] == pytest.approx(interco["stated_eu_eur"]) == 1_675_000


def test_batch_on_a_folder_of_tiny_authorities_and_a_broken_one(tmp_path, method):
    folder = tmp_path / "authorities"
    folder.mkdir()
    for name, share in (("a_one", 0.0), ("b_two", 1.0)):
        document = {"id": name, "name_fr": f"Collectivité {name}", "kind": "synthetic", "description": "Test authority.",
                    "reference_year": 2026, "sources": {"reference_year": "synthetic: test value"},
                    "categories": [_category("visio", 1000, share, 3, "none", 2030)]}
        (folder / f"{name}.yaml").write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    tidy, summary = diagnostic.run_batch(folder, method)
    assert summary["non_eu_share"].tolist() == [1.0, 0.0]
    assert tidy["priority_score"].tolist() == pytest.approx([0.6, 0.0])   # 1 x 3/5 x (1 - 0), then all EU
    broken = _load_yaml(folder / "b_two.yaml")
    broken["categories"][0]["criticality"] = 7
    (folder / "b_two.yaml").write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
    with pytest.raises(diagnostic.DiagnosticError, match=r"b_two\.yaml: authority b_two: category visio: field criticality"):
        diagnostic.run_batch(folder, method)


def test_figures_are_french_and_do_not_use_the_france_colour(method):
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_hex

    tidy, summary = diagnostic.run_batch(AUTHORITIES, method)
    example = tidy[tidy["authority_id"] == "exemple_tie_break"]
    from analysis import diagnostic_figures

    figures = [diagnostic_figures.spending_split_figure(example, "Exemple", "Note.", "Sources : test."),
               diagnostic_figures.priority_matrix_figure(example, "Exemple", method, "Sources : test."),
               diagnostic_figures.batch_summary_figure(summary, tidy, method, "Sources : test.")]
    for fig in figures:
        colours = {to_hex(p.get_facecolor()) for ax in fig.axes for p in ax.patches}
        colours |= {to_hex(c) for ax in fig.axes for col in ax.collections for c in col.get_facecolors()}
        assert FRANCE_COLOUR not in colours
        text = " ".join(t.get_text() for t in fig.findobj(lambda o: hasattr(o, "get_text")))
        assert "hors UE" in text and "Sources : test." in text
        plt.close(fig)
