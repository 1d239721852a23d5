"""The study report (HTML, PDF, Word), the workbook and the provenance annex.

Most tests build the report from a small fixture set of tables and figures made here (fast, and
independent of a run of the workflow). Tests marked "full" build it from the workflow's outputs in
reports/ when they are there (after `bash tools/regenerate.sh`) and are skipped otherwise. The
browser test opens the HTML in headless Chromium (the Debian `chromium` package, which .ci/run
installs) and is skipped with a message where Chromium is absent.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import yaml  # noqa: E402

from analysis import config, i18n, report, report_render  # noqa: E402
from analysis.report_format import ReportBuildError, TableSpec, format_frame, format_value  # noqa: E402
from analysis.report_outputs import Output, declared_outputs  # noqa: E402

REPORTS = config.REPORTS


# --- fixture: a small output root ------------------------------------------------------------------

FIXTURE_STRUCTURE = {
    "source_keys": {"market": "report.source.market", "claims": "report.source.claims"},
    "column_formats": yaml.safe_load(config.resolve("config/report.yaml").read_text(encoding="utf-8"))["column_formats"],
    "row_units": {"EUR": "meur", "%": "pct"},
    "sections": [
        {"id": "market", "part": "market", "items": [
            {"figure": "market_tornado"},
            {"table": "market_budget_for_variants", "row_unit": "unit"},
            {"figure": "market_monte_carlo"},
        ]},
        {"id": "ledger", "part": "claims", "kind": "ledger", "items": [{"table": "claims"}]},
        {"id": "data", "kind": "data_provenance"},
        {"id": "method", "kind": "method_notes"},
    ],
}

FIXTURE_BUDGET = [
    {"quantity": "annual_public_digital_resources_budget_eur", "low": 332159390.7, "central": 446347500,
     "high": 714353020.9, "unit": "EUR", "source": "fixture"},
    {"quantity": "local_authority_share_of_public_digital_spending_pct", "low": 83.3, "central": 86.9,
     "high": "", "unit": "%", "source": "fixture"},
]
FIXTURE_CLAIMS = [
    {"claim_id": "FIX-A", "part": "market", "slide": 7, "statement": "Une affirmation", "slide_value": 1.6,
     "computed_value": 1.6, "unit": "bn€", "kind": "input", "status": "input", "tolerance": 0, "source": "x",
     "explanation": "cited"},
    {"claim_id": "FIX-B", "part": "oecd", "slide": 5, "statement": "Une autre", "slide_value": 12.9,
     "computed_value": 13.0, "unit": "%", "kind": "reproduce", "status": "discrepancy", "tolerance": 0.05,
     "source": "y", "explanation": "revision"},
]


def _write_csv(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _figure(path: Path, width: float, height: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(width, height))
    ax.plot([0, 1, 2], [1, 3, 2])
    fig.savefig(path, dpi=60)
    plt.close(fig)


@pytest.fixture
def fixture_root(tmp_path, monkeypatch):
    root = tmp_path / "out"
    _figure(root / "figures" / "market_tornado.png", 6, 3)
    _figure(root / "figures" / "market_monte_carlo.png", 4, 9)  # a tall figure
    _write_csv(root / "tables" / "market_budget_for_variants.csv", FIXTURE_BUDGET)
    _write_csv(root / "claims.csv", FIXTURE_CLAIMS)
    structure = tmp_path / "report.yaml"
    structure.write_text(yaml.safe_dump(FIXTURE_STRUCTURE, allow_unicode=True), encoding="utf-8")
    outputs = {
        ("figure", "market_tornado"): Output("market_tornado", "figure", "figures/market_tornado.png", "market_notebook", "03_market_sizing", "x"),
        ("figure", "market_monte_carlo"): Output("market_monte_carlo", "figure", "figures/market_monte_carlo.png", "market_notebook", "03_market_sizing", "x"),
        ("table", "market_budget_for_variants"): Output("market_budget_for_variants", "table", "tables/market_budget_for_variants.csv", "market_notebook", "03_market_sizing", "x"),
        ("table", "claims"): Output("claims", "table", "claims.csv", "claims_ledger", "90_claims_ledger", "Snakefile"),
    }
    monkeypatch.setattr(report, "declared_outputs", lambda: outputs)
    return root, structure


def _build(fixture_root, lang="fr"):
    root, structure = fixture_root
    return report.build(root, lang, structure_path=structure)


class _Links(HTMLParser):
    """Ids, links, images and headings of an HTML page."""

    def __init__(self):
        super().__init__()
        self.ids, self.hrefs, self.images, self.scripts, self.toc, self.sections = set(), [], [], [], [], []
        self._in_toc = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "nav":
            self._in_toc = True
        if tag == "a" and "href" in attrs:
            self.hrefs.append(attrs["href"])
            if self._in_toc:
                self.toc.append(attrs["href"])
        if tag == "img":
            self.images.append(attrs.get("src", ""))
        if tag in ("script", "link") and (attrs.get("src") or attrs.get("href")):
            self.scripts.append(attrs.get("src") or attrs.get("href"))
        if tag == "section":
            self.sections.append("#" + attrs["id"])

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_toc = False


def _check_html(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    assert parser.images and all(src.startswith("data:image/png;base64,") for src in parser.images)
    assert not parser.scripts, f"nothing may be loaded from outside the page: {parser.scripts}"
    assert not re.search(r"""(src|href)=["']?(https?:|file:|//|/)""", html), "no network or absolute reference"
    assert str(config.ROOT) not in html, "no absolute path of the build machine"
    broken = [h for h in parser.hrefs if h.startswith("#") and h[1:] not in parser.ids]
    assert not broken, f"links to missing anchors: {broken}"
    assert parser.toc == parser.sections, "the table of contents lists the sections, in order"
    return parser


