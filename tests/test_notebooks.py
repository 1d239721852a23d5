"""Notebooks are thin and follow the house rules: a literal-only `parameters` cell first, defaults
in config/parameters/, headline output checked by nbval, no stored errors, a workflow rule each."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import nbformat
import pytest
import yaml

from analysis import config

NOTEBOOKS = sorted(config.NOTEBOOKS.glob("*.ipynb"))
RULE_TEXT = (config.ROOT / "Snakefile").read_text() + "".join(
    p.read_text() for p in sorted((config.ROOT / "workflow" / "rules").glob("*.smk")))


def _code_cells(path: Path):
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def _parameters(path: Path) -> dict:
    cell = _code_cells(path)[0]
    values = {}
    for node in ast.parse(cell.source).body:
        assert isinstance(node, ast.Assign) and len(node.targets) == 1, f"{path.name}: parameters cell holds assignments only"
        values[node.targets[0].id] = ast.literal_eval(node.value)  # raises unless a literal
    return values


def test_every_notebook_is_here():
    names = [p.stem for p in NOTEBOOKS]
    assert names[0].startswith("01_") and names[-1] == "90_claims_ledger"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_code_cell_is_tagged_parameters_and_holds_json_safe_literals(path):
    cell = _code_cells(path)[0]
    assert "parameters" in cell.metadata.get("tags", [])
    values = _parameters(path)
    json.dumps(values)  # JSON-safe
    assert values["output_dir"] == config.SCRATCH_DIR  # a hand run never writes into reports/


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.stem != "90_claims_ledger"], ids=lambda p: p.name)
def test_default_parameter_file_matches_the_parameters_cell(path):
    defaults = yaml.safe_load((config.CONFIG / "parameters" / f"{path.stem}.yaml").read_text(encoding="utf-8"))
    assert defaults == _parameters(path)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_headline_cell_is_checked_by_nbval_and_no_error_is_stored(path):
    cells = _code_cells(path)
    checked = [c for c in cells if "# NBVAL_CHECK_OUTPUT" in c.source]
    assert checked, "a cell prints the headline numbers for nbval"
    assert all(c.outputs for c in checked), "run tools/refresh_notebook_outputs.py to store expected output"
    for cell in cells:
        assert all(o.get("output_type") != "error" for o in cell.outputs)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_is_run_by_a_workflow_rule(path):
    assert f"notebooks/{path.name}" in RULE_TEXT
    assert f'notebook_params("{path.stem}")' in RULE_TEXT


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_never_read_shared(path):
    text = path.read_text(encoding="utf-8")
    shared = "/".join(["..", "shared"])  # the study's folder, which a user of the package does not have
    assert shared not in text and "shared/reference" not in text
