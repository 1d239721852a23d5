"""Spreadsheet intake of the self-diagnostic: the template round-trips to the YAML example's
indicators; CSV separators, decimal commas and encodings; every malformed-file case gives one
complete report (row, column, value found, what is allowed) and writes nothing; lines aggregate to
categories by hand; unknown jurisdictions stay unknown; quick wins and their reasons."""

from __future__ import annotations

import csv
import datetime as dt

import openpyxl
import pandas as pd
import pytest
import yaml

from analysis import config, diagnostic, diagnostic_intake as intake, diagnostic_pages
from conftest import read_rows

RAW = config.RAW / "slides" / "tie_break_example_spending.csv"
EXAMPLE_FILE = config.DATA / "diagnostic" / "authorities" / "exemple_tie_break.yaml"
TEMPLATE = config.DATA / "diagnostic" / "modele"
INDICATORS = ["priority_rank", "category", "amount_eur", "eu_eur", "non_eu_eur", "unknown_eur", "criticality",
              "risk_score", "risk_class", "capacity", "capacity_class", "priority_score", "priority_class",
              "quick_win", "quick_win_rank"]


@pytest.fixture(scope="module")
def method() -> diagnostic.Method:
    return diagnostic.load_method()


def _example_lines_by_hand() -> list[list]:
    """The YAML example as inventory lines, computed here from the YAML file and the raw CSV (read
    with the csv module): per category one UE line (amount × eu_share) and one hors UE line."""
    amounts = {r["row_id"]: float(r["amount_eur"]) for r in read_rows(RAW)}
    method_doc = yaml.safe_load((config.DATA / "diagnostic" / "method.yaml").read_text(encoding="utf-8"))
    labels = {c["id"]: c["label_fr"] for c in method_doc["categories"]}
    words = {"none": "aucune", "some": "quelques-unes", "many": "nombreuses"}
    lines = []
    for entry in yaml.safe_load(EXAMPLE_FILE.read_text(encoding="utf-8"))["categories"]:
        amount = amounts[entry["amount_eur"].split("#")[1]]
        eu = round(amount * entry["eu_share"], 2)
        for zone, value in (("UE", eu), ("hors UE", amount - eu)):
            if value > 0:
                lines.append([labels[entry["category"]], value, f"Fournisseur {zone}", zone, entry["criticality"],
                              dt.date(entry["contract_end_year"], 6, 30), words[entry["alternatives"]], ""])
    return lines


def _indicators(authority, method):
    return diagnostic.diagnose(authority, method)[INDICATORS].reset_index(drop=True)


# ------------------------------------------------------------------------------------------
# Template: round trip, drop-down lists, CSV twin, filled example
# ------------------------------------------------------------------------------------------

def test_filled_xlsx_template_gives_the_yaml_example_indicators(tmp_path, method):
    book = openpyxl.load_workbook(TEMPLATE / "inventaire_modele.xlsx")
    sheet = book[intake.SHEET_LINES]
    assert [c.value for c in sheet[1]] == intake.HEADERS
    for row in _example_lines_by_hand():
        sheet.append(row)
    book[intake.SHEET_AUTHORITY]["B2"] = "Ma collectivité"
    target = tmp_path / "ma_collectivite.xlsx"
    book.save(target)
    loaded = diagnostic.load_authority(target, method)
    assert (loaded.id, loaded.name_fr, loaded.kind, loaded.reference_year) == ("ma_collectivite", "Ma collectivité", "real", 2026)
    example = diagnostic.load_authority(EXAMPLE_FILE, method)
    pd.testing.assert_frame_equal(_indicators(loaded, method), _indicators(example, method))
    assert loaded.categories["amount_eur"].sum() == sum(float(r["amount_eur"]) for r in read_rows(RAW)
                                                        if r["row_kind"] == "category")


