"""The Snakemake workflow: baseline and scenario outputs, processed data as rule outputs, no-op
reruns, and the cluster profile (dry runs only; the full run is the regenerate command)."""

from __future__ import annotations

import os
import re
import shutil
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import snakemake_runner  # the snakemake command line without its start-up cost
from analysis import config, scenarios

SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
# tests reading the same dry-run plans of the repository's workflow run on one pytest-xdist worker, which
# makes each plan once (snakemake_runner.dry_run); test_scenarios.py's plan readers join them
REPOSITORY_PLANS = pytest.mark.xdist_group("repository_plans")


def _snakemake(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    return snakemake_runner.run(["--cores", "1", *args], cwd=config.ROOT, env=env, timeout=300)


def _planned_outputs(*args: str) -> str:
    """The plan of a dry run of the repository's workflow (shared by the tests that read the same plan)."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = snakemake_runner.dry_run(["--cores", "1", "-n", "--forceall", "--printshellcmds", *args],
                                      cwd=config.ROOT, env=env, timeout=300)
    assert result.returncode == 0, result.stderr + result.stdout
    return result.stdout


def _planned_writes(plan: str) -> str:
    """The output lines of a dry run's plan (a scenario may read the baseline's outputs to reuse them)."""
    return "\n".join(line for line in plan.splitlines() if line.strip().startswith("output:"))


@REPOSITORY_PLANS
def test_baseline_writes_to_reports():
    plan = _planned_outputs()
    assert "reports/notebooks/01_oecd_procurement.ipynb" in plan
    assert "reports/claims.csv" in plan
    # nothing written there (after bash tools/compare.sh the report reads the compared scenarios' records)
    assert "reports/scenarios/" not in _planned_writes(plan)


@REPOSITORY_PLANS
def test_scenario_writes_to_its_own_folder_with_its_parameters():
    plan = _planned_outputs("--configfile", "config/scenarios/reference_year_2019.yaml")
    assert "reports/scenarios/reference_year_2019/notebooks/01_oecd_procurement.ipynb" in plan
    assert re.search(r'"reference_year": 2019', plan)
    baseline_outputs = re.findall(r"\breports/(?:figures|tables|notebooks)/\S+", _planned_writes(plan))
    assert baseline_outputs == [], "a scenario never overwrites the baseline"


@REPOSITORY_PLANS
@pytest.mark.parametrize("path", sorted((config.CONFIG / "scenarios").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_provided_scenario_plans_its_overrides_into_its_own_folder(path):
    """Each scenario file names itself, overrides only parameters that exist, and its dry run
    passes every override to the notebook it names, writing under reports/scenarios/<name>/."""
    scenario = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert scenario["scenario"] == path.stem
    assert scenarios.validate(scenario, path.name) == []
    plan = _planned_outputs("--configfile", str(path.relative_to(config.ROOT)))
    overrides = {nb: dict(values or {}) for nb, values in (scenario.get("notebook_params") or {}).items()}
    defaults = scenarios.load_defaults()
    for name, value in (scenario.get("study") or {}).items():
        users = [nb for nb, params in defaults.items() if name in params]
        assert users, f"{path.name}: study setting {name} reaches no notebook"
        for notebook in users:
            overrides.setdefault(notebook, {})[name] = value
    assert overrides, f"{path.name} changes nothing"
    for notebook, values in overrides.items():
        assert f"reports/scenarios/{path.stem}/notebooks/{notebook}.ipynb" in plan
        for name, value in values.items():
            assert f'"{name}": {json.dumps(value, sort_keys=True, ensure_ascii=False)}' in plan, name
    assert re.findall(r"\breports/(?:figures|tables|notebooks)/\S+", _planned_writes(plan)) == []


@REPOSITORY_PLANS
def test_every_notebook_gets_output_dir_as_a_parameter():
    plan = _planned_outputs()
    notebooks = sorted(p.name for p in config.NOTEBOOKS.glob("*.ipynb"))
    for name in notebooks:
        assert f"notebooks/{name}" in plan
    assert plan.count('"output_dir": "reports"') >= len(notebooks)


PROCESSED_TABLES = ("oecd_procurement.csv", "procurement_vintages.csv", "eurostat_gdp_annual.csv",
                    "eurostat_cofog_procurement.csv")


def test_processed_data_are_up_to_date_after_a_build():
    """tools/test.sh builds `processed` first; a second request must have nothing to do."""
    missing = [p for p in (config.PROCESSED / n for n in PROCESSED_TABLES) if not p.exists()]
    if missing:
        pytest.skip(f"processed data not built (run `snakemake processed`): {missing}")
    result = _snakemake("-n", "processed")
    assert result.returncode == 0, result.stderr
    assert "Nothing to be done" in result.stdout + result.stderr


def test_cluster_profile_dry_run():
    result = _snakemake("--profile", "config/profiles/cluster", "-n", "--forceall")
    assert result.returncode == 0, result.stderr + result.stdout


def _copy_project(destination: Path) -> Path:
    ignore = shutil.ignore_patterns(".venv", ".git", ".snakemake", "reports", "processed", "__pycache__",
                                    ".pytest_cache", "*.ipynb_checkpoints")
    shutil.copytree(config.ROOT, destination, ignore=ignore)
    (destination / "data" / "processed").mkdir()
    return destination


def _copy_built_processed(project: Path) -> bool:
    """Copy the repository's processed tables (built by tools/test.sh before the tests) into the
    copy, newer than its inputs as in the repository; False when they are not all built."""
    built = [config.PROCESSED / name for name in PROCESSED_TABLES]
    if not all(p.is_file() for p in built):
        return False
    for path in built:
        shutil.copy2(path, project / "data" / "processed" / path.name)
    return True


@pytest.mark.long_running
def test_bad_raw_file_stops_the_workflow_and_leaves_previous_outputs_untouched(tmp_path):
    """The previous outputs are the processed tables the workflow built in the repository (the test
    command builds them first; copied, with their times) or, when they are not built, a build in the copy."""
    project = _copy_project(tmp_path / "project")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}

    def run(*args):
        return snakemake_runner.run(["--cores", "1", *args], cwd=project, env=env, timeout=600)

    if _copy_built_processed(project):
        assert "Nothing to be done" in (plan := run("-n", "processed")).stdout + plan.stderr, plan.stdout
    else:
        first = run("processed")
        assert first.returncode == 0, first.stderr
    outputs = sorted((project / "data" / "processed").glob("*.csv"))
    assert sorted(p.name for p in outputs) == sorted(PROCESSED_TABLES)
    before = {p.name: p.read_bytes() for p in outputs}
    raw = project / "data" / "raw" / "oecd" / "OECD.GOV.GIP_DF_GOV_PPROC_2025.csv"
    lines = raw.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[6] = lines[6].replace(",CZE,Czechia,", ",XXX,Czechia,")
    raw.write_text("".join(lines), encoding="utf-8")
    second = run("processed")
    assert second.returncode != 0
    message = second.stdout + second.stderr
    assert "OECD.GOV.GIP_DF_GOV_PPROC_2025.csv: row 7: column 'REF_AREA'" in message
    assert {p.name: p.read_bytes() for p in outputs} == before
