# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""The BPU backend against the runtime STAND-INs (dev/standins), not the real runtimes.

Most tests run on both runtimes (pyeasy_dnn and hbm_runtime). The stand-ins record every
buffer their forward()/run() receives and, by default, score the NV12 input with the CPU
model. What the BPU code path delivers is checked independently of that model: a scorer that
echoes sampled input bytes proves every byte arrives in place, and the sample photos must come
out as the classes they show. Wrong buffers never reach the runtime.
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
from resnet_x5_ros.tools.samples import EXPECTED_CLASSES
from support import run_in_threads
from support.rosutil import child_env
from support.standins import standin_support as standins


MODEL = default_cpu_model()
needs_model = pytest.mark.skipif(
    not os.path.isfile(MODEL),
    reason='the stand-in scores with the CPU model {}: run `make model`'.format(MODEL))
LABELS = load_labels(DEFAULT_LABELS_PATH)


RUNTIMES = ('pyeasy_dnn', 'hbm_runtime')
# How each runtime is handed the (H*3/2, W) frame: pyeasy_dnn counts bytes as the product of
# the dims; hbm_runtime gets the model zoo's X5 shape.
FED_SHAPES = {'pyeasy_dnn': (336, 224), 'hbm_runtime': (1, 336, 224, 1)}
# What a runtime failure looks like from Python.
FAILURES = {'pyeasy_dnn': SystemError, 'hbm_runtime': RuntimeError}


@pytest.fixture(params=RUNTIMES)
def runtime(request):
    """The stand-in of one runtime (parametrised over both); .kind names it."""
    with standins.standin_runtime(request.param) as module:
        yield module


@pytest.fixture
def pyeasy_dnn():
    with standins.standin_runtime('pyeasy_dnn') as module:
        yield module


@pytest.fixture
def hbm_runtime():
    with standins.standin_runtime('hbm_runtime') as module:
        yield module


def bpu_backend(runtime, model, **options):
    """create_backend('bpu') on the stand-in's runtime, named explicitly."""
    return create_backend('bpu', model, bpu_runtime=runtime.kind, **options)


@pytest.fixture
def fixture_bin(tmp_path):
    return standins.write_fixture_bin(tmp_path / 'resnet18_224x224_nv12.bin')


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

