#!/usr/bin/env bash
# The Python package's test environment, from PyPI only: a virtualenv at target/venv (git-ignored)
# with maturin, numpy, pandas, pyarrow, dask[dataframe,distributed] and pytest. A quick no-op when
# they are there. tests/run.sh builds the package into it (maturin develop) and runs pytest.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/target/venv"

if ! python3 -c "import ensurepip, venv" 2>/dev/null; then
  # Debian ships venv's pip bootstrap separately.
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq -o DPkg::Lock::Timeout=600 python3 python3-venv >/dev/null
fi
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check \
  "maturin>=1.9,<2" numpy pandas pyarrow "dask[dataframe,distributed]" pytest
