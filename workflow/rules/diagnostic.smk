# Territorial digital-dependency self-diagnostic, "TIE Break": notebook 06, then one page per
# authority and a summary page.
#
# 1. Every authority file is checked (every problem of the file at once: row, column, value found,
#    what is allowed) before anything is written from it. The committed folder is checked with
#    every other input before any job starts (workflow/rules/checks.smk). Every other authority
#    file (private, or from diagnostic_authority_dirs) by `diagnostic_check`, which writes a stamp;
#    the jobs that write from the file depend on the stamp, so a bad file stops the run before
#    anything is replaced (Snakemake removes a failed job's outputs: the check's only output is
#    its stamp, never a page).
# 2. The notebook reads the committed folder (`authorities_dir`: the slides' example and synthetic
#    authorities): its executed copy and committed expected output never carry a private row.
# 3. `diagnostic_page` builds the page of one authority (a job per authority: adding one reruns
#    its check, its page and the summary, nothing else), except the committed authorities' pages, which
#    `diagnostic_committed_pages` builds in one process; `diagnostic_summary` compares them all.
#    Authorities come from the committed folder and from data/private/authorities/ (ignored by
#    git), or from the folders of the Snakemake config key `diagnostic_authority_dirs`.
import re as _re
import unicodedata as _unicodedata

DIAGNOSTIC_RAW = [
    "data/raw/slides/tie_break_example_spending.csv",
]
DIAGNOSTIC_PARAMS = json.loads(notebook_params("06_territorial_diagnostic"))
DIAGNOSTIC_METHOD = DIAGNOSTIC_PARAMS.get("method_file", "data/diagnostic/method.yaml")
DIAGNOSTIC_COMMITTED_DIR = DIAGNOSTIC_PARAMS.get("authorities_dir", "data/diagnostic/authorities")
DIAGNOSTIC_PAGE_DIRS = config.get("diagnostic_authority_dirs") or [DIAGNOSTIC_COMMITTED_DIR, "data/private/authorities"]
DIAGNOSTIC_SUFFIXES = (".yaml", ".csv", ".xlsx")


