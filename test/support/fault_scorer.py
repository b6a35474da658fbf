# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""A stand-in scorer that runs inside the node process: a test fails, hangs and heals it.

Named in $PYEASY_DNN_STANDIN_SCORER as 'support.fault_scorer:control_scorer' (test/ on the
node's PYTHONPATH, see reliability.standin_env); imports nothing of the test suite.
"""

import os
import time

import numpy as np

# Read by control_scorer in the node process: the name of the control file.
CONTROL_ENV = 'RESNET_X5_RELIABILITY_CONTROL'
CONTROL_SCORER = 'support.fault_scorer:control_scorer'


def control_scorer(nv12, width, height, model_path):
    """Stand-in scorer steered by the file named in $RESNET_X5_RELIABILITY_CONTROL.

    'ok': the ramp scorer's answer (class = mean Y % 1000); 'fail': raise (the stand-in turns
    it into the SystemError pyeasy_dnn raises); 'hang': block until the file says otherwise,
    like a BPU call that does not return; 'nan': NaN scores, like a broken model.
    """
    path = os.environ[CONTROL_ENV]
    while True:
        with open(path, encoding='ascii') as f:
            mode = f.read().strip()
        if mode == 'fail':
            raise RuntimeError('injected backend failure')
        if mode == 'nan':
            return np.full(1000, np.nan, dtype=np.float32)
        if mode != 'hang':
            break
        time.sleep(0.01)  # the fault being simulated, not test synchronisation
    scores = np.zeros(1000, dtype=np.float32)
    scores[int(np.asarray(nv12[:width * height], dtype=np.float64).mean()) % 1000] = 10.0
    return scores