def test_filled_csv_template_in_windows_1252_with_decimal_commas_gives_the_same(tmp_path, method):
    text = (TEMPLATE / "inventaire_modele.csv").read_text(encoding="utf-8-sig")
    rows = [";".join([r[0], f"{r[1]:.2f}".replace(".", ","), r[2], r[3], str(r[4]), r[5].strftime("%d/%m/%Y"), r[6], r[7]])
            for r in _example_lines_by_hand()]
    target = tmp_path / "ville.csv"
    target.write_bytes((text + "\n".join(rows) + "\n").encode("cp1252"))
    loaded = diagnostic.load_authority(target, method)
    example = diagnostic.load_authority(EXAMPLE_FILE, method)
    pd.testing.assert_frame_equal(_indicators(loaded, method), _indicators(example, method))


def test_comma_separated_utf8_with_decimal_points_and_english_style_amounts(tmp_path, method):
    target = tmp_path / "ville.csv"
    with open(target, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["poste", "MONTANT", "Fournisseur", "juridiction", "Criticite", "Échéance", "alternatives"])
        writer.writerow(["Serveurs", "1,250.50", "A", "UE", "4", "2027-06-30", "Quelques unes"])
        writer.writerow(["serveurs", "749.5", "B", "Hors-UE", "2 - limitée", "12/2028", "aucune"])
        writer.writerow(["VISIO", "1 000 €", "C", "inconnu", "vitale", "2026", "nombreuses"])
    authority = diagnostic.load_authority(target, method)
    table = authority.categories.set_index("category")
    assert table.loc["serveurs", ["amount_eur", "eu_eur", "non_eu_eur", "unknown_eur"]].tolist() == [2000, 1250.5, 749.5, 0]
    assert table.loc["visio", ["unknown_eur", "criticality", "n_lines"]].tolist() == [1000, 5, 1]


def test_xlsx_template_has_a_drop_down_list_on_each_coded_column(method):
    book = openpyxl.load_workbook(TEMPLATE / "inventaire_modele.xlsx")
    sheet, lists = book[intake.SHEET_LINES], book[intake.SHEET_LISTS]
    validations = {str(v.sqref).split(":")[0][0]: v for v in sheet.data_validations.dataValidation}
    header = {c.value: c.column_letter for c in sheet[1]}

    def listed(column):
        v = validations[header[column]]
        assert v.type == "list"
        ref = v.formula1.split("!")[1].replace("$", "")
        return [c.value for row in lists[ref] for c in row]

    assert listed("Poste") == method.categories["label_fr"].tolist()
    assert listed("Juridiction du fournisseur") == ["UE", "hors UE", "inconnu"]
    assert listed("Criticité (1 à 5)") == [1, 2, 3, 4, 5]
    assert listed("Alternatives connues") == ["aucune", "quelques-unes", "nombreuses"]
    assert validations[header["Montant (€)"]].type == "decimal"
    assert validations[header["Fin du contrat"]].type == "date"


def test_committed_filled_example_and_template_are_what_the_writer_makes(tmp_path, method):
    intake.write_template(tmp_path, method)
    intake.write_filled_example(tmp_path, method)
    for name in ("inventaire_modele.csv", "inventaire_exemple.csv"):
        assert (tmp_path / name).read_bytes() == (TEMPLATE / name).read_bytes(), name
    for name in ("inventaire_modele.xlsx", "inventaire_exemple.xlsx"):
        made, committed = (openpyxl.load_workbook(p) for p in (tmp_path / name, TEMPLATE / name))
        for sheet in made.sheetnames:
            assert list(made[sheet].values) == list(committed[sheet].values), (name, sheet)
    example = diagnostic.load_authority(EXAMPLE_FILE, method)
    for name in ("inventaire_exemple.csv", "inventaire_exemple.xlsx"):
        loaded = diagnostic.load_authority(TEMPLATE / name, method)
        pd.testing.assert_frame_equal(_indicators(loaded, method), _indicators(example, method))


# ------------------------------------------------------------------------------------------
# Malformed files: one complete report each, nothing written
# ------------------------------------------------------------------------------------------

GOOD = ["Serveurs", "12 000", "Fournisseur A", "hors UE", "4", "31/12/2027", "quelques-unes", ""]


def _csv(tmp_path, rows, header=None, name="ville.csv", encoding="utf-8"):
    lines = [";".join(header or intake.HEADERS)] + [";".join(r) for r in rows]
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def _report(path, method) -> intake.IntakeError:
    with pytest.raises(intake.IntakeError) as error:
        diagnostic.load_authority(path, method)
    return error.value


