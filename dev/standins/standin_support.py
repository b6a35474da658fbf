# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Helpers for tests that use the BPU runtime STAND-INs, and the code the two stand-ins share.

    with standin_runtime() as pyeasy_dnn:      # importable only inside the block
        backend = BpuBackend(write_fixture_bin(tmp_path / 'm.bin'))
    with standin_runtime('hbm_runtime') as hbm_runtime:
        ...

Also: NV12 frames of the sample photos at model size, and a trivial scorer that subprocess
tests can name in $PYEASY_DNN_STANDIN_SCORER ('standin_support:ramp_scorer').

Shared by dev/standins/hobot_dnn/pyeasy_dnn.py and dev/standins/hbm_runtime/: StandinCore
(model shape, faults, call records, default scorer, board timing mode), file_nv12_range,
quantise, projection_scores and hold_gil.
"""

import collections
import contextlib
import ctypes
import importlib
import os
import signal
import sys
import threading
import time

import numpy as np

STANDINS = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(STANDINS))
SAMPLES = os.path.join(REPO, 'resnet_x5_ros', 'data', 'samples')
# The modules of each stand-in: the one tests use first, then its package.
STANDIN_MODULES = {
    'pyeasy_dnn': ('hobot_dnn.pyeasy_dnn', 'hobot_dnn'),
    'hbm_runtime': ('hbm_runtime', 'hbm_runtime.HB_HBMRuntime'),
}


@contextlib.contextmanager
def standin_runtime(kind='pyeasy_dnn'):
    """Make the stand-in of runtime kind importable for the duration; reset it before and after.

    The other runtime's stand-in is blocked meanwhile (importing it raises ImportError), so
    backend selection ('auto') sees exactly one runtime. Yields the module tests drive:
    hobot_dnn.pyeasy_dnn or the hbm_runtime package.
    """
    other = [k for k in STANDIN_MODULES if k != kind][0]
    names = STANDIN_MODULES[kind] + STANDIN_MODULES[other]
    added = STANDINS not in sys.path
    if added:
        sys.path.insert(0, STANDINS)
    saved = {name: sys.modules.pop(name) for name in names if name in sys.modules}
    sys.modules[STANDIN_MODULES[other][0].split('.')[0]] = None
    importlib.invalidate_caches()
    main = STANDIN_MODULES[kind][0]
    try:
        module = importlib.import_module(main)
        assert getattr(module, 'STAND_IN', False), 'imported a real {}, not the stand-in'.format(
            kind)
        module.reset(use_env=False)
        module.kind = kind
        yield module
    finally:
        if sys.modules.get(main) is not None:
            sys.modules[main].reset(use_env=False)
        for name in names:
            sys.modules.pop(name, None)
        sys.modules.update(saved)
        if added and STANDINS in sys.path:
            sys.path.remove(STANDINS)
        importlib.invalidate_caches()


def write_fixture_bin(path, nv12_range='full'):
    """Write a tiny stand-in 'model' file; nv12_range None leaves out the range record."""
    body = b'resnet_x5_ros test fixture for the pyeasy_dnn STAND-IN (not a real .bin)\n'
    if nv12_range is not None:
        # The layout of a compiled .bin's build-metadata entry (a protobuf string map).
        from resnet_x5_ros.backends.binfile import RANGE_KEY, SPACE_TO_RANGE

        space = {name: space for space, name in SPACE_TO_RANGE.items()}[nv12_range]
        value = space.encode('ascii') + b';'
        key = RANGE_KEY.encode('ascii')
        body += b'\n' + bytes([len(key)]) + key + b'\x12' + bytes([len(value)]) + value + b'\n'
    with open(str(path), 'wb') as f:
        f.write(body)
    return str(path)


def sample_bgr(name, width=224, height=224):
    """Read a sample photo, resized (INTER_AREA, no letterbox) to width x height, BGR uint8."""
    import cv2

    image = cv2.imread(os.path.join(SAMPLES, name), cv2.IMREAD_COLOR)
    assert image is not None, 'cannot read sample ' + name
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)


def sample_nv12(name, width=224, height=224, nv12_range='full'):
    """Return a sample photo as one flat NV12 frame of width x height in nv12_range."""
    from resnet_x5_ros.convert.colour import bgr_to_nv12

    return bgr_to_nv12(sample_bgr(name, width, height), nv12_range)


def wait_for(condition, timeout):
    """Poll condition() until it is true or timeout seconds pass; return its last value."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return condition()
        time.sleep(0.005)
    return True


