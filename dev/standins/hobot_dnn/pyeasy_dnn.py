# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""STAND-IN for `hobot_dnn.pyeasy_dnn` (the RDK X5 BPU runtime's Python module). Not the real one.

Written by us from the X5 binding's public source (D-Robotics/x5-hobot-spdev,
src/python/dnn_python.cpp; function names below are that file's) so the BPU backend can be
tested on machines without a BPU. What it reproduces, point by point:

* load(str or list of str) -> list of Model, one per file (Dnnpy_load). A failure sets an
  error and returns None, which CPython turns into SystemError with the error as __cause__:
  RuntimeError('hbDNNInitializeFromFiles failed') for a file that does not load, TypeError for
  an argument that is not a str/list (of str) (Dnnpy_load, create_and_load_model).
* Model.name, .inputs, .outputs (new tensor objects on every access: model_get_tensor_inputs/
  outputs), .estimate_latency (a stored number, meaningless), .forward(arg, core_id=0,
  priority=0) -> the output tensors (Model_forward).
* Tensor.properties (tensor_type and dtype strings from the TensorType table, dtype 'uint8'
  for the image types; layout from {0: NHWC, 2: NCHW, 255: NONE}; shape = validShape;
  scale_data = the scale array, empty when the tensor has none, e.g. SHIFT-quantised;
  alignedShape and validShape = the ADDRESS (an int) of a C copy of the hbDNNTensorShape
  struct, int32 dimensionSize[8] then int32 numDimensions: nothing Python can read without
  dereferencing it) and .buffer: a 4-D COPY of the tensor's memory on every access
  (buffer_2_numpy), only for int8, int16, int32 and float32; any other type comes back as
  int8 bytes (buffer_2_pyarray). The next forward overwrites that memory.
* Aligned (padded) outputs: the output's memory has the ALIGNED shape, with the valid values
  at their row-major places in it, and .buffer copies the valid shape's element count from the
  start of that memory as it lies (buffer_2_numpy), so a padded output comes back scrambled
  unless its valid values form the memory's prefix (only its last dimension above 1). Which
  shapes the compiler pads is the stand-in's choice (standin_support.output_aligned_shape:
  integer outputs' last dimension to 4 elements, from hbdk-sim's 16,000-byte output memory
  for the int32 1x1000x1x1 output of the X5-compiled fixture; floats, the .bin's CPU-step
  outputs, unpadded) or configure(output_aligned_shape=...).
