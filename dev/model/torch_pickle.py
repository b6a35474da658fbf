# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Read a PyTorch state_dict file as numpy arrays, without torch. Python 3.8+, numpy 1.21+.

Written from the file format torch writes (torch/serialization.py: _legacy_save, and the zip
format of torch >= 1.6); only what a state_dict of plain tensors needs:

* legacy (one stream of pickles): the magic number 0x1950a86a20f9469cfc6c, the protocol
  version 1001, a dict of system info, then the state_dict pickle whose storages are
  persistent ids ('storage', <torch.XStorage>, key, location, element count, view or None),
  then the pickled list of storage keys, then each storage in that order as a little-endian
  int64 element count followed by its raw bytes;
* zip: <dir>/data.pkl is the state_dict pickle (persistent ids ('storage', <torch.XStorage>,
  key, location, element count)) and <dir>/data/<key> each storage's raw bytes.

Tensors are torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad,
hooks): a strided view of the storage, copied here into a C-contiguous array. The unpickler
resolves only those names (and collections.OrderedDict), and the file's other pickles none;
anything else in the file is refused, so reading an untrusted file can run no code.
"""

import collections
import io
import pickle
import zipfile

import numpy as np

MAGIC_NUMBER = 0x1950a86a20f9469cfc6c
PROTOCOL_VERSION = 1001
# torch.<Name>Storage -> the element type of the tensors stored in it.
STORAGE_DTYPES = {
    'FloatStorage': np.float32, 'DoubleStorage': np.float64, 'HalfStorage': np.float16,
    'LongStorage': np.int64, 'IntStorage': np.int32, 'ShortStorage': np.int16,
    'CharStorage': np.int8, 'ByteStorage': np.uint8, 'BoolStorage': np.bool_,
}


class StateDictError(ValueError):
    """The file is not a state_dict this reader understands (the message says why)."""


class _StorageType(object):
    """What the pickle's torch.XStorage global resolves to: just its element type."""

    def __init__(self, name):
        self.name = name
        self.dtype = np.dtype(STORAGE_DTYPES[name]).newbyteorder('<')


class _Storage(object):
    """One storage: filled with its bytes once they are read (after the pickle, legacy)."""

    def __init__(self, storage_type, key, count):
        self.dtype = storage_type.dtype
        self.key = key
        self.count = int(count)
        self.data = None


class _Tensor(object):
    """A tensor waiting for its storage's bytes: materialise() returns the numpy array."""

    def __init__(self, storage, offset, size, stride):
        self.storage = storage
        self.offset = int(offset)
        self.size = tuple(int(d) for d in size)
        self.stride = tuple(int(s) for s in stride)

    def materialise(self):
        data = self.storage.data
        if data is None:
            raise StateDictError('storage {} has no data'.format(self.storage.key))
        reach = self.offset + sum((d - 1) * s for d, s in zip(self.size, self.stride) if d)
        if any(d == 0 for d in self.size):
            return np.zeros(self.size, data.dtype.newbyteorder('='))
        if self.offset < 0 or min(self.stride, default=0) < 0 or reach >= data.size:
            raise StateDictError('tensor view {} {} at {} outside its storage of {}'.format(
                self.size, self.stride, self.offset, data.size))
        itemsize = data.dtype.itemsize
        view = np.lib.stride_tricks.as_strided(
            data[self.offset:], shape=self.size,
            strides=tuple(s * itemsize for s in self.stride), writeable=False)
        # np.array, not ascontiguousarray: that one turns a 0-d tensor into shape (1,).
        return np.array(view, dtype=data.dtype.newbyteorder('='), order='C')


def _rebuild_tensor_v2(storage, offset, size, stride, requires_grad=False, hooks=None,
                       metadata=None):
    if not isinstance(storage, _Storage):
        raise StateDictError('a tensor without a storage')
    return _Tensor(storage, offset, size, stride)


class _PlainUnpickler(pickle.Unpickler):
    """For the file's header and key list: plain values only, no global resolves."""

    def find_class(self, module, name):
        raise StateDictError('refusing {}.{} in the file: not part of a plain state_dict'.format(
            module, name))


def _load_plain(stream):
    return _PlainUnpickler(stream).load()


