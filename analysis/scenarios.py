"""Scenario files: their name, their keys and their values, checked before anything runs.

A scenario is a YAML file passed to the workflow with ``--configfile``. Its name becomes a folder
(``reports/scenarios/<name>/``) and travels through shell commands, so it must be an identifier:
lower-case letters, digits, ``_`` and ``-``, starting with a letter or a digit. ``baseline`` is
reserved for the study itself (``reports/``).

The Snakefile calls :func:`scenario_name` at parse time (before any job); tests call the same
functions directly.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

BASELINE = "baseline"
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
NAME_RULE = "lower-case letters, digits, '_' and '-', starting with a letter or a digit"


class ScenarioError(ValueError):
    """A scenario file or setting that the workflow refuses (the message says where and why)."""


def check_name(name: Any, source: str = "scenario") -> str:
    """Return ``name`` if it is a legal scenario name, else raise :class:`ScenarioError`.

    ``source`` names where the value was read (a file, or ``--config``) for the message.
    """
    if not isinstance(name, str):
        raise ScenarioError(
            f"{source}: scenario: must be a name ({NAME_RULE}); found {type(name).__name__} {name!r}")
    if name == BASELINE:
        raise ScenarioError(
            f"{source}: scenario: 'baseline' is reserved for the study itself (reports/); "
            "give the scenario its own name")
    if len(name) > 100 or not NAME_PATTERN.fullmatch(name):
        raise ScenarioError(f"{source}: scenario: {name!r} is not a legal name ({NAME_RULE})")
    return name


def scenario_name(config: dict, configfiles: list[str | Path], default_configfile: str | Path) -> str:
    """The scenario the workflow runs, checked: ``baseline`` only when no scenario file is given.

    ``config`` is Snakemake's merged configuration, ``configfiles`` the files given on the command
    line (``--configfile``) and ``default_configfile`` the baseline's ``config/workflow.yaml``.
    Every scenario file must name itself with a ``scenario:`` key (a file without one would
    otherwise overwrite the baseline).
    """
    import yaml

    default = Path(default_configfile).resolve()
    given = [Path(path) for path in configfiles if Path(path).resolve() != default]
    for path in given:
        try:
            content = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as error:
            raise ScenarioError(f"{path}: cannot be read as YAML ({error})") from error
        if not isinstance(content, dict):
            raise ScenarioError(f"{path}: a scenario file is a mapping with a 'scenario:' key and overrides")
        if "scenario" not in content:
            raise ScenarioError(
                f"{path}: scenario: missing; a scenario file must name itself "
                f"(scenario: NAME, {NAME_RULE}) so that it never writes into the baseline's reports/")
        check_name(content["scenario"], str(path))
    name = config.get("scenario", BASELINE)
    if not given and name == BASELINE:
        return BASELINE
    return check_name(name, str(given[-1]) if given else "--config")
