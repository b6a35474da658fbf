# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""ament_pep257's check with the PyPI pydocstyle and the ament convention (setup.cfg)."""

import subprocess
import sys

import pytest

from support import REPO


@pytest.mark.linter
def test_pep257():
    result = subprocess.run(
        [sys.executable, '-m', 'pydocstyle', '--config', 'setup.cfg', 'resnet_x5_ros', 'test',
         'launch', 'dev'],
        cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, 'pydocstyle found problems:\n' + result.stdout + result.stderr
