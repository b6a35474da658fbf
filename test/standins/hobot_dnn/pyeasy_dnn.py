# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""STAND-IN for `hobot_dnn.pyeasy_dnn` (the RDK X5 BPU runtime's Python module). Not the real one.

Written by us from pyeasy_dnn's documented contract so the BPU backend can be tested on
machines without a BPU. What it reproduces:

* load(path or list of paths) -> list of Model, one per file; a failure raises SystemError
  (wrapping a RuntimeError); a non-str/list argument raises TypeError.
* Model.name, .inputs, .outputs (lists of new tensor objects on every access),
  .estimate_latency (hard-coded, meaningless), .forward(data, core_id=0, priority=0) ->
  the output tensors.
* Tensor.name, .properties (rebuilt on every access: tensor_type, dtype, layout, shape,
  scale_data) and .buffer, which COPIES the model's output memory on every access, 4-D
  (default float32 [1, 1000, 1, 1]); the next forward overwrites that memory.
* forward() does NO input checking, like the real one: the array's element count is taken as
  its byte count and copied into the model's input memory. Too much data "overflows" (the
  real runtime corrupts memory; here the excess is dropped and the record says overflow),
  too little leaves the previous frame's bytes in place. Calls on one Model are serialised.

What it adds for tests (not in the real module):

* Every forward() call is RECORDED in `forward_log` (ForwardRecord: what was passed, its
  dtype/shape/element count/contiguity, whether it was exactly one NV12 frame) before
  anything else happens, so a test can prove a wrong buffer never reached forward().
  With $PYEASY_DNN_STANDIN_LOG set, one line per call is also appended to that file (for
  node subprocesses).
* Real scores: a scorer turns the NV12 bytes that landed in input memory into class scores.
  The default scorer runs our CPU backend's ONNX model (default models/efficientnet_lite0.onnx,
  or $PYEASY_DNN_STANDIN_ONNX) on them, reading the NV12 range from the file's
  INPUT_SPACE_AND_RANGE record like a compiled .bin would have it (full when absent).
  Replace it with set_scorer(fn) or $PYEASY_DNN_STANDIN_SCORER='package.module:function';
  fn(nv12, width, height, model_path) -> scores (num_classes floats), nv12 being a flat
  uint8 copy of the input memory. (A scorer that runs a real compiled X5 .bin in the vendor
  simulator plugs in here.)
