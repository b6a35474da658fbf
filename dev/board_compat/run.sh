#!/usr/bin/env bash
# Runs the ROS-free tests under the board's Python stack: Python 3.10, numpy 1.21.5,
# OpenCV 4.5.4 (Ubuntu 22.04 / ROS 2 Humble on the RDK X5), in a venv of its own.
#   dev/board_compat/run.sh [PYTEST ARGS...]
# PYTHON310 picks the interpreter (default: pyenv's 3.10.13, else python3.10 on PATH).
# The venv (.venv-board310) is rebuilt when requirements.txt changes. Nothing else is touched:
# the package is used from the source tree through PYTHONPATH, not installed.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
here="$root/dev/board_compat"
venv="${BOARD_COMPAT_VENV:-$root/.venv-board310}"
requirements="$here/requirements.txt"

python310=$("$root/dev/python310.sh" 2>&1) || {
  echo "board_compat: $python310" >&2
  exit 2
}
"$root/dev/pinned_venv.sh" "$venv" "$python310" "$requirements"

"$venv/bin/python" - <<'EOF'
import sys
import cv2
import numpy
print('== board_compat: Python {} | numpy {} | OpenCV {}'.format(
    sys.version.split()[0], numpy.__version__, cv2.__version__))
assert sys.version_info[:2] == (3, 10), sys.version
assert numpy.__version__.startswith('1.21.'), numpy.__version__
assert cv2.__version__.startswith('4.5.'), cv2.__version__
EOF

mapfile -t selection < <("$venv/bin/python" "$here/select_tests.py" "$root/test")
cd "$root"
# Loopback-only DDS and logs in the tree, in case a test starts anything ROS-like.
export ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST ROS_LOCALHOST_ONLY=1
export ROS_HOME="$root/.ros" ROS_LOG_DIR="$root/.ros/log"
export PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONDONTWRITEBYTECODE=1
exec "$venv/bin/python" -m pytest -p no:cacheprovider -m "not ros and not linter" "$@" \
  "${selection[@]}"
