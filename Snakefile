# The study's workflow. Each notebook is executed by papermill from a shell rule; its executed
# copy is a declared output, and its parameters travel as rule params (a change reruns it).
#
#   snakemake --cores 2                                            # baseline -> reports/
#   snakemake --cores 2 --configfile config/scenarios/NAME.yaml    # scenario -> reports/scenarios/NAME/
#   snakemake --cores 2 processed                                  # only data/processed/
#
# Use tools/regenerate.sh, which sets up the environment first.
import json
import os
import sys
from pathlib import Path

import yaml

from analysis import config as paths
from analysis import scenarios
from snakemake.exceptions import WorkflowError

configfile: "config/workflow.yaml"

# The scenario's name becomes a folder and travels through shell commands: it is checked before
# anything runs (analysis.scenarios.check_name). A scenario file must name itself; "baseline" is
# reserved for reports/.
try:
    SCENARIO = scenarios.scenario_name(config, workflow.overwrite_configfiles or [], "config/workflow.yaml")
    OUT = paths.scenario_output_dir(SCENARIO)
except scenarios.ScenarioError as error:
    raise WorkflowError(f"Scenario refused: {error}") from None

# Jobs write where the workflow says (output_dir parameter), never where a stray environment
# variable points: EDTECH_OUTPUT_DIR is for the test command's nbval run only.
if os.environ.pop(paths.OUTPUT_ENV_VAR, None) is not None:
    print(f"Note: {paths.OUTPUT_ENV_VAR} ignored by the workflow (outputs go to {OUT}/).", file=sys.stderr)

PROCESSED = "data/processed"
PROCESSED_OUTPUTS = []  # every rule output under data/processed (target `processed`)
REPORT_OUTPUTS = []     # every figure, table and executed notebook (target `all`)
CLAIM_PARTS = []        # parts that write <OUT>/claims/<part>.csv

# Notebook parameters: defaults in config/parameters/<notebook>.yaml; a scenario sets study-level
# settings once (study: {budget_column: low}) and overrides any other parameter under
# notebook_params: {<notebook>: {<name>: value}}. Everything is checked here, at parse time, against
# config/parameters/ and config/parameter_schema.yaml: an unknown key, a wrong type or a value out
# of range stops the run before any job starts (analysis.scenarios.validate).
SCENARIO_SOURCE = str((workflow.overwrite_configfiles or ["config/workflow.yaml"])[-1])
_problems = scenarios.validate(dict(config), SCENARIO_SOURCE)
if _problems:
    raise WorkflowError(f"Scenario refused, {len(_problems)} problem(s):\n  " + "\n  ".join(_problems))
DEFAULT_PARAMS = scenarios.load_defaults()
EFFECTIVE_PARAMS = scenarios.effective_parameters(dict(config), DEFAULT_PARAMS)

# The variants' data of a scenario (variant files added or dropped, scores, weights, criteria):
# built by rule scenario_variants_data into <OUT>/data/variants/, the folder notebooks 04 and 05
# then read (their variants_dir parameter); the baseline's data/variants/ is never touched.
VARIANTS_DATA_SPEC = config.get("variants_data") or None
VARIANTS_BASE_DIR = (config.get("study") or {}).get("variants_dir", "data/variants")
SCENARIO_VARIANTS_INPUTS = [str(p) for p in sorted(Path(VARIANTS_BASE_DIR).glob("*")) if p.is_file()]
if VARIANTS_DATA_SPEC:
    SCENARIO_VARIANTS_INPUTS = [f"{OUT}/data/variants"]
    for params in EFFECTIVE_PARAMS.values():
        if "variants_dir" in params:
            params["variants_dir"] = f"{OUT}/data/variants"


def notebook_params(notebook):
    """The parameters papermill injects into `notebook`, as a JSON string (a rule param)."""
    values = dict(EFFECTIVE_PARAMS.get(notebook, {}))
    if "lang" in values:  # a notebook with a language parameter follows the report's language
        values["lang"] = config.get("report_language", values["lang"])
    values["output_dir"] = OUT
    return json.dumps(values, sort_keys=True, ensure_ascii=False)


PAPERMILL = (
    "papermill {input.notebook:q} {output.notebook:q} --kernel python3 --cwd notebooks "
    "--parameters_yaml {params.parameters:q} --no-progress-bar --log-output > {log:q} 2>&1"
)


include: "workflow/rules/checks.smk"  # checked(), code_inputs() and the check-before-write rules
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
        f"{OUT}/{scenarios.RECORD_NAME}",
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
    params:
        html_dir=f"{OUT}/html",
    log:
        f"{OUT}/logs/{{name}}.html.log",
    shell:
        "jupyter nbconvert --to html --no-input --output-dir {params.html_dir:q} {input:q} > {log:q} 2>&1"


rule scenario_record:
    """What this output folder was built with: every notebook's effective parameters, the checksum
    of every input file (analysis.compare flags a folder whose inputs changed since) and a copy of
    the scenario file and of the input files its parameters name (<OUT>/inputs/)."""
    input:
        REPORT_OUTPUTS,
        f"{OUT}/claims.csv",
    output:
        record=f"{OUT}/{scenarios.RECORD_NAME}",
        inputs=directory(f"{OUT}/inputs"),
    params:
        settings=json.dumps(EFFECTIVE_PARAMS, sort_keys=True, ensure_ascii=False),
    run:
        scenarios.write_record(OUT, SCENARIO, None if SCENARIO == scenarios.BASELINE else SCENARIO_SOURCE,
                               dict(config))


rule scenario_variants_data:
    """The scenario's effective variants data: the base folder with its variants_data applied."""
    input:
        [str(p) for p in sorted(Path(VARIANTS_BASE_DIR).glob("*")) if p.is_file()],
        [v for k, v in sorted(((VARIANTS_DATA_SPEC or {}).get("files") or {}).items())],
        (VARIANTS_DATA_SPEC or {}).get("add") or [],
        [(VARIANTS_DATA_SPEC or {})["scores"]] if (VARIANTS_DATA_SPEC or {}).get("scores") else [],
    output:
        directory(f"{OUT}/data/variants"),
    params:
        spec=json.dumps(VARIANTS_DATA_SPEC, sort_keys=True, ensure_ascii=False),
    run:
        scenarios.build_variants_data(VARIANTS_DATA_SPEC, output[0], base_dir=VARIANTS_BASE_DIR)


rule processed:
    input:
        PROCESSED_OUTPUTS,


rule claims_ledger:
    """Executes the ledger notebook: joins every part's claim values with the registry."""
    input:
        notebook="notebooks/90_claims_ledger.ipynb",
        registry=sorted(str(p) for p in Path("data/claims").glob("*.yaml")),
        code=code_inputs("notebooks/90_claims_ledger.ipynb"),
        values=expand(f"{OUT}/claims/{{part}}.csv", part=CLAIM_PARTS),
    output:
        notebook=f"{OUT}/notebooks/90_claims_ledger.ipynb",
        ledger=f"{OUT}/claims.csv",
        table=f"{OUT}/tables/claims_ledger_summary.csv",
        changed=f"{OUT}/tables/claims_changed_verdicts.csv",
    params:
        parameters=notebook_params("90_claims_ledger"),
    log:
        f"{OUT}/logs/90_claims_ledger.log",
    shell:
        PAPERMILL
