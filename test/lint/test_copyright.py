# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""ament_copyright's check, done with our own code: every source file names its licence."""

import os
import subprocess

import pytest

from support import REPO

HEADER = '# Copyright 2026 resnet_x5_ros developers'
SPDX = '# SPDX-License-Identifier: Apache-2.0'


SKIP_DIRS = {'.git', '.venv', 'build', 'install', 'log', '.ros', '.build', 'models',
             '__pycache__', '.pytest_cache', '.hypothesis'}


def _python_files():
    """The repository's Python files: git's view when this is a checkout, else a walk."""
    try:
        out = subprocess.run(['git', 'ls-files', '--cached', '--others', '--exclude-standard',
                              '*.py'], cwd=REPO, check=True, capture_output=True,
                             text=True).stdout
        return [p for p in out.splitlines() if os.path.exists(os.path.join(REPO, p))]
    except (OSError, subprocess.CalledProcessError):
        found = []
        for folder, dirs, files in os.walk(REPO):
            dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.startswith('.venv')]
            found += [os.path.relpath(os.path.join(folder, f), REPO)
                      for f in files if f.endswith('.py')]
        return found


@pytest.mark.linter
def test_every_python_file_has_copyright_and_licence():
    files = _python_files()
    assert files, 'no Python files found: the check would pass vacuously'
    missing = []
    for path in files:
        with open(os.path.join(REPO, path), encoding='utf-8') as f:
            head = f.read(600).splitlines()[:4]
        if not any(line.startswith('# Copyright ') for line in head) or SPDX not in head:
            missing.append(path)
    assert not missing, 'files without "{}" / "{}": {}'.format(HEADER, SPDX, missing)
