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


# --- reading files once per process ------------------------------------------------------------
# A sweep imports the Snakefile once per scenario (workflow/sweep.smk): without these caches the
# same parameter files, schema and baseline record were parsed and hashed again for every scenario
# (thousands of YAML parses for a 100-scenario dry run). Entries are keyed by the file's resolved
# path, inode, modification time (ns) and size, so an edited file is read again; a file modified in
# the last two seconds is never cached (as git does for "racily clean" files: two writes within one
# tick of the file system's clock could leave the same time and size).
_YAML_CACHE: dict[tuple, Any] = {}
_DIGEST_CACHE: dict[tuple, str] = {}
_SETTLED_NS = 2_000_000_000


def _file_key(path: Path) -> tuple | None:
    """The cache key of ``path``, or None when it changed too recently to be cached."""
    import time

    stat = path.stat()
    if time.time_ns() - stat.st_mtime_ns < _SETTLED_NS:
        return None
    return (str(path.resolve()), stat.st_ino, stat.st_mtime_ns, stat.st_size)


def read_yaml(path: str | Path) -> Any:
    """The content of a YAML file (``yaml.safe_load``; libyaml's parser where PyYAML has it), parsed
    once per process while the file is unchanged. A fresh copy every call: callers may change it.
    Errors (OSError, yaml.YAMLError) are raised as by ``yaml.safe_load(path.read_text())``."""
    import copy

    from analysis import errors

    path = Path(path)
    key = _file_key(path)
    if key in _YAML_CACHE:
        return copy.deepcopy(_YAML_CACHE[key])
    content = errors.safe_load(path.read_text(encoding="utf-8"))
    if key is not None:
        _YAML_CACHE[key] = copy.deepcopy(content)
    return content


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes, computed once per process while the file is unchanged."""
    import hashlib

    path = Path(path)
    key = _file_key(path)
    if key in _DIGEST_CACHE:
        return _DIGEST_CACHE[key]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if key is not None:
        _DIGEST_CACHE[key] = digest
    return digest


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
            content = read_yaml(path)
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


# --- what a scenario may set -------------------------------------------------------------------

TOP_LEVEL_KEYS = {
    "scenario": "the scenario's name (its output folder reports/scenarios/<name>/)",
    "description": "a sentence saying what the scenario changes (free text)",
    "study": "study-level settings shared by every notebook that uses them",
    "notebook_params": "{notebook: {parameter: value}} overrides of config/parameters/<notebook>.yaml",
    "variants_data": "changes to the variants' data (files, add, drop, scores, weight_profiles)",
    "report_language": "language of the report, the notebooks' narrative and every figure: fr (default) or en",
    "diagnostic_authority_dirs": "folders of authority files for the self-diagnostic's pages (default: data/diagnostic/authorities and data/private/authorities)",
    "reuse_baseline": "false: run every notebook even where the scenario changes nothing (default true)",
}
REPORT_LANGUAGES = ("fr", "en")
SCHEMA_FILE = "config/parameter_schema.yaml"
PARAMETERS_DIR = "config/parameters"


def _root() -> Path:
    from analysis import config

    return config.ROOT


def load_defaults(root: Path | None = None) -> dict[str, dict[str, Any]]:
    """``{notebook: {parameter: default}}`` from ``config/parameters/<notebook>.yaml``."""
    root = root or _root()
    return {path.stem: (read_yaml(path) or {})
            for path in sorted((root / PARAMETERS_DIR).glob("*.yaml"))}


def load_schema(root: Path | None = None) -> dict[str, Any]:
    root = root or _root()
    schema = read_yaml(root / SCHEMA_FILE) or {}
    return {"study": list(schema.get("study") or []), "parameters": dict(schema.get("parameters") or {})}


def _nearest(key: str, allowed) -> str:
    import difflib

    allowed = sorted(str(a) for a in allowed)
    close = difflib.get_close_matches(str(key), allowed, n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(repr(c) for c in close)}? " if close else ""
    shown = ", ".join(allowed[:15]) + (f", ... ({len(allowed)} in all)" if len(allowed) > 15 else "")
    return f"{hint}allowed: {shown if allowed else 'none'}"


def _type_name(value) -> str:
    return {bool: "true/false", int: "an integer", float: "a number", str: "a text",
            dict: "a mapping", list: "a list"}.get(type(value), type(value).__name__)


def _type_ok(value, default) -> bool:
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, type(default))


def _inside_project(value: str, root: Path) -> Path | None:
    path = Path(value)
    if path.is_absolute() or ".." in path.parts:
        return None
    return root / path


def _check_value(name: str, value, default, rule: dict, params: dict, root: Path) -> list[str]:
    """What is wrong with ``value`` for the parameter ``name`` (an empty list when it is legal)."""
    import math

    if not _type_ok(value, default):
        return [f"wrong type (found {_type_name(value)} {value!r}; allowed: {_type_name(default)})"]
    problems = []
    if isinstance(value, float) and not math.isfinite(value):
        return [f"not a finite number (found {value!r})"]
    if "enum" in rule and value not in rule["enum"]:
        problems.append(f"value not allowed (found {value!r}; {_nearest(value, rule['enum'])})")
    for key, test, word in (("min", lambda v, b: v >= b, ">="), ("max", lambda v, b: v <= b, "<="),
                            ("above", lambda v, b: v > b, ">"), ("below", lambda v, b: v < b, "<")):
        if key in rule and isinstance(value, (int, float)) and not test(value, rule[key]):
            problems.append(f"out of range (found {value!r}; allowed: {word} {rule[key]})")
    if rule.get("file") or rule.get("dir"):
        path = _inside_project(value, root)
        if path is None:
            problems.append(f"not a path inside the project (found {value!r}; give it relative to the project root)")
        elif rule.get("file") and not path.is_file():
            problems.append(f"no such file (found {value!r})")
        elif rule.get("dir") and not path.is_dir():
            problems.append(f"no such folder (found {value!r})")
    if "profile_of" in rule:
        folder = _inside_project(str(params.get(rule["profile_of"], "")), root)
        weights_file = folder / "weight_profiles.yaml" if folder else None
        weights = (read_yaml(weights_file) or {}) \
            if weights_file and weights_file.is_file() else {}
        ids = [p.get("id") for p in weights.get("profiles", []) if isinstance(p, dict)]
        ids += [key for key in params.get("_added_profiles", []) if key not in ids]
        if value not in ids:
            problems.append(f"unknown weight profile (found {value!r}; {_nearest(value, ids)})")
    if rule.get("system_code"):
        import csv

        with open(root / "data/mappings/education_systems.csv", encoding="utf-8") as handle:
            codes = [row["code"] for row in csv.DictReader(handle)]
        if value not in codes:
            problems.append(f"unknown education system (found {value!r}; {_nearest(value, codes)})")
    if "authority_in" in rule:
        folder = _inside_project(str(params.get(rule["authority_in"], "")), root)
        names = sorted(p.stem for p in folder.glob("*.yaml")) if folder and folder.is_dir() else []
        if value not in names:
            problems.append(f"no authority file of that name in {params.get(rule['authority_in'])} "
                            f"(found {value!r}; {_nearest(value, names)})")
    if "input_ids_of" in rule:
        import csv

        inputs = _inside_project(str(params.get(rule["input_ids_of"], "")), root)
        if inputs and inputs.is_file():
            with open(inputs, encoding="utf-8") as handle:
                ids = [row["id"] for row in csv.DictReader(handle)]
            for key, override in value.items():
                if key not in ids:
                    problems.append(f"unknown input id {key!r} ({_nearest(key, ids)})")
                    continue
                problems += [f"{key}: {text}" for text in _check_input_override(override)]
    return problems


OVERRIDE_FIELDS = ("value", "low", "high", "distribution")


def _check_input_override(override) -> list[str]:
    """An input override is a number, or {value, low, high, distribution} (low <= value <= high)."""
    import math

    def number(v):
        return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)

    if not isinstance(override, dict):
        return [] if number(override) else [f"not a finite number (found {override!r})"]
    problems = [f"{key}: unknown field ({_nearest(key, OVERRIDE_FIELDS)})" for key in override
                if key not in OVERRIDE_FIELDS]
    for key in ("value", "low", "high"):
        if key in override and not number(override[key]):
            problems.append(f"{key}: not a finite number (found {override[key]!r})")
    if not problems and all(k in override for k in ("value", "low", "high")) and not (
            override["low"] <= override["value"] <= override["high"]):
        problems.append(f"low <= value <= high does not hold (found {override['low']}, {override['value']}, "
                        f"{override['high']})")
    return problems


def validate(document: Any, source: str = "scenario", root: Path | None = None,
             defaults: dict | None = None, schema: dict | None = None) -> list[str]:
    """Every problem of a scenario's content, one line each: ``source: where: what is wrong``.

    ``document`` is the merged scenario configuration (or one scenario file's content). Checks the
    top-level keys, the study settings, the notebook names and parameter names against
    ``config/parameters/`` (with the nearest valid keys), each value's type and range
    (``config/parameter_schema.yaml``), then the effective parameters of every notebook.
    """
    root = root or _root()
    defaults = load_defaults(root) if defaults is None else defaults
    schema = load_schema(root) if schema is None else schema
    if not isinstance(document, dict):
        return [f"{source}: a scenario is a mapping of {', '.join(TOP_LEVEL_KEYS)} (found {_type_name(document)})"]
    problems = []
    for key in document:
        if key not in TOP_LEVEL_KEYS:
            problems.append(f"{source}: {key}: unknown key ({_nearest(key, TOP_LEVEL_KEYS)})")
    if "report_language" in document and document["report_language"] not in REPORT_LANGUAGES:
        problems.append(f"{source}: report_language: not a supported language (found {document['report_language']!r}; "
                        f"allowed: {', '.join(REPORT_LANGUAGES)})")
    dirs = document.get("diagnostic_authority_dirs", [])
    if not (isinstance(dirs, list) and all(isinstance(d, str) and d for d in dirs)):
        problems.append(f"{source}: diagnostic_authority_dirs: must be a list of folder paths (found {dirs!r})")
    if not isinstance(document.get("reuse_baseline", True), bool):
        problems.append(f"{source}: reuse_baseline: must be true or false (found {document['reuse_baseline']!r})")
    study_keys = schema["study"]
    study = document.get("study") or {}
    if not isinstance(study, dict):
        problems.append(f"{source}: study: must be a mapping (found {_type_name(study)})")
        study = {}
    for key in study:
        if key not in study_keys:
            problems.append(f"{source}: study: {key}: unknown study-level setting ({_nearest(key, study_keys)})")
    overrides = document.get("notebook_params") or {}
    if not isinstance(overrides, dict):
        problems.append(f"{source}: notebook_params: must be a mapping of notebook names (found {_type_name(overrides)})")
        overrides = {}
    for notebook, values in overrides.items():
        where = f"{source}: notebook_params: {notebook}"
        if notebook not in defaults:
            problems.append(f"{where}: unknown notebook ({_nearest(notebook, defaults)})")
            continue
        if values is None:
            continue
        if not isinstance(values, dict):
            problems.append(f"{where}: must be a mapping of parameters (found {_type_name(values)})")
            continue
        for name in values:
            allowed = [p for p in defaults[notebook] if p != "output_dir"]
            if name == "output_dir":
                problems.append(f"{where}: output_dir: set by the workflow (reports/scenarios/<scenario>/), "
                                "not by a scenario")
            elif name not in defaults[notebook]:
                problems.append(f"{where}: {name}: unknown parameter ({_nearest(name, allowed)})")
            elif name in study_keys:
                problems.append(f"{where}: {name}: a study-level setting; set it once under `study: {{{name}: ...}}` "
                                "so that every notebook using it gets the same value")
    # Values: each study setting once, then every notebook's effective parameters.
    for key, value in study.items():
        users = [nb for nb in defaults if key in defaults[nb]]
        if key not in study_keys:
            continue
        if not users:
            problems.append(f"{source}: study: {key}: no notebook uses it")
            continue
        rule = schema["parameters"].get(key, {})
        for text in _check_value(key, value, defaults[users[0]][key], rule, {}, root):
            problems.append(f"{source}: study: {key}: {text}")
    problems += validate_variants_data(document.get("variants_data"), source, root,
                                       base_dir=str(study.get("variants_dir", "data/variants")))
    added_profiles = list(((document.get("variants_data") or {}).get("weight_profiles") or {})
                          if isinstance(document.get("variants_data"), dict) else [])
    for notebook, params in effective_parameters(document, defaults, schema).items():
        params = {**params, "_added_profiles": added_profiles}
        for name, value in params.items():
            if name == "output_dir" or name in study or name not in defaults[notebook] or name.startswith("_"):
                continue
            rule = schema["parameters"].get(name, {})
            for text in _check_value(name, value, defaults[notebook][name], rule, params, root):
                problems.append(f"{source}: notebook_params: {notebook}: {name}: {text}")
    return problems


def effective_parameters(document: dict, defaults: dict | None = None,
                         schema: dict | None = None) -> dict[str, dict[str, Any]]:
    """``{notebook: parameters}`` a scenario runs with: defaults, then study settings (for every
    notebook that has a parameter of that name), then the scenario's notebook_params."""
    defaults = load_defaults() if defaults is None else defaults
    schema = load_schema() if schema is None else schema
    study = document.get("study") or {}
    overrides = document.get("notebook_params") or {}
    effective = {}
    for notebook, values in defaults.items():
        params = dict(values)
        params.update({k: v for k, v in study.items() if k in params})
        params.update(overrides.get(notebook) or {})
        effective[notebook] = params
    return effective


def check(document: Any, source: str = "scenario", root: Path | None = None) -> None:
    """Raise :class:`ScenarioError` listing every problem of ``document`` (see :func:`validate`)."""
    problems = validate(document, source, root)
    if problems:
        raise ScenarioError(f"{len(problems)} problem(s) in the scenario:\n  " + "\n  ".join(problems))


# --- what a scenario ran with ------------------------------------------------------------------

#: Files whose change makes a scenario's outputs stale (relative to the project root).
# (data/processed/ included: a change there is a change of what the notebooks read)
INPUT_GLOBS = ("data/**/*", "config/parameters/*.yaml", "config/parameter_schema.yaml", "analysis/*.py",
               "notebooks/*.ipynb", "Snakefile", "workflow/rules/*.smk")
# Not inputs of a folder's outputs: check stamps, private data, and the sweep expander (it writes
# scenario files, which are recorded). The comparison's code is an input: the report draws the
# comparison section with it, and every notebook that imports the report's modules (through
# analysis.deps.code_inputs) reads it.
EXCLUDED_INPUT_DIRS = ("data/processed/checks", "data/private", "analysis/sweeps.py")
RECORD_NAME = "scenario.yaml"


def input_files(root: Path | None = None) -> list[str]:
    """Every file the outputs are built from (data, parameters, code, notebooks, workflow)."""
    root = root or _root()
    found = set()
    for pattern in INPUT_GLOBS:
        for path in root.glob(pattern):
            relative = path.relative_to(root).as_posix()
            if path.is_file() and not relative.startswith(EXCLUDED_INPUT_DIRS) and "__pycache__" not in relative \
                    and not path.name.startswith("."):
                found.add(relative)
    return sorted(found)


def checksums(paths, root: Path | None = None) -> dict[str, str]:
    root = root or _root()
    return {p: file_sha256(root / p) for p in paths}


def path_parameters(schema: dict | None = None) -> set[str]:
    """Names of the parameters that name an input file or folder."""
    schema = load_schema() if schema is None else schema
    return {name for name, rule in schema["parameters"].items() if rule.get("file") or rule.get("dir")}


def write_record(output_dir: str | Path, name: str, source: str | None, document: dict,
                 root: Path | None = None, reused: list[str] | None = None) -> Path:
    """Write ``<output_dir>/scenario.yaml`` (the effective settings of every notebook and the
    checksum of every input file) and copy the effective input files to ``<output_dir>/inputs/``."""
    import shutil

    from analysis.io import write_yaml

    root = root or _root()
    output_dir = root / output_dir
    defaults, schema = load_defaults(root), load_schema(root)
    effective = effective_parameters(document, defaults, schema)
    inputs_dir = output_dir / "inputs"
    if inputs_dir.exists():
        shutil.rmtree(inputs_dir)
    copied = []
    for notebook, params in effective.items():
        for key in sorted(path_parameters(schema) & set(params)):
            path = root / params[key]
            target = inputs_dir / params[key]
            if path.is_dir():
                shutil.copytree(path, target, dirs_exist_ok=True)
            elif path.is_file():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
            copied.append(str(params[key]))
    if source and Path(source).is_file():
        inputs_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, inputs_dir / Path(source).name)
    record = {
        "scenario": name,
        "scenario_file": str(source) if source else None,
        "description": document.get("description"),
        "study": {key: value for key, value in (document.get("study") or {}).items()},
        "effective_parameters": {nb: {k: v for k, v in params.items() if k != "output_dir"}
                                 for nb, params in effective.items()},
        "inputs_copied": sorted(set(copied)),
        "reused_from_baseline": sorted(reused or []),
        "input_checksums": checksums(input_files(root), root),
    }
    return write_yaml(record, output_dir / RECORD_NAME)


