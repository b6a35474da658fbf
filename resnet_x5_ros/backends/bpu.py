# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""BPU backend: a Horizon/D-Robotics .bin model on the RDK X5's BPU through pyeasy_dnn.

pyeasy_dnn (package hobot_dnn on the board image, hobot_dnn_rdkx5 from PyPI) trusts its caller
completely: forward() copies whatever array it gets into device memory, a later forward
overwrites the output memory, and failures come back as SystemError/RuntimeError or even as a
None result. This module is the careful caller:

* the NV12 buffer is checked (Backend.infer) before every forward, and handed over as a 2-D
  (H*3/2, W) uint8 array, whose dims[0] * dims[1] is the byte count (some builds compute the
  size from the first two dims, not from the element count);
* forward and the reading of every output's .buffer (a copy on each access) happen under one
  lock, so the scores returned belong to the frame that was sent;
* float32 outputs are used as they are; quantised integer outputs are multiplied by their
  scale_data (one scale or one per class);
* runtime exceptions become BackendError (ModelError while loading).

hbm_runtime (D-Robotics' newer runtime, aarch64 only) is not supported: its Python contract
could not be checked or exercised here, while pyeasy_dnn is preinstalled on the X5 image and
is what the model zoo's ResNet18 sample uses.
"""

import importlib
import threading

import numpy as np

from resnet_x5_ros.backends.base import (Backend, BackendError, check_model_file,
                                         looks_like_probabilities, ModelError, NV12_RANGES,
                                         one_line)
from resnet_x5_ros.backends.binfile import read_bin_nv12_range

DEFAULT_BPU_MODEL = '/opt/hobot/model/x5/basic/resnet18_224x224_nv12.bin'
RUNTIME_MODULES = ('hobot_dnn.pyeasy_dnn', 'hobot_dnn_rdkx5.pyeasy_dnn')
MODEL_ZOO_HINT = ('the RDK model zoo publishes ResNet18_224x224_nv12.bin '
                  '(github.com/D-Robotics/rdk_model_zoo, samples/vision/resnet; '
                  'https://archive.d-robotics.cc/downloads/rdk_model_zoo/rdk_x5/'
                  'resnet18_224x224_nv12.bin); download it or set model_path (off the '
                  'board: backend cpu)')

# pyeasy_dnn tensor_type strings for numeric tensors -> the numpy dtype of .buffer.
TENSOR_DTYPES = {
    'int8': np.int8, 'uint8': np.uint8, 'int16': np.int16, 'uint16': np.uint16,
    'int32': np.int32, 'uint32': np.uint32, 'int64': np.int64, 'uint64': np.uint64,
    'float16': np.float16, 'float32': np.float32, 'float64': np.float64,
}


def import_runtime():
    """Import the first pyeasy_dnn that works.

    Returns (module, name, reasons): module is None when none imports, and reasons lists why
    each candidate failed. The vendor wheels install on any machine but hold aarch64 code, so
    any exception (ImportError, OSError, ...) means "not available here".
    """
    reasons = []
    for name in RUNTIME_MODULES:
        try:
            module = importlib.import_module(name)
        except Exception as exc:
            reasons.append('{}: {}: {}'.format(name, type(exc).__name__, one_line(exc, 160)))
            continue
        if not callable(getattr(module, 'load', None)):
            reasons.append('{}: imports but has no load()'.format(name))
            continue
        return module, name, reasons
    return None, None, reasons


def runtime_label(module, name):
    """Name of a runtime module, flagged when it is the test stand-in."""
    if getattr(module, 'STAND_IN', False):
        return '{} (STAND-IN {})'.format(name, getattr(module, '__file__', ''))
    return name


def bpu_runtime_status():
    """One line: which BPU runtime imports here, or why none does."""
    module, name, reasons = import_runtime()
    if module is None:
        return 'no BPU runtime: ' + '; '.join(reasons)
    return runtime_label(module, name)


def bpu_runtime_available():
    return import_runtime()[0] is not None


def _int_shape(shape, what, path):
    try:
        return tuple(int(d) for d in shape)
    except (TypeError, ValueError):
        raise ModelError('{}: {} shape {!r} is not a tuple of integers'.format(
            path, what, shape)) from None


class BpuBackend(Backend):
    """pyeasy_dnn on the BPU. Options are documented on __init__."""

    name = 'bpu'

    def __init__(self, model_path='', nv12_range='auto', runtime=None, output_index=0,
                 core_id=0, priority=0, warmup=True):
        """Load a .bin model.

        model_path: '' = DEFAULT_BPU_MODEL.
        nv12_range: 'auto' = the range recorded in the .bin (full when absent), or
            'full'/'video' to override.
        runtime: a pyeasy_dnn-like module; default: the first of RUNTIME_MODULES that imports.
        output_index: which output holds the class scores (ResNet18: its only output).
        core_id, priority: passed to forward() when not 0.
        warmup: run one grey frame at load: proves the BPU is usable (permissions) before the
            first camera frame, and tells whether the output is already probabilities.
        """
        super().__init__()
        path = model_path or DEFAULT_BPU_MODEL
        self.model_path = path
        if not model_path:
            try:
                check_model_file(path, 'BPU')
            except ModelError as exc:
                raise ModelError('{}; {}'.format(exc, MODEL_ZOO_HINT)) from None
        else:
            check_model_file(path, 'BPU')
        if path.lower().endswith('.onnx'):
            raise ModelError('{} is an ONNX model; the bpu backend runs Horizon .bin models: '
                             'use backend cpu for it, or leave model_path empty for the '
                             "board's ResNet18".format(path))
        if runtime is None:
            runtime, runtime_name, reasons = import_runtime()
            if runtime is None:
                raise BackendError('bpu backend: no BPU runtime imports ({})'.format(
                    '; '.join(reasons)))
        else:
            runtime_name = getattr(runtime, '__name__', type(runtime).__name__)
        self.runtime_name = runtime_label(runtime, runtime_name)
        self._core_id = int(core_id)
        self._priority = int(priority)

        recorded = read_bin_nv12_range(path)
        if nv12_range in (None, '', 'auto'):
            self.nv12_range = recorded or 'full'
            range_note = ('recorded in the .bin' if recorded else
                          'no INPUT_SPACE_AND_RANGE in the .bin: assuming full')
        elif nv12_range in NV12_RANGES:
            self.nv12_range = nv12_range
            range_note = 'parameter' + (', the .bin says {}'.format(recorded)
                                        if recorded and recorded != nv12_range else '')
        else:
            raise ValueError('nv12_range must be auto, full or video, not {!r}'.format(
                nv12_range))

        try:
            models = runtime.load(path)
        except Exception as exc:
            raise ModelError('{}: {}.load() failed: {}: {}'.format(
                path, runtime_name, type(exc).__name__, exc)) from None
        try:
            model = models[0]
            model_name = str(model.name)
            inputs = list(model.inputs)
            outputs = list(model.outputs)
        except Exception as exc:
            raise ModelError('{}: {}.load() gave no usable model ({}: {})'.format(
                path, runtime_name, type(exc).__name__, exc)) from None
        self.bpu_model_name = model_name
        self._parse_input(inputs)
        self._parse_output(outputs, int(output_index))
        self._model = model
        self._lock = threading.Lock()
        self.outputs_probabilities = None
        if warmup:
            grey = np.full(self.input_nbytes, 128, dtype=np.uint8)
            try:
                scores = self._run(grey)
            except BackendError as exc:
                raise BackendError('{}: warm-up inference failed: {}'.format(path, exc)) from exc
            self.outputs_probabilities = looks_like_probabilities(scores)
        kind = {True: 'probabilities', False: 'not probabilities'}.get(
            self.outputs_probabilities, 'kind unknown')
        self.description = (
            'bpu: {}, model {} ({}), input {}x{} NV12 {}, {} range ({}), output {!r} {} x{}{}, '
            '{}{}'.format(
                self.runtime_name, path, model_name, self.input_width, self.input_height,
                self._input_layout, self.nv12_range, range_note, self._output_name,
                self._output_type, self.num_classes, self._scale_note, kind,
                ' (warm-up)' if warmup else ''))

    def _parse_input(self, inputs):
        path = self.model_path
        if len(inputs) != 1:
            raise ModelError('{}: model has {} inputs; only single-input NV12 models are '
                             'supported'.format(path, len(inputs)))
        tensor = inputs[0]
        props = tensor.properties
        tensor_type = str(props.tensor_type)
        if tensor_type != 'NV12':
            hint = (' (Y and UV as two planes)' if tensor_type == 'NV12_SEPARATE' else '')
            raise ModelError('{}: input {!r} is {}{}, not packed NV12; this node feeds packed '
                             'NV12 frames (compile with input_type_rt: nv12)'.format(
                                 path, str(tensor.name), tensor_type, hint))
        shape = _int_shape(props.shape, 'input', path)
        layout = str(props.layout)
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
        self.input_width, self.input_height = width, height
        self._input_layout = layout
        self._rows = height * 3 // 2

    def _parse_output(self, outputs, index):
        path = self.model_path
        if not 0 <= index < len(outputs):
            raise ModelError('{}: output index {} out of range (model has {} outputs)'.format(
                path, index, len(outputs)))
        tensor = outputs[index]
        props = tensor.properties
        tensor_type = str(props.tensor_type)
        if tensor_type not in TENSOR_DTYPES:
            raise ModelError('{}: output {!r} is of type {}, not a numeric tensor'.format(
                path, str(tensor.name), tensor_type))
        shape = _int_shape(props.shape, 'output', path)
        if not shape or shape[0] != 1:
            raise ModelError('{}: output shape {} is not batch 1'.format(path, shape))
        count = int(np.prod(shape[1:])) if len(shape) > 1 else 1
        if count < 2:
            raise ModelError('{}: output shape {} has {} score(s); not a classifier'.format(
                path, shape, count))
        dtype = np.dtype(TENSOR_DTYPES[tensor_type])
        scale = None
        note = ''
        if dtype.kind in 'iu':
            try:
                scale = np.array(props.scale_data, dtype=np.float32).reshape(-1).copy()
            except (TypeError, ValueError):
                scale = np.zeros(0, np.float32)
            if scale.size == 0:
                scale = None
                note = ' raw integers (no scale_data)'
            elif scale.size in (1, count):
                note = ' dequantised with {} scale{}'.format(
                    scale.size, '' if scale.size == 1 else 's')
            else:
                raise ModelError('{}: output scale_data has {} values for {} scores'.format(
                    path, scale.size, count))
        self._output_index = index
        self._output_name = str(tensor.name)
        self._output_type = tensor_type
        self._output_dtype = dtype
        self._scale = scale
        self._scale_note = note
        self.num_classes = count

    def _run(self, flat_nv12):
        frame = flat_nv12.reshape(self._rows, self.input_width)
        with self._lock:
            model = self._model
            if model is None:
                raise BackendError('bpu backend is closed')
            try:
                if self._core_id or self._priority:
                    outs = model.forward(frame, core_id=self._core_id, priority=self._priority)
                else:
                    outs = model.forward(frame)
                if outs is None:
                    raise BackendError('bpu forward() returned None (the runtime printed the '
                                       'reason on stdout)')
                # .buffer copies the device memory on each access and the next forward
                # overwrites it: read each output exactly once, here, under the lock.
                buffers = [tensor.buffer for tensor in outs]
            except BackendError:
                raise
            except Exception as exc:
                raise BackendError('bpu inference failed ({}): {}'.format(
                    type(exc).__name__, exc)) from exc
        if len(buffers) <= self._output_index:
            raise BackendError('bpu forward() returned {} outputs, expected at least {}'.format(
                len(buffers), self._output_index + 1))
        return self._decode(buffers[self._output_index])

    def _decode(self, raw):
        if not isinstance(raw, np.ndarray):
            raise BackendError('bpu output {!r} buffer is {}, not a numpy array'.format(
                self._output_name, type(raw).__name__))
        if raw.dtype != self._output_dtype:
            raise BackendError('bpu output {!r} is declared {} but the runtime returned {} data'
                               .format(self._output_name, self._output_type, raw.dtype))
        if raw.size != self.num_classes:
            raise BackendError('bpu output {!r} has {} values, expected {}'.format(
                self._output_name, raw.size, self.num_classes))
        scores = np.array(raw.reshape(-1), dtype=np.float32)
        if self._scale is not None:
            scores *= self._scale
        return scores

    def _close(self):
        # pyeasy_dnn has no unload (freeing a Model does not release it); drop our reference.
        with self._lock:
            self._model = None
