# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""A .bin model on the X5's BPU through pyeasy_dnn (package hobot_dnn / hobot_dnn_rdkx5).

Every guard below answers a fact of the X5 binding's source (D-Robotics/x5-hobot-spdev,
src/python/dnn_python.cpp; the function named in each comment):

* Model_forward takes a numpy array's data pointer with size = the product of its dims and
  copies that many BYTES into device memory with no bound check (forward), so the frame is
  always handed over as one C-contiguous uint8 (H*3/2, W) array (Backend.infer checks it
  first); never a list/tuple (those are cast to uint8 item by item), never anything else
  (printed "arg_obj is NOT a container." and run on the stale input).
* forward() modifies RGB inputs in place (byte - 128): only NV12 models are accepted, so the
  caller's frame is never written to.
* .buffer (buffer_2_pyarray) returns int8, int16, int32 and float32 as themselves and any
  other type as int8 bytes, always 4-D (buffer_2_numpy): other output types and non-4-D
  outputs are refused at load instead of being misread on every frame.
* The properties expose scale_data but not the quantisation type: an integer output without
  scale data (SHIFT-quantised or not quantised) is refused (bpu_session.dequantisation).
* .buffer copies the VALID shape's element count from the start of the output's device
  memory (buffer_2_numpy), which has the ALIGNED shape: when the compiler pads a BPU output
  (the X5-compiled test fixture's int32 1x1000x1x1 output takes 16,000 bytes in hbdk-sim,
  4x its 4,000 valid bytes), the values come back scrambled, and the padded ones are not
  reachable through .buffer at all. The aligned shape itself is not readable either:
  alignedShape gives the address of a C struct (tensorproperties_get_alignedshape), not
  values. Only an output whose valid values lie first in memory whatever the padding, i.e.
  whose only dimension above 1 is the last (e.g. NHWC (1, 1, 1, 1000)), is read right for
  sure; other integer outputs are refused (hbm_runtime reads outputs with their strides).
  Float outputs come from the .bin's CPU steps (its Dequantize), whose tensors are not
  padded.
* Failures set an error and return None (Model_forward, Dnnpy_load), which Python raises as
  SystemError; .buffer copies on every access and the next forward overwrites the memory,
  so each output is read once, right after forward, under the backend's lock.
