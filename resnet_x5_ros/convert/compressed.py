# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""sensor_msgs/CompressedImage payloads and image files: header checks, then decoding.

convert.header reads the format and size from the headers before anything is decoded, so a
huge, unknown or damaged picture is refused cheaply (JPEG, PNG, TIFF, WebP, BMP and PNM are
decoded); a PNG's chunk CRCs are walked first because libpng reports damage on stderr by
itself. Large JPEGs are decoded at a reduced scale.
Imports no ROS; works with numpy 1.21 / OpenCV 4.5.
"""

import zlib

import cv2

from resnet_x5_ros.convert.header import image_size
from resnet_x5_ros.convert.raw import DEFAULT_RESIZE_MODE, to_nv12
from resnet_x5_ros.convert.validate import as_bytes, check_output, FrameError, MAX_DIMENSION


def compressed_size(data):
    """(width, height) from an encoded picture's header without decoding it, or None."""
    try:
        _, width, height = image_size(as_bytes(data), 'picture')
    except FrameError:
        return None
    return width, height


def _check_png_chunks(buf, what):
    """Refuse a PNG whose chunks are cut short or fail their CRC, before libpng reads it.

    libpng reports damaged data on stderr by itself, once per frame and outside the node's
    rate-limited log; the chunk CRCs catch damaged or truncated files cheaply first.
    """
    view = memoryview(buf)
    pos, n = 8, len(view)
    while True:
        if pos + 12 > n:
            raise FrameError('{}: PNG is truncated: it ends before its IEND chunk'.format(what))
        length = int.from_bytes(view[pos:pos + 4], 'big')
        end = pos + 8 + length
        if end + 4 > n:
            raise FrameError('{}: PNG is truncated: a chunk runs past the end of the data'
                             .format(what))
        if zlib.crc32(view[pos + 4:end]) != int.from_bytes(view[end:end + 4], 'big'):
            raise FrameError('{}: PNG is corrupt: chunk {!r} fails its CRC'.format(
                what, bytes(view[pos + 4:pos + 8])))
        if view[pos + 4:pos + 8] == b'IEND':
            return
        pos = end + 4


def _checked_buffer(data, what):
    """(buffer, format name, (width, height)) of an encoded picture that may be decoded."""
    buf = as_bytes(data)
    if buf.size == 0:
        raise FrameError('{} has no data'.format(what))
    name, width, height = image_size(buf, what)
    if name == 'PNG':
        _check_png_chunks(buf, what)
    return buf, name, (width, height)


def _compressed_what(fmt):
    """Return what error messages call a CompressedImage payload of format fmt.

    Raises FrameError for a format string the node never takes.
    """
    if not isinstance(fmt, str):
        raise FrameError('format must be a string, got {!r}'.format(fmt))
    if 'compresseddepth' in fmt.replace(' ', '').lower():
        raise FrameError('compressedDepth images are not supported (format {!r})'.format(fmt))
    return 'compressed image ({!r})'.format(fmt)


def _decode(buf, what, flags=cv2.IMREAD_COLOR):
    try:
        image = cv2.imdecode(buf, flags)
    except cv2.error as exc:
        raise FrameError('cannot decode {}: {}'.format(
            what, str(exc).strip().splitlines()[-1])) from None
    if image is None or image.ndim != 3 or image.shape[2] != 3 or image.size == 0:
        raise FrameError('cannot decode {}: the data is corrupt'.format(what))
    if image.shape[0] > MAX_DIMENSION or image.shape[1] > MAX_DIMENSION:
        raise FrameError('{} size {}x{} exceeds the maximum'.format(
            what, image.shape[1], image.shape[0]))
    return image


def compressed_to_bgr(data, fmt):
    """Decode a sensor_msgs/CompressedImage payload to (H, W, 3) uint8 BGR."""
    what = _compressed_what(fmt)
    buf, _, _ = _checked_buffer(data, what)
    return _decode(buf, what)


def decode_image(data, name):
    """Decode an image file's bytes to (H, W, 3) uint8 BGR, with a CompressedImage's checks.

    Raises FrameError whose message names `name` (e.g. the file's path).
    """
    buf, _, _ = _checked_buffer(data, name)
    return _decode(buf, name)


_REDUCED = ((8, cv2.IMREAD_REDUCED_COLOR_8), (4, cv2.IMREAD_REDUCED_COLOR_4),
            (2, cv2.IMREAD_REDUCED_COLOR_2))


def compressed_to_nv12(data, fmt, *, out_width, out_height, resize_mode=DEFAULT_RESIZE_MODE,
                       nv12_range='full'):
    """Decode a CompressedImage payload straight to NV12 at the model size.

    JPEGs much larger than the output are decoded at 1/2, 1/4 or 1/8 scale (libjpeg's DCT
    scaling, cheap and anti-aliased), never below the output size. Raises FrameError.
    """
    out_width, out_height = check_output(out_width, out_height, resize_mode, nv12_range)
    what = _compressed_what(fmt)
    buf, name, size = _checked_buffer(data, what)
    flags = cv2.IMREAD_COLOR
    if name == 'JPEG':
        # min/max make the choice independent of EXIF rotation.
        factor = min(size) / max(out_width, out_height)
        for scale, reduced in _REDUCED:
            if factor >= scale:
                flags = reduced
                break
    bgr = _decode(buf, what, flags)
    h, w = bgr.shape[:2]
    return to_nv12(bgr, 'bgr8', w, h, w * 3, out_width=out_width, out_height=out_height,
                   resize_mode=resize_mode, nv12_range=nv12_range)
