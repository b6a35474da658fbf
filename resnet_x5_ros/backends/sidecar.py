# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""The model sidecar: a small JSON file next to an ONNX classifier that says how to feed it.

`models/foo.onnx` is described by `models/foo.json`. A .bin for the BPU carries this
information inside (NV12 input, normalisation compiled in); an ONNX file does not, and guessing
mean/std wrong gives confident garbage, so the CPU backend requires the sidecar.

Keys (see models/README.md):
    input_width, input_height   int, required: the model input size (pixels)
    mean, std                   3 numbers each, required: normalised = (pixel0..255 - mean) / std,
                                per channel in colour_order
    colour_order                'rgb' or 'bgr', required
    layout                      'NCHW' or 'NHWC' (default NCHW)
    output                      'logits' or 'probabilities' (default: unknown)
    nv12_range                  'full' or 'video' (default full): the NV12 range frames are
                                produced in for this model
    num_classes                 int, optional: checked against the model's output
    input_name, output_name     optional: pick tensors in multi-input/output graphs
    sha256                      optional: checked against the model file when present
Anything else (source, licence, ...) is informational.
"""

import hashlib
import json
import math
import os
import re

from resnet_x5_ros.backends.base import ModelError
from resnet_x5_ros.colour_range import DEFAULT_RANGE, RANGES

SIDECAR_SUFFIX = '.json'


def sidecar_path_for(model_path):
    """Return the sidecar path of model_path: same name, .json extension."""
    return os.path.splitext(model_path)[0] + SIDECAR_SUFFIX


class Sidecar(object):
    """Validated sidecar contents."""

    __slots__ = ('path', 'input_width', 'input_height', 'mean', 'std', 'colour_order',
                 'layout', 'output', 'nv12_range', 'num_classes', 'input_name', 'output_name',
                 'sha256', 'raw')

    @property
    def outputs_probabilities(self):
        if self.output == 'probabilities':
            return True
        if self.output == 'logits':
            return False
        return None

    def summary(self):
        return '{}x{} {} {} mean {} std {}'.format(
            self.input_width, self.input_height, self.layout, self.colour_order.upper(),
            _fmt_numbers(self.mean), _fmt_numbers(self.std))


def _fmt_numbers(values):
    return '[' + ','.join('{:g}'.format(v) for v in values) + ']'


def _fail(path, problem):
    raise ModelError('model sidecar {}: {}'.format(path, problem))


def _positive_int(path, data, key, required=True):
    if key not in data:
        if required:
            _fail(path, 'missing key {!r}'.format(key))
        return None
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        _fail(path, '{!r} must be a positive integer, got {!r}'.format(key, value))
    return value


def _triple(path, data, key, nonzero):
    if key not in data:
        _fail(path, 'missing key {!r}'.format(key))
    value = data[key]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = [value] * 3
    if (not isinstance(value, list) or len(value) != 3
            or any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in value)):
        _fail(path, '{!r} must be a number or a list of 3 numbers, got {!r}'.format(key, value))
    value = [float(v) for v in value]
    if any(not math.isfinite(v) for v in value) or (nonzero and any(v == 0 for v in value)):
        _fail(path, '{!r} has a {} value: {!r}'.format(
            key, 'zero or non-finite' if nonzero else 'non-finite', value))
    return value


def _choice(path, data, key, choices, default):
    value = data.get(key, default)
    if isinstance(value, str):
        folded = {c.lower(): c for c in choices}.get(value.lower())
        if folded is not None:
            return folded
    if value is None and default is None:
        return None
    _fail(path, '{!r} must be one of {}, got {!r}'.format(key, ', '.join(choices), value))


def _optional_str(path, data, key):
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        _fail(path, '{!r} must be a string, got {!r}'.format(key, value))
    return value or None


def load_sidecar(path):
    """Read and validate a sidecar file; raise ModelError (one line, naming it) on any problem."""
    if not os.path.exists(path):
        _fail(path, 'not found (an ONNX model needs a .json sidecar next to it stating '
                    'input size, mean/std and colour order; see models/README.md)')
    try:
        with open(path, 'rb') as f:
            text = f.read()
    except OSError as exc:
        _fail(path, 'cannot read: {}'.format(exc.strerror or exc))
    if not text.strip():
        _fail(path, 'empty file')
    try:
        data = json.loads(text.decode('utf-8'))
    except (UnicodeDecodeError, ValueError) as exc:
        _fail(path, 'not valid JSON: {}'.format(exc))
    if not isinstance(data, dict):
        _fail(path, 'must be a JSON object, got {}'.format(type(data).__name__))
    sc = Sidecar()
    sc.path = path
    sc.raw = data
    sc.input_width = _positive_int(path, data, 'input_width')
    sc.input_height = _positive_int(path, data, 'input_height')
    if sc.input_width % 2 or sc.input_height % 2:
        _fail(path, 'input size {}x{} must be even (NV12 has 2x2 chroma)'.format(
            sc.input_width, sc.input_height))
    sc.mean = _triple(path, data, 'mean', nonzero=False)
    sc.std = _triple(path, data, 'std', nonzero=True)
    order = data.get('colour_order', data.get('color_order'))
    if order is None:
        _fail(path, "missing key 'colour_order' ('rgb' or 'bgr')")
    sc.colour_order = _choice(path, {'colour_order': order}, 'colour_order', ('rgb', 'bgr'), None)
    sc.layout = _choice(path, data, 'layout', ('NCHW', 'NHWC'), 'NCHW')
    sc.output = _choice(path, data, 'output', ('logits', 'probabilities'), None)
    sc.nv12_range = _choice(path, data, 'nv12_range', RANGES, DEFAULT_RANGE)
    sc.num_classes = _positive_int(path, data, 'num_classes', required=False)
    sc.input_name = _optional_str(path, data, 'input_name')
    sc.output_name = _optional_str(path, data, 'output_name')
    sha = _optional_str(path, data, 'sha256')
    if sha is not None and not re.fullmatch('[0-9a-fA-F]{64}', sha):
        _fail(path, "'sha256' must be 64 hex digits, got {!r}".format(sha))
    sc.sha256 = sha.lower() if sha else None
    return sc


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()
