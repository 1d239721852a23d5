"""Check before write, derived dependencies, private folder, offline pages (issue 15).

- every notebook rule's code inputs come from what the notebook imports (analysis.deps) and the
  ledger depends on analysis/claims.py and every registry;
- each notebook writes exactly its rule's declared outputs (checked on the executed baseline
  reports/ when it exists);
- a bad non-raw input stops `snakemake` before anything is written: reports/ byte-identical;
- data/private/ is ignored by git and a file of kind "real" elsewhere in the repository is refused;
- no generated HTML page loads a script, style or image from the network.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import snakemake_runner  # the snakemake command line without its start-up cost
from analysis import checks, config, deps
from analysis.errors import InputError
from analysis.validation import refuse_real_data_in_tracked

SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
NOTEBOOKS = sorted(config.NOTEBOOKS.glob("*.ipynb"))
RULE_FILES = [config.ROOT / "Snakefile", *sorted((config.ROOT / "workflow" / "rules").glob("*.smk"))]


def _env():
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}


# --------------------------------------------------------------------------------------------
# Dependencies derived from imports
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_code_inputs_follow_the_imports_of_the_notebook(notebook):
    files = deps.code_files(notebook)
    code = deps.notebook_code(notebook)
    for module in re.findall(r"from analysis import ([\w, ]+)", code):
        for name in module.split(","):
            path = f"analysis/{name.strip()}.py"
            if (config.ROOT / path).exists():
                assert path in files, f"{notebook.name} imports {path}"
    # transitive: every package module imported by a listed module is listed too
    for path in [f for f in files if f.endswith(".py")]:
        for imported in deps._module_imports(config.ROOT / path):
            target = deps.module_file(imported)
            if target is not None:
                assert str(target.relative_to(config.ROOT)) in files, f"{path} imports {imported}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_every_code_input_of_a_notebook_is_recorded_with_its_outputs(notebook):
    """A scenario reuses the baseline's outputs of a notebook it does not change only if the
    baseline's record (scenario.yaml) has a checksum for every file the notebook reads: a code input
    left out of the record made the notebook look changed in every scenario."""
    from analysis import scenarios

    unrecorded = [path for path in deps.code_inputs(notebook)
                  if str(path).startswith(scenarios.EXCLUDED_INPUT_DIRS)]
    assert unrecorded == []


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_rule_takes_its_code_from_code_inputs(notebook):
    text = "".join(p.read_text(encoding="utf-8") for p in RULE_FILES)
    assert f'code=code_inputs("notebooks/{notebook.name}")' in text
    assert not re.search(r'code=\[\s*"analysis/', text), "a hand-written list of modules"


@pytest.mark.xdist_group("repository_plans")  # the baseline's plan, shared with test_workflow.py
def test_ledger_depends_on_the_claims_module_and_every_registry():
    files = deps.code_files(config.NOTEBOOKS / "90_claims_ledger.ipynb")
    assert "analysis/claims.py" in files
    # the baseline's whole plan (it builds reports/claims.csv), made once for the tests that read it
    plan = snakemake_runner.dry_run(["--cores", "1", "-n", "--forceall", "--printshellcmds"],
                                    cwd=config.ROOT, env=_env(), timeout=300)
    assert plan.returncode == 0, plan.stderr + plan.stdout
    block = plan.stdout.split("rule claims_ledger:", 1)[1]
    inputs = re.search(r"input: (.*)", block).group(1).split(", ")
    assert "analysis/claims.py" in inputs
    for registry in sorted(config.CLAIMS_REGISTRY.glob("*.yaml")):
        assert str(registry.relative_to(config.ROOT)) in inputs


def _declared_outputs() -> dict[str, str]:
    result = snakemake_runner.run(["--cores", "1", "--summary"], cwd=config.ROOT, env=_env(), timeout=300)
    assert result.returncode == 0, result.stderr
    rows = [line.split("\t") for line in result.stdout.splitlines()[1:] if "\t" in line]
    return {row[0]: row[2] for row in rows}


# Runs on the xdist worker of the tests that write into reports/ (tests/test_scenarios.py's
# REPORTS_WRITERS): it lists every file of reports/ and must not see a comparison test's folder.
@pytest.mark.xdist_group("reports_tree")
def test_each_notebook_writes_exactly_its_declared_outputs():
    """On the executed baseline (reports/ after tools/regenerate.sh): every figure, table, claim
    value, executed notebook and HTML page present is declared by a rule, and every declared
    output is present. A notebook writing an undeclared file would go untracked."""
    if not (config.REPORTS / "notebooks").is_dir():
        pytest.skip("reports/ not built (run tools/regenerate.sh)")
    declared = {path for path in _declared_outputs() if path.startswith("reports/")
                and not path.startswith(("reports/scenarios/", "reports/logs/"))}
    # a declared folder (e.g. the copy of the effective inputs) stands for the files inside it
    declared_dirs = {p for p in declared if (config.ROOT / p).is_dir()}
    declared -= declared_dirs
    # folders no rule of the baseline writes: logs, scenarios, the hand-run scratch folder and the
    # scenario comparison (written by tools/compare.sh)
    untracked = ("logs", "scenarios", "scratch", "comparison")
    present = {str(p.relative_to(config.ROOT)) for p in config.REPORTS.rglob("*")
               if p.is_file() and not p.name.startswith(".") and p.name != "README.md"
               and p.relative_to(config.REPORTS).parts[0] not in untracked}
    present = {p for p in present if not any(p.startswith(d + "/") for d in declared_dirs)}
    assert present - declared == set(), "written but declared by no rule"
    assert declared - present == set(), "declared but not written"


# --------------------------------------------------------------------------------------------
# Check before write
# --------------------------------------------------------------------------------------------

def test_the_repository_inputs_pass_the_checks():
    assert checks.check_inputs() == []


@pytest.mark.parametrize("scenario_file", sorted((config.CONFIG / "scenarios").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_provided_scenario_passes_the_input_check(scenario_file):
    """The check the workflow runs before anything (onstart), with the scenario's parameters."""
    import yaml

    from analysis import scenarios

    document = yaml.safe_load(scenario_file.read_text(encoding="utf-8"))
    assert checks.check_inputs(scenarios.effective_parameters(document)) == []