class _RestrictedUnpickler(pickle.Unpickler):
    """Resolves only the globals a state_dict of tensors uses; collects its storages."""

    def __init__(self, stream):
        super().__init__(stream)
        self.storages = {}

    def find_class(self, module, name):
        if (module, name) == ('collections', 'OrderedDict'):
            return collections.OrderedDict
        if (module, name) == ('torch._utils', '_rebuild_tensor_v2'):
            return _rebuild_tensor_v2
        if module == 'torch' and name in STORAGE_DTYPES:
            return _StorageType(name)
        raise StateDictError('refusing {}.{} in the file: not part of a plain state_dict'.format(
            module, name))

    def persistent_load(self, pid):
        if not isinstance(pid, tuple) or not pid or _text(pid[0]) != 'storage':
            raise StateDictError('unknown persistent id {!r}'.format(pid[:1]))
        storage_type, key, _location, count = pid[1:5]
        if not isinstance(storage_type, _StorageType):
            raise StateDictError('storage of unknown type {!r}'.format(storage_type))
        key = _text(key)
        storage = self.storages.get(key)
        if storage is None:
            storage = self.storages[key] = _Storage(storage_type, key, count)
        view = pid[5] if len(pid) > 5 else None
        if view is not None:
            raise StateDictError('storage views (torch < 1.0 files) are not supported')
        return storage


def _text(value):
    return value.decode('ascii') if isinstance(value, bytes) else value


def _finish(result):
    if not isinstance(result, dict):
        raise StateDictError('the file holds a {}, not a state_dict'.format(
            type(result).__name__))
    tensors = collections.OrderedDict()
    for name, value in result.items():
        if not isinstance(value, _Tensor):
            raise StateDictError('entry {!r} is a {}, not a tensor'.format(
                name, type(value).__name__))
        tensors[name] = value.materialise()
    return tensors


def _read_legacy(stream):
    if _load_plain(stream) != MAGIC_NUMBER:
        raise StateDictError('not a PyTorch file (wrong magic number)')
    if _load_plain(stream) != PROTOCOL_VERSION:
        raise StateDictError('unknown PyTorch legacy protocol version')
    info = _load_plain(stream)
    if not isinstance(info, dict) or not info.get('little_endian', False):
        raise StateDictError('only little-endian files are supported')
    unpickler = _RestrictedUnpickler(stream)
    result = unpickler.load()
    keys = _load_plain(stream)
    for key in keys:
        storage = unpickler.storages.get(_text(key))
        if storage is None:
            raise StateDictError('storage key {!r} not used by the state_dict'.format(key))
        count = int.from_bytes(_read_exactly(stream, 8), 'little', signed=True)
        if count != storage.count:
            raise StateDictError('storage {}: {} elements on disk, {} expected'.format(
                storage.key, count, storage.count))
        raw = _read_exactly(stream, count * storage.dtype.itemsize)
        storage.data = np.frombuffer(raw, storage.dtype)
    return _finish(result)


def _read_exactly(stream, size):
    data = stream.read(size)
    if len(data) != size:
        raise StateDictError('file truncated ({} of {} bytes)'.format(len(data), size))
    return data


def _read_zip(archive):
    pickles = [n for n in archive.namelist() if n.endswith('/data.pkl')]
    if len(pickles) != 1:
        raise StateDictError('a zip file without exactly one data.pkl')
    root = pickles[0][:-len('data.pkl')]
    unpickler = _RestrictedUnpickler(io.BytesIO(archive.read(pickles[0])))
    result = unpickler.load()
    for storage in unpickler.storages.values():
        raw = archive.read(root + 'data/' + storage.key)
        if len(raw) != storage.count * storage.dtype.itemsize:
            raise StateDictError('storage {}: {} bytes, {} expected'.format(
                storage.key, len(raw), storage.count * storage.dtype.itemsize))
        storage.data = np.frombuffer(raw, storage.dtype)
    return _finish(result)


def read_state_dict(data):
    """Return the tensors of a state_dict file's bytes: OrderedDict name -> numpy array."""
    try:
        if zipfile.is_zipfile(io.BytesIO(data)):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return _read_zip(archive)
        return _read_legacy(io.BytesIO(data))
    except StateDictError:
        raise
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, KeyError,
            zipfile.BadZipFile) as exc:
        raise StateDictError('unreadable state_dict: {}: {}'.format(
            type(exc).__name__, exc)) from None
