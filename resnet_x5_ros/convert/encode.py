# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""BGR pictures to the byte layouts cameras publish (for the image publisher, demo, tests).

The reverse direction of `convert.to_nv12`: given an (H, W, 3) uint8 BGR picture, produce the data,
width, height and step of a sensor_msgs/Image in a chosen encoding, or JPEG/PNG bytes for a
sensor_msgs/CompressedImage. Imports no ROS.
"""

import cv2
import numpy as np

from resnet_x5_ros.colour_range import DEFAULT_RANGE
from resnet_x5_ros.convert import colour

RAW_ENCODINGS = ('bgr8', 'rgb8', 'bgra8', 'rgba8', 'mono8', 'nv12', 'yuyv', 'uyvy')
COMPRESSED_FORMATS = ('jpeg', 'png')
# Chroma-subsampled layouts need even sizes; odd pictures lose their last row/column.
_EVEN_WIDTH = ('nv12', 'yuyv', 'uyvy')
_EVEN_HEIGHT = ('nv12',)


def encode_image(bgr, encoding, camera_range=DEFAULT_RANGE):
    """Return (data bytes, width, height, step) of bgr in a raw sensor_msgs encoding.

    YUV layouts (nv12, yuyv, uyvy) use BT.601 in camera_range ('full' or 'video').
    """
    if encoding not in RAW_ENCODINGS:
        raise ValueError('cannot encode to {!r}; choose one of {}'.format(
            encoding, ', '.join(RAW_ENCODINGS)))
    bgr = _check_bgr(bgr)
    h, w = bgr.shape[:2]
    if encoding in _EVEN_WIDTH:
        w -= w % 2
    if encoding in _EVEN_HEIGHT:
        h -= h % 2
    bgr = np.ascontiguousarray(bgr[:h, :w])
    if encoding == 'bgr8':
        pixels = bgr
    elif encoding == 'rgb8':
        pixels = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    elif encoding == 'bgra8':
        pixels = cv2.cvtColor(bgr, cv2.COLOR_BGR2BGRA)
    elif encoding == 'rgba8':
        pixels = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGBA)
    elif encoding == 'mono8':
        pixels = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    elif encoding == 'nv12':
        return colour.bgr_to_nv12(bgr, camera_range).tobytes(), w, h, w
    else:
        pixels = _packed_422(bgr, encoding, camera_range)
    row = pixels.shape[1] * (pixels.shape[2] if pixels.ndim == 3 else 1)
    return pixels.tobytes(), w, h, row


def encode_compressed(bgr, fmt='jpeg', quality=90):
    """JPEG or PNG bytes of bgr, as a sensor_msgs/CompressedImage carries them."""
    if fmt not in COMPRESSED_FORMATS:
        raise ValueError('cannot compress to {!r}; choose one of {}'.format(
            fmt, ', '.join(COMPRESSED_FORMATS)))
    params = [cv2.IMWRITE_JPEG_QUALITY, int(quality)] if fmt == 'jpeg' else []
    ok, buf = cv2.imencode('.' + ('jpg' if fmt == 'jpeg' else 'png'), _check_bgr(bgr), params)
    if not ok:
        raise ValueError('OpenCV could not encode the picture as ' + fmt)
    return buf.tobytes()


def _packed_422(bgr, layout, camera_range):
    # Y per pixel; U and V averaged over each horizontal pixel pair, as 4:2:2 cameras do.
    h, w = bgr.shape[:2]
    matrix = colour.forward_matrix(camera_range)
    rgb = bgr[..., ::-1].astype(np.float32)
    coefficients, offsets = (np.asarray(m, dtype=np.float32) for m in matrix)
    yuv = rgb @ coefficients.T + offsets
    y = np.clip(np.rint(yuv[..., 0]), 0, 255).astype(np.uint8)
    chroma = yuv[..., 1:].reshape(h, w // 2, 2, 2).mean(axis=2)
    u = np.clip(np.rint(chroma[..., 0]), 0, 255).astype(np.uint8)
    v = np.clip(np.rint(chroma[..., 1]), 0, 255).astype(np.uint8)
    out = np.empty((h, w // 2, 4), dtype=np.uint8)
    if layout == 'yuyv':
        out[..., 0], out[..., 1], out[..., 2], out[..., 3] = y[:, 0::2], u, y[:, 1::2], v
    else:
        out[..., 0], out[..., 1], out[..., 2], out[..., 3] = u, y[:, 0::2], v, y[:, 1::2]
    return out.reshape(h, w * 2)


def _check_bgr(bgr):
    if not isinstance(bgr, np.ndarray) or bgr.dtype != np.uint8 or bgr.ndim != 3 or \
            bgr.shape[2] != 3 or bgr.shape[0] < 2 or bgr.shape[1] < 2:
        raise ValueError('expected an (H, W, 3) uint8 BGR picture of at least 2x2')
    return bgr