def _with(**changes):
    row = list(GOOD)
    for field, value in changes.items():
        row[[c.field for c in intake.COLUMNS].index(field)] = value
    return row


def test_unknown_category_lists_the_categories_by_name(tmp_path, method):
    report = _report(_csv(tmp_path, [GOOD, _with(category="Cloud")]), method)
    assert len(report.problems) == 1
    problem = report.problems[0]
    assert (problem["row"], problem["column"], problem["value"]) == (3, "Poste", "Cloud")
    assert problem["allowed"] == ", ".join(method.categories["label_fr"])
    assert "[a-z" not in str(report) and "ville.csv, row 3, column 'Poste': value 'Cloud'" in str(report)


@pytest.mark.parametrize("field, value, column, allowed_part", [
    ("amount_eur", "-500", "Montant (€)", "above 0"),
    ("contract_end", "31/02/2027", "Fin du contrat", "JJ/MM/AAAA"),
    ("contract_end", "fin 2027", "Fin du contrat", "JJ/MM/AAAA"),
    ("jurisdiction", "Etats-Unis", "Juridiction du fournisseur", "UE, hors UE, inconnu"),
    ("jurisdiction", "", "Juridiction du fournisseur", "UE, hors UE, inconnu"),
    ("criticality", "7", "Criticité (1 à 5)", "1, 2, 3, 4 or 5"),
    ("alternatives", "beaucoup", "Alternatives connues", "aucune, quelques-unes, nombreuses"),
])
def test_each_bad_value_is_reported_with_row_column_value_and_allowed(tmp_path, method, field, value, column, allowed_part):
    report = _report(_csv(tmp_path, [GOOD, _with(**{field: value})]), method)
    assert [(p["row"], p["column"], p["value"]) for p in report.problems] == [(3, column, value)]
    assert allowed_part in report.problems[0]["allowed"]


def test_duplicate_line_is_reported(tmp_path, method):
    report = _report(_csv(tmp_path, [GOOD, _with(supplier="B"), GOOD]), method)
    assert [(p["row"], "row 2" in p["message"]) for p in report.problems] == [(4, True)]


def test_missing_column_is_reported_with_the_expected_headers(tmp_path, method):
    header = [h for h in intake.HEADERS if h != "Fin du contrat"]
    row = [v for h, v in zip(intake.HEADERS, GOOD) if h != "Fin du contrat"]
    report = _report(_csv(tmp_path, [row], header=header), method)
    assert [(p["row"], p["column"], p["message"]) for p in report.problems] == [(1, "Fin du contrat", "missing column")]
    assert "Poste, Montant (€)" in report.problems[0]["allowed"]


@pytest.mark.parametrize("data, needle", [
    ("Poste;Montant\nServeurs;12\n".encode("utf-16"), "UTF-16"),
    (b"Poste;Montant (\x80);Fournisseur\nServeurs;1\x81;x\n", "byte 0x81 at line 2"),
])
def test_wrong_encoding_is_reported(tmp_path, method, data, needle):
    path = tmp_path / "ville.csv"
    path.write_bytes(data)
    report = _report(path, method)
    assert len(report.problems) == 1 and needle in report.problems[0]["message"]
    assert "UTF-8 or Windows-1252" in str(report)


def test_every_problem_of_a_file_is_in_one_report(tmp_path, method):
    rows = [GOOD, _with(category="Cloud"), _with(amount_eur="-3"), _with(contract_end="2027-13-01"),
            _with(jurisdiction="USA"), GOOD, _with(criticality="", alternatives="?")]
    report = _report(_csv(tmp_path, rows), method)
    found = [(p["row"], p["column"]) for p in report.problems]
    assert found == [(3, "Poste"), (4, "Montant (€)"), (5, "Fin du contrat"), (6, "Juridiction du fournisseur"),
                     (7, ""), (8, "Criticité (1 à 5)"), (8, "Alternatives connues")]
    assert str(report).count("\n") == len(found)


