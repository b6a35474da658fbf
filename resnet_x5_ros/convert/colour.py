# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""BT.601 colour math between RGB/BGR images and packed NV12 (Y plane, then interleaved UV).

Two NV12 flavours exist and a model is compiled for one of them:

* ``'full'``  -- BT.601 full range (JPEG/JFIF equations, Y and UV over 0..255); the X5 model
  compiler's default, recorded in a .bin as ``regular``.
* ``'video'`` -- BT.601 video range (Y 16..235, UV 16..240) with exactly OpenCV's coefficients,
  so Y is bit-identical to ``cv2.COLOR_BGR2YUV_I420``; recorded in a .bin as ``bt601_video``.

Chroma is taken from the mean colour of each 2x2 block (centre-sited 4:2:0, as JPEG does).
OpenCV's I420 converter takes the block's top-left pixel instead, which aliases; on blocks of
one colour both agree bit for bit. The arithmetic is OpenCV's own fixed-point converters
(grey/YCrCb for full range, I420 for video range), which are the fastest way to do it and keep
us within 1 LSB of a float reference. Imports no ROS; works with numpy 1.21 / OpenCV 4.5.
"""

import cv2
import numpy as np

from resnet_x5_ros.colour_range import RANGES
from resnet_x5_ros.convert.cv_compat import resize
from resnet_x5_ros.nv12_layout import nv12_size  # noqa: F401 (this module's API)

# Rows Y, U (Cb), V (Cr); columns R, G, B; plus the offset added to each row.
# Full range: the JFIF equations.
_FULL_RGB = np.array([[0.299, 0.587, 0.114],
                      [-0.168736, -0.331264, 0.5],
                      [0.5, -0.418688, -0.081312]], dtype=np.float64)
_FULL_OFFSET = np.array([0.0, 128.0, 128.0])
# Video range: OpenCV's own fixed-point BT.601 constants (scaled by 2**20), so that our
# conversion and its exact inverse describe what cv2.COLOR_BGR2YUV_I420 really computes.
_VIDEO_RGB = np.array([[269484, 528482, 102760],
                       [-155188, -305135, 460324],
                       [460324, -385875, -74448]], dtype=np.float64) / float(1 << 20)
_VIDEO_OFFSET = np.array([16.0, 128.0, 128.0])


def forward_matrix(nv12_range):
    """(3x3 RGB->YUV matrix, YUV offsets) of nv12_range; rows Y, U, V."""
    if nv12_range == 'full':
        return _FULL_RGB, _FULL_OFFSET
    if nv12_range == 'video':
        return _VIDEO_RGB, _VIDEO_OFFSET
    raise ValueError('nv12_range must be one of {}, not {!r}'.format(RANGES, nv12_range))


def range_luts(camera_range, nv12_range):
    """Return lookup tables (for Y, for U/V) taking camera_range values to nv12_range ones."""
    src_m, src_off = forward_matrix(camera_range)
    dst_m, dst_off = forward_matrix(nv12_range)
    levels = np.arange(256, dtype=np.float64)
    # Y scales with the sum of the Y row, chroma with the B weight of U (same for R in V).
    y = (levels - src_off[0]) * dst_m[0].sum() / src_m[0].sum() + dst_off[0]
    c = (levels - 128.0) * dst_m[1, 2] / src_m[1, 2] + 128.0
    return (np.clip(np.rint(y), 0, 255).astype(np.uint8),
            np.clip(np.rint(c), 0, 255).astype(np.uint8))


def _inverse_tables():
    # (Y, U, V) -> colour matrices for cv2.transform, the offset folded into the last column.
    tables = {}
    for name in RANGES:
        rgb, offset = forward_matrix(name)
        inverse = np.linalg.inv(rgb)
        for order, perm in (('rgb', [0, 1, 2]), ('bgr', [2, 1, 0])):
            inv = inverse[perm]
            tables[name, order] = np.hstack([inv, (-inv @ offset)[:, None]]).astype(np.float32)
    return tables


_INVERSE = _inverse_tables()
_FULL_LUMA = {('bgr', 3): cv2.COLOR_BGR2GRAY, ('rgb', 3): cv2.COLOR_RGB2GRAY,
              ('bgr', 4): cv2.COLOR_BGRA2GRAY, ('rgb', 4): cv2.COLOR_RGBA2GRAY}
_FULL_CHROMA = {('bgr', 3): cv2.COLOR_BGR2YCrCb, ('rgb', 3): cv2.COLOR_RGB2YCrCb}
_VIDEO_I420 = {('bgr', 3): cv2.COLOR_BGR2YUV_I420, ('rgb', 3): cv2.COLOR_RGB2YUV_I420,
               ('bgr', 4): cv2.COLOR_BGRA2YUV_I420, ('rgb', 4): cv2.COLOR_RGBA2YUV_I420}
_DROP_ALPHA = {'bgr': cv2.COLOR_BGRA2BGR, 'rgb': cv2.COLOR_RGBA2RGB}


def check_range(nv12_range):
    """Return nv12_range if it is one of RANGES, else raise ValueError."""
    forward_matrix(nv12_range)
    return nv12_range


def _check_image(image, channels, what):
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8:
        raise ValueError('{} must be a uint8 numpy array'.format(what))
    if image.ndim != 3 or image.shape[2] not in channels:
        raise ValueError('{} must be HxWxC with C in {}, got shape {}'.format(
            what, channels, image.shape))
    h, w = image.shape[:2]
    if h <= 0 or w <= 0 or h % 2 or w % 2:
        raise ValueError('{} width and height must be even and > 0, got {}x{}'.format(
            what, w, h))


def colour_to_planes(image, order, nv12_range, y_out, uv_out):
    """Convert an even-sized (H, W, 3|4) uint8 image into NV12 plane views.

    order is 'bgr' or 'rgb' (a 4th, alpha, channel is ignored); y_out is an (H, W) and uv_out
    an (H/2, W/2, 2) uint8 view (they may be windows of a larger output). raw.py calls this
    after resizing, so it runs at the model's size.
    """
    h, w, cn = image.shape
    # INTER_AREA by exactly 2 is OpenCV's fast 2x2 mean (rounded half up).
    mean = cv2.resize(image, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
    if nv12_range == 'full':
        # OpenCV's grey and YCrCb conversions are the JFIF equations in 14-bit fixed point
        # (YCrCb's 0.713/0.564 chroma scales are 0.5/(1-0.299) and 0.5/(1-0.114) to 3 digits).
        y_out[...] = cv2.cvtColor(image, _FULL_LUMA[order, cn])
        if cn == 4:
            mean = cv2.cvtColor(mean, _DROP_ALPHA[order])
        ycrcb = cv2.cvtColor(mean, _FULL_CHROMA[order, 3])
        uv_out[..., 0] = ycrcb[..., 2]
        uv_out[..., 1] = ycrcb[..., 1]
    else:
        # OpenCV's I420 takes each 2x2 block's top-left pixel as its chroma: feeding it the
        # block means (repeated over each block) gives OpenCV's exact arithmetic on the mean.
        code = _VIDEO_I420[order, cn]
        y_out[...] = cv2.cvtColor(image, code)[:h]
        blocks = resize(mean, w, h, cv2.INTER_NEAREST)
        chroma = cv2.cvtColor(blocks, code)[h:].reshape(2, h // 2, w // 2)
        uv_out[..., 0] = chroma[0]
        uv_out[..., 1] = chroma[1]


def _colour_to_nv12(image, order, nv12_range):
    check_range(nv12_range)
    _check_image(image, (3, 4), order)
    h, w = image.shape[:2]
    out = np.empty(nv12_size(w, h), dtype=np.uint8)
    colour_to_planes(image, order, nv12_range, out[:w * h].reshape(h, w),
                     out[w * h:].reshape(h // 2, w // 2, 2))
    return out


def _grey_lut(nv12_range):
    # The Y our colour conversion gives a grey pixel (v, v, v), so mono8 matches bgr8 exactly.
    levels = np.repeat(np.arange(256, dtype=np.uint8)[None, :, None], 2, axis=0)
    grey = np.repeat(levels, 3, axis=2)
    y = np.empty((2, 256), dtype=np.uint8)
    colour_to_planes(grey, 'bgr', nv12_range, y, np.empty((1, 128, 2), dtype=np.uint8))
    return y[0].copy()


_GREY_LUT = {name: _grey_lut(name) for name in RANGES}


def bgr_to_nv12(bgr, nv12_range='full'):
    """HxWx3 uint8 BGR (even W, H) -> 1-D C-contiguous uint8 NV12 of W*H*3//2 bytes."""
    return _colour_to_nv12(bgr, 'bgr', nv12_range)