# --- formatting --------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, fmt, lang, expected", [
    (446347500, "meur", "fr", "446\u202fM€"),
    (446347500, "meur", "en", "446\u202fM€"),
    (1234.5, "num1", "fr", "1\u202f234,5"),
    (1234.5, "num1", "en", "1,234.5"),
    (0.125, "share", "fr", "12,5\u202f%"),
    (12.94, "pct", "en", "12.9%"),
    (float("nan"), "auto", "fr", "–"),
    (None, "int", "en", "–"),
    (True, "auto", "fr", "oui"),
    ("False", "text", "en", "no"),
    (0, "yes_no", "fr", "non"),
    (0.00001, "pvalue", "fr", "< 0,001"),
    (float("inf"), "num2", "fr", "∞"),
])
def test_values_are_formatted_for_a_reader(value, fmt, lang, expected):
    assert format_value(value, fmt, lang) == expected


def test_a_table_has_reader_headers_no_index_and_units_by_row():
    import pandas as pd

    frame = pd.DataFrame(FIXTURE_BUDGET)
    frame["high"] = pd.to_numeric(frame["high"], errors="coerce")
    spec = TableSpec(name="market_budget_for_variants", row_unit="unit")
    headers, rows, align, selected = format_frame(frame, spec, [], {"EUR": "meur", "%": "pct"}, "fr", "test")
    assert headers[0] == i18n.text("report.col.quantity", "fr") and len(headers) == len(frame.columns)
    assert rows[0][2].endswith("M€") and rows[1][2].endswith("%") and rows[1][3] == "–"
    assert selected == len(frame) and align[2] == "r" and align[0] == "l"


# --- the fixture report --------------------------------------------------------------------------------

def test_fixture_report_numbers_figures_and_tables_and_names_their_notebook(fixture_root):
    built = _build(fixture_root)
    assert [f.number for f in built.figures] == [1, 2]
    assert [t.number for t in built.tables if t.number] == [1, 2]
    assert all(f.notebook == "03_market_sizing" and f.caption == i18n.text(f"report.fig.{f.name}", "fr")
               for f in built.figures)
    ledger = [t for t in built.tables if t.name == "claims"][0]
    assert ledger.status_values == [c["status"] for c in FIXTURE_CLAIMS]
    assert ledger.row_anchors == [f"claim-{c['claim_id']}" for c in FIXTURE_CLAIMS]


