"""OECD procurement practices (Table 12.1): the transcription, the counts and claims recomputed
from it, the typology, the variant map and the exact tests. Expected values are computed here
from the raw CSV with the standard library, never by the function under test."""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy.stats import fisher_exact

from analysis import config, practices, variants
from analysis.validation import DataValidationError
from tests.conftest import read_rows

RAW = config.RAW / "slides" / "oecd_deo2023_table_12_1.csv"
PRACTICE_IDS = ["direct_provision", "delegated_provision", "preauthorised_list", "case_by_case_authorisation",
                "binding_criteria", "price_negotiation", "guidance_to_schools"]


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return read_rows(RAW)


@pytest.fixture(scope="module")
def yes(rows) -> dict[str, set[str]]:
    """practice -> systems with a tick, from the CSV text."""
    out = defaultdict(set)
    for row in rows:
        if row["value"] == "yes":
            out[row["practice"]].add(row["system_code"])
    return out


@pytest.fixture(scope="module")
def raw():
    return practices.read_raw()


@pytest.fixture(scope="module")
def matrix(raw):
    return practices.practice_matrix(raw)


# --- the transcription ------------------------------------------------------------------------

def test_one_row_per_system_and_practice(rows):
    systems = {r["system_code"] for r in rows}
    assert len(rows) == len(systems) * len(PRACTICE_IDS)
    assert {(r["system_code"], r["practice"]) for r in rows} == {(s, p) for s in systems for p in PRACTICE_IDS}


def test_value_asterisk_and_criteria_follow_the_cell_text(rows):
    labels = {"Égalité d'accès": "equity_of_access", "Sécurité": "security",
              "Interopérabilité": "interoperability", "Durabilité": "sustainability"}
    for row in rows:
        text = row["cell_text"]
        assert row["value"] == ("yes" if text else "no"), row
        assert row["asterisk"] == ("true" if "*" in text else "false"), row
        if row["practice"] == "binding_criteria" and text:
            names = [part.strip().rstrip("*").strip() for part in text.split(",")]
            expected = "unspecified" if names == ["✓"] else "|".join(labels[n] for n in names)
            assert row["criteria"] == expected, row
        else:
            assert row["criteria"] == "", row


def test_every_system_code_is_in_the_mapping_with_the_slide_label(rows):
    mapping = {r["code"]: r for r in read_rows(config.MAPPINGS / "education_systems.csv")}
    for row in rows:
        assert row["label_fr"] == mapping[row["system_code"]]["slide_label_fr"]
        assert mapping[row["system_code"]]["in_table_12_1"] == "true"


# --- counts and claims --------------------------------------------------------------------------

def test_counts_per_practice_match_the_raw_file(raw, yes):
    counts = practices.practice_counts(raw)
    by_practice = counts[counts["level"] == "pratique"].set_index("practice")
    for practice in PRACTICE_IDS:
        assert by_practice.at[practice, "n_systems_yes"] == len(yes[practice]), practice
    assert list(by_practice.index) == PRACTICE_IDS


def test_matrix_matches_the_raw_file(matrix, yes):
    for practice in PRACTICE_IDS:
        assert set(matrix.index[matrix[practice] == 1]) == yes[practice]


def _statements() -> dict[str, dict]:
    return {r["statement_id"]: r for r in read_rows(config.RAW / "slides" / "oecd_slide_statements.csv")}


def _main_threshold(claim_id: str) -> float:
    spec = yaml.safe_load((config.DATA / "claims" / "thresholds.yaml").read_text(encoding="utf-8"))["claims"][claim_id]
    return next(t["value"] for t in spec["thresholds"] if t["id"] == spec["main"]["threshold"])