def diagnostic_authority_id(path):
    """The authority id of a file: its name without suffix, lower case, accents and punctuation
    dropped (as analysis.diagnostic_intake does for spreadsheets; YAML ids must equal their name)."""
    text = _unicodedata.normalize("NFKD", Path(path).stem).encode("ascii", "ignore").decode("ascii").lower()
    return _re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def diagnostic_files(folder):
    """Authority files of a folder, by file name (a missing folder holds none)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted(str(p) for p in folder.iterdir() if p.is_file() and p.suffix.lower() in DIAGNOSTIC_SUFFIXES
                  and not p.name.startswith((".", "~$")))


DIAGNOSTIC_FILES = {}  # authority id -> file (the first folder wins; the summary's check reports a clash)
DIAGNOSTIC_ALL_FILES = []
for _folder in DIAGNOSTIC_PAGE_DIRS:
    for _path in diagnostic_files(_folder):
        DIAGNOSTIC_ALL_FILES.append(_path)
        DIAGNOSTIC_FILES.setdefault(diagnostic_authority_id(_path), _path)
DIAGNOSTIC_COMMITTED = {diagnostic_authority_id(p): p for p in diagnostic_files(DIAGNOSTIC_COMMITTED_DIR)}
# The committed authorities' pages are built by one job (rule diagnostic_committed_pages: one
# process instead of one per authority; they change only with the repository); every other
# authority (data/private/authorities/, the folders of diagnostic_authority_dirs) by a job of its own.
DIAGNOSTIC_BATCH = {a: path for a, path in sorted(DIAGNOSTIC_FILES.items()) if path in DIAGNOSTIC_COMMITTED.values()}
DIAGNOSTIC_OWN_PAGE = r"(?!index\b)" + "".join(rf"(?!{a}\b)" for a in DIAGNOSTIC_BATCH) + r"[a-z0-9_]+"


def diagnostic_checked(authority):
    """The stamp of an authority file's check (rule diagnostic_check); none for a committed
    authority, checked before any job."""
    return [] if authority in DIAGNOSTIC_BATCH else [f"{OUT}/diagnostic/checks/{authority}.ok"]


CLAIM_PARTS.append("diagnostic")


rule diagnostic_check:
    """Every problem of one authority file at once (row, column, value found, what is allowed)."""
    input:
        file=lambda wildcards: DIAGNOSTIC_FILES[wildcards.authority],
        method=DIAGNOSTIC_METHOD,
        code=_deps.module_code_files("analysis.diagnostic", "analysis.diagnostic_intake"),
    output:
        f"{OUT}/diagnostic/checks/{{authority}}.ok",
    wildcard_constraints:
        authority=DIAGNOSTIC_OWN_PAGE,  # a committed authority is checked before any job
    resources:
        mem_mb=1000,
        runtime=5,
    shell:
        "python -m analysis.diagnostic check {input.file:q} --method {input.method:q} --stamp {output:q}"


rule diagnostic_notebook:
    input:
        notebook="notebooks/06_territorial_diagnostic.ipynb",
        raw=DIAGNOSTIC_RAW,
        raw_checked=[checked(path) for path in DIAGNOSTIC_RAW],
        method=DIAGNOSTIC_METHOD,
        authorities=sorted(DIAGNOSTIC_COMMITTED.values()),  # checked before any job (checks.smk)
        code=code_inputs("notebooks/06_territorial_diagnostic.ipynb"),
        i18n="data/i18n/diagnostic.csv",
        claims="data/claims/diagnostic.yaml",
    output:
        notebook=f"{OUT}/notebooks/06_territorial_diagnostic.ipynb",
        html=f"{OUT}/html/06_territorial_diagnostic.html",
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


if DIAGNOSTIC_BATCH:

    rule diagnostic_committed_pages:
        """The pages (HTML and A4 PDF) of the committed authorities, in one process; every file is
        checked before any page is written."""
        input:
            files=list(DIAGNOSTIC_BATCH.values()),
            method=DIAGNOSTIC_METHOD,
            code=_deps.module_code_files("analysis.diagnostic_pages", "analysis.diagnostic_figures", "analysis.diagnostic_intake"),
            i18n="data/i18n/diagnostic.csv",
        output:
            [f"{OUT}/diagnostic/{a}.{ext}" for a in DIAGNOSTIC_BATCH for ext in ("html", "pdf")],
        params:
            lang=DIAGNOSTIC_PARAMS.get("lang", "fr"),
            out_dir=f"{OUT}/diagnostic",
        resources:
            mem_mb=1500,
            runtime=10,
        shell:
            "python -m analysis.diagnostic_pages pages {input.files:q} --method {input.method:q} --lang {params.lang:q} "
            "--out-dir {params.out_dir:q} > /dev/null"


rule diagnostic_page:
    """The self-contained HTML page of one authority and the same as an A4 PDF (one job per authority; on a cluster, group
    them: --group-components diagnostic_pages=100)."""
    input:
        file=lambda wildcards: DIAGNOSTIC_FILES[wildcards.authority],
        checked=lambda wildcards: diagnostic_checked(wildcards.authority),
        method=DIAGNOSTIC_METHOD,
        code=_deps.module_code_files("analysis.diagnostic_pages", "analysis.diagnostic_figures", "analysis.diagnostic_intake"),
        i18n="data/i18n/diagnostic.csv",
    output:
        html=f"{OUT}/diagnostic/{{authority}}.html",
        pdf=f"{OUT}/diagnostic/{{authority}}.pdf",
    params:
        lang=DIAGNOSTIC_PARAMS.get("lang", "fr"),
    wildcard_constraints:
        authority=DIAGNOSTIC_OWN_PAGE,  # not the summary (index), nor a committed authority's page
    group:
        "diagnostic_pages"
    resources:
        mem_mb=1500,
        runtime=10,
    shell:
        "python -m analysis.diagnostic_pages page {input.file:q} --method {input.method:q} --lang {params.lang:q} "
        "--out {output.html:q} --pdf {output.pdf:q} > /dev/null"


rule diagnostic_summary:
    """The summary page comparing every authority, and its two tables (authority × category; one
    row per authority). Its inputs are every page, so `snakemake diagnostic_summary` builds them all."""
    input:
        files=DIAGNOSTIC_ALL_FILES,
        checked=[stamp for a in sorted(DIAGNOSTIC_FILES) for stamp in diagnostic_checked(a)],
        pages=[f"{OUT}/diagnostic/{a}.{ext}" for a in sorted(DIAGNOSTIC_FILES) for ext in ("html", "pdf")],
        method=DIAGNOSTIC_METHOD,
        code=_deps.module_code_files("analysis.diagnostic_pages", "analysis.diagnostic_figures", "analysis.diagnostic_intake"),
        i18n="data/i18n/diagnostic.csv",
    output:
        index=f"{OUT}/diagnostic/index.html",
        authorities=f"{OUT}/diagnostic/summary_authorities.csv",
        categories=f"{OUT}/diagnostic/summary_categories.csv",
    params:
        lang=DIAGNOSTIC_PARAMS.get("lang", "fr"),
        out_dir=f"{OUT}/diagnostic",
        folders=DIAGNOSTIC_PAGE_DIRS,  # folders, not files: the command line stays short for thousands
    resources:
        mem_mb=4000,
        runtime=30,
    shell:
        "python -m analysis.diagnostic_pages summary {params.folders:q} --method {input.method:q} --lang {params.lang:q} "
        "--out-dir {params.out_dir:q} > /dev/null"


REPORT_OUTPUTS.extend(rules.diagnostic_notebook.output)
REPORT_OUTPUTS.extend(rules.diagnostic_summary.output)