def test_the_check_runs_before_any_job_and_covers_every_raw_file_and_sidecar():
    text = (config.ROOT / "workflow" / "rules" / "checks.smk").read_text(encoding="utf-8")
    assert "onstart:\n    check_every_input()" in text
    assert '"analysis.checks", "all"' in text
    assert "rule check_raw_file:" not in (config.ROOT / "Snakefile").read_text(encoding="utf-8")


def _copy_project(destination: Path) -> Path:
    ignore = shutil.ignore_patterns(".venv", ".git", ".snakemake", "reports", "processed", "__pycache__",
                                    ".pytest_cache", "*.ipynb_checkpoints", "private")
    shutil.copytree(config.ROOT, destination, ignore=ignore)
    (destination / "data" / "processed").mkdir()
    return destination


def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.long_running
def test_bad_non_raw_input_stops_the_run_with_reports_unchanged(tmp_path):
    """A percentage over 100 in data/market/inputs.csv and a syntax error in a claims registry:
    the input check fails, both problems are on the console, and no file of reports/ changes
    (the previous outputs stand in for a baseline: they must survive, byte for byte)."""
    project = _copy_project(tmp_path / "project")
    for built in config.PROCESSED.glob("*.csv"):
        if built.exists():  # reuse the built tables
            target = project / "data" / "processed" / built.relative_to(config.PROCESSED)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(built, target)
    reports = project / "reports"
    for name in ("notebooks/03_market_sizing.ipynb", "tables/market_tornado.csv", "claims/market.csv"):
        (reports / name).parent.mkdir(parents=True, exist_ok=True)
        (reports / name).write_text(f"previous output {name}\n", encoding="utf-8")
    before = _digests(reports)
    inputs = project / "data" / "market" / "inputs.csv"
    text = inputs.read_text(encoding="utf-8")
    inputs.write_text(text.replace("Part scolaire/parascolaire des EdTech,45,44.5,45.5,",
                                   "Part scolaire/parascolaire des EdTech,145,144.5,145.5,"), encoding="utf-8")
    registry = project / "data" / "claims" / "oecd.yaml"
    registry.write_text(registry.read_text(encoding="utf-8") + "\nbroken: [1, 2\n", encoding="utf-8")
    result = snakemake_runner.run(["--cores", "1", "reports/notebooks/03_market_sizing.ipynb"],
                            cwd=project, env=_env(), timeout=600)
    message = result.stdout + result.stderr
    assert result.returncode != 0
    assert "data/market/inputs.csv: row 3: column 'value': percentage above 100" in message
    assert "data/claims/oecd.yaml: line" in message and "YAML syntax error" in message
    assert _digests(reports) == before


