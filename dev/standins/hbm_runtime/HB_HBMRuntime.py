# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""STAND-IN for `hbm_runtime.HB_HBMRuntime` (the X5's newer BPU runtime). Not the real one.

Written by us from what D-Robotics publishes: the stub python/hbm_runtime/HB_HBMRuntime.pyi and
the compiled X5 module next to it in D-Robotics/x5-hobot-spdev (its error strings and enum
names), the C++ source of the same binding for the S-series (HB_HBMRuntime.cc and its pybind
module; function names below are that source's), and the RDK model zoo's X5 samples. What it
reproduces:

* HB_HBMRuntime(str or list of str): a missing file, a wrong extension (the X5 module checks
  for .bin/.hbm), an empty list or a file that does not load raise RuntimeError (C++
  std::runtime_error through pybind11); another argument type raises TypeError.
* Outputs: new arrays of the valid shape over the output's (aligned) memory with its strides
  (PrepareOutputArrays), so padding (standin_support.output_aligned_shape) is skipped and
  the arrays are not C-contiguous when it exists; output_strides are the aligned memory's.
* Properties keyed by model name (model_names, model_count, input_counts, input_names,
  input_shapes, input_dtypes, input_quants, input_strides, output_* likewise, model_descs,
  hbm_descs, sched_params) and the static property `version`. Dtypes are hbDNNDataType
  values; the X5 module's enum also names the image types (Y, NV12, NV12_SEPARATE, YUV444,
  RGB, BGR) and has no BOOL8. Quantisation: QuantParams(quant_type, axis, scale,
  zero_point); hbDNNQuantiType names only NONE and SCALE, so a SHIFT-quantised tensor shows
  an unnamed value (name '???', as pybind11 prints it).
* set_scheduling_params(priority=, bpu_cores=, custom_id=, device_id=), dicts keyed by model
  name, validated (SetModelPriorities: 0..255; SetModelBpuCores: 0..3).
* run(ndarray | {input: ndarray} | {model: {input: ndarray}}, model_name=...): only ndarrays
  are accepted (anything else: TypeError, pybind11 finds no overload); the only keyword is
  model_name (str), others raise RuntimeError (convert_kwargs); non-C-contiguous arrays are
  copied first (the binding's run lambdas); a second call while one runs raises
  RuntimeError('run() already in use') (run: running_flag); the dtype must match the
  input's (CheckInputDtypeCompatibility: uint8 for NV12); image inputs' shapes are NOT
  checked (the model zoo feeds the same NV12 bytes flat or shaped (1, h*3/2, w, 1)); tensor
  inputs' shapes are (PrepareInputValidShape). Returns {model: {output: ndarray}}: new
  arrays owned by the caller (MakeNumpyArrayWithCapsule), of the output's own dtype.
  The GIL is held for the whole call (the X5 build, like pyeasy_dnn).

What it cannot reproduce: the BPU itself, the real module's padding path for an input whose
byte count differs from the tensor's aligned size (PrepareInputTensorData copies with the
model's strides and reads past a short array: here min(bytes, aligned size) are copied and the
record says the input was invalid), per-call device memory allocation.