def rgb_to_nv12(rgb, nv12_range='full'):
    """HxWx3 uint8 RGB (even W, H) -> 1-D C-contiguous uint8 NV12 of W*H*3//2 bytes."""
    return _colour_to_nv12(rgb, 'rgb', nv12_range)


def grey_to_y(grey, nv12_range='full'):
    """Map grey levels (uint8 array) to the Y a grey RGB pixel gets in nv12_range."""
    check_range(nv12_range)
    grey = np.asarray(grey, dtype=np.uint8)
    return cv2.LUT(grey, _GREY_LUT[nv12_range]).reshape(grey.shape)


def grey_y_value(level, nv12_range='full'):
    """Y of the grey pixel (level, level, level) in nv12_range, as an int."""
    check_range(nv12_range)
    return int(_GREY_LUT[nv12_range][int(level)])


def yuv_planes_to_colour(y, uv, nv12_range='full', order='rgb'):
    """Y (H, W) and chroma (H/2 or H, W/2, 2) uint8 planes -> (H, W, 3) uint8 in `order`.

    Each chroma sample is repeated over the pixels it covers (4:2:0 or 4:2:2); the matrix is
    the exact inverse of the forward one.
    """
    check_range(nv12_range)
    h, w = y.shape
    uv_full = resize(np.ascontiguousarray(uv), w, h, cv2.INTER_NEAREST)
    yuv = cv2.merge([np.ascontiguousarray(y), uv_full])
    return cv2.transform(yuv, _INVERSE[nv12_range, order])


def nv12_to_rgb(nv12, width, height, nv12_range='full'):
    """Packed NV12 bytes -> (H, W, 3) uint8 RGB using the inverse of our conversion matrix."""
    width, height = int(width), int(height)
    if width <= 0 or height <= 0 or width % 2 or height % 2:
        raise ValueError('NV12 width and height must be even and > 0, got {}x{}'.format(
            width, height))
    flat = np.asarray(nv12, dtype=np.uint8).reshape(-1)
    if flat.size != nv12_size(width, height):
        raise ValueError('NV12 {}x{} needs {} bytes, got {}'.format(
            width, height, nv12_size(width, height), flat.size))
    y = flat[:width * height].reshape(height, width)
    uv = flat[width * height:].reshape(height // 2, width // 2, 2)
    return yuv_planes_to_colour(y, uv, nv12_range, 'rgb')
