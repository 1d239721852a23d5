# OECD procurement comparisons: processed tables and notebook 01.
OECD_CODE = _deps.module_code_files("analysis.oecd")  # derived from its imports (analysis.deps)


rule oecd_tidy:
    input:
        raw="data/raw/oecd/OECD.GOV.GIP_DF_GOV_PPROC_2025.csv",
        raw_checked=checked("data/raw/oecd/OECD.GOV.GIP_DF_GOV_PPROC_2025.csv"),
        code=OECD_CODE,
    output:
        f"{PROCESSED}/oecd_procurement.csv",
    shell:
        "python -m analysis.oecd tidy --input {input.raw:q} --output {output:q}"


rule oecd_vintages:
    input:
        tidy=f"{PROCESSED}/oecd_procurement.csv",
        slides="data/raw/slides/oecd_gaag2023_procurement_figures.csv",
        slides_checked=checked("data/raw/slides/oecd_gaag2023_procurement_figures.csv"),
        code=OECD_CODE,
    output:
        f"{PROCESSED}/procurement_vintages.csv",
    shell:
        "python -m analysis.oecd vintages --input {input.tidy:q} --slides {input.slides:q} --year 2021 --output {output:q}"


rule eurostat_gdp:
    input:
        raw="data/raw/eurostat/namq_10_gdp.csv",
        raw_checked=checked("data/raw/eurostat/namq_10_gdp.csv"),
        code=OECD_CODE,
    output:
        f"{PROCESSED}/eurostat_gdp_annual.csv",
    shell:
        "python -m analysis.oecd gdp --input {input.raw:q} --output {output:q}"


rule eurostat_cofog:
    input:
        raw="data/raw/eurostat/gov_10a_exp.csv",
        raw_checked=checked("data/raw/eurostat/gov_10a_exp.csv"),
        code=OECD_CODE,
    output:
        f"{PROCESSED}/eurostat_cofog_procurement.csv",
    shell:
        "python -m analysis.oecd cofog --input {input.raw:q} --output {output:q}"


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
