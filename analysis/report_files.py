"""File names of the study's deliverables, per language (relative to the output root).

Declared once, here, in a module that imports nothing: the workflow reads them when it starts
(workflow/rules/report.smk), and importing analysis.report there would load pandas on every
Snakemake start, a third of a no-op run.
"""

OUTPUT_NAMES = {
    "fr": {"html": "rapport.html", "pdf": "rapport.pdf", "docx": "rapport.docx", "xlsx": "etude.xlsx",
           "provenance": "annexe_provenance.html"},
    "en": {"html": "report.html", "pdf": "report.pdf", "docx": "report.docx", "xlsx": "study.xlsx",
           "provenance": "provenance_annex.html"},
}
