# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""The BPU backend against the pyeasy_dnn STAND-IN (test/standins), not the real runtime.

The stand-in records every buffer its forward() receives and, by default, scores the NV12
input with the CPU model, so these tests check real classifications through the BPU code path
and prove that wrong buffers never reach the runtime.
"""

import os
import subprocess
import sys
import threading

from hypothesis import given, HealthCheck, settings, strategies as st
import numpy as np
import pytest

from resnet_x5_ros.backends import create_backend, default_cpu_model
from resnet_x5_ros.backends.base import BackendError, InputError, ModelError
from resnet_x5_ros.backends.bpu import BpuBackend, DEFAULT_BPU_MODEL, read_bin_nv12_range
from resnet_x5_ros.postprocess import (DEFAULT_LABELS_PATH, LabelsError, load_labels, softmax,
                                       top_k)
from rosutil import child_env
from standin_import import standin_support as support


MODEL = default_cpu_model()
needs_model = pytest.mark.skipif(
    not os.path.isfile(MODEL),
    reason='the stand-in scores with the CPU model {}: run `make model`'.format(MODEL))
LABELS = load_labels(DEFAULT_LABELS_PATH)
PHOTOS = ('coffee.png', 'chelsea.png', 'rocket.jpg')


@pytest.fixture(scope='module')
def standin():
    with support.standin_runtime() as module:
        yield module


@pytest.fixture
def pyeasy_dnn(standin):
    standin.reset(use_env=False)
    yield standin
    standin.reset(use_env=False)


@pytest.fixture
def fixture_bin(tmp_path):
    return support.write_fixture_bin(tmp_path / 'resnet18_224x224_nv12.bin')


@pytest.fixture(scope='module')
def cpu():
    if not os.path.isfile(MODEL):
        pytest.skip('default CPU model missing: run `make model`')
    backend = create_backend('cpu')
    yield backend
    backend.close()


def top5(scores):
    return [i for i, _ in top_k(softmax(scores), 5)]


def assert_only_valid_buffers_reached(pyeasy_dnn):
    bad = [r for r in pyeasy_dnn.forward_log if not r.valid]
    assert bad == [], 'invalid buffers reached forward(): {}'.format(bad)


# ---- real classifications through the BPU code path ------------------------------------------

@needs_model
@pytest.mark.parametrize('photo', PHOTOS)
def test_bpu_path_gives_cpu_top5(pyeasy_dnn, fixture_bin, cpu, photo):
    bpu = create_backend('bpu', fixture_bin)
    frame = support.sample_nv12(photo)
    got, want = bpu.infer(frame), cpu.infer(frame)
    assert top5(got) == top5(want)
    assert np.allclose(got, want, atol=1e-4)
    assert_only_valid_buffers_reached(pyeasy_dnn)
    # Handed over as (H*3/2, W) uint8: dims[0] * dims[1] is the byte count in every build.
    assert pyeasy_dnn.forward_log[-1].shape == (336, 224)


@needs_model
@pytest.mark.parametrize('output_type, scale', [('int32', [1.0 / 4096]), ('int16', 'per-class'),
                                                ('int8', [0.25])])
def test_quantised_outputs_are_dequantised(pyeasy_dnn, fixture_bin, cpu, output_type, scale):
    if scale == 'per-class':
        scale = list(np.linspace(1.0 / 2048, 1.0 / 1024, 1000))
    pyeasy_dnn.configure(output_type=output_type, output_scale=scale)
    bpu = create_backend('bpu', fixture_bin)
    assert 'dequantised' in bpu.description
    frame = support.sample_nv12('coffee.png')
    got, want = bpu.infer(frame), cpu.infer(frame)
    assert got.dtype == np.float32
    assert np.max(np.abs(got - want)) <= max(scale) / 2 + 1e-4
    assert LABELS[top5(got)[0]] == 'espresso'


def test_integer_output_without_scale_is_used_raw(pyeasy_dnn, fixture_bin):
    pyeasy_dnn.configure(output_type='int8')
    pyeasy_dnn.set_scorer(support.ramp_scorer)
    bpu = create_backend('bpu', fixture_bin)
    assert 'raw integers' in bpu.description
    scores = bpu.infer(support.sample_nv12('coffee.png'))
    assert scores.dtype == np.float32 and scores.max() == 10.0


def test_probability_outputs_are_detected(pyeasy_dnn, fixture_bin):
    pyeasy_dnn.set_scorer(lambda nv12, w, h, path: np.full(1000, 1e-3, np.float32))
    assert create_backend('bpu', fixture_bin).outputs_probabilities is True
    pyeasy_dnn.set_scorer(support.ramp_scorer)
    assert create_backend('bpu', fixture_bin).outputs_probabilities is False


@needs_model
def test_each_thread_gets_its_own_frames_scores(pyeasy_dnn, fixture_bin):
    bpu = create_backend('bpu', fixture_bin)
    frames = {p: support.sample_nv12(p) for p in ('coffee.png', 'chelsea.png')}
    expected = {p: top5(bpu.infer(f))[0] for p, f in frames.items()}
    assert expected['coffee.png'] != expected['chelsea.png']
    wrong = []

    def worker(photo):
        for _ in range(10):
            if top5(bpu.infer(frames[photo]))[0] != expected[photo]:
                wrong.append(photo)

    threads = [threading.Thread(target=worker, args=(p,)) for p in frames]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []


# ---- wrong buffers never reach forward() -----------------------------------------------------

def _bad_buffers():
    good = np.zeros(224 * 224 * 3 // 2, np.uint8)
    return {
        'short': good[:-1], 'long': np.zeros(good.size + 2, np.uint8), 'empty': good[:0],
        'float32': good.astype(np.float32), 'uint16': np.zeros(good.size // 2, np.uint16),
        'int8': good.view(np.int8), 'strided': np.zeros(good.size * 2, np.uint8)[::2],
        'fortran 2-D': np.asfortranarray(np.zeros((336, 224), np.uint8)),
        'bgr image': np.zeros((224, 224, 3), np.uint8), 'bytes': good.tobytes(),
        'list': [0] * 16, 'none': None,
    }


@pytest.mark.parametrize('what', sorted(_bad_buffers()))
def test_wrong_buffer_never_reaches_forward(pyeasy_dnn, fixture_bin, what):
    pyeasy_dnn.set_scorer(support.ramp_scorer)
    bpu = create_backend('bpu', fixture_bin)
    calls = pyeasy_dnn.forward_calls()
    with pytest.raises(InputError):
        bpu.infer(_bad_buffers()[what])
    assert pyeasy_dnn.forward_calls() == calls
    bpu.infer(np.zeros(224 * 224 * 3 // 2, np.uint8))
    assert pyeasy_dnn.forward_calls() == calls + 1
    assert_only_valid_buffers_reached(pyeasy_dnn)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(size=st.integers(0, 80000), dtype=st.sampled_from(['uint8', 'int8', 'float32']),
       step=st.sampled_from([1, 3]))
def test_only_exact_frames_reach_forward(pyeasy_dnn, fixture_bin, size, dtype, step):
    pyeasy_dnn.set_scorer(support.ramp_scorer)
    bpu = BpuBackend(fixture_bin, warmup=False)
    array = np.zeros(size * step, dtype)[::step]
    try:
        bpu.infer(array)
    except InputError:
        pass
    assert_only_valid_buffers_reached(pyeasy_dnn)


def test_closed_backend_does_not_call_forward(pyeasy_dnn, fixture_bin):
    pyeasy_dnn.set_scorer(support.ramp_scorer)
    bpu = create_backend('bpu', fixture_bin)
    bpu.close()
    calls = pyeasy_dnn.forward_calls()
    with pytest.raises(BackendError, match='closed'):
        bpu.infer(np.zeros(224 * 224 * 3 // 2, np.uint8))
    assert pyeasy_dnn.forward_calls() == calls


# ---- runtime failures become clear errors ----------------------------------------------------

def test_forward_system_error_becomes_backend_error(pyeasy_dnn, fixture_bin):
    pyeasy_dnn.set_scorer(support.ramp_scorer)
    bpu = create_backend('bpu', fixture_bin)
    frame = np.zeros(224 * 224 * 3 // 2, np.uint8)
    pyeasy_dnn.set_faults(fail_every=pyeasy_dnn.forward_calls() + 1)
    with pytest.raises(BackendError, match='bpu inference failed \\(SystemError\\)') as info:
        bpu.infer(frame)
    assert isinstance(info.value.__cause__, SystemError)
    assert bpu.infer(frame).shape == (1000,)  # the next frame works again


def test_forward_returning_none_becomes_backend_error(pyeasy_dnn, fixture_bin):
    pyeasy_dnn.set_scorer(support.ramp_scorer)
    bpu = create_backend('bpu', fixture_bin)
    pyeasy_dnn.set_faults(fail_from=1, fail_mode='none')
    with pytest.raises(BackendError, match='returned None'):
        bpu.infer(np.zeros(224 * 224 * 3 // 2, np.uint8))


def test_failing_warm_up_is_reported_at_load(pyeasy_dnn, fixture_bin):
    pyeasy_dnn.set_faults(fail_from=1)
    with pytest.raises(BackendError, match='warm-up inference failed') as info:
        create_backend('bpu', fixture_bin)
    assert fixture_bin in str(info.value)


def test_load_failure_is_a_model_error(pyeasy_dnn, fixture_bin):
    pyeasy_dnn.set_faults(fail_load=True)
    with pytest.raises(ModelError) as info:
        create_backend('bpu', fixture_bin)
    assert fixture_bin in str(info.value) and 'SystemError' in str(info.value)


def test_output_dtype_not_as_declared_is_caught(fixture_bin):
    # Some builds hand back int8 data for output types they do not know.
    class Props(object):
        def __init__(self, tensor_type, shape, layout='NCHW'):
            self.tensor_type, self.shape, self.layout = tensor_type, shape, layout
            self.dtype, self.scale_data = tensor_type, np.array([0.5], np.float32)

    class Tensor(object):
        def __init__(self, name, props, buffer=None):
            self.name, self.properties, self.buffer = name, props, buffer

    class Model(object):
        name = 'fake'
        inputs = [Tensor('data', Props('NV12', (1, 3, 224, 224)))]
        outputs = [Tensor('prob', Props('int16', (1, 1000, 1, 1)))]

        def forward(self, data):
            return [Tensor('prob', None, np.zeros((1, 1000, 1, 1), np.int8))]

    class Runtime(object):
        __name__ = 'fake_pyeasy_dnn'

        def load(self, path):
            return [Model()]

    bpu = BpuBackend(fixture_bin, runtime=Runtime(), warmup=False)
    with pytest.raises(BackendError, match='declared int16 but the runtime returned int8'):
        bpu.infer(np.zeros(224 * 224 * 3 // 2, np.uint8))


# ---- model checks at load ---------------------------------------------------------------------

@pytest.mark.parametrize('input_type', ['RGB', 'BGR', 'NV12_SEPARATE', 'YUV444', 'float32'])
def test_non_nv12_models_are_refused(pyeasy_dnn, fixture_bin, input_type):
    pyeasy_dnn.configure(input_type=input_type)
    with pytest.raises(ModelError) as info:
        create_backend('bpu', fixture_bin)
    message = str(info.value)
    assert fixture_bin in message and input_type in message and 'not packed NV12' in message


def test_input_size_and_layout_come_from_the_model(pyeasy_dnn, fixture_bin):
    pyeasy_dnn.configure(input_width=320, input_height=240, input_layout='NHWC')
    pyeasy_dnn.set_scorer(support.ramp_scorer)
    bpu = create_backend('bpu', fixture_bin)
    assert (bpu.input_width, bpu.input_height, bpu.input_nbytes) == (320, 240, 115200)
    bpu.infer(np.zeros(115200, np.uint8))
    with pytest.raises(InputError):
        bpu.infer(np.zeros(224 * 224 * 3 // 2, np.uint8))
    assert_only_valid_buffers_reached(pyeasy_dnn)


def test_labels_count_is_checked_against_the_output(pyeasy_dnn, fixture_bin):
    pyeasy_dnn.configure(num_classes=10)
    pyeasy_dnn.set_scorer(lambda nv12, w, h, path: np.arange(10, dtype=np.float32))
    bpu = create_backend('bpu', fixture_bin)
    assert bpu.num_classes == 10 and bpu.infer(np.zeros(75264, np.uint8)).shape == (10,)
    with pytest.raises(LabelsError, match='1000 labels but the model outputs 10'):
        load_labels(DEFAULT_LABELS_PATH, expected_count=bpu.num_classes)


@pytest.mark.parametrize('recorded, requested, expected, note', [
    ('full', 'auto', 'full', 'recorded in the .bin'),
    ('video', 'auto', 'video', 'recorded in the .bin'),
    (None, 'auto', 'full', 'assuming full'),
    ('full', 'video', 'video', 'the .bin says full'),
])
def test_nv12_range(pyeasy_dnn, tmp_path, recorded, requested, expected, note):
    pyeasy_dnn.set_scorer(support.ramp_scorer)
    path = support.write_fixture_bin(tmp_path / 'm.bin', recorded)
    bpu = create_backend('bpu', path, nv12_range=requested)
    assert bpu.nv12_range == expected and note in bpu.description


def test_missing_default_model_points_to_the_model_zoo(pyeasy_dnn):
    if os.path.exists(DEFAULT_BPU_MODEL):
        pytest.skip('the default model exists here (a board)')
    with pytest.raises(ModelError) as info:
        create_backend('bpu', '')
    message = str(info.value)
    assert DEFAULT_BPU_MODEL in message and 'ResNet18_224x224_nv12.bin' in message
    assert '\n' not in message


@pytest.mark.parametrize('content, problem', [(None, 'not found'), (b'', 'empty')])
def test_missing_or_empty_model(pyeasy_dnn, tmp_path, content, problem):
    path = tmp_path / 'm.bin'
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ModelError, match=problem) as info:
        create_backend('bpu', str(path))
    assert str(path) in str(info.value)


def test_onnx_given_to_bpu(pyeasy_dnn, tmp_path):
    path = tmp_path / 'm.onnx'
    path.write_bytes(b'x')
    with pytest.raises(ModelError, match='ONNX model'):
        create_backend('bpu', str(path))


# ---- the stand-in can be configured from the environment (for node subprocesses) ----------

def test_standin_environment_configuration(tmp_path, fixture_bin):
    log = tmp_path / 'forward.log'
    env = child_env(PYTHONPATH=os.pathsep.join([support.STANDINS, support.REPO]),
                    PYEASY_DNN_STANDIN_SCORER='standin_support:ramp_scorer',
                    PYEASY_DNN_STANDIN_FAIL_EVERY=3, PYEASY_DNN_STANDIN_LOG=log)
    script = (
        'import numpy as np\n'
        'from resnet_x5_ros.backends import create_backend, BackendError\n'
        'b = create_backend("auto", {!r})\n'
        'for i in range(4):\n'
        '    try:\n'
        '        print("ok", int(np.argmax(b.infer(np.full(75264, 7, np.uint8)))))\n'
        '    except BackendError as e:\n'
        '        print("error", type(e.__cause__).__name__)\n').format(fixture_bin)
    result = subprocess.run([sys.executable, '-c', script], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    # Call 1 is the warm-up; calls 3 and 6 fail.
    assert [line for line in result.stdout.splitlines() if line[:2] in ('ok', 'er')] == [
        'ok 7', 'error SystemError', 'ok 7', 'ok 7']
    lines = log.read_text(encoding='utf-8').splitlines()
    assert len(lines) == 5 and all(' valid=1 ' in line for line in lines)


X5_FIXTURES = os.path.join(support.REPO, 'test', 'fixtures', 'x5')


@pytest.mark.parametrize('name, expected', [('efficientnet_lite0_x5_full.bin', 'full'),
                                            ('efficientnet_lite0_x5_video.bin', 'video')])
def test_range_is_read_from_real_compiled_bins(name, expected):
    path = os.path.join(X5_FIXTURES, name)
    if not os.path.isfile(path):
        pytest.skip('no compiled X5 .bin fixture at ' + path)
    assert read_bin_nv12_range(path) == expected


def test_standin_reproduces_the_runtime_contract(pyeasy_dnn, fixture_bin):
    # What the backend is written against: fresh objects per access, copying buffers that the
    # next forward overwrites, SystemError on failure, and no input checks at all.
    pyeasy_dnn.set_scorer(support.ramp_scorer)
    models = pyeasy_dnn.load([fixture_bin, fixture_bin])
    assert len(models) == 2 and isinstance(pyeasy_dnn.load(fixture_bin), list)
    model = models[0]
    assert model.inputs[0] is not model.inputs[0]
    props = model.inputs[0].properties
    assert (props.tensor_type, props.dtype, props.layout, props.shape) == (
        'NV12', 'uint8', 'NCHW', (1, 3, 224, 224))
    out = model.forward(np.full((336, 224), 5, np.uint8))
    first = out[0].buffer
    assert first.shape == (1, 1000, 1, 1) and first.dtype == np.float32
    assert first is not out[0].buffer and int(np.argmax(first)) == 5
    model.forward(np.full((336, 224), 9, np.uint8))
    assert int(np.argmax(out[0].buffer)) == 9  # the old tensor now shows the new frame
    model.forward(np.full(10, 200, np.uint8))  # too short: accepted, like the real one
    assert pyeasy_dnn.forward_log[-1].underflow and not pyeasy_dnn.forward_log[-1].valid
    with pytest.raises(SystemError):
        pyeasy_dnn.load(fixture_bin + '.missing')
    with pytest.raises(TypeError):
        pyeasy_dnn.load(42)