* Model shape and output type: configure(...) (or env vars) to make the loaded model's input
  e.g. RGB or NV12_SEPARATE, or its output int32/int8 with a scale (the stand-in then
  quantises the scorer's floats: q = round(score / scale)).
* Fault injection: set_faults(...) (or env vars): every Nth forward raises SystemError (or
  returns None, as some builds do after printing an error), every forward from call N fails,
  every Nth forward sleeps S seconds first, load() fails.

What a model file is here: any existing non-empty file loads (the real runtime would parse
it). Tests use a tiny file holding the INPUT_SPACE_AND_RANGE record; a real compiled .bin
loads too, for a simulator scorer.

Environment variables (read at import and by reset()):
    PYEASY_DNN_STANDIN_SCORER       package.module:function
    PYEASY_DNN_STANDIN_ONNX         ONNX model of the default scorer
    PYEASY_DNN_STANDIN_INPUT_TYPE   e.g. NV12 (default), NV12_SEPARATE, RGB
    PYEASY_DNN_STANDIN_INPUT_SIZE   WxH (default 224x224)
    PYEASY_DNN_STANDIN_OUTPUT_TYPE  float32 (default), int32, int8, ...
    PYEASY_DNN_STANDIN_OUTPUT_SCALE one number, the quantisation scale of integer outputs
    PYEASY_DNN_STANDIN_FAIL_EVERY   N: calls N, 2N, ... fail
    PYEASY_DNN_STANDIN_FAIL_FROM    N: every call from N on fails
    PYEASY_DNN_STANDIN_FAIL_MODE    systemerror (default) or none
    PYEASY_DNN_STANDIN_SLEEP_EVERY  N: calls N, 2N, ... sleep first
    PYEASY_DNN_STANDIN_SLEEP_S      seconds to sleep (default 0)
    PYEASY_DNN_STANDIN_FAIL_LOAD    1: load() fails
    PYEASY_DNN_STANDIN_LOG          file to append one line per forward() call
Call numbers count every forward() in the process (warm-up runs included), from 1.
"""

import collections
import importlib
import os
import threading
import time

import numpy as np

STAND_IN = True

IMAGE_TYPES = ('Y', 'NV12', 'NV12_SEPARATE', 'YUV444', 'RGB', 'BGR')
_NUMERIC = {
    'int8': np.int8, 'uint8': np.uint8, 'int16': np.int16, 'uint16': np.uint16,
    'int32': np.int32, 'uint32': np.uint32, 'int64': np.int64, 'uint64': np.uint64,
    'float16': np.float16, 'float32': np.float32, 'float64': np.float64,
}
_ENV = 'PYEASY_DNN_STANDIN_'

ForwardRecord = collections.namedtuple('ForwardRecord', [
    'call', 'model_path', 'kind', 'dtype', 'shape', 'size', 'c_contiguous',
    'expected_size', 'valid', 'overflow', 'underflow'])

forward_log = []
_log_lock = threading.Lock()
_calls = [0]
_state = {}


def _defaults():
    return {
        'input_type': 'NV12', 'input_width': 224, 'input_height': 224, 'input_layout': 'NCHW',
        'output_type': 'float32', 'output_scale': None, 'num_classes': 1000,
        'output_name': 'prob', 'fail_every': 0, 'fail_from': 0, 'fail_mode': 'systemerror',
        'sleep_every': 0, 'sleep_seconds': 0.0, 'fail_load': False, 'scorer': None,
        'onnx': None, 'log_path': None,
    }


def _env_config():
    env = os.environ
    config = {}
    if env.get(_ENV + 'INPUT_TYPE'):
        config['input_type'] = env[_ENV + 'INPUT_TYPE']
    if env.get(_ENV + 'INPUT_SIZE'):
        width, height = env[_ENV + 'INPUT_SIZE'].lower().split('x')
        config['input_width'], config['input_height'] = int(width), int(height)
    if env.get(_ENV + 'OUTPUT_TYPE'):
        config['output_type'] = env[_ENV + 'OUTPUT_TYPE']
    if env.get(_ENV + 'OUTPUT_SCALE'):
        config['output_scale'] = [float(env[_ENV + 'OUTPUT_SCALE'])]
    for key in ('fail_every', 'fail_from', 'sleep_every'):
        if env.get(_ENV + key.upper()):
            config[key] = int(env[_ENV + key.upper()])
    if env.get(_ENV + 'FAIL_MODE'):
        config['fail_mode'] = env[_ENV + 'FAIL_MODE']
    if env.get(_ENV + 'SLEEP_S'):
        config['sleep_seconds'] = float(env[_ENV + 'SLEEP_S'])
    if env.get(_ENV + 'FAIL_LOAD'):
        config['fail_load'] = env[_ENV + 'FAIL_LOAD'] not in ('0', 'false', 'no', '')
    if env.get(_ENV + 'SCORER'):
        config['scorer'] = _import_scorer(env[_ENV + 'SCORER'])
    if env.get(_ENV + 'ONNX'):
        config['onnx'] = env[_ENV + 'ONNX']
    if env.get(_ENV + 'LOG'):
        config['log_path'] = env[_ENV + 'LOG']
    return config


def _import_scorer(spec):
    module_name, _, attr = spec.partition(':')
    if not attr:
        raise ValueError('{}SCORER must be package.module:function, got {!r}'.format(
            _ENV, spec))
    return getattr(importlib.import_module(module_name), attr)


def reset(use_env=True):
    """Back to the default model, no faults, default scorer, empty log (then apply env vars)."""
    with _log_lock:
        _state.clear()
        _state.update(_defaults())
        if use_env:
            _state.update(_env_config())
        del forward_log[:]
        _calls[0] = 0


def configure(**settings):
    """Change what models loaded from now on look like.

    input_type, input_width, input_height, input_layout, output_type, output_scale (list of
    one scale or one per class, for integer outputs), num_classes, output_name, onnx (model
    of the default scorer), log_path.
    """
    _update(settings, ('input_type', 'input_width', 'input_height', 'input_layout',
                       'output_type', 'output_scale', 'num_classes', 'output_name', 'onnx',
                       'log_path'))


def set_faults(fail_every=0, fail_from=0, fail_mode='systemerror', sleep_every=0,
               sleep_seconds=0.0, fail_load=False):
    """Inject faults (all off by default); see the module docstring."""
    if fail_mode not in ('systemerror', 'none'):
        raise ValueError('fail_mode must be systemerror or none')
    _update({'fail_every': int(fail_every), 'fail_from': int(fail_from), 'fail_mode': fail_mode,
             'sleep_every': int(sleep_every), 'sleep_seconds': float(sleep_seconds),
             'fail_load': bool(fail_load)}, None)


def set_scorer(scorer):
    """Use scorer(nv12, width, height, model_path) -> scores; None = the default scorer."""
    _update({'scorer': scorer}, None)


def _update(settings, allowed):
    if allowed is not None:
        unknown = set(settings) - set(allowed)
        if unknown:
            raise TypeError('unknown setting(s): {}'.format(', '.join(sorted(unknown))))
    with _log_lock:
        _state.update(settings)


def clear_log():
    with _log_lock:
        del forward_log[:]


def forward_calls():
    """Return how many forward() calls were made so far (warm-ups included)."""
    return _calls[0]


def _raise_system_error(message):
    # pyeasy_dnn reports failures as SystemError wrapping the C++ side's RuntimeError.
    raise SystemError(message) from RuntimeError(message)


def load(model_file):
    """Load one model per file: a str or a list of str."""
    if isinstance(model_file, str):
        files = [model_file]
    elif isinstance(model_file, list):
        files = model_file
    else:
        raise TypeError('model_file must be a string or a list')
    models = []
    for path in files:
        if not isinstance(path, str):
            raise TypeError('model_file must be a string or a list of strings')
        if _state['fail_load'] or not os.path.isfile(path) or os.path.getsize(path) == 0:
            _raise_system_error('hbDNNInitializeFromFiles failed')
        models.append(Model(path, dict(_state)))
    return models


class TensorProperties(object):
    """Plain values, like the runtime's properties object (rebuilt on every access)."""

    def __init__(self, tensor_type, layout, shape, scale):
        self.tensor_type = tensor_type
        self.dtype = 'uint8' if tensor_type in IMAGE_TYPES else tensor_type
        self.layout = layout
        self.shape = tuple(shape)
        self.scale_data = np.array(scale if scale is not None else [], dtype=np.float32)


class _InputTensor(object):
    def __init__(self, model):
        self._model = model
        self.name = 'data'

    @property
    def properties(self):
        m = self._model
        if m.input_layout == 'NHWC':
            shape = (1, m.input_height, m.input_width, 3)
        else:
            shape = (1, 3, m.input_height, m.input_width)
        return TensorProperties(m.input_type, m.input_layout, shape, None)

    @property
    def buffer(self):
        return self._model._input_mem.copy()


class _OutputTensor(object):
    def __init__(self, model):
        self._model = model
        self.name = model.output_name

    @property
    def properties(self):
        m = self._model
        scale = m.output_scale if m.output_dtype.kind in 'iu' else None
        return TensorProperties(m.output_type, 'NCHW', m.output_shape, scale)

    @property
    def buffer(self):
        # A copy of the model's output memory as it is NOW (the next forward overwrites it).
        return self._model._output_mem.copy()


class Model(object):
    """One loaded model (see module docstring)."""

    def __init__(self, path, settings):
        self.path = path
        self.name = os.path.splitext(os.path.basename(path))[0]
        self.estimate_latency = 100
        self.input_type = settings['input_type']
        self.input_width = int(settings['input_width'])
        self.input_height = int(settings['input_height'])
        self.input_layout = settings['input_layout']
        self.output_type = settings['output_type']
        self.output_dtype = np.dtype(_NUMERIC[self.output_type])
        self.output_scale = settings['output_scale']
        self.output_name = settings['output_name']
        self.output_shape = (1, int(settings['num_classes']), 1, 1)
        self._settings = settings
        self._input_mem = np.zeros(self.input_width * self.input_height * 3 // 2, np.uint8)
        self._output_mem = np.zeros(self.output_shape, self.output_dtype)
        self._lock = threading.Lock()

    @property
    def inputs(self):
        return [_InputTensor(self)]

    @property
    def outputs(self):
        return [_OutputTensor(self)]

    def forward(self, data, core_id=0, priority=0):
        with self._lock:
            call = _record(self, data)
            state = _state
            if state['sleep_every'] and call % state['sleep_every'] == 0:
                time.sleep(state['sleep_seconds'])
            failing = ((state['fail_every'] and call % state['fail_every'] == 0)
                       or (state['fail_from'] and call >= state['fail_from']))
            if failing:
                if state['fail_mode'] == 'none':
                    print('hbDNNInfer failed (stand-in fault, call {})'.format(call))
                    return None
                _raise_system_error('hbDNNInfer failed (stand-in fault, call {})'.format(call))
            self._copy_in(data)
            if self.input_type == 'NV12':
                try:
                    scores = _score(self._input_mem.copy(), self.input_width,
                                    self.input_height, self.path)
                except Exception as exc:
                    # The real runtime's failures all surface as SystemError.
                    raise SystemError('stand-in scorer failed: {}: {}'.format(
                        type(exc).__name__, exc)) from exc
                self._store(scores)
            return self.outputs

    def _copy_in(self, data):
        try:
            array = np.asarray(data)
            raw = np.ascontiguousarray(array).reshape(-1).view(np.uint8)
        except (TypeError, ValueError):
            print('stand-in pyeasy_dnn: input is not an array; running on the old input')
            return
        count = min(int(array.size), raw.size, self._input_mem.size)
        self._input_mem[:count] = raw[:count]

    def _store(self, scores):
        scores = np.asarray(scores, dtype=np.float64).reshape(-1)
        if scores.size != self._output_mem.size:
            _raise_system_error('stand-in scorer gave {} scores for a {} output'.format(
                scores.size, self.output_shape))
        if self.output_dtype.kind in 'iu':
            scale = np.asarray(self.output_scale if self.output_scale else [1.0], np.float64)
            info = np.iinfo(self.output_dtype)
            quantised = np.clip(np.rint(scores / scale), info.min, info.max)
            self._output_mem[...] = quantised.astype(self.output_dtype).reshape(self.output_shape)
        else:
            self._output_mem[...] = scores.astype(self.output_dtype).reshape(self.output_shape)


def _record(model, data):
    expected = model.input_width * model.input_height * 3 // 2
    if isinstance(data, np.ndarray):
        kind, dtype, shape = 'ndarray', str(data.dtype), tuple(data.shape)
        size, contiguous = int(data.size), bool(data.flags.c_contiguous)
    else:
        kind, dtype, shape, size, contiguous = type(data).__name__, None, None, None, None
    valid = (kind == 'ndarray' and dtype == 'uint8' and contiguous and size == expected)
    with _log_lock:
        _calls[0] += 1
        call = _calls[0]
        record = ForwardRecord(call, model.path, kind, dtype, shape, size, contiguous, expected,
                               valid, size is not None and size > expected,
                               size is not None and size < expected)
        forward_log.append(record)
        log_path = _state.get('log_path')
        if log_path:
            with open(log_path, 'a', encoding='utf-8') as f:
                f.write('{} valid={} kind={} dtype={} shape={} size={} contiguous={}\n'.format(
                    call, int(valid), kind, dtype, shape, size, contiguous))
    return call


def _score(nv12, width, height, path):
    scorer = _state['scorer'] or _default_scorer
    return scorer(nv12, width, height, path)


_cpu_backends = {}
_cpu_lock = threading.Lock()


def file_nv12_range(path):
    """Return the range a .bin records after INPUT_SPACE_AND_RANGE (full if none)."""
    from resnet_x5_ros.backends.binfile import read_bin_nv12_range

    return read_bin_nv12_range(path) or 'full'


def _default_scorer(nv12, width, height, path):
    """Score like the board would: simulate a real X5 .bin when possible, else use ONNX.

    A compiled X5 .bin runs on D-Robotics' hbdk-sim (sim_scorer, next to this package) when
    `make setup` could extract it; any other model file (e.g. the tests' tiny stand-in .bin)
    is scored by our CPU backend's ONNX model in the range the file records.
    """
    if _simulator_applies(path):
        import sim_scorer
        return sim_scorer.score(nv12, width, height, path)
    from resnet_x5_ros.backends import default_cpu_model
    from resnet_x5_ros.backends.cpu import CpuBackend

    onnx_path = _state['onnx'] or default_cpu_model()
    key = (onnx_path, file_nv12_range(path))
    with _cpu_lock:
        backend = _cpu_backends.get(key)
        if backend is None:
            backend = CpuBackend(onnx_path, nv12_range=key[1])
            _cpu_backends[key] = backend
    if (backend.input_width, backend.input_height) != (width, height):
        _raise_system_error('stand-in default scorer: {} takes {}x{}, the model is {}x{}'
                            .format(onnx_path, backend.input_width, backend.input_height,
                                    width, height))
    return backend.infer(nv12)


_simulator_verdicts = {}


def _simulator_applies(path):
    # Decided once per file: reading a 5 MB .bin on every forward would dominate.
    with _cpu_lock:
        if path not in _simulator_verdicts:
            try:
                import sim_scorer
            except ImportError:
                _simulator_verdicts[path] = False
            else:
                _simulator_verdicts[path] = sim_scorer.applies(path)
        return _simulator_verdicts[path]


reset()
