# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""A minimal reader of the protobuf wire format, enough to walk an X5 .bin model file.

Only decoding, no schema: fields(buf) yields (field number, wire type, value) and the caller
knows what each number means. Length-delimited values come back as memoryview slices of the
input, so a 5 MB embedded blob is never copied until asked for. Pure Python + numpy 1.21.
"""

import numpy as np

VARINT = 0
FIXED64 = 1
LENGTH = 2
FIXED32 = 5


class WireError(ValueError):
    """The bytes are not valid protobuf wire format (truncated, bad tag, bad wire type)."""


def read_varint(buf, pos):
    """Decode one base-128 varint at buf[pos]; return (value, next position)."""
    result = 0
    shift = 0
    end = len(buf)
    while True:
        if pos >= end:
            raise WireError('truncated varint at byte {}'.format(pos))
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift >= 70:
            raise WireError('varint longer than 10 bytes at byte {}'.format(pos))


def fields(buf):
    """Yield (field_number, wire_type, value) for each field of one serialized message.

    value is an int for VARINT (unsigned, as on the wire), bytes-like memoryview for LENGTH,
    and the raw little-endian bytes for FIXED32/FIXED64 (see as_float / as_double).
    """
    view = memoryview(buf)
    if view.ndim != 1 or view.itemsize != 1:
        view = view.cast('B')
    pos = 0
    end = len(view)
    while pos < end:
        key, pos = read_varint(view, pos)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise WireError('field number 0 at byte {}'.format(pos))
        if wire == VARINT:
            value, pos = read_varint(view, pos)
        elif wire == LENGTH:
            size, pos = read_varint(view, pos)
            if pos + size > end:
                raise WireError('field {} claims {} bytes, only {} left'.format(
                    number, size, end - pos))
            value = view[pos:pos + size]
            pos += size
        elif wire == FIXED32:
            if pos + 4 > end:
                raise WireError('truncated fixed32 in field {}'.format(number))
            value = view[pos:pos + 4]
            pos += 4
        elif wire == FIXED64:
            if pos + 8 > end:
                raise WireError('truncated fixed64 in field {}'.format(number))
            value = view[pos:pos + 8]
            pos += 8
        else:
            # Groups (3, 4) are long deprecated and never used by the files we read.
            raise WireError('unsupported wire type {} in field {}'.format(wire, number))
        yield number, wire, value


def as_text(value):
    """Decode a LENGTH value as str (UTF-8; undecodable bytes replaced, metadata is free text)."""
    return bytes(value).decode('utf-8', 'replace')


def as_signed64(value):
    """Read a VARINT as int64 (two's complement), as protobuf's int64 fields are encoded."""
    return value - (1 << 64) if value >= 1 << 63 else value


def as_float(value):
    """Decode a FIXED32 value as a Python float (protobuf `float`)."""
    return float(np.frombuffer(value, dtype='<f4')[0])


def as_double(value):
    """Decode a FIXED64 value as a Python float (protobuf `double`)."""
    return float(np.frombuffer(value, dtype='<f8')[0])


def packed_varints(value):
    """Decode a packed repeated varint field (LENGTH payload) to a list of unsigned ints."""
    out = []
    pos = 0
    end = len(value)
    while pos < end:
        item, pos = read_varint(value, pos)
        out.append(item)
    return out


class RepeatedNumbers:
    """Collects a repeated numeric field that may arrive packed, unpacked or both, in order.

    kind is 'float' (fixed32), 'double' (fixed64), 'int64', 'int32' or 'uint64' (varints).
    proto2 writers send repeated scalars unpacked (one tag per element), proto3 packed.
    """

    def __init__(self, kind):
        if kind not in ('float', 'double', 'int64', 'int32', 'uint64'):
            raise ValueError('unknown numeric kind {!r}'.format(kind))
        self.kind = kind
        self._chunks = []
        self._pending = []

    def _flush(self):
        if self._pending:
            self._chunks.append(np.array(self._pending, dtype=self._dtype()))
            self._pending = []

    def _dtype(self):
        if self.kind in ('float', 'double'):
            return np.float64
        return np.uint64 if self.kind == 'uint64' else np.int64

    def add(self, wire, value):
        """Take one occurrence of the field (its wire type and raw value)."""
        if self.kind in ('float', 'double'):
            dtype, size, scalar_wire = (('<f4', 4, FIXED32) if self.kind == 'float'
                                        else ('<f8', 8, FIXED64))
            if wire == LENGTH:
                if len(value) % size:
                    raise WireError('packed {} field of {} bytes'.format(self.kind, len(value)))
                self._flush()
                self._chunks.append(np.frombuffer(value, dtype=dtype).astype(np.float64))
            elif wire == scalar_wire:
                self._pending.append(float(np.frombuffer(value, dtype=dtype)[0]))
            else:
                raise WireError('wire type {} for a {} field'.format(wire, self.kind))
            return
        if wire == LENGTH:
            items = packed_varints(value)
        elif wire == VARINT:
            items = [value]
        else:
            raise WireError('wire type {} for an {} field'.format(wire, self.kind))
        if self.kind != 'uint64':
            items = [as_signed64(v) for v in items]
        if wire == LENGTH:
            self._flush()
            self._chunks.append(np.array(items, dtype=self._dtype()))
        else:
            self._pending.extend(items)

    def array(self):
        """Return everything collected, in wire order, as one float64 or [u]int64 ndarray."""
        self._flush()
        if not self._chunks:
            return np.zeros(0, dtype=self._dtype())
        return np.concatenate(self._chunks)
