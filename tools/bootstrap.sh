#!/usr/bin/env bash
# Create (or reuse) the project-local environment .venv with the pinned packages.
# Needs only Python 3.11 and pip. Re-running it does nothing when the lock file is unchanged.
# The lock file is installed by uv (pinned in requirements-lock.txt, itself installed with pip):
# `uv pip install -r requirements-lock.txt` installs the same pinned versions, faster, from the
# indexes pip is configured with (pip config: index-url, extra-index-url, find-links, cert). If uv
# cannot be installed or cannot install the lock file, pip installs it as before.
# EDTECH_INSTALLER=pip forces pip.
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

# uv's options for the indexes pip uses here (pip config: index-url, extra-index-url, find-links,
# cert; from pip.conf files or PIP_* variables), one option per line.
uv_index_options() {
  .venv/bin/python -m pip config list 2>/dev/null | .venv/bin/python -c '
import shlex, sys
options = {}
for line in sys.stdin:
    key, _, value = line.strip().partition("=")
    name = key.rsplit(".", 1)[-1]
    options.setdefault(name, []).extend(shlex.split(value))
for url in options.get("index-url", [])[:1]:
    print("--index-url"); print(url)
for url in options.get("extra-index-url", []):
    print("--extra-index-url"); print(url)
for place in options.get("find-links", []):
    print("--find-links"); print(place)
'
}

install_with_uv() {
  local version
  version=$(sed -n 's/^uv==//p' requirements-lock.txt)
  [ -n "$version" ] || return 1
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "uv==$version" 2>/dev/null || return 1
  local -a options=()
  while IFS= read -r line; do options+=("$line"); done < <(uv_index_options)
  local cert
  cert=$(.venv/bin/python -m pip config get global.cert 2>/dev/null || true)
  SSL_CERT_FILE="${cert:-${SSL_CERT_FILE:-}}" UV_NO_PROGRESS=1 .venv/bin/uv pip install --quiet \
    --python .venv/bin/python --index-strategy unsafe-best-match --link-mode copy --compile-bytecode \
    "${options[@]}" -r requirements-lock.txt
}

if [ ! -x .venv/bin/python ]; then
  echo "[bootstrap] creating .venv with $("$PYTHON" --version)"
  "$PYTHON" -m venv .venv
fi
if [ ! -f "$stamp" ]; then
  echo "[bootstrap] installing pinned packages (requirements-lock.txt)"
  if [ "${EDTECH_INSTALLER:-uv}" != pip ] && install_with_uv; then
    echo "[bootstrap] installed with uv"
  else
    [ "${EDTECH_INSTALLER:-uv}" = pip ] || echo "[bootstrap] uv could not install the lock file: installing with pip"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-lock.txt
  fi
  # The package itself: a .pth file puts the project root on the path (an editable install
  # without a build step; conda users get the same with `pip install -e .`).
  .venv/bin/python -c "import site,pathlib; pathlib.Path(site.getsitepackages()[0], 'edtech_procurement.pth').write_text(str(pathlib.Path.cwd()) + chr(10))"
  rm -f .venv/.installed-*
  touch "$stamp"
else
  echo "[bootstrap] .venv is up to date"
fi
# Bytecode: every installed module compiled once, at install time (pip does it by default, uv with
# --compile-bytecode). Without it, a process whose environment sets PYTHONDONTWRITEBYTECODE (or
# cannot write __pycache__) compiles every module it imports from source at each start: about 2 s
# of processor time for Snakemake, more for papermill and each kernel. A .venv made before this
# step is compiled here once (the marker file says it was).
if [ ! -f .venv/.bytecode-compiled ]; then
  echo "[bootstrap] compiling the installed modules to bytecode (once)"
  .venv/bin/python -m compileall -q -j 0 "$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" > /dev/null || true
  touch .venv/.bytecode-compiled
fi
