# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Modules of dev/standins (the runtime STAND-INs' helpers), loaded without the folder on sys.path.

With dev/standins on sys.path for the whole run, `from hobot_dnn import pyeasy_dnn` would
find the STAND-IN everywhere and backend 'auto' would pick bpu in unrelated tests; its
helpers activate it only inside `standin_runtime()`. A child process that should see the
stand-ins gets STANDINS on its PYTHONPATH instead.
"""

import importlib.util
import os
import sys

from support import REPO

STANDINS = os.path.join(REPO, 'dev', 'standins')


def load(name):
    """Return dev/standins/NAME.py as module NAME (shared with the stand-ins that import it)."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, os.path.join(STANDINS, name + '.py'))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


standin_support = load('standin_support')


def sim_scorer():
    """dev/standins/sim_scorer.py: the stand-ins' scorer that runs compiled .bin on hbdk-sim."""
    return load('sim_scorer')