def test_claims_recomputed_from_the_raw_file(raw, rows, yes):
    """Every value from the two raw files (table and slide statements), with the standard library."""
    systems = {r["system_code"] for r in rows}
    central = yes["direct_provision"] | yes["delegated_provision"]
    no_nego = systems - yes["price_negotiation"]
    statements = _statements()
    checks = practices.claim_checks(raw).set_index("claim_id")
    value = checks["computed_value"]
    assert value["PRACT-SYSTEMS-COUNT"] == float(statements["pract_bullet_1"]["value"])
    assert value["PRACT-TABLE-ROWS"] == len(systems)
    assert value["PRACT-TABLE-CAPTION-YEAR"] == float(statements["pract_caption"]["value"])
    assert value["PRACT-CENTRAL-COUNT"] == len(central)
    assert value["PRACT-DELEGATED-COUNT"] == len(yes["delegated_provision"])
    assert value["PRACT-FRA-DELEGATES"] == int("FRA" in yes["delegated_provision"])
    assert value["PRACT-FRA-NO-NEGOTIATION"] == int("FRA" in no_nego)
    rare = _main_threshold("PRACT-FRA-RARE-NO-NEGO-ALL")
    assert value["PRACT-FRA-RARE-NO-NEGO-ALL"] == int("FRA" in no_nego and len(no_nego) / len(systems) <= rare)
    rare = _main_threshold("PRACT-FRA-RARE-NO-NEGO-CENTRAL")
    assert value["PRACT-FRA-RARE-NO-NEGO-CENTRAL"] == int(
        "FRA" in no_nego and len(no_nego & central) / len(central) <= rare)
    examples = set(statements["pract_bullet_3"]["items_codes"].split("|"))
    assert value["PRACT-NONCENTRAL-EXAMPLES"] == len(examples - central)
    france_criteria = next(r["criteria"] for r in rows
                           if r["system_code"] == "FRA" and r["practice"] == "binding_criteria")
    assert value["PRACT-FRA-BINDING-CRITERIA"] == int(
        set(france_criteria.split("|")) == set(statements["pract_bullet_7"]["items_codes"].split("|")))
    interop = [c for c in statements["interop_exemplary_countries"]["items_codes"].split("|")
               if any(r["system_code"] == c and r["practice"] == "binding_criteria"
                      and "interoperability" in r["criteria"] for r in rows)]
    assert value["PRACT-INTEROP-EXEMPLARY"] == len(interop)


def test_share_of_readings_is_recounted_from_the_raw_file(raw, rows, yes):
    """'La plupart' over every threshold and set of thresholds.yaml, recounted here."""
    spec = yaml.safe_load((config.DATA / "claims" / "thresholds.yaml").read_text(encoding="utf-8"))[
        "claims"]["PRACT-GUIDANCE-MOST"]
    systems = {r["system_code"] for r in rows}
    central = yes["direct_provision"] | yes["delegated_provision"]
    guidance = yes["guidance_to_schools"]
    shares = {"table": len(guidance) / len(systems),
              "non_central": len(guidance - central) / len(systems - central)}
    holds = [shares[s] > t["value"] for s in spec["country_sets"] for t in spec["thresholds"]]
    checks = practices.claim_checks(raw).set_index("claim_id")
    assert checks.at["PRACT-GUIDANCE-MOST", "readings_true"] == pytest.approx(sum(holds) / len(holds))


def test_deciding_cells_change_the_nearest_systems(matrix):
    cells = practices.deciding_cells(matrix, "FRA", 2)
    base = practices.nearest_systems(practices.jaccard_distances(matrix), matrix, "FRA", 2)["system_code"]
    for row in cells.head(5).itertuples():
        flipped = matrix.copy()
        flipped.at[row.system_code, row.practice] = 1 - flipped.at[row.system_code, row.practice]
        after = practices.nearest_systems(practices.jaccard_distances(flipped), flipped, "FRA", 2)["system_code"]
        assert set(after) != set(base)
    # a cell of a system far from France changes nothing
    far = practices.jaccard_distances(matrix).loc["FRA"].idxmax()
    assert far not in set(cells["system_code"])


def test_silhouette_on_a_hand_made_partition():
    d = pd.DataFrame([[0, 1, 4, 4], [1, 0, 4, 4], [4, 4, 0, 2], [4, 4, 2, 0]], dtype=float)
    # point 0: a = 1, b = 4 -> 0.75; point 2: a = 2, b = 4 -> 0.5
    assert practices.silhouette(d, np.array([1, 1, 2, 2])) == pytest.approx((0.75 + 0.75 + 0.5 + 0.5) / 4)


def test_typology_stability_reports_every_distance_and_linkage(matrix):
    table = practices.typology_stability(matrix, 4)
    assert len(table) == len(practices.ALTERNATIVE_DISTANCES) * len(practices.ALTERNATIVE_LINKAGES)
    assert table["cophenetic_correlation"].between(-1, 1).all()


