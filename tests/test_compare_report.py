"""The comparison of the baseline with scenarios: its figures, its section in the report and its
sheets in the workbook, on small synthetic output folders made here from tables (no run of the
workflow). Nothing is written into the repository's reports/: every folder is a temporary one.
"""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import yaml  # noqa: E402

from analysis import compare, compare_figures, config, i18n, report, report_comparison, report_render  # noqa: E402
from analysis import scenarios  # noqa: E402
from analysis.io import write_csv, write_yaml  # noqa: E402

PROFILES = {"etat": "État", "egalite": "Poids égaux"}
# one pytest-xdist worker runs this module, so that its tests share the comparisons made once (compared())
pytestmark = pytest.mark.xdist_group("compare_report")


def _folder(folder, totals, first, budget, non_eu_share, recommended_share):
    """A small output folder: the tables the comparison reads, and a scenario record."""
    rows = []
    for profile, by_variant in totals.items():
        ranked = sorted(by_variant, key=by_variant.get, reverse=True)
        rows += [{"profile": profile, "profile_fr": PROFILES[profile], "variant_id": v, "total": t,
                  "rank": ranked.index(v) + 1} for v, t in by_variant.items()]
    tables = folder / "tables"
    write_csv(pd.DataFrame(rows), tables / "mcda_totals_by_profile.csv")
    write_csv(pd.DataFrame([{"profile": p, "profile_fr": PROFILES[p], **shares} for p, shares in first.items()]),
              tables / "smaa_first_rank_by_profile.csv")
    write_csv(pd.DataFrame([{"quantity": "annual_public_digital_resources_budget_eur", "low": budget * 0.6,
                             "central": budget, "median": budget, "high": budget * 1.5, "unit": "EUR per year",
                             "source": "test"}]), tables / "market_budget_for_variants.csv")
    reference = totals["egalite"]
    ordered = sorted(reference, key=reference.get, reverse=True)
    write_csv(pd.DataFrame([
        {"item": "recommended_variant", "value": ordered[0]},
        {"item": "runner_up", "value": ordered[1]},
        {"item": "reference_profile", "value": "egalite"},
        {"item": "smaa_first_rank_recommended", "value": recommended_share},
        {"item": "gap_central", "value": reference[ordered[0]] - reference[ordered[1]]},
        {"item": "gap_share_negative", "value": 1 - recommended_share},
    ]), tables / "sensitivity_summary.csv")
    write_csv(pd.DataFrame([{"authority_id": "a1", "name_fr": "Commune A", "total_eur": 1.0e6,
                             "non_eu_share": non_eu_share, "critical_share_of_non_eu": 0.5,
                             "priority_1": "bureautique"}]), tables / "diagnostic_batch_summary.csv")
    write_yaml({"scenario": folder.name, "description": {"fr": f"Le scénario {folder.name}.",
                                                         "en": f"The scenario {folder.name}."},
                "effective_parameters": {"04_variants": {"budget_column": "central"}},
                "input_checksums": scenarios.checksums(scenarios.input_files())},
               folder / scenarios.RECORD_NAME)


BASE_TOTALS = {"etat": {"V0": 0.40, "V1": 0.62, "V2": 0.58}, "egalite": {"V0": 0.45, "V1": 0.60, "V2": 0.52}}
BASE_FIRST = {"etat": {"V0": 0.05, "V1": 0.70, "V2": 0.25}, "egalite": {"V0": 0.10, "V1": 0.65, "V2": 0.25}}
# s1: the recommendation moves to V2 for the State's profile
S1_TOTALS = {"etat": {"V0": 0.40, "V1": 0.55, "V2": 0.61}, "egalite": {"V0": 0.45, "V1": 0.57, "V2": 0.55}}
S1_FIRST = {"etat": {"V0": 0.05, "V1": 0.35, "V2": 0.60}, "egalite": {"V0": 0.10, "V1": 0.50, "V2": 0.40}}


def _make_folders(tmp_path):
    """The baseline and two scenarios; s2 is stale (an input's recorded checksum differs)."""
    base, s1, s2 = tmp_path / "base", tmp_path / "s1", tmp_path / "s2"
    _folder(base, BASE_TOTALS, BASE_FIRST, 3.0e8, 0.52, 0.65)
    _folder(s1, S1_TOTALS, S1_FIRST, 3.0e8, 0.52, 0.50)
    _folder(s2, BASE_TOTALS, BASE_FIRST, 1.6e8, 0.60, 0.65)
    record = yaml.safe_load((s2 / scenarios.RECORD_NAME).read_text(encoding="utf-8"))
    changed = sorted(record["input_checksums"])[0]
    record["input_checksums"][changed] = "0" * 64
    write_yaml(record, s2 / scenarios.RECORD_NAME)
    return {"baseline": base, "s1": s1, "s2": s2, "stale_file": changed}