* forward(arg) (Model_forward, forward):
  - a numpy array: its data pointer is used with size = the PRODUCT OF ITS DIMS, i.e. its
    element count taken as a byte count; the array is not converted or checked;
  - a list/tuple: every item must be a numpy array (else TypeError -> SystemError); each is
    cast to uint8 by value (PyArray_FROM_OTF with NPY_UBYTE, FORCECAST), one per input;
    more items than the model has inputs -> RuntimeError -> SystemError; an empty list
    runs on the old input memory;
  - anything else: prints "arg_obj is NOT a container." and runs on the old input memory;
  - a size <= 0 (an empty array) fails: RuntimeError('forward execution failed.') set and
    None returned -> SystemError;
  - RGB inputs: each byte of the CALLER's array is replaced, in place, by
    clamp(byte - 128, 0, 255) before the copy;
  - NV12/Y: `size` bytes are copied into the input memory with no bound check (too many
    corrupt memory: here the excess is dropped and the record says overflow; too few leave
    the previous frame's bytes); NV12_SEPARATE: size/3*2 bytes to the Y plane, size/3 to UV;
  - bad core_id/priority types: TypeError('Failed to parse arguments.') -> SystemError.
  The GIL is held for the whole call (no Py_BEGIN_ALLOW_THREADS anywhere in the file).

What it cannot reproduce: the BPU itself (timing, numerics of the real hardware), memory
corruption from oversized input, the use-after-free of cast list items (Model_forward drops
the cast array before forward reads it), reading a strided array's memory linearly from its
first element (the stand-in copies in element order), the input tensor's .buffer (the real
one reads the valid shape's element count, for NV12 twice the buffer), the contents of
padding (zeros here), which shapes the real compiler pads, reload leaks (the shape structs
behind alignedShape/validShape live as long as their properties object here; the real
getters leak one per access).

What it adds for tests (not in the real module):

* Every forward() call is RECORDED in `forward_log` (standin_support.ForwardRecord) before
  anything else happens, so a test can prove a wrong buffer never reached forward(). With
  $PYEASY_DNN_STANDIN_LOG set, one line per call is also appended to that file.
* Real scores: the NV12 bytes that landed in input memory are scored by the default scorer
  (hbdk-sim for a compiled X5 .bin, else our ONNX model; standin_support.StandinCore) or by
  set_scorer(fn) / $PYEASY_DNN_STANDIN_SCORER='package.module:function'.
* Board timing mode ($PYEASY_DNN_STANDIN_BOARD_MS=2.95 or configure(board_ms=2.95)): each
  forward holds the GIL for that long with the CPU idle and scores with a cheap input
  projection, like the X5 from Python's point of view.
* Model shape and output type: configure(...) (or env vars), e.g. an RGB input, an int32
  output with scale_data (the stand-in quantises the scorer's floats: q = round(s / scale)),
  its layout (output_layout NCHW/NHWC) and aligned shape.
* Fault injection: set_faults(...) (or env vars): every Nth forward fails, every forward from
  call N fails, every Nth forward sleeps S seconds first, load() fails. fail_mode 'none'
  returns a bare None (NOT what the X5 binding does: it always sets RuntimeError first, so
  Python sees SystemError; kept to exercise the backend's None guard).
* Hangs and crashes as the X5 runtime has them (per process, counting every call):
  GIL_HANG_EVERY=N with GIL_HANG_S=S holds the GIL for S s on calls N, 2N, ... (CPU idle);
  CRASH_AT=N kills the process with SIGSEGV on call N.

Environment variables (read at import and by reset()), prefix PYEASY_DNN_STANDIN_:
SCORER, ONNX, INPUT_TYPE, INPUT_SIZE (WxH), OUTPUT_TYPE, OUTPUT_SCALE, OUTPUT_LAYOUT,
FAIL_EVERY, FAIL_FROM,
FAIL_MODE, SLEEP_EVERY, SLEEP_S, FAIL_LOAD, LOG, BOARD_MS, GIL_HANG_EVERY, GIL_HANG_S,
CRASH_AT.
"""

import ctypes
import os
import sys
import threading

import numpy as np
import standin_support as support
from standin_support import file_nv12_range, ForwardRecord  # noqa: F401 (part of the API)

STAND_IN = True

# dnn_python.cpp TensorType: index = hbDNNDataType value.
TENSOR_TYPES = ('Y', 'NV12', 'NV12_SEPARATE', 'YUV444', 'RGB', 'BGR', 'int4', 'uint4', 'int8',
                'uint8', 'float16', 'int16', 'uint16', 'float32', 'int32', 'uint32',
                'float64', 'int64', 'uint64')
IMAGE_TYPES = TENSOR_TYPES[:6]
# buffer_2_pyarray: the only types .buffer returns as themselves; the rest come back as int8.
BUFFER_TYPES = ('int8', 'int16', 'int32', 'float32')

_core = support.StandinCore('PYEASY_DNN_STANDIN_')
forward_log = _core.forward_log
# The test controls, shared with the other stand-in (standin_support.StandinCore).
reset, configure, set_faults, set_scorer, clear_log, forward_calls = _core.controls()


def _error_return(callable_name, cause):
    # A C function that sets an error and returns None (Py_RETURN_NONE after PyErr_SetString):
    # CPython raises SystemError with that error as __cause__.
    raise SystemError('<built-in method {}> returned a result with an error set'.format(
        callable_name)) from cause


def load(model_file):
    """Load one model per file: a str or a list of str (Dnnpy_load)."""
    if isinstance(model_file, str):
        files = [model_file]
    elif isinstance(model_file, list):
        files = model_file
    else:
        _error_return('load', TypeError('model_file must be a string or a list'))
    models = []
    for path in files:
        if not isinstance(path, str):
            _error_return('load', TypeError('model_file must be a string or a list of strings'))
        if (_core.state['fail_load'] or not os.path.isfile(path)
                or os.path.getsize(path) == 0):
            _error_return('load', RuntimeError('hbDNNInitializeFromFiles failed'))
        models.append(Model(path, dict(_core.state)))
    return models


# hbDNNTensorShape: int32_t dimensionSize[HB_DNN_TENSOR_MAX_DIMENSIONS = 8]; int32_t numDimensions.
_TensorShape = ctypes.c_int32 * 9


def _shape_struct(shape):
    return _TensorShape(*(list(shape) + [0] * (8 - len(shape)) + [len(shape)]))


class TensorProperties(object):
    """Plain values, like the runtime's properties object (rebuilt on every access)."""

    def __init__(self, tensor_type, layout, shape, scale, aligned_shape=None):
        self.tensor_type = tensor_type
        # tensorproperties_get_dtype: image types report 'uint8'.
        self.dtype = 'uint8' if tensor_type in IMAGE_TYPES else tensor_type
        self.layout = layout
        self.shape = tuple(shape)
        self.scale_data = np.array(scale if scale is not None else [], dtype=np.float32)
        # tensorproperties_get_alignedshape/_validshape: PyLong_FromVoidPtr of a struct copy.
        self._structs = (_shape_struct(aligned_shape or shape), _shape_struct(shape))
        self.alignedShape, self.validShape = (ctypes.addressof(x) for x in self._structs)


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
        # buffer_2_pyarray treats an image type as int8 with the valid shape's element count:
        # for NV12 (1, 3, H, W) that is twice the buffer (an over-read). Here: the buffer's own
        # bytes, as int8.
        return self._model._input_mem.copy().view(np.int8).reshape(1, -1, 1, 1)


class _OutputTensor(object):
    def __init__(self, model):
        self._model = model
        self.name = model.output_name

    @property
    def properties(self):
        m = self._model
        scale = m.output_scale if m.output_dtype.kind in 'iu' else None
        return TensorProperties(m.output_type, m.output_layout, m.output_shape, scale,
                                m.output_aligned_shape)

    @property
    def buffer(self):
        # A copy of the model's output memory as it is NOW (the next forward overwrites it):
        # the valid shape's element count from the start of the (aligned) memory.
        m = self._model
        return _as_buffer(m._output_mem.view(np.uint8), m.output_type, m.output_shape)


def _as_buffer(raw_bytes, tensor_type, shape):
    """Return what .buffer gives for a tensor's memory (buffer_2_pyarray/buffer_2_numpy).

    Types other than int8/int16/int32/float32 come back as int8, one byte per element of the
    valid shape; always 4-D.
    """
    shape = tuple(shape) + (1,) * (4 - len(shape))
    if tensor_type in BUFFER_TYPES:
        dtype = support.numeric_dtype(tensor_type)
    else:
        dtype = np.dtype(np.int8)
    count = int(np.prod(shape[:4]))
    raw = np.asarray(raw_bytes).reshape(-1).view(np.uint8)[:count * dtype.itemsize]
    return raw.copy().view(dtype).reshape(shape[:4])


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
        self.output_dtype = support.numeric_dtype(self.output_type)
        self.output_scale = settings['output_scale']
        self.output_name = settings['output_name']
        self.output_layout = settings['output_layout']
        self.output_shape = support.output_valid_shape(settings)
        self.output_aligned_shape = support.output_aligned_shape(settings, self.output_dtype)
        self._input_mem = np.zeros(self.input_width * self.input_height * 3 // 2, np.uint8)
        self._output_mem = np.zeros(self.output_aligned_shape, self.output_dtype)
        self._lock = threading.Lock()

    @property
    def inputs(self):
        return [_InputTensor(self)]

    @property
    def outputs(self):
        return [_OutputTensor(self)]

    def forward(self, arg, core_id=0, priority=0):
        if not isinstance(core_id, int) or not isinstance(priority, int):
            _error_return('forward', TypeError('Failed to parse arguments.'))
        with self._lock:
            call = _core.record(self.path, arg, self._input_mem.size)
            pieces = self._pieces(arg)
            fail_mode = _core.fault(call)
            if fail_mode == 'none':
                print('hbDNNInfer failed (stand-in fault, call {})'.format(call), file=sys.stderr)
                return None
            if fail_mode or any(size <= 0 for _, size in pieces):
                if fail_mode:
                    print('hbDNNInfer failed (stand-in fault, call {})'.format(call),
                          file=sys.stderr)
                _error_return('forward', RuntimeError('forward execution failed.'))
            for data, size in pieces:  # a one-input model: every piece lands in input 0
                self._copy_in(data, size)
            if self.input_type in ('NV12', 'NV12_SEPARATE', 'Y'):
                try:
                    scores = _core.score(self._input_mem.copy(), self.input_width,
                                         self.input_height, self.path,
                                         int(np.prod(self.output_shape)))
                except Exception as exc:
                    print('stand-in scorer failed: {}: {}'.format(type(exc).__name__, exc),
                          file=sys.stderr)
                    _error_return('forward', RuntimeError('forward execution failed.'))
                self._store(scores)
            return self.outputs

    def _pieces(self, arg):
        """Return [(uint8 bytes, size)] as Model_forward hands them to forward()."""
        if isinstance(arg, np.ndarray):
            # Size = product of the dims (an element count used as a byte count).
            size = int(np.prod(arg.shape)) if arg.ndim else 1
            if self.input_type == 'RGB':
                _minus_128_in_place(arg, size)
            return [(_bytes_of(arg), size)]
        if isinstance(arg, (list, tuple)):
            pieces = []
            for item in arg:
                if not isinstance(item, np.ndarray):
                    _error_return('forward', TypeError(
                        'Each element in arg_obj must be a NumPy array.'))
                cast = np.ascontiguousarray(item.astype(np.uint8, casting='unsafe'))
                pieces.append((cast.reshape(-1), int(cast.size)))
            if len(pieces) > 1:  # "Too many inputs for the model!" (one-input models here)
                _error_return('forward', RuntimeError('forward execution failed.'))
            return pieces
        print('arg_obj is NOT a container.')
        return []

    def _copy_in(self, data, size):
        count = min(size, data.size, self._input_mem.size)
        self._input_mem[:count] = data[:count]

    def _store(self, scores):
        scores = np.asarray(scores, dtype=np.float64).reshape(-1)
        if scores.size != int(np.prod(self.output_shape)):
            _error_return('forward', RuntimeError('stand-in scorer gave {} scores for a {} '
                                                  'output'.format(scores.size,
                                                                  self.output_shape)))
        self._output_mem[...] = support.padded(
            support.quantise(scores, self.output_dtype, self.output_scale), self.output_shape,
            self.output_aligned_shape, self.output_dtype)


def _bytes_of(array):
    """Return the array's memory as flat uint8 (element order; the real one reads linearly)."""
    return np.ascontiguousarray(array).reshape(-1).view(np.uint8)


def _minus_128_in_place(array, size):
    # forward(): for HB_DNN_IMG_TYPE_RGB inputs, data_ptr[i] = clamp(data_ptr[i] - 128, 0, 255)
    # for i < size, written into the caller's own buffer.
    if not (array.flags.c_contiguous and array.flags.writeable):
        return
    raw = array.reshape(-1).view(np.uint8)[:size]
    raw[...] = np.clip(raw.astype(np.int32) - 128, 0, 255).astype(np.uint8)


reset()
