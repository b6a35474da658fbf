# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Nothing installed reads or names the repository's test/ or dev/ (they are not installed)."""

import os
import re

import pytest

from support import REPO

INSTALLED = ('resnet_x5_ros', 'launch', 'config', 'security')
# A path into test/ or dev/, or the dev-only packages by name (/dev/shm is the system's).
REPOSITORY_ONLY = re.compile(r'(?<![\w/])(test|dev)/|x5_simulator|resnet_x5_dev|standin_support')


def _installed_files():
    for top in INSTALLED:
        for folder, _, files in os.walk(os.path.join(REPO, top)):
            for name in files:
                if name.endswith(('.py', '.yaml', '.xml')):
                    yield os.path.join(folder, name)


@pytest.mark.linter
def test_no_installed_file_names_the_repositorys_test_or_dev():
    found = []
    for path in _installed_files():
        with open(path, encoding='utf-8') as f:
            for number, line in enumerate(f, 1):
                if REPOSITORY_ONLY.search(line.replace('/dev/shm', '')):
                    found.append('{}:{}: {}'.format(os.path.relpath(path, REPO), number,
                                                    line.strip()))
    assert not found, '\n'.join(found)
