# OECD procurement practices (Table 12.1 of the Digital Education Outlook 2023):
# notebook 02. Reads the transcription of the table, the systems' codes and data/practices/*.yaml;
# writes the variant map that the variants part (notebook 04) reads.
PRACTICES_RAW = ["data/raw/slides/oecd_deo2023_table_12_1.csv", "data/raw/slides/oecd_slide_statements.csv"]

CLAIM_PARTS.append("practices")


rule practices_notebook:
    input:
        notebook="notebooks/02_oecd_practices.ipynb",
        raw=PRACTICES_RAW,
        raw_checked=[checked(path) for path in PRACTICES_RAW],
        mappings="data/mappings/education_systems.csv",
        definitions=sorted(str(p) for p in Path("data/practices").glob("*.yaml")),
        code=code_inputs("notebooks/02_oecd_practices.ipynb"),
        claims=["data/claims/practices.yaml", "data/claims/thresholds.yaml"],
    output:
        notebook=f"{OUT}/notebooks/02_oecd_practices.ipynb",
        html=f"{OUT}/html/02_oecd_practices.html",
        figures=[
            f"{OUT}/figures/oecd_practices_heatmap.png",
            f"{OUT}/figures/oecd_practices_frequency.png",
            f"{OUT}/figures/oecd_practices_dendrogram.png",
            f"{OUT}/figures/practices_claims_readings.png",
        ],
        tables=[
            f"{OUT}/tables/practices_table_12_1_wide.csv",
            f"{OUT}/tables/practices_counts.csv",
            f"{OUT}/tables/practices_criteria_counts.csv",
            f"{OUT}/tables/practices_france_profile.csv",
            f"{OUT}/tables/practices_claims_checks.csv",
            f"{OUT}/tables/practices_jaccard_distances.csv",
            f"{OUT}/tables/practices_clusters.csv",
            f"{OUT}/tables/practices_france_nearest.csv",
            f"{OUT}/tables/country_variant_map.csv",
            f"{OUT}/tables/practices_primary_variant.csv",
            f"{OUT}/tables/practices_exact_tests.csv",
            f"{OUT}/tables/practices_exact_tests_empty_as_missing.csv",
            f"{OUT}/tables/practices_typology_stability.csv",
            f"{OUT}/tables/practices_france_cluster_bootstrap.csv",
            f"{OUT}/tables/practices_deciding_cells.csv",
            f"{OUT}/tables/claims_readings_pract_central_two_thirds.csv",
            f"{OUT}/tables/claims_readings_pract_guidance_most.csv",
            f"{OUT}/tables/claims_readings_pract_fra_rare_no_nego_all.csv",
            f"{OUT}/tables/claims_readings_pract_fra_rare_no_nego_central.csv",
        ],
        claims=f"{OUT}/claims/practices.csv",
    params:
        parameters=notebook_params("02_oecd_practices"),
    log:
        f"{OUT}/logs/02_oecd_practices.log",
    shell:
        PAPERMILL


REPORT_OUTPUTS.extend(rules.practices_notebook.output)