Test controls (not in the real module) are those of the pyeasy_dnn stand-in, shared through
standin_support.StandinCore: forward_log (one record per run() call), set_scorer, configure
(also output_quant='SCALE' | 'NONE' | 'SHIFT'), set_faults, reset, board timing mode.
Environment variables: the same names with the prefix HBM_RUNTIME_STANDIN_ (SCORER, ONNX,
INPUT_TYPE, INPUT_SIZE, OUTPUT_TYPE, OUTPUT_SCALE, OUTPUT_QUANT, OUTPUT_LAYOUT, FAIL_EVERY,
FAIL_FROM, SLEEP_EVERY, SLEEP_S, FAIL_LOAD, LOG, BOARD_MS, GIL_HANG_EVERY, GIL_HANG_S, CRASH_AT:
per-process hangs holding the GIL and SIGSEGV crashes, as in pyeasy_dnn.py).
"""

import os
import threading

import numpy as np
import standin_support as support

STAND_IN = True


class _EnumValue(int):
    """One value of a pybind11 enum: an int with .name and .value."""

    def __new__(cls, enum_name, name, value):
        obj = int.__new__(cls, value)
        obj.enum_name, obj.name = enum_name, name
        return obj

    @property
    def value(self):
        return int(self)

    def __str__(self):
        return '{}.{}'.format(self.enum_name, self.name)

    def __repr__(self):
        return '<{}.{}: {}>'.format(self.enum_name, self.name, int(self))


def _enum(enum_name, names):
    return type(enum_name, (object,), {
        name: _EnumValue(enum_name, name, value) for value, name in names})


# The X5 libdnn values (the same order as pyeasy_dnn's TensorType table).
hbDNNDataType = _enum('hbDNNDataType', enumerate((
    'Y', 'NV12', 'NV12_SEPARATE', 'YUV444', 'RGB', 'BGR', 'S4', 'U4', 'S8', 'U8', 'F16', 'S16',
    'U16', 'F32', 'S32', 'U32', 'F64', 'S64', 'U64', 'MAX')))
# X5 libdnn: NONE 0, SHIFT 1, SCALE 2; the binding names NONE and SCALE only.
hbDNNQuantiType = _enum('hbDNNQuantiType', ((0, 'NONE'), (2, 'SCALE')))
_SHIFT = _EnumValue('hbDNNQuantiType', '???', 1)

_IMAGE_TYPES = ('Y', 'NV12', 'NV12_SEPARATE', 'YUV444', 'RGB', 'BGR')
_DTYPE_NAMES = {'int8': 'S8', 'uint8': 'U8', 'float16': 'F16', 'int16': 'S16',
                'uint16': 'U16', 'float32': 'F32', 'int32': 'S32', 'uint32': 'U32',
                'float64': 'F64', 'int64': 'S64', 'uint64': 'U64'}

_core = support.StandinCore('HBM_RUNTIME_STANDIN_')
forward_log = _core.forward_log
# The test controls, shared with the other stand-in (standin_support.StandinCore).
reset, configure, set_faults, set_scorer, clear_log, forward_calls = _core.controls()


class QuantParams(object):
    """Quantisation of one tensor (read-only values)."""

    def __init__(self, quant_type, axis, scale, zero_point):
        self.quant_type = quant_type
        self.axis = axis
        self.scale = np.asarray(scale, np.float32).reshape(-1)
        self.zero_point = np.asarray(zero_point, np.int32).reshape(-1)


class SchedParam(object):
    """Scheduling parameters of one model (InitSchedParam defaults)."""

    def __init__(self):
        self.priority = 0
        self.customId = 0
        self.bpu_cores = [-1]
        self.deviceId = 0


class _Model(object):
    """One loaded model: tensor facts from the stand-in's configuration, its input memory."""

    def __init__(self, path, settings):
        self.path = path
        self.name = os.path.splitext(os.path.basename(path))[0]
        self.input_name = 'data'
        self.input_type = settings['input_type']
        self.width, self.height = int(settings['input_width']), int(settings['input_height'])
        if settings['input_layout'] == 'NHWC':
            self.input_shape = [1, self.height, self.width, 3]
        else:
            self.input_shape = [1, 3, self.height, self.width]
        self.input_mem = np.zeros(self.width * self.height * 3 // 2, np.uint8)
        self.output_name = settings['output_name']
        self.output_type = settings['output_type']
        self.output_dtype = support.numeric_dtype(self.output_type)
        self.output_shape = list(support.output_valid_shape(settings))
        self.output_aligned_shape = support.output_aligned_shape(settings, self.output_dtype)
        scale = settings['output_scale']
        quant = settings['output_quant'] or (
            'SCALE' if scale and self.output_dtype.kind in 'iu' else 'NONE')
        quant_type = {'SCALE': hbDNNQuantiType.SCALE, 'NONE': hbDNNQuantiType.NONE,
                      'SHIFT': _SHIFT}[quant]
        self.output_scale = list(scale) if quant == 'SCALE' and scale else []
        self.output_quant = QuantParams(quant_type, 1, self.output_scale, [])

    @property
    def input_dtype(self):
        if self.input_type in _IMAGE_TYPES:
            return getattr(hbDNNDataType, self.input_type)
        return getattr(hbDNNDataType, _DTYPE_NAMES[self.input_type])

    @property
    def input_nbytes(self):
        if self.input_type in _IMAGE_TYPES:
            return self.input_mem.size
        return int(np.prod(self.input_shape)) * support.numeric_dtype(self.input_type).itemsize


def _strides(shape, itemsize):
    strides, step = [], itemsize
    for dim in reversed(shape):
        strides.insert(0, step)
        step *= dim
    return strides


class HB_HBMRuntime(object):
    """Loaded models and inference (see the module docstring)."""

    version = '3.5.0-standin'

    def __init__(self, model_file):
        if isinstance(model_file, str):
            files = [model_file]
        elif isinstance(model_file, (list, tuple)) and all(
                isinstance(f, str) for f in model_file):
            files = list(model_file)
            if not files:
                raise RuntimeError('No input hbm model files provided.')
        else:
            raise TypeError('__init__(): incompatible constructor arguments. The following '
                            'argument types are supported: (model_file: str), '
                            '(model_files: List[str])')
        for path in files:
            if not os.path.exists(path):
                raise RuntimeError('The input hbm model {} does not exist.'.format(path))
            if os.path.splitext(path)[1].lower() not in ('.bin', '.hbm'):
                raise RuntimeError('Invalid model file extension. Only .hbm supported.')
        for path in files:
            if _core.state['fail_load'] or os.path.getsize(path) == 0:
                raise RuntimeError('hbDNN initialize from {} file failed.'.format(path))
        settings = dict(_core.state)
        self._models = {}
        for path in files:
            model = _Model(path, settings)
            self._models[model.name] = model
        self._sched = {name: SchedParam() for name in self._models}
        self._running = False
        self._running_lock = threading.Lock()

    # ---- metadata (dicts keyed by model name, rebuilt on each access like pybind11's) ----

    def _per_model(self, fn):
        return {name: fn(m) for name, m in self._models.items()}

    @property
    def model_names(self):
        return list(self._models)

    @property
    def model_count(self):
        return len(self._models)

    @property
    def input_counts(self):
        return self._per_model(lambda m: 1)

    @property
    def input_names(self):
        return self._per_model(lambda m: [m.input_name])

    @property
    def input_descs(self):
        return self._per_model(lambda m: {m.input_name: ''})

    @property
    def input_shapes(self):
        return self._per_model(lambda m: {m.input_name: list(m.input_shape)})

    @property
    def input_dtypes(self):
        return self._per_model(lambda m: {m.input_name: m.input_dtype})

    @property
    def input_quants(self):
        return self._per_model(lambda m: {m.input_name: QuantParams(
            hbDNNQuantiType.NONE, 0, [], [])})

    @property
    def input_strides(self):
        # Invented (contiguous bytes of the valid shape): what the X5 reports is not known.
        return self._per_model(lambda m: {m.input_name: _strides(m.input_shape, 1)})

    @property
    def output_counts(self):
        return self._per_model(lambda m: 1)

    @property
    def output_names(self):
        return self._per_model(lambda m: [m.output_name])

    @property
    def output_descs(self):
        return self._per_model(lambda m: {m.output_name: ''})

    @property
    def output_shapes(self):
        return self._per_model(lambda m: {m.output_name: list(m.output_shape)})

    @property
    def output_dtypes(self):
        return self._per_model(lambda m: {m.output_name: getattr(
            hbDNNDataType, _DTYPE_NAMES[m.output_type])})

    @property
    def output_quants(self):
        return self._per_model(lambda m: {m.output_name: m.output_quant})

    @property
    def output_strides(self):
        # The aligned memory's strides: PrepareOutputArrays wraps the memory with the valid
        # shape and these, so padding is skipped.
        return self._per_model(lambda m: {m.output_name: _strides(
            m.output_aligned_shape, m.output_dtype.itemsize)})

    @property
    def model_descs(self):
        return self._per_model(lambda m: '')

    @property
    def hbm_descs(self):
        return {m.path: '' for m in self._models.values()}

    @property
    def sched_params(self):
        return dict(self._sched)

    def set_scheduling_params(self, priority=None, bpu_cores=None, custom_id=None,
                              device_id=None):
        """Update scheduling parameters, dicts keyed by model name (validated)."""
        for name, value in (priority or {}).items():
            self._known(name, 'priority setting')
            if not 0 <= int(value) <= 255:
                raise RuntimeError('Priority value for model "{}" is out of valid range '
                                   '[0, 255]: {}'.format(name, value))
            self._sched[name].priority = int(value)
        for name, cores in (bpu_cores or {}).items():
            self._known(name, 'bpu_cores')
            for core in cores:
                if not 0 <= int(core) <= 3:
                    raise RuntimeError('Invalid BPU core ID for model "{}": {} (valid range: '
                                       '[0, 3])'.format(name, core))
            self._sched[name].bpu_cores = [int(c) for c in cores]
        for name, value in (custom_id or {}).items():
            self._known(name, 'custom_id setting')
            self._sched[name].customId = int(value)
        for name, value in (device_id or {}).items():
            self._known(name, 'device_id setting')
            self._sched[name].deviceId = int(value)

    def _known(self, name, what):
        if name not in self._models:
            raise RuntimeError('Invalid model name in {}: "{}". This model is not in the '
                               'loaded model list.'.format(what, name))

    # ---- inference ------------------------------------------------------------------------

    def run(self, *args, **kwargs):
        """Run a model on an ndarray, {input: ndarray} or {model: {input: ndarray}}."""
        for key in ('input_tensor', 'input_tensors', 'multi_input_tensors'):
            if key in kwargs and not args:
                args = (kwargs.pop(key),)
        arg = args[0] if len(args) == 1 else None
        expected = next(iter(self._models.values())).input_mem.size
        call = _core.record(self._first_path(), _first_array(arg), expected)
        if len(args) != 1:
            raise TypeError('run(): incompatible function arguments')
        multi = self._as_multi(arg, kwargs)
        if not self._running_lock.acquire(False):
            raise RuntimeError('run() already in use')
        try:
            fail_mode = _core.fault(call)
            if fail_mode:
                raise RuntimeError('hbDNNInfer failed')
            return {name: self._infer(self._models[name], inputs)
                    for name, inputs in multi.items()}
        finally:
            self._running_lock.release()

    def _first_path(self):
        return next(iter(self._models.values())).path

    def _as_multi(self, arg, kwargs):
        """Resolve the three run() forms into {model: {input: C-contiguous ndarray}}."""
        model_name = None
        for key, value in kwargs.items():
            if key != 'model_name':
                raise RuntimeError('Unsupported type in kwargs: ' + key)
            if not isinstance(value, str):
                raise RuntimeError('"model_name" must be a str')
            model_name = value
        if isinstance(arg, np.ndarray):
            name = self._model_name(model_name)
            return {name: {self._models[name].input_name: np.ascontiguousarray(arg)}}
        if isinstance(arg, dict) and arg and all(isinstance(v, np.ndarray)
                                                 for v in arg.values()):
            name = self._model_name(model_name)
            return {name: {k: np.ascontiguousarray(v) for k, v in arg.items()}}
        if isinstance(arg, dict) and arg and all(
                isinstance(v, dict) and all(isinstance(a, np.ndarray) for a in v.values())
                for v in arg.values()):
            if model_name is not None:
                if model_name not in arg:
                    raise RuntimeError('Model name "{}" not found in multi_input_tensors.'
                                       .format(model_name))
                arg = {model_name: arg[model_name]}
            for name in arg:
                if name not in self._models:
                    raise RuntimeError('Model name "{}" is not in the registered model_names.'
                                       .format(name))
            return {n: {k: np.ascontiguousarray(v) for k, v in d.items()}
                    for n, d in arg.items()}
        raise TypeError('run(): incompatible function arguments')

    def _model_name(self, model_name):
        if model_name is not None:
            if model_name not in self._models:
                raise RuntimeError("Provided model_name '{}' is not in the loaded model list."
                                   .format(model_name))
            return model_name
        if len(self._models) != 1:
            raise RuntimeError('extra_args does not provide model_name, but multiple models '
                               'are loaded ({}).'.format(len(self._models)))
        return next(iter(self._models))

    def _infer(self, model, inputs):
        for name in inputs:
            if name != model.input_name:
                raise RuntimeError('Input name "{}" is invalid for model "{}".'.format(
                    name, model.name))
        if model.input_name not in inputs:
            raise RuntimeError('Input "{}" of model "{}" was not given.'.format(
                model.input_name, model.name))
        array = inputs[model.input_name]
        expected = 'B' if model.input_type in _IMAGE_TYPES else \
            support.numeric_dtype(model.input_type).char
        if array.dtype.char != expected:
            raise RuntimeError("Data type mismatch for input tensor '{}' in model '{}': "
                               "expected numpy dtype format '{}', but received '{}'".format(
                                   model.input_name, model.name, expected, array.dtype.char))
        if model.input_type not in _IMAGE_TYPES:
            _check_shape(model, array)
        raw = array.reshape(-1).view(np.uint8)
        count = min(raw.size, model.input_mem.size)
        model.input_mem[:count] = raw[:count]
        try:
            scores = _core.score(model.input_mem.copy(), model.width, model.height,
                                 model.path, int(np.prod(model.output_shape)))
        except Exception as exc:
            raise RuntimeError('hbDNNInfer failed (stand-in scorer: {}: {})'.format(
                type(exc).__name__, exc)) from exc
        if scores.size != int(np.prod(model.output_shape)):
            raise RuntimeError('stand-in scorer gave {} scores for a {} output'.format(
                scores.size, model.output_shape))
        scale = model.output_scale if model.output_quant.quant_type == \
            hbDNNQuantiType.SCALE else None
        memory = support.padded(support.quantise(scores, model.output_dtype, scale),
                                model.output_shape, model.output_aligned_shape,
                                model.output_dtype)
        # MakeNumpyArrayWithCapsule(valid shape, the tensor's strides, its memory): a view.
        return {model.output_name: memory[tuple(slice(0, v) for v in model.output_shape)]}


def _first_array(arg):
    """Return the array a run() argument holds (for the call record), or the argument."""
    while isinstance(arg, dict) and arg:
        arg = next(iter(arg.values()))
    return arg


def _check_shape(model, array):
    # PrepareInputValidShape: same number of dims, each equal.
    if array.ndim != len(model.input_shape):
        raise RuntimeError('Mismatch in tensor dimensions for model: {}, input: {}, input data '
                           'ndim = {}, model numDimensions = {}'.format(
                               model.name, model.input_name, array.ndim,
                               len(model.input_shape)))
    for index, (got, want) in enumerate(zip(array.shape, model.input_shape)):
        if got != want:
            raise RuntimeError('Mismatch in tensor dimension at index {} for model: {}, input: '
                               '{}. input data dim = {}, model expected dim = {}'.format(
                                   index, model.name, model.input_name, got, want))


reset()
