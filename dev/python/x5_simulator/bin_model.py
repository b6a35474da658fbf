# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Read an X5 .bin model (hb_mapper's output) without the vendor's tools or protobuf package.

A .bin is one protobuf message (the toolchain's `HORIZON_IR.ModelProto`, field numbers taken
from the schema the toolchain publishes). What we use from it:

* the build metadata, a text map (e.g. ``INPUT_SPACE_AND_RANGE`` -> ``regular;`` or
  ``bt601_video;``, ``INPUT_TYPE_RT`` -> ``nv12;``, ``MARCH`` -> ``bayes-e``);
* the runtime graph: its inputs (with the runtime input type, e.g. NV12, and layout), its
  outputs, and its nodes in execution order: ``BPU`` nodes (compiled subgraphs, named after the
  model inside the embedded HBM) and the CPU steps around them (e.g. Dequantize with a
  per-channel scale, Reshape);
* the embedded HBM (initializer ``PACKED_HBM_MODEL``), which hbdk-sim and the board run.

apply_cpu_steps() executes the supported CPU steps with numpy, so a caller that ran the BPU
nodes (on hbdk-sim) gets the same outputs the board's runtime returns. Imports no ROS.
"""

import os

import numpy as np

from resnet_x5_ros.backends.binfile import RANGE_KEY, range_of_space
from x5_simulator import protowire as pw
from x5_simulator.protowire import WireError

# HORIZON_IR.TensorTypeProto.DataType
DATA_TYPES = {0: 'undefined', 1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16',
              6: 'int32', 7: 'int64', 8: 'string', 9: 'float16', 10: 'float64', 11: 'uint32',
              12: 'uint64', 13: 'bfloat16', 14: 'bool'}
# HORIZON_IR.InputDataType (the runtime input format of each graph input)
INPUT_TYPES = {0: 'UNDEFINED', 1: 'S8', 2: 'U8', 3: 'S32', 4: 'U32', 5: 'F32', 6: 'Gray',
               7: 'NV12', 8: 'YUV444', 9: 'BGR', 10: 'RGB', 11: 'BGRP', 12: 'RGBP',
               13: 'NV12_SEPARATE', 14: 'S64', 15: 'U64', 16: 'F64', 17: 'S16', 18: 'U16',
               19: 'F16', 20: 'S4', 21: 'U4'}
LAYOUTS = {0: 'UNUSED', 1: 'NHWC', 2: 'NCHW'}
HBM_INITIALIZER = 'PACKED_HBM_MODEL'


class BinFormatError(ValueError):
    """The file is not an X5 .bin model we can read; the message says what is missing."""


class UnsupportedStep(BinFormatError):
    """The .bin has a CPU step this reader cannot execute."""


class TensorInfo:
    """Name, element type and dims of a graph input/output or intermediate value."""

    def __init__(self, name, dtype, dims):
        self.name = name
        self.dtype = dtype
        self.dims = tuple(int(d) for d in dims)

    def __repr__(self):
        return 'TensorInfo({!r}, {}, {})'.format(self.name, self.dtype, self.dims)


class Tensor(TensorInfo):
    """An initializer: TensorInfo plus its values (numpy array; list of bytes for strings)."""

    def __init__(self, name, dtype, dims, values):
        super().__init__(name, dtype, dims)
        self.values = values

    def array(self):
        """Values as a numpy array shaped like dims (when the counts agree) in dtype."""
        if self.dtype == 'string':
            raise BinFormatError('tensor {!r} holds strings'.format(self.name))
        data = np.asarray(self.values).astype(self.dtype if self.dtype in (
            'float32', 'float64', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32',
            'int64', 'uint64') else 'float64')
        if self.dims and int(np.prod(self.dims)) == data.size:
            data = data.reshape(self.dims)
        return data


class Node:
    """One step of the runtime graph."""

    def __init__(self, name, op_type, inputs, outputs, attributes):
        self.name = name
        self.op_type = op_type
        self.inputs = list(inputs)
        self.outputs = list(outputs)
        self.attributes = attributes

    def __repr__(self):
        return 'Node({!r}, {}, {} -> {})'.format(self.name, self.op_type, self.inputs,
                                                 self.outputs)


class Graph:
    """The runtime graph of a .bin."""

    def __init__(self):
        self.name = ''
        self.nodes = []
        self.initializers = {}
        self.inputs = []
        self.outputs = []
        self.value_info = {}
        self.input_types = []
        self.input_layouts = []


def _tensor_type(buf):
    elem, dims = 0, pw.RepeatedNumbers('int64')
    for number, wire, value in pw.fields(buf):
        if number == 1 and wire == pw.VARINT:
            elem = value
        elif number == 2:
            dims.add(wire, value)
    return DATA_TYPES.get(elem, 'type{}'.format(elem)), [int(d) for d in dims.array()]


def _value_info(buf):
    name, dtype, dims = '', 'undefined', []
    for number, wire, value in pw.fields(buf):
        if number == 1 and wire == pw.LENGTH:
            name = pw.as_text(value)
        elif number == 2 and wire == pw.LENGTH:
            dtype, dims = _tensor_type(value)
    return TensorInfo(name, dtype, dims)


def _tensor(buf, keep_bytes=True):
    name, dtype, dims = '', 'undefined', []
    numbers = {2: pw.RepeatedNumbers('float'), 3: pw.RepeatedNumbers('int32'),
               4: pw.RepeatedNumbers('int64'), 6: pw.RepeatedNumbers('double'),
               7: pw.RepeatedNumbers('uint64')}
    strings = []
    for number, wire, value in pw.fields(buf):
        if number == 1 and wire == pw.LENGTH:
            dtype, dims = _tensor_type(value)
        elif number == 8 and wire == pw.LENGTH:
            name = pw.as_text(value)
        elif number == 5 and wire == pw.LENGTH:
            strings.append(value if keep_bytes else None)
        elif number in numbers:
            numbers[number].add(wire, value)
    if strings:
        values = strings
        dtype = 'string' if dtype == 'undefined' else dtype
    else:
        filled = [n for n in numbers.values() if len(n.array())]
        values = filled[0].array() if filled else np.zeros(0)
    return Tensor(name, dtype, dims, values)


def _attribute(buf):
    name, kind = '', 0
    scalars = {}
    floats, ints = pw.RepeatedNumbers('float'), pw.RepeatedNumbers('int64')
    strings, tensors = [], []
    for number, wire, value in pw.fields(buf):
        if number == 1 and wire == pw.LENGTH:
            name = pw.as_text(value)
        elif number == 2 and wire == pw.VARINT:
            kind = value
        elif number == 3 and wire == pw.FIXED32:
            scalars['f'] = pw.as_float(value)
        elif number == 4 and wire == pw.VARINT:
            scalars['i'] = pw.as_signed64(value)
        elif number == 5 and wire == pw.LENGTH:
            scalars['s'] = bytes(value)
        elif number == 6 and wire == pw.LENGTH:
            scalars['t'] = _tensor(value)
        elif number == 7:
            floats.add(wire, value)
        elif number == 8:
            ints.add(wire, value)
        elif number == 9 and wire == pw.LENGTH:
            strings.append(bytes(value))
        elif number == 10 and wire == pw.LENGTH:
            tensors.append(_tensor(value))
    # AttributeProto.AttributeType: 1 FLOAT, 2 INT, 3 STRING, 4 TENSOR, 6 FLOATS, 7 INTS,
    # 8 STRINGS, 9 TENSORS.
    by_kind = {1: scalars.get('f'), 2: scalars.get('i'), 3: scalars.get('s'),
               4: scalars.get('t'), 6: [float(v) for v in floats.array()],
               7: [int(v) for v in ints.array()], 8: strings, 9: tensors}
    if kind in by_kind:
        return name, by_kind[kind]
    # Untyped: whichever field is present.
    for key in ('f', 'i', 's', 't'):
        if key in scalars:
            return name, scalars[key]
    return name, ([int(v) for v in ints.array()] or [float(v) for v in floats.array()]
                  or strings or tensors or None)


def _node(buf):
    name, op_type, inputs, outputs, attributes = '', '', [], [], {}
    for number, wire, value in pw.fields(buf):
        if wire != pw.LENGTH:
            continue
        if number == 1:
            inputs.append(pw.as_text(value))
        elif number == 2:
            outputs.append(pw.as_text(value))
        elif number == 3:
            name = pw.as_text(value)
        elif number == 4:
            op_type = pw.as_text(value)
        elif number == 5:
            key, val = _attribute(value)
            attributes[key] = val
    return Node(name, op_type, inputs, outputs, attributes)


def _graph(buf):
    graph = Graph()
    input_types, input_layouts = pw.RepeatedNumbers('int64'), pw.RepeatedNumbers('int64')
    for number, wire, value in pw.fields(buf):
        if number == 1 and wire == pw.LENGTH:
            graph.nodes.append(_node(value))
        elif number == 2 and wire == pw.LENGTH:
            graph.name = pw.as_text(value)
        elif number == 3 and wire == pw.LENGTH:
            tensor = _tensor(value)
            graph.initializers[tensor.name] = tensor
        elif number == 4 and wire == pw.LENGTH:
            graph.inputs.append(_value_info(value))
        elif number == 5 and wire == pw.LENGTH:
            graph.outputs.append(_value_info(value))
        elif number == 6 and wire == pw.LENGTH:
            info = _value_info(value)
            graph.value_info[info.name] = info
        elif number == 7:
            input_types.add(wire, value)
        elif number == 8:
            input_layouts.add(wire, value)
    graph.input_types = [INPUT_TYPES.get(int(v), str(int(v))) for v in input_types.array()]
    graph.input_layouts = [LAYOUTS.get(int(v), str(int(v))) for v in input_layouts.array()]
    return graph


def _map_entry(buf):
    key, val = '', ''
    for number, wire, value in pw.fields(buf):
        if wire == pw.LENGTH and number == 1:
            key = pw.as_text(value)
        elif wire == pw.LENGTH and number == 2:
            val = pw.as_text(value)
    return key, val


class X5Model:
    """The parts of an X5 .bin model that running it needs. Build with read_bin(path).

    Attributes:
        path: the file read.
        metadata: dict str -> str of the build metadata (hb_mapper's parameters, versions).
        graph: the runtime Graph.
        hbm: bytes of the embedded HBM (what hbdk-sim runs), or b'' if absent.
        bpu_nodes: the graph's BPU nodes (their names are the model names inside the HBM).
    """

    def __init__(self, path, metadata, graph, hbm):
        self.path = path
        self.metadata = metadata
        self.graph = graph
        self.hbm = hbm
        self.bpu_nodes = [n for n in graph.nodes if n.op_type == 'BPU']

    def meta(self, key):
        """One metadata value with hb_mapper's per-input ';' separators stripped (or None)."""
        value = self.metadata.get(key)
        if value is None:
            return None
        return value.strip().rstrip(';').strip()

    @property
    def input_space_and_range(self):
        """The recorded input range: 'regular' (default when absent) or 'bt601_video'."""
        value = self.meta(RANGE_KEY)
        # hb_mapper writes one entry per input; this project's models have one input.
        value = (value or '').split(';')[0].strip()
        return value or 'regular'

    @property
    def nv12_range(self):
        """The recorded range as this project names it: 'full' or 'video'."""
        space = self.input_space_and_range
        nv12_range = range_of_space(space)
        if nv12_range is None:
            raise BinFormatError('{}: unknown {} {!r}'.format(self.path, RANGE_KEY, space))
        return nv12_range

    @property
    def input_info(self):
        """Return the single graph input (TensorInfo); BinFormatError unless exactly one."""
        if len(self.graph.inputs) != 1:
            raise BinFormatError('{}: expected one input, found {}'.format(
                self.path, len(self.graph.inputs)))
        return self.graph.inputs[0]

    @property
    def input_type(self):
        """Runtime type of the input, e.g. 'NV12' ('' if not recorded)."""
        return self.graph.input_types[0] if self.graph.input_types else ''

    @property
    def input_size(self):
        """(width, height) of the image input, from its dims (NHWC or NCHW with 3 channels)."""
        dims = self.input_info.dims
        if len(dims) != 4:
            raise BinFormatError('{}: input dims {} are not 4-D'.format(self.path, dims))
        layout = self.graph.input_layouts[0] if self.graph.input_layouts else ''
        # The stored dims of an NV12 input are NHWC ([1, H, W, 3]) even when the recorded
        # layout is NCHW, so trust where the 3 is rather than the layout name.
        if dims[3] == 3 and dims[1] != 3:
            return dims[2], dims[1]
        if dims[1] == 3 and dims[3] != 3:
            return dims[3], dims[2]
        if layout == 'NHWC':
            return dims[2], dims[1]
        return dims[3], dims[2]

    def _value(self, name):
        """Return the graph's record of a value by name (outputs, inputs, value_info) or None."""
        for info in list(self.graph.outputs) + list(self.graph.inputs):
            if info.name == name:
                return info
        return self.graph.value_info.get(name)

    def dims_of(self, name):
        """Dims of a graph value by name (output, value_info or input); None if unknown."""
        info = self._value(name)
        return info.dims if info is not None else None

    def dtype_of(self, name):
        info = self._value(name)
        return info.dtype if info is not None else None

    def cpu_steps(self):
        """Return the non-BPU nodes, in graph order (what the caller applies after the BPU)."""
        return [n for n in self.graph.nodes if n.op_type != 'BPU']

    def run(self, feeds, run_bpu):
        """Execute the graph and return its outputs {name: array} in output order.

        BPU nodes go to run_bpu(node, {input name: array}) -> [arrays]; the CPU steps run with
        numpy. feeds maps graph input names to arrays.
        """
        values = dict(feeds)
        for node in self.graph.nodes:
            missing = [n for n in node.inputs if n not in values and n not in
                       self.graph.initializers]
            if missing:
                raise BinFormatError('{}: node {!r} needs {} which nothing produced'.format(
                    self.path, node.name, missing))
            if node.op_type == 'BPU':
                results = run_bpu(node, {n: values[n] for n in node.inputs})
            else:
                args = [values[n] if n in values else self.graph.initializers[n].array()
                        for n in node.inputs]
                results = _run_cpu_step(node, args)
            if len(results) != len(node.outputs):
                raise BinFormatError('{}: node {!r} gave {} outputs, expected {}'.format(
                    self.path, node.name, len(results), len(node.outputs)))
            values.update(zip(node.outputs, results))
        return {o.name: values[o.name] for o in self.graph.outputs}

    def apply_cpu_steps(self, bpu_outputs):
        """Given the BPU nodes' outputs by name, return the graph outputs (CPU steps applied)."""
        def lookup(node, _inputs):
            try:
                return [bpu_outputs[name] for name in node.outputs]
            except KeyError as exc:
                raise BinFormatError('no BPU output {} given'.format(exc)) from None
        feeds = {i.name: None for i in self.graph.inputs}
        return self.run(feeds, lookup)

    def summary(self):
        """One line: file, input, outputs, recorded range, CPU steps."""
        outs = ', '.join('{} {} {}'.format(o.name, o.dtype, list(o.dims))
                         for o in self.graph.outputs)
        w, h = self.input_size
        return '{}: input {} {}x{}, outputs [{}], range {} ({}), BPU {}, CPU steps {}'.format(
            os.path.basename(self.path), self.input_type or '?', w, h, outs,
            self.nv12_range, self.input_space_and_range,
            [n.name for n in self.bpu_nodes], [n.op_type for n in self.cpu_steps()])


def _channel_axis(node, x, scale):
    axis = node.attributes.get('axis')
    if isinstance(axis, int):
        return axis % x.ndim
    if x.ndim >= 2 and x.shape[1] == scale.size:
        return 1  # NCHW channel: how the BPU hands over its per-channel quantised outputs
    matches = [i for i, n in enumerate(x.shape) if n == scale.size]
    if len(matches) != 1:
        raise UnsupportedStep('{}: cannot tell which axis of {} its {} scales apply to'.format(
            node.name, x.shape, scale.size))
    return matches[0]


def _run_cpu_step(node, args):
    op = node.op_type
    if op == 'Dequantize':
        x = np.asarray(args[0], dtype=np.float32)
        scale = np.asarray(args[1], dtype=np.float32).reshape(-1)
        zero = (np.asarray(args[2], dtype=np.float32).reshape(-1) if len(args) > 2
                else np.zeros(1, np.float32))
        if scale.size == 1:
            return [((x - zero[0]) * scale[0]).astype(np.float32)]
        axis = _channel_axis(node, x, scale)
        shape = [1] * x.ndim
        shape[axis] = scale.size
        zero = zero if zero.size == scale.size else np.full(scale.size, zero[0], np.float32)
        return [((x - zero.reshape(shape)) * scale.reshape(shape)).astype(np.float32)]
    if op == 'Reshape':
        shape = [int(v) for v in np.asarray(args[1]).reshape(-1)]
        return [np.reshape(args[0], shape)]
    if op == 'Transpose':
        perm = node.attributes.get('perm')
        return [np.ascontiguousarray(np.transpose(args[0], perm))]
    if op == 'Identity':
        return [args[0]]
    if op == 'Softmax':
        axis = node.attributes.get('axis', -1)
        x = np.asarray(args[0], dtype=np.float32)
        e = np.exp(x - x.max(axis=axis, keepdims=True))
        return [(e / e.sum(axis=axis, keepdims=True)).astype(np.float32)]
    raise UnsupportedStep('CPU step {} ({!r}) is not supported by this reader'.format(
        op, node.name))


def parse_bin(data, path='<bytes>'):
    """Parse the bytes of an X5 .bin; return an X5Model. BinFormatError if it is not one."""
    metadata = {}
    graphs = []
    try:
        for number, wire, value in pw.fields(data):
            if wire != pw.LENGTH:
                continue
            if number == 3:
                graphs.insert(0, _graph(value))
            elif number == 5:
                graphs.append(_graph(value))
            elif number == 4:
                key, val = _map_entry(value)
                metadata[key] = val
            elif number == 6:
                for inner, inner_wire, entry in pw.fields(value):
                    if inner == 1 and inner_wire == pw.LENGTH:
                        key, val = _map_entry(entry)
                        metadata[key] = val
    except WireError as exc:
        raise BinFormatError('{}: not a protobuf model file ({})'.format(path, exc)) from None
    graphs = [g for g in graphs if g.nodes]
    if not graphs:
        raise BinFormatError('{}: no runtime graph (not an X5 .bin model?)'.format(path))
    if len(graphs) > 1:
        raise BinFormatError('{}: {} graphs; packed multi-model .bin files are not supported'
                             .format(path, len(graphs)))
    graph = graphs[0]
    packed = graph.initializers.get(HBM_INITIALIZER)
    hbm = bytes(packed.values[0]) if packed is not None and packed.values else b''
    if packed is not None:
        packed.values = [hbm]
    return X5Model(path, metadata, graph, hbm)


def read_bin(path):
    """Read and parse an X5 .bin file; return an X5Model (BinFormatError if it is not one)."""
    with open(path, 'rb') as f:
        data = f.read()
    return parse_bin(data, path)
