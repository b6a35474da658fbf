# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""BPU backend: a Horizon/D-Robotics .bin model on the RDK X5's BPU.

Two runtimes can run it (bpu_runtimes: which one, and why 'auto' prefers pyeasy_dnn):
pyeasy_dnn (bpu_pyeasy) and hbm_runtime (bpu_hbm). Both trust their caller: pyeasy_dnn copies
whatever it gets into device memory, hbm_runtime checks the dtype but not an NV12 input's
shape. This module is the careful caller for both:

* the NV12 buffer is checked (Backend.infer) before every call and handed over in the
  layout the runtime counts bytes from (bpu_pyeasy/bpu_hbm);
* at load, the runtime's session refuses what it cannot run or return faithfully (non-NV12
  inputs, output types the runtime misreads, integer outputs without usable quantisation);
* the call and the reading of its output happen under one lock, so the scores returned
  belong to the frame that was sent and no runtime object is ever called re-entrantly;
* float outputs are used as they are; quantised integer outputs become
  (q - zero_point) * scale (one scale or one per class);
* runtime exceptions become BackendError (ModelError while loading).
"""

import threading

import numpy as np

from resnet_x5_ros import colour_range
from resnet_x5_ros.backends.base import (Backend, BackendError, check_model_file,
                                         looks_like_probabilities, ModelError)
from resnet_x5_ros.backends.binfile import read_bin_nv12_range
from resnet_x5_ros.backends.bpu_hbm import HbmRuntimeSession
from resnet_x5_ros.backends.bpu_pyeasy import PyeasyDnnSession, TENSOR_DTYPES  # noqa: F401
from resnet_x5_ros.backends.bpu_runtimes import (  # noqa: F401 (this module's API)
    bpu_runtime_available, bpu_runtime_status, BPU_RUNTIMES, check_bpu_runtime, HBM_RUNTIME,
    import_runtime, PYEASY_DNN, runtime_kind, runtime_label, RUNTIME_MODULES)

DEFAULT_BPU_MODEL = '/opt/hobot/model/x5/basic/resnet18_224x224_nv12.bin'
MODEL_ZOO_HINT = ('the RDK model zoo publishes ResNet18_224x224_nv12.bin '
                  '(github.com/D-Robotics/rdk_model_zoo, samples/vision/resnet; '
                  'https://archive.d-robotics.cc/downloads/rdk_model_zoo/rdk_x5/'
                  'resnet18_224x224_nv12.bin); download it or set model_path (off the '
                  'board: backend cpu)')
SESSIONS = {PYEASY_DNN: PyeasyDnnSession, HBM_RUNTIME: HbmRuntimeSession}


def _with_cause(exc):
    # pyeasy_dnn sets a RuntimeError and returns None (dnn_python.cpp), which Python raises as
    # SystemError("... returned a result with an error set") chained to that RuntimeError: the
    # runtime's own words are in the cause.
    cause = exc.__cause__ or exc.__context__
    return '{} ({}: {})'.format(exc, type(cause).__name__, cause) if cause is not None else exc


class BpuBackend(Backend):
    """A .bin model on the BPU through pyeasy_dnn or hbm_runtime. Options: see __init__."""

    name = 'bpu'

    def __init__(self, model_path='', nv12_range='auto', runtime=None, bpu_runtime='auto',
                 output_index=0, core_id=0, priority=0, warmup=True):
        """Load a .bin model.

        model_path: '' = DEFAULT_BPU_MODEL.
        nv12_range: 'auto' = the range recorded in the .bin (full when absent), or
            'full'/'video' to override.
        runtime: a runtime module to use (pyeasy_dnn-like, or hbm_runtime-like if it has
            HB_HBMRuntime); default: import_runtime(bpu_runtime).
        bpu_runtime: 'auto' (pyeasy_dnn if it imports, else hbm_runtime), 'pyeasy_dnn' or
            'hbm_runtime'.
        output_index: which output holds the class scores (ResNet18: its only output).
        core_id, priority: BPU core and priority when not 0.
        warmup: run one grey frame at load: proves the BPU is usable (permissions) before the
            first camera frame, and tells whether the output is already probabilities.
        """
        super().__init__()
        check_bpu_runtime(bpu_runtime)
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
            runtime, runtime_name, reasons = import_runtime(bpu_runtime)
            if runtime is None:
                raise BackendError('bpu backend: no BPU runtime{} imports ({})'.format(
                    '' if bpu_runtime == 'auto' else ' ' + bpu_runtime, '; '.join(reasons)))
            kind = runtime_kind(runtime_name)
        else:
            runtime_name = getattr(runtime, '__name__', type(runtime).__name__)
            kind = HBM_RUNTIME if hasattr(runtime, 'HB_HBMRuntime') else PYEASY_DNN
        self.runtime_name = runtime_label(runtime, runtime_name)
        self.runtime_kind = kind

        recorded = read_bin_nv12_range(path)
        self.nv12_range = colour_range.resolve(
            nv12_range, recorded or colour_range.DEFAULT_RANGE, 'nv12_range')
        if nv12_range in (None, '', colour_range.AUTO):
            range_note = ('recorded in the .bin' if recorded else
                          'no INPUT_SPACE_AND_RANGE in the .bin: assuming {}'.format(
                              colour_range.DEFAULT_RANGE))
        else:
            range_note = 'parameter' + (', the .bin says {}'.format(recorded)
                                        if recorded and recorded != nv12_range else '')

        session = SESSIONS[kind](runtime, runtime_name, path, int(output_index),
                                 int(core_id), int(priority))
        self.bpu_model_name = session.model_name
        self.input_width, self.input_height = session.input_width, session.input_height
        self.num_classes = session.num_classes
        self._session = session
        self._lock = threading.Lock()
        self.outputs_probabilities = None
        if warmup:
            grey = np.full(self.input_nbytes, 128, dtype=np.uint8)
            try:
                scores = self._run(grey)
            except BackendError as exc:
                raise BackendError('{}: warm-up inference failed: {}'.format(path, exc)) from exc
            self.outputs_probabilities = looks_like_probabilities(scores)
        kind_text = {True: 'probabilities', False: 'not probabilities'}.get(
            self.outputs_probabilities, 'kind unknown')
        self.description = (
            'bpu: {}, model {} ({}), input {}x{} NV12 {}, {} range ({}), output {!r} {} x{}{}, '
            '{}{}'.format(
                self.runtime_name, path, session.model_name, self.input_width,
                self.input_height, session.input_layout, self.nv12_range, range_note,
                session.output_name, session.output_type, self.num_classes,
                session.quant_note, kind_text, ' (warm-up)' if warmup else ''))

    def tensor_rows(self):
        """Return the runtime's own view of the model's tensors (dicts, for board_check)."""
        with self._lock:
            if self._session is None:
                raise BackendError('bpu backend is closed')
            return self._session.tensor_rows()

    def _run(self, flat_nv12):
        with self._lock:
            session = self._session
            if session is None:
                raise BackendError('bpu backend is closed')
            try:
                raw = session.infer(flat_nv12)
            except BackendError:
                raise
            except Exception as exc:
                raise BackendError('bpu inference failed ({}): {}'.format(
                    type(exc).__name__, _with_cause(exc))) from exc
            return self._decode(session, raw)

    def _decode(self, session, raw):
        if not isinstance(raw, np.ndarray):
            raise BackendError('bpu output {!r} buffer is {}, not a numpy array'.format(
                session.output_name, type(raw).__name__))
        if raw.dtype != session.output_dtype:
            raise BackendError('bpu output {!r} is declared {} but the runtime returned {} data'
                               .format(session.output_name, session.output_type, raw.dtype))
        if raw.size != self.num_classes:
            raise BackendError('bpu output {!r} has {} values, expected {}'.format(
                session.output_name, raw.size, self.num_classes))
        scores = np.array(raw.reshape(-1), dtype=np.float32)
        if session.zero_point is not None:
            scores -= session.zero_point
        if session.scale is not None:
            scores *= session.scale
        return scores

    def _close(self):
        with self._lock:
            session, self._session = self._session, None
        if session is not None:
            session.close()
