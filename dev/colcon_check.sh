#!/usr/bin/env bash
# colcon build + colcon test of this package against the dev environment, as on a ROS machine:
#   dev/colcon_check.sh [--venv DIR] [--work DIR] [--pytest-args ARGS...]
# Builds a copy of the source tree (tracked and new files; models/ and the extracted hbdk-sim
# are linked, not copied) in WORK (default .build/colcon) with the colcon of the venv (default
# .venv, which needs colcon-common-extensions), runs `colcon test` (the whole pytest suite,
# or --pytest-args ...) and `colcon test-result`. Exit code 0 only if both pass.
# Exit code 3 (with a message) when colcon is not installed in the venv.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv="$root/.venv"
work="$root/.build/colcon"
pytest_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --venv) venv=$(cd "$2" && pwd); shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --pytest-args) shift; pytest_args=("$@"); break ;;
    *) echo "usage: $0 [--venv DIR] [--work DIR] [--pytest-args ARGS...]" >&2; exit 2 ;;
  esac
done
if [ ! -x "$venv/bin/python" ]; then
  echo "colcon_check: no venv at $venv; run 'make setup' first" >&2
  exit 2
fi
if ! "$venv/bin/python" -c 'import colcon_core, colcon_ros' 2>/dev/null; then
  echo "colcon_check: SKIP: colcon is not installed in $venv" \
       "(colcon-common-extensions and colcon-ros belong in dev/requirements.txt)" >&2
  exit 3
fi

# The environment scripts/devenv gives, for this venv.
export VIRTUAL_ENV="$venv"
export PATH="$venv/bin:$PATH"
unset PYTHONHOME PYTHONPATH
export AMENT_PREFIX_PATH="$venv" CMAKE_PREFIX_PATH="$venv"
export LD_LIBRARY_PATH="$venv/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export RMW_IMPLEMENTATION="${RMW_IMPLEMENTATION:-rmw_fastrtps_cpp}"
# Jazzy wheels: this variable alone (ROS_LOCALHOST_ONLY too would warn at every start).
export ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST
unset ROS_LOCALHOST_ONLY
export ROS_HOME="$work/ros_home" ROS_LOG_DIR="$work/ros_home/log"
export COLCON_HOME="$work/colcon_home" COLCON_LOG_PATH="$work/log"

src="$work/src/resnet_x5_ros"
rm -rf "$work"
mkdir -p "$src" "$ROS_LOG_DIR" "$COLCON_HOME"
echo "== colcon_check: copying the package to $src"
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  (cd "$root" && git ls-files -z -co --exclude-standard | grep -zv '^models/' |
     tar --null -cf - -T -) | tar -xf - -C "$src"
else
  tar -C "$root" --exclude=./.venv* --exclude=./.build --exclude=./.ros --exclude=./models \
    --exclude=./build --exclude=./install --exclude=./log -cf - . | tar -xf - -C "$src"
fi
ln -s "$root/models" "$src/models"
# A workspace is normally a clone: make the copy a (throwaway) checkout, since the copyright
# test lists files with git.
git -C "$src" init -q && git -C "$src" add -A
if [ -d "$root/.build/hbdk-sim" ]; then
  mkdir -p "$src/.build"
  touch "$src/.build/COLCON_IGNORE"
  ln -s "$root/.build/hbdk-sim" "$src/.build/hbdk-sim"
fi

cd "$work"
echo "== colcon_check: colcon build"
colcon build --base-paths src --build-base build --install-base install \
  --event-handlers console_cohesion+ summary+
# shellcheck disable=SC1091
set +u; source install/setup.bash; set -u
test -f install/resnet_x5_ros/share/ament_index/resource_index/packages/resnet_x5_ros
test -x install/resnet_x5_ros/lib/resnet_x5_ros/classifier_node
python - <<'EOF'
import os
import resnet_x5_ros
from ament_index_python.packages import get_package_share_directory
share = get_package_share_directory('resnet_x5_ros')
print('== colcon_check: installed', os.path.dirname(resnet_x5_ros.__file__), '| share', share)
for needed in ('package.xml', 'launch/classify.launch.py', 'config/classifier.yaml'):
    assert os.path.exists(os.path.join(share, needed)), needed
# The installed package finds the default CPU model in its share folder, not the source tree.
from resnet_x5_ros.backends import default_cpu_model
assert default_cpu_model() == os.path.join(share, 'models', 'efficientnet_lite0.onnx'), \
    default_cpu_model()
EOF

echo "== colcon_check: colcon test"
test_cmd=(colcon test --base-paths src --build-base build --install-base install
          --event-handlers console_direct+)
if [ ${#pytest_args[@]} -gt 0 ]; then
  test_cmd+=(--pytest-args "${pytest_args[@]}")
fi
"${test_cmd[@]}"
colcon test-result --test-result-base build --verbose
echo "== colcon_check: PASS"
