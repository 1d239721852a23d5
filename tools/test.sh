#!/usr/bin/env bash
# Run every test: unit and data tests (tests/), then nbval on every notebook (notebooks/).
# Sets up .venv first. Notebooks executed by nbval write to a temporary folder, never to reports/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/bootstrap.sh
export MPLBACKEND=Agg PYTHONHASHSEED=0 PATH="$PWD/.venv/bin:$PATH"
# Processed data the notebooks read (parameter-free Snakemake rules, quick).
.venv/bin/snakemake processed --cores 2 --quiet
nbval_out=$(mktemp -d)
trap 'rm -rf "$nbval_out"' EXIT
export EDTECH_OUTPUT_DIR="$nbval_out"
.venv/bin/python -m pytest tests notebooks \
  --nbval-lax --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider "$@"
