# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Child processes keep the search paths of a sourced ROS install.

Where ROS comes from `source /opt/tros/humble/setup.bash` (the board, apt installs, colcon
test), rclpy and the messages are found only through the inherited PYTHONPATH,
LD_LIBRARY_PATH and AMENT_PREFIX_PATH: a node started by a test must keep them.
"""

import os
import subprocess
import sys

from support import REPO
from support.reliability import standin_env
from support.rosutil import child_env
from support.standins import STANDINS

SOURCED = {
    'PYTHONPATH': '/opt/tros/humble/lib/python3.10/site-packages',
    'LD_LIBRARY_PATH': '/opt/tros/humble/lib',
    'AMENT_PREFIX_PATH': '/opt/tros/humble',
}


def test_own_entries_go_in_front_of_the_inherited_search_paths(monkeypatch, tmp_path):
    for key, value in SOURCED.items():
        monkeypatch.setenv(key, value)
    extra, _ = standin_env(tmp_path)
    env = child_env(LD_LIBRARY_PATH='/own/lib', AMENT_PREFIX_PATH='/own', **extra)
    python_path = env['PYTHONPATH'].split(os.pathsep)
    assert python_path[0] == REPO and STANDINS in python_path
    assert python_path[-1] == SOURCED['PYTHONPATH']
    assert env['LD_LIBRARY_PATH'].split(os.pathsep) == ['/own/lib', SOURCED['LD_LIBRARY_PATH']]
    assert env['AMENT_PREFIX_PATH'].split(os.pathsep) == ['/own', SOURCED['AMENT_PREFIX_PATH']]
    assert '' not in python_path
    assert env['PYEASY_DNN_STANDIN_SCORER'] == extra['PYEASY_DNN_STANDIN_SCORER']


def test_a_child_with_the_standin_still_imports_what_the_sourced_path_holds(
        monkeypatch, tmp_path):
    sourced = tmp_path / 'sourced_site_packages'
    sourced.mkdir()
    (sourced / 'sourced_ros_probe.py').write_text('NAME = "from the sourced install"\n')
    monkeypatch.setenv('PYTHONPATH', os.pathsep.join(
        p for p in [str(sourced), os.environ.get('PYTHONPATH', '')] if p))
    extra, _ = standin_env(tmp_path)
    result = subprocess.run(
        [sys.executable, '-c', 'import sourced_ros_probe, standin_support; '
         'print(sourced_ros_probe.NAME)'],
        cwd=REPO, env=child_env(**extra), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == 'from the sourced install'
