"""Scenario files: names that are identifiers (never a path or a shell command), checked before
anything runs; quoted paths in every shell directive."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from analysis import config, scenarios

SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))


def _snakemake(*args: str, cwd: Path = config.ROOT, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           **(env_extra or {})}
    return subprocess.run([SNAKEMAKE, "--cores", "1", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=300)


def _tree(root: Path) -> set[str]:
    """Every file under ``root`` (except Snakemake's own state), to see that nothing appeared."""
    return {str(p.relative_to(root)) for p in root.rglob("*")
            if ".snakemake" not in p.parts and "__pycache__" not in p.parts and ".pytest_cache" not in p.parts}


# --- the name rule, called directly ------------------------------------------------------------

ATTACKS = {
    "command substitution": "x$(touch INJECTED)",
    "backticks": "x`touch INJECTED`",
    "parent escape": "../../../escape",
    "repository root": "../..",
    "dot dot": "..",
    "absolute path": "/tmp/escape",
    "space": "my scenario",
    "empty": "",
    "upper case": "Low_Budget",
    "leading dash": "-n",
    "semicolon": "x;touch INJECTED",
    "newline": "x\ntouch INJECTED",
    "reserved": "baseline",
}


@pytest.mark.parametrize("name", ATTACKS.values(), ids=ATTACKS.keys())
def test_illegal_names_are_refused(name):
    with pytest.raises(scenarios.ScenarioError, match="scenario:"):
        scenarios.check_name(name, "file.yaml")


@pytest.mark.parametrize("value", [["a", "b"], {"a": 1}, 3, None, True], ids=repr)
def test_a_name_that_is_not_a_string_is_refused(value):
    with pytest.raises(scenarios.ScenarioError, match=r"file\.yaml: scenario: must be a name"):
        scenarios.check_name(value, "file.yaml")


@pytest.mark.parametrize("name", ["a", "variants_low_budget", "sweep-007", "2019"])
def test_identifiers_are_accepted(name):
    assert scenarios.check_name(name) == name
    assert config.scenario_output_dir(name) == f"reports/scenarios/{name}"


def test_output_dir_of_an_illegal_name_is_refused():
    with pytest.raises(scenarios.ScenarioError):
        config.scenario_output_dir("../..")
    assert config.scenario_output_dir(scenarios.BASELINE) == "reports"


def test_a_scenario_file_without_a_name_is_refused(tmp_path):
    path = tmp_path / "unnamed.yaml"
    path.write_text("notebook_params: {}\n", encoding="utf-8")
    with pytest.raises(scenarios.ScenarioError, match=r"unnamed\.yaml: scenario: missing"):
        scenarios.scenario_name({"scenario": "baseline"}, [path], config.CONFIG / "workflow.yaml")


def test_the_baseline_needs_no_name():
    assert scenarios.scenario_name({"scenario": "baseline"}, [], config.CONFIG / "workflow.yaml") == "baseline"
    assert scenarios.scenario_name({"scenario": "baseline"}, [config.CONFIG / "workflow.yaml"],
                                   config.CONFIG / "workflow.yaml") == "baseline"


# --- the same attacks through the workflow (dry runs) -------------------------------------------

WORKFLOW_ATTACKS = {
    "command substitution": 'scenario: "x$(touch INJECTED)"\n',
    "parent escape": 'scenario: "../../../escape"\n',
    "repository root": 'scenario: "../.."\n',
    "missing name": "notebook_params: {}\n",
    "reserved name": "scenario: baseline\n",
    "space": 'scenario: "my scenario"\n',
    "empty": 'scenario: ""\n',
    "list": "scenario: [a, b]\n",
    "null": "scenario:\n",
}


@pytest.mark.parametrize("text", WORKFLOW_ATTACKS.values(), ids=WORKFLOW_ATTACKS.keys())
def test_workflow_refuses_a_bad_scenario_name_before_anything_runs(tmp_path, text):
    scenario_file = tmp_path / "attack.yaml"
    scenario_file.write_text(text, encoding="utf-8")
    before = _tree(config.ROOT)
    outside_before = _tree(tmp_path)
    # Not a dry run: if the name got through, jobs would start (and write); the refusal is at parse time.
    result = _snakemake("--configfile", str(scenario_file), "--dry-run")
    message = result.stdout + result.stderr
    assert result.returncode != 0, message
    assert "Scenario refused" in message and "attack.yaml: scenario:" in message, message
    assert _tree(config.ROOT) - before == set(), "no file may appear in the repository"
    assert _tree(tmp_path) == outside_before
    assert not (config.ROOT / "INJECTED").exists()


@pytest.mark.parametrize("name", ["x$(touch INJECTED)", "../..", "a b"])
def test_workflow_refuses_a_bad_name_given_with_config(name):
    result = _snakemake("--config", f"scenario={name}", "--dry-run")
    assert result.returncode != 0
    assert "Scenario refused" in result.stdout + result.stderr
    assert not (config.ROOT / "INJECTED").exists()


# --- quoting ---------------------------------------------------------------------------------------

SHELL_PLACEHOLDER = re.compile(r"\{(input|output|log|params|OUT)(\.[a-z_]+)?(?P<spec>:q)?\}")


def _shell_directives() -> list[tuple[str, str]]:
    sources = [config.ROOT / "Snakefile", *sorted((config.ROOT / "workflow" / "rules").glob("*.smk"))]
    found = []
    for path in sources:
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r'^(?:PAPERMILL = \(|\s+shell:)\s*\n?((?:\s*"[^"\n]*"\s*\n?)+)', text, re.M):
            found.append((path.name, match.group(1)))
    return found


def test_every_path_in_a_shell_directive_is_quoted():
    directives = _shell_directives()
    assert len(directives) >= 5, "the shell directives were not found"
    for source, command in directives:
        for match in SHELL_PLACEHOLDER.finditer(command):
            assert match.group("spec") == ":q", f"{source}: {match.group(0)} is not quoted in {command.strip()}"


def test_planned_commands_quote_the_paths():
    result = _snakemake("-n", "--forceall", "--printshellcmds", "--configfile",
                        "config/scenarios/reference_year_2019.yaml")
    assert result.returncode == 0, result.stderr
    assert re.search(r"papermill \S+ reports/scenarios/reference_year_2019/notebooks/\S+ ", result.stdout)


# --- stray EDTECH_OUTPUT_DIR ------------------------------------------------------------------------

def test_workflow_ignores_a_stray_output_directory_variable(tmp_path):
    result = _snakemake("-n", "--forceall", env_extra={config.OUTPUT_ENV_VAR: str(tmp_path / "elsewhere")})
    assert result.returncode == 0, result.stderr
    assert f"{config.OUTPUT_ENV_VAR} ignored" in result.stderr


def test_regenerate_clears_a_stray_output_directory_variable():
    text = (config.ROOT / "tools" / "regenerate.sh").read_text(encoding="utf-8")
    clear = text.index("unset EDTECH_OUTPUT_DIR")
    assert clear < text.index("exec .venv/bin/snakemake")


def test_provided_scenarios_have_legal_names():
    for path in sorted((config.CONFIG / "scenarios").glob("*.yaml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert scenarios.check_name(content["scenario"], path.name) == path.stem