def test_a_spreadsheet_error_in_xlsx_names_the_sheet_row(tmp_path, method):
    book = openpyxl.load_workbook(TEMPLATE / "inventaire_modele.xlsx")
    sheet = book[intake.SHEET_LINES]
    sheet.append(["Serveurs", 1000, "A", "UE", 4, dt.date(2027, 1, 1), "aucune"])
    sheet.append(["Nuage", -5, "B", "Chine", 9, "demain", "aucune"])
    path = tmp_path / "ville.xlsx"
    book.save(path)
    report = _report(path, method)
    assert [(p["row"], p["column"]) for p in report.problems] == [
        (3, "Poste"), (3, "Montant (€)"), (3, "Juridiction du fournisseur"), (3, "Criticité (1 à 5)"), (3, "Fin du contrat")]


def _snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("rows", [[_with(category="Cloud")], [_with(amount_eur="-1")], [_with(contract_end="32/12/2027")],
                                  [_with(jurisdiction="US")], [GOOD, GOOD]])
def test_check_command_writes_nothing_and_leaves_outputs_untouched(tmp_path, method, rows, capsys):
    reports = tmp_path / "reports"
    (reports / "diagnostic").mkdir(parents=True)
    (reports / "diagnostic" / "ville.html").write_text("<p>previous page</p>", encoding="utf-8")
    before = _snapshot(reports)
    path = _csv(tmp_path, rows)
    stamp = reports / "diagnostic" / "checks" / "ville.ok"
    assert diagnostic.main(["check", str(path), "--stamp", str(stamp)]) == 1
    assert f"ville.csv, row {len(rows) + 1}" in capsys.readouterr().err
    assert _snapshot(reports) == before and not stamp.exists()
    path.write_text(";".join(intake.HEADERS) + "\n" + ";".join(GOOD) + "\n", encoding="utf-8")
    assert diagnostic.main(["check", str(path), "--stamp", str(stamp)]) == 0 and stamp.exists()


