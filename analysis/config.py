"""Every path of the project, derived from the project root. Nothing else spells a path.

Outputs go to an *output root*: ``reports/`` for the baseline, ``reports/scenarios/<name>/`` for
a scenario. The environment variable ``EDTECH_OUTPUT_DIR`` overrides the output root (the test
command uses it so that nbval never writes into ``reports/``).
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


def resolve(path: str | os.PathLike) -> Path:
    """Return ``path`` as an absolute path; relative paths are taken from the project root."""
    path = Path(path)
    return path if path.is_absolute() else ROOT / path


def output_root(output_dir: str | os.PathLike = "reports") -> Path:
    """The folder a notebook writes its figures, tables and claim values to.

    ``output_dir`` is the notebook parameter (relative to the project root). The environment
    variable ``EDTECH_OUTPUT_DIR``, when set, takes precedence.
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
