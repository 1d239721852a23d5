"""Determinism: the same inputs give byte-identical results, and the manifest of an output folder
holds it to its files.

The two-run test builds one part of the study (the OECD procurement practices: raw data, the input
checks and notebook 02) twice from clean, in two copies of the project, and compares every table,
claim value and figure byte for byte, then the two manifests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import snakemake_runner  # the snakemake command line without its start-up cost
from analysis import config, provenance

SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))


def test_manifest_lists_sorted_sha256_of_results_only(tmp_path):
    (tmp_path / "tables").mkdir()
    (tmp_path / "figures").mkdir()
    (tmp_path / "tables" / "b.csv").write_text("x\n1\n", encoding="utf-8")
    (tmp_path / "tables" / "a.csv").write_text("x\n2\n", encoding="utf-8")
    (tmp_path / "figures" / "f.png").write_bytes(b"\x89PNG fake")
    (tmp_path / "run.ipynb").write_text("{}", encoding="utf-8")   # not a result: left out
    files = [tmp_path / "tables" / "b.csv", tmp_path / "tables" / "a.csv", tmp_path / "figures" / "f.png",
             tmp_path / "run.ipynb"]
    provenance.write_manifest(tmp_path, files)
    lines = (tmp_path / provenance.MANIFEST_NAME).read_text(encoding="utf-8").splitlines()
    assert [line.split("  ")[1] for line in lines] == ["figures/f.png", "tables/a.csv", "tables/b.csv"]
    assert lines[1].split("  ")[0] == provenance.sha256_of(tmp_path / "tables" / "a.csv")
    assert provenance.check_manifest(tmp_path) == []
    (tmp_path / "tables" / "a.csv").write_text("x\n3\n", encoding="utf-8")
    (tmp_path / "figures" / "f.png").unlink()
    assert provenance.check_manifest(tmp_path) == ["figures/f.png: missing",
                                                   "tables/a.csv: changed since the manifest was written"]


def test_baseline_manifest_matches_its_files():
    """After `bash tools/regenerate.sh`, every file of reports/manifest.sha256 has that checksum."""
    if not (config.REPORTS / provenance.MANIFEST_NAME).is_file():
        pytest.skip("reports/ not built (run tools/regenerate.sh)")
    assert provenance.check_manifest(config.REPORTS) == []


def _build(project: Path) -> Path:
    """Copy the project (code and data, no outputs) to ``project`` and build notebook 02 there."""
    shutil.copytree(config.ROOT, project, ignore=shutil.ignore_patterns(
        ".venv", ".git", ".snakemake", "reports", "processed", "__pycache__", ".pytest_cache", ".hypothesis",
        "private"))
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "PYTHONPATH": str(project)}   # the copy's package, not the repository's
    env.pop(config.OUTPUT_ENV_VAR, None)
    result = snakemake_runner.run(["reports/notebooks/02_oecd_practices.ipynb", "--cores", "1"],
                            cwd=project, env=env, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    return project / "reports"


def _results(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): provenance.sha256_of(p) for p in sorted(root.rglob("*"))
            if p.is_file() and p.suffix in provenance.MANIFEST_SUFFIXES}


@pytest.mark.long_running
def test_two_runs_from_clean_give_byte_identical_results(tmp_path):
    first, second = _build(tmp_path / "run-a"), _build(tmp_path / "run-b")
    results_first, results_second = _results(first), _results(second)
    assert any(name.startswith("tables/") for name in results_first)
    assert any(name.startswith("figures/") for name in results_first)
    assert results_first == results_second
    for root in (first, second):
        provenance.write_manifest(root, [root / name for name in _results(root)])
    assert (first / provenance.MANIFEST_NAME).read_bytes() == (second / provenance.MANIFEST_NAME).read_bytes()
