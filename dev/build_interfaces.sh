#!/usr/bin/env bash
# Builds dev-only interface packages (dev/<name>: the vision_msgs, ai_msgs and hbm_img_msgs
# stand-ins) into a venv that already holds the pinned ROS 2 Jazzy wheels, in the order given
# (a package must come after those it depends on).
# Usage: dev/build_interfaces.sh VENV BUILD_ROOT NAME...   (builds in BUILD_ROOT/NAME)
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: $0 VENV BUILD_ROOT NAME..." >&2
  exit 2
fi
venv=$(cd "$1" && pwd)
build_root=$2
shift 2
dev=$(cd "$(dirname "$0")" && pwd)
py="$venv/bin/python"

# The wheels' exported CMake files name the wheel builder's Python and numpy include dirs;
# point them at this venv's, or the generated C extension cannot find Python.h.
py_inc=$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
np_inc=$("$py" -c 'import numpy; print(numpy.get_include())')
{ grep -rlZ --include='*.cmake' '/opt/python/cp3' "$venv/share" 2>/dev/null || true; } |
  xargs -0 -r sed -i -E \
    -e "s#/opt/python/cp3[0-9]+-cp3[0-9]+/lib/python3\.[0-9]+/site-packages/numpy/_core/include#${np_inc}#g" \
    -e "s#/opt/python/cp3[0-9]+-cp3[0-9]+/include/python3\.[0-9]+#${py_inc}#g"

# The bootstrapper's .pth re-executes Python with LD_LIBRARY_PATH set; cmake's generator
# steps call Python too, so give them the same library path.
export LD_LIBRARY_PATH="$venv/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export AMENT_PREFIX_PATH="$venv"
export PATH="$venv/bin:$PATH"

for name in "$@"; do
  src="$dev/$name"
  build="$build_root/$name"
  [ -f "$src/package.xml" ] || { echo "build_interfaces: no package at $src" >&2; exit 2; }
  echo "   $name"
  rm -rf "$build"
  mkdir -p "$build"
  cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX="$venv" -DCMAKE_PREFIX_PATH="$venv" \
    -DPython3_EXECUTABLE="$py" -DBUILD_TESTING=OFF >"$build/configure.log" 2>&1 ||
    { tail -40 "$build/configure.log"; exit 1; }
  cmake --build "$build" -j"$(nproc)" >"$build/build.log" 2>&1 ||
    { tail -40 "$build/build.log"; exit 1; }
  cmake --install "$build" >"$build/install.log" 2>&1 || { tail -40 "$build/install.log"; exit 1; }
done