def test_cluster_bootstrap_is_seeded(matrix):
    a = practices.cluster_bootstrap(matrix, 4, n_draws=20, seed=1)
    b = practices.cluster_bootstrap(matrix, 4, n_draws=20, seed=1)
    pd.testing.assert_frame_equal(a, b)
    assert a["share_with_france"].between(0, 1).all()


def test_claim_values_cover_every_registered_claim(raw, tmp_path):
    from analysis import claims

    path = claims.write_computed("practices", practices.claim_values(practices.claim_checks(raw)), tmp_path)
    written = pd.read_csv(path)
    needed = claims.registry_for("practices").query("kind in ['reproduce', 'derived', 'verbal']")["claim_id"]
    assert set(needed) <= set(written["claim_id"])


# --- typology on a hand-made example -------------------------------------------------------------

def _hand_matrix() -> pd.DataFrame:
    """Four systems over the seven practices with distances worked out by hand:
    FRA {1,2,7}, DNK {1,2,7} (identical: 0), ITA {1} (1/3 shared of 3: distance 2/3), SWE {4} (1)."""
    profiles = {"FRA": {0, 1, 6}, "DNK": {0, 1, 6}, "ITA": {0}, "SWE": {3}}
    return pd.DataFrame([[int(j in cols) for j in range(7)] for cols in profiles.values()],
                        index=pd.Index(list(profiles), name="system_code"), columns=PRACTICE_IDS)


def test_jaccard_distances_on_a_hand_made_example():
    d = practices.jaccard_distances(_hand_matrix())
    assert d.at["FRA", "DNK"] == 0
    assert d.at["FRA", "ITA"] == pytest.approx(2 / 3)
    assert d.at["FRA", "SWE"] == 1
    assert d.at["ITA", "SWE"] == 1
    assert np.allclose(d.to_numpy(), d.to_numpy().T)


def test_nearest_systems_and_clusters_on_a_hand_made_example():
    m = _hand_matrix()
    d = practices.jaccard_distances(m)
    nearest = practices.nearest_systems(d, m, "FRA", k=2)
    assert nearest["system_code"].tolist() == ["DNK", "ITA"]
    assert nearest["jaccard_distance"].tolist() == pytest.approx([0, 2 / 3])
    groups = practices.clusters(d, 2).set_index("system_code")["cluster"]
    assert groups["FRA"] == groups["DNK"] == groups["ITA"] != groups["SWE"]


def test_nearest_systems_keeps_ties():
    m = _hand_matrix()
    d = practices.jaccard_distances(m)
    nearest = practices.nearest_systems(d, m, "ITA", k=1)
    assert set(nearest["system_code"]) == {"FRA", "DNK"}  # tied at 2/3


def test_variant_map_on_a_hand_made_example():
    rules = {"multiple": True, "primary": "rarest_rule_then_order", "rules": [
        {"id": "a", "variant_id": "V1", "variant_name_fr": "Un", "all_of": ["direct_provision"], "any_of": [],
         "supporting": ["guidance_to_schools"], "rationale": "hand-made rule", "source": "assumption"},
        {"id": "b", "variant_id": "V2", "variant_name_fr": "Deux", "all_of": ["delegated_provision"],
         "any_of": [], "supporting": [], "rationale": "hand-made rule", "source": "assumption"},
    ]}
    vm = practices.variant_map(_hand_matrix(), rules)
    assert list(vm.columns) == practices.VARIANT_MAP_COLUMNS
    assert set(zip(vm["system_code"], vm["variant_id"])) == {
        ("FRA", "V1"), ("DNK", "V1"), ("ITA", "V1"), ("FRA", "V2"), ("DNK", "V2")}
    assert "Orientations" in vm.set_index(["system_code", "variant_id"]).at[("FRA", "V1"), "evidence"]
    primary = practices.primary_variants(_hand_matrix(), rules).set_index("system_code")["primary_variant_id"]
    assert primary["FRA"] == "V2"  # the rarer rule wins the tie
    assert primary["ITA"] == "V1" and primary["SWE"] == ""


# --- the variant map and the exact tests on the real table ---------------------------------------

