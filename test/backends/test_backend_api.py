# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""The backend interface without a model: buffer checks, errors, sidecars, create_backend()."""

import json
import os
import sys

from hypothesis import given, settings, strategies as st
import numpy as np
import pytest

from resnet_x5_ros import backends
from resnet_x5_ros.backends import base, bpu, bpu_runtimes, sidecar
from resnet_x5_ros.backends.base import (BackendError, check_nv12_buffer, InputError,
                                         looks_like_probabilities, ModelError)
from support.standins import standin_support as standins


W, H = 224, 224
GOOD = np.zeros(W * H * 3 // 2, np.uint8)


def test_constants():
    assert backends.BACKENDS == ('auto', 'cpu', 'bpu')
    assert backends.DEFAULT_BPU_MODEL == '/opt/hobot/model/x5/basic/resnet18_224x224_nv12.bin'


def test_default_cpu_model_follows_env(monkeypatch, tmp_path):
    # The other places it is looked for: test_default_model.py.
    monkeypatch.setenv('RESNET_X5_MODEL_DIR', str(tmp_path))
    assert backends.default_cpu_model() == str(tmp_path / 'efficientnet_lite0.onnx')


@pytest.mark.parametrize('good', [GOOD, GOOD.reshape(H * 3 // 2, W),
                                  np.ones((3, W * H // 2), np.uint8)])
def test_check_accepts_exact_contiguous_uint8(good):
    flat = check_nv12_buffer(good, W, H)
    assert flat.shape == (W * H * 3 // 2,)
    assert np.shares_memory(flat, good)  # no copy


BAD_BUFFERS = {
    'one byte short': GOOD[:-1],
    'one byte long': np.zeros(GOOD.size + 1, np.uint8),
    'empty': np.zeros(0, np.uint8),
    'float32': GOOD.astype(np.float32),
    'int8': GOOD.astype(np.int8),
    'uint16 same bytes': np.zeros(GOOD.size // 2, np.uint16),
    'strided view': np.zeros(GOOD.size * 2, np.uint8)[::2],
    'transposed 2-D': np.zeros((W, H * 3 // 2), np.uint8).T,
    'bgr image': np.zeros((H, W, 3), np.uint8),
    'bytes': GOOD.tobytes(),
    'list': [0] * GOOD.size,
    'None': None,
}


@pytest.mark.parametrize('what', sorted(BAD_BUFFERS))
def test_check_refuses_bad_buffers(what):
    with pytest.raises(InputError) as info:
        check_nv12_buffer(BAD_BUFFERS[what], W, H)
    assert isinstance(info.value, ValueError) and isinstance(info.value, BackendError)
    assert '\n' not in str(info.value)


@settings(max_examples=200, deadline=None)
@given(size=st.integers(0, 3 * W * H), dtype=st.sampled_from(
    ['uint8', 'int8', 'uint16', 'float32', 'float64', 'bool']), step=st.sampled_from([1, 2]))
def test_check_accepts_exactly_one_frame(size, dtype, step):
    array = np.zeros(size * step, dtype=dtype)[::step]
    ok = dtype == 'uint8' and (step == 1 or size <= 1) and size == W * H * 3 // 2
    if ok:
        assert check_nv12_buffer(array, W, H).size == size
    else:
        with pytest.raises(InputError):
            check_nv12_buffer(array, W, H)


def test_errors_are_one_line():
    assert str(ModelError('model x.bin:\n  bad\tthing ')) == 'model x.bin: bad thing'
    assert str(BackendError('a\n\nb')) == 'a b'
    assert len(base.one_line('x' * 5000)) <= 400


def test_looks_like_probabilities():
    assert looks_like_probabilities(np.full(4, 0.25, np.float32))
    assert not looks_like_probabilities(np.array([2.0, -1.0, 0.5]))
    assert not looks_like_probabilities(np.array([0.2, 0.2]))
    assert not looks_like_probabilities(np.array([np.nan, 1.0]))


# ---- sidecar -------------------------------------------------------------------------------

GOOD_SIDECAR = {'input_width': 224, 'input_height': 224, 'mean': [127, 127, 127],
                'std': [128, 128, 128], 'colour_order': 'rgb', 'layout': 'NCHW',
                'output': 'logits', 'nv12_range': 'full'}


def _write(path, data):
    with open(str(path), 'w', encoding='utf-8') as f:
        f.write(data if isinstance(data, str) else json.dumps(data))
    return str(path)


def test_sidecar_path_and_good_sidecar(tmp_path):
    assert sidecar.sidecar_path_for('/m/a.onnx') == '/m/a.json'
    sc = sidecar.load_sidecar(_write(tmp_path / 'a.json', GOOD_SIDECAR))
    assert (sc.input_width, sc.input_height) == (224, 224)
    assert (sc.colour_order, sc.layout) == ('rgb', 'NCHW')
    assert sc.mean == [127.0] * 3 and sc.std == [128.0] * 3
    assert sc.outputs_probabilities is False and sc.nv12_range == 'full'


@pytest.mark.parametrize('change, problem', [
    ({'input_width': None}, "'input_width'"),
    ({'input_width': 223}, 'even'),
    ({'input_height': -2}, "'input_height'"),
    ({'mean': [1, 2]}, "'mean'"),
    ({'std': [128, 0, 128]}, "'std'"),
    ({'colour_order': 'yuv'}, "'colour_order'"),
    ({'colour_order': None}, "'colour_order'"),
    ({'layout': 'CHW'}, "'layout'"),
    ({'nv12_range': 'auto'}, "'nv12_range'"),
    ({'output': 'softmax'}, "'output'"),
    ({'sha256': 'abc'}, "'sha256'"),
])
def test_bad_sidecar_names_file_and_key(tmp_path, change, problem):
    data = dict(GOOD_SIDECAR)
    for key, value in change.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    path = _write(tmp_path / 'bad.json', data)
    with pytest.raises(ModelError) as info:
        sidecar.load_sidecar(path)
    message = str(info.value)
    assert path in message and problem in message and '\n' not in message


@pytest.mark.parametrize('content, problem', [
    (None, 'not found'), ('', 'empty'), ('{"input_width": 2', 'not valid JSON'),
    ('[1, 2]', 'JSON object')])
def test_unreadable_sidecar(tmp_path, content, problem):
    path = str(tmp_path / 's.json')
    if content is not None:
        _write(path, content)
    with pytest.raises(ModelError, match=problem) as info:
        sidecar.load_sidecar(path)
    assert path in str(info.value)


# ---- create_backend and the BPU runtime lookup ---------------------------------------------

def test_create_backend_rejects_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match='backend must be one of'):
        backends.create_backend('gpu')
    with pytest.raises(ValueError, match='nv12_range'):
        backends.create_backend('cpu', nv12_range='limited')
    with pytest.raises(TypeError, match='unknown option'):
        backends.create_backend('cpu', str(tmp_path / 'x.onnx'), bogus=1)


def test_no_runtime_here_is_reported():
    if bpu.bpu_runtime_available():
        pytest.skip('a BPU runtime imports on this machine: ' + bpu.bpu_runtime_status())
    status = backends.bpu_runtime_status()
    assert status.startswith('no BPU runtime: ')
    for name in ('hobot_dnn.pyeasy_dnn', 'hobot_dnn_rdkx5.pyeasy_dnn', 'hbm_runtime'):
        assert name + ':' in status


def test_auto_with_bin_but_no_runtime_is_a_clear_error(tmp_path):
    if bpu.bpu_runtime_available():
        pytest.skip('a BPU runtime imports on this machine')
    model = standins.write_fixture_bin(tmp_path / 'm.bin')
    with pytest.raises(BackendError, match='no BPU runtime') as info:
        backends.create_backend('auto', model)
    assert model in str(info.value)
    with pytest.raises(BackendError, match='no BPU runtime'):
        backends.create_backend('bpu', model)


def test_runtime_import_errors_of_any_kind_mean_unavailable(monkeypatch):
    def broken_import(name):
        raise OSError('wrong ELF class: ELFCLASS64 (aarch64 wheel on x86)')

    monkeypatch.setattr(bpu_runtimes.importlib, 'import_module', broken_import)
    module, name, reasons = bpu.import_runtime()
    assert module is None and len(reasons) == 3
    assert 'OSError' in bpu.bpu_runtime_status()


@pytest.mark.parametrize('kind, module_name', [('pyeasy_dnn', 'hobot_dnn.pyeasy_dnn'),
                                               ('hbm_runtime', 'hbm_runtime')])
def test_auto_picks_bpu_for_a_bin_when_a_runtime_imports(tmp_path, kind, module_name):
    model = standins.write_fixture_bin(tmp_path / 'm.bin')
    with standins.standin_runtime(kind) as runtime:
        runtime.set_scorer(standins.ramp_scorer)
        status = backends.bpu_runtime_status()
        assert status.startswith(module_name) and 'STAND-IN' in status
        backend = backends.create_backend('auto', model)
        assert backend.name == 'bpu' and backend.runtime_kind == kind
        assert 'STAND-IN' in backend.description
        backend.close()
    assert not bpu.bpu_runtime_available() or 'STAND-IN' not in bpu.bpu_runtime_status()


def test_auto_prefers_pyeasy_dnn_when_both_import(tmp_path, monkeypatch):
    # Both stand-ins importable at once (PYTHONPATH=dev/standins does that).
    monkeypatch.syspath_prepend(standins.STANDINS)
    for name in ('hbm_runtime', 'hbm_runtime.HB_HBMRuntime', 'hobot_dnn',
                 'hobot_dnn.pyeasy_dnn'):
        monkeypatch.delitem(sys.modules, name, raising=False)
    assert bpu.import_runtime('auto')[1] == 'hobot_dnn.pyeasy_dnn'
    assert bpu.import_runtime('hbm_runtime')[1] == 'hbm_runtime'
    model = standins.write_fixture_bin(tmp_path / 'm.bin')
    sys.modules['hobot_dnn.pyeasy_dnn'].set_scorer(standins.ramp_scorer)
    sys.modules['hbm_runtime'].set_scorer(standins.ramp_scorer)
    try:
        assert backends.create_backend('auto', model).runtime_kind == 'pyeasy_dnn'
        assert backends.create_backend('auto', model, bpu_runtime='hbm_runtime'
                                       ).runtime_kind == 'hbm_runtime'
    finally:
        sys.modules['hobot_dnn.pyeasy_dnn'].reset(use_env=False)
        sys.modules['hbm_runtime'].reset(use_env=False)
        for name in ('hbm_runtime', 'hbm_runtime.HB_HBMRuntime', 'hobot_dnn',
                     'hobot_dnn.pyeasy_dnn'):
            sys.modules.pop(name, None)


def test_cpu_ignores_the_bpu_runtime_option():
    if not os.path.isfile(backends.default_cpu_model()):
        pytest.skip('default CPU model missing: run `make model`')
    backend = backends.create_backend('cpu', bpu_runtime='hbm_runtime')
    assert backend.name == 'cpu'
    backend.close()


@pytest.mark.parametrize('bad', [np.nan, np.inf, -np.inf])
def test_non_finite_scores_are_a_backend_failure(tmp_path, bad):
    # A model that outputs NaN/inf is broken: the backend reports it like a failed inference
    # (the node counts it in backend_errors), it never reaches post-processing.
    with standins.standin_runtime() as pyeasy_dnn:
        pyeasy_dnn.set_scorer(lambda nv12, w, h, path: np.where(
            np.arange(1000) == 7, bad, 0.0))
        backend = bpu.BpuBackend(standins.write_fixture_bin(tmp_path / 'm.bin'), warmup=False)
        with pytest.raises(BackendError, match='non-finite'):
            backend.infer(GOOD)
        backend.close()


class _Gated(base.Backend):
    """A backend whose _run waits for a gate: a call that runs as long as the test wants."""

    name = 'gated'

    def __init__(self):
        super().__init__()
        self.input_width, self.input_height, self.num_classes = W, H, 3
        import threading
        self.entered, self.gate, self.released = threading.Event(), threading.Event(), []

    def _run(self, flat_nv12):
        self.entered.set()
        self.gate.wait(30.0)
        return np.zeros(3, np.float32)

    def _close(self):
        self.released.append(self.gate.is_set())


def test_close_never_releases_the_runtime_under_a_running_call():
    import threading
    backend = _Gated()
    caller = threading.Thread(target=backend.infer, args=(GOOD,), daemon=True)
    caller.start()
    assert backend.entered.wait(30.0)
    assert backend.close(timeout=0.0) is False, 'a call is running'
    assert backend.closed and backend.released == []
    with pytest.raises(BackendError, match='closed'):
        backend.infer(GOOD)  # no new call once closing began
    backend.gate.set()
    caller.join(30.0)
    # The running call released it when it returned, not before.
    assert backend.released == [True]
    assert backend.close() is True and backend.released == [True], 'idempotent'


def test_close_with_nothing_running_releases_at_once():
    backend = _Gated()
    assert backend.close(timeout=0.0) is True and backend.released == [False]
    assert backend.health() == base.HEALTHY