def stale_inputs(output_dir: str | Path, root: Path | None = None, only=None) -> list[str] | None:
    """Input files changed, added or removed since ``output_dir`` was built (None: no record).

    ``only``: the files to look at (e.g. one rule's inputs); default every input file.
    """
    root = root or _root()
    path = root / output_dir / RECORD_NAME
    if not path.is_file():
        return None
    recorded = (read_yaml(path) or {}).get("input_checksums") or {}
    files = input_files(root) if only is None else [str(p) for p in only if (root / p).is_file()]
    current = checksums(files, root)
    recorded_inputs = {p for p in recorded if not p.startswith(EXCLUDED_INPUT_DIRS)}
    candidates = set(current) | (recorded_inputs if only is None else {str(p) for p in only})
    return sorted(p for p in candidates if recorded.get(p) != current.get(p))



# --- the variants' data of a scenario ----------------------------------------------------------

VARIANTS_DATA_KEYS = {
    "files": "{file name in data/variants/: replacement file}: whole files replaced",
    "add": "[variant files]: variants added (a file whose id exists replaces that variant)",
    "drop": "[variant ids]: variants removed, with their score rows",
    "scores": "a CSV of qualitative_scores.csv rows added or replacing the (variant_id, criterion) rows",
    "weight_profiles": "{profile id: fields}: a profile's fields changed (weights merged) or a new profile",
}
VARIANTS_DATA_FILES = ("criteria.yaml", "weight_profiles.yaml", "qualitative_scores.csv", "model_parameters.csv")


