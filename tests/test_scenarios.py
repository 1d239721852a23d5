"""Scenario files: names that are identifiers (never a path or a shell command), checked before
anything runs; quoted paths in every shell directive."""

from __future__ import annotations

import json
import os
import shutil
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import snakemake_runner
from analysis import config, scenarios


SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))


def _snakemake(*args: str, cwd: Path = config.ROOT, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    """The ``snakemake`` command line, run without its start-up cost (tests/snakemake_runner.py)."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           **(env_extra or {})}
    return snakemake_runner.run(["--cores", "1", *args], cwd=cwd, env=env, timeout=300)


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory) -> Path:
    """A copy of the project (code, data, configuration, notebooks, workflow; no outputs) in which
    the attack tests run the workflow: nothing else writes there, so "no file appears" is exact
    while the other tests run on other xdist workers (and the repository is never written)."""
    project = tmp_path_factory.mktemp("sandbox") / "project"
    shutil.copytree(config.ROOT, project, ignore=shutil.ignore_patterns(
        ".venv", ".git", ".snakemake", "reports", "processed", "__pycache__", ".pytest_cache", ".hypothesis",
        ".tmp", "private"))
    return project


def _tree(root: Path) -> set[str]:
    """Every file under ``root`` (except Snakemake's own state and Python's caches), to see that
    nothing appeared."""
    return {str(p.relative_to(root)) for p in root.rglob("*")
            if ".snakemake" not in p.parts and "__pycache__" not in p.parts}


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
def test_workflow_refuses_a_bad_scenario_name_before_anything_runs(tmp_path, project_copy, text):
    scenario_file = tmp_path / "attack.yaml"
    scenario_file.write_text(text, encoding="utf-8")
    before = _tree(project_copy)
    outside_before = _tree(tmp_path)
    # The refusal is at parse time, before any job could start (and write).
    result = _snakemake("--configfile", str(scenario_file), "--dry-run", cwd=project_copy)
    message = result.stdout + result.stderr
    assert result.returncode != 0, message
    assert "Scenario refused" in message and "attack.yaml: scenario:" in message, message
    assert _tree(project_copy) - before == set(), "no file may appear in the project"
    assert _tree(tmp_path) == outside_before
    assert not (project_copy / "INJECTED").exists() and not (config.ROOT / "INJECTED").exists()


@pytest.mark.parametrize("name", ["x$(touch INJECTED)", "../..", "a b"])
def test_workflow_refuses_a_bad_name_given_with_config(project_copy, name):
    before = _tree(project_copy)
    result = _snakemake("--config", f"scenario={name}", "--dry-run", cwd=project_copy)
    assert result.returncode != 0
    assert "Scenario refused" in result.stdout + result.stderr
    assert _tree(project_copy) - before == set(), "no file may appear in the project"
    assert not (project_copy / "INJECTED").exists() and not (config.ROOT / "INJECTED").exists()


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


def _repository_plan(*args: str) -> subprocess.CompletedProcess:
    """A dry run's plan of the repository's workflow with repository files only, shared by the tests
    (of this module and of test_workflow.py) that read the same plan (snakemake_runner.dry_run)."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    return snakemake_runner.dry_run(["--cores", "1", "-n", "--forceall", "--printshellcmds", *args],
                                    cwd=config.ROOT, env=env, timeout=300)


@pytest.mark.xdist_group("repository_plans")  # shares plans with test_workflow.py
def test_planned_commands_quote_the_paths():
    result = _repository_plan("--configfile", "config/scenarios/reference_year_2019.yaml")
    assert result.returncode == 0, result.stderr
    assert re.search(r"analysis.run_notebook \S+ reports/scenarios/reference_year_2019/notebooks/\S+ ", result.stdout)


# --- stray EDTECH_OUTPUT_DIR ------------------------------------------------------------------------

def test_workflow_ignores_a_stray_output_directory_variable(tmp_path):
    result = _snakemake("-n", "--forceall", env_extra={config.OUTPUT_ENV_VAR: str(tmp_path / "elsewhere")})
    assert result.returncode == 0, result.stderr
    assert f"{config.OUTPUT_ENV_VAR} ignored" in result.stderr


def test_regenerate_clears_a_stray_output_directory_variable():
    text = (config.ROOT / "tools" / "regenerate.sh").read_text(encoding="utf-8")
    clear = text.index("unset EDTECH_OUTPUT_DIR")
    assert clear < text.index("exec .venv/bin/python tools/run_workflow.py")


