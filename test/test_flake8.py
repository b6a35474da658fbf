# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""ament_flake8's check with the PyPI flake8 and the same plugins and settings (setup.cfg)."""

import os
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.linter
def test_flake8():
    result = subprocess.run(
        [sys.executable, '-m', 'flake8', '--config', 'setup.cfg', 'resnet_x5_ros', 'test',
         'launch', 'setup.py', 'dev'],
        cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, 'flake8 found problems:\n' + result.stdout + result.stderr
