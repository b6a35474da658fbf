# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""A .bin model on the X5's BPU through hbm_runtime (default Python runtime since RDK OS 3.5.0).

Facts it is written against (D-Robotics/x5-hobot-spdev: python/hbm_runtime/HB_HBMRuntime.pyi
and the compiled X5 module; the binding's C++ source as published for the S-series,
HB_HBMRuntime.cc, function names below; the RDK model zoo's X5 samples):

* HB_HBMRuntime(path) loads the models of one file; every property is a dict keyed by model
  name. Failures are C++ exceptions: RuntimeError (std::runtime_error), ValueError
  (std::invalid_argument), TypeError (no matching overload).
* run(array, model_name=...) checks the dtype (CheckInputDtypeCompatibility: uint8 for NV12)
  but not an image input's shape, and copies itemsize x element-count bytes when that equals
  the tensor's aligned size, else takes a padding path that follows the model's strides
  (PrepareInputTensorData): the frame is handed over as exactly H*W*3/2 uint8 bytes, shaped
  (1, H*3/2, W, 1) as the model zoo's X5 samples fed it (their current code passes the same
  bytes flat, with board evidence that both work).
* run() is not re-entrant: a second call on one object while one runs raises
  RuntimeError('run() already in use') (run: running_flag). The backend's lock serialises.
* Outputs come back as new arrays of the output's own dtype (MakeNumpyArrayWithCapsule), so
  every numeric type is faithful; S4/U4/BOOL8 have no numpy equivalent and are refused.
* output_quants gives the quantisation type: integer outputs need SCALE with scale data
  (score = (q - zero_point) * scale); the X5 binding names NONE and SCALE only, so a
  SHIFT-quantised output shows up unnamed and is refused, like NONE.
* set_scheduling_params(priority={model: 0..255}, bpu_cores={model: [ids]}) replaces
  pyeasy_dnn's forward(core_id=, priority=).
"""

import numpy as np

from resnet_x5_ros.backends.base import BackendError, ModelError, one_line
from resnet_x5_ros.backends.bpu_runtimes import HBM_RUNTIME
from resnet_x5_ros.backends.bpu_session import (int_shape, not_packed_nv12, nv12_input_size,
                                                Session, shape_text)

# hbDNNDataType names of numeric tensors -> numpy dtype (HbDNNTypeToNumpyFormat).
DATA_TYPES = {
    'S8': np.int8, 'U8': np.uint8, 'F16': np.float16, 'S16': np.int16, 'U16': np.uint16,
    'F32': np.float32, 'S32': np.int32, 'U32': np.uint32, 'F64': np.float64,
    'S64': np.int64, 'U64': np.uint64,
}


def enum_name(value):
    """Return a pybind11 enum value's name (e.g. 'NV12'); '???' for an unnamed value."""
    name = getattr(value, 'name', None)
    if isinstance(name, str) and name:
        return name
    return str(value).rsplit('.', 1)[-1]


class HbmRuntimeSession(Session):
    """One model loaded with hbm_runtime.HB_HBMRuntime; see bpu_session for the interface."""

    kind = HBM_RUNTIME

    def __init__(self, runtime, runtime_name, path, output_index=0, core_id=0, priority=0):
        self.path = path
        try:
            engine = runtime.HB_HBMRuntime(path)
            names = [str(n) for n in engine.model_names]
        except Exception as exc:
            raise ModelError('{}: {}.HB_HBMRuntime() failed: {}: {}'.format(
                path, runtime_name, type(exc).__name__, exc)) from None
        if not names:
            raise ModelError('{}: {} found no model in the file'.format(path, runtime_name))
        # Like pyeasy_dnn.load(), which runs the first model of a file.
        self.model_name = names[0]
        try:
            self._parse_input(engine)
            self._parse_output(engine, int(output_index))
            if priority:
                engine.set_scheduling_params(priority={self.model_name: int(priority)})
            if core_id:
                engine.set_scheduling_params(bpu_cores={self.model_name: [int(core_id)]})
        except ModelError:
            raise
        except Exception as exc:
            raise ModelError('{}: {} model {!r}: {}: {}'.format(
                path, runtime_name, self.model_name, type(exc).__name__, exc)) from None
        self._engine = engine

    def _parse_input(self, engine):
        path, model = self.path, self.model_name
        inputs = [str(n) for n in engine.input_names[model]]
        if len(inputs) != 1:
            raise ModelError('{}: model has {} inputs; only single-input NV12 models are '
                             'supported'.format(path, len(inputs)))
        name = inputs[0]
        tensor_type = enum_name(engine.input_dtypes[model][name])
        if tensor_type != 'NV12':
            raise not_packed_nv12(path, name, tensor_type)
        shape = int_shape(engine.input_shapes[model][name], 'input', path)
        # hbm_runtime reports no layout: nv12_input_size finds the axis of size 3.
        self.input_width, self.input_height, self.input_layout = nv12_input_size(
            path, shape, '')
        self.input_name = name

    def _parse_output(self, engine, index):
        path, model = self.path, self.model_name
        outputs = [str(n) for n in engine.output_names[model]]
        if not 0 <= index < len(outputs):
            raise ModelError('{}: output index {} out of range (model has {} outputs)'.format(
                path, index, len(outputs)))
        name = outputs[index]
        tensor_type = enum_name(engine.output_dtypes[model][name])
        if tensor_type not in DATA_TYPES:
            raise ModelError('{}: output {!r} is of type {}, which has no numpy '
                             'equivalent'.format(path, name, tensor_type))
        shape = int_shape(engine.output_shapes[model][name], 'output', path)
        quant = engine.output_quants[model][name]
        self.set_output(index, name, tensor_type, np.dtype(DATA_TYPES[tensor_type]), shape,
                        getattr(quant, 'scale', None), getattr(quant, 'zero_point', None),
                        enum_name(getattr(quant, 'quant_type', '')))

    def infer(self, flat_nv12):
        """Run one validated flat NV12 frame; return the raw output array."""
        frame = flat_nv12.reshape(1, self.input_height * 3 // 2, self.input_width, 1)
        result = self._engine.run(frame, model_name=self.model_name)
        try:
            return result[self.model_name][self.output_name]
        except (KeyError, TypeError, IndexError) as exc:
            raise BackendError('bpu run() result has no output {!r} of model {!r} ({})'.format(
                self.output_name, self.model_name, one_line(exc, 120))) from exc

    def tensor_rows(self):
        """Return the runtime's own view of the model's tensors (for board_check)."""
        engine, model = self._engine, self.model_name
        rows = []
        for io in ('input', 'output'):
            names = getattr(engine, io + '_names')[model]
            shapes = getattr(engine, io + '_shapes')[model]
            dtypes = getattr(engine, io + '_dtypes')[model]
            quants = getattr(engine, io + '_quants')[model]
            for name in names:
                quant = quants.get(name)
                tensor_type = enum_name(dtypes.get(name))
                dtype = DATA_TYPES.get(tensor_type)
                # The same columns as pyeasy_dnn's rows (hbm_runtime reports no layout), plus
                # the quantisation type only hbm_runtime reports.
                rows.append({'io': io, 'name': str(name), 'tensor_type': tensor_type,
                             'dtype': np.dtype(dtype).name if dtype else 'uint8',
                             'layout': '-', 'shape': shape_text(shapes.get(name, ())),
                             'scale_data': int(np.asarray(getattr(quant, 'scale', ())).size),
                             'quant_type': enum_name(getattr(quant, 'quant_type', '?'))})
        return rows

    def close(self):
        # Dropping the object releases the model (~HB_HBMRuntime calls hbDNNRelease).
        self._engine = None
