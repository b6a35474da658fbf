# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Camera frames (sensor_msgs/Image and CompressedImage payloads) to the model's NV12 input.

Every frame is validated first; a bad one raises FrameError and never yields a wrongly sized
buffer (the BPU runtime would read or write past its own). The result of to_nv12 is always a
1-D, C-contiguous uint8 array of exactly out_width * out_height * 3 // 2 bytes.

Work happens in the source's native format at the small size:

* RGB family (bgr8, rgb8, bgra8, rgba8) and mono8: crop, shrink to the model size with an
  anti-aliased halving chain, then convert colour (alpha is ignored) into `nv12_range`.
* nv12 and YUV 4:2:2 (yuv422 = uyvy, yuv422_yuy2 = yuyv): the Y and chroma planes are
  resized separately, never via BGR. They are already YUV, so their values pass through in the
  camera's own range; `nv12_range` then only sets the letterbox padding. If the camera's range
  is known and differs from the model's, pass camera_range= and the planes are remapped.

Imports no ROS; works with numpy 1.21 / OpenCV 4.5.
"""

import operator
import zlib

import cv2
import numpy as np

from resnet_x5_ros import nv12
from resnet_x5_ros.frames_resize import crop, plan, RESIZE_MODES, shrink, shrink_uv_into

__all__ = ['FrameError', 'ENCODINGS', 'RESIZE_MODES', 'DEFAULT_RESIZE_MODE', 'MAX_DIMENSION',
           'to_nv12', 'compressed_to_nv12', 'to_bgr', 'compressed_to_bgr', 'NV12_RANGES']

NV12_RANGES = nv12.NV12_RANGES
# Chosen by classification quality on the five sample photos with the CPU EfficientNet-Lite0
# (python -m resnet_x5_ros.bench preprocess, table preprocess_modes): center_crop put an
# expected class at top-1 on all five (mean rank 1.0, mean expected-class probability 0.72)
# against stretch (1.2, 0.67) and letterbox (1.2, 0.66). It is also how ImageNet models are
# evaluated (resize, centre crop), so the model sees undistorted objects at its usual scale.
DEFAULT_RESIZE_MODE = 'center_crop'
MAX_DIMENSION = 8192
# Letterbox bars: the model zoo pads with BGR (127, 127, 127).
PAD_LEVEL = 127


class FrameError(ValueError):
    """A frame that cannot be converted; the message says what is wrong with it."""


# encoding -> (bytes per pixel, kind, channel order or None, width must be even,
#              height must be even)
_FORMATS = {
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
ENCODINGS = tuple(_FORMATS)

# Byte offsets of (U, V) inside a 4-byte pixel pair.
_PAIR_UV = {'yuyv': (1, 3), 'uyvy': (0, 2)}
_TO_BGR = {
    ('colour', 'bgr', 3): None, ('colour', 'rgb', 3): cv2.COLOR_RGB2BGR,
    ('colour', 'bgr', 4): cv2.COLOR_BGRA2BGR, ('colour', 'rgb', 4): cv2.COLOR_RGBA2BGR,
    ('mono', None, 1): cv2.COLOR_GRAY2BGR,
}
_YUV422_TO_BGR = {'yuyv': cv2.COLOR_YUV2BGR_YUY2, 'uyvy': cv2.COLOR_YUV2BGR_UYVY}
_YUV422_TO_GRAY = {'yuyv': cv2.COLOR_YUV2GRAY_YUY2, 'uyvy': cv2.COLOR_YUV2GRAY_UYVY}


def _as_int(value, what):
    if isinstance(value, bool):
        raise FrameError('{} must be an integer, got {!r}'.format(what, value))
    try:
        return operator.index(value)
    except TypeError:
        raise FrameError('{} must be an integer, got {!r}'.format(what, value)) from None


def _as_bytes(data):
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


def _check_size(width, height, what):
    width = _as_int(width, what + ' width')
    height = _as_int(height, what + ' height')
    if width <= 0 or height <= 0:
        raise FrameError('{} size must be > 0, got {}x{}'.format(what, width, height))
    if width > MAX_DIMENSION or height > MAX_DIMENSION:
        raise FrameError('{} size {}x{} exceeds the maximum {}x{}'.format(
            what, width, height, MAX_DIMENSION, MAX_DIMENSION))
    return width, height


def _check_output(out_width, out_height, resize_mode, nv12_range):
    out_width, out_height = _check_size(out_width, out_height, 'output')
    if out_width % 2 or out_height % 2:
        raise FrameError('output size must be even for NV12, got {}x{}'.format(
            out_width, out_height))
    if resize_mode not in RESIZE_MODES:
        raise FrameError('resize_mode must be one of {}, got {!r}'.format(
            RESIZE_MODES, resize_mode))
    if nv12_range not in NV12_RANGES:
        raise FrameError('nv12_range must be one of {}, got {!r}'.format(
            NV12_RANGES, nv12_range))
    return out_width, out_height


class _Frame:
    """A validated raw frame: format facts plus zero-copy views of its pixels."""

    def __init__(self, data, encoding, width, height, step):
        if not isinstance(encoding, str):
            raise FrameError('encoding must be a string, got {!r}'.format(encoding))
        self.encoding = encoding.strip().lower()
        if self.encoding not in _FORMATS:
            raise FrameError('unsupported encoding {!r}; supported: {}'.format(
                encoding, ', '.join(ENCODINGS)))
        bpp, self.kind, self.order, even_w, even_h = _FORMATS[self.encoding]
        self.channels = bpp
        self.width, self.height = _check_size(width, height, 'frame')
        if even_w and self.width % 2:
            raise FrameError('{} needs an even width, got {}'.format(self.encoding, self.width))
        if even_h and self.height % 2:
            raise FrameError('{} needs an even height, got {}'.format(
                self.encoding, self.height))
        row_bytes = self.width * bpp
        step = _as_int(step, 'step')
        if step < row_bytes:
            raise FrameError('step {} is smaller than a {} row of {} pixels ({} bytes)'.format(
                step, self.encoding, self.width, row_bytes))
        if step > 4 * MAX_DIMENSION:
            raise FrameError('step {} exceeds the maximum {}'.format(step, 4 * MAX_DIMENSION))
        rows = self.height * 3 // 2 if self.kind == 'nv12' else self.height
        flat = _as_bytes(data)
        if flat.size < step * rows:
            raise FrameError('{} {}x{} with step {} needs {} bytes, got {}'.format(
                self.encoding, self.width, self.height, step, step * rows, flat.size))
        self.step = step
        self.rows = flat[:step * rows].reshape(rows, step)[:, :row_bytes]

    def pixels(self):
        """(H, W, C) view for the RGB family and YUV 4:2:2 (C = 2), (H, W) for mono8."""
        if self.kind == 'mono':
            return self.rows
        channels = 2 if self.kind in _PAIR_UV else self.channels
        return self.rows.reshape(self.height, self.width, channels)

    def nv12_planes(self):
        """(Y (H, W), UV (H/2, W/2, 2)) views of an nv12 frame."""
        y = self.rows[:self.height]
        uv = self.rows[self.height:].reshape(self.height // 2, self.width // 2, 2)
        return y, uv

    def pairs(self):
        """(H, W/2, 4) view of a YUV 4:2:2 frame: one 4-byte group per two pixels."""
        return self.rows.reshape(self.height, self.width // 2, 4)


def _range_luts(camera_range, nv12_range):
    """Return lookup tables (for Y, for U/V) taking camera_range values to nv12_range ones."""
    src_m, src_off = nv12.forward_matrix(camera_range)
    dst_m, dst_off = nv12.forward_matrix(nv12_range)
    levels = np.arange(256, dtype=np.float64)
    # Y scales with the sum of the Y row, chroma with the B weight of U (same for R in V).
    y = (levels - src_off[0]) * dst_m[0].sum() / src_m[0].sum() + dst_off[0]
    c = (levels - 128.0) * dst_m[1, 2] / src_m[1, 2] + 128.0
    return (np.clip(np.rint(y), 0, 255).astype(np.uint8),
            np.clip(np.rint(c), 0, 255).astype(np.uint8))


def to_nv12(data, encoding, width, height, step, *, out_width, out_height,
            resize_mode=DEFAULT_RESIZE_MODE, nv12_range='full', camera_range=None):
    """Convert one raw camera frame to packed NV12 at out_width x out_height.

    data: the frame bytes (bytes, array.array('B') from rclpy, memoryview, uint8 ndarray);
    encoding/width/height/step as in sensor_msgs/Image. RGB-family and mono8 input is
    converted into nv12_range ('full' or 'video'). nv12 and YUV 4:2:2 input keeps the camera's
    range unless camera_range names it, in which case values are remapped to nv12_range.
    Returns a new 1-D C-contiguous uint8 array of out_width * out_height * 3 // 2 bytes;
    raises FrameError for anything invalid.
    """
    frame = _Frame(data, encoding, width, height, step)
    out_width, out_height = _check_output(out_width, out_height, resize_mode, nv12_range)
    if camera_range is not None and camera_range not in NV12_RANGES:
        raise FrameError('camera_range must be None or one of {}, got {!r}'.format(
            NV12_RANGES, camera_range))
    align_x = 2 if frame.kind in ('nv12', 'yuyv', 'uyvy') else 1
    align_y = 2 if frame.kind == 'nv12' else 1
    source, target = plan(frame.width, frame.height, out_width, out_height, resize_mode,
                          align_x, align_y)
    out = np.empty(out_width * out_height * 3 // 2, dtype=np.uint8)
    y_out, uv_out, y_t, uv_t = _output_planes(out, out_width, out_height, target)
    if target.w != out_width or target.h != out_height:
        y_out[...] = nv12.grey_y_value(PAD_LEVEL, nv12_range)
        uv_out[...] = 128

    if frame.kind == 'colour':
        small = shrink(crop(frame.pixels(), source), target.w, target.h)
        nv12.colour_to_planes(small, frame.order, nv12_range, y_t, uv_t)
    elif frame.kind == 'mono':
        small = shrink(crop(frame.pixels(), source), target.w, target.h)
        y_t[...] = nv12.grey_to_y(small, nv12_range)
        uv_t[...] = 128
    elif frame.kind == 'nv12':
        y, uv = frame.nv12_planes()
        y_t[...] = shrink(crop(y, source), target.w, target.h)
        uv_source = source._replace(x=source.x // 2, y=source.y // 2,
                                    w=source.w // 2, h=source.h // 2)
        shrink_uv_into(crop(uv, uv_source), uv_t)
    else:
        grey = cv2.cvtColor(crop(frame.pixels(), source), _YUV422_TO_GRAY[frame.kind])
        y_t[...] = shrink(grey, target.w, target.h)
        pair_source = source._replace(x=source.x // 2, w=source.w // 2)
        small = shrink(crop(frame.pairs(), pair_source), target.w // 2, target.h // 2)
        u, v = _PAIR_UV[frame.kind]
        uv_t[..., 0] = small[..., u]
        uv_t[..., 1] = small[..., v]

    if frame.kind in ('nv12', 'yuyv', 'uyvy') and camera_range not in (None, nv12_range):
        y_lut, c_lut = _range_luts(camera_range, nv12_range)
        y_t[...] = cv2.LUT(y_t, y_lut)
        uv_t[...] = cv2.LUT(uv_t, c_lut)
    return out


def _output_planes(out, out_width, out_height, target):
    y_out = out[:out_width * out_height].reshape(out_height, out_width)
    uv_out = out[out_width * out_height:].reshape(out_height // 2, out_width // 2, 2)
    y_t = y_out[target.y:target.y + target.h, target.x:target.x + target.w]
    uv_t = uv_out[target.y // 2:(target.y + target.h) // 2,
                  target.x // 2:(target.x + target.w) // 2]
    return y_out, uv_out, y_t, uv_t


def _cvt_colour(pixels, code):
    # OpenCV 4.5 (Ubuntu 22.04, the board) refuses some conversions of a 1x1 3-channel array
    # ("_step >= minstep" in Mat): convert two copies of the pixel and keep one.
    if pixels.shape[0] == 1 and pixels.shape[1] == 1:
        return cv2.cvtColor(np.repeat(pixels, 2, axis=0), code)[:1]
    return cv2.cvtColor(pixels, code)


def to_bgr(data, encoding, width, height, step, *, yuv_range='video'):
    """Full-size (H, W, 3) uint8 BGR copy of a raw frame, e.g. for an overlay image.

    YUV input (nv12, 4:2:2) is read as yuv_range: 'video' uses OpenCV's converters, 'full'
    the inverse of our full-range matrix. Raises FrameError like to_nv12.
    """
    frame = _Frame(data, encoding, width, height, step)
    if yuv_range not in NV12_RANGES:
        raise FrameError('yuv_range must be one of {}, got {!r}'.format(NV12_RANGES, yuv_range))
    if frame.kind in ('colour', 'mono'):
        code = _TO_BGR[frame.kind, frame.order, frame.channels]
        pixels = frame.pixels()
        return pixels.copy() if code is None else _cvt_colour(pixels, code)
    if frame.kind == 'nv12':
        if yuv_range == 'video':
            return cv2.cvtColor(frame.rows, cv2.COLOR_YUV2BGR_NV12)
        y, uv = frame.nv12_planes()
        return nv12.yuv_planes_to_colour(y, uv, 'full', 'bgr')
    if yuv_range == 'video':
        return cv2.cvtColor(frame.pixels(), _YUV422_TO_BGR[frame.kind])
    y = cv2.cvtColor(frame.pixels(), _YUV422_TO_GRAY[frame.kind])
    u, v = _PAIR_UV[frame.kind]
    return nv12.yuv_planes_to_colour(y, frame.pairs()[..., [u, v]], 'full', 'bgr')


# --- sensor_msgs/CompressedImage ---------------------------------------------------------


_PNG_SIGNATURE = b'\x89PNG\r\n\x1a\n'


def _png_size(buf):
    if buf.size >= 24 and bytes(buf[:8]) == _PNG_SIGNATURE and bytes(buf[12:16]) == b'IHDR':
        return (int.from_bytes(bytes(buf[16:20]), 'big'),
                int.from_bytes(bytes(buf[20:24]), 'big'))
    return None


def _jpeg_size(buf):
    """(width, height) from a JPEG's frame header, or None if it cannot be found."""
    if buf.size < 4 or buf[0] != 0xFF or buf[1] != 0xD8:
        return None
    data = bytes(buf[:min(buf.size, 1 << 20)])  # headers sit near the start
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        length = int.from_bytes(data[pos + 2:pos + 4], 'big')
        # SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            if pos + 9 > len(data):
                return None
            height = int.from_bytes(data[pos + 5:pos + 7], 'big')
            width = int.from_bytes(data[pos + 7:pos + 9], 'big')
            return width, height
        if marker == 0xDA or length < 2:
            return None
        pos += 2 + length
    return None