def test_fixture_report_html_is_self_contained_and_its_links_resolve(fixture_root, tmp_path):
    built = _build(fixture_root)
    html = report_render.render_html(built)
    parser = _check_html(html)
    assert len(parser.images) == len(built.figures)
    assert 'lang="fr"' in html and i18n.text("report.title", "fr") in html


def test_the_same_source_gives_the_report_in_english(fixture_root):
    built = _build(fixture_root, "en")
    html = report_render.render_html(built)
    _check_html(html)
    assert 'lang="en"' in html and i18n.text("report.title", "en") in html
    assert i18n.text("report.section.market", "en") in html and i18n.text("report.section.market", "fr") not in html


def test_a_scenario_report_says_which_scenario_and_what_it_changes(fixture_root):
    root, structure = fixture_root
    scenario = sorted((config.CONFIG / "scenarios").glob("*.yaml"))[0]
    settings = yaml.safe_load(scenario.read_text(encoding="utf-8"))
    built = report.build(root, "fr", configfile=str(scenario), structure_path=structure)
    first_page = " ".join(built.scenario_lines)
    assert settings["scenario"] in first_page
    for notebook, params in settings["notebook_params"].items():
        for name in params:
            assert notebook in first_page and name in first_page


def test_a_missing_output_stops_the_build_naming_it(fixture_root):
    root, structure = fixture_root
    (root / "figures" / "market_tornado.png").unlink()
    data = yaml.safe_load(structure.read_text(encoding="utf-8"))
    data["sections"][0]["items"].append({"figure": "no_such_figure"})
    structure.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ReportBuildError) as error:
        report.build(root, "fr", structure_path=structure)
    assert "market_tornado.png" in str(error.value) and "no_such_figure" in str(error.value)


