#!/usr/bin/env bash
# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
# (Re)builds VENV with PYTHON from a fully pinned REQUIREMENTS file (binary wheels only, no
# dependency resolution), unless VENV was already built from exactly that file.
#   dev/pinned_venv.sh VENV PYTHON REQUIREMENTS
set -euo pipefail
venv=$1
python=$2
requirements=$3
stamp="$venv/.requirements.sha256"
want=$(sha256sum "$requirements" | cut -d' ' -f1)
if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  exit 0
fi
echo "== building $venv with $("$python" --version) and $requirements"
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
  --only-binary=:all: -r "$requirements"
"$venv/bin/python" -m pip check
echo "$want" > "$stamp"
