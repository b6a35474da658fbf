# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Test-wide set-up: an own ROS_DOMAIN_ID per test run, DDS on loopback, Humble-like checks.

This runs before any test imports rclpy, so every node a test starts in this process or in a
child process inherits the environment set here.
"""

import fcntl
import os
import sys
import tempfile

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STANDINS = os.path.join(REPO, 'test', 'standins')


def _claim_domain_id():
    """Lock a ROS_DOMAIN_ID that no other test run on this machine holds.

    The lock lives as long as this process (the file stays open), so two concurrent
    `make test` runs never share a domain. Domain 0 (everyone's default) and the caller's
    own domain are never used.
    """
    lock_dir = os.path.join(tempfile.gettempdir(), 'resnet_x5_ros-domain-locks')
    os.makedirs(lock_dir, exist_ok=True)
    avoid = os.environ.get('ROS_DOMAIN_ID', '')
    first = os.getpid() % 100
    for offset in range(100):
        domain = (first + offset) % 100 + 1
        if str(domain) == avoid:
            continue
        handle = open(os.path.join(lock_dir, '{}.lock'.format(domain)), 'w')
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            continue
        return domain, handle
    raise RuntimeError('no free ROS_DOMAIN_ID in 1..100 for this test run')


_DOMAIN_ID, _DOMAIN_LOCK = _claim_domain_id()
os.environ['ROS_DOMAIN_ID'] = str(_DOMAIN_ID)
os.environ['ROS_AUTOMATIC_DISCOVERY_RANGE'] = 'LOCALHOST'
os.environ['ROS_LOCALHOST_ONLY'] = '1'
os.environ['ROS_PYTHON_CHECK_FIELDS'] = '1'
os.environ.setdefault('ROS_HOME', os.path.join(REPO, '.ros'))
os.environ.setdefault('ROS_LOG_DIR', os.path.join(os.environ['ROS_HOME'], 'log'))
if REPO not in sys.path:
    sys.path.insert(0, REPO)


def pytest_report_header(config):
    return 'ROS_DOMAIN_ID={} (locked for this run), DDS on loopback'.format(_DOMAIN_ID)


@pytest.fixture(scope='session')
def repo_root():
    return REPO