def _check_png_chunks(buf, fmt):
    """Refuse a PNG whose chunks are cut short or fail their CRC, before libpng reads it.

    libpng reports damaged data on stderr by itself, once per frame and outside the node's
    rate-limited log; the chunk CRCs catch damaged or truncated files cheaply first.
    """
    view = memoryview(buf)
    pos, n = 8, len(view)
    while True:
        if pos + 12 > n:
            raise FrameError('PNG ({!r}) is truncated: it ends before its IEND chunk'.format(fmt))
        length = int.from_bytes(view[pos:pos + 4], 'big')
        end = pos + 8 + length
        if end + 4 > n:
            raise FrameError('PNG ({!r}) is truncated: a chunk runs past the end of the data'
                             .format(fmt))
        if zlib.crc32(view[pos + 4:end]) != int.from_bytes(view[end:end + 4], 'big'):
            raise FrameError('PNG ({!r}) is corrupt: chunk {!r} fails its CRC'.format(
                fmt, bytes(view[pos + 4:pos + 8])))
        if view[pos + 4:pos + 8] == b'IEND':
            return
        pos = end + 4


def _compressed_buffer(data, fmt):
    if not isinstance(fmt, str):
        raise FrameError('format must be a string, got {!r}'.format(fmt))
    if 'compresseddepth' in fmt.replace(' ', '').lower():
        raise FrameError('compressedDepth images are not supported (format {!r})'.format(fmt))
    buf = _as_bytes(data)
    if buf.size == 0:
        raise FrameError('compressed image ({!r}) has no data'.format(fmt))
    size = _png_size(buf) or _jpeg_size(buf)
    if size is not None:
        w, h = size
        if w <= 0 or h <= 0 or w > MAX_DIMENSION or h > MAX_DIMENSION:
            raise FrameError('compressed image ({!r}) size {}x{} is not within 1..{}'.format(
                fmt, w, h, MAX_DIMENSION))
    if bytes(buf[:8]) == _PNG_SIGNATURE:
        _check_png_chunks(buf, fmt)
    return buf, size


