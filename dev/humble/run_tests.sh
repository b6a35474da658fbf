#!/usr/bin/env bash
# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
# `make test-humble`: the whole test suite, then the demo, under a sourced ROS 2 Humble install
# with the board's Python stack (Python 3.10, numpy 1.21, OpenCV 4.5), the way the node runs on
# the board: ROS comes from `source $HUMBLE_PREFIX/setup.bash` (PYTHONPATH, LD_LIBRARY_PATH,
# AMENT_PREFIX_PATH), not from a venv's site-packages.
#   HUMBLE_PREFIX=/path/to/humble/install dev/humble/run_tests.sh [PYTEST ARGS...]
# HUMBLE_PREFIX: a Humble install with setup.bash (a source build, see docs/testing.md, or
# /opt/tros/humble). PYTHON310 picks the interpreter of the venv (.venv-humble310, built from
# dev/humble/requirements.txt). Not part of CI: CI has no Humble install.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
prefix=${HUMBLE_PREFIX:-}
if [ -z "$prefix" ] || [ ! -f "$prefix/setup.bash" ]; then
  echo "test-humble: set HUMBLE_PREFIX to a ROS 2 Humble install holding setup.bash" \
    "(now: '${prefix}'); docs/testing.md says what it must hold" >&2
  exit 2
fi
prefix=$(cd "$prefix" && pwd)
venv="${HUMBLE_VENV:-$root/.venv-humble310}"

python310=$("$root/dev/python310.sh" 2>&1) || {
  echo "test-humble: $python310" >&2
  exit 2
}
"$root/dev/pinned_venv.sh" "$venv" "$python310" "$root/dev/humble/requirements.txt"
"$root/dev/install_package.sh" "$venv"

# A sourced install, as on the board; setup scripts read unset variables.
set +u
# shellcheck disable=SC1091
source "$prefix/setup.bash"
set -u
export VIRTUAL_ENV="$venv"
export PATH="$venv/lib/resnet_x5_ros:$venv/bin:$PATH"
unset PYTHONHOME
# The venv holds only this package's ament markers: put it in front, keep the install's paths.
export AMENT_PREFIX_PATH="$venv:$AMENT_PREFIX_PATH"

# DDS stays on this machine (Humble reads only ROS_LOCALHOST_ONLY); conftest adds a private
# domain.
export ROS_LOCALHOST_ONLY=1
unset ROS_AUTOMATIC_DISCOVERY_RANGE
export ROS_HOME="$root/.ros/humble" ROS_LOG_DIR="$root/.ros/humble/log"
mkdir -p "$ROS_LOG_DIR"
if [ -z "${RMW_IMPLEMENTATION:-}" ] && \
    [ ! -e "$prefix/share/ament_index/resource_index/packages/rmw_fastrtps_cpp" ]; then
  export RMW_IMPLEMENTATION=rmw_cyclonedds_cpp
fi
if [ "${RMW_IMPLEMENTATION:-}" = rmw_cyclonedds_cpp ] && [ -z "${CYCLONEDDS_URI:-}" ]; then
  # No multicast at all, unicast discovery to loopback only. rmw_cyclonedds already picks
  # the loopback interface for ROS_LOCALHOST_ONLY=1 (naming it again aborts node creation).
  # Some tests run ~20 nodes at once: allow more participant indexes than the default 9.
  export CYCLONEDDS_URI='<CycloneDDS><Domain><General><AllowMulticast>false</AllowMulticast>
    </General><Discovery><ParticipantIndex>auto</ParticipantIndex>
    <MaxAutoParticipantIndex>60</MaxAutoParticipantIndex>
    <Peers><Peer address="127.0.0.1"/></Peers></Discovery></Domain></CycloneDDS>'
fi

cd "$root"
python - <<'EOF'
import os
import sys

import xml.etree.ElementTree as ElementTree

from ament_index_python.packages import get_package_share_directory
import cv2
import numpy
import rclpy

# A source build sets no ROS_DISTRO; rclpy's own version tells the distribution (Humble: 3.x).
rclpy_version = ElementTree.parse(os.path.join(
    get_package_share_directory('rclpy'), 'package.xml')).findtext('version')
print('== test-humble: Python {} | numpy {} | OpenCV {} | rclpy {} from {} | {}'.format(
    sys.version.split()[0], numpy.__version__, cv2.__version__, rclpy_version,
    os.path.dirname(os.path.dirname(rclpy.__file__)),
    os.environ.get('RMW_IMPLEMENTATION', 'default RMW')))
assert rclpy_version.startswith('3.'), 'rclpy {} is not Humble\'s (3.x)'.format(rclpy_version)
assert sys.version_info[:2] == (3, 10), sys.version
assert numpy.__version__.startswith('1.21.'), numpy.__version__
assert cv2.__version__.startswith('4.5.'), cv2.__version__
assert not rclpy.__file__.startswith(sys.prefix), 'rclpy must come from the sourced install'
EOF

status=0
# No path given: pytest.ini's testpaths (the whole suite). A prefix with launch_testing and
# launch_testing_ros registers their pytest plugins (entry points launch_testing, launch_ros),
# written for pytest < 9 (a py.path `path` hook argument): pytest 9 refuses to start with
# them. This suite does not use launch_testing, so they stay off.
python -m pytest -p no:cacheprovider -p no:launch_testing -p no:launch_ros "$@" || status=$?
if [ "${TEST_HUMBLE_DEMO:-1}" = 1 ]; then
  echo "== test-humble: the demo"
  PYTHONPATH="$root/dev/python${PYTHONPATH:+:$PYTHONPATH}" python -m resnet_x5_dev.demo || status=$?
fi
if [ "$status" -ne 0 ]; then
  echo "test-humble: FAILED (exit $status) under $prefix" >&2
fi
exit "$status"
