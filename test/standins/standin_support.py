# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Helpers for tests that use the pyeasy_dnn STAND-IN (test/standins/hobot_dnn).

    with standin_runtime() as pyeasy_dnn:      # importable only inside the block
        backend = BpuBackend(write_fixture_bin(tmp_path / 'm.bin'))

Also: NV12 frames of the sample photos at model size, and a trivial scorer that subprocess
tests can name in $PYEASY_DNN_STANDIN_SCORER ('standin_support:ramp_scorer').
"""

import contextlib
import importlib
import os
import sys

import numpy as np

STANDINS = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(STANDINS))
SAMPLES = os.path.join(REPO, 'resnet_x5_ros', 'data', 'samples')
_MODULES = ('hobot_dnn.pyeasy_dnn', 'hobot_dnn')


@contextlib.contextmanager
def standin_runtime():
    """Make `hobot_dnn.pyeasy_dnn` the stand-in for the duration; reset it before and after."""
    added = STANDINS not in sys.path
    if added:
        sys.path.insert(0, STANDINS)
    saved = {name: sys.modules.pop(name) for name in _MODULES if name in sys.modules}
    importlib.invalidate_caches()
    try:
        module = importlib.import_module('hobot_dnn.pyeasy_dnn')
        assert getattr(module, 'STAND_IN', False), 'imported a real pyeasy_dnn, not the stand-in'
        module.reset(use_env=False)
        yield module
    finally:
        if 'hobot_dnn.pyeasy_dnn' in sys.modules:
            sys.modules['hobot_dnn.pyeasy_dnn'].reset(use_env=False)
        for name in _MODULES:
            sys.modules.pop(name, None)
        sys.modules.update(saved)
        if added and STANDINS in sys.path:
            sys.path.remove(STANDINS)
        importlib.invalidate_caches()


def write_fixture_bin(path, nv12_range='full'):
    """Write a tiny stand-in 'model' file; nv12_range None leaves out the range record."""
    body = b'resnet_x5_ros test fixture for the pyeasy_dnn STAND-IN (not a real .bin)\n'
    if nv12_range is not None:
        # The layout of a compiled .bin's build-metadata entry (a protobuf string map).
        from resnet_x5_ros.backends.binfile import RANGE_KEY, SPACE_TO_RANGE

        space = {name: space for space, name in SPACE_TO_RANGE.items()}[nv12_range]
        value = space.encode('ascii') + b';'
        key = RANGE_KEY.encode('ascii')
        body += b'\n' + bytes([len(key)]) + key + b'\x12' + bytes([len(value)]) + value + b'\n'
    with open(str(path), 'wb') as f:
        f.write(body)
    return str(path)


def sample_bgr(name, width=224, height=224):
    """Read a sample photo, resized (INTER_AREA, no letterbox) to width x height, BGR uint8."""
    import cv2

    image = cv2.imread(os.path.join(SAMPLES, name), cv2.IMREAD_COLOR)
    assert image is not None, 'cannot read sample ' + name
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)


def sample_nv12(name, width=224, height=224, nv12_range='full'):
    """Return a sample photo as one flat NV12 frame of width x height in nv12_range."""
    from resnet_x5_ros.convert.colour import bgr_to_nv12

    return bgr_to_nv12(sample_bgr(name, width, height), nv12_range)


def ramp_scorer(nv12, width, height, model_path):
    """Cheap deterministic scorer: 1000 scores, the highest at (mean Y byte) % 1000."""
    scores = np.zeros(1000, dtype=np.float32)
    scores[int(np.asarray(nv12[:width * height], dtype=np.float64).mean()) % 1000] = 10.0
    return scores
