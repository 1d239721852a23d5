#!/usr/bin/env bash
# Create (or reuse) the project-local environment .venv with the pinned packages.
# Needs only Python 3.11 and pip. Re-running it does nothing when the lock file is unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
"$PYTHON" - <<'PY'
import sys
if sys.version_info[:2] != (3, 11):
    sys.exit(f"Python 3.11 is required (found {sys.version.split()[0]}); set PYTHON=/path/to/python3.11")
PY

stamp_source=$(cat requirements-lock.txt pyproject.toml | "$PYTHON" -c "import hashlib,sys;print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest()[:16])")
stamp=".venv/.installed-$stamp_source"

if [ ! -x .venv/bin/python ]; then
  echo "[bootstrap] creating .venv with $("$PYTHON" --version)"
  "$PYTHON" -m venv .venv
fi
if [ ! -f "$stamp" ]; then
  echo "[bootstrap] installing pinned packages (requirements-lock.txt)"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-lock.txt
  # The package itself: a .pth file puts the project root on the path (an editable install
  # without a build step; conda users get the same with `pip install -e .`).
  .venv/bin/python -c "import site,pathlib; pathlib.Path(site.getsitepackages()[0], 'edtech_procurement.pth').write_text(str(pathlib.Path.cwd()) + chr(10))"
  rm -f .venv/.installed-*
  touch "$stamp"
else
  echo "[bootstrap] .venv is up to date"
fi
