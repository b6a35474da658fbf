# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""The runtime STAND-INs reproduce the X5 runtimes' Python contracts, point by point.

pyeasy_dnn: D-Robotics/x5-hobot-spdev src/python/dnn_python.cpp (function in each test).
hbm_runtime: python/hbm_runtime/HB_HBMRuntime.pyi, the X5 module's strings and the binding's
published C++ source. The backend is written against these behaviours, so they are pinned here.
"""

import ctypes

import numpy as np
import pytest

from support.standins import standin_support as standins


@pytest.fixture
def pyeasy_dnn():
    with standins.standin_runtime('pyeasy_dnn') as module:
        module.set_scorer(standins.ramp_scorer)
        yield module


@pytest.fixture
def hbm_runtime():
    with standins.standin_runtime('hbm_runtime') as module:
        module.set_scorer(standins.ramp_scorer)
        yield module


@pytest.fixture
def fixture_bin(tmp_path):
    return standins.write_fixture_bin(tmp_path / 'resnet18_224x224_nv12.bin')


def top(model):
    return int(np.argmax(model.outputs[0].buffer))


# ---- pyeasy_dnn -----------------------------------------------------------------------------

def test_pyeasy_objects_and_buffers(pyeasy_dnn, fixture_bin):
    # Fresh objects per access (model_get_tensor_*), copying buffers the next forward
    # overwrites (buffer_2_numpy), one Model per file (Dnnpy_load).
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
    assert int(np.argmax(out[0].buffer)) == 9


@pytest.mark.parametrize('argument, cause', [(42, TypeError), ([42], TypeError),
                                             ('missing', RuntimeError)])
def test_pyeasy_load_failures_are_system_errors(pyeasy_dnn, fixture_bin, argument, cause):
    # Dnnpy_load sets an error and returns None: SystemError with the error as __cause__.
    if argument == 'missing':
        argument = fixture_bin + '.missing'
    with pytest.raises(SystemError) as info:
        pyeasy_dnn.load(argument)
    assert isinstance(info.value.__cause__, cause)


def test_pyeasy_size_is_the_product_of_the_dims(pyeasy_dnn, fixture_bin):
    # Model_forward: size = product of the dims, an element count used as a byte count.
    model = pyeasy_dnn.load(fixture_bin)[0]
    model.forward(np.full((336, 224), 50, np.uint8))
    wide = np.full(336 * 224 // 2, 0x0101 * 200, np.uint16)  # 75264 bytes in 37632 elements
    model.forward(wide)
    record = pyeasy_dnn.forward_log[-1]
    assert (record.size, record.valid, record.underflow) == (37632, False, True)
    y_mean = model.inputs[0].buffer.view(np.uint8).reshape(-1)[:224 * 224].mean()
    # Only the first 37632 bytes were replaced (by 200s); the rest is the old frame's 50s.
    assert y_mean == pytest.approx((37632 * 200 + (224 * 224 - 37632) * 50) / (224 * 224))


def test_pyeasy_list_items_are_cast_to_uint8(pyeasy_dnn, fixture_bin):
    # Model_forward: each item of a list/tuple goes through PyArray_FROM_OTF(NPY_UBYTE,
    # FORCECAST): a float array is converted by value.
    model = pyeasy_dnn.load(fixture_bin)[0]
    model.forward([np.full(75264, 7.9, np.float32)])
    assert top(model) == 7
    with pytest.raises(SystemError) as info:
        model.forward([np.zeros(75264, np.uint8), 'not an array'])
    assert isinstance(info.value.__cause__, TypeError)
    with pytest.raises(SystemError):  # two inputs for a one-input model
        model.forward((np.zeros(75264, np.uint8), np.zeros(75264, np.uint8)))


def test_pyeasy_non_array_runs_on_the_old_input(pyeasy_dnn, fixture_bin, capsys):
    # Model_forward prints "arg_obj is NOT a container." and runs forward with no input.
    model = pyeasy_dnn.load(fixture_bin)[0]
    model.forward(np.full(75264, 33, np.uint8))
    out = model.forward(b'\x00' * 75264)
    assert 'arg_obj is NOT a container.' in capsys.readouterr().out
    assert int(np.argmax(out[0].buffer)) == 33
    model.forward([])  # an empty list: no input copied either
    assert top(model) == 33


def test_pyeasy_empty_array_fails_as_system_error(pyeasy_dnn, fixture_bin):
    # forward(): data_size <= 0 -> -1 -> RuntimeError('forward execution failed.') + None.
    model = pyeasy_dnn.load(fixture_bin)[0]
    with pytest.raises(SystemError) as info:
        model.forward(np.zeros(0, np.uint8))
    assert isinstance(info.value.__cause__, RuntimeError)
    assert 'forward execution failed.' in str(info.value.__cause__)


def test_pyeasy_rgb_input_is_changed_in_place(pyeasy_dnn, fixture_bin):
    # forward(): for RGB inputs data_ptr[i] = clamp(data_ptr[i] - 128, 0, 255) in the caller's
    # own buffer.
    pyeasy_dnn.configure(input_type='RGB')
    model = pyeasy_dnn.load(fixture_bin)[0]
    frame = np.array([0, 100, 128, 200, 255] * 10, np.uint8)
    model.forward(frame)
    assert list(frame[:5]) == [0, 0, 0, 72, 127]


@pytest.mark.parametrize('output_type, returned', [
    ('int8', np.int8), ('int16', np.int16), ('int32', np.int32), ('float32', np.float32),
    ('uint8', np.int8), ('uint16', np.int8), ('float16', np.int8), ('int64', np.int8)])
def test_pyeasy_buffer_types(pyeasy_dnn, fixture_bin, output_type, returned):
    # buffer_2_pyarray: S8/S16/S32/F32 as themselves, anything else as int8 bytes.
    pyeasy_dnn.configure(output_type=output_type, output_scale=[1.0])
    model = pyeasy_dnn.load(fixture_bin)[0]
    buffer = model.forward(np.full(75264, 3, np.uint8))[0].buffer
    assert buffer.dtype == returned and buffer.shape == (1, 1000, 1, 1)


def test_pyeasy_shape_structs_are_only_addresses(pyeasy_dnn, fixture_bin):
    # tensorproperties_get_alignedshape/_validshape: PyLong_FromVoidPtr of a copy of the
    # hbDNNTensorShape struct (int32 dimensionSize[8], int32 numDimensions), not values.
    pyeasy_dnn.configure(output_type='int32', output_scale=[1.0])
    props = pyeasy_dnn.load(fixture_bin)[0].outputs[0].properties

    def struct_at(address):
        fields = (ctypes.c_int32 * 9).from_address(address)
        return tuple(fields[:fields[8]])

    assert isinstance(props.alignedShape, int) and isinstance(props.validShape, int)
    assert struct_at(props.validShape) == props.shape == (1, 1000, 1, 1)
    assert struct_at(props.alignedShape) == (1, 1000, 1, 4)  # the stand-in's padding


def test_pyeasy_bad_keyword_types(pyeasy_dnn, fixture_bin):
    model = pyeasy_dnn.load(fixture_bin)[0]
    with pytest.raises(SystemError) as info:
        model.forward(np.zeros(75264, np.uint8), core_id='0')
    assert isinstance(info.value.__cause__, TypeError)


# ---- hbm_runtime ------------------------------------------------------------------------------

def test_hbm_metadata_is_keyed_by_model_name(hbm_runtime, fixture_bin):
    engine = hbm_runtime.HB_HBMRuntime(fixture_bin)
    name = 'resnet18_224x224_nv12'
    assert engine.model_names == [name] and engine.model_count == 1
    assert engine.input_names == {name: ['data']}
    assert engine.input_dtypes[name]['data'].name == 'NV12'
    assert engine.input_shapes[name]['data'] == [1, 3, 224, 224]
    assert engine.output_dtypes[name]['prob'].name == 'F32'
    quant = engine.output_quants[name]['prob']
    assert quant.quant_type.name == 'NONE' and quant.scale.size == 0
    assert isinstance(hbm_runtime.HB_HBMRuntime.version, str)


@pytest.mark.parametrize('argument, error', [(42, TypeError), ([], RuntimeError),
                                             ('missing.bin', RuntimeError),
                                             ('model.onnx', RuntimeError)])
def test_hbm_constructor_failures(hbm_runtime, tmp_path, argument, error):
    if argument == 'model.onnx':
        argument = str(tmp_path / 'model.onnx')
        open(argument, 'wb').write(b'x')
    with pytest.raises(error):
        hbm_runtime.HB_HBMRuntime(argument)


def test_hbm_run_forms_and_outputs(hbm_runtime, fixture_bin):
    engine = hbm_runtime.HB_HBMRuntime(fixture_bin)
    name = engine.model_names[0]
    frame = np.full((1, 336, 224, 1), 12, np.uint8)
    for argument in (frame, {'data': frame}, {name: {'data': frame}}):
        result = engine.run(argument, model_name=name)
        assert list(result) == [name] and int(np.argmax(result[name]['prob'])) == 12
    flat = engine.run(frame.reshape(-1))[name]['prob']  # an image input's shape is not checked
    again = engine.run(np.full(75264, 13, np.uint8))[name]['prob']
    assert int(np.argmax(flat)) == 12 and int(np.argmax(again)) == 13  # new arrays each call


@pytest.mark.parametrize('argument, kwargs, error, match', [
    (np.zeros(75264, np.float32), {}, RuntimeError, 'Data type mismatch'),
    ([0] * 75264, {}, TypeError, 'incompatible function arguments'),
    (np.zeros(75264, np.uint8), {'priority': 3}, RuntimeError, 'Unsupported type in kwargs'),
    (np.zeros(75264, np.uint8), {'model_name': 'other'}, RuntimeError, 'not in the loaded'),
    ({'image': np.zeros(75264, np.uint8)}, {}, RuntimeError, 'is invalid for model'),
])
def test_hbm_run_refusals(hbm_runtime, fixture_bin, argument, kwargs, error, match):
    engine = hbm_runtime.HB_HBMRuntime(fixture_bin)
    with pytest.raises(error, match=match):
        engine.run(argument, **kwargs)


def test_hbm_shift_quantisation_is_unnamed(hbm_runtime, fixture_bin):
    # The X5 binding names NONE and SCALE only; pybind11 shows other values as '???'.
    hbm_runtime.configure(output_type='int8', output_quant='SHIFT')
    engine = hbm_runtime.HB_HBMRuntime(fixture_bin)
    quant = engine.output_quants[engine.model_names[0]]['prob']
    assert quant.quant_type.name == '???' and quant.scale.size == 0


def test_hbm_scheduling_parameters_are_validated(hbm_runtime, fixture_bin):
    engine = hbm_runtime.HB_HBMRuntime(fixture_bin)
    name = engine.model_names[0]
    engine.set_scheduling_params(priority={name: 200}, bpu_cores={name: [0]})
    assert engine.sched_params[name].priority == 200
    with pytest.raises(RuntimeError, match='out of valid range'):
        engine.set_scheduling_params(priority={name: 300})
    with pytest.raises(RuntimeError, match='not in the loaded model list'):
        engine.set_scheduling_params(priority={'other': 1})
