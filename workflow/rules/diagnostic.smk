# Territorial digital-dependency self-diagnostic, "TIE Break" (STUDY.md §2.6): notebook 06.
# Reads one raw transcription (the slides' example authority), the method and every authority file
# of the folder the notebook's parameters name (data/diagnostic/authorities by default).
DIAGNOSTIC_RAW = [
    "data/raw/slides/tie_break_example_spending.csv",
]
DIAGNOSTIC_PARAMS = json.loads(notebook_params("06_territorial_diagnostic"))

CLAIM_PARTS.append("diagnostic")


rule diagnostic_notebook:
    input:
        notebook="notebooks/06_territorial_diagnostic.ipynb",
        raw=DIAGNOSTIC_RAW,
        raw_checked=[checked(path) for path in DIAGNOSTIC_RAW],
        method=DIAGNOSTIC_PARAMS.get("method_file", "data/diagnostic/method.yaml"),
        authorities=sorted(
            str(path) for path in Path(DIAGNOSTIC_PARAMS.get("authorities_dir", "data/diagnostic/authorities")).glob("*.yaml")
        ),
        code=code_inputs("notebooks/06_territorial_diagnostic.ipynb"),
        claims="data/claims/diagnostic.yaml",
    output:
        notebook=f"{OUT}/notebooks/06_territorial_diagnostic.ipynb",
        figures=[
            f"{OUT}/figures/diagnostic_spending_split.png",
            f"{OUT}/figures/diagnostic_priority_matrix.png",
            f"{OUT}/figures/diagnostic_batch_summary.png",
        ],
        tables=[
            f"{OUT}/tables/diagnostic_authority_categories.csv",
            f"{OUT}/tables/diagnostic_batch_categories.csv",
            f"{OUT}/tables/diagnostic_batch_summary.csv",
        ],
        claims=f"{OUT}/claims/diagnostic.csv",
    params:
        parameters=notebook_params("06_territorial_diagnostic"),
    log:
        f"{OUT}/logs/06_territorial_diagnostic.log",
    shell:
        PAPERMILL


REPORT_OUTPUTS.extend(rules.diagnostic_notebook.output)
