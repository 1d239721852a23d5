# Market sizing of school EdTech in France: notebook 03.
# Reads the OECD part's processed tables (GDP, procurement vintages, COFOG education expenditure), two raw transcriptions and
# the model inputs (data/market/inputs.csv, or the scenario's inputs_file).
MARKET_RAW = [
    "data/raw/slides/edtech_market_figures.csv",
    "data/raw/evidence/education_system_facts.csv",
]
MARKET_PARAMS = json.loads(notebook_params("03_market_sizing"))

CLAIM_PARTS.append("market")


rule market_notebook:
    input:
        notebook="notebooks/03_market_sizing.ipynb",
        data=[
            f"{PROCESSED}/procurement_vintages.csv",
            f"{PROCESSED}/eurostat_gdp_annual.csv",
            f"{PROCESSED}/eurostat_cofog_procurement.csv",
        ],
        raw=MARKET_RAW,
        raw_checked=[checked(path) for path in MARKET_RAW],
        inputs=MARKET_PARAMS.get("inputs_file", "data/market/inputs.csv"),
        code=code_inputs("notebooks/03_market_sizing.ipynb"),
        claims="data/claims/market.yaml",
    output:
        notebook=f"{OUT}/notebooks/03_market_sizing.ipynb",
        html=f"{OUT}/html/03_market_sizing.html",
        figures=[
            f"{OUT}/figures/market_approaches.png",
            f"{OUT}/figures/market_tornado.png",
            f"{OUT}/figures/market_monte_carlo.png",
        ],
        tables=[
            f"{OUT}/tables/market_inputs_resolved.csv",
            f"{OUT}/tables/market_sizing_approaches.csv",
            f"{OUT}/tables/market_tornado.csv",
            f"{OUT}/tables/market_monte_carlo_summary.csv",
            f"{OUT}/tables/market_sobol_indices.csv",
            f"{OUT}/tables/market_budget_for_variants.csv",
        ],
        claims=f"{OUT}/claims/market.csv",
    params:
        parameters=notebook_params("03_market_sizing"),
    log:
        f"{OUT}/logs/03_market_sizing.log",
    shell:
        PAPERMILL


REPORT_OUTPUTS.extend(rules.market_notebook.output)
