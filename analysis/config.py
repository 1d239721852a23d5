"""Every path of the project, derived from the project root. Nothing else spells a path.

Outputs go to an *output root*: ``reports/`` for the baseline, ``reports/scenarios/<name>/`` for
a scenario; the workflow passes it to every notebook as the ``output_dir`` parameter. A notebook
run by hand (JupyterLab, papermill) keeps its default ``output_dir``, the scratch folder
``reports/scratch/`` (ignored by git), so a hand run never overwrites the study's outputs. The
environment variable ``EDTECH_OUTPUT_DIR`` overrides the output root of a hand run (the test
command uses it so that nbval writes to a temporary folder); the workflow ignores it.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DATA = ROOT / "data"
RAW = DATA / "raw"
PROCESSED = DATA / "processed"
MAPPINGS = DATA / "mappings"
CLAIMS_REGISTRY = DATA / "claims"
CONFIG = ROOT / "config"
NOTEBOOKS = ROOT / "notebooks"
REPORTS = ROOT / "reports"
RAW_METADATA_SCHEMA = RAW / "metadata.schema.json"

OUTPUT_ENV_VAR = "EDTECH_OUTPUT_DIR"
#: Default output_dir of every notebook: where a hand run writes (relative to the project root).
SCRATCH_DIR = "reports/scratch"
SCRATCH = ROOT / SCRATCH_DIR
#: The commands that build what a notebook reads from an earlier step.
BUILD_PROCESSED = "bash tools/regenerate.sh processed"
BUILD_BASELINE = "bash tools/regenerate.sh"


def resolve(path: str | os.PathLike) -> Path:
    """Return ``path`` as an absolute path; relative paths are taken from the project root."""
    path = Path(path)
    return path if path.is_absolute() else ROOT / path


def output_root(output_dir: str | os.PathLike = SCRATCH_DIR) -> Path:
    """The folder a notebook writes its figures, tables and claim values to.

    ``output_dir`` is the notebook parameter (relative to the project root): the workflow passes
    ``reports`` or ``reports/scenarios/<name>``; a hand run keeps the scratch default. The
    environment variable ``EDTECH_OUTPUT_DIR``, when set, takes precedence (the workflow clears it).
    """
    override = os.environ.get(OUTPUT_ENV_VAR)
    return resolve(override) if override else resolve(output_dir)


def figures_dir(root: Path) -> Path:
    return root / "figures"


def tables_dir(root: Path) -> Path:
    return root / "tables"


def claims_values_dir(root: Path) -> Path:
    """Where each part writes the values it computed for the claims it registered."""
    return root / "claims"


def scenario_output_dir(scenario: str) -> str:
    """Output folder (relative to the root) of a scenario: the baseline writes to ``reports``.

    The name is checked (:func:`analysis.scenarios.check_name`): it can never leave
    ``reports/scenarios/``.
    """
    from analysis import scenarios

    if scenario == scenarios.BASELINE:
        return "reports"
    scenarios.check_name(scenario)
    folder = f"reports/scenarios/{scenario}"
    if not resolve(folder).resolve().is_relative_to((REPORTS / "scenarios").resolve()):
        raise scenarios.ScenarioError(f"scenario: {scenario!r} would write outside reports/scenarios/")
    return folder


def _shown(path: Path) -> str:
    path = Path(path).resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def require(path: str | os.PathLike, builder: str = BUILD_BASELINE) -> Path:
    """``path`` if it exists; a clear error naming the command that builds it otherwise.

    For a hand run (output root under the scratch folder) a table an earlier notebook writes is
    read from the baseline's ``reports/`` when the scratch folder has none (a note says so), so
    that one notebook can be run by hand after ``bash tools/regenerate.sh``.
    """
    path = Path(path)
    if path.exists():
        return path
    absolute = resolve(path).resolve()
    scratch = SCRATCH.resolve()
    if absolute.is_relative_to(scratch):
        baseline = REPORTS / absolute.relative_to(scratch)
        if baseline.exists():
            print(f"Note: {path.name} is not in the scratch folder {SCRATCH_DIR}/; "
                  f"reading the baseline's {_shown(baseline)}.")
            return baseline
    raise FileNotFoundError(
        f"{_shown(absolute)}: not found. It is built by an earlier step of the workflow: run `{builder}` "
        f"from the project root first (or run the notebook that writes it with the same output_dir).")