def ramp_scorer(nv12, width, height, model_path):
    """Cheap deterministic scorer: 1000 scores, the highest at (mean Y byte) % 1000."""
    scores = np.zeros(1000, dtype=np.float32)
    scores[int(np.asarray(nv12[:width * height], dtype=np.float64).mean()) % 1000] = 10.0
    return scores


# ---- what the two runtime stand-ins share (hobot_dnn.pyeasy_dnn and hbm_runtime) -------------

# One line per call a stand-in's forward()/run() received, written before anything else runs.
ForwardRecord = collections.namedtuple('ForwardRecord', [
    'call', 'model_path', 'kind', 'dtype', 'shape', 'size', 'c_contiguous',
    'expected_size', 'valid', 'overflow', 'underflow'])

_NUMERIC = {
    'int8': np.int8, 'uint8': np.uint8, 'int16': np.int16, 'uint16': np.uint16,
    'int32': np.int32, 'uint32': np.uint32, 'int64': np.int64, 'uint64': np.uint64,
    'float16': np.float16, 'float32': np.float32, 'float64': np.float64,
}


def numeric_dtype(name):
    """Numpy dtype of a numeric tensor type name ('int8', 'float32', ...)."""
    return np.dtype(_NUMERIC[name])


def _model_defaults():
    return {
        'input_type': 'NV12', 'input_width': 224, 'input_height': 224, 'input_layout': 'NCHW',
        'output_type': 'float32', 'output_scale': None, 'output_quant': None,
        'output_layout': 'NCHW', 'output_aligned_shape': None,
        'num_classes': 1000, 'output_name': 'prob', 'fail_every': 0, 'fail_from': 0,
        'fail_mode': 'systemerror', 'sleep_every': 0, 'sleep_seconds': 0.0,
        'fail_load': False, 'scorer': None, 'onnx': None, 'log_path': None, 'board_ms': 0.0,
        'gil_hang_every': 0, 'gil_hang_seconds': 0.0, 'crash_at': 0,
    }


_CONFIG_KEYS = ('input_type', 'input_width', 'input_height', 'input_layout', 'output_type',
                'output_scale', 'output_quant', 'output_layout', 'output_aligned_shape',
                'num_classes', 'output_name', 'onnx', 'log_path', 'board_ms')


def _import_scorer(spec, prefix):
    module_name, _, attr = spec.partition(':')
    if not attr:
        raise ValueError('{}SCORER must be package.module:function, got {!r}'.format(
            prefix, spec))
    return getattr(importlib.import_module(module_name), attr)


