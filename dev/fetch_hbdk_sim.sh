#!/usr/bin/env bash
# Obtains D-Robotics' X5 BPU simulator (hbdk-sim) for the simulator tests, called by `make setup`:
#   dev/fetch_hbdk_sim.sh [PYTHON] [DEST]        (defaults: python3, .build/hbdk-sim)
# hbdk-sim is a standalone x86-64 Linux program inside the pinned dgdk wheel (PyPI, Python 3.10
# only). The wheel is downloaded with pip (no install, no Python 3.10 needed), its sha256
# checked, and only hbdk-sim is extracted to DEST/hbdk-sim. Where it cannot be obtained (no
# network, not x86-64 Linux) DEST/UNAVAILABLE says why and the simulator tests skip with that
# reason; setup itself does not fail. A wheel whose hash does not match is an error.
set -euo pipefail
py=${1:-python3}
dest=${2:-.build/hbdk-sim}
package=dgdk==1.0.0
wheel=dgdk-1.0.0-cp310-cp310-manylinux2014_x86_64.whl
sha256=26d3518442869f9305b4fc91c6c3457b1ac83b16882e83eb516e08d2ec6465bd
member=hbdk/bin/hbdk-sim

mkdir -p "$dest"
if [ -x "$dest/hbdk-sim" ] && [ "$(cat "$dest/wheel.sha256" 2>/dev/null)" = "$sha256" ]; then
  exit 0
fi
unavailable() {
  echo "fetch_hbdk_sim: hbdk-sim unavailable: $*" >&2
  echo "$*" > "$dest/UNAVAILABLE"
  exit 0
}
if [ "$(uname -s)/$(uname -m)" != Linux/x86_64 ]; then
  unavailable "hbdk-sim is an x86-64 Linux program; this machine is $(uname -s)/$(uname -m)"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "== setup: fetching $package (55 MB wheel) for hbdk-sim into $dest"
if ! "$py" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --python-version 3.10 --implementation cp --platform manylinux2014_x86_64 \
    -d "$tmp" "$package"; then
  unavailable "pip could not download $package from the package index"
fi
if [ ! -f "$tmp/$wheel" ]; then
  unavailable "pip download gave $(ls "$tmp" | tr '\n' ' ') instead of $wheel"
fi
got=$("$py" -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$tmp/$wheel")
if [ "$got" != "$sha256" ]; then
  echo "fetch_hbdk_sim: $wheel has sha256 $got, expected $sha256; refusing it" >&2
  exit 1
fi
"$py" - "$tmp/$wheel" "$member" "$dest/hbdk-sim.tmp" <<'PY'
import shutil
import sys
import zipfile

with zipfile.ZipFile(sys.argv[1]) as wheel, wheel.open(sys.argv[2]) as src, \
        open(sys.argv[3], 'wb') as dst:
    shutil.copyfileobj(src, dst)
PY
chmod 755 "$dest/hbdk-sim.tmp"
if ! "$dest/hbdk-sim.tmp" --version > "$tmp/version" 2>&1; then
  unavailable "hbdk-sim extracted but does not run here: $(head -c 300 "$tmp/version")"
fi
mv "$dest/hbdk-sim.tmp" "$dest/hbdk-sim"
echo "$sha256" > "$dest/wheel.sha256"
echo "$package" > "$dest/SOURCE"
rm -f "$dest/UNAVAILABLE"
echo "== setup: hbdk-sim ready: $dest/hbdk-sim ($(grep -m1 "^version:" "$tmp/version" || true))"
