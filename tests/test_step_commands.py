"""The command lines of the workflow's bookkeeping steps (output_manifest, scenario_record): shell
rules calling the package's functions, so that they start a light Python process rather than a second
Snakemake. Each command writes what its function writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml

from analysis import config, provenance, scenarios


def _run(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd or config.ROOT, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(config.ROOT), "HOME": os.environ.get("HOME", "/tmp")})


def test_the_manifest_command_writes_what_write_manifest_writes(tmp_path):
    (tmp_path / "tables").mkdir()
    (tmp_path / "tables" / "a.csv").write_text("x\n1\n", encoding="utf-8")
    (tmp_path / "figure.png").write_bytes(b"\x89PNG not really")
    (tmp_path / "notes.log").write_text("not a result", encoding="utf-8")
    files = [str(tmp_path / "tables" / "a.csv"), str(tmp_path / "figure.png"), str(tmp_path / "notes.log")]
    result = _run("analysis.provenance", "manifest", "--output-root", str(tmp_path), *files)
    assert result.returncode == 0, result.stderr
    written = (tmp_path / provenance.MANIFEST_NAME).read_text(encoding="utf-8")
    provenance.write_manifest(tmp_path, files)
    assert written == (tmp_path / provenance.MANIFEST_NAME).read_text(encoding="utf-8")
    assert [line.split("  ")[1] for line in written.splitlines()] == ["figure.png", "tables/a.csv"]


def test_the_manifest_command_needs_its_output_folder(tmp_path):
    result = _run("analysis.provenance", "manifest", str(tmp_path / "a.csv"))
    assert result.returncode != 0 and "--output-root" in result.stderr


def test_the_record_command_writes_the_scenario_record(tmp_path):
    out = tmp_path / "reports"
    document = {"scenario": "baseline", "notebook_params": {}, "report_language": "fr"}
    result = _run("analysis.scenarios", "record", "--output-dir", str(out), "--name", "baseline", "--source=",
                  "--config", json.dumps(document), "--reused", "01_oecd_procurement")
    assert result.returncode == 0, result.stderr
    record = yaml.safe_load((out / scenarios.RECORD_NAME).read_text(encoding="utf-8"))
    assert record["scenario"] == "baseline" and record["scenario_file"] is None
    assert record["reused_from_baseline"] == ["01_oecd_procurement"]
    assert record["effective_parameters"] == {
        notebook: {k: v for k, v in params.items() if k != "output_dir"}
        for notebook, params in scenarios.effective_parameters(document, scenarios.load_defaults()).items()}


@pytest.mark.parametrize("name", ["../escape", "a b", "x;rm -rf ~"])
def test_the_record_command_refuses_a_name_that_is_not_a_safe_folder_name(tmp_path, name):
    result = _run("analysis.scenarios", "record", "--output-dir", str(tmp_path), "--name", name, "--config", "{}")
    assert result.returncode != 0 and not (tmp_path / scenarios.RECORD_NAME).exists()


#: Modules a bookkeeping step has no use for: their import alone costs more than the step's work.
HEAVY_MODULES = ("pandas", "numpy", "pandera", "jsonschema", "matplotlib")


@pytest.mark.parametrize("module, args", [
    ("analysis.provenance", ["manifest", "--output-root", "{tmp}", "{tmp}/tables/a.csv"]),
    ("analysis.scenarios", ["record", "--output-dir", "{tmp}/reports", "--name", "baseline", "--source=",
                            "--config", "{}"]),
])
def test_the_bookkeeping_steps_import_no_heavy_module(tmp_path, module, args):
    """The manifest and the record run at the end of every regeneration, after the report: each
    is a light process (no pandas, no jsonschema)."""
    (tmp_path / "tables").mkdir()
    (tmp_path / "tables" / "a.csv").write_text("x\n1\n", encoding="utf-8")
    argv = [module.split(".")[-1], *(a.replace("{tmp}", str(tmp_path)) for a in args)]
    probe = ("import runpy, sys\n"
             f"sys.argv = {argv!r}\n"
             "try:\n"
             f"    runpy.run_module({module!r}, run_name='__main__')\n"
             "except SystemExit as exit:\n"
             "    assert not exit.code, exit.code\n"
             f"print(sorted(m for m in {HEAVY_MODULES!r} if m in sys.modules))\n")
    result = subprocess.run([sys.executable, "-c", probe], cwd=config.ROOT, capture_output=True, text=True,
                            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(config.ROOT), "HOME": os.environ.get("HOME", "/tmp")})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
