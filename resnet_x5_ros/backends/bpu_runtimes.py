# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Which BPU runtime the bpu backend uses: pyeasy_dnn or hbm_runtime, and which one imports.

Both are D-Robotics Python modules for the X5's BPU. The vendor wheels install on any machine
but hold aarch64 code, and hbm_runtime's __init__ raises RuntimeError when libdnn.so is
missing, so any exception at import means "not available here".

'auto' takes pyeasy_dnn when it imports and hbm_runtime otherwise. Why pyeasy_dnn wins when
both import (RDK OS 3.5.0+ ships both):
* its X5 binding's source is public (x5-hobot-spdev src/python/dnn_python.cpp), so every
  guard in bpu_pyeasy.py is checked against the code that runs; hbm_runtime's X5 build is
  published compiled only (its source is public for the S-series boards);
* it keeps the model's device buffers for the model's lifetime, while hbm_runtime's run()
  allocates and frees input and output memory on every call (HB_HBMRuntime.cc
  InferAllModels in the S-series source; the X5 module carries the same allocation calls);
* both hold the GIL during inference on the X5, so neither frees Python threads meanwhile;
* the model zoo's ResNet18 sample for the preinstalled .bin is a pyeasy_dnn program.
hbm_runtime is used when it is the only one (images that drop hobot_dnn), or when asked for
(parameter bpu_runtime: hbm_runtime): it reports each output's quantisation type, so a
SHIFT-quantised model is recognised there, where pyeasy_dnn can only say "no scale data".
"""

import importlib

from resnet_x5_ros.backends.base import one_line

PYEASY_DNN = 'pyeasy_dnn'
HBM_RUNTIME = 'hbm_runtime'
BPU_RUNTIMES = ('auto', PYEASY_DNN, HBM_RUNTIME)
# Module names to try per runtime, in order. The PyPI wheel hobot-dnn-rdkx5 names its package
# hobot_dnn_rdkx5; the board image's hobot-spdev package installs hobot_dnn.
RUNTIME_MODULES = {
    PYEASY_DNN: ('hobot_dnn.pyeasy_dnn', 'hobot_dnn_rdkx5.pyeasy_dnn'),
    HBM_RUNTIME: ('hbm_runtime',),
}
# 'auto' preference, see the module docstring.
AUTO_ORDER = (PYEASY_DNN, HBM_RUNTIME)
# What a module must offer to count as the runtime.
_ENTRY_POINTS = {PYEASY_DNN: 'load', HBM_RUNTIME: 'HB_HBMRuntime'}


def check_bpu_runtime(kind):
    """Raise ValueError unless kind is one of BPU_RUNTIMES."""
    if kind not in BPU_RUNTIMES:
        raise ValueError('bpu_runtime must be one of {}, not {!r}'.format(
            ', '.join(BPU_RUNTIMES), kind))


def import_runtime(kind='auto'):
    """Import the BPU runtime of kind ('auto', 'pyeasy_dnn' or 'hbm_runtime').

    Returns (module, name, reasons): module is None when none imports, name is the module
    name that imported, reasons lists why each candidate failed.
    """
    check_bpu_runtime(kind)
    reasons = []
    for each in (AUTO_ORDER if kind == 'auto' else (kind,)):
        for name in RUNTIME_MODULES[each]:
            try:
                module = importlib.import_module(name)
            except Exception as exc:
                reasons.append('{}: {}: {}'.format(name, type(exc).__name__,
                                                   one_line(exc, 160)))
                continue
            if not callable(getattr(module, _ENTRY_POINTS[each], None)):
                reasons.append('{}: imports but has no {}()'.format(name, _ENTRY_POINTS[each]))
                continue
            return module, name, reasons
    return None, None, reasons


def runtime_kind(name):
    """'pyeasy_dnn' or 'hbm_runtime' for a module name that import_runtime() returned."""
    for kind, names in RUNTIME_MODULES.items():
        if name in names:
            return kind
    raise ValueError('not a BPU runtime module: {!r}'.format(name))


def runtime_label(module, name):
    """Name of a runtime module, flagged when it is the test stand-in."""
    if getattr(module, 'STAND_IN', False):
        return '{} (STAND-IN {})'.format(name, getattr(module, '__file__', ''))
    return name


def bpu_runtime_status(kind='auto'):
    """One line: which BPU runtime (of kind) imports here, or why none does."""
    module, name, reasons = import_runtime(kind)
    if module is None:
        return 'no BPU runtime: ' + '; '.join(reasons)
    return runtime_label(module, name)


def bpu_runtime_available(kind='auto'):
    return import_runtime(kind)[0] is not None