def test_deleted_sidecar_is_noticed_by_the_workflow(tmp_path):
    project = _copy_project(tmp_path / "project")
    (project / "data" / "raw" / "slides" / "edtech_market_figures.csv.meta.yaml").unlink()
    result = snakemake_runner.run(["--cores", "1", "-n", "reports/notebooks/03_market_sizing.ipynb"],
                            cwd=project, env=_env(), timeout=300)
    assert result.returncode != 0
    assert "edtech_market_figures.csv.meta.yaml" in result.stdout + result.stderr


# --------------------------------------------------------------------------------------------
# Private folder and real data
# --------------------------------------------------------------------------------------------

def test_private_folder_is_ignored_by_git():
    if shutil.which("git") is None or not (config.ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    ignored = subprocess.run(["git", "check-ignore", "-q", "data/private/authority_real.yaml"], cwd=config.ROOT)
    assert ignored.returncode == 0, "data/private/ must be ignored by git"
    readme = subprocess.run(["git", "check-ignore", "-q", "data/private/README.md"], cwd=config.ROOT)
    assert readme.returncode == 1, "its README stays tracked"
    assert "data/private/" in (config.ROOT / "README.md").read_text(encoding="utf-8")


def test_real_data_in_a_tracked_folder_is_refused(tmp_path):
    source = config.DATA / "diagnostic" / "authorities" / "synthetique_commune.yaml"
    text = re.sub(r"(?m)^kind: \w+", "kind: real", source.read_text(encoding="utf-8"), count=1)
    tracked = config.DATA / "diagnostic" / "authorities" / "zz_test_real_authority.yaml"
    try:
        tracked.write_text(text, encoding="utf-8")
        with pytest.raises(InputError, match=r"zz_test_real_authority\.yaml: whole file: field kind"):
            refuse_real_data_in_tracked(tracked)
    finally:
        tracked.unlink()
    outside = tmp_path / "real.yaml"
    outside.write_text(text, encoding="utf-8")
    refuse_real_data_in_tracked(outside)  # outside the repository: allowed
    refuse_real_data_in_tracked(source)   # synthetic: allowed


# --------------------------------------------------------------------------------------------
# Offline pages
# --------------------------------------------------------------------------------------------

_NETWORK = re.compile(r"<(?:script|link|img|iframe|source|embed)\b[^>]*\b(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//"
                      r"|@import\s+(?:url\()?[\"']?(?:https?:)?//|url\(\s*[\"']?https?://"
                      r"|\bimport\s*\(?\s*[\"']https?://|\bfrom\s+[\"']https?://", re.I)


def _network_references(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)  # CSS comments cite URLs without loading them
    return [m.group(0) for m in _NETWORK.finditer(text)]


@pytest.mark.long_running
def test_the_html_of_a_notebook_loads_nothing_from_the_network(tmp_path):
    env = {**_env(), "JUPYTER_CONFIG_PATH": str(config.ROOT / "workflow" / "nbconvert")}
    result = subprocess.run([str(Path(sys.executable).with_name("jupyter")), "nbconvert", "--to", "html",
                             "--no-input", "--output-dir", str(tmp_path), "notebooks/90_claims_ledger.ipynb"],
                            capture_output=True, text=True, cwd=config.ROOT, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    page = tmp_path / "90_claims_ledger.html"
    assert _network_references(page) == []


def test_no_generated_page_loads_from_the_network():
    pages = sorted(config.REPORTS.rglob("*.html"))
    if not pages:
        pytest.skip("no HTML page generated yet (run tools/regenerate.sh)")
    found = {str(p.relative_to(config.ROOT)): refs for p in pages if (refs := _network_references(p))}
    assert found == {}
