# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Checks every frame passes before any pixel is touched, and the formats we accept.

A bad frame raises FrameError (one line saying what is wrong) and never yields a wrongly sized
buffer: the BPU runtime would read or write past its own. Imports no ROS.
"""

import operator

import numpy as np

from resnet_x5_ros.colour_range import RANGES
from resnet_x5_ros.convert.resize import RESIZE_MODES
from resnet_x5_ros.decode_limit import MAX_DIMENSION


class FrameError(ValueError):
    """A frame that cannot be converted; the message says what is wrong with it."""


# encoding -> (bytes per pixel, kind, channel order or None, width must be even,
#              height must be even)
FORMATS = {
    'bgr8': (3, 'colour', 'bgr', False, False),
    'rgb8': (3, 'colour', 'rgb', False, False),
    'bgra8': (4, 'colour', 'bgr', False, False),
    'rgba8': (4, 'colour', 'rgb', False, False),
    'mono8': (1, 'mono', None, False, False),
    'nv12': (1, 'nv12', None, True, True),
    'yuv422': (2, 'uyvy', None, True, False),
    'uyvy': (2, 'uyvy', None, True, False),
    'yuv422_yuy2': (2, 'yuyv', None, True, False),
    'yuyv': (2, 'yuyv', None, True, False),
}
ENCODINGS = tuple(FORMATS)

# Byte offsets of (U, V) inside a 4-byte pixel pair.
PAIR_UV = {'yuyv': (1, 3), 'uyvy': (0, 2)}


def as_int(value, what):
    """Return value as an int, or raise FrameError naming what it is."""
    if isinstance(value, bool):
        raise FrameError('{} must be an integer, got {!r}'.format(what, value))
    try:
        return operator.index(value)
    except TypeError:
        raise FrameError('{} must be an integer, got {!r}'.format(what, value)) from None


def as_bytes(data):
    """Any buffer (bytes, bytearray, array.array('B'), memoryview, ndarray) -> 1-D uint8."""
    if isinstance(data, np.ndarray):
        if data.dtype != np.uint8:
            raise FrameError('data array must be uint8, got {}'.format(data.dtype))
        return data.reshape(-1)
    if isinstance(data, str) or data is None:
        raise FrameError('data must be a bytes-like buffer, got {}'.format(type(data).__name__))
    try:
        view = memoryview(data)
    except TypeError:
        raise FrameError('data must be a bytes-like buffer, got {}'.format(
            type(data).__name__)) from None
    if not view.c_contiguous:
        raise FrameError('data buffer must be contiguous')
    if view.nbytes == 0:
        return np.zeros(0, dtype=np.uint8)
    return np.frombuffer(view.cast('B') if view.format != 'B' or view.ndim != 1 else view,
                         dtype=np.uint8)


def check_size(width, height, what):
    """Return (width, height) as ints within 1..MAX_DIMENSION, else raise FrameError."""
    width = as_int(width, what + ' width')
    height = as_int(height, what + ' height')
    if width <= 0 or height <= 0:
        raise FrameError('{} size must be > 0, got {}x{}'.format(what, width, height))
    if width > MAX_DIMENSION or height > MAX_DIMENSION:
        raise FrameError('{} size {}x{} exceeds the maximum {}x{}'.format(
            what, width, height, MAX_DIMENSION, MAX_DIMENSION))
    return width, height


def check_output(out_width, out_height, resize_mode, nv12_range):
    """Check the requested NV12 output; return (out_width, out_height) as ints."""
    out_width, out_height = check_size(out_width, out_height, 'output')
    if out_width % 2 or out_height % 2:
        raise FrameError('output size must be even for NV12, got {}x{}'.format(
            out_width, out_height))
    if resize_mode not in RESIZE_MODES:
        raise FrameError('resize_mode must be one of {}, got {!r}'.format(
            RESIZE_MODES, resize_mode))
    if nv12_range not in RANGES:
        raise FrameError('nv12_range must be one of {}, got {!r}'.format(
            RANGES, nv12_range))
    return out_width, out_height


class RawFrame:
    """A validated raw frame: format facts plus zero-copy views of its pixels."""

    def __init__(self, data, encoding, width, height, step):
        if not isinstance(encoding, str):
            raise FrameError('encoding must be a string, got {!r}'.format(encoding))
        self.encoding = encoding.strip().lower()
        if self.encoding not in FORMATS:
            raise FrameError('unsupported encoding {!r}; supported: {}'.format(
                encoding, ', '.join(ENCODINGS)))
        bpp, self.kind, self.order, even_w, even_h = FORMATS[self.encoding]
        self.channels = bpp
        self.width, self.height = check_size(width, height, 'frame')
        if even_w and self.width % 2:
            raise FrameError('{} needs an even width, got {}'.format(self.encoding, self.width))
        if even_h and self.height % 2:
            raise FrameError('{} needs an even height, got {}'.format(
                self.encoding, self.height))
        row_bytes = self.width * bpp
        step = as_int(step, 'step')
        if step < row_bytes:
            raise FrameError('step {} is smaller than a {} row of {} pixels ({} bytes)'.format(
                step, self.encoding, self.width, row_bytes))
        if step > 4 * MAX_DIMENSION:
            raise FrameError('step {} exceeds the maximum {}'.format(step, 4 * MAX_DIMENSION))
        rows = self.height * 3 // 2 if self.kind == 'nv12' else self.height
        flat = as_bytes(data)
        if flat.size < step * rows:
            raise FrameError('{} {}x{} with step {} needs {} bytes, got {}'.format(
                self.encoding, self.width, self.height, step, step * rows, flat.size))
        self.step = step
        self.rows = flat[:step * rows].reshape(rows, step)[:, :row_bytes]

    def pixels(self):
        """(H, W, C) view for the RGB family and YUV 4:2:2 (C = 2), (H, W) for mono8."""
        if self.kind == 'mono':
            return self.rows
        channels = 2 if self.kind in PAIR_UV else self.channels
        return self.rows.reshape(self.height, self.width, channels)

    def nv12_planes(self):
        """(Y (H, W), UV (H/2, W/2, 2)) views of an nv12 frame."""
        y = self.rows[:self.height]
        uv = self.rows[self.height:].reshape(self.height // 2, self.width // 2, 2)
        return y, uv

    def pairs(self):
        """(H, W/2, 4) view of a YUV 4:2:2 frame: one 4-byte group per two pixels."""
        return self.rows.reshape(self.height, self.width // 2, 4)