def _variant_id(path: Path):
    import yaml

    try:
        document = read_yaml(path)
    except (OSError, yaml.YAMLError):
        return None
    return document.get("id") if isinstance(document, dict) else None


def validate_variants_data(spec, source: str = "scenario", root: Path | None = None,
                           base_dir: str = "data/variants") -> list[str]:
    """Problems of a scenario's ``variants_data`` (keys, files, ids), before anything is built;
    then the effective data are built in a temporary folder and read by the package's loaders."""
    if spec is None:
        return []
    root = root or _root()
    where = f"{source}: variants_data"
    if not isinstance(spec, dict):
        return [f"{where}: must be a mapping of {', '.join(VARIANTS_DATA_KEYS)} (found {_type_name(spec)})"]
    problems = [f"{where}: {key}: unknown key ({_nearest(key, VARIANTS_DATA_KEYS)})"
                for key in spec if key not in VARIANTS_DATA_KEYS]
    base = _inside_project(base_dir, root)
    base_ids = {_variant_id(p) for p in sorted(base.glob("V*.yaml"))} if base and base.is_dir() else set()

    def project_file(value, field):
        if not isinstance(value, str):
            problems.append(f"{where}: {field}: must be a path (found {_type_name(value)} {value!r})")
            return None
        path = _inside_project(value, root)
        if path is None:
            problems.append(f"{where}: {field}: not a path inside the project (found {value!r})")
        elif not path.is_file():
            problems.append(f"{where}: {field}: no such file (found {value!r})")
        else:
            return path
        return None

    files = spec.get("files") or {}
    if not isinstance(files, dict):
        problems.append(f"{where}: files: must be a mapping {{file name: replacement}} (found {_type_name(files)})")
        files = {}
    for name, value in files.items():
        if name not in VARIANTS_DATA_FILES:
            problems.append(f"{where}: files: {name}: not a replaceable file ({_nearest(name, VARIANTS_DATA_FILES)}; "
                            "variant files go under add:)")
        else:
            project_file(value, f"files: {name}")
    added_ids = []
    for i, value in enumerate(_as_list(spec.get("add"), "add", where, problems)):
        path = project_file(value, f"add[{i}]")
        if path is not None:
            variant_id = _variant_id(path)
            if not (isinstance(variant_id, str) and re.fullmatch(r"V\d+", variant_id)):
                problems.append(f"{where}: add[{i}]: {value}: no variant id V<number> in its id: field (found {variant_id!r})")
            else:
                added_ids.append(variant_id)
    for i, value in enumerate(_as_list(spec.get("drop"), "drop", where, problems)):
        if value not in base_ids:
            problems.append(f"{where}: drop[{i}]: unknown variant {value!r} ({_nearest(value, base_ids - {None})})")
    if spec.get("scores") is not None:
        project_file(spec["scores"], "scores")
    profiles = spec.get("weight_profiles") or {}
    if not isinstance(profiles, dict):
        problems.append(f"{where}: weight_profiles: must be a mapping {{profile id: fields}} (found {_type_name(profiles)})")
        profiles = {}
    import math

    for profile_id, fields in profiles.items():
        weights = (fields or {}).get("weights", {}) if isinstance(fields, dict) else None
        if not isinstance(weights, dict):
            problems.append(f"{where}: weight_profiles: {profile_id}: must be a mapping of fields with weights: {{criterion: points}}")
            continue
        for criterion, points in weights.items():
            if not (isinstance(points, (int, float)) and not isinstance(points, bool) and math.isfinite(points)
                    and points >= 0):
                problems.append(f"{where}: weight_profiles: {profile_id}: weights: {criterion}: not a finite "
                                f"non-negative number (found {points!r})")
    if problems:
        return problems
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        try:
            build_variants_data(spec, Path(tmp) / "variants", root, base_dir)
            check_variants_folder(Path(tmp) / "variants")
        except Exception as error:  # every loader's error names the file and the entry
            text = str(error).replace(str(Path(tmp) / "variants"), f"<{source}: effective variants data>")
            problems.append(f"{where}: the effective variants data are refused: {text}")
    return problems


