# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""CPU backend: an ONNX ImageNet classifier on ONNX Runtime, fed the same NV12 as the BPU.

The BPU .bin takes NV12 and does colour conversion and normalisation inside the model. To give
the node one interface, this backend does the same work in front of the ONNX graph: NV12 -> RGB
with the exact inverse of our own conversion (resnet_x5_ros.convert.colour), then
(x - mean) / std from the model's sidecar, in the sidecar's channel order and layout,
float32, batch 1.
"""

import os

import numpy as np

from resnet_x5_ros import colour_range
from resnet_x5_ros.backends.base import (Backend, BackendError, check_model_file,
                                         looks_like_probabilities, ModelError)
from resnet_x5_ros.backends.sidecar import file_sha256, load_sidecar, sidecar_path_for
from resnet_x5_ros.convert.colour import nv12_to_rgb


def usable_cores():
    """CPU cores this process may run on (affinity-aware)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class CpuBackend(Backend):
    """ONNX Runtime on the CPU. See module docstring; options are documented on __init__."""

    name = 'cpu'

    def __init__(self, model_path, nv12_range='auto', num_threads=0, sidecar_path=None,
                 warmup=True, verify_sha256=True):
        """Load model_path (an .onnx with its .json sidecar).

        nv12_range: 'auto' (the sidecar's, default full), 'full' or 'video'.
        num_threads: ONNX Runtime intra-op threads; 0 = all usable cores.
        sidecar_path: default is model_path with a .json extension.
        warmup: run one grey frame at load (first runs are slow; also validates the output).
        verify_sha256: check the model against the sidecar's sha256 when it has one.
        """
        super().__init__()
        if num_threads is None or isinstance(num_threads, bool) or int(num_threads) < 0:
            raise ValueError('num_threads must be >= 0 (0 = all cores), got {!r}'.format(
                num_threads))
        self.model_path = model_path
        check_model_file(model_path, 'ONNX')
        if model_path.lower().endswith('.bin'):
            raise ModelError('{} is a Horizon BPU .bin; the cpu backend runs ONNX models: '
                             'on the board use backend bpu, here leave model_path empty (the '
                             'default CPU model) or give an .onnx'.format(model_path))
        sidecar = load_sidecar(sidecar_path or sidecar_path_for(model_path))
        if verify_sha256 and sidecar.sha256:
            actual = file_sha256(model_path)
            if actual != sidecar.sha256:
                raise ModelError(
                    '{}: sha256 {}... does not match its sidecar {} ({}...); the model was '
                    'replaced without its sidecar (re-run make model)'.format(
                        model_path, actual[:12], sidecar.path, sidecar.sha256[:12]))
        self.sidecar = sidecar
        self.input_width = sidecar.input_width
        self.input_height = sidecar.input_height
        self.nv12_range = colour_range.resolve(nv12_range, sidecar.nv12_range,
                                               'nv12_range ({})'.format(model_path))
        self._range_source = 'sidecar' if nv12_range in (None, '', 'auto') else 'parameter'
        self.num_threads = int(num_threads) or usable_cores()
        self._layout = sidecar.layout
        self._bgr = sidecar.colour_order == 'bgr'
        self._mean = np.asarray(sidecar.mean, dtype=np.float32)
        self._inv_std = (1.0 / np.asarray(sidecar.std, dtype=np.float64)).astype(np.float32)

        try:
            import onnxruntime as ort
        except ImportError as exc:
            raise BackendError('cpu backend needs onnxruntime, which does not import: {}'.format(
                exc)) from exc
        self._ort_version = ort.__version__
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.num_threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        # Spinning worker threads burn a core while idle between frames (measured: ~125 % vs
        # ~45 % CPU at 30 Hz, same latency); a camera-paced node is idle most of the time.
        options.add_session_config_entry('session.intra_op.allow_spinning', '0')
        options.add_session_config_entry('session.inter_op.allow_spinning', '0')
        try:
            self._session = ort.InferenceSession(model_path, options,
                                                 providers=['CPUExecutionProvider'])
        except Exception as exc:  # ORT raises its own Fail/InvalidGraph/... types
            raise ModelError('{}: onnxruntime cannot load it as an ONNX model: {}'.format(
                model_path, str(exc).strip().splitlines()[0] if str(exc).strip() else
                type(exc).__name__)) from None
        self._input_name = self._pick_input()
        self._output_name = self._pick_output()

        self.num_classes = sidecar.num_classes or 0
        scores = self._warm_up() if warmup else None
        if scores is not None:
            if sidecar.num_classes and scores.size != sidecar.num_classes:
                raise ModelError('{}: model outputs {} scores but its sidecar says num_classes '
                                 '{}'.format(model_path, scores.size, sidecar.num_classes))
            self.num_classes = scores.size
        elif not self.num_classes:
            self.num_classes = self._static_output_size()
        self.outputs_probabilities = sidecar.outputs_probabilities
        if self.outputs_probabilities is None and scores is not None:
            # Not stated: a softmax output sums to 1 even for a grey frame, logits do not.
            self.outputs_probabilities = looks_like_probabilities(scores)
        self.description = (
            'cpu: onnxruntime {} ({} intra-op threads), model {}, input {}x{} NV12 {} range '
            '({}) -> {} {}, {} classes ({})'.format(
                self._ort_version, self.num_threads, model_path, self.input_width,
                self.input_height, self.nv12_range, self._range_source,
                self.sidecar.colour_order.upper(), self._layout, self.num_classes,
                sidecar.output or {True: 'probabilities (warm-up)',
                                   False: 'not probabilities (warm-up)'}.get(
                    self.outputs_probabilities, 'output kind unknown')))

    def _pick_input(self):
        inputs = self._session.get_inputs()
        wanted = self.sidecar.input_name
        if wanted:
            matches = [i for i in inputs if i.name == wanted]
            if not matches:
                raise ModelError('{}: no input named {!r} (inputs: {})'.format(
                    self.model_path, wanted, ', '.join(i.name for i in inputs)))
            chosen = matches[0]
        elif len(inputs) != 1:
            raise ModelError('{}: model has {} inputs; name the image input in the sidecar '
                             '(input_name)'.format(self.model_path, len(inputs)))
        else:
            chosen = inputs[0]
        if chosen.type != 'tensor(float)':
            raise ModelError('{}: input {!r} is {}, only float32 image inputs are supported'
                             .format(self.model_path, chosen.name, chosen.type))
        shape = list(chosen.shape)
        if len(shape) != 4:
            raise ModelError('{}: input {!r} has shape {}, expected 4-D {}'.format(
                self.model_path, chosen.name, shape, self._layout))
        if self._layout == 'NCHW':
            channels, height, width = shape[1], shape[2], shape[3]
        else:
            height, width, channels = shape[1], shape[2], shape[3]
        expected = (3, self.input_height, self.input_width)
        for got, want, what in zip((channels, height, width), expected,
                                   ('channels', 'height', 'width')):
            if isinstance(got, int) and got != want:
                raise ModelError('{}: input {!r} shape {} ({}) does not match the sidecar '
                                 '({} {} expected)'.format(self.model_path, chosen.name, shape,
                                                           self._layout, want, what))
        return chosen.name

    def _pick_output(self):
        outputs = self._session.get_outputs()
        wanted = self.sidecar.output_name
        if wanted:
            if wanted not in [o.name for o in outputs]:
                raise ModelError('{}: no output named {!r} (outputs: {})'.format(
                    self.model_path, wanted, ', '.join(o.name for o in outputs)))
            return wanted
        return outputs[0].name

    def _static_output_size(self):
        for output in self._session.get_outputs():
            if output.name == self._output_name:
                dims = list(output.shape[1:])
                if all(isinstance(d, int) for d in dims):
                    return int(np.prod(dims))
        raise ModelError('{}: output size is not static; set num_classes in the sidecar or '
                         'enable warm-up'.format(self.model_path))

    def _warm_up(self):
        # A mid-grey frame: Y = 128 and neutral chroma, valid in both ranges.
        grey = np.full(self.input_nbytes, 128, dtype=np.uint8)
        try:
            return self._forward(grey)
        except BackendError as exc:
            raise ModelError('{}: warm-up inference failed: {}'.format(
                self.model_path, exc)) from None

    def preprocess(self, flat_nv12):
        """Turn validated NV12 into the model's float32 input tensor (batch 1)."""
        rgb = nv12_to_rgb(flat_nv12, self.input_width, self.input_height, self.nv12_range)
        if self._bgr:
            rgb = rgb[:, :, ::-1]
        x = rgb.astype(np.float32)
        x -= self._mean
        x *= self._inv_std
        if self._layout == 'NCHW':
            x = x.transpose(2, 0, 1)
        return np.ascontiguousarray(x[np.newaxis])

    def _forward(self, flat_nv12):
        session = self._session
        if session is None:
            raise BackendError('cpu backend is closed')
        x = self.preprocess(flat_nv12)
        try:
            out = session.run([self._output_name], {self._input_name: x})[0]
        except Exception as exc:  # ORT's exception types are not a stable public API
            raise BackendError('cpu inference failed ({}): {}'.format(
                type(exc).__name__, exc)) from exc
        return np.asarray(out, dtype=np.float32).reshape(-1).copy()

    def _run(self, flat_nv12):
        scores = self._forward(flat_nv12)
        if scores.size != self.num_classes:
            raise BackendError('cpu model produced {} scores, expected {}'.format(
                scores.size, self.num_classes))
        return scores

    def _close(self):
        self._session = None
