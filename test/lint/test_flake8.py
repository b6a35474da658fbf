# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""ament_flake8's check with the PyPI flake8 and the same plugins and settings (setup.cfg)."""

import subprocess
import sys

import pytest

from support import REPO


@pytest.mark.linter
def test_flake8():
    # make test-humble's Python 3.10 venv has no flake8 (the pinned 7.5.0 needs >= 3.11).
    pytest.importorskip('flake8', reason='flake8 is not installed in this Python '
                        '(make test-humble: the pinned flake8 needs Python >= 3.11)')
    result = subprocess.run(
        [sys.executable, '-m', 'flake8', '--config', 'setup.cfg', 'resnet_x5_ros', 'test',
         'launch', 'setup.py', 'dev'],
        cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, 'flake8 found problems:\n' + result.stdout + result.stderr