def test_pdf_has_every_figure_and_a_plausible_number_of_a4_pages(fixture_root, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    built = _build(fixture_root)
    path = report_render.write_pdf(built, tmp_path / "r.pdf")
    reader = pypdf.PdfReader(str(path))
    assert 2 <= len(reader.pages) <= 10
    width, height = (float(x) for x in reader.pages[0].mediabox[2:])
    assert abs(width - 595.3) < 2 and abs(height - 841.9) < 2  # A4 in points
    assert _pdf_image_count(reader) == len(built.figures)
    assert report_render.write_pdf(built, tmp_path / "r2.pdf").read_bytes() == path.read_bytes(), "deterministic"


def test_word_file_has_every_figure_and_every_table(fixture_root, tmp_path):
    docx = pytest.importorskip("docx")
    built = _build(fixture_root)
    path = report_render.write_docx(built, tmp_path / "r.docx")
    document = docx.Document(str(path))
    assert len(document.inline_shapes) == len(built.figures)
    assert len(document.tables) == len(built.tables)
    assert report_render.write_docx(built, tmp_path / "r2.docx").read_bytes() == path.read_bytes()


def test_workbook_opens_and_every_sheet_has_its_headers(fixture_root, tmp_path, monkeypatch):
    openpyxl = pytest.importorskip("openpyxl")
    from analysis import report_workbook

    built = _build(fixture_root)
    monkeypatch.setattr(report_workbook, "declared_outputs", report.declared_outputs)
    path = report_workbook.write_workbook(built, tmp_path / "e.xlsx")
    _check_workbook(openpyxl.load_workbook(path), expected_tables=2)
    assert report_workbook.write_workbook(built, tmp_path / "e2.xlsx").read_bytes() == path.read_bytes(), "deterministic"


def _check_workbook(book, expected_tables: int):
    assert book.sheetnames[:2] == ["README", "Inputs"]
    # after bash tools/compare.sh the workbook ends with the comparison's sheets (tests/test_compare_report.py)
    assert len([n for n in book.sheetnames if not n.startswith("Comparison")]) == 2 + expected_tables
    for name in book.sheetnames[1:]:
        sheet = book[name]
        first = [c.value for c in sheet[1]]
        assert first and all(v not in (None, "") for v in first), f"sheet {name}: empty header cell"
        assert sheet.max_row >= 2, f"sheet {name} has no rows"
    inputs = book["Inputs"]
    header = [c.value for c in inputs[1]]
    values = [row for row in inputs.iter_rows(min_row=2, values_only=True)]
    market_inputs = sum(1 for _ in csv.DictReader(open(config.DATA / "market" / "inputs.csv", encoding="utf-8")))
    assert sum(1 for row in values if row[0] == "data/market/inputs.csv") == market_inputs
    assert i18n.text("report.xlsx.inputs.source", "fr") in header
    readme_text = " ".join(str(c.value) for row in book["README"].iter_rows() for c in row if c.value)
    for name in book.sheetnames[2:]:
        assert name in readme_text, f"README sheet does not describe {name}"


def _pdf_image_count(reader) -> int:
    seen = set()

    def walk(resources):
        xobjects = (resources or {}).get("/XObject") or {}
        for ref in xobjects.values():
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                seen.add(getattr(ref, "idnum", id(obj)))
            elif obj.get("/Subtype") == "/Form":
                walk(obj.get("/Resources"))

    for page in reader.pages:
        walk(page.get("/Resources"))
    return len(seen)


# --- the report structure and the workflow ------------------------------------------------------------

def test_every_output_the_report_names_is_declared_by_a_workflow_rule():
    structure = report.load_structure()
    outputs = declared_outputs()
    named = [("figure", i["figure"]) if "figure" in i else ("table", i["table"])
             for s in structure["sections"] for i in s.get("items") or []]
    missing = [n for n in named if n not in outputs]
    assert not missing, f"config/report.yaml names outputs no rule declares: {missing}"
    assert all(outputs[n].notebook for n in named), "every output of the report has the notebook that made it"


def test_every_figure_the_rules_declare_is_in_the_report():
    structure = report.load_structure()
    shown = {i["figure"] for s in structure["sections"] for i in s.get("items") or [] if "figure" in i}
    declared = {name for kind, name in declared_outputs() if kind == "figure"}
    assert declared <= shown, f"figures missing from config/report.yaml: {sorted(declared - shown)}"


def test_the_report_is_the_workflows_last_rule_and_in_rule_all():
    rules = (config.ROOT / "workflow" / "rules" / "report.smk").read_text(encoding="utf-8")
    snakefile = (config.ROOT / "Snakefile").read_text(encoding="utf-8")
    assert 'include: "workflow/rules/report.smk"' in snakefile and "REPORT_DELIVERABLES" in snakefile
    assert "outputs=REPORT_OUTPUTS" in rules and "report_language" in rules


def test_ci_installs_chromium_and_runs_the_test_command():
    ci = (config.ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "chromium" in ci and "bash tools/test.sh" in ci


# --- headless Chromium ---------------------------------------------------------------------------------

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars"]

BROWSER_CHECK = """
<script>
window.addEventListener('load', function () {
  var images = Array.prototype.slice.call(document.images);
  var links = Array.prototype.slice.call(document.querySelectorAll('a[href^="#"]'));
  var toc = Array.prototype.slice.call(document.querySelectorAll('nav.toc a')).map(function (a) { return a.getAttribute('href'); });
  var sections = Array.prototype.slice.call(document.querySelectorAll('main > section')).map(function (s) { return '#' + s.id; });
  var result = {
    images: images.length,
    broken_images: images.filter(function (i) { return !(i.complete && i.naturalWidth > 0); }).length,
    broken_links: links.filter(function (a) { return !document.getElementById(a.getAttribute('href').slice(1)); }).map(function (a) { return a.getAttribute('href'); }),
    toc: toc, sections: sections,
    ledger_rows: document.querySelectorAll('table.ledger tbody tr').length
  };
  var boxes = document.querySelectorAll('.status-filter');
  if (boxes.length) {
    boxes[0].checked = false; boxes[0].dispatchEvent(new Event('change'));
    result.hidden_after_filter = Array.prototype.slice.call(document.querySelectorAll('table.ledger tbody tr')).filter(function (tr) { return tr.style.display === 'none'; }).length;
    result.filtered_status = boxes[0].value;
  }
  var out = document.createElement('pre'); out.id = 'browser-check'; out.textContent = JSON.stringify(result);
  document.body.appendChild(out);
});
</script>
"""


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _browser_check(html_path: Path, tmp_path: Path) -> tuple[dict, Path]:
    browser = _chromium()
    if browser is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install -y chromium); the browser check is skipped")
    probe = html_path.with_name("browser_probe.html")
    probe.write_text(html_path.read_text(encoding="utf-8").replace("</body>", BROWSER_CHECK + "</body>"), encoding="utf-8")
    profile = tmp_path / "chromium-profile"
    profile.mkdir(exist_ok=True)
    flags = CHROMIUM_FLAGS + [f"--user-data-dir={profile}"]
    dom = subprocess.run([browser, *flags, "--virtual-time-budget=10000", "--dump-dom", probe.as_uri()],
                         capture_output=True, text=True, timeout=180).stdout
    match = re.search(r'<pre id="browser-check">(.*?)</pre>', dom, flags=re.S)
    assert match, "the page's check script did not run in Chromium"
    import html as html_module

    result = json.loads(html_module.unescape(match.group(1)))
    screenshot = tmp_path / "rapport.png"
    subprocess.run([browser, *flags, "--window-size=1280,2400", f"--screenshot={screenshot}", html_path.as_uri()],
                   capture_output=True, timeout=180)
    return result, screenshot


def test_report_in_headless_chromium(fixture_root, tmp_path):
    built = _build(fixture_root)
    html_path = report_render.write_html(built, tmp_path / "rapport.html")
    result, screenshot = _browser_check(html_path, tmp_path)
    assert result["images"] == len(built.figures) and result["broken_images"] == 0
    assert result["broken_links"] == []
    assert result["toc"] == result["sections"] and len(result["sections"]) == len(built.sections)
    assert result["ledger_rows"] == len(FIXTURE_CLAIMS)
    statuses = [c["status"] for c in FIXTURE_CLAIMS]
    assert result["hidden_after_filter"] == statuses.count(result["filtered_status"]), "the status filter hides its rows"
    assert screenshot.exists() and screenshot.stat().st_size > 10_000


# --- the full report, from the workflow's outputs ------------------------------------------------------

def _full_outputs_present() -> bool:
    needed = [REPORTS / o.path for o in declared_outputs().values()]
    return bool(needed) and all(p.exists() for p in needed)


full = pytest.mark.skipif(not _full_outputs_present(),
                          reason="the workflow's outputs are not in reports/ (run bash tools/regenerate.sh)")


@pytest.fixture(scope="module")
def full_report(tmp_path_factory):
    built = report.build(REPORTS, "fr")
    folder = tmp_path_factory.mktemp("full")
    return built, folder


@full
def test_full_report_summary_numbers_come_from_the_tables(full_report):
    built, _ = full_report
    summary = built.sections[0]
    assert summary.id == "summary"
    links = [s for block in summary.blocks for s in getattr(block, "spans", []) if hasattr(s, "anchor")]
    assert links, "the summary's numbers link to their tables"
    rows = list(csv.DictReader(open(REPORTS / "tables" / "oecd_procurement_ranking.csv", encoding="utf-8")))
    france = [r for r in rows if r["code"] == "FRA"][0]
    assert i18n.percent(float(france["value_pct_gdp"]), "fr", 1) in [link.text for link in links]
    budget = [r for r in csv.DictReader(open(REPORTS / "tables" / "market_budget_for_variants.csv", encoding="utf-8"))
              if r["quantity"] == "annual_public_digital_resources_budget_eur"][0]
    assert i18n.money(float(budget["central"]) / 1e6, "fr", 0) in [link.text for link in links]
    anchors = {b.anchor for b in built.tables} | {a for t in built.tables for a in (t.row_anchors or [])}
    assert all(link.anchor in anchors for link in links), "every number links to a table or claim of the report"


@full
def test_full_report_answers_the_sensitivity_question_from_its_tables(full_report):
    built, _ = full_report
    section = [s for s in built.sections if s.id == "sensitivity"][0]
    answer = [b for b in section.blocks if getattr(b, "style", "") == "answer"]
    summary = {r["item"]: r["value"] for r in csv.DictReader(open(REPORTS / "tables" / "sensitivity_summary.csv", encoding="utf-8"))}
    text = "".join(s if isinstance(s, str) else s.text for s in answer[0].spans)
    assert summary["recommended_variant"] in text
    assert i18n.percent(100 * float(summary["smaa_first_rank_recommended"]), "fr", 0) in text


@full
def test_every_column_of_every_output_table_has_a_header_for_a_reader():
    missing = set()
    for (kind, name), output in declared_outputs().items():
        if kind != "table":
            continue
        with open(REPORTS / output.path, encoding="utf-8") as handle:
            for column in next(csv.reader(handle)):
                if re.fullmatch(r"[A-Za-z0-9_]+", column) and not i18n.has(f"report.col.{column}"):
                    missing.add(column)
    assert not missing, f"add report.col.<column> to data/i18n/report.csv for: {sorted(missing)}"


@full
def test_full_report_in_every_format(full_report):
    pypdf = pytest.importorskip("pypdf")
    openpyxl = pytest.importorskip("openpyxl")
    built, folder = full_report
    html_path = report_render.write_html(built, folder / "rapport.html")
    _check_html(html_path.read_text(encoding="utf-8"))
    pdf = pypdf.PdfReader(str(report_render.write_pdf(built, folder / "rapport.pdf")))
    assert _pdf_image_count(pdf) == len(built.figures)
    assert len(built.figures) <= len(pdf.pages) <= 4 * (len(built.figures) + len(built.tables))
    from analysis import report_workbook

    book = openpyxl.load_workbook(report_workbook.write_workbook(built, folder / "etude.xlsx"))
    _check_workbook(book, expected_tables=sum(1 for kind, _ in declared_outputs() if kind == "table"))


@full
def test_full_report_in_headless_chromium(full_report, tmp_path):
    built, folder = full_report
    html_path = report_render.write_html(built, folder / "rapport_browser.html")
    result, screenshot = _browser_check(html_path, tmp_path)
    assert result["images"] == len(built.figures) and result["broken_images"] == 0
    assert result["broken_links"] == [] and result["toc"] == result["sections"]
    assert screenshot.exists()


# --- provenance annex ----------------------------------------------------------------------------------

def test_the_annex_s_header_is_the_report_s_without_its_sections(fixture_root, monkeypatch):
    """The provenance annex's job builds only the report's header (title, scenario, version): the
    same values as the full build, and no section (the report's job built and checked them)."""
    root, _ = fixture_root
    full = _build(fixture_root)
    monkeypatch.setattr(report, "build", lambda *a, **k: pytest.fail("the annex built the whole report"))
    header = report.build_header(root, "fr")
    assert header.sections == [] and full.sections
    assert (header.title, header.subtitle, header.scenario, header.scenario_lines, header.version) == \
        (full.title, full.subtitle, full.scenario, full.scenario_lines, full.version)


def test_provenance_annex_groups_snakemake_records_by_job(fixture_root, tmp_path, monkeypatch):
    import base64

    from analysis import report_provenance

    root, _ = fixture_root
    metadata = tmp_path / "metadata"
    metadata.mkdir()
    relative = root.relative_to(config.ROOT) if root.is_relative_to(config.ROOT) else root
    record = {"rule": "market_notebook", "input": ["notebooks/03_market_sizing.ipynb"], "params": ['{"seed": 1}'],
              "shellcmd": "papermill x y", "starttime": 1.0, "endtime": 13.5,
              "input_checksums": {"notebooks/03_market_sizing.ipynb": "sha256:abc"}}
    for output in ("figures/market_tornado.png", "tables/market_budget_for_variants.csv"):
        name = base64.urlsafe_b64encode(f"{relative}/{output}".encode()).decode()
        (metadata / name).write_text(json.dumps(record), encoding="utf-8")
    monkeypatch.setattr(report_provenance, "METADATA", metadata)
    jobs = report_provenance._jobs(root, metadata)
    assert len(jobs) == 1 and len(jobs[0]["outputs"]) == 2 and jobs[0]["rule"] == "market_notebook"
    built = _build(fixture_root)
    html = report_provenance.write_annex(built, tmp_path / "annex.html").read_text(encoding="utf-8")
    assert "market_notebook" in html and "papermill x y" in html and i18n.number(12.5, "fr", 1) in html
