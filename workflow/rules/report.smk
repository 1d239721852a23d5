# The study as a deliverable: the workflow's last rules. From the figures and tables of every part,
# the claims ledger and the raw data's sidecars, analysis/report.py builds the report (HTML, PDF,
# Word), the workbook and the provenance annex. French by default; English with
#   bash tools/regenerate.sh --config report_language=en
# (the files are then report.html, report.pdf, report.docx, study.xlsx, provenance_annex.html).
# Structure of the report: config/report.yaml; texts: data/i18n/report.csv.
from analysis.report_files import OUTPUT_NAMES as REPORT_FILE_NAMES

REPORT_LANGUAGE = config.get("report_language", "fr")
REPORT_NAMES = REPORT_FILE_NAMES[REPORT_LANGUAGE]
# The scenario's own file (its head comment says what it changes), when it is a provided scenario.
REPORT_SCENARIO_FILE = f"config/scenarios/{SCENARIO}.yaml" if Path(f"config/scenarios/{SCENARIO}.yaml").exists() else ""
REPORT_CODE = sorted(str(p) for p in Path("analysis").glob("report*.py")) + sorted(
    str(p) for p in Path("analysis/templates").glob("*")) + ["analysis/i18n.py", "analysis/palette.py", "analysis/plotting.py", "analysis/compare.py", "analysis/compare_figures.py"]
REPORT_DATA = (["config/report.yaml", "config/workflow.yaml", "data/market/inputs.csv", "data/diagnostic/method.yaml"]
               + sorted(str(p) for p in Path("data/i18n").glob("*.csv"))
               + sorted(str(p) for p in Path("data/variants").glob("*.*"))
               + sorted(str(p) for p in Path("data/raw").rglob("*.meta.yaml"))
               + sorted(str(p) for p in Path("config/parameters").glob("*.yaml"))
               + ([REPORT_SCENARIO_FILE] if REPORT_SCENARIO_FILE else []))

# The comparison of the baseline with scenarios (bash tools/compare.sh; analysis/compare.py) is not
# built by this workflow: a baseline run never builds or compares scenarios. When one has been made,
# its files and the scenario.yaml of every folder it names are inputs of the baseline's report, so
# that a new comparison or a rebuilt scenario reruns the report, which then flags a comparison older
# than the folders it names (analysis/report_comparison.py). Without one, the report says how to
# make one. A scenario's report does not show the comparison.
REPORT_COMPARISON = []
if SCENARIO == "baseline" and Path(f"{OUT}/comparison/scenario_status.csv").is_file():
    import csv as _csv

    REPORT_COMPARISON = sorted(str(p) for p in Path(f"{OUT}/comparison").glob("*.*")
                               if p.is_file() and p.suffix in (".csv", ".png"))
    # the baseline's own record first (the report checks the baseline's staleness against it)
    REPORT_COMPARISON.append(f"{OUT}/{scenarios.RECORD_NAME}")
    with open(f"{OUT}/comparison/scenario_status.csv", encoding="utf-8", newline="") as _handle:
        for _row in _csv.DictReader(_handle):
            _record = Path(_row.get("folder") or "", "scenario.yaml")
            if _row.get("scenario") != "baseline" and _record.is_file() and not _record.is_absolute():
                REPORT_COMPARISON.append(str(_record))


# The report is built by two jobs that run side by side (on two cores, the end of the run waits for
# the longer one, not for both in a row): the HTML and PDF report with the workbook, and the Word
# version. Each builds the same content (analysis.report.build) and writes its own files.
REPORT_PARAMS = dict(
    lang=REPORT_LANGUAGE,
    workflow_config=json.dumps({"scenario": SCENARIO, "notebook_params": config.get("notebook_params") or {}},
                               sort_keys=True, ensure_ascii=False),
    scenario_args=["--configfile", REPORT_SCENARIO_FILE] if REPORT_SCENARIO_FILE else [],
    out=OUT,
)
REPORT_INPUTS = dict(
    outputs=REPORT_OUTPUTS,
    ledger=f"{OUT}/claims.csv",
    ledger_summary=f"{OUT}/tables/claims_ledger_summary.csv",
    data=REPORT_DATA,
    code=REPORT_CODE,
    comparison=REPORT_COMPARISON,
)
REPORT_COMMAND = ("python -m analysis.report --output-dir {params.out:q} --lang {params.lang:q} --only {params.only:q} "
                  "--workflow-config {params.workflow_config:q} {params.scenario_args:q} > {log:q} 2>&1")


rule study_report:
    """The report (HTML, PDF) and the workbook, from every output of the study."""
    input:
        **REPORT_INPUTS,
    output:
        html=f"{OUT}/{REPORT_NAMES['html']}",
        pdf=f"{OUT}/{REPORT_NAMES['pdf']}",
        xlsx=f"{OUT}/{REPORT_NAMES['xlsx']}",
    params:
        **REPORT_PARAMS,
        only=["html", "pdf", "xlsx"],
    log:
        f"{OUT}/logs/report.log",
    shell:
        REPORT_COMMAND


rule study_report_word:
    """The report as a Word document (the same content as the HTML report)."""
    input:
        **REPORT_INPUTS,
    output:
        docx=f"{OUT}/{REPORT_NAMES['docx']}",
    params:
        **REPORT_PARAMS,
        only=["docx"],
    log:
        f"{OUT}/logs/report_word.log",
    shell:
        REPORT_COMMAND


rule provenance_annex:
    """For auditors: each output's rule, inputs, parameters, command and run time, from Snakemake's
    own records (.snakemake/metadata); runs after the report so that its records are included."""
    input:
        report=rules.study_report.output,
        report_word=rules.study_report_word.output,
        code=REPORT_CODE,
    output:
        f"{OUT}/{REPORT_NAMES['provenance']}",
    params:
        **REPORT_PARAMS,
        only=["provenance"],
    log:
        f"{OUT}/logs/provenance_annex.log",
    shell:
        REPORT_COMMAND


REPORT_DELIVERABLES = (list(rules.study_report.output) + list(rules.study_report_word.output)
                       + list(rules.provenance_annex.output))
