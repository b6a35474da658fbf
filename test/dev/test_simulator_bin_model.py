# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Our X5 .bin reader: protobuf wire format, the committed compiled fixtures, CPU post-steps.

These need no simulator: they read the .bin files compiled by dev/x5_toolchain/ (committed in
test/fixtures/x5/) and check what the reader gets out of them against the provenance record
written by the compiler run, and against the BPU backend's own range lookup.
"""

import hashlib
import json
import os
import struct

from hypothesis import given, settings, strategies as st
import numpy as np
import pytest

import onnx_proto
from resnet_x5_ros.backends.binfile import read_bin_nv12_range, SPACE_TO_RANGE
from support import REPO
from x5_simulator import protowire as pw
from x5_simulator.bin_model import BinFormatError, parse_bin, read_bin, UnsupportedStep

FIXTURES = os.path.join(REPO, 'test', 'fixtures', 'x5')
BINS = {'full': os.path.join(FIXTURES, 'efficientnet_lite0_x5_full.bin'),
        'video': os.path.join(FIXTURES, 'efficientnet_lite0_x5_video.bin')}
SPACES = {'full': 'regular', 'video': 'bt601_video'}


# Protobuf wire-format writing, for building test messages: the CPU model converter's.
_varint, _key = onnx_proto.varint, onnx_proto.key
_len_field, _int_field = onnx_proto.length_field, onnx_proto.int_field


def _entry(key, value):
    return _len_field(1, key) + _len_field(2, value)


def _tensor_type(elem, dims):
    return _int_field(1, elem) + b''.join(_int_field(2, d) for d in dims)


def _value_info(name, elem, dims):
    return _len_field(1, name) + _len_field(2, _tensor_type(elem, dims))


def _node(name, op, inputs, outputs, attrs=b''):
    ins = b''.join(_len_field(1, i) for i in inputs)
    outs = b''.join(_len_field(2, o) for o in outputs)
    return ins + outs + _len_field(3, name) + _len_field(4, op) + attrs


def _synthetic_bin(space='bt601_video', scales=(0.5, 0.25, 2.0), packed=True,
                   extra_node=b''):
    """A minimal .bin: BPU -> Dequantize(per-channel) -> Reshape, with metadata."""
    n = len(scales)
    if packed:
        floats = _len_field(2, struct.pack('<{}f'.format(n), *scales))
    else:
        floats = b''.join(_key(2, pw.FIXED32) + struct.pack('<f', s) for s in scales)
    scale_t = _len_field(1, _tensor_type(1, [n])) + floats + _len_field(8, 'scale')
    shape_t = (_len_field(1, _tensor_type(7, [2])) + _len_field(4, _varint(1) + _varint(n))
               + _len_field(8, 'shape'))
    hbm_t = _len_field(1, _tensor_type(8, [])) + _len_field(5, b'HBM-BYTES') + _len_field(
        8, 'PACKED_HBM_MODEL')
    graph = (_len_field(1, _node('sub0', 'BPU', ['input'], ['q']))
             + _len_field(1, _node('dq', 'Dequantize', ['q', 'scale'], ['f'],
                                   _len_field(5, _len_field(1, 'num_args') + _int_field(2, 2)
                                              + _int_field(4, 2))))
             + _len_field(1, _node('rs', 'Reshape', ['f', 'shape'], ['out'])) + extra_node
             + _len_field(2, 'g') + _len_field(3, hbm_t) + _len_field(3, scale_t)
             + _len_field(3, shape_t) + _len_field(4, _value_info('input', 3, [1, 8, 6, 3]))
             + _len_field(5, _value_info('out', 1, [1, n]))
             + _len_field(6, _value_info('q', 6, [1, n, 1, 1]))
             + _len_field(7, _varint(7)) + _len_field(8, _varint(2)))
    info = _len_field(1, _entry('INPUT_SPACE_AND_RANGE', space + ';')) + _len_field(
        1, _entry('MARCH', 'bayes-e'))
    return (_int_field(1, 1) + _len_field(5, graph) + _len_field(6, info)
            + _len_field(4, _entry('extra', 'x')))


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=(1 << 64) - 1))
def test_varint_round_trip(value):
    encoded = _varint(value)
    assert pw.read_varint(encoded, 0) == (value, len(encoded))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(min_value=-(1 << 63), max_value=(1 << 63) - 1), max_size=20),
       st.booleans())
def test_repeated_int64_packed_or_not(values, packed):
    if packed:
        buf = _len_field(4, b''.join(_varint(v & ((1 << 64) - 1)) for v in values))
    else:
        buf = b''.join(_int_field(4, v) for v in values)
    collected = pw.RepeatedNumbers('int64')
    for number, wire, value in pw.fields(buf):
        assert number == 4
        collected.add(wire, value)
    assert collected.array().tolist() == values


def test_truncated_message_is_an_error():
    whole = _len_field(3, b'abcdef')
    for cut in range(1, len(whole)):
        with pytest.raises(pw.WireError):
            list(pw.fields(whole[:cut]))


@pytest.mark.parametrize('packed', [True, False])
def test_synthetic_bin_structure_and_steps(packed):
    model = parse_bin(_synthetic_bin(packed=packed))
    assert model.input_space_and_range == 'bt601_video'
    assert model.nv12_range == 'video'
    assert model.meta('MARCH') == 'bayes-e'
    assert model.metadata['extra'] == 'x'
    assert model.hbm == b'HBM-BYTES'
    assert model.input_type == 'NV12'
    assert model.input_size == (6, 8)
    assert [n.op_type for n in model.cpu_steps()] == ['Dequantize', 'Reshape']
    assert model.graph.nodes[1].attributes == {'num_args': 2}
    q = np.array([2, -4, 3], dtype=np.int32).reshape(1, 3, 1, 1)
    out = model.apply_cpu_steps({'q': q})
    assert list(out) == ['out']
    np.testing.assert_array_equal(out['out'], np.array([[1.0, -1.0, 6.0]], np.float32))
    assert out['out'].dtype == np.float32


def test_range_defaults_to_regular_and_rejects_unknown():
    assert parse_bin(_synthetic_bin(space='')).nv12_range == 'full'
    with pytest.raises(BinFormatError, match='INPUT_SPACE_AND_RANGE'):
        parse_bin(_synthetic_bin(space='bt709')).nv12_range


def test_unsupported_cpu_step_is_named():
    extra = _len_field(1, _node('odd', 'HzFancyOp', ['out'], ['odd_out']))
    model = parse_bin(_synthetic_bin(extra_node=extra))
    with pytest.raises(UnsupportedStep, match='HzFancyOp'):
        model.apply_cpu_steps({'q': np.zeros((1, 3, 1, 1), np.int32)})


@pytest.mark.parametrize('data', [b'', b'\x00\x01\x02', b'not a model at all' * 10,
                                  _len_field(1, b'x')])
def test_non_models_are_rejected(data):
    with pytest.raises(BinFormatError):
        parse_bin(data)


def test_onnx_file_is_not_a_bin(tmp_path):
    # An ONNX file is protobuf too, but has no runtime graph with BPU nodes where we look.
    path = tmp_path / 'm.onnx'
    path.write_bytes(_len_field(7, _len_field(1, _node('c', 'Conv', ['x'], ['y']))))
    with pytest.raises(BinFormatError):
        read_bin(str(path))


@pytest.fixture(scope='module')
def provenance():
    with open(os.path.join(FIXTURES, 'provenance.json'), encoding='utf-8') as f:
        return json.load(f)


@pytest.mark.parametrize('nv12_range', ['full', 'video'])
def test_fixture_matches_its_provenance(nv12_range, provenance):
    path = BINS[nv12_range]
    with open(path, 'rb') as f:
        data = f.read()
    record = provenance['outputs'][os.path.basename(path)]
    assert hashlib.sha256(data).hexdigest() == record['sha256']
    assert record['input_space_and_range'] == SPACES[nv12_range]


@pytest.mark.parametrize('nv12_range', ['full', 'video'])
def test_read_compiled_fixture(nv12_range):
    model = read_bin(BINS[nv12_range])
    assert model.input_space_and_range == SPACES[nv12_range]
    assert model.nv12_range == nv12_range
    assert model.meta('MARCH') == 'bayes-e'
    assert model.meta('INPUT_TYPE_TRAIN') == 'rgb'
    assert model.input_type == 'NV12'
    assert model.input_size == (224, 224)
    assert [(o.name, o.dtype, o.dims) for o in model.graph.outputs] == [
        ('logits', 'float32', (1, 1000))]
    assert len(model.bpu_nodes) == 1
    assert [n.op_type for n in model.cpu_steps()] == ['Dequantize', 'Reshape']
    # The embedded HBM is the bulk of the file and is what hbdk-sim and the board run.
    assert len(model.hbm) > 1000000
    scale = model.graph.initializers[model.cpu_steps()[0].inputs[1]].array()
    assert scale.shape == (1000,)
    assert np.all(np.isfinite(scale)) and np.all(scale > 0)
    bpu_out = model.bpu_nodes[0].outputs[0]
    assert model.dims_of(bpu_out) == (1, 1000, 1, 1)
    assert model.dtype_of(bpu_out) == 'int32'


def test_fixture_post_steps_dequantise_per_class():
    model = read_bin(BINS['full'])
    bpu_out = model.bpu_nodes[0].outputs[0]
    scale = model.graph.initializers[model.cpu_steps()[0].inputs[1]].array()
    raw = np.arange(-500, 500, dtype=np.int32).reshape(1, 1000, 1, 1)
    logits = model.apply_cpu_steps({bpu_out: raw})['logits']
    assert logits.shape == (1, 1000)
    np.testing.assert_allclose(logits.reshape(-1), raw.reshape(-1) * scale, rtol=1e-6)


@pytest.mark.parametrize('nv12_range', ['full', 'video'])
def test_bpu_backend_reads_the_same_range(nv12_range):
    # The BPU backend's nv12_range 'auto' uses its own quick lookup; it must agree with the
    # full parse on real compiled files.
    assert read_bin_nv12_range(BINS[nv12_range]) == read_bin(BINS[nv12_range]).nv12_range


def test_summary_names_range_and_steps():
    text = read_bin(BINS['video']).summary()
    assert 'video (bt601_video)' in text and 'Dequantize' in text
    assert SPACE_TO_RANGE == {'regular': 'full', 'bt601_video': 'video'}


def test_locate_reports_why_the_simulator_is_unusable(monkeypatch, tmp_path):
    from x5_simulator import hbdk_sim

    missing = str(tmp_path / 'no-such-hbdk-sim')
    monkeypatch.setenv(hbdk_sim.ENV_SIM, missing)
    with pytest.raises(hbdk_sim.SimulatorUnavailable, match='no-such-hbdk-sim'):
        hbdk_sim.locate()


def test_simulator_output_text_is_parsed_with_its_header(tmp_path):
    from x5_simulator import hbdk_sim

    path = tmp_path / 'hbdk_output0_feature_x_elem_float.txt'
    path.write_text('#operator: CONV\n#valid_dim=1x3x1x1\n#dynamic_n=1\n-4.0e+03 \n12 \n0 \n')
    values, dims = hbdk_sim.parse_output_file(str(path))
    assert dims == (1, 3, 1, 1)
    assert values.tolist() == [-4000.0, 12.0, 0.0]
    path.write_text('#valid_dim=1x4x1x1\n1\n2\n')
    with pytest.raises(hbdk_sim.SimulatorError, match='header says 4'):
        hbdk_sim.parse_output_file(str(path))
