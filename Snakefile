# The study's workflow. Each notebook is executed by papermill from a shell rule (analysis.run_notebook,
# which also writes its HTML page); its executed copy is a declared output, and its parameters travel
# as rule params (a change reruns it).
#
#   snakemake --cores 2                                            # baseline -> reports/
#   snakemake --cores 2 --configfile config/scenarios/NAME.yaml    # scenario -> reports/scenarios/NAME/
#   snakemake --cores 2 processed                                  # only data/processed/
#
# Use tools/regenerate.sh, which sets up the environment first.
import json
import os
import re
import shlex
import sys
from pathlib import Path

import yaml

from analysis import config as paths
from analysis import scenarios, snakemake_params, snakemake_timers
from snakemake.exceptions import WorkflowError

snakemake_params.install()  # rule params recorded as Snakemake records them, without importing pandas

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
if isinstance(config.get("reuse_baseline"), str):  # --config reuse_baseline=false gives a text
    config["reuse_baseline"] = config["reuse_baseline"].strip().lower() in ("true", "yes", "1")
SCENARIO_SOURCE = str(workflow.overwrite_configfiles[-1]) if workflow.overwrite_configfiles else None
_problems = scenarios.validate(dict(config), SCENARIO_SOURCE or f"scenario {SCENARIO}")
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


