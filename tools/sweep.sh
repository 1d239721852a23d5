#!/usr/bin/env bash
# Run a sweep (config/sweeps/NAME.yaml): every scenario it expands into, in one Snakemake
# invocation, each into reports/scenarios/<sweep>-NNN/, then the comparison table across all of
# them (reports/comparison/<sweep>/). Extra arguments go to snakemake:
#   bash tools/sweep.sh config/sweeps/budget_by_profile.yaml -n                          # dry run
#   bash tools/sweep.sh config/sweeps/budget_by_profile.yaml --cores 2                   # run here
#   bash tools/sweep.sh config/sweeps/budget_by_profile.yaml --profile config/profiles/cluster   # on SLURM
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 1 ] || [ ! -f "$1" ]; then
  echo "usage: bash tools/sweep.sh config/sweeps/NAME.yaml [snakemake arguments]" >&2
  exit 2
fi
sweep_file=$1
shift
bash tools/bootstrap.sh
unset EDTECH_OUTPUT_DIR
export MPLBACKEND=Agg PYTHONHASHSEED=0 PATH="$PWD/.venv/bin:$PATH"
exec .venv/bin/snakemake -s workflow/sweep.smk --cores 2 --config "sweep=$sweep_file" "$@"
