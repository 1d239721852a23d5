# The study's workflow. Each notebook is executed by papermill from a shell rule; its executed
# copy is a declared output, and its parameters travel as rule params (a change reruns it).
#
#   snakemake --cores 2                                            # baseline -> reports/
#   snakemake --cores 2 --configfile config/scenarios/NAME.yaml    # scenario -> reports/scenarios/NAME/
#   snakemake --cores 2 processed                                  # only data/processed/
#
# Use tools/regenerate.sh, which sets up the environment first.
import json
from pathlib import Path

import yaml

from analysis import config as paths

configfile: "config/workflow.yaml"

SCENARIO = config["scenario"]
OUT = paths.scenario_output_dir(SCENARIO)
PROCESSED = "data/processed"
PROCESSED_OUTPUTS = []  # every rule output under data/processed (target `processed`)
REPORT_OUTPUTS = []     # every figure, table and executed notebook (target `all`)
CLAIM_PARTS = []        # parts that write <OUT>/claims/<part>.csv

# Default notebook parameters: one file per notebook in config/parameters/. A scenario file
# overrides any of them under notebook_params: {<notebook>: {<name>: value}}.
DEFAULT_PARAMS = {
    path.stem: (yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    for path in sorted(Path("config/parameters").glob("*.yaml"))
}


def notebook_params(notebook):
    """The parameters papermill injects into `notebook`, as a JSON string (a rule param)."""
    values = dict(DEFAULT_PARAMS.get(notebook, {}))
    values.update((config.get("notebook_params") or {}).get(notebook, {}) or {})
    if "lang" in values:  # a notebook with a language parameter follows the report's language
        values["lang"] = config.get("report_language", values["lang"])
    values["output_dir"] = OUT
    return json.dumps(values, sort_keys=True, ensure_ascii=False)


def checked(path):
    """Stamp proving the raw file `path` matches its column schema and metadata sidecar.

    Every rule that reads a raw file takes `checked(path)` as an input: bad raw data stops the
    workflow in `check_raw_file`, before any rule that would replace an output has started.
    """
    return f"{PROCESSED}/checks/{path}.ok"


rule check_raw_file:
    input:
        data="{path}",
        sidecar="{path}.meta.yaml",
    output:
        touch(f"{PROCESSED}/checks/{{path}}.ok"),
    wildcard_constraints:
        path=r"data/raw/.+",
    shell:
        "python -m analysis.provenance check {input.data}"


PAPERMILL = (
    "papermill {input.notebook} {output.notebook} --kernel python3 --cwd notebooks "
    "--parameters_yaml {params.parameters:q} --no-progress-bar --log-output > {log} 2>&1"
)


include: "workflow/rules/oecd.smk"
include: "workflow/rules/practices.smk"
include: "workflow/rules/market.smk"
include: "workflow/rules/variants.smk"
include: "workflow/rules/diagnostic.smk"
include: "workflow/rules/sensitivity.smk"
include: "workflow/rules/report.smk"


NOTEBOOK_NAMES = sorted(path.stem for path in Path("notebooks").glob("*.ipynb"))


rule all:
    default_target: True
    input:
        REPORT_OUTPUTS,
        f"{OUT}/claims.csv",
        f"{OUT}/notebooks/90_claims_ledger.ipynb",
        expand(f"{OUT}/html/{{name}}.html", name=NOTEBOOK_NAMES),
        REPORT_DELIVERABLES,


rule notebook_html:
    """The executed notebook as an HTML page without code cells: the readable report."""
    input:
        f"{OUT}/notebooks/{{name}}.ipynb",
    output:
        f"{OUT}/html/{{name}}.html",
    log:
        f"{OUT}/logs/{{name}}.html.log",
    shell:
        "jupyter nbconvert --to html --no-input --output-dir {OUT}/html {input} > {log} 2>&1"


rule processed:
    input:
        PROCESSED_OUTPUTS,


rule claims_ledger:
    """Executes the ledger notebook: joins every part's claim values with the registry."""
    input:
        notebook="notebooks/90_claims_ledger.ipynb",
        registry=sorted(str(p) for p in Path("data/claims").glob("*.yaml")),
        values=expand(f"{OUT}/claims/{{part}}.csv", part=CLAIM_PARTS),
    output:
        notebook=f"{OUT}/notebooks/90_claims_ledger.ipynb",
        ledger=f"{OUT}/claims.csv",
        table=f"{OUT}/tables/claims_ledger_summary.csv",
    params:
        parameters=notebook_params("90_claims_ledger"),
    log:
        f"{OUT}/logs/90_claims_ledger.log",
    shell:
        PAPERMILL
