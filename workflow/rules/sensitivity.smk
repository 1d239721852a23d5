# Sensitivity of the variants' comparison: weights one at a time, SMAA-2, Sobol
# indices and Morris screening of the model and of the gap between the two first variants, other
# aggregation methods; notebook 05. Reads the same data as notebook 04 (VARIANTS_DATA, evidence)
# and the market part's budget from the same output root. It registers no claims (the slides show
# no sensitivity analysis).


rule sensitivity_notebook:
    input:
        notebook="notebooks/05_sensitivity.ipynb",
        data=VARIANTS_DATA,
        scenario_data=SCENARIO_VARIANTS_INPUTS,  # the variants_dir folder (a scenario's built one)
        evidence=VARIANTS_EVIDENCE,
        evidence_checked=checked(VARIANTS_EVIDENCE),
        code=code_inputs("notebooks/05_sensitivity.ipynb"),
        market=f"{OUT}/tables/market_budget_for_variants.csv",
    output:
        notebook=f"{OUT}/notebooks/05_sensitivity.ipynb",
        html=f"{OUT}/html/05_sensitivity.html",
        figures=[
            f"{OUT}/figures/sensitivity_weight_sweeps.png",
            f"{OUT}/figures/smaa_rank_acceptability.png",
            f"{OUT}/figures/sensitivity_gap_sobol_morris.png",
            f"{OUT}/figures/sensitivity_outcomes_sobol.png",
            f"{OUT}/figures/sensitivity_method_agreement.png",
            f"{OUT}/figures/sensitivity_lead_decomposition.png",
        ],
        tables=[
            f"{OUT}/tables/sensitivity_recommendation.csv",
            f"{OUT}/tables/sensitivity_rank_reversal.csv",
            f"{OUT}/tables/smaa_rank_acceptability.csv",
            f"{OUT}/tables/smaa_central_weights.csv",
            f"{OUT}/tables/smaa_first_rank_by_profile.csv",
            f"{OUT}/tables/sensitivity_sobol.csv",
            f"{OUT}/tables/sensitivity_sobol_convergence.csv",
            f"{OUT}/tables/sensitivity_morris.csv",
            f"{OUT}/tables/sensitivity_method_agreement.csv",
            f"{OUT}/tables/sensitivity_method_first_choice.csv",
            f"{OUT}/tables/sensitivity_summary.csv",
            f"{OUT}/tables/sensitivity_lead_decomposition.csv",
            f"{OUT}/tables/sensitivity_lead_by_criterion.csv",
            f"{OUT}/tables/sensitivity_topsis_conventions.csv",
            f"{OUT}/tables/smaa_score_dependence.csv",
            f"{OUT}/tables/sensitivity_scenario_discovery.csv",
        ],
    params:
        parameters=notebook_params("05_sensitivity"),
    log:
        f"{OUT}/logs/05_sensitivity.log",
    shell:
        PAPERMILL


REPORT_OUTPUTS.extend(rules.sensitivity_notebook.output)
