"""Pages of the self-diagnostic and its workflow: a self-contained page per authority citing its
own data, the summary page, the private folder (ignored by git; its rows in no committed output
and no log), a bad file stopping the run with every previous output untouched, adding an authority
rerunning only its own jobs, and the cluster profile fanning out one job per authority (dry run)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import snakemake_runner  # the snakemake command line without its start-up cost
from analysis import config, diagnostic, diagnostic_intake as intake, diagnostic_pages

SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
SECRET_SUPPLIER = "Fournisseur-Confidentiel-4821"
SECRET_COMMENT = "Marché-négocié-hors-catalogue-77"


@pytest.fixture(scope="module")
def method() -> diagnostic.Method:
    return diagnostic.load_method()


def _private_csv(path: Path, extra_rows: list[list[str]] = ()) -> Path:
    rows = [["Bureautique", "48 000,00", SECRET_SUPPLIER, "hors UE", "4", "31/12/2027", "nombreuses", SECRET_COMMENT],
            ["Serveurs", "120 000", "Hébergeur régional", "UE", "5", "30/06/2029", "quelques-unes", ""],
            ["Visio", "9 500", "", "inconnu", "2", "2026", "nombreuses", ""], *extra_rows]
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "# Collectivité : Ville privée (test)\n" + ";".join(intake.HEADERS) + "\n"
    path.write_text(text + "\n".join(";".join(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_authority_page_is_self_contained_and_cites_the_authority_s_own_data(tmp_path, method):
    authority = diagnostic.load_authority(_private_csv(tmp_path / "ville_privee.csv"), method)
    page = diagnostic_pages.authority_page(authority, method)
    assert page.count('src="data:image/png;base64,') == 2
    assert "<script" not in page and not re.search(r'(src|href)="https?:', page)
    assert SECRET_SUPPLIER in page and "Ville privée (test)" in page          # the data it was given
    assert "données déclarées par Ville privée (test) (ville_privee.csv" in page
    assert "diapositives" not in page                                          # not the slides' source line
    assert "Gains rapides" in page and "Pourquoi" in page
    english = diagnostic_pages.authority_page(authority, method, lang="en")
    assert "data declared by Ville privée (test)" in english and "Quick wins" in english


def test_example_page_cites_the_slides_and_summary_page_links_every_authority(method):
    authorities = diagnostic.load_authorities(diagnostic.AUTHORITIES_DIR, method)
    example = next(a for a in authorities if a.id == diagnostic.EXAMPLE_AUTHORITY)
    assert "diapositives « Parlons Inclusion Numérique »" in diagnostic_pages.authority_page(example, method)
    tidy, summary = diagnostic.batch(authorities, method)
    page = diagnostic_pages.summary_page(authorities, tidy, summary, method)
    for a in authorities:
        assert f'href="{a.id}.html"' in page and a.name_fr in page
    assert page.count('src="data:image/png;base64,') == 1


def test_the_data_table_gives_a_category_s_source_once_when_its_five_values_share_it(method):
    authorities = config.ROOT / "data" / "diagnostic" / "authorities"
    commune = diagnostic.load_authority(authorities / "synthetique_commune.yaml", method)
    sources = diagnostic_pages.data_given_table(commune, method, "fr")["Sources"]
    assert set(sources) == {"synthétique : valeur fictive"}, "one French source, once per category"
    example = diagnostic.load_authority(authorities / "exemple_tie_break.yaml", method)
    table = diagnostic.inputs_table(example)
    given = diagnostic_pages.data_given_table(example, method, "fr")["Sources"]
    for cell, *five in zip(given, table["amount_source"], table["eu_share_source"], table["criticality_source"],
                           table["alternatives_source"], table["contract_end_year_source"]):
        assert cell == (five[0] if len(set(five)) == 1 else " | ".join(five))
    assert any(" | " in cell for cell in given), "the example's values have sources of their own"


def test_private_folder_is_ignored_by_git():
    for name in ("ville.csv", "ville.xlsx", "ville.yaml"):
        result = subprocess.run(["git", "check-ignore", "-q", f"data/private/authorities/{name}"], cwd=config.ROOT)
        assert result.returncode == 0, f"data/private/authorities/{name} is not ignored by git"
    tracked = subprocess.run(["git", "ls-files", "data/private"], cwd=config.ROOT, capture_output=True, text=True)
    assert tracked.stdout.split() in ([], ["data/private/README.md"]), "only the folder's README may be tracked"
    assert diagnostic.PRIVATE_AUTHORITIES_DIR == config.ROOT / "data" / "private" / "authorities"


def _env():
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}


def _run(project: Path, *args: str) -> subprocess.CompletedProcess:
    return snakemake_runner.run(["--cores", "1", *args], cwd=project,
                          env=_env(), timeout=600)


def _planned_jobs(output: str) -> dict[str, int]:
    table = output.split("Job stats:")[1].split("total")[0]
    return {m[1]: int(m[2]) for m in re.finditer(r"^(\w+)\s+(\d+)\s*$", table, flags=re.M)}


def test_default_plan_builds_a_page_for_a_private_file_and_the_notebook_never_reads_it(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(config.ROOT, project, ignore=shutil.ignore_patterns(
        ".venv", ".git", ".snakemake", "reports", "processed", "__pycache__", ".pytest_cache", "private"))
    _private_csv(project / "data" / "private" / "authorities" / "ville_privee.csv")
    result = _run(project, "-n", "--forceall", "reports/diagnostic/index.html", "reports/notebooks/06_territorial_diagnostic.ipynb")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "reports/diagnostic/ville_privee.html" in result.stdout
    after = result.stdout.split("rule diagnostic_notebook:")[1]
    notebook_inputs = next(line for line in after.splitlines() if line.strip().startswith("input:"))
    assert "data/diagnostic/authorities/exemple_tie_break.yaml" in notebook_inputs
    assert "data/private" not in notebook_inputs


@pytest.mark.long_running
def test_private_authority_pages_bad_file_and_adding_an_authority(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(config.ROOT, project, ignore=shutil.ignore_patterns(
        ".venv", ".git", ".snakemake", "reports", "processed", "__pycache__", ".pytest_cache", "private"))
    private = project / "data" / "private" / "authorities"
    _private_csv(private / "ville_privee.csv")
    only_private = ["--config", 'diagnostic_authority_dirs=["data/private/authorities"]']
    first = _run(project, "reports/diagnostic/index.html", *only_private)
    assert first.returncode == 0, first.stderr + first.stdout
    outputs = sorted(p for p in (project / "reports").rglob("*") if p.is_file())
    before = {p: p.read_bytes() for p in outputs}
    assert project / "reports" / "diagnostic" / "ville_privee.html" in before

    # a bad file: one report with every problem, on the terminal; the run stops; nothing replaced
    _private_csv(private / "ville_privee.csv", extra_rows=[["Cloud", "-5", "X", "USA", "9", "hier", "peut-être", ""]])
    second = _run(project, "reports/diagnostic/index.html", *only_private)
    assert second.returncode != 0
    message = second.stdout + second.stderr
    for column in ("Poste", "Montant (€)", "Juridiction du fournisseur", "Criticité (1 à 5)", "Fin du contrat",
                   "Alternatives connues"):
        assert f"ville_privee.csv, row 6, column '{column}'" in message, column
    assert "Applications métiers, Serveurs" in message
    after = {p: p.read_bytes() for p in outputs if p.exists() and "checks" not in p.parts}
    assert after == {p: b for p, b in before.items() if "checks" not in p.parts}

    # no log carries the private rows (the pages and checks print no row)
    logs = [p for folder in (project / "reports" / "logs", project / ".snakemake" / "log") if folder.exists()
            for p in folder.rglob("*") if p.is_file()]
    for path in logs:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert SECRET_SUPPLIER not in text and SECRET_COMMENT not in text, path

    # fixed again, plus a second authority: only their checks, the new page and the summary run
    _private_csv(private / "ville_privee.csv")
    assert _run(project, "reports/diagnostic/index.html", *only_private).returncode == 0
    _private_csv(private / "autre_ville.csv")
    plan = _run(project, "-n", "reports/diagnostic/index.html", *only_private)
    assert plan.returncode == 0, plan.stderr
    assert _planned_jobs(plan.stdout) == {"diagnostic_check": 1, "diagnostic_page": 1, "diagnostic_summary": 1}


def test_cluster_profile_fans_out_one_page_job_per_authority(tmp_path, method):
    lines = intake.synthetic_lines(30, method, seed=3)
    for authority_id, part in lines.groupby("authority_id"):
        intake.write_inventory_csv(part, tmp_path / f"{authority_id}.csv", method)
    result = snakemake_runner.run(
        ["reports/diagnostic/index.html", "--profile", "config/profiles/cluster", "-n", "--forceall",
         "--group-components", "diagnostic_pages=10", "--config", f'diagnostic_authority_dirs=["{tmp_path}"]'],
        cwd=config.ROOT, env=_env(), timeout=300)
    assert result.returncode == 0, result.stderr + result.stdout
    jobs = _planned_jobs(result.stdout)
    assert jobs["diagnostic_page"] == 30 and jobs["diagnostic_check"] == 30 and jobs["diagnostic_summary"] == 1


def test_summary_of_many_authorities_keeps_a_readable_figure(method):
    lines = intake.synthetic_lines(60, method, seed=11)
    categories = diagnostic.aggregate_lines(lines, method, keys=["authority_id"])
    authorities = [diagnostic.Authority(id=a, name_fr=f"Collectivité {a}", kind="synthetic", description="test",
                                        reference_year=2026, categories=c.drop(columns=["authority_id", "reference_year"])
                                        .reset_index(drop=True))
                   for a, c in categories.groupby("authority_id", sort=False)]
    tidy, summary = diagnostic.batch(authorities, method)
    page = diagnostic_pages.summary_page(authorities, tidy, summary, method)
    assert page.count("<li><a href=") == 60 and page.count("<tr>") == 61
    assert f"les {diagnostic_pages.MAX_AUTHORITIES_IN_FIGURE} collectivités aux plus fortes dépenses hors UE" in page


def _pages_command(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis.diagnostic_pages", *args], capture_output=True, text=True,
                          cwd=config.ROOT, env=_env(), timeout=300)


@pytest.mark.long_running
def test_the_pages_command_writes_the_bytes_of_one_page_command_per_authority(tmp_path):
    """Rule diagnostic_committed_pages (every committed authority in one process) and rule
    diagnostic_page (one authority) write the same HTML and PDF."""
    files = [str(p) for p in sorted((config.DATA / "diagnostic" / "authorities").glob("*.yaml"))][:2]
    together = _pages_command("pages", *files, "--out-dir", str(tmp_path / "together"))
    assert together.returncode == 0, together.stderr
    for name in files:
        stem = Path(name).stem
        one = _pages_command("page", name, "--out", str(tmp_path / "one" / f"{stem}.html"),
                             "--pdf", str(tmp_path / "one" / f"{stem}.pdf"))
        assert one.returncode == 0, one.stderr
        for suffix in (".html", ".pdf"):
            assert (tmp_path / "together" / f"{stem}{suffix}").read_bytes() == \
                (tmp_path / "one" / f"{stem}{suffix}").read_bytes(), stem + suffix


def test_the_pages_command_checks_every_file_before_writing_any_page(tmp_path):
    good = sorted((config.DATA / "diagnostic" / "authorities").glob("*.yaml"))[0]
    bad = _private_csv(tmp_path / "ville_privee.csv", extra_rows=[["Cloud", "-5", "X", "USA", "9", "hier", "peut-être", ""]])
    result = _pages_command("pages", str(good), str(bad), "--out-dir", str(tmp_path / "pages"))
    assert result.returncode != 0
    assert "ville_privee.csv, row 6, column 'Montant (€)'" in result.stderr and "nothing was written" in result.stderr
    assert not (tmp_path / "pages").exists()  # not even the good file's page
