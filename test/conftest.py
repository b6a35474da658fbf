# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Test-wide set-up: an own ROS_DOMAIN_ID per test run, DDS on loopback, Humble-like checks.

pytest_configure runs before any test module is imported (so before any test imports rclpy):
every node a test starts in this process, or in a child process (support.rosutil.child_env),
inherits the environment set here. The search path is pytest.ini's `pythonpath`.

Layout: test/ mirrors resnet_x5_ros/. Tests of its top-level ROS-free modules (postprocess,
health, stats, stall, handoff, stop_signals, decode_limit) sit here; convert/, backends/ and
tools/ mirror the subpackages (one file per command); node/ is the ROS adapter as users run it
(process, launch file and YAMLs, reliability, signals); tros/ the TogetheROS.Bot features
(ai_msgs output, shared-memory input, web display) and their absence; dev/ the development
environment and the code under dev/ (simulator, model converter, runtime STAND-INs); lint/
the static checks. Helpers: support/ (a package, no tests); fixtures/: compiled X5 models.
"""

import os

import pytest

from resnet_x5_ros.tools.ros_domain import isolate_ros_environment

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOMAIN_ID = pytest.StashKey[int]()


def pytest_configure(config):
    config.stash[DOMAIN_ID] = isolate_ros_environment()
    os.environ['ROS_PYTHON_CHECK_FIELDS'] = '1'
    os.environ.setdefault('ROS_HOME', os.path.join(REPO, '.ros'))
    os.environ.setdefault('ROS_LOG_DIR', os.path.join(os.environ['ROS_HOME'], 'log'))
    # What scripts/devenv sets, for runs without it (make test-board-compat, colcon test):
    # the repository's models/ as the CPU backend's default model folder.
    os.environ.setdefault('RESNET_X5_MODEL_DIR', os.path.join(REPO, 'models'))


def pytest_report_header(config):
    return 'ROS_DOMAIN_ID={} (locked for this run), DDS on loopback'.format(
        config.stash[DOMAIN_ID])
