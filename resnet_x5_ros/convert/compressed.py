# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""sensor_msgs/CompressedImage payloads (JPEG, PNG): header checks, then decoding.

The frame size is read from the JPEG frame header or the PNG IHDR before anything is decoded,
so a huge or damaged image is refused cheaply; a PNG's chunk CRCs are walked first because
libpng reports damage on stderr by itself. Large JPEGs are decoded at a reduced scale.
Imports no ROS; works with numpy 1.21 / OpenCV 4.5.
"""

import zlib

import cv2

from resnet_x5_ros.convert.raw import DEFAULT_RESIZE_MODE, to_nv12
from resnet_x5_ros.convert.validate import as_bytes, check_output, FrameError, MAX_DIMENSION


_PNG_SIGNATURE = b'\x89PNG\r\n\x1a\n'


def png_size(buf):
    """(width, height) from a PNG's IHDR chunk, or None if buf is not a PNG."""
    if buf.size >= 24 and bytes(buf[:8]) == _PNG_SIGNATURE and bytes(buf[12:16]) == b'IHDR':
        return (int.from_bytes(bytes(buf[16:20]), 'big'),
                int.from_bytes(bytes(buf[20:24]), 'big'))
    return None


def jpeg_size(buf):
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


def compressed_size(data):
    """(width, height) from a JPEG or PNG header without decoding it, or None if unknown."""
    try:
        buf = as_bytes(data)
    except FrameError:
        return None
    return png_size(buf) or jpeg_size(buf)


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
    buf = as_bytes(data)
    if buf.size == 0:
        raise FrameError('compressed image ({!r}) has no data'.format(fmt))
    size = png_size(buf) or jpeg_size(buf)
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
    out_width, out_height = check_output(out_width, out_height, resize_mode, nv12_range)
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