def _decode(buf, fmt, flags=cv2.IMREAD_COLOR):
    try:
        image = cv2.imdecode(buf, flags)
    except cv2.error as exc:
        raise FrameError('cannot decode compressed image ({!r}): {}'.format(
            fmt, str(exc).strip().splitlines()[-1])) from None
    if image is None or image.ndim != 3 or image.shape[2] != 3 or image.size == 0:
        raise FrameError('cannot decode compressed image ({!r}): not a JPEG/PNG or corrupt'
                         .format(fmt))
    if image.shape[0] > MAX_DIMENSION or image.shape[1] > MAX_DIMENSION:
        raise FrameError('compressed image ({!r}) size {}x{} exceeds the maximum'.format(
            fmt, image.shape[1], image.shape[0]))
    return image


def compressed_to_bgr(data, fmt):
    """Decode a sensor_msgs/CompressedImage payload (JPEG/PNG) to (H, W, 3) uint8 BGR."""
    buf, _ = _compressed_buffer(data, fmt)
    return _decode(buf, fmt)


_REDUCED = ((8, cv2.IMREAD_REDUCED_COLOR_8), (4, cv2.IMREAD_REDUCED_COLOR_4),
            (2, cv2.IMREAD_REDUCED_COLOR_2))


def compressed_to_nv12(data, fmt, *, out_width, out_height, resize_mode=DEFAULT_RESIZE_MODE,
                       nv12_range='full'):
    """Decode a CompressedImage payload (JPEG/PNG) straight to NV12 at the model size.

    JPEGs much larger than the output are decoded at 1/2, 1/4 or 1/8 scale (libjpeg's DCT
    scaling, cheap and anti-aliased), never below the output size. Raises FrameError.
    """
    out_width, out_height = _check_output(out_width, out_height, resize_mode, nv12_range)
    buf, size = _compressed_buffer(data, fmt)
    flags = cv2.IMREAD_COLOR
    if size is not None and buf[0] == 0xFF:
        # min/max make the choice independent of EXIF rotation.
        factor = min(size) / max(out_width, out_height)
        for scale, reduced in _REDUCED:
            if factor >= scale:
                flags = reduced
                break
    bgr = _decode(buf, fmt, flags)
    h, w = bgr.shape[:2]
    return to_nv12(bgr, 'bgr8', w, h, w * 3, out_width=out_width, out_height=out_height,
                   resize_mode=resize_mode, nv12_range=nv12_range)


def compressed_size(data):
    """(width, height) from a JPEG or PNG header without decoding it, or None if unknown."""
    try:
        buf = _as_bytes(data)
    except FrameError:
        return None
    return _png_size(buf) or _jpeg_size(buf)
