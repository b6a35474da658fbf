# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Write an ONNX model file with the standard library and numpy only (no onnx package).

An ONNX file is one serialized onnx.ModelProto (protobuf 2 syntax). This module encodes the
few messages a plain inference graph needs, with their field numbers from onnx/onnx.proto:
ModelProto (ir_version 1, producer_name 2, producer_version 3, doc_string 6, graph 7,
opset_import 8, metadata_props 14), OperatorSetIdProto (domain 1, version 2),
StringStringEntryProto (key 1, value 2), GraphProto (node 1, name 2, initializer 5,
doc_string 10, input 11, output 12), NodeProto (input 1, output 2, name 3, op_type 4,
attribute 5), AttributeProto (name 1, f 2, i 3, ints 8, type 20; types FLOAT 1, INT 2,
INTS 7), TensorProto (dims 1, data_type 2, name 8, raw_data 9 little-endian), ValueInfoProto
(name 1, type 2), TypeProto (tensor_type 1), TypeProto.Tensor (elem_type 1, shape 2),
TensorShapeProto (dim 1), Dimension (dim_value 1). Repeated numbers are written unpacked, as
protobuf 2 does by default. The wire-format primitives (varint, key, int_field, length_field)
also build the test messages of test/dev/test_simulator_bin_model.py.
"""

import struct

import numpy as np

# TensorProto.DataType values.
ELEM_TYPES = {np.dtype(np.float32): 1, np.dtype(np.int64): 7}
_ATTR_FLOAT, _ATTR_INT, _ATTR_INTS = 1, 2, 7
_VARINT, _FIXED32, _LENGTH = 0, 5, 2


def varint(value):
    """Encode an integer base-128, 7 bits a byte (a negative one as 64-bit two's complement)."""
    value = int(value)
    if value < 0:
        value += 1 << 64  # int64 fields: two's complement, always 10 bytes
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def key(number, wire):
    """Encode a field's key: its number and wire type."""
    return varint(number << 3 | wire)


def int_field(number, value):
    """Encode a varint field (int32, int64, enum, bool)."""
    return key(number, _VARINT) + varint(value)


def length_field(number, payload):
    """Encode a length-delimited field: bytes, a str (as UTF-8) or an encoded message."""
    if isinstance(payload, str):
        payload = payload.encode('utf-8')
    return key(number, _LENGTH) + varint(len(payload)) + bytes(payload)


_int, _bytes, _text = int_field, length_field, length_field


def _float(number, value):
    return key(number, _FIXED32) + struct.pack('<f', value)


def tensor(name, array):
    """Encode a float32 or int64 array as a TensorProto (raw little-endian data)."""
    array = np.asarray(array)
    elem = ELEM_TYPES[array.dtype]
    raw = np.ascontiguousarray(array, array.dtype.newbyteorder('<')).tobytes()
    return (b''.join(_int(1, d) for d in array.shape) + _int(2, elem) + _text(8, name) +
            _bytes(9, raw))


def attribute(name, value):
    """Encode an int, a float or a list of ints as an AttributeProto."""
    if isinstance(value, float):
        return _text(1, name) + _float(2, value) + _int(20, _ATTR_FLOAT)
    if isinstance(value, (list, tuple)):
        return _text(1, name) + b''.join(_int(8, v) for v in value) + _int(20, _ATTR_INTS)
    return _text(1, name) + _int(3, value) + _int(20, _ATTR_INT)


def node(op_type, inputs, outputs, name, **attributes):
    """Encode a NodeProto; attributes as keyword arguments (sorted by name: a stable file)."""
    return (b''.join(_text(1, i) for i in inputs) + b''.join(_text(2, o) for o in outputs) +
            _text(3, name) + _text(4, op_type) +
            b''.join(_bytes(5, attribute(k, attributes[k])) for k in sorted(attributes)))


def value_info(name, dtype, shape):
    """Encode a ValueInfoProto: a tensor with a fixed shape."""
    dims = b''.join(_bytes(1, _int(1, d)) for d in shape)
    tensor_type = _int(1, ELEM_TYPES[np.dtype(dtype)]) + _bytes(2, dims)
    return _text(1, name) + _bytes(2, _bytes(1, tensor_type))


def graph(name, nodes, initializers, inputs, outputs):
    """Encode a GraphProto from already encoded nodes, initializers and value infos."""
    return (b''.join(_bytes(1, n) for n in nodes) + _text(2, name) +
            b''.join(_bytes(5, t) for t in initializers) +
            b''.join(_bytes(11, i) for i in inputs) + b''.join(_bytes(12, o) for o in outputs))


def model(graph_bytes, ir_version, opset, producer_name, producer_version, doc_string,
          metadata):
    """Encode the ModelProto: the default ONNX domain at opset, metadata as key/value pairs."""
    opset_import = _text(1, '') + _int(2, opset)
    props = b''.join(_bytes(14, _text(1, k) + _text(2, metadata[k])) for k in sorted(metadata))
    return (_int(1, ir_version) + _text(2, producer_name) + _text(3, producer_version) +
            _text(6, doc_string) + _bytes(7, graph_bytes) + _bytes(8, opset_import) + props)
