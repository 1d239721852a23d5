# Check before write (issue 15): every input is validated by ONE process, `python -m analysis.checks
# all`, before Snakemake starts any job (the `onstart` handler below), so that a bad input stops the
# run with reports/ and data/processed/ untouched:
#
# - every raw file of data/raw against its column schema and its sidecar (checksum, size), a raw
#   file without sidecar or a sidecar without its file being an error;
# - every other input (market inputs, variants, parameters, criteria, weights, scores, practices,
#   diagnostic method and authorities, claims registries) and the notebook parameters of this run
#   (defaults + scenario overrides).
#
# The check is skipped when a stamp data/processed/checks/<digest>.ok exists, the digest covering the
# content of every input file, of the checking code and the run's parameters: any change (an edited,
# added or deleted file) runs it again. It runs only when there is a job to run (not for dry runs
# nor "Nothing to be done"). Why not a rule every job depends on: a rule's stamp is rewritten each
# time the check reruns, which would rerun every notebook; and an ancient() stamp makes Snakemake
# skip the downstream jobs' own reasons to rerun (it masks jobs that depend on a rerun job).
#
# Rules that read a raw file take checked(path) (its sidecar: a changed or deleted sidecar is
# noticed) and every notebook rule takes code_inputs(notebook): the package modules the notebook
# imports, transitively (analysis.deps), so that code inputs cannot go stale.
import hashlib
import os
import subprocess
import sys

from snakemake.exceptions import WorkflowError

from analysis import deps as _deps

_SIDECAR = ".meta.yaml"
CHECKS_DIR = f"{PROCESSED}/checks"


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
    """Every notebook's parameters of this run, as one JSON string."""
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
        if isinstance(value, str):
            files.add(value)
    directory = diagnostic.get("authorities_dir")
    if isinstance(directory, str) and Path(directory).is_dir():
        files.update(str(p) for p in Path(directory).glob("*.yaml"))
    return sorted(files)


def _inputs_digest():
    """Digest of every checked file's content (a missing file counts), the checking code and the
    run's parameters."""
    digest = hashlib.sha256(_run_parameters().encode("utf-8"))
    code = _deps.module_code_files("analysis.checks", "analysis.oecd", "analysis.provenance")
    for name in sorted(set(_raw_check_inputs()) | set(_non_raw_inputs()) | set(code)):
        path = Path(name)
        digest.update(name.encode("utf-8") + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
    return digest.hexdigest()[:20]


def checked(path):
    """Input proving a raw file is held to its sidecar: the sidecar itself (the content check of
    every raw file runs before any job, see above)."""
    return f"{path}{_SIDECAR}"


def code_inputs(notebook):
    """Code inputs of a notebook rule: the package modules it imports, transitively (analysis.deps)."""
    return _deps.code_inputs(notebook)


def check_every_input():
    """Run `python -m analysis.checks all` unless this exact set of inputs passed before; stop the
    workflow (before any job) if it fails."""
    stamp = Path(CHECKS_DIR) / f"{_inputs_digest()}.ok"
    if stamp.exists():
        return
    result = subprocess.run([sys.executable, "-m", "analysis.checks", "all", "--parameters", _run_parameters(),
                             "--stamp", str(stamp)])
    if result.returncode != 0:
        raise WorkflowError("the input check failed (problems listed above); no job was started, "
                            "nothing was written")


onstart:
    check_every_input()


# Offline HTML pages (issue 15): the notebook jobs' HTML export (analysis.run_notebook, as `jupyter
# nbconvert` would) reads workflow/nbconvert/jupyter_nbconvert_config.json,
# which selects the template workflow/nbconvert/offline (the lab template without require.js,
# MathJax, Mermaid or widget scripts from a CDN). Jobs inherit this environment variable.
os.environ["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
    p for p in (str(Path("workflow/nbconvert").resolve()), os.environ.get("JUPYTER_CONFIG_PATH")) if p)
