#!/usr/bin/env bash
# Compare the baseline with scenarios, into reports/comparison/: headline_comparison.csv (headline
# outputs and their deltas), scenario_status.csv (built, stale, what each changes),
# first_rank_comparison.csv, and the figures headline_comparison.png and first_rank_comparison.png;
# then rebuild the baseline's report (reports/rapport.*, reports/etude.xlsx) through Snakemake, with
# the comparison in its "Scénarios" section (see the docstring of analysis/compare.py).
#   bash tools/compare.sh                          # the baseline and every built scenario
#   bash tools/compare.sh variants_low_budget      # the baseline and the scenarios named
#   bash tools/compare.sh --lang en NAME           # figures and report in English
#   bash tools/compare.sh --no-report NAME         # the comparison only, the report left as it is
#   bash tools/compare.sh --rebuild                # first rebuild the baseline and every scenario of
#                                                  # config/scenarios/ (Snakemake reruns only what changed)
set -euo pipefail
cd "$(dirname "$0")/.."
rebuild=0
names=()
for argument in "$@"; do
  case "$argument" in
    --rebuild) rebuild=1 ;;
    *) names+=("$argument") ;;
  esac
done
if [ "$rebuild" = 1 ]; then
  bash tools/regenerate.sh
  for scenario_file in config/scenarios/*.yaml; do
    echo "[compare] rebuilding $scenario_file"
    bash tools/regenerate.sh --configfile "$scenario_file"
  done
fi
bash tools/bootstrap.sh
unset EDTECH_OUTPUT_DIR
export MPLBACKEND=Agg PYTHONHASHSEED=0 PATH="$PWD/.venv/bin:$PATH"
exec .venv/bin/python -m analysis.compare ${names[@]+"${names[@]}"}