# 1000 positions spread over the whole 224x224 NV12 frame (Y plane and interleaved UV).
ECHOED_AT = np.linspace(0, 224 * 224 * 3 // 2 - 1, 1000).astype(np.int64)


def echo_scorer(nv12, width, height, model_path):
    """Scores = the input bytes at ECHOED_AT: any moved, lost or altered byte shows."""
    return np.asarray(nv12, dtype=np.uint8).reshape(-1)[ECHOED_AT].astype(np.float32)


@pytest.mark.parametrize('seed', range(3))
def test_bpu_path_hands_every_byte_over_in_place(runtime, fixture_bin, seed):
    runtime.set_scorer(echo_scorer)
    bpu = bpu_backend(runtime, fixture_bin)
    assert bpu.runtime_kind == runtime.kind and 'STAND-IN' in bpu.description
    frame = np.random.default_rng(seed).integers(0, 256, 224 * 224 * 3 // 2, dtype=np.uint8)
    np.testing.assert_array_equal(bpu.infer(frame), frame[ECHOED_AT].astype(np.float32))
    # A frame given as (H*3/2, W) rows is the same bytes.
    np.testing.assert_array_equal(bpu.infer(frame.reshape(336, 224)),
                                  frame[ECHOED_AT].astype(np.float32))
    assert_only_valid_buffers_reached(runtime)
    assert runtime.forward_log[-1].shape == FED_SHAPES[runtime.kind]


@needs_model
@pytest.mark.parametrize('photo', sorted(EXPECTED_CLASSES))
def test_bpu_path_classifies_the_sample_photos(runtime, fixture_bin, photo):
    bpu = bpu_backend(runtime, fixture_bin)
    names = [LABELS[i] for i in top5(bpu.infer(standins.sample_nv12(photo)))]
    assert set(EXPECTED_CLASSES[photo]) & set(names), '{}: top-5 {}'.format(photo, names)
    assert_only_valid_buffers_reached(runtime)


@needs_model
@pytest.mark.parametrize('output_type, scale', [('int32', [1.0 / 4096]), ('int16', 'per-class'),
                                                ('int8', [0.25])])
def test_quantised_outputs_are_dequantised(runtime, fixture_bin, cpu, output_type, scale):
    if scale == 'per-class':
        scale = list(np.linspace(1.0 / 2048, 1.0 / 1024, 1000))
    # pyeasy_dnn reads integer outputs right only in the layout padding cannot scramble (below).
    layout = 'NHWC' if runtime.kind == 'pyeasy_dnn' else 'NCHW'
    runtime.configure(output_type=output_type, output_scale=scale, output_layout=layout)
    bpu = bpu_backend(runtime, fixture_bin)
    assert 'dequantised' in bpu.description
    frame = standins.sample_nv12('coffee.png')
    got, want = bpu.infer(frame), cpu.infer(frame)
    assert got.dtype == np.float32
    assert np.max(np.abs(got - want)) <= max(scale) / 2 + 1e-4
    assert LABELS[top5(got)[0]] == 'espresso'


@pytest.mark.parametrize('output_type', ['int8', 'int32'])
def test_integer_output_without_scale_is_refused_at_load(runtime, fixture_bin, output_type):
    # pyeasy_dnn shows no quantisation type: no scale_data means SHIFT or none; the raw
    # integers are not scores, so the model is refused rather than read wrongly per frame.
    runtime.configure(output_type=output_type)
    runtime.set_scorer(standins.ramp_scorer)
    with pytest.raises(ModelError) as info:
        bpu_backend(runtime, fixture_bin)
    message = str(info.value)
    assert fixture_bin in message and output_type in message and 'float32 output' in message
    assert runtime.forward_calls() == 0


@pytest.mark.parametrize('output_type', ['int8', 'int16', 'int32'])
@pytest.mark.parametrize('aligned', [None, (1, 1000, 1, 1)], ids=['padded', 'not-padded'])
def test_pyeasy_refuses_integer_outputs_padding_may_scramble(pyeasy_dnn, fixture_bin,
                                                             output_type, aligned):
    # .buffer copies the valid element count from the start of the aligned memory, and the
    # aligned shape is only given as a C pointer: refused whether or not this one is padded.
    pyeasy_dnn.configure(output_type=output_type, output_scale=[0.5], output_layout='NCHW',
                         output_aligned_shape=aligned)
    with pytest.raises(ModelError) as info:
        bpu_backend(pyeasy_dnn, fixture_bin)
    message = str(info.value)
    assert message.startswith(fixture_bin + ": output 'prob' is {} of shape (1, 1000, 1, 1): "
                              'its device memory may be padded'.format(output_type)), message
    assert 'bpu_runtime: hbm_runtime' in message and 'float32 output' in message
    assert pyeasy_dnn.forward_calls() == 0


def test_the_standin_scrambles_padded_outputs_as_pyeasy_dnn_does(pyeasy_dnn, fixture_bin):
    # What the refusal prevents: the int32 1x1000x1x1 output in memory padded to 1x1000x1x4
    # (16,000 bytes, as hbdk-sim reports for the compiled fixture) read by .buffer.
    pyeasy_dnn.configure(output_type='int32', output_scale=[1.0])
    pyeasy_dnn.set_scorer(lambda nv12, w, h, path: np.arange(1000, dtype=np.float32) + 1)
    model = pyeasy_dnn.load(fixture_bin)[0]
    assert model.outputs[0].properties.shape == (1, 1000, 1, 1)
    buffer = model.forward(standins.sample_nv12('coffee.png'))[0].buffer
    assert buffer.shape == (1, 1000, 1, 1)
    assert list(buffer.reshape(-1)[:9]) == [1, 0, 0, 0, 2, 0, 0, 0, 3]


@needs_model
@pytest.mark.parametrize('aligned', [(1, 1, 1, 1000), (1, 1, 1, 1024), (1, 2, 3, 1008)])
def test_pyeasy_reads_last_axis_integer_outputs_whatever_the_padding(pyeasy_dnn, fixture_bin,
                                                                     cpu, aligned):
    # (1, 1, 1, C): the valid values are the memory's first C, however it is padded.
    pyeasy_dnn.configure(output_type='int16', output_scale=[1.0 / 1024], output_layout='NHWC',
                         output_aligned_shape=aligned)
    bpu = bpu_backend(pyeasy_dnn, fixture_bin)
    frame = standins.sample_nv12('coffee.png')
    assert np.max(np.abs(bpu.infer(frame) - cpu.infer(frame))) <= 1.0 / 2048 + 1e-4


@needs_model
def test_hbm_runtime_reads_padded_integer_outputs_through_strides(hbm_runtime, fixture_bin,
                                                                  cpu):
    hbm_runtime.configure(output_type='int32', output_scale=[1.0 / 4096], output_layout='NCHW')
    engine = hbm_runtime.HB_HBMRuntime(fixture_bin)
    name = engine.model_names[0]
    # The stand-in's padding of 1x1000x1x1 int32: 4 elements per class, 16 bytes apart.
    assert engine.output_strides[name]['prob'] == [16000, 16, 16, 4]
    bpu = bpu_backend(hbm_runtime, fixture_bin)
    frame = standins.sample_nv12('coffee.png')
    assert np.max(np.abs(bpu.infer(frame) - cpu.infer(frame))) <= 1.0 / 8192 + 1e-4


@pytest.mark.parametrize('quant', ['SHIFT', 'NONE'])
def test_hbm_integer_output_not_scale_quantised_is_refused(hbm_runtime, fixture_bin, quant):
    hbm_runtime.configure(output_type='int16', output_scale=[0.5], output_quant=quant)
    with pytest.raises(ModelError, match='quantisation type {}'.format(
            '???' if quant == 'SHIFT' else quant).replace('?', '\\?')):
        bpu_backend(hbm_runtime, fixture_bin)


def test_hbm_float_output_ignores_a_vestigial_scale(hbm_runtime, fixture_bin):
    # X5 float outputs can carry a SCALE descriptor (model zoo board evidence): not applied.
    hbm_runtime.configure(output_type='float32', output_scale=[0.001], output_quant='SCALE')
    hbm_runtime.set_scorer(standins.ramp_scorer)
    bpu = bpu_backend(hbm_runtime, fixture_bin)
    assert 'dequantised' not in bpu.description
    assert bpu.infer(standins.sample_nv12('coffee.png')).max() == 10.0


@pytest.mark.parametrize('output_type', ['uint8', 'uint16', 'float16', 'int64'])
def test_outputs_pyeasy_dnn_misreads_are_refused_at_load(pyeasy_dnn, fixture_bin, output_type):
    # buffer_2_pyarray returns these as int8 bytes: every frame would be read wrongly.
    pyeasy_dnn.configure(output_type=output_type, output_scale=[0.5])
    with pytest.raises(ModelError, match='returns only int8/int16/int32/float32') as info:
        create_backend('bpu', fixture_bin)
    assert fixture_bin in str(info.value) and output_type in str(info.value)


@needs_model
@pytest.mark.parametrize('output_type, scale', [('uint8', [0.1]), ('float16', None)])
def test_hbm_runtime_returns_those_outputs_faithfully(hbm_runtime, fixture_bin, cpu,
                                                      output_type, scale):
    hbm_runtime.configure(output_type=output_type, output_scale=scale)
    hbm_runtime.set_scorer(lambda nv12, w, h, path: np.clip(cpu.infer(nv12), 0, 25))
    bpu = bpu_backend(hbm_runtime, fixture_bin)
    frame = standins.sample_nv12('coffee.png')
    want = np.clip(cpu.infer(frame), 0, 25)
    assert np.max(np.abs(bpu.infer(frame) - want)) <= 0.06
    assert LABELS[top5(bpu.infer(frame))[0]] == 'espresso'


def test_probability_outputs_are_detected(runtime, fixture_bin):
    runtime.set_scorer(lambda nv12, w, h, path: np.full(1000, 1e-3, np.float32))
    assert bpu_backend(runtime, fixture_bin).outputs_probabilities is True
    runtime.set_scorer(standins.ramp_scorer)
    assert bpu_backend(runtime, fixture_bin).outputs_probabilities is False


@needs_model
def test_each_thread_gets_its_own_frames_scores(runtime, fixture_bin):
    bpu = bpu_backend(runtime, fixture_bin)
    frames = {p: standins.sample_nv12(p) for p in ('coffee.png', 'chelsea.png')}
    expected = {p: top5(bpu.infer(f))[0] for p, f in frames.items()}
    assert expected['coffee.png'] != expected['chelsea.png']
    wrong = []

    def worker(photo):
        for _ in range(10):
            if top5(bpu.infer(frames[photo]))[0] != expected[photo]:
                wrong.append(photo)

    run_in_threads(worker, list(frames))
    assert wrong == []


def test_no_reentrant_run_on_one_hbm_runtime_object(hbm_runtime, fixture_bin):
    # hbm_runtime raises 'run() already in use' for a second call while one runs; the
    # backend serialises its calls, so concurrent infer() calls never see that error.
    hbm_runtime.set_scorer(standins.ramp_scorer)
    bpu = bpu_backend(hbm_runtime, fixture_bin)
    hbm_runtime.set_faults(sleep_every=1, sleep_seconds=0.02)
    errors = []

    def worker(_):
        for _ in range(5):
            try:
                bpu.infer(np.full(75264, 9, np.uint8))
            except BackendError as exc:
                errors.append(str(exc))

    run_in_threads(worker, range(3))
    assert errors == []


def test_hbm_standin_refuses_reentrant_run(hbm_runtime, fixture_bin):
    # The stand-in reproduces the guard the backend must never trip.
    engine = hbm_runtime.HB_HBMRuntime(fixture_bin)
    hbm_runtime.set_scorer(standins.ramp_scorer)
    hbm_runtime.set_faults(sleep_every=1, sleep_seconds=0.3)
    frame = np.zeros((1, 336, 224, 1), np.uint8)
    first = threading.Thread(target=engine.run, args=(frame,))
    first.start()
    try:
        assert standins.wait_for(lambda: hbm_runtime.forward_calls() >= 1, 5.0)
        with pytest.raises(RuntimeError, match=r'run\(\) already in use'):
            engine.run(frame)
    finally:
        first.join()


# ---- wrong buffers never reach the runtime ---------------------------------------------------

def _bad_buffers():
    good = np.zeros(224 * 224 * 3 // 2, np.uint8)
    return {
        'short': good[:-1], 'long': np.zeros(good.size + 2, np.uint8), 'empty': good[:0],
        'float32': good.astype(np.float32), 'uint16': np.zeros(good.size // 2, np.uint16),
        'int8': good.view(np.int8), 'strided': np.zeros(good.size * 2, np.uint8)[::2],
        'fortran 2-D': np.asfortranarray(np.zeros((336, 224), np.uint8)),
        'bgr image': np.zeros((224, 224, 3), np.uint8), 'bytes': good.tobytes(),
        'list': [0] * 16, 'list of arrays': [good], 'tuple of arrays': (good,), 'none': None,
    }


@pytest.mark.parametrize('what', sorted(_bad_buffers()))
def test_wrong_buffer_never_reaches_the_runtime(runtime, fixture_bin, what):
    runtime.set_scorer(standins.ramp_scorer)
    bpu = bpu_backend(runtime, fixture_bin)
    calls = runtime.forward_calls()
    with pytest.raises(InputError):
        bpu.infer(_bad_buffers()[what])
    assert runtime.forward_calls() == calls
    bpu.infer(np.zeros(224 * 224 * 3 // 2, np.uint8))
    assert runtime.forward_calls() == calls + 1
    assert_only_valid_buffers_reached(runtime)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(size=st.integers(0, 80000), dtype=st.sampled_from(['uint8', 'int8', 'float32']),
       step=st.sampled_from([1, 3]))
def test_only_exact_frames_reach_the_runtime(runtime, fixture_bin, size, dtype, step):
    runtime.set_scorer(standins.ramp_scorer)
    bpu = BpuBackend(fixture_bin, bpu_runtime=runtime.kind, warmup=False)
    array = np.zeros(size * step, dtype)[::step]
    try:
        bpu.infer(array)
    except InputError:
        pass
    assert_only_valid_buffers_reached(runtime)


def test_closed_backend_does_not_call_the_runtime(runtime, fixture_bin):
    runtime.set_scorer(standins.ramp_scorer)
    bpu = bpu_backend(runtime, fixture_bin)
    bpu.close()
    calls = runtime.forward_calls()
    with pytest.raises(BackendError, match='closed'):
        bpu.infer(np.zeros(224 * 224 * 3 // 2, np.uint8))
    assert runtime.forward_calls() == calls


# ---- runtime failures become clear errors ----------------------------------------------------

def test_runtime_failure_becomes_backend_error(runtime, fixture_bin):
    runtime.set_scorer(standins.ramp_scorer)
    bpu = bpu_backend(runtime, fixture_bin)
    frame = np.zeros(224 * 224 * 3 // 2, np.uint8)
    runtime.set_faults(fail_every=runtime.forward_calls() + 1)
    failure = FAILURES[runtime.kind]
    with pytest.raises(BackendError, match='bpu inference failed \\({}\\)'.format(
            failure.__name__)) as info:
        bpu.infer(frame)
    assert isinstance(info.value.__cause__, failure)
    if runtime.kind == 'pyeasy_dnn':  # error set + None returned: SystemError from it
        assert isinstance(info.value.__cause__.__cause__, RuntimeError)
    assert bpu.infer(frame).shape == (1000,)  # the next frame works again


def test_forward_returning_none_becomes_backend_error(pyeasy_dnn, fixture_bin):
    pyeasy_dnn.set_scorer(standins.ramp_scorer)
    bpu = create_backend('bpu', fixture_bin)
    pyeasy_dnn.set_faults(fail_from=1, fail_mode='none')
    with pytest.raises(BackendError, match='returned None'):
        bpu.infer(np.zeros(224 * 224 * 3 // 2, np.uint8))


def test_failing_warm_up_is_reported_at_load(runtime, fixture_bin):
    runtime.set_faults(fail_from=1)
    with pytest.raises(BackendError, match='warm-up inference failed') as info:
        bpu_backend(runtime, fixture_bin)
    assert fixture_bin in str(info.value)


def test_load_failure_is_a_model_error(runtime, fixture_bin):
    runtime.set_faults(fail_load=True)
    with pytest.raises(ModelError) as info:
        bpu_backend(runtime, fixture_bin)
    assert fixture_bin in str(info.value)
    assert FAILURES[runtime.kind].__name__ in str(info.value)


def test_output_dtype_not_as_declared_is_caught(fixture_bin):
    # A runtime build that hands back other data than its properties declare.
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
        outputs = [Tensor('prob', Props('int16', (1, 1, 1, 1000), 'NHWC'))]

        def forward(self, data):
            return [Tensor('prob', None, np.zeros((1, 1, 1, 1000), np.int8))]

    class Runtime(object):
        __name__ = 'fake_pyeasy_dnn'

        def load(self, path):
            return [Model()]

    bpu = BpuBackend(fixture_bin, runtime=Runtime(), warmup=False)
    with pytest.raises(BackendError, match='declared int16 but the runtime returned int8'):
        bpu.infer(np.zeros(224 * 224 * 3 // 2, np.uint8))


# ---- model checks at load ---------------------------------------------------------------------

@pytest.mark.parametrize('input_type', ['RGB', 'BGR', 'NV12_SEPARATE', 'YUV444', 'float32'])
def test_non_nv12_models_are_refused(runtime, fixture_bin, input_type):
    runtime.configure(input_type=input_type)
    with pytest.raises(ModelError) as info:
        bpu_backend(runtime, fixture_bin)
    message = str(info.value)
    expected_type = input_type if runtime.kind == 'pyeasy_dnn' or input_type != 'float32' \
        else 'F32'
    assert fixture_bin in message and expected_type in message
    assert 'not packed NV12' in message
    assert runtime.forward_calls() == 0


def test_pyeasy_output_shape_must_be_4d(fixture_bin):
    # buffer_2_numpy always builds a 4-D array from dimensionSize[0..3].
    class Props(object):
        def __init__(self, tensor_type, shape):
            self.tensor_type, self.shape, self.layout = tensor_type, shape, 'NCHW'
            self.scale_data = np.zeros(0, np.float32)

    class Tensor(object):
        def __init__(self, name, props):
            self.name, self.properties = name, props

    class Model(object):
        name = 'fake'
        inputs = [Tensor('data', Props('NV12', (1, 3, 224, 224)))]
        outputs = [Tensor('prob', Props('float32', (1, 1000)))]

    class Runtime(object):
        def load(self, path):
            return [Model()]

    with pytest.raises(ModelError, match='not 4-D'):
        BpuBackend(fixture_bin, runtime=Runtime(), warmup=False)


def test_input_size_and_layout_come_from_the_model(runtime, fixture_bin):
    runtime.configure(input_width=320, input_height=240, input_layout='NHWC')
    runtime.set_scorer(standins.ramp_scorer)
    bpu = bpu_backend(runtime, fixture_bin)
    assert (bpu.input_width, bpu.input_height, bpu.input_nbytes) == (320, 240, 115200)
    bpu.infer(np.zeros(115200, np.uint8))
    with pytest.raises(InputError):
        bpu.infer(np.zeros(224 * 224 * 3 // 2, np.uint8))
    assert_only_valid_buffers_reached(runtime)


def test_labels_count_is_checked_against_the_output(runtime, fixture_bin):
    runtime.configure(num_classes=10)
    runtime.set_scorer(lambda nv12, w, h, path: np.arange(10, dtype=np.float32))
    bpu = bpu_backend(runtime, fixture_bin)
    assert bpu.num_classes == 10 and bpu.infer(np.zeros(75264, np.uint8)).shape == (10,)
    with pytest.raises(LabelsError, match='1000 labels but the model outputs 10'):
        load_labels(DEFAULT_LABELS_PATH, expected_count=bpu.num_classes)


@pytest.mark.parametrize('recorded, requested, expected, note', [
    ('full', 'auto', 'full', 'recorded in the .bin'),
    ('video', 'auto', 'video', 'recorded in the .bin'),
    (None, 'auto', 'full', 'assuming full'),
    ('full', 'video', 'video', 'the .bin says full'),
])
def test_nv12_range(runtime, tmp_path, recorded, requested, expected, note):
    runtime.set_scorer(standins.ramp_scorer)
    path = standins.write_fixture_bin(tmp_path / 'm.bin', recorded)
    bpu = bpu_backend(runtime, path, nv12_range=requested)
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
def test_missing_or_empty_model(runtime, tmp_path, content, problem):
    path = tmp_path / 'm.bin'
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ModelError, match=problem) as info:
        bpu_backend(runtime, str(path))
    assert str(path) in str(info.value)


def test_onnx_given_to_bpu(pyeasy_dnn, tmp_path):
    path = tmp_path / 'm.onnx'
    path.write_bytes(b'x')
    with pytest.raises(ModelError, match='ONNX model'):
        create_backend('bpu', str(path))


def test_unknown_bpu_runtime_is_refused(fixture_bin):
    with pytest.raises(ValueError, match='bpu_runtime must be one of auto, pyeasy_dnn, '
                                         'hbm_runtime'):
        create_backend('bpu', fixture_bin, bpu_runtime='tensorrt')


def test_asking_for_a_runtime_that_does_not_import(pyeasy_dnn, fixture_bin):
    # Only the pyeasy_dnn stand-in is importable inside this fixture.
    with pytest.raises(BackendError, match='no BPU runtime hbm_runtime imports'):
        create_backend('bpu', fixture_bin, bpu_runtime='hbm_runtime')


# ---- the stand-ins can be configured from the environment (for node subprocesses) ----------

@pytest.mark.parametrize('kind, prefix', [('pyeasy_dnn', 'PYEASY_DNN_STANDIN_'),
                                          ('hbm_runtime', 'HBM_RUNTIME_STANDIN_')])
def test_standin_environment_configuration(tmp_path, fixture_bin, kind, prefix):
    log = tmp_path / 'forward.log'
    env = child_env(**{'PYTHONPATH': os.pathsep.join([standins.STANDINS, standins.REPO]),
                       prefix + 'SCORER': 'standin_support:ramp_scorer',
                       prefix + 'FAIL_EVERY': 3, prefix + 'LOG': log})
    script = (
        'import numpy as np\n'
        'from resnet_x5_ros.backends import create_backend, BackendError\n'
        'b = create_backend("auto", {!r}, bpu_runtime={!r})\n'
        'for i in range(4):\n'
        '    try:\n'
        '        print("ok", int(np.argmax(b.infer(np.full(75264, 7, np.uint8)))))\n'
        '    except BackendError as e:\n'
        '        print("error", type(e.__cause__).__name__)\n').format(fixture_bin, kind)
    result = subprocess.run([sys.executable, '-c', script], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    # Call 1 is the warm-up; calls 3 and 6 fail.
    assert [line for line in result.stdout.splitlines() if line[:2] in ('ok', 'er')] == [
        'ok 7', 'error ' + FAILURES[kind].__name__, 'ok 7', 'ok 7']
    lines = log.read_text(encoding='utf-8').splitlines()
    assert len(lines) == 5 and all(' valid=1 ' in line for line in lines)


X5_FIXTURES = os.path.join(standins.REPO, 'test', 'fixtures', 'x5')


@pytest.mark.parametrize('name, expected', [('efficientnet_lite0_x5_full.bin', 'full'),
                                            ('efficientnet_lite0_x5_video.bin', 'video')])
def test_range_is_read_from_real_compiled_bins(name, expected):
    path = os.path.join(X5_FIXTURES, name)
    if not os.path.isfile(path):
        pytest.skip('no compiled X5 .bin fixture at ' + path)
    assert read_bin_nv12_range(path) == expected
