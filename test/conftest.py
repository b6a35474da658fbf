# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Test-wide set-up: an own ROS_DOMAIN_ID per test run, DDS on loopback, Humble-like checks.

This runs before any test imports rclpy, so every node a test starts in this process or in a
child process inherits the environment set here.
"""

import os
import sys

import pytest

from resnet_x5_ros.tools.ros_domain import isolate_ros_environment

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STANDINS = os.path.join(REPO, 'dev', 'standins')
# Only Python packages live there: dev/ itself holds message-package folders (ai_msgs, ...)
# that would import as empty namespace packages in place of the real ones.
DEV = os.path.join(REPO, 'dev', 'python')
# The CPU model converter's modules (make model), tested in this process only.
MODEL_TOOLS = os.path.join(REPO, 'dev', 'model')

# What scripts/devenv sets, for runs without it (make test-board-compat, colcon test): the
# dev-only simulator package (dev/python/x5_simulator) on the path, here and in child
# processes, and the repository's models/ as the CPU backend's default model folder.
for folder in (DEV, MODEL_TOOLS):
    if folder not in sys.path:
        sys.path.insert(0, folder)
os.environ['PYTHONPATH'] = os.pathsep.join(
    p for p in [DEV, os.environ.get('PYTHONPATH', '')] if p)
os.environ.setdefault('RESNET_X5_MODEL_DIR', os.path.join(REPO, 'models'))
os.environ.setdefault('RESNET_X5_STANDINS', STANDINS)


_DOMAIN_ID = isolate_ros_environment()
os.environ['ROS_PYTHON_CHECK_FIELDS'] = '1'
os.environ.setdefault('ROS_HOME', os.path.join(REPO, '.ros'))
os.environ.setdefault('ROS_LOG_DIR', os.path.join(os.environ['ROS_HOME'], 'log'))


def pytest_report_header(config):
    return 'ROS_DOMAIN_ID={} (locked for this run), DDS on loopback'.format(_DOMAIN_ID)


@pytest.fixture(scope='session')
def repo_root():
    return REPO
