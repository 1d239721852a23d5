# A sweep: many scenarios in one Snakemake invocation (analysis/sweeps.py expands the sweep file).
#   snakemake -s workflow/sweep.smk --config sweep=config/sweeps/NAME.yaml --cores 2 [-n]
# or bash tools/sweep.sh config/sweeps/NAME.yaml [-n]. Each scenario is the study's Snakefile
# imported as a Snakemake module with that scenario as its config (rules prefixed by the module
# name), writing into reports/scenarios/<sweep>-NNN/; the rules that build data/processed/ are
# taken once. On a cluster: add --profile config/profiles/cluster (each job is submitted).
from analysis import snakemake_parse_cache, sweeps
from snakemake.exceptions import WorkflowError

# The Snakefile and its includes are translated to Python once, not once per scenario module.
snakemake_parse_cache.install()

if "sweep" not in config:
    raise WorkflowError("Sweep refused: give the sweep file: --config sweep=config/sweeps/NAME.yaml")
try:
    SWEEP_NAME, SWEEP_SCENARIOS = sweeps.expand(config["sweep"])
except sweeps.SweepError as error:
    raise WorkflowError(f"Sweep refused: {error}") from None

# Rules whose outputs are shared by every scenario (data/processed/): imported from the first module only.
SHARED_RULES = ["oecd_processed", "processed"]
SWEEP_MODULES = []
for index, scenario in enumerate(SWEEP_SCENARIOS):
    if "reuse_baseline" in config:  # --config reuse_baseline=false: every notebook of every scenario runs
        scenario = {**scenario, "reuse_baseline": str(config["reuse_baseline"]).strip().lower() in ("true", "yes", "1")}
    module_name = "s" + scenario["scenario"].replace("-", "_")
    workflow.module(module_name, snakefile="../Snakefile", config=scenario)
    workflow.userule(rules=["*"], from_module=module_name, exclude_rules=SHARED_RULES if index else [],
                     name_modifier=f"{module_name}_*")(lambda: None)
    SWEEP_MODULES.append(module_name)


rule sweep_comparison:
    """The comparison table across the sweep's scenarios (reports/comparison/<sweep>/)."""
    default_target: True
    input:
        [getattr(rules, f"{m}_all").input for m in SWEEP_MODULES],
    output:
        table=f"reports/comparison/{SWEEP_NAME}/headline_comparison.csv",
        status=f"reports/comparison/{SWEEP_NAME}/scenario_status.csv",
    params:
        names=[s["scenario"] for s in SWEEP_SCENARIOS],
        output_dir=f"reports/comparison/{SWEEP_NAME}",
    shell:
        "python -m analysis.compare --output {params.output_dir:q} {params.names:q}"