"""

import numpy as np

from resnet_x5_ros.backends.base import BackendError, ModelError
from resnet_x5_ros.backends.bpu_runtimes import PYEASY_DNN
from resnet_x5_ros.backends.bpu_session import (FLOAT_OUTPUT_HINT, int_shape, not_packed_nv12,
                                                nv12_input_size, Session, shape_text)

# tensor_type strings of numeric tensors (dnn_python.cpp TensorType) -> numpy dtype.
TENSOR_DTYPES = {
    'int8': np.int8, 'uint8': np.uint8, 'int16': np.int16, 'uint16': np.uint16,
    'int32': np.int32, 'uint32': np.uint32, 'int64': np.int64, 'uint64': np.uint64,
    'float16': np.float16, 'float32': np.float32, 'float64': np.float64,
}
# buffer_2_pyarray: the output types .buffer returns faithfully.
BUFFER_TYPES = ('int8', 'int16', 'int32', 'float32')


class PyeasyDnnSession(Session):
    """One model loaded with pyeasy_dnn.load(); see bpu_session for the interface."""

    kind = PYEASY_DNN

    def __init__(self, runtime, runtime_name, path, output_index=0, core_id=0, priority=0):
        self.path = path
        self._core_id, self._priority = int(core_id), int(priority)
        try:
            models = runtime.load(path)
        except Exception as exc:
            raise ModelError('{}: {}.load() failed: {}: {}'.format(
                path, runtime_name, type(exc).__name__, exc)) from None
        try:
            model = models[0]
            self.model_name = str(model.name)
            inputs = list(model.inputs)
            outputs = list(model.outputs)
        except Exception as exc:
            raise ModelError('{}: {}.load() gave no usable model ({}: {})'.format(
                path, runtime_name, type(exc).__name__, exc)) from None
        self._parse_input(inputs)
        self._parse_output(outputs, int(output_index))
        self._model = model

    def _parse_input(self, inputs):
        path = self.path
        if len(inputs) != 1:
            raise ModelError('{}: model has {} inputs; only single-input NV12 models are '
                             'supported'.format(path, len(inputs)))
        tensor = inputs[0]
        props = tensor.properties
        tensor_type = str(props.tensor_type)
        if tensor_type != 'NV12':
            raise not_packed_nv12(path, str(tensor.name), tensor_type)
        shape = int_shape(props.shape, 'input', path)
        self.input_width, self.input_height, self.input_layout = nv12_input_size(
            path, shape, str(props.layout))

    def _parse_output(self, outputs, index):
        path = self.path
        if not 0 <= index < len(outputs):
            raise ModelError('{}: output index {} out of range (model has {} outputs)'.format(
                path, index, len(outputs)))
        tensor = outputs[index]
        props = tensor.properties
        name, tensor_type = str(tensor.name), str(props.tensor_type)
        if tensor_type not in TENSOR_DTYPES:
            raise ModelError('{}: output {!r} is of type {}, not a numeric tensor'.format(
                path, name, tensor_type))
        if tensor_type not in BUFFER_TYPES:
            raise ModelError('{}: output {!r} is {}; pyeasy_dnn returns only {} outputs as '
                             'they are (others come back as int8 bytes): use bpu_runtime: '
                             'hbm_runtime or compile a float32 output'.format(
                                 path, name, tensor_type, '/'.join(BUFFER_TYPES)))
        shape = int_shape(props.shape, 'output', path)
        if len(shape) != 4:
            raise ModelError('{}: output {!r} shape {} is not 4-D; pyeasy_dnn reads outputs '
                             'as 4-D'.format(path, name, shape))
        self.set_output(index, name, tensor_type, np.dtype(TENSOR_DTYPES[tensor_type]), shape,
                        getattr(props, 'scale_data', None))
        if self.output_dtype.kind in 'iu' and any(d != 1 for d in shape[:-1]):
            raise ModelError('{}: output {!r} is {} of shape {}: its device memory may be padded '
                             '(aligned shape), which pyeasy_dnn neither shows nor undoes (.buffer '
                             'copies the first {} values as they lie), so every frame could be '
                             'misread: use bpu_runtime: hbm_runtime (it reads outputs with their '
                             'strides) or {}'.format(path, name, tensor_type, shape,
                                                     self.num_classes, FLOAT_OUTPUT_HINT))

    def infer(self, flat_nv12):
        """Run one validated flat NV12 frame; return the raw output array (read once)."""
        model = self._model
        # 2-D uint8: the product of the dims (Model_forward's size) is the byte count.
        frame = flat_nv12.reshape(self.input_height * 3 // 2, self.input_width)
        if self._core_id or self._priority:
            outs = model.forward(frame, core_id=self._core_id, priority=self._priority)
        else:
            outs = model.forward(frame)
        if outs is None:
            raise BackendError('bpu forward() returned None (the runtime printed the reason)')
        # .buffer copies the device memory on each access and the next forward overwrites
        # it: read the output exactly once, here, under the backend's lock.
        outs = list(outs)
        if len(outs) <= self.output_index:
            raise BackendError('bpu forward() returned {} outputs, expected at least {}'.format(
                len(outs), self.output_index + 1))
        return outs[self.output_index].buffer

    def tensor_rows(self):
        """Return the runtime's own view of the model's tensors (for board_check)."""
        rows = []
        for io, tensors in (('input', self._model.inputs), ('output', self._model.outputs)):
            for tensor in tensors:
                p = tensor.properties
                # Every field read defensively: the report must show whatever is there.
                scale = getattr(p, 'scale_data', None)
                rows.append({'io': io, 'name': str(getattr(tensor, 'name', '?')),
                             'tensor_type': str(getattr(p, 'tensor_type', '?')),
                             'dtype': str(getattr(p, 'dtype', '?')),
                             'layout': str(getattr(p, 'layout', '?')),
                             'shape': shape_text(getattr(p, 'shape', ())),
                             'scale_data': int(np.asarray(scale).size)
                             if scale is not None else 0})
        return rows

    def close(self):
        # pyeasy_dnn has no unload (freeing a Model does not release it); drop our reference.
        self._model = None
