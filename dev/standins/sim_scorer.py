# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Scorer for the pyeasy_dnn STAND-IN that runs a real compiled X5 .bin on D-Robotics' hbdk-sim.

With it, the stand-in's forward() returns what the board's runtime would return for the same
NV12 bytes: the .bin's BPU graph simulated bit-exactly, then the .bin's own CPU steps
(dequantise with its scales, reshape). Plug it in with

    from hobot_dnn import pyeasy_dnn
    import sim_scorer
    sim_scorer.install(pyeasy_dnn, bin_path)     # or PYEASY_DNN_STANDIN_SCORER=sim_scorer:score

install() also makes the stand-in's models look like the .bin (input size, output name and
class count). Needs hbdk-sim (`make setup` extracts it); simulator_status() says why not.
"""

import threading

from x5_simulator.bin_model import BinFormatError, read_bin
from x5_simulator.harness import SimulatedModel
from x5_simulator.hbdk_sim import locate, SimulatorUnavailable

_models = {}
_lock = threading.Lock()
calls = [0]  # scorer invocations, for tests


def simulator_status():
    """Return (True, path of hbdk-sim) or (False, why it cannot be used)."""
    try:
        return True, locate()
    except SimulatorUnavailable as exc:
        return False, str(exc)


def applies(model_path):
    """Tell whether model_path is an X5 .bin this scorer can run and hbdk-sim is available."""
    if not simulator_status()[0]:
        return False
    try:
        model = read_bin(model_path)
    except (OSError, BinFormatError):
        return False
    return bool(model.hbm) and len(model.bpu_nodes) == 1


def _model(model_path):
    with _lock:
        model = _models.get(model_path)
        if model is None:
            model = SimulatedModel(model_path)
            _models[model_path] = model
        return model


def score(nv12, width, height, model_path):
    """Score for the stand-in's hook: NV12 bytes -> the .bin's first output, flat float32."""
    model = _model(model_path)
    if (model.input_width, model.input_height) != (width, height):
        raise ValueError('{} takes {}x{} NV12, the stand-in model is {}x{}'.format(
            model_path, model.input_width, model.input_height, width, height))
    calls[0] += 1
    return model.scores(nv12)


def install(pyeasy_dnn, model_path):
    """Make the stand-in module load models shaped like model_path and score them with it."""
    x5 = read_bin(model_path)
    width, height = x5.input_size
    output = x5.graph.outputs[0]
    classes = 1
    for dim in output.dims[1:]:
        classes *= dim
    pyeasy_dnn.configure(input_type='NV12', input_width=width, input_height=height,
                         input_layout='NCHW', output_type='float32', num_classes=classes,
                         output_name=output.name)
    pyeasy_dnn.set_scorer(score)


def close_all():
    """Remove the simulators' temporary files (the result cache stays)."""
    with _lock:
        for model in _models.values():
            model.close()
        _models.clear()
