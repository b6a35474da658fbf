# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""What the bpu backend needs from a loaded model, whichever runtime loaded it.

A session (bpu_pyeasy.PyeasyDnnSession, bpu_hbm.HbmRuntimeSession) loads one .bin with its
runtime, refuses at load what that runtime cannot run or return faithfully (ModelError naming
the file), and then turns one validated NV12 frame into the raw scores tensor (infer(), called
under the backend's lock). The checks both runtimes share live here.
"""

import numpy as np

from resnet_x5_ros.backends.base import ModelError

# How to recompile a model whose output cannot be used as it is.
FLOAT_OUTPUT_HINT = ('compile it with a float32 output (the X5 toolchain dequantises the '
                     'last layer on the CPU by default)')


def int_shape(shape, what, path):
    try:
        return tuple(int(d) for d in shape)
    except (TypeError, ValueError):
        raise ModelError('{}: {} shape {!r} is not a tuple of integers'.format(
            path, what, shape)) from None


def nv12_input_size(path, shape, layout):
    """Return (width, height, layout) of a 4-D NV12 input; ModelError if it is not usable."""
    if len(shape) != 4:
        raise ModelError('{}: NV12 input shape {} is not 4-D'.format(path, shape))
    if layout not in ('NCHW', 'NHWC'):
        # Layout missing/unknown: the channel axis is the one of size 3.
        layout = 'NCHW' if shape[1] == 3 else 'NHWC' if shape[3] == 3 else layout
    if layout == 'NCHW':
        height, width = shape[2], shape[3]
    elif layout == 'NHWC':
        height, width = shape[1], shape[2]
    else:
        raise ModelError('{}: cannot tell height and width from NV12 input shape {} with '
                         'layout {}'.format(path, shape, layout))
    if height <= 0 or width <= 0 or height % 2 or width % 2:
        raise ModelError('{}: NV12 input size {}x{} is not even and positive'.format(
            path, width, height))
    return width, height, layout


def not_packed_nv12(path, name, tensor_type):
    hint = ' (Y and UV as two planes)' if tensor_type == 'NV12_SEPARATE' else ''
    return ModelError('{}: input {!r} is {}{}, not packed NV12; this node feeds packed NV12 '
                      'frames (compile with input_type_rt: nv12)'.format(
                          path, name, tensor_type, hint))


def class_count(path, shape):
    """Return the number of scores in a batch-1 output (ModelError if not a classifier's)."""
    if not shape or shape[0] != 1:
        raise ModelError('{}: output shape {} is not batch 1'.format(path, shape))
    count = int(np.prod(shape[1:])) if len(shape) > 1 else 1
    if count < 2:
        raise ModelError('{}: output shape {} has {} score(s); not a classifier'.format(
            path, shape, count))
    return count


def dequantisation(path, name, type_name, dtype, count, scale, zero_point=None,
                   quant_type=None):
    """How to turn an output's values into scores: (scale, zero_point, note) or ModelError.

    Float outputs are used as they are (a quantisation descriptor next to a float output is
    vestigial: the model zoo ignores it too). Integer outputs need SCALE quantisation with
    one scale or one per class: score = (q - zero_point) * scale. Without scale data the
    integers are SHIFT-quantised or not quantised at all, and cannot be read as scores;
    quant_type None means the runtime does not say (pyeasy_dnn).
    """
    if dtype.kind == 'f':
        return None, None, ''
    scale = _floats(scale)
    if quant_type not in (None, 'SCALE') or scale.size == 0:
        kind = ('quantisation type {}'.format(quant_type) if quant_type is not None
                else 'no scale_data: SHIFT-quantised or not quantised')
        type_text = type_name if type_name == dtype.name else '{} ({})'.format(
            type_name, dtype.name)
        raise ModelError('{}: output {!r} is {} with {}; its raw integers are not scores and '
                         'cannot be dequantised here: {}'.format(
                             path, name, type_text, kind, FLOAT_OUTPUT_HINT))
    if scale.size not in (1, count):
        raise ModelError('{}: output {!r} has {} scales for {} scores'.format(
            path, name, scale.size, count))
    offset = _floats(zero_point)
    if offset.size == 0 or not np.any(offset):
        offset = None
    elif offset.size not in (1, count):
        raise ModelError('{}: output {!r} has {} zero points for {} scores'.format(
            path, name, offset.size, count))
    note = ' dequantised with {} scale{}{}'.format(
        scale.size, '' if scale.size == 1 else 's',
        '' if offset is None else ' and zero points')
    return scale, offset, note


def _floats(values):
    if values is None:
        return np.zeros(0, np.float32)
    try:
        return np.array(values, dtype=np.float32).reshape(-1).copy()
    except (TypeError, ValueError):
        return np.zeros(0, np.float32)


def shape_text(shape):
    """Return a shape as a tuple of ints for reports, or its text if it is not one."""
    try:
        return tuple(int(d) for d in shape)
    except (TypeError, ValueError):
        return str(shape)


class Session(object):
    """What both runtimes' sessions set at load: model, input and output facts.

    model_name, input_width, input_height, input_layout, output_index, output_name,
    output_type (the runtime's name for it), output_dtype, num_classes, scale, zero_point,
    quant_note.
    """

    def set_output(self, index, name, type_name, dtype, shape, scale, zero_point=None,
                   quant_type=None):
        """Take output index as the scores: check it is a classifier's, set how to read it."""
        count = class_count(self.path, shape)
        self.scale, self.zero_point, self.quant_note = dequantisation(
            self.path, name, type_name, dtype, count, scale, zero_point, quant_type)
        self.output_index = index
        self.output_name = name
        self.output_type = type_name
        self.output_dtype = dtype
        self.num_classes = count
