# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Resize geometry (stretch / letterbox / centre crop) and a fast anti-aliased plane shrink.

Used by raw.py. Imports no ROS; numpy 1.21 / OpenCV 4.5 compatible.
"""

import collections

import cv2

from resnet_x5_ros.convert.cv_compat import resize

RESIZE_MODES = ('stretch', 'letterbox', 'center_crop')
# Chosen by classification quality on the five sample photos with the CPU EfficientNet-Lite0
# (`bench preprocess`, table preprocess_modes): center_crop put an
# expected class at top-1 on all five (mean rank 1.0, mean expected-class probability 0.72)
# against stretch (1.2, 0.67) and letterbox (1.2, 0.66). It is also how ImageNet models are
# evaluated (resize, centre crop), so the model sees undistorted objects at its usual scale.
DEFAULT_RESIZE_MODE = 'center_crop'

Rect = collections.namedtuple('Rect', 'x y w h')


def _snap(value, align, limit):
    # Nearest multiple of `align` to value, kept within [align, limit].
    snapped = int(round(value / align)) * align
    return max(align, min(snapped, limit))


def plan(src_w, src_h, out_w, out_h, mode, align_x=1, align_y=1):
    """Return (crop, target): the source Rect to use and the output Rect it fills.

    Output rectangles have even position and size so NV12 chroma (2x2 blocks) lines up;
    out_w/out_h must be even. The source crop is aligned to align_x/align_y (2 where the
    source format subsamples chroma, so the crop starts on a chroma sample).
    letterbox leaves the rest of the output to be filled with padding.
    """
    full_src = Rect(0, 0, src_w, src_h)
    full_out = Rect(0, 0, out_w, out_h)
    if mode == 'stretch':
        return full_src, full_out
    if mode == 'letterbox':
        scale = min(out_w / src_w, out_h / src_h)
        tw = _snap(src_w * scale, 2, out_w)
        th = _snap(src_h * scale, 2, out_h)
        tx = (out_w - tw) // 4 * 2
        ty = (out_h - th) // 4 * 2
        return full_src, Rect(tx, ty, tw, th)
    if mode == 'center_crop':
        scale = max(out_w / src_w, out_h / src_h)
        # src_w may be smaller than align only when align == 1, so limit >= align holds.
        cw = _snap(out_w / scale, align_x, src_w)
        ch = _snap(out_h / scale, align_y, src_h)
        cx = (src_w - cw) // (2 * align_x) * align_x
        cy = (src_h - ch) // (2 * align_y) * align_y
        return Rect(cx, cy, cw, ch), full_out
    raise ValueError('resize_mode must be one of {}, not {!r}'.format(RESIZE_MODES, mode))


def crop(image, rect):
    """View of image inside rect (no copy)."""
    return image[rect.y:rect.y + rect.h, rect.x:rect.x + rect.w]


# A last bilinear step may shrink one axis by up to this factor. Halving a single axis is
# not vectorised in OpenCV (10x slower than halving both), and measured against INTER_AREA on
# the sample photos and a zone plate, 2.5 loses nothing to 2.0 (bilinear starts to skip
# source pixels only past 2x, and only a few up to 2.5x) and is faster.
_SINGLE_AXIS_LIMIT = 2.5


def shrink(image, width, height):
    """Resize a 1-, 3- or 4-channel uint8 image to width x height with anti-aliasing.

    While both axes shrink by >= 2, halve both with INTER_LINEAR (at exactly 2x bilinear is
    the 2x2 box mean, and OpenCV vectorises it); halve one axis while its factor is >= 2.5;
    then one INTER_LINEAR step. Close to INTER_AREA (>= 36 dB PSNR on the sample photos) at a
    fraction of its cost for non-integer factors.
    """
    h, w = image.shape[:2]
    while True:
        if w >= 2 * width and h >= 2 * height:
            w, h = w // 2, h // 2
        elif w >= _SINGLE_AXIS_LIMIT * width:
            w //= 2
        elif h >= _SINGLE_AXIS_LIMIT * height:
            h //= 2
        else:
            break
        image = resize(image, w, h)
    if (w, h) != (width, height):
        image = resize(image, width, height)
    return image


def shrink_uv_into(uv, out):
    """Resize an interleaved 2-channel (H, W, 2) plane into `out` (h, w, 2) view.

    OpenCV's 2-channel downscaling is not vectorised (tens of times slower than 1 or 4
    channels), so when halving is needed the two channels are resized separately.
    """
    height, width = out.shape[:2]
    h, w = uv.shape[:2]
    if w >= 2 * width or h >= 2 * height:
        u, v = cv2.split(uv)
        out[..., 0] = shrink(u, width, height)
        out[..., 1] = shrink(v, width, height)
    elif (w, h) != (width, height):
        out[...] = resize(uv, width, height)
    else:
        out[...] = uv
