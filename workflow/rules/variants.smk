# The procurement-framework variants: outcome model and multi-criteria comparison,
# notebook 04. Reads the practices part's country map (notebook 02) and the market part's budget
# (notebook 03) from the same output root.
VARIANTS_DATA = sorted(str(p) for p in Path("data/variants").glob("*.yaml")) + sorted(
    str(p) for p in Path("data/variants").glob("*.csv"))
VARIANTS_EVIDENCE = "data/raw/evidence/procurement_evidence.csv"

CLAIM_PARTS.append("variants")


rule variants_notebook:
    input:
        notebook="notebooks/04_variants.ipynb",
        data=VARIANTS_DATA,
        scenario_data=SCENARIO_VARIANTS_INPUTS,  # the variants_dir folder (a scenario's built one)
        evidence=VARIANTS_EVIDENCE,
        evidence_checked=checked(VARIANTS_EVIDENCE),
        code=code_inputs("notebooks/04_variants.ipynb"),
        claims="data/claims/variants.yaml",
        country_map=f"{OUT}/tables/country_variant_map.csv",
        market=f"{OUT}/tables/market_budget_for_variants.csv",
    output:
        notebook=f"{OUT}/notebooks/04_variants.ipynb",
        html=f"{OUT}/html/04_variants.html",
        figures=[
            f"{OUT}/figures/variants_outcomes.png",
            f"{OUT}/figures/mcda_heatmap.png",
            f"{OUT}/figures/mcda_totals_by_profile.png",
        ],
        tables=[
            f"{OUT}/tables/variants_parameters.csv",
            f"{OUT}/tables/variants_outcomes.csv",
            f"{OUT}/tables/variants_countries.csv",
            f"{OUT}/tables/mcda_scores.csv",
            f"{OUT}/tables/mcda_totals_by_profile.csv",
        ],
        claims=f"{OUT}/claims/variants.csv",
    params:
        parameters=notebook_params("04_variants"),
    log:
        f"{OUT}/logs/04_variants.log",
    shell:
        PAPERMILL


REPORT_OUTPUTS.extend(rules.variants_notebook.output)