# One process per notebook (analysis.run_notebook): papermill's execution, then the executed
# notebook's HTML page without code cells (the readable report, what `jupyter nbconvert --to html
# --no-input` writes), so each notebook rule also outputs {OUT}/html/<notebook>.html.
PAPERMILL = (
    "python -m analysis.run_notebook {input.notebook:q} {output.notebook:q} --kernel python3 --cwd notebooks "
    "--parameters_yaml {params.parameters:q} --html {output.html:q} > {log:q} 2>&1"
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


# A scenario executes only what it changes and what depends on it: the outputs of a notebook whose
# parameters equal the baseline's, and whose inputs from earlier steps are themselves unchanged,
# are copied from the baseline's reports/ (rule reuse_baseline, preferred by ruleorder) when the
# baseline built them from the files the rule reads now (checksums in reports/scenario.yaml).
# --config reuse_baseline=false runs every notebook.
BASELINE_PARAMS = scenarios.effective_parameters({}, DEFAULT_PARAMS)
_NOTEBOOK_RULES = {}   # notebook name -> Rule, for this output folder
for _rule in list(workflow.rules):
    for _path in map(str, _rule.output):
        if _path.startswith(f"{OUT}/notebooks/") and _path.endswith(".ipynb") and "{" not in _path:
            _NOTEBOOK_RULES[Path(_path).stem] = _rule


def _changed_notebooks(seeds=()):
    producer = {}
    for rule in workflow.rules:
        for path in map(str, rule.output):
            if path.startswith(f"{OUT}/"):
                producer[path] = rule
    changed = set(seeds)
    for notebook, rule in _NOTEBOOK_RULES.items():
        if EFFECTIVE_PARAMS.get(notebook, {}) != BASELINE_PARAMS.get(notebook, {}):
            changed.add(notebook)
    while True:
        grew = False
        for notebook, rule in _NOTEBOOK_RULES.items():
            if notebook in changed:
                continue
            for path in map(str, rule.input):
                upstream = producer.get(path)
                if upstream is None:
                    continue
                upstream_notebook = next((nb for nb, r in _NOTEBOOK_RULES.items() if r is upstream), None)
                if upstream_notebook is None or upstream_notebook in changed:
                    changed.add(notebook)
                    grew = True
                    break
        if not grew:
            return changed


def _baseline_up_to_date(rule):
    """The baseline's outputs of `rule` were built from the files it reads now (its recorded checksums)."""
    if not all(Path("reports", str(p)[len(OUT) + 1:]).exists() for p in rule.output):
        return False
    own_inputs = [str(p) for p in rule.input if not str(p).startswith(f"{OUT}/")
                  and not str(p).startswith(f"{PROCESSED}/checks/")]
    return scenarios.stale_inputs("reports", only=own_inputs) == []


REUSED_NOTEBOOKS = []
if SCENARIO != scenarios.BASELINE and config.get("reuse_baseline", True) is not False \
        and Path("reports", scenarios.RECORD_NAME).is_file():
    _not_built = {nb for nb, rule in _NOTEBOOK_RULES.items() if not _baseline_up_to_date(rule)}
    REUSED_NOTEBOOKS = sorted(set(_NOTEBOOK_RULES) - _changed_notebooks(_not_built))
for _notebook in REUSED_NOTEBOOKS:
    _outputs = [str(p) for p in _NOTEBOOK_RULES[_notebook].output]  # its HTML page included

    rule:
        """Outputs of a notebook this scenario does not change: the baseline's, copied."""
        name:
            f"reuse_baseline_{_notebook}"
        input:
            ["reports/" + p[len(OUT) + 1:] for p in _outputs],
        output:
            _outputs,
        params:
            # the command itself, as a param: a shell: expression is evaluated again when the job
            # runs, when the loop's variables hold the last notebook's files
            copies=" && ".join(["mkdir -p " + " ".join(shlex.quote(d) for d in sorted({str(Path(p).parent) for p in _outputs}))]
                               + [f"cp -p {shlex.quote('reports/' + p[len(OUT) + 1:])} {shlex.quote(p)}" for p in _outputs]),
        shell:  # cp -p, as shutil.copy2: content, mode and times (a run: block would start a second Snakemake)
            "{params.copies}"

    _prefix = workflow.modifier.modify_rulename("")
    workflow.ruleorder(f"reuse_baseline_{_notebook}", _NOTEBOOK_RULES[_notebook].name[len(_prefix):])


rule all:
    default_target: True
    input:
        [str(path) for path in REPORT_OUTPUTS],  # plain paths: a reused output may come from rule reuse_baseline_*
        f"{OUT}/{scenarios.RECORD_NAME}",
        f"{OUT}/claims.csv",
        f"{OUT}/notebooks/90_claims_ledger.ipynb",
        expand(f"{OUT}/html/{{name}}.html", name=NOTEBOOK_NAMES),
        REPORT_DELIVERABLES,
        f"{OUT}/manifest.sha256",


rule output_manifest:
    """SHA-256 of every table, claim value and figure of this output folder (sha256sum format):
    two runs of the same inputs give the same manifest, and `sha256sum -c` checks a folder."""
    input:
        results=[str(path) for path in REPORT_OUTPUTS],
        ledger=f"{OUT}/claims.csv",
        ledger_summary=f"{OUT}/tables/claims_ledger_summary.csv",
    output:
        f"{OUT}/manifest.sha256",
    params:
        out=OUT,
    shell:  # a light process (a run: block would start a second Snakemake to run it)
        "python -m analysis.provenance manifest --output-root {params.out:q} {input:q} > /dev/null"


rule scenario_record:
    """What this output folder was built with: every notebook's effective parameters, the checksum
    of every input file (analysis.compare flags a folder whose inputs changed since) and a copy of
    the scenario file and of the input files its parameters name (<OUT>/inputs/)."""
    input:
        [str(path) for path in REPORT_OUTPUTS],  # plain paths: a reused output may come from rule reuse_baseline_*
        f"{OUT}/claims.csv",
    output:
        record=f"{OUT}/{scenarios.RECORD_NAME}",
        inputs=directory(f"{OUT}/inputs"),
    params:
        settings=json.dumps(EFFECTIVE_PARAMS, sort_keys=True, ensure_ascii=False),
        reused=REUSED_NOTEBOOKS,
        out=OUT,
        name=SCENARIO,
        source=SCENARIO_SOURCE or "",
        config=json.dumps(dict(config), sort_keys=True, ensure_ascii=False, default=str),
    shell:
        "python -m analysis.scenarios record --output-dir {params.out:q} --name {params.name:q} "
        "--source={params.source:q} --config {params.config:q} --reused {params.reused:q} > /dev/null"


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
        html=f"{OUT}/html/90_claims_ledger.html",
        ledger=f"{OUT}/claims.csv",
        table=f"{OUT}/tables/claims_ledger_summary.csv",
        changed=f"{OUT}/tables/claims_changed_verdicts.csv",
    params:
        parameters=notebook_params("90_claims_ledger"),
    log:
        f"{OUT}/logs/90_claims_ledger.log",
    shell:
        PAPERMILL


# The end of a run: Snakemake's last rescheduling timer would keep the finished process alive for up
# to a second; when onsuccess or onerror runs every job has ended, and it is cancelled
# (analysis/snakemake_timers.py).
onsuccess:
    snakemake_timers.cancel_rescheduling_timers()


onerror:
    snakemake_timers.cancel_rescheduling_timers()


# Scheduling on two cores: of the jobs ready to start, Snakemake starts the one of highest priority
# first (0 by default). The longest chain goes first, so that it never waits behind jobs with time to
# spare: the data step, the market sizing (03), then the two notebooks that read it and run longest
# (05, and 02 before 04), the ledger and the report's two jobs as soon as they can start (before the
# manifest and the record, which nothing waits for); the authorities' pages, which only the report's
# diagnostic section waits for, fill the gaps. A job's priority changes only when it starts, never
# what it makes. `python benchmarks/bench_pipeline.py --parts regen` prints the timeline of a full run.
STEP_PRIORITY = {
    "oecd_processed": 100,
    "scenario_variants_data": 100,
    "market_notebook": 90,
    "sensitivity_notebook": 80, "practices_notebook": 80,
    "variants_notebook": 70,
    "oecd_notebook": 60,
    "diagnostic_notebook": 50,
    "claims_ledger": 95, "study_report": 97, "study_report_word": 97, "provenance_annex": 97,
    "output_manifest": 95, "scenario_record": 95,
}
for _rule in workflow.rules:  # a scenario's copies of the baseline's outputs are quick: first
    _rule.priority = STEP_PRIORITY.get(_rule.name, 100 if _rule.name.startswith("reuse_baseline_") else 0)
