#!/usr/bin/env bash
# Regenerate the whole study: sets up .venv, then runs the Snakemake workflow.
#   bash tools/regenerate.sh                                         # baseline -> reports/
#   bash tools/regenerate.sh --configfile config/scenarios/NAME.yaml # scenario -> reports/scenarios/NAME/
# Extra arguments go to snakemake (e.g. -n for a dry run, --cores 1).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/bootstrap.sh
# Outputs go where the workflow says (reports/ or reports/scenarios/NAME/): a stray
# EDTECH_OUTPUT_DIR (the test command's redirection) is cleared, never followed.
if [ -n "${EDTECH_OUTPUT_DIR+set}" ]; then
  echo "regenerate: ignoring EDTECH_OUTPUT_DIR=${EDTECH_OUTPUT_DIR} (outputs go to reports/)" >&2
  unset EDTECH_OUTPUT_DIR
fi
export MPLBACKEND=Agg PYTHONHASHSEED=0 PATH="$PWD/.venv/bin:$PATH"
exec .venv/bin/python tools/run_workflow.py --cores 2 "$@"   # one line per step; full log in reports/logs/workflow.log