@pytest.fixture
def folders(tmp_path):
    """The three folders, not compared yet: for a test that changes them or compares them itself."""
    return _make_folders(tmp_path)


def _compare(folders, lang="fr"):
    output = folders["baseline"] / report_comparison.SUBDIR
    table, status = compare.write_comparison(["s1", "s2"], output, lang, baseline=folders["baseline"],
                                             folders={"s1": folders["s1"], "s2": folders["s2"]})
    return output, table, status


_COMPARED = {}


def compared(tmp_path_factory, lang="fr"):
    """The three folders and their comparison in ``lang``, made once per test process and shared by the
    tests that only read them (drawing a figure, building the report or the workbook from them):
    (folders, (output, table, status)). The comparison writes its figures, which costs more than the
    checks of one test; a test that changes the folders makes its own (fixture ``folders``)."""
    if lang not in _COMPARED:
        made = _make_folders(tmp_path_factory.mktemp(f"compared_{lang}"))
        _COMPARED[lang] = made, _compare(made, lang), _tree_digest(made["baseline"].parent)
    made, (output, table, status), _ = _COMPARED[lang]
    return made, (output, table.copy(), status.copy())


def _tree_digest(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module", autouse=True)
def _shared_comparisons_stay_unchanged():
    """The tests sharing a comparison only read it: each shared folder is as made, at the module's end."""
    yield
    for lang, (made, _, digest) in sorted(_COMPARED.items()):
        assert _tree_digest(made["baseline"].parent) == digest, f"a test changed the shared comparison ({lang})"
    _COMPARED.clear()


def _texts(fig) -> list[str]:
    found = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        found += [t.get_text() for t in ax.texts] + [ax.get_title(), ax.get_xlabel()]
        found += [t.get_text() for t in ax.get_yticklabels()] + [t.get_text() for t in ax.get_xticklabels()]
    return found


# --- the figures -----------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["fr", "en"])
def test_headline_figure_has_a_panel_per_headline_and_flags_the_stale_scenario(tmp_path_factory, lang):
    _, (_, table, status) = compared(tmp_path_factory, lang)
    fig = compare_figures.headline_comparison(table, status, lang=lang)
    drawn = compare_figures._select_rows(table)
    panels = [ax for ax in fig.axes if ax.axison]
    assert len(panels) == len(drawn) >= 5
    texts = _texts(fig)
    assert i18n.text("compare.fig.baseline", lang) in texts
    assert i18n.text("compare.fig.stale", lang, name="s2") in texts, "the stale scenario is named so"
    assert "s1" in texts, "a scenario up to date keeps its name"
    assert i18n.text("compare.fig.headline.title", lang) in texts
    # the market panel writes each folder's budget and the scenario's difference, from the table
    row = table.set_index(["part", "indicator"]).loc[("market", "annual_public_digital_resources_budget_eur (central)")]
    s2_text = compare_figures.format_headline(row["s2"], "EUR", lang)
    delta_text = compare_figures.format_delta(row["s2 delta"], "EUR", lang)
    assert delta_text.startswith("−") and f"{s2_text} ({delta_text})" in texts
    # every bar of a stale scenario is hatched, no other
    for ax in panels:
        hatched = [p for p in ax.patches if p.get_hatch()]
        assert len(hatched) <= 1
    assert any(p.get_hatch() for ax in panels for p in ax.patches)
    plt.close(fig)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_first_rank_figure_shows_every_variant_and_frames_the_first_on_the_totals(tmp_path_factory, lang):
    _, (output, _, status) = compared(tmp_path_factory, lang)
    first = pd.read_csv(output / compare.FIRST_RANK_FILE)
    fig = compare_figures.first_rank_comparison(first, status, lang=lang)
    panels = [ax for ax in fig.axes if ax.get_images()]
    assert [ax.get_title() for ax in panels] == list(PROFILES.values())
    rows = [t.get_text() for t in panels[0].get_yticklabels()]
    assert rows == [i18n.text("compare.fig.baseline", lang), "s1", i18n.text("compare.fig.stale", lang, name="s2")]
    for ax, profile in zip(panels, PROFILES):
        frames = {(round(p.get_x() + 0.5), round(p.get_y() + 0.5)) for p in ax.patches}
        expected = set()
        for i, totals in enumerate((BASE_TOTALS, S1_TOTALS, BASE_TOTALS)):
            best = max(totals[profile], key=totals[profile].get)
            expected.add((sorted(totals[profile]).index(best), i))
        assert frames == expected, "the first variant on the weighted total is framed in each row"
        shares = {i18n.percent(100 * v, lang, 0) for v in list(BASE_FIRST[profile].values()) + list(S1_FIRST[profile].values())}
        assert shares <= {t.get_text() for t in ax.texts}
    assert i18n.text("compare.fig.first_rank.title", lang) in _texts(fig)
    plt.close(fig)


@pytest.mark.long_running
def test_the_comparison_writes_its_tables_and_figures(folders):
    output, table, status = _compare(folders)
    for name in (compare.HEADLINE_FILE, compare.STATUS_FILE, compare.FIRST_RANK_FILE, compare.HEADLINE_FIGURE,
                 compare.FIRST_RANK_FIGURE):
        assert (output / name).stat().st_size > 0, name
    assert {"label_fr", "label_en", "unit"} <= set(table.columns)
    state = status.set_index("scenario")
    assert bool(state.loc["s2", "stale"]) and not bool(state.loc["s1", "stale"])
    assert state.loc["s1", "headline_sha256"] == compare.headline_fingerprint(folders["s1"])
    first = pd.read_csv(output / compare.FIRST_RANK_FILE)
    s1 = first[(first["scenario"] == "s1") & (first["profile"] == "etat")].set_index("variant_id")
    assert s1.loc["V2", "rank"] == 1 and s1.loc["V2", "first_rank_share"] == S1_FIRST["etat"]["V2"]
    before = (output / compare.HEADLINE_FIGURE).read_bytes()
    _compare(folders)
    assert (output / compare.HEADLINE_FIGURE).read_bytes() == before, "same tables, same figure"


def test_compare_rebuilds_the_report_only_for_the_comparison_the_report_reads(monkeypatch):
    calls, written = [], []
    status = pd.DataFrame([{"scenario": "baseline", "built": True, "stale": False, "first_changed_inputs": ""}])
    monkeypatch.setattr(compare, "rebuild_report", lambda lang: calls.append(lang) or 0)
    monkeypatch.setattr(compare, "update_baseline", lambda lang: calls.append("update " + lang) or 0)
    # nothing is written: the tables' writer is replaced, only where it would write is kept
    monkeypatch.setattr(compare, "write_comparison",
                        lambda names, output, lang: written.append(output) or (pd.DataFrame(), status))
    assert compare.main(["never_built", "--output", "reports/comparison/a_sweep"]) == 0
    assert compare.main(["never_built", "--no-report"]) == 0
    assert calls == []
    assert compare.main(["never_built", "--lang", "en"]) == 0
    assert calls == ["update en", "en"], "the baseline brought up to date, then compared, then the report"
    assert written[-1] == config.resolve(compare.COMPARISON_DIR)


# --- the report ------------------------------------------------------------------------------------

STRUCTURE = {"sections": [{"id": "scenarios", "kind": "comparison"}]}


@pytest.fixture
def structure(tmp_path):
    path = tmp_path / "report.yaml"
    path.write_text(yaml.safe_dump(STRUCTURE), encoding="utf-8")
    return path


def _section(built):
    return [s for s in built.sections if s.id == "scenarios"][0]


def _paragraphs(section) -> str:
    return " ".join("".join(s if isinstance(s, str) else s.text for s in b.spans)
                    for b in section.blocks if type(b).__name__ == "Paragraph")


def test_the_report_says_how_to_make_a_comparison_when_there_is_none(tmp_path, structure):
    root = tmp_path / "out"
    root.mkdir()
    for lang in ("fr", "en"):
        section = _section(report.build(root, lang, structure_path=structure))
        assert not [b for b in section.blocks if type(b).__name__ in ("Table", "Figure")]
        assert i18n.text("report.comparison.none", lang) in _paragraphs(section)
        assert "bash tools/compare.sh" in _paragraphs(section)


def test_the_report_shows_the_comparison_table_figures_and_stale_flags(tmp_path_factory, structure, tmp_path):
    folders, _ = compared(tmp_path_factory)
    built = report.build(folders["baseline"], "fr", structure_path=structure)
    section = _section(built)
    tables = {b.name: b for b in section.blocks if type(b).__name__ == "Table"}
    figures = [b.name for b in section.blocks if type(b).__name__ == "Figure"]
    assert figures == [compare.HEADLINE_FIGURE[:-4], compare.FIRST_RANK_FIGURE[:-4]]
    assert all(b.number > 0 for b in section.blocks if type(b).__name__ in ("Table", "Figure")), "numbered"
    headline = tables["headline_comparison"]
    stale_header = f"s2 ({i18n.text('report.comparison.flag.stale', 'fr')})"
    assert headline.headers == ["Indicateur", "Référence", "s1", "Δ s1", stale_header, "Δ s2"]
    table = pd.read_csv(folders["baseline"] / "comparison" / compare.HEADLINE_FILE)
    margin = table[table["indicator"] == "margin of the first variant over the second, profile etat"].iloc[0]
    row = [r for r in headline.rows if r[0] == margin["label_fr"]][0]
    assert row[2] == compare_figures.format_headline(margin["s1"], "points", "fr")
    assert row[3] == compare_figures.format_delta(margin["s1 delta"], "points", "fr")
    first = [r for r in headline.rows if r[0] == i18n.text("compare.headline.first_variant", "fr", profile="État")][0]
    assert first[1:4] == ["V1", "V2", i18n.text("compare.delta.changed", "fr")]
    status = tables["scenario_status"]
    states = {r[0]: r[2] for r in status.rows}
    assert states["s1"] == i18n.text("report.comparison.state.ok", "fr")
    assert states["s2"].startswith(i18n.text("report.comparison.state.stale", "fr"))
    assert folders["stale_file"] in states["s2"]
    assert "Le scénario s1." in [r[3] for r in status.rows if r[0] == "s1"][0]
    assert i18n.text("report.comparison.stale", "fr", names="s2") in _paragraphs(section)
    html = report_render.render_html(built)
    for anchor in ("tab-headline_comparison", "tab-scenario_status", "fig-headline_comparison"):
        assert f'id="{anchor}"' in html
    assert stale_header in html
    pdf = report_render.write_pdf(built, tmp_path / "r.pdf")
    assert pdf.stat().st_size > 0


def test_a_comparison_older_than_a_scenarios_results_is_flagged(folders, structure):
    _compare(folders)
    _folder(folders["s1"], BASE_TOTALS, BASE_FIRST, 3.0e8, 0.52, 0.65)  # s1 rebuilt with other results
    built = report.build(folders["baseline"], "en", structure_path=structure)
    section = _section(built)
    text = _paragraphs(section)
    assert i18n.text("report.comparison.outdated", "en", names="s1", command="bash tools/compare.sh s1 s2") in text
    headline = [b for b in section.blocks if getattr(b, "name", "") == "headline_comparison"][0]
    assert f"s1 ({i18n.text('report.comparison.flag.outdated', 'en')})" in headline.headers


def test_a_scenarios_report_points_to_the_baseline_report(tmp_path_factory, structure):
    folders, _ = compared(tmp_path_factory)
    built = report.build(folders["s1"], "fr", structure_path=structure, workflow_override={"scenario": "s1"})
    section = _section(built)
    assert _paragraphs(section) == " ".join([i18n.text("report.intro.scenarios", "fr"),
                                             i18n.text("report.comparison.in_scenario", "fr", name="s1")])


# --- the workbook ----------------------------------------------------------------------------------

def test_the_workbook_has_the_comparison_sheets_with_their_headers(folders, structure, tmp_path, monkeypatch,
                                                                  tmp_path_factory):
    openpyxl = pytest.importorskip("openpyxl")
    from analysis import report_workbook

    monkeypatch.setattr(report_workbook, "declared_outputs", lambda: {})
    root = folders["baseline"]
    without = report_workbook.write_workbook(report.build(root, "fr", structure_path=structure), tmp_path / "a.xlsx")
    assert "Comparison" not in openpyxl.load_workbook(without).sheetnames
    shared, (_, table, _) = compared(tmp_path_factory)   # the same folders, once compared
    root = shared["baseline"]
    path = report_workbook.write_workbook(report.build(root, "fr", structure_path=structure), tmp_path / "b.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[-2:] == ["Comparison", "Comparison status"]
    sheet = book["Comparison"]
    headers = [c.value for c in sheet[1]]
    assert headers[:5] == [i18n.text("report.col.part", "fr"), i18n.text("report.comparison.col.id", "fr"),
                           i18n.text("report.col.indicator", "fr"), i18n.text("report.col.unit", "fr"),
                           i18n.text("report.comparison.col.baseline", "fr")]
    assert f"s2 ({i18n.text('report.comparison.flag.stale', 'fr')})" in headers
    assert sheet.max_row == len(table) + 1
    values = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    budget = values["annual_public_digital_resources_budget_eur (central)"]
    s2 = headers.index(f"s2 ({i18n.text('report.comparison.flag.stale', 'fr')})")
    assert math.isclose(budget[s2 + 1], budget[s2] - budget[4]), "the delta is a number in the workbook"
    readme = " ".join(str(c.value) for row in book["README"].iter_rows() for c in row if c.value)
    assert "Comparison" in readme and "Comparison status" in readme
    status = [c.value for c in book["Comparison status"][1]]
    assert status == [i18n.text(f"report.comparison.col.{c}", "fr") for c in ("scenario", "folder", "state", "changes")]
