# Check before write (issue 15): every input is validated by `python -m analysis.checks` before any
# rule that writes an output starts, so that a bad input stops the run with reports/ and
# data/processed/ untouched.
#
# - check_raw_files: every raw file of data/raw against its column schema and sidecar, in one
#   process. Its inputs are every raw file AND every sidecar, each listed from the other, so that
#   deleting either one is noticed ("Missing input files") even when the stamp exists.
# - check_inputs: every other input (market inputs, variants, parameters, criteria, weights,
#   scores, practices, diagnostic method and authorities, claims registries) and the notebook
#   parameters of the run (defaults + scenario overrides). One stamp per scenario.
#
# Rules depend on the stamps through checked(path) (raw files) and code_inputs(notebook) (code the
# notebook imports, derived from its import statements by analysis.deps, plus both stamps). The
# stamps are ancient(): a rerun of a check (because some input changed) does not by itself rerun
# every notebook; each notebook reruns only when its own inputs changed, but always after the
# check has passed. If a check fails, Snakemake stops before any other job: nothing is replaced.
import os

from analysis import deps as _deps

RAW_CHECK_STAMP = f"{PROCESSED}/checks/raw.ok"
INPUTS_CHECK_STAMP = f"{PROCESSED}/checks/inputs-{SCENARIO}.ok"
_SIDECAR = ".meta.yaml"


def _raw_check_inputs():
    raw = Path("data/raw")
    files = {str(p) for p in raw.rglob("*") if p.is_file() and not p.name.startswith(".")
             and p.name != "README.md"}
    data = {f for f in files if not f.endswith(_SIDECAR)} - {"data/raw/metadata.schema.json"}
    sidecars = {f for f in files if f.endswith(_SIDECAR)}
    # each data file needs its sidecar and each sidecar its data file: a deleted one is missing
    return sorted(data | sidecars | {f + _SIDECAR for f in data} | {s[: -len(_SIDECAR)] for s in sidecars}
                  | {"data/raw/metadata.schema.json"})


def _run_parameters():
    """Every notebook's parameters of this run, as one JSON string (a rule param)."""
    return json.dumps({name: json.loads(notebook_params(name)) for name in sorted(DEFAULT_PARAMS)},
                      sort_keys=True, ensure_ascii=False)


def _non_raw_inputs():
    params = json.loads(_run_parameters())
    globs = ["data/market/*.csv", "data/variants/*.yaml", "data/variants/*.csv", "data/practices/*.yaml",
             "data/mappings/*.csv", "data/claims/*.yaml", "config/parameters/*.yaml", "data/diagnostic/*.yaml"]
    files = {str(p) for pattern in globs for p in Path(".").glob(pattern)}
    market = params.get("03_market_sizing", {})
    diagnostic = params.get("06_territorial_diagnostic", {})
    for value in (market.get("inputs_file"), diagnostic.get("method_file")):
        if isinstance(value, str) and Path(value).is_file():
            files.add(value)
    directory = diagnostic.get("authorities_dir")
    if isinstance(directory, str) and Path(directory).is_dir():
        files.update(str(p) for p in Path(directory).glob("*.yaml"))
    return sorted(files)


def checked(path):
    """Stamp proving every raw file (`path` among them) matches its column schema and sidecar."""
    return ancient(RAW_CHECK_STAMP)


def code_inputs(notebook):
    """Code inputs of a notebook rule: the package modules it imports, transitively
    (analysis.deps), and the stamps of the checks that must pass before it may write."""
    return _deps.code_inputs(notebook) + [ancient(RAW_CHECK_STAMP), ancient(INPUTS_CHECK_STAMP)]


rule check_raw_files:
    input:
        raw=_raw_check_inputs(),
        code=_deps.module_code_files("analysis.checks", "analysis.oecd", "analysis.provenance"),
    output:
        RAW_CHECK_STAMP,
    shell:
        "python -m analysis.checks raw --stamp {output:q}"


rule check_inputs:
    input:
        files=_non_raw_inputs(),
        raw_checked=ancient(RAW_CHECK_STAMP),
        code=_deps.module_code_files("analysis.checks"),
    output:
        INPUTS_CHECK_STAMP,
    params:
        parameters=_run_parameters(),
    shell:
        "python -m analysis.checks inputs --parameters {params.parameters:q} --stamp {output:q}"


# Offline HTML pages (issue 15): nbconvert jobs read workflow/nbconvert/jupyter_nbconvert_config.json,
# which selects the template workflow/nbconvert/offline (the lab template without require.js,
# MathJax, Mermaid or widget scripts from a CDN). Jobs inherit this environment variable.
os.environ["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
    p for p in (str(Path("workflow/nbconvert").resolve()), os.environ.get("JUPYTER_CONFIG_PATH")) if p)
