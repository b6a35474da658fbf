#!/usr/bin/env bash
# Builds D-Robotics' X5 toolchain venv and compiles the default CPU model into the X5 .bin test
# fixtures (full-range and video-range NV12). Kept in the repo for provenance; not run by
# `make setup` or the tests (it installs ~5 GB and takes a few minutes):
#   make model && dev/x5_toolchain/build_models.sh [--out test/fixtures/x5]
# Environment: X5TC_VENV (default .venv-x5tc), X5TC_PYTHON (a Python 3.10, default pyenv's
# 3.10.13), X5TC_WORK (scratch, default .build/x5tc).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
venv=${X5TC_VENV:-$root/.venv-x5tc}
py310=${X5TC_PYTHON:-$HOME/.pyenv/versions/3.10.13/bin/python}
work=${X5TC_WORK:-$root/.build/x5tc}
if [ ! -x "$venv/bin/python" ]; then
  if ! "$py310" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
    echo "build_models: the X5 toolchain needs Python 3.10; set X5TC_PYTHON" >&2
    exit 1
  fi
  "$py310" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  -r dev/x5_toolchain/requirements.txt
"$venv/bin/python" -m pip freeze --disable-pip-version-check > "$work.freeze.txt" 2>/dev/null || {
  mkdir -p "$(dirname "$work")"
  "$venv/bin/python" -m pip freeze --disable-pip-version-check > "$work.freeze.txt"
}
# hb_mapper and hbdk-cc are console scripts of the venv; they must be on PATH.
PATH="$venv/bin:$PATH" "$venv/bin/python" dev/x5_toolchain/compile_x5.py \
  --work "$work" --freeze "$work.freeze.txt" "$@"