def _as_list(value, field, where, problems) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(f"{where}: {field}: must be a list (found {_type_name(value)} {value!r})")
        return []
    return value


def build_variants_data(spec: dict | None, destination: str | Path, root: Path | None = None,
                        base_dir: str = "data/variants") -> Path:
    """Write the scenario's effective variants folder: ``base_dir`` with ``spec`` applied."""
    import csv
    import io
    import shutil

    import yaml

    root = root or _root()
    destination = Path(destination)
    spec = spec or {}
    if destination.exists():
        shutil.rmtree(destination)
    shutil.copytree(root / base_dir, destination)
    for name, value in (spec.get("files") or {}).items():
        shutil.copy2(root / value, destination / name)
    for value in spec.get("add") or []:
        variant_id = _variant_id(root / value)
        for existing in destination.glob("V*.yaml"):
            if _variant_id(existing) == variant_id:
                existing.unlink()
        shutil.copy2(root / value, destination / Path(value).name)
    dropped = set(spec.get("drop") or [])
    for existing in destination.glob("V*.yaml"):
        if _variant_id(existing) in dropped:
            existing.unlink()
    scores_path = destination / "qualitative_scores.csv"
    if dropped or spec.get("scores"):
        with open(scores_path, encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            fields, rows = reader.fieldnames, list(reader)
        if spec.get("scores"):
            with open(root / spec["scores"], encoding="utf-8", newline="") as handle:
                extra = list(csv.DictReader(handle))
            keys = {(r.get("variant_id"), r.get("criterion")) for r in extra}
            rows = [r for r in rows if (r["variant_id"], r["criterion"]) not in keys] + extra
        rows = [r for r in rows if r["variant_id"] not in dropped]
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        scores_path.write_text(text.getvalue(), encoding="utf-8")
    if spec.get("weight_profiles"):
        weights_path = destination / "weight_profiles.yaml"
        from analysis import errors

        document = errors.safe_load(weights_path.read_text(encoding="utf-8")) or {}
        profiles = document.setdefault("profiles", [])
        by_id = {p.get("id"): p for p in profiles if isinstance(p, dict)}
        for profile_id, fields in spec["weight_profiles"].items():
            fields = dict(fields or {})
            if profile_id in by_id:
                target = by_id[profile_id]
                weights = {**(target.get("weights") or {}), **(fields.pop("weights", None) or {})}
                target.update(fields)
                target["weights"] = weights
            else:
                profiles.append({"id": profile_id, **fields})
        weights_path.write_text(
            "# Weight profiles of a scenario: data/variants/weight_profiles.yaml with the scenario's changes.\n"
            + yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return destination


def check_variants_folder(folder: str | Path) -> None:
    """Read a variants folder with the package's loaders (raises their error on bad data)."""
    from analysis import mcda, variants

    folder = Path(folder)
    evidence = variants.read_evidence()
    variant_list = variants.load_variants(folder)
    if not variant_list:
        raise ValueError(f"{folder}: no variant file left (V*.yaml)")
    variants.load_parameters(folder / "model_parameters.csv", evidence=evidence)
    criteria = mcda.load_criteria(folder / "criteria.yaml")
    mcda.load_weight_profiles(criteria, folder / "weight_profiles.yaml")
    ids = [v.id for v in variant_list]
    scores = mcda.load_qualitative_scores(criteria, ids, folder / "qualitative_scores.csv",
                                          evidence_ids=set(evidence["evidence_id"]))
    extra = sorted(set(scores["variant_id"]) - set(ids))
    if extra:
        raise ValueError(f"{folder}/qualitative_scores.csv: scores for unknown variants {extra}")


def main(argv: list[str] | None = None) -> int:
    """``python -m analysis.scenarios record``: the workflow's scenario_record step
    (:func:`write_record`), with the run's configuration as JSON."""
    import argparse
    import json

    parser = argparse.ArgumentParser(prog="python -m analysis.scenarios",
                                     description="Write an output folder's scenario.yaml (the workflow's scenario_record step)")
    parser.add_argument("command", choices=["record"])
    parser.add_argument("--output-dir", required=True)
    parser.add_argument("--name", required=True, help="the scenario's name (checked: analysis.scenarios.check_name)")
    parser.add_argument("--source", default="", help="the scenario file, if any")
    parser.add_argument("--config", required=True, help="the run's configuration (Snakemake's config), as JSON")
    parser.add_argument("--reused", nargs="*", default=[], help="notebooks whose outputs were copied from the baseline")
    args = parser.parse_args(argv)
    if args.name != BASELINE:
        try:
            check_name(args.name)
        except ScenarioError as error:
            parser.exit(2, f"scenario record refused: {error}\n")
    print(write_record(args.output_dir, args.name, args.source or None, json.loads(args.config), reused=args.reused))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