def test_provided_scenarios_have_legal_names():
    for path in sorted((config.CONFIG / "scenarios").glob("*.yaml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert scenarios.check_name(content["scenario"], path.name) == path.stem


# --- the schema: unknown keys, wrong types, out of range (issue: refuse what is not understood) ----

def _planned_parameters(*args: str, repository_files: bool = False) -> dict[str, dict]:
    """{notebook: parameters} papermill would receive, read off a dry run's shell commands
    (``repository_files``: the arguments name only the repository's files, the plan may be shared)."""
    result = _repository_plan(*args) if repository_files else _snakemake("-n", "--forceall", "--printshellcmds", *args)
    assert result.returncode == 0, result.stderr + result.stdout
    planned = {}
    for match in re.finditer(r"analysis.run_notebook notebooks/(\S+)\.ipynb .*?--parameters_yaml '([^']*)'", result.stdout):
        planned[match.group(1)] = json.loads(match.group(2))
    return planned


DEFAULTS = scenarios.load_defaults()
SCHEMA = scenarios.load_schema()


def _problems(document: dict) -> list[str]:
    return scenarios.validate({"scenario": "x", **document}, "x.yaml")


def test_the_provided_scenarios_are_valid():
    for path in sorted((config.CONFIG / "scenarios").glob("*.yaml")):
        assert scenarios.validate(yaml.safe_load(path.read_text(encoding="utf-8")), path.name) == []


def test_defaults_satisfy_their_own_schema():
    assert scenarios.validate({"scenario": "x"}, "x.yaml") == []
    constrained = set(SCHEMA["parameters"])
    every_parameter = {name for params in DEFAULTS.values() for name in params}
    assert SCHEMA["study"] and set(SCHEMA["study"]) <= every_parameter
    assert constrained <= every_parameter, "the schema constrains parameters no notebook has"


def test_an_unknown_parameter_is_refused_with_the_nearest_names():
    notebook = next(nb for nb, params in DEFAULTS.items() if "n_smaa" in params)
    problems = _problems({"notebook_params": {notebook: {"n_smaaa": 5000}}})
    assert len(problems) == 1
    assert problems[0].startswith(f"x.yaml: notebook_params: {notebook}: n_smaaa: unknown parameter")
    assert "did you mean 'n_smaa'" in problems[0]


def test_an_unknown_notebook_and_top_level_key_are_refused():
    notebook = sorted(DEFAULTS)[-1]
    problems = _problems({"notebook_param": {}, "notebook_params": {notebook[:-1]: {}}})
    assert any("x.yaml: notebook_param: unknown key (did you mean 'notebook_params'" in p for p in problems)
    assert any(f"notebook_params: {notebook[:-1]}: unknown notebook (did you mean '{notebook}'" in p for p in problems)


def test_every_problem_is_reported_at_once():
    problems = _problems({"study": {"budget_colum": "low", "seed": -1},
                          "notebook_params": {"05_sensitivity": {"n_smaa": -10, "reference_profile": "nobody"}}})
    assert len(problems) == 4, problems


@pytest.mark.parametrize("notebook, name, value, expected", [
    ("05_sensitivity", "n_smaa", -10, "out of range (found -10; allowed: >= "),
    ("05_sensitivity", "n_smaa", "many", "wrong type (found a text 'many'; allowed: an integer)"),
    ("05_sensitivity", "n_smaa", 1000.5, "wrong type"),
    ("05_sensitivity", "promethee_threshold", float("nan"), "not a finite number"),
    ("05_sensitivity", "reference_profile", "etta", "unknown weight profile (found 'etta'; did you mean 'etat'"),
    ("01_oecd_procurement", "prediction_alpha", 1.5, "out of range (found 1.5; allowed: < 1)"),
    ("02_oecd_practices", "focus_system", "XXX", "unknown education system"),
    ("03_market_sizing", "inputs_file", "../../etc/passwd", "not a path inside the project"),
    ("03_market_sizing", "inputs_file", "data/market/none.csv", "no such file"),
    ("03_market_sizing", "input_overrides", {"digital_share": 6}, "unknown input id 'digital_share'"),
    ("03_market_sizing", "input_overrides", {"digital_share_education_pct": {"value": 6, "low": 7, "high": 9}},
     "low <= value <= high does not hold"),
    ("06_territorial_diagnostic", "authority", "../../x", "no authority file of that name"),
    ("04_variants", "output_dir", "/tmp", "set by the workflow"),
])
def test_a_bad_value_is_refused(notebook, name, value, expected):
    assert name in DEFAULTS[notebook]
    problems = _problems({"notebook_params": {notebook: {name: value}}})
    assert len(problems) == 1 and f"x.yaml: notebook_params: {notebook}: {name}: " in problems[0], problems
    assert expected in problems[0], problems


@pytest.mark.parametrize("value", ["lo", "LOW", 1, None])
def test_a_budget_column_not_among_the_allowed_ones_is_refused(value):
    problems = _problems({"study": {"budget_column": value}})
    assert len(problems) == 1 and problems[0].startswith("x.yaml: study: budget_column: "), problems


def test_a_study_setting_cannot_be_set_for_one_notebook_only():
    shared = SCHEMA["study"][0]
    notebook = next(nb for nb, params in DEFAULTS.items() if shared in params)
    problems = _problems({"notebook_params": {notebook: {shared: DEFAULTS[notebook][shared]}}})
    assert len(problems) == 1 and "a study-level setting" in problems[0]


def test_workflow_refuses_an_unknown_key_before_anything_runs(tmp_path):
    scenario_file = tmp_path / "typo.yaml"
    scenario_file.write_text("scenario: typo\nnotebook_params:\n  04_variants:\n    weights: {etat: 1}\n"
                             "  05_sensitivity: {n_smaa: -3}\n", encoding="utf-8")
    result = _snakemake("--configfile", str(scenario_file), "--dry-run")
    message = result.stdout + result.stderr
    assert result.returncode != 0
    assert "typo.yaml: notebook_params: 04_variants: weights: unknown parameter" in message
    assert "typo.yaml: notebook_params: 05_sensitivity: n_smaa: out of range" in message
    assert not (config.REPORTS / "scenarios" / "typo").exists()


def test_a_study_setting_reaches_every_notebook_that_uses_it(tmp_path):
    """The budget set once reaches both the comparison (04) and its sensitivity analyses (05)."""
    shared = {"budget_column": "low", "seed": 7}
    scenario_file = tmp_path / "shared.yaml"
    scenario_file.write_text(yaml.safe_dump({"scenario": "shared", "study": shared}), encoding="utf-8")
    planned = _planned_parameters("--configfile", str(scenario_file))
    for name, value in shared.items():
        users = sorted(nb for nb, params in DEFAULTS.items() if name in params)
        assert len(users) >= 2
        for notebook in users:
            assert planned[notebook][name] == value, (notebook, name)
    for notebook, params in planned.items():
        assert params["output_dir"] == "reports/scenarios/shared"


@pytest.mark.xdist_group("repository_plans")  # shares plans with test_workflow.py
def test_the_low_budget_scenario_gives_the_same_budget_to_every_notebook():
    planned = _planned_parameters("--configfile", "config/scenarios/variants_low_budget.yaml", repository_files=True)
    budgets = {nb: params["budget_column"] for nb, params in planned.items() if "budget_column" in params}
    assert len(budgets) >= 2 and set(budgets.values()) == {"low"}, budgets


# --- the record of what a folder was built with ------------------------------------------------------

def test_record_holds_the_effective_settings_and_flags_changed_inputs(tmp_path):
    root = tmp_path / "project"
    for part in ("config", "analysis", "data/variants", "data/market", "data/diagnostic", "data/mappings"):
        shutil.copytree(config.ROOT / part, root / part)
    source = root / "config/scenarios/variants_low_budget.yaml"
    document = yaml.safe_load(source.read_text(encoding="utf-8"))
    scenarios.write_record("reports/scenarios/variants_low_budget", "variants_low_budget", str(source), document, root)
    out = root / "reports/scenarios/variants_low_budget"
    record = yaml.safe_load((out / "scenario.yaml").read_text(encoding="utf-8"))
    for notebook, params in record["effective_parameters"].items():
        if "budget_column" in params:
            assert params["budget_column"] == document["study"]["budget_column"]
    assert (out / "inputs" / source.name).read_bytes() == source.read_bytes()
    assert (out / "inputs" / "data/market/inputs.csv").is_file()
    assert scenarios.stale_inputs("reports/scenarios/variants_low_budget", root) == []
    scores = root / "data/variants/qualitative_scores.csv"
    scores.write_text(scores.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert scenarios.stale_inputs("reports/scenarios/variants_low_budget", root) == ["data/variants/qualitative_scores.csv"]
    assert scenarios.stale_inputs("reports/scenarios/never_built", root) is None


# --- hand runs are safe ------------------------------------------------------------------------------

def test_a_notebook_run_by_hand_writes_to_the_scratch_folder(monkeypatch):
    monkeypatch.delenv(config.OUTPUT_ENV_VAR, raising=False)  # tools/test.sh sets it for nbval
    assert config.output_root(config.SCRATCH_DIR) == config.SCRATCH
    defaults = scenarios.load_defaults()
    assert {params["output_dir"] for params in defaults.values()} == {config.SCRATCH_DIR}
    ignored = subprocess.run(["git", "check-ignore", "-q", f"{config.SCRATCH_DIR}/tables/x.csv"], cwd=config.ROOT)
    assert ignored.returncode == 0, "the scratch folder is ignored by git"


def _hashes(root: Path, skip: Path) -> dict[str, str]:
    import hashlib

    if not root.exists():
        return {}
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in root.rglob("*") if p.is_file() and not p.is_relative_to(skip)}


# The two tests that write into reports/ (a hand run's scratch folder, a comparison table) run on one
# xdist worker, with the test that lists every file of reports/ (tests/test_checks.py): the hand run
# checks that nothing else of reports/ changes while it runs.
REPORTS_WRITERS = pytest.mark.xdist_group("reports_tree")


@REPORTS_WRITERS
@pytest.mark.long_running
def test_a_hand_run_with_a_changed_parameter_leaves_reports_byte_identical(tmp_path):
    """papermill with a changed parameter, as a user would run it: reports/ (outside the scratch
    folder) is unchanged, and the outputs are in the scratch folder."""
    notebook = "06_territorial_diagnostic"
    other_authority = sorted(p.stem for p in (config.DATA / "diagnostic" / "authorities").glob("*.yaml"))[-1]
    before = _hashes(config.REPORTS, config.SCRATCH)
    env = {k: v for k, v in os.environ.items() if k != config.OUTPUT_ENV_VAR}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("MPLBACKEND", "Agg")
    result = subprocess.run([str(Path(sys.executable).with_name("papermill")), f"notebooks/{notebook}.ipynb",
                             str(tmp_path / "executed.ipynb"), "--cwd", "notebooks", "-p", "authority",
                             other_authority, "--no-progress-bar"], capture_output=True, text=True,
                            cwd=config.ROOT, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert _hashes(config.REPORTS, config.SCRATCH) == before
    assert (config.SCRATCH / "tables" / "diagnostic_batch_summary.csv").is_file()


def test_a_missing_input_from_an_earlier_step_names_the_command_that_builds_it(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "SCRATCH", tmp_path / "reports" / "scratch")
    monkeypatch.setattr(config, "REPORTS", tmp_path / "reports")
    missing = config.SCRATCH / "tables" / "market_budget_for_variants.csv"
    with pytest.raises(FileNotFoundError, match=r"market_budget_for_variants\.csv: not found.*run `bash tools/regenerate.sh`"):
        config.require(missing)
    with pytest.raises(FileNotFoundError, match=r"run `bash tools/regenerate.sh processed`"):
        config.require(tmp_path / "data" / "processed" / "x.csv", config.BUILD_PROCESSED)
    # After the baseline is built, a hand run reads the baseline's table when the scratch has none.
    baseline = config.REPORTS / "tables" / "market_budget_for_variants.csv"
    baseline.parent.mkdir(parents=True)
    baseline.write_text("x\n1\n", encoding="utf-8")
    assert config.require(missing) == baseline
    missing.parent.mkdir(parents=True)
    missing.write_text("x\n2\n", encoding="utf-8")
    assert config.require(missing) == missing


# --- the variants' data of a scenario: weights, scores, a sixth variant, without touching data/ ------

def _scenario_data_dir(name: str) -> Path:
    """A folder inside the project (scenario files name project paths), ignored by git."""
    folder = config.ROOT / ".tmp" / "test_scenarios" / name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


def _sixth_variant(folder: Path) -> tuple[str, str, str]:
    """A new variant copied from the last one (new id), with the last one's scores: (file, scores, id)."""
    from analysis import variants

    files = variants.variant_files(variants.VARIANTS_DIR)
    ids = [int(scenarios._variant_id(p)[1:]) for p in files]
    last = files[ids.index(max(ids))]
    new_id = f"V{max(ids) + 1}"
    text = last.read_text(encoding="utf-8")
    text = re.sub(r"^id: V\d+$", f"id: {new_id}", text, flags=re.M)
    text = re.sub(r'^name_fr: .*$', 'name_fr: "Variante ajoutée par un scénario"', text, flags=re.M)
    variant_file = folder / f"{new_id}_added.yaml"
    variant_file.write_text(text, encoding="utf-8")
    lines = (variants.VARIANTS_DIR / "qualitative_scores.csv").read_text(encoding="utf-8").splitlines()
    last_id = scenarios._variant_id(last)
    scores = [lines[0]] + [new_id + line[len(last_id):] for line in lines[1:] if line.startswith(last_id + ",")]
    scores_file = folder / "scores.csv"
    scores_file.write_text("\n".join(scores) + "\n", encoding="utf-8")
    return (str(variant_file.relative_to(config.ROOT)), str(scores_file.relative_to(config.ROOT)), new_id)


def _comparison(variants_dir: Path):
    from analysis import sensitivity, variants

    table = variants.load_parameters().set_index("name")
    market = pd.DataFrame([
        {"quantity": quantity, "low": table.loc[name, "low"], "central": table.loc[name, "value"],
         "high": table.loc[name, "high"], "unit": "", "source": "the model's own parameter table"}
        for name, quantity in (("budget_eur", "annual_public_digital_resources_budget_eur"), ("pupils", "pupils"))])
    return sensitivity.load_comparison(market, "central", "central", variants_dir)


def _totals(comparison) -> pd.DataFrame:
    from analysis import mcda, sensitivity

    values = pd.DataFrame(sensitivity.central_values(comparison), index=comparison.variant_ids,
                          columns=comparison.criteria["criterion"])
    return mcda.totals_by_profile(values, comparison.weights)


def test_a_weights_override_reaches_the_totals_and_leaves_data_untouched(tmp_path):
    from analysis import variants

    baseline_files = _hashes(variants.VARIANTS_DIR, tmp_path / "none")
    baseline = _comparison(variants.VARIANTS_DIR)
    profile = baseline.weights.index[0]
    criterion = baseline.weights.columns[0]
    raw = yaml.safe_load((variants.VARIANTS_DIR / "weight_profiles.yaml").read_text(encoding="utf-8"))
    raw_weights = next(p for p in raw["profiles"] if p["id"] == profile)["weights"]
    spec = {"weight_profiles": {profile: {"weights": {criterion: raw_weights[criterion] * 4 + 10}}}}
    assert scenarios.validate_variants_data(spec, "w.yaml") == []
    effective = scenarios.build_variants_data(spec, tmp_path / "variants")
    changed = _comparison(effective)
    expected = {**raw_weights, criterion: raw_weights[criterion] * 4 + 10}
    assert changed.weights.loc[profile, criterion] == pytest.approx(expected[criterion] / sum(expected.values()))
    before, after = _totals(baseline), _totals(changed)
    column = "total" if "total" in before.columns else before.select_dtypes("number").columns[0]
    assert not before.loc[before["profile"] == profile, column].equals(after.loc[after["profile"] == profile, column])
    others = before["profile"] != profile
    pd.testing.assert_frame_equal(before[others].reset_index(drop=True), after[others].reset_index(drop=True))
    assert _hashes(variants.VARIANTS_DIR, tmp_path / "none") == baseline_files


def test_a_sixth_variant_from_a_scenario_goes_through_the_comparison(tmp_path):
    from analysis import variants

    folder = _scenario_data_dir("sixth")
    try:
        variant_file, scores_file, new_id = _sixth_variant(folder)
        spec = {"add": [variant_file], "scores": scores_file}
        assert scenarios.validate_variants_data(spec, "s.yaml") == []
        effective = scenarios.build_variants_data(spec, tmp_path / "variants")
        comparison = _comparison(effective)
        baseline_ids = [v.id for v in variants.load_variants()]
        assert comparison.variant_ids == baseline_ids + [new_id]
        assert new_id in set(_totals(comparison)["variant_id"])
        # Dropping it again, or a variant of the baseline, works the same way.
        dropped = scenarios.build_variants_data({"drop": [baseline_ids[-1]]}, tmp_path / "dropped")
        assert _comparison(dropped).variant_ids == baseline_ids[:-1]
        # The workflow plans the built folder for notebooks 04 and 05.
        scenario_file = folder / "sixth.yaml"
        scenario_file.write_text(yaml.safe_dump({"scenario": "sixth", "variants_data": spec}), encoding="utf-8")
        planned = _planned_parameters("--configfile", str(scenario_file))
        users = [nb for nb, params in DEFAULTS.items() if "variants_dir" in params]
        assert len(users) >= 2
        for notebook in users:
            assert planned[notebook]["variants_dir"] == "reports/scenarios/sixth/data/variants"
    finally:
        shutil.rmtree(folder)


def test_a_sixth_variant_without_scores_is_refused_before_anything_runs():
    folder = _scenario_data_dir("unscored")
    try:
        variant_file, _, new_id = _sixth_variant(folder)
        problems = scenarios.validate({"scenario": "x", "variants_data": {"add": [variant_file]}}, "x.yaml")
        assert len(problems) == 1 and problems[0].startswith("x.yaml: variants_data: the effective variants data")
        assert new_id in problems[0] and "qualitative_scores.csv" in problems[0]
    finally:
        shutil.rmtree(folder)


@pytest.mark.parametrize("spec, expected", [
    ({"dorp": ["V1"]}, "variants_data: dorp: unknown key (did you mean 'drop'"),
    ({"drop": ["V99"]}, "variants_data: drop[0]: unknown variant 'V99'"),
    ({"drop": "V1"}, "variants_data: drop: must be a list"),
    ({"files": {"weights.yaml": "data/variants/weight_profiles.yaml"}}, "files: weights.yaml: not a replaceable file"),
    ({"files": {"criteria.yaml": "/etc/passwd"}}, "not a path inside the project"),
    ({"scores": "data/variants/none.csv"}, "scores: no such file"),
    ({"weight_profiles": {"etat": {"weights": {"equity": float("nan")}}}}, "weights: equity: not a finite non-negative"),
    ({"weight_profiles": {"etat": {"weights": {"equity": -1}}}}, "weights: equity: not a finite non-negative"),
    ({"weight_profiles": {"etat": {"weights": {"equiti": 5}}}}, "the effective variants data are refused"),
])
def test_bad_variants_data_are_refused(spec, expected):
    problems = scenarios.validate({"scenario": "x", "variants_data": spec}, "x.yaml")
    assert len(problems) == 1 and expected in problems[0], problems


# --- comparison ----------------------------------------------------------------------------------

def _small_outputs(folder: Path, totals: dict[str, dict[str, float]], budget: float) -> None:
    """A small output folder: the comparison's totals by profile and the market budget."""
    from analysis.io import write_csv

    rows = [{"profile": p, "profile_fr": p, "variant_id": v, "total": t, "rank": 0}
            for p, by_variant in totals.items() for v, t in by_variant.items()]
    write_csv(pd.DataFrame(rows), folder / "tables" / "mcda_totals_by_profile.csv")
    write_csv(pd.DataFrame([{"quantity": "annual_public_digital_resources_budget_eur", "low": budget * 0.8,
                             "central": budget, "high": budget * 1.2, "unit": "EUR", "source": "test"}]),
              folder / "tables" / "market_budget_for_variants.csv")


def test_the_comparison_table_of_two_small_scenarios(tmp_path):
    from analysis import compare

    baseline_totals = {"a": {"V0": 0.4, "V1": 0.7, "V2": 0.6}, "b": {"V0": 0.5, "V1": 0.3, "V2": 0.45}}
    swapped = {"a": {"V0": 0.4, "V1": 0.6, "V2": 0.7}, "b": dict(baseline_totals["b"])}
    _small_outputs(tmp_path / "base", baseline_totals, 100.0)
    _small_outputs(tmp_path / "s1", swapped, 100.0)
    _small_outputs(tmp_path / "s2", baseline_totals, 80.0)
    (tmp_path / "s2" / "tables" / "mcda_totals_by_profile.csv").unlink()  # robust to a missing table
    table, status = compare.compare(["s1", "s2"], tmp_path / "base", {"s1": tmp_path / "s1", "s2": tmp_path / "s2"})
    table = table.set_index(["part", "indicator"])
    first_a = ("variants", "first variant, profile a")
    assert table.loc[first_a, "baseline"] == max(baseline_totals["a"], key=baseline_totals["a"].get)
    assert table.loc[first_a, "s1"] == max(swapped["a"], key=swapped["a"].get)
    assert table.loc[first_a, "s1 delta"] == "changed"
    assert table.loc[("variants", "first variant, profile b"), "s1 delta"] == "same"
    margin = ("variants", "margin of the first variant over the second, profile a")
    top = sorted(swapped["a"].values())[-2:]
    base_top = sorted(baseline_totals["a"].values())[-2:]
    assert table.loc[margin, "s1 delta"] == pytest.approx((top[1] - top[0]) - (base_top[1] - base_top[0]))
    central = ("market", "annual_public_digital_resources_budget_eur (central)")
    assert table.loc[central, "s2 delta"] == pytest.approx(80.0 - 100.0)
    assert pd.isna(table.loc[first_a, "s2"])
    assert list(status["scenario"]) == ["baseline", "s1", "s2"]
    assert not status["built"].any()  # no scenario.yaml in these folders


@REPORTS_WRITERS
def test_compare_command_writes_its_tables_and_flags_unbuilt_scenarios(tmp_path):
    from analysis import compare

    output = f"reports/comparison_test_{os.getpid()}"
    try:
        assert compare.main(["--output", output, "never_built_scenario"]) == 0
        status = pd.read_csv(config.ROOT / output / "scenario_status.csv")
        assert list(status["scenario"]) == ["baseline", "never_built_scenario"]
        assert not status.set_index("scenario").loc["never_built_scenario", "built"]
        assert (config.ROOT / output / "headline_comparison.csv").is_file()
        assert compare.main(["../../x"]) == 2
        assert compare.main(["--output", "/tmp/elsewhere"]) == 2
    finally:
        shutil.rmtree(config.ROOT / output, ignore_errors=True)


# --- sweeps --------------------------------------------------------------------------------------

SWEEPS = sorted((config.CONFIG / "sweeps").glob("*.yaml"))


@pytest.mark.parametrize("path", SWEEPS, ids=lambda p: p.stem)
def test_every_provided_sweep_expands_into_valid_scenarios(path):
    from analysis import sweeps

    name, documents = sweeps.expand(path)
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    expected = (spec["sample"]["n"] if "sample" in spec
                else int(np.prod([len(v) for v in spec["grid"].values()])))
    assert len(documents) == expected
    assert len({d["scenario"] for d in documents}) == expected
    for document in documents:
        assert document["scenario"].startswith(f"{name}-")
        assert scenarios.validate(document, document["scenario"]) == []
    assert sweeps.expand(path)[1] == documents, "a sweep expands the same way every time (seeded)"


def test_a_grid_sweep_sets_each_combination(tmp_path):
    from analysis import sweeps

    path = tmp_path / "grid.yaml"
    path.write_text(yaml.safe_dump({"sweep": "g", "base": {"study": {"seed": 3}}, "grid": {
        "study.budget_column": ["low", "high"], "notebook_params.05_sensitivity.n_smaa": [200, 300, 400]}}))
    _, documents = sweeps.expand(path)
    combinations = {(d["study"]["budget_column"], d["notebook_params"]["05_sensitivity"]["n_smaa"]) for d in documents}
    assert combinations == {(b, n) for b in ("low", "high") for n in (200, 300, 400)}
    assert all(d["study"]["seed"] == 3 for d in documents)


@pytest.mark.parametrize("content, expected", [
    ({"sweep": "x", "grid": {"study.budget_colum": ["low"]}}, "study: budget_colum: unknown study-level setting"),
    ({"sweep": "x", "grid": {"notebook_params.05_sensitivity.n_smaa": [-1]}}, "n_smaa: out of range"),
    ({"sweep": "../x", "grid": {"study.seed": [1]}}, "not a legal name"),
    ({"sweep": "x"}, "give either grid: or sample:"),
    ({"sweep": "x", "grdi": {}}, "grdi: unknown key (did you mean 'grid'"),
    ({"sweep": "x", "sample": {"n": 3, "seed": 1, "over": {"study.seed": {"normal": [0, 1]}}}}, "not a distribution"),
])
def test_a_bad_sweep_is_refused(tmp_path, content, expected):
    from analysis import sweeps

    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(content))
    with pytest.raises(sweeps.SweepError, match=re.escape(expected)):
        sweeps.expand(path)


@pytest.mark.long_running
def test_dry_run_of_a_100_scenario_sweep_in_one_invocation():
    from analysis import sweeps

    path = next(p for p in SWEEPS if len(sweeps.expand(p)[1]) >= 100)
    name, documents = sweeps.expand(path)
    # --quiet rules: the plan's table of jobs by rule, not each of its thousands of jobs written out
    result = snakemake_runner.run(["-s", "workflow/sweep.smk", "--config", f"sweep={path.relative_to(config.ROOT)}",
                                   "-n", "--cores", "1", "--quiet", "rules"], cwd=config.ROOT, timeout=900,
                                  env={**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"})
    assert result.returncode == 0, result.stderr[-3000:]
    plan = result.stdout + result.stderr
    jobs = {m[1]: int(m[2]) for m in re.finditer(r"^(\w+)\s+(\d+)\s*$",
                                                  plan.split("Job stats:")[1].split("total")[0], flags=re.M)}
    for document in documents:
        module = "s" + document["scenario"].replace("-", "_")
        assert jobs.get(f"{module}_variants_notebook") == 1, module
    assert jobs.get("sweep_comparison") == 1
    assert not (config.REPORTS / "scenarios" / documents[0]["scenario"]).exists(), "a dry run writes nothing"


# --- a scenario executes only what it changes ----------------------------------------------------

def test_a_scenario_reuses_the_baseline_outputs_of_the_notebooks_it_does_not_change():
    stale = scenarios.stale_inputs("reports")
    workflow_only = {"Snakefile", "analysis/scenarios.py", "config/parameter_schema.yaml"}
    if stale is None or not set(stale) <= workflow_only:
        pytest.skip("the baseline is not built or not up to date (bash tools/regenerate.sh)")
    path = config.CONFIG / "scenarios" / "diagnostic_departement.yaml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    effective = scenarios.effective_parameters(document)
    baseline = scenarios.effective_parameters({})
    changed = {nb for nb in DEFAULTS if effective[nb] != baseline[nb]}
    assert changed, "the scenario changes some notebook"
    result = _snakemake("-n", "--configfile", str(path.relative_to(config.ROOT)))
    assert result.returncode == 0, result.stderr
    plan = result.stdout
    # the ledger (90) reads every part's claim values: it reruns when a part that writes claims changes
    claim_parts = {nb for nb in DEFAULTS if (config.NOTEBOOKS / f"{nb}.ipynb").read_text(encoding="utf-8").count("write_computed")}
    must_run = changed | ({"90_claims_ledger"} if changed & claim_parts else set())
    for notebook in DEFAULTS:
        reused = f"rule reuse_baseline_{notebook}:" in plan
        assert reused == (notebook not in must_run), notebook
    every = _snakemake("-n", "--forceall", "--config", "reuse_baseline=false", "--configfile",
                       str(path.relative_to(config.ROOT)))
    assert every.returncode == 0 and "reuse_baseline_" not in every.stdout


# --- files read once per process (a sweep parses the Snakefile once per scenario) -----------------

def test_a_cached_yaml_file_is_read_again_when_it_changes(tmp_path):
    path = tmp_path / "settings.yaml"
    path.write_text("value: 1\nitems: [a]\n", encoding="utf-8")
    settled = path.stat().st_mtime_ns - 60_000_000_000  # as if written a minute ago: cached
    os.utime(path, ns=(settled, settled))
    first = scenarios.read_yaml(path)
    assert first == yaml.safe_load(path.read_text(encoding="utf-8"))
    first["items"].append("changed by a caller")
    assert scenarios.read_yaml(path)["items"] == ["a"], "each caller gets its own copy"
    digest = scenarios.file_sha256(path)
    path.write_text("value: 2\nitems: [b]\n", encoding="utf-8")  # same size, a later time
    os.utime(path, ns=(settled + 1, settled + 1))
    assert scenarios.read_yaml(path) == {"value": 2, "items": ["b"]}
    assert scenarios.file_sha256(path) != digest
    path.write_text("value: 3\nitems: [c]\n", encoding="utf-8")  # just written: never served from the cache
    assert scenarios.read_yaml(path)["value"] == 3
