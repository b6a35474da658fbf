# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Import dev/standins/standin_support.py without putting the stand-in on sys.path.

With dev/standins on sys.path for the whole run, `from hobot_dnn import pyeasy_dnn` would
find the STAND-IN everywhere and backend 'auto' would pick bpu in unrelated tests; its
helpers activate it only inside `standin_runtime()`.
"""

import importlib.util
import os
import sys


def _load():
    if 'standin_support' not in sys.modules:
        path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'dev',
                            'standins',
                            'standin_support.py')
        spec = importlib.util.spec_from_file_location('standin_support', path)
        module = importlib.util.module_from_spec(spec)
        sys.modules['standin_support'] = module
        spec.loader.exec_module(module)
    return sys.modules['standin_support']


standin_support = _load()