class StandinCore(object):
    """Model shape, fault injection, call records and scoring of one runtime stand-in.

    env_prefix names its environment variables (e.g. 'PYEASY_DNN_STANDIN_'); see the
    stand-ins' docstrings for the list. Call numbers count every call in the process
    (warm-ups included), from 1.
    """

    def __init__(self, env_prefix):
        self.prefix = env_prefix
        self.state = {}
        self.forward_log = []
        self.lock = threading.Lock()
        self.calls = 0
        self.reset()

    def _env_config(self):
        env, p = os.environ, self.prefix
        config = {}
        for key in ('input_type', 'output_type', 'output_quant', 'output_layout', 'fail_mode',
                    'onnx'):
            if env.get(p + key.upper()):
                config[key] = env[p + key.upper()]
        if env.get(p + 'INPUT_SIZE'):
            width, height = env[p + 'INPUT_SIZE'].lower().split('x')
            config['input_width'], config['input_height'] = int(width), int(height)
        if env.get(p + 'OUTPUT_SCALE'):
            config['output_scale'] = [float(env[p + 'OUTPUT_SCALE'])]
        for key in ('fail_every', 'fail_from', 'sleep_every', 'gil_hang_every', 'crash_at'):
            if env.get(p + key.upper()):
                config[key] = int(env[p + key.upper()])
        if env.get(p + 'SLEEP_S'):
            config['sleep_seconds'] = float(env[p + 'SLEEP_S'])
        if env.get(p + 'GIL_HANG_S'):
            config['gil_hang_seconds'] = float(env[p + 'GIL_HANG_S'])
        if env.get(p + 'BOARD_MS'):
            config['board_ms'] = float(env[p + 'BOARD_MS'])
        if env.get(p + 'FAIL_LOAD'):
            config['fail_load'] = env[p + 'FAIL_LOAD'] not in ('0', 'false', 'no', '')
        if env.get(p + 'SCORER'):
            config['scorer'] = _import_scorer(env[p + 'SCORER'], p)
        if env.get(p + 'LOG'):
            config['log_path'] = env[p + 'LOG']
        return config

    def reset(self, use_env=True):
        """Back to the default model, no faults, default scorer, empty log (then env vars)."""
        with self.lock:
            self.state.clear()
            self.state.update(_model_defaults())
            if use_env:
                self.state.update(self._env_config())
            del self.forward_log[:]
            self.calls = 0

    def configure(self, **settings):
        """Change what models loaded from now on look like.

        input_type, input_width, input_height, input_layout, output_type, output_scale (list
        of one scale or one per class, for integer outputs), output_quant (hbm_runtime:
        'SCALE', 'NONE' or 'SHIFT'), output_layout ('NCHW': valid shape (1, C, 1, 1), 'NHWC':
        (1, 1, 1, C)), output_aligned_shape (the output's memory layout, 4 dims each >= the
        valid one's; None: output_aligned_shape() decides), num_classes, output_name, onnx
        (model of the default scorer), log_path, board_ms.
        """
        self._update(settings, _CONFIG_KEYS)

    def set_faults(self, fail_every=0, fail_from=0, fail_mode='systemerror', sleep_every=0,
                   sleep_seconds=0.0, fail_load=False):
        """Inject faults (all off by default): calls N, 2N, ... or all from N fail; sleeps."""
        if fail_mode not in ('systemerror', 'none'):
            raise ValueError('fail_mode must be systemerror or none')
        self._update({'fail_every': int(fail_every), 'fail_from': int(fail_from),
                      'fail_mode': fail_mode, 'sleep_every': int(sleep_every),
                      'sleep_seconds': float(sleep_seconds), 'fail_load': bool(fail_load)},
                     None)

    def set_scorer(self, scorer):
        """Use scorer(nv12, width, height, model_path) -> scores; None = the default one."""
        self._update({'scorer': scorer}, None)

    def _update(self, settings, allowed):
        if allowed is not None:
            unknown = set(settings) - set(allowed)
            if unknown:
                raise TypeError('unknown setting(s): {}'.format(', '.join(sorted(unknown))))
        with self.lock:
            self.state.update(settings)

    def clear_log(self):
        with self.lock:
            del self.forward_log[:]

    def forward_calls(self):
        """Return how many calls were made so far (warm-ups included)."""
        return self.calls

    def controls(self):
        """Return the test controls a stand-in module exports (bound to this core).

        (reset, configure, set_faults, set_scorer, clear_log, forward_calls)
        """
        return (self.reset, self.configure, self.set_faults, self.set_scorer, self.clear_log,
                self.forward_calls)

    def record(self, model_path, data, expected):
        """Append a ForwardRecord for data (what the call received); return the call number."""
        if isinstance(data, np.ndarray):
            kind, dtype, shape = 'ndarray', str(data.dtype), tuple(data.shape)
            size, contiguous = int(data.size), bool(data.flags.c_contiguous)
        else:
            kind, dtype, shape, size, contiguous = type(data).__name__, None, None, None, None
        valid = (kind == 'ndarray' and dtype == 'uint8' and contiguous and size == expected)
        with self.lock:
            self.calls += 1
            call = self.calls
            self.forward_log.append(ForwardRecord(
                call, model_path, kind, dtype, shape, size, contiguous, expected, valid,
                size is not None and size > expected, size is not None and size < expected))
            log_path = self.state.get('log_path')
            if log_path:
                with open(log_path, 'a', encoding='utf-8') as f:
                    f.write('{} valid={} kind={} dtype={} shape={} size={} contiguous={}\n'
                            .format(call, int(valid), kind, dtype, shape, size, contiguous))
        return call

    def fault(self, call):
        """Sleep if call is a sleeping one; return the fail mode if it must fail, else None."""
        state = self.state
        if state['crash_at'] and call == state['crash_at']:
            # What a segfault inside the runtime does: the process ends there, no exception.
            os.kill(os.getpid(), signal.SIGSEGV)
        if state['gil_hang_every'] and call % state['gil_hang_every'] == 0:
            # A stuck BPU call: the GIL stays held, the CPU idle, nothing else in the process runs.
            hold_gil(state['gil_hang_seconds'])
        if state['sleep_every'] and call % state['sleep_every'] == 0:
            time.sleep(state['sleep_seconds'])
        if ((state['fail_every'] and call % state['fail_every'] == 0)
                or (state['fail_from'] and call >= state['fail_from'])):
            return state['fail_mode']
        return None

    def score(self, nv12, width, height, path, num_classes):
        """Scores for the NV12 bytes in a model's input memory (float64, num_classes).

        Board timing mode (board_ms > 0) answers like the X5 does from Python's point of view:
        the call holds the GIL for board_ms in one block with the CPU idle, and the scores come
        from a cheap projection of the input (not a classification), computed first (a
        fraction of a millisecond more).
        """
        board_ms = float(self.state.get('board_ms') or 0.0)
        if board_ms > 0:
            scores = projection_scores(nv12, num_classes)
            hold_gil(board_ms / 1000.0)
            return scores
        scorer = self.state['scorer'] or self.default_scorer
        return np.asarray(scorer(nv12, width, height, path), np.float64).reshape(-1)

    def default_scorer(self, nv12, width, height, path):
        """Score like the board would: simulate a real X5 .bin when possible, else use ONNX.

        A compiled X5 .bin runs on D-Robotics' hbdk-sim (sim_scorer, next to this module)
        when `make setup` could extract it; any other model file (e.g. the tests' tiny
        stand-in .bin) is scored by our CPU backend's ONNX model in the range the file records.
        """
        if self._simulator_applies(path):
            import sim_scorer
            return sim_scorer.score(nv12, width, height, path)
        from resnet_x5_ros.backends import default_cpu_model
        from resnet_x5_ros.backends.cpu import CpuBackend

        onnx_path = self.state['onnx'] or default_cpu_model()
        key = (onnx_path, file_nv12_range(path))
        with _shared_lock:
            backend = _cpu_backends.get(key)
            if backend is None:
                backend = CpuBackend(onnx_path, nv12_range=key[1])
                _cpu_backends[key] = backend
        if (backend.input_width, backend.input_height) != (width, height):
            raise ValueError('stand-in default scorer: {} takes {}x{}, the model is {}x{}'
                             .format(onnx_path, backend.input_width, backend.input_height,
                                     width, height))
        return backend.infer(nv12)

    def _simulator_applies(self, path):
        # Decided once per file: reading a 5 MB .bin on every call would dominate.
        with _shared_lock:
            if path not in _simulator_verdicts:
                try:
                    import sim_scorer
                except ImportError:
                    _simulator_verdicts[path] = False
                else:
                    _simulator_verdicts[path] = sim_scorer.applies(path)
            return _simulator_verdicts[path]