def test_check_command_reports_every_file_of_a_folder(tmp_path, method, capsys):
    _csv(tmp_path, [_with(category="Cloud")], name="a.csv")
    _csv(tmp_path, [_with(amount_eur="abc")], name="b.csv")
    _csv(tmp_path, [GOOD], name="c.csv")
    assert diagnostic.main(["check", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "2 file(s) with problems" in err and "a.csv, row 2, column 'Poste'" in err and "b.csv, row 2, column 'Montant (€)'" in err


# ------------------------------------------------------------------------------------------
# Aggregation, unknown jurisdiction, quick wins
# ------------------------------------------------------------------------------------------

def test_lines_aggregate_to_categories_by_hand(tmp_path, method):
    rows = [["Bureautique", "3000", "A", "UE", "2", "31/12/2026", "nombreuses", ""],
            ["Bureautique", "1000", "B", "hors UE", "5", "30/06/2031", "aucune", ""],
            ["Visio", "500", "C", "inconnu", "3", "2027", "quelques-unes", ""]]
    authority = diagnostic.load_authority(_csv(tmp_path, rows), method)
    table = authority.categories.set_index("category")
    office = table.loc["bureautique"]
    assert (office["amount_eur"], office["eu_eur"], office["non_eu_eur"], office["criticality"]) == (4000, 3000, 1000, 5)
    # alternatives: (3000 × 1.0 + 1000 × 0.0) / 4000; horizon: 0 years -> 1.0, 5 years -> 0.0
    assert office["alternatives_score"] == 0.75 and office["horizon_score"] == 0.75
    assert office["contract_end_year"] == 2026 and office["alternatives"] == "many" and office["n_lines"] == 2
    d = diagnostic.diagnose(authority, method).set_index("category")
    assert d.loc["bureautique", "capacity"] == pytest.approx(0.6 * 0.75 + 0.4 * 0.75)
    assert d.loc["bureautique", "risk_score"] == pytest.approx(0.25 * 5 / 5)


def test_unknown_jurisdiction_is_shown_as_unknown_never_guessed(tmp_path, method):
    rows = [["Visio", "600", "A", "inconnu", "5", "2030", "aucune", ""],
            ["Visio", "400", "B", "hors UE", "5", "2030", "aucune", ""]]
    authority = diagnostic.load_authority(_csv(tmp_path, rows), method)
    row = diagnostic.diagnose(authority, method).iloc[0]
    assert (row["eu_eur"], row["non_eu_eur"], row["unknown_eur"]) == (0, 400, 600)
    assert row["eu_share"] + row["non_eu_share"] + row["unknown_share"] == pytest.approx(1)
    assert row["risk_score"] == pytest.approx(0.4) and row["risk_if_unknown_non_eu"] == pytest.approx(1.0)
    tidy, summary = diagnostic.batch([authority], method)
    assert summary.loc[0, "unknown_eur"] == 600 and "juridiction inconnue" in summary.loc[0, "summary_fr"]
    assert "60 %" in diagnostic_pages.reasons(tidy, method)[0].replace("\u202f", " ")


def test_a_fully_non_eu_critical_item_easy_to_leave_shows_why_it_reads_a_surveiller(tmp_path, method):
    rows = [["Protection des terminaux", "50000", "A", "hors UE", "4", "31/12/2026", "nombreuses", ""]]
    authority = diagnostic.load_authority(_csv(tmp_path, rows), method)
    d = diagnostic.diagnose(authority, method)
    row = d.iloc[0]
    # risk 1 × 4/5 = 0.8; capacity 0.6 × 1 + 0.4 × 1 = 1; priority 0.8 × 0 = 0; quick win 0.8 × 1 = 0.8
    assert (row["risk_score"], row["capacity"], row["priority_score"]) == (0.8, 1.0, 0.0)
    assert row["priority_label"] == "à surveiller" and row["quick_win"] and row["quick_win_rank"] == 1
    reason = diagnostic_pages.priorities_table(d, method)["Pourquoi"].iloc[0].replace("\u202f", " ")
    assert "100 % hors UE" in reason and "0,80 × (1 − 1,00) = 0,00" in reason and "gain rapide" in reason
    assert len(diagnostic_pages.quick_wins_table(d)) == 1


def test_vectorised_batch_equals_the_per_authority_path(method):
    lines = intake.synthetic_lines(40, method, seed=7)
    categories = diagnostic.aggregate_lines(lines, method, keys=["authority_id"])
    authorities = [diagnostic.Authority(id=a, name_fr=f"Collectivité {a}", kind="synthetic", description="test",
                                        reference_year=2026, categories=c.drop(columns=["authority_id", "reference_year"])
                                        .reset_index(drop=True))
                   for a, c in categories.groupby("authority_id", sort=False)]
    fast = diagnostic.batch(authorities, method)
    slow = diagnostic.batch_per_authority(authorities, method)
    for a, b in zip(fast, slow):
        pd.testing.assert_frame_equal(a, b)
    one = lines[lines["authority_id"] == "synth_00000"]
    per_file = diagnostic.aggregate_lines(one.drop(columns="authority_id"), method)
    pd.testing.assert_frame_equal(per_file, categories[categories["authority_id"] == "synth_00000"]
                                  .drop(columns=["authority_id", "reference_year"]).reset_index(drop=True))


def test_authority_ids_from_file_names_match_the_workflow_s(tmp_path):
    import re as regex

    rules = (config.ROOT / "workflow" / "rules" / "diagnostic.smk").read_text(encoding="utf-8")
    assert "def diagnostic_authority_id" in rules
    namespace = {"Path": __import__("pathlib").Path, "_re": regex, "_unicodedata": __import__("unicodedata")}
    source = rules.split("def diagnostic_authority_id")[1].split("\n\n\n")[0]
    exec("def diagnostic_authority_id" + source, namespace)
    for name in ("Ville de Rennes.xlsx", "Métropole-Nord (2026).csv", "exemple_tie_break.yaml", "COMMUNE_B.CSV"):
        assert namespace["diagnostic_authority_id"](name) == diagnostic.authority_id_of(name)
    assert diagnostic.authority_id_of("Métropole-Nord (2026).csv") == "metropole_nord_2026"
    with pytest.raises(diagnostic.DiagnosticError, match="no file for authority 'absente'"):
        diagnostic.find_authority_file(tmp_path, "absente")
