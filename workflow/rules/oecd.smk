# OECD procurement comparisons: processed tables and notebook 01.
OECD_CODE = _deps.module_code_files("analysis.oecd")  # derived from its imports (analysis.deps)


OECD_PROCESSED_RAW = {
    "procurement": "data/raw/oecd/OECD.GOV.GIP_DF_GOV_PPROC_2025.csv",
    "gdp": "data/raw/eurostat/namq_10_gdp.csv",
    "cofog": "data/raw/eurostat/gov_10a_exp.csv",
    "slides": "data/raw/slides/oecd_gaag2023_procurement_figures.csv",
}


rule oecd_processed:
    """The four processed tables in one process (python -m analysis.oecd processed; each table also
    has its own subcommand: tidy, vintages, gdp, cofog): the OECD extract tidied, the slides' 2023
    figures beside the 2025 release, Eurostat's annual GDP and its procurement by COFOG function.
    Nothing is written unless all four were built."""
    input:
        **OECD_PROCESSED_RAW,
        raw_checked=[checked(path) for path in OECD_PROCESSED_RAW.values()],
        code=OECD_CODE,
    output:
        tidy=f"{PROCESSED}/oecd_procurement.csv",
        vintages=f"{PROCESSED}/procurement_vintages.csv",
        gdp=f"{PROCESSED}/eurostat_gdp_annual.csv",
        cofog=f"{PROCESSED}/eurostat_cofog_procurement.csv",
    params:
        year=2021,  # the year of the slides' figures
    shell:
        "python -m analysis.oecd processed --procurement {input.procurement:q} --gdp {input.gdp:q} "
        "--cofog {input.cofog:q} --slides {input.slides:q} --year {params.year:q} --tidy-output {output.tidy:q} "
        "--vintages-output {output.vintages:q} --gdp-output {output.gdp:q} --cofog-output {output.cofog:q} > /dev/null"


PROCESSED_OUTPUTS.extend([
    f"{PROCESSED}/oecd_procurement.csv",
    f"{PROCESSED}/procurement_vintages.csv",
    f"{PROCESSED}/eurostat_gdp_annual.csv",
    f"{PROCESSED}/eurostat_cofog_procurement.csv",
])
CLAIM_PARTS.append("oecd")


rule oecd_notebook:
    input:
        notebook="notebooks/01_oecd_procurement.ipynb",
        data=[
            f"{PROCESSED}/oecd_procurement.csv",
            f"{PROCESSED}/procurement_vintages.csv",
            f"{PROCESSED}/eurostat_gdp_annual.csv",
            f"{PROCESSED}/eurostat_cofog_procurement.csv",
        ],
        slides=["data/raw/slides/oecd_gaag2023_procurement_figures.csv", "data/raw/slides/oecd_slide_statements.csv"],
        slides_checked=[checked("data/raw/slides/oecd_gaag2023_procurement_figures.csv"),
                        checked("data/raw/slides/oecd_slide_statements.csv")],
        code=code_inputs("notebooks/01_oecd_procurement.ipynb"),
        claims=["data/claims/oecd.yaml", "data/claims/thresholds.yaml"],
    output:
        notebook=f"{OUT}/notebooks/01_oecd_procurement.ipynb",
        html=f"{OUT}/html/01_oecd_procurement.html",
        figures=[
            f"{OUT}/figures/oecd_procurement_pct_gdp.png",
            f"{OUT}/figures/oecd_procurement_pct_gov_exp.png",
            f"{OUT}/figures/oecd_france_vs_oecd_timeseries.png",
            f"{OUT}/figures/oecd_vintage_audit.png",
            f"{OUT}/figures/eurostat_education_procurement.png",
            f"{OUT}/figures/eurostat_education_regression.png",
            f"{OUT}/figures/oecd_claims_readings.png",
        ],
        tables=[
            f"{OUT}/tables/oecd_procurement_ranking.csv",
            f"{OUT}/tables/oecd_france_vs_oecd_timeseries.csv",
            f"{OUT}/tables/oecd_vintage_audit.csv",
            f"{OUT}/tables/eurostat_education_procurement.csv",
            f"{OUT}/tables/eurostat_education_regression.csv",
            f"{OUT}/tables/eurostat_education_regression_diagnostics.csv",
            f"{OUT}/tables/france_position_summary.csv",
            f"{OUT}/tables/oecd_france_rank_by_year.csv",
            f"{OUT}/tables/eurostat_education_regression_influence.csv",
            f"{OUT}/tables/eurostat_education_regression_leave_one_out.csv",
            f"{OUT}/tables/eurostat_education_panel_effects.csv",
            f"{OUT}/tables/claims_readings_oecd_fra_in_oecd_average_2021.csv",
            f"{OUT}/tables/claims_readings_oecd_fra_in_eu_average_2021.csv",
            f"{OUT}/tables/claims_readings_oecd_edu_gdp_fra_2021.csv",
            f"{OUT}/tables/claims_readings_oecd_edu_half_2021.csv",
            f"{OUT}/tables/claims_readings_oecd_edu_among_lowest_2021.csv",
        ],
        claims=f"{OUT}/claims/oecd.csv",
    params:
        parameters=notebook_params("01_oecd_procurement"),
    log:
        f"{OUT}/logs/01_oecd_procurement.log",
    shell:
        PAPERMILL


REPORT_OUTPUTS.extend(rules.oecd_notebook.output)
