"""analysis.run_notebook: papermill's execution and nbconvert's HTML page in one process.

The workflow's notebook rules run it (Snakefile, PAPERMILL); the executed notebook must keep its
parameters cell with the injected values, and the page must be what `jupyter nbconvert --to html
--no-input` writes from the same executed notebook, byte for byte."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from analysis import config

PYTHON = sys.executable
JUPYTER = str(Path(sys.executable).with_name("jupyter"))


def _notebook(path: Path) -> None:
    cells = [nbformat.v4.new_code_cell("factor = 2", metadata={"tags": ["parameters"]}),
             nbformat.v4.new_markdown_cell("# Titre"),
             nbformat.v4.new_code_cell("print('value', factor * 21)")]
    notebook = nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": {
        "display_name": "Python 3", "language": "python", "name": "python3"}})
    nbformat.write(notebook, path)


def _env() -> dict[str, str]:
    return dict(os.environ, MPLBACKEND="Agg", PYTHONHASHSEED="0", JUPYTER_CONFIG_PATH=str(config.ROOT / "workflow" / "nbconvert"))


@pytest.mark.long_running
def test_runs_the_notebook_and_writes_the_page_nbconvert_writes(tmp_path):
    source, executed = tmp_path / "demo.ipynb", tmp_path / "out" / "demo.ipynb"
    executed.parent.mkdir()
    _notebook(source)
    result = subprocess.run([PYTHON, "-m", "analysis.run_notebook", str(source), str(executed), "--cwd", str(tmp_path),
                             "--parameters_yaml", json.dumps({"factor": 3}), "--html", str(tmp_path / "html" / "demo.html")],
                            capture_output=True, text=True, cwd=config.ROOT, env=_env(), timeout=300)
    assert result.returncode == 0, result.stderr
    cells = nbformat.read(executed, as_version=4).cells
    tags = [cell.metadata.get("tags", []) for cell in cells]
    assert ["parameters"] in tags and ["injected-parameters"] in tags
    injected = cells[tags.index(["injected-parameters"])]
    assert "factor = 3" in injected.source
    assert any("value 63" in output.get("text", "") for cell in cells if cell.cell_type == "code"
               for output in cell.outputs)

    cli = tmp_path / "cli"
    converted = subprocess.run([JUPYTER, "nbconvert", "--to", "html", "--no-input", "--output-dir", str(cli), str(executed)],
                               capture_output=True, text=True, cwd=config.ROOT, env=_env(), timeout=300)
    assert converted.returncode == 0, converted.stderr
    page = (tmp_path / "html" / "demo.html").read_bytes()
    assert page == (cli / "demo.html").read_bytes()
    assert b"print(" not in page  # no code cells


def test_a_failing_cell_fails_the_step_and_keeps_the_executed_copy(tmp_path):
    source, executed = tmp_path / "bad.ipynb", tmp_path / "bad.out.ipynb"
    _notebook(source)
    notebook = nbformat.read(source, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell("raise ValueError('broken input')"))
    nbformat.write(notebook, source)
    result = subprocess.run([PYTHON, "-m", "analysis.run_notebook", str(source), str(executed), "--cwd", str(tmp_path),
                             "--html", str(tmp_path / "bad.out.html")],
                            capture_output=True, text=True, cwd=config.ROOT, env=_env(), timeout=300)
    assert result.returncode != 0
    assert "broken input" in result.stderr
    assert executed.exists() and not (tmp_path / "bad.out.html").exists()
