# The study as a deliverable: the workflow's last rules. From the figures and tables of every part,
# the claims ledger and the raw data's sidecars, analysis/report.py builds the report (HTML, PDF,
# Word), the workbook and the provenance annex. French by default; English with
#   bash tools/regenerate.sh --config report_language=en
# (the files are then report.html, report.pdf, report.docx, study.xlsx, provenance_annex.html).
# Structure of the report: config/report.yaml; texts: data/i18n/report.csv.
from analysis.report import OUTPUT_NAMES as REPORT_FILE_NAMES

REPORT_LANGUAGE = config.get("report_language", "fr")
REPORT_NAMES = REPORT_FILE_NAMES[REPORT_LANGUAGE]
# The scenario's own file (its head comment says what it changes), when it is a provided scenario.
REPORT_SCENARIO_FILE = f"config/scenarios/{SCENARIO}.yaml" if Path(f"config/scenarios/{SCENARIO}.yaml").exists() else ""
REPORT_CODE = sorted(str(p) for p in Path("analysis").glob("report*.py")) + sorted(
    str(p) for p in Path("analysis/templates").glob("*")) + ["analysis/i18n.py", "analysis/plotting.py"]
REPORT_DATA = (["config/report.yaml", "config/workflow.yaml", "data/market/inputs.csv", "data/diagnostic/method.yaml"]
               + sorted(str(p) for p in Path("data/i18n").glob("*.csv"))
               + sorted(str(p) for p in Path("data/variants").glob("*.*"))
               + sorted(str(p) for p in Path("data/raw").rglob("*.meta.yaml"))
               + sorted(str(p) for p in Path("config/parameters").glob("*.yaml"))
               + ([REPORT_SCENARIO_FILE] if REPORT_SCENARIO_FILE else []))


rule study_report:
    """The report (HTML, PDF, Word) and the workbook, from every output of the study."""
    input:
        outputs=REPORT_OUTPUTS,
        ledger=f"{OUT}/claims.csv",
        ledger_summary=f"{OUT}/tables/claims_ledger_summary.csv",
        data=REPORT_DATA,
        code=REPORT_CODE,
    output:
        html=f"{OUT}/{REPORT_NAMES['html']}",
        pdf=f"{OUT}/{REPORT_NAMES['pdf']}",
        docx=f"{OUT}/{REPORT_NAMES['docx']}",
        xlsx=f"{OUT}/{REPORT_NAMES['xlsx']}",
    params:
        lang=REPORT_LANGUAGE,
        workflow_config=json.dumps({"scenario": SCENARIO, "notebook_params": config.get("notebook_params") or {}},
                                   sort_keys=True, ensure_ascii=False),
        scenario_args=["--configfile", REPORT_SCENARIO_FILE] if REPORT_SCENARIO_FILE else [],
        out=OUT,
    log:
        f"{OUT}/logs/report.log",
    shell:
        "python -m analysis.report --output-dir {params.out:q} --lang {params.lang:q} --only html pdf docx xlsx "
        "--workflow-config {params.workflow_config:q} {params.scenario_args:q} > {log:q} 2>&1"


rule provenance_annex:
    """For auditors: each output's rule, inputs, parameters, command and run time, from Snakemake's
    own records (.snakemake/metadata); runs after the report so that its record is included."""
    input:
        report=rules.study_report.output,
        code=REPORT_CODE,
    output:
        f"{OUT}/{REPORT_NAMES['provenance']}",
    params:
        lang=REPORT_LANGUAGE,
        workflow_config=json.dumps({"scenario": SCENARIO, "notebook_params": config.get("notebook_params") or {}},
                                   sort_keys=True, ensure_ascii=False),
        scenario_args=["--configfile", REPORT_SCENARIO_FILE] if REPORT_SCENARIO_FILE else [],
        out=OUT,
    log:
        f"{OUT}/logs/provenance_annex.log",
    shell:
        "python -m analysis.report --output-dir {params.out:q} --lang {params.lang:q} --only provenance "
        "--workflow-config {params.workflow_config:q} {params.scenario_args:q} > {log:q} 2>&1"


REPORT_DELIVERABLES = list(rules.study_report.output) + list(rules.provenance_annex.output)