# Shared by every stand-in instance (and kept when a test re-imports a stand-in): the default
# scorer's CPU backends and the per-file simulator verdicts.
_cpu_backends = {}
_simulator_verdicts = {}
_shared_lock = threading.Lock()


def file_nv12_range(path):
    """Return the range a .bin records after INPUT_SPACE_AND_RANGE (full if none)."""
    from resnet_x5_ros.backends.binfile import read_bin_nv12_range

    return read_bin_nv12_range(path) or 'full'


def output_valid_shape(settings):
    """Return the output's valid shape: (1, C, 1, 1) for NCHW, (1, 1, 1, C) for NHWC."""
    classes = int(settings['num_classes'])
    return (1, 1, 1, classes) if settings['output_layout'] == 'NHWC' else (1, classes, 1, 1)


# STAND-IN choice, from one measurement: hbdk-sim reports 16,000 bytes of output memory for the
# int32 1x1000x1x1 BPU output of the X5-compiled fixture (4,000 valid bytes), i.e. what padding
# the innermost dimension to 4 elements gives. The real alignment rule is the compiler's.
INTEGER_ALIGNMENT = 4


def output_aligned_shape(settings, dtype):
    """Return the shape of the output's memory (the aligned shape).

    Configured, or by default: integer outputs' last dimension rounded up to
    INTEGER_ALIGNMENT elements; float outputs (the .bin's CPU steps) not padded.
    """
    valid = output_valid_shape(settings)
    aligned = settings['output_aligned_shape']
    if aligned is not None:
        aligned = tuple(int(d) for d in aligned)
        if len(aligned) != 4 or any(a < v for a, v in zip(aligned, valid)):
            raise ValueError('aligned shape {} does not hold valid shape {}'.format(
                aligned, valid))
        return aligned
    if np.dtype(dtype).kind not in 'iu':
        return valid
    last = -(-valid[3] // INTEGER_ALIGNMENT) * INTEGER_ALIGNMENT
    return valid[:3] + (last,)


def padded(values, valid, aligned, dtype):
    """Lay values (valid shape) out in zeroed memory of the aligned shape, as the BPU does."""
    memory = np.zeros(aligned, dtype)
    memory[tuple(slice(0, v) for v in valid)] = np.asarray(values).reshape(valid)
    return memory


def quantise(scores, dtype, scale, zero_point=None):
    """Float scores -> what a quantised output tensor of dtype holds: round(s / scale) + zp."""
    scores = np.asarray(scores, np.float64).reshape(-1)
    if dtype.kind not in 'iu':
        return scores.astype(dtype)
    scale = np.asarray(scale if scale is not None and len(scale) else [1.0], np.float64)
    offset = np.asarray(zero_point if zero_point is not None and len(zero_point) else [0],
                        np.float64)
    info = np.iinfo(dtype)
    return np.clip(np.rint(scores / scale) + offset, info.min, info.max).astype(dtype)


_PROJECTION_FEATURES = 256
_projections = {}


def projection_scores(nv12, num_classes):
    """Cheap scores that depend on every input byte: a fixed random projection of block means.

    The bytes are cut into 256 blocks whose means (centred on 128) are multiplied by a
    seeded Gaussian matrix: well under 1 ms for a 224x224 frame, the same frame always gives
    the same scores, and changing any byte changes them. Elementwise numpy, not a BLAS
    product: BLAS worker threads would keep spinning on the CPU the mode must leave idle.
    """
    data = np.asarray(nv12, np.uint8).reshape(-1)
    features = min(_PROJECTION_FEATURES, max(1, data.size))
    edges = np.linspace(0, data.size, features + 1).astype(np.int64)
    means = np.add.reduceat(data, edges[:-1], dtype=np.float64) / np.diff(edges)
    key = (int(num_classes), features)
    weights = _projections.get(key)
    if weights is None:
        rng = np.random.default_rng(20261201)
        weights = rng.standard_normal(key) / np.sqrt(features)
        _projections[key] = weights
    return (weights * ((means - 128.0) / 16.0)).sum(axis=1)


class _Timespec(ctypes.Structure):
    _fields_ = [('tv_sec', ctypes.c_long), ('tv_nsec', ctypes.c_long)]


# The running process's own symbols (libc's nanosleep among them). PyDLL, unlike CDLL, does NOT
# release the GIL around the call: the sleeping thread keeps it, like the X5 runtimes do while
# the BPU works (pyeasy_dnn: dnn_python.cpp Model_forward has no Py_BEGIN_ALLOW_THREADS).
_LIBC_KEEPING_GIL = ctypes.PyDLL(None)


def hold_gil(seconds):
    """Block for seconds with the GIL held and the CPU idle (a C sleep that keeps the GIL)."""
    if seconds <= 0:
        return
    whole = int(seconds)
    request = _Timespec(whole, int((seconds - whole) * 1e9))
    _LIBC_KEEPING_GIL.nanosleep(ctypes.byref(request), None)
