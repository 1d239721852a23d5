#!/usr/bin/env bash
# Run every test: unit and data tests (tests/), then nbval on every notebook (notebooks/).
# Sets up .venv first. Notebooks executed by nbval write to a temporary folder, never to reports/.
#
# Two pytest processes run at once (the machine's two cores): the unit and data tests, spread over
# two pytest-xdist workers test by test, and nbval, which runs the notebooks one after the other in one
# process (they read tables that earlier notebooks wrote to the same output folder, and nbval keeps
# one kernel per notebook, which pytest-xdist cannot guarantee). nbval's report follows the unit
# tests'. EDTECH_TEST_JOBS=1 runs everything in one process, in order, as before.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/bootstrap.sh
export MPLBACKEND=Agg PYTHONHASHSEED=0 PATH="$PWD/.venv/bin:$PATH"
# Processed data the notebooks read (parameter-free Snakemake rules, quick).
.venv/bin/snakemake processed --cores 2 --quiet
nbval_out=$(mktemp -d)
nbval_log=$(mktemp)
trap 'rm -rf "$nbval_out" "$nbval_log"' EXIT
export EDTECH_OUTPUT_DIR="$nbval_out"
NBVAL=(--nbval-lax --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg)
# nbval's process imports nbformat, hence jsonschema, when its plugin loads: `-p analysis` imports the
# package first, which marks jsonschema's optional IRI grammar as absent (analysis/__init__.py; about
# 3 s to build), and the notebooks need none of the hypothesis, typeguard and anyio plugins (1–2 s).
NBVAL_ONLY=(-p analysis -p no:hypothesispytest -p no:typeguard -p no:anyio)

if [ "${EDTECH_TEST_JOBS:-2}" = 1 ]; then
  exec .venv/bin/python -m pytest -p analysis tests notebooks "${NBVAL[@]}" -p no:cacheprovider "$@"
fi

.venv/bin/python -m pytest "${NBVAL_ONLY[@]}" notebooks "${NBVAL[@]}" -p no:cacheprovider "$@" > "$nbval_log" 2>&1 &
nbval_pid=$!
unit_status=0
# (-p no:nbval: the unit tests' three processes do not import nbval's Jupyter client, about 3 s each)
.venv/bin/python -m pytest tests -n 2 --dist loadgroup -p no:cacheprovider -p no:nbval "$@" || unit_status=$?
nbval_status=0
wait "$nbval_pid" || nbval_status=$?
echo
echo "---- nbval on every notebook (notebooks/) ----"
cat "$nbval_log"
if [ "$unit_status" -ne 0 ] || [ "$nbval_status" -ne 0 ]; then
  echo "tests failed: unit and data tests exit $unit_status, notebooks exit $nbval_status"
  exit 1
fi