def test_variant_map_evidence_is_in_the_raw_file(matrix, yes):
    rules = practices.load_variant_rules()
    vm = practices.variant_map(matrix, rules)
    assert list(vm.columns) == practices.VARIANT_MAP_COLUMNS
    assert set(vm["variant_id"]) <= {v.id for v in variants.load_variants()}
    for rule in rules["rules"]:
        expected = set.intersection(*(yes[p] for p in rule["all_of"]))
        assert set(vm.loc[vm["variant_id"] == rule["variant_id"], "system_code"]) == expected, rule["id"]


def test_exact_test_central_buying_vs_negotiation(matrix, rows, yes):
    systems = {r["system_code"] for r in rows}
    central = yes["direct_provision"] | yes["delegated_provision"]
    nego = yes["price_negotiation"]
    table = [[len(central & nego), len(central - nego)],
             [len(nego - central), len(systems - central - nego)]]
    tests = practices.association_tests(matrix, practices.load_association_tests()).set_index("test_id")
    row = tests.loc["central-vs-negotiation"]
    assert [[row.n_a_b, row.n_a_notb], [row.n_nota_b, row.n_nota_notb]] == table
    assert row.p_value == pytest.approx(fisher_exact(table).pvalue)
    assert row.ci_low <= row.odds_ratio_conditional <= row.ci_high or math.isinf(row.odds_ratio_conditional)
    assert (tests["p_value_holm"] >= tests["p_value"] - 1e-12).all()


# --- bad input: errors name file, row and column ----------------------------------------------------

def _bad_copy(tmp_path: Path, edit) -> Path:
    with open(RAW, newline="", encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    edit(table)
    path = tmp_path / RAW.name
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(table)
    return path


def test_missing_column_is_named(tmp_path):
    def drop_value(table):
        i = table[0].index("value")
        for row in table:
            del row[i]
    path = _bad_copy(tmp_path, drop_value)
    with pytest.raises(DataValidationError) as error:
        practices.read_raw(path)
    assert RAW.name in str(error.value)
    assert "column 'value'" in str(error.value) and "missing" in str(error.value)


def test_wrong_value_names_file_row_and_column(tmp_path):
    def edit(table):
        table[5][table[0].index("value")] = "maybe"  # file line 6
    with pytest.raises(DataValidationError) as error:
        practices.read_raw(_bad_copy(tmp_path, edit))
    assert f"{RAW.name}: row 6: column 'value'" in str(error.value)


def test_unknown_system_names_file_row_and_column(tmp_path):
    def edit(table):
        table[10][table[0].index("system_code")] = "XXX"  # file line 11
    with pytest.raises(DataValidationError) as error:
        practices.read_raw(_bad_copy(tmp_path, edit))
    assert f"{RAW.name}: row 11: column 'system_code'" in str(error.value)
    assert "XXX" in str(error.value)


def test_inconsistent_cell_names_file_row_and_column(tmp_path):
    def edit(table):
        header = table[0]
        line = next(i for i, r in enumerate(table) if r[header.index("cell_text")] == "")
        table[line][header.index("value")] = "yes"  # a tick without a cell
        edit.line = line + 1
    with pytest.raises(DataValidationError) as error:
        practices.read_raw(_bad_copy(tmp_path, edit))
    assert f"row {edit.line}: column 'value'" in str(error.value)


def test_bad_variant_rule_names_file_entry_and_field(tmp_path):
    document = yaml.safe_load(practices.VARIANT_RULES_FILE.read_text(encoding="utf-8"))
    document["rules"][1]["all_of"] = ["no_such_practice"]
    path = tmp_path / "variant_map.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    with pytest.raises(practices.PracticesConfigError, match=r"variant_map\.yaml: entry rules/1 .*field all_of"):
        practices.load_variant_rules(path)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_practices_figures_draw_in_both_languages(raw, matrix, lang):
    import matplotlib.pyplot as plt

    from analysis import practices_figures

    counts = practices.practice_counts(raw)
    figures = [practices_figures.frequency_figure(counts, lang=lang),
               practices_figures.heatmap_figure(raw, lang=lang),
               practices_figures.dendrogram_figure(practices.jaccard_distances(matrix), "average", 4, lang=lang)]
    labels = [t.get_text() for t in figures[0].axes[0].get_yticklabels()]
    assert ("Fourniture directe" in labels) == (lang == "fr")
    for figure in figures:
        plt.close(figure)
