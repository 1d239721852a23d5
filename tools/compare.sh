#!/usr/bin/env bash
# Compare the baseline with scenarios: reports/comparison/headline_comparison.csv (headline outputs
# and their deltas) and reports/comparison/scenario_status.csv (built, stale).
#   bash tools/compare.sh                          # the baseline and every built scenario
#   bash tools/compare.sh variants_low_budget      # the baseline and the scenarios named
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
