# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Colour math of resnet_x5_ros.convert.colour against OpenCV and a float BT.601 (JFIF) reference.

Tolerance: at most 1 LSB per sample where rounding differs. OpenCV works in fixed point
(20-bit for I420, 14-bit for grey) and rounds once; our chroma rounds the 2x2 mean to uint8
before the matrix, and cv2.transform rounds half to even. Each can move a value that lies
near .5 by one step, never more (the errors are each below 0.5 LSB before the final rounding).
Video-range luma comes from OpenCV itself and must match it bit for bit.
"""

import cv2
import numpy as np
import pytest

from resnet_x5_ros import colour_range
from resnet_x5_ros.convert import colour
from support.colour_reference import jfif_nv12, opencv_nv12

RANGES = colour_range.RANGES


def _random_bgr(seed, height=48, width=64):
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def _block_constant(seed, height=48, width=64):
    # One colour per 2x2 block: chroma siting (mean vs top-left) cannot matter there.
    small = _random_bgr(seed, height // 2, width // 2)
    return cv2.resize(small, (width, height), interpolation=cv2.INTER_NEAREST)


def _diff(a, b):
    return np.abs(a.astype(np.int64) - np.asarray(b).astype(np.int64))


@pytest.mark.parametrize('seed', range(4))
def test_video_range_is_opencv_i420(seed):
    bgr = _block_constant(seed)
    np.testing.assert_array_equal(colour.bgr_to_nv12(bgr, 'video'), opencv_nv12(bgr))


@pytest.mark.parametrize('seed', range(4))
def test_video_range_luma_is_opencv_on_any_image(seed):
    bgr = _random_bgr(seed)
    h, w = bgr.shape[:2]
    ours = colour.bgr_to_nv12(bgr, 'video')
    np.testing.assert_array_equal(ours[:w * h], opencv_nv12(bgr)[:w * h])


@pytest.mark.parametrize('seed', range(4))
def test_video_range_chroma_is_mean_of_opencv_matrix(seed):
    # On any image the chroma is OpenCV's matrix applied to the 2x2 mean colour.
    bgr = _random_bgr(seed)
    h, w = bgr.shape[:2]
    mean = bgr.astype(np.float64).reshape(h // 2, 2, w // 2, 2, 3).mean(axis=(1, 3))
    m, offset = colour.forward_matrix('video')
    uv = mean[..., ::-1] @ m[1:].T + offset[1:]
    assert _diff(colour.bgr_to_nv12(bgr, 'video')[w * h:], np.rint(uv).reshape(-1)).max() <= 1


@pytest.mark.parametrize('seed', range(4))
def test_full_range_matches_floatjfif_nv12(seed):
    bgr = _random_bgr(seed)
    diff = _diff(colour.bgr_to_nv12(bgr, 'full'), jfif_nv12(bgr))
    assert diff.max() <= 1
    assert diff.mean() < 0.1  # off-by-one only where a value sits near .5


@pytest.mark.parametrize('seed', range(3))
def test_full_range_matches_opencv_ycrcb(seed):
    bgr = _block_constant(seed)
    h, w = bgr.shape[:2]
    ycrcb = cv2.cvtColor(bgr, cv2.COLOR_BGR2YCrCb)
    expected = np.concatenate([ycrcb[..., 0].reshape(-1),
                               ycrcb[::2, ::2][..., [2, 1]].reshape(-1)])
    assert _diff(colour.bgr_to_nv12(bgr, 'full'), expected).max() <= 1


@pytest.mark.parametrize('nv12_range', RANGES)
def test_rgb_and_bgr_agree_and_alpha_is_ignored(nv12_range):
    bgr = _random_bgr(7)
    expected = colour.bgr_to_nv12(bgr, nv12_range)
    np.testing.assert_array_equal(colour.rgb_to_nv12(bgr[..., ::-1].copy(), nv12_range), expected)
    bgra = cv2.cvtColor(bgr, cv2.COLOR_BGR2BGRA)
    bgra[..., 3] = np.random.default_rng(1).integers(0, 256, bgra.shape[:2])
    assert _diff(colour.bgr_to_nv12(bgra, nv12_range), expected).max() <= 1


@pytest.mark.parametrize('nv12_range', RANGES)
def test_output_is_flat_contiguous_uint8_of_exact_size(nv12_range):
    out = colour.bgr_to_nv12(_random_bgr(3, 10, 6), nv12_range)
    assert out.dtype == np.uint8 and out.ndim == 1 and out.flags.c_contiguous
    assert out.size == colour.nv12_size(6, 10) == 90


@pytest.mark.parametrize('nv12_range', RANGES)
@pytest.mark.parametrize('rgb', [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0),
                                 (255, 255, 255), (0, 0, 0), (128, 128, 128)])
def test_pure_colours_survive_the_round_trip(nv12_range, rgb):
    image = np.empty((8, 8, 3), dtype=np.uint8)
    image[...] = rgb
    back = colour.nv12_to_rgb(colour.rgb_to_nv12(image, nv12_range), 8, 8, nv12_range)
    assert back.shape == (8, 8, 3) and back.dtype == np.uint8
    assert _diff(back, image).max() <= 2


@pytest.mark.parametrize('nv12_range', RANGES)
def test_round_trip_on_block_constant_images(nv12_range):
    # One rounding per stage, each amplified by at most the inverse matrix's row sum.
    bgr = _block_constant(11)
    h, w = bgr.shape[:2]
    rgb = bgr[..., ::-1]
    back = colour.nv12_to_rgb(colour.rgb_to_nv12(rgb.copy(), nv12_range), w, h, nv12_range)
    # Colours outside the other range's gamut clip; keep those that fit.
    assert _diff(back, rgb).max() <= 2


def test_inverse_is_opencv_nv12_to_rgb_for_video_range():
    nv = colour.bgr_to_nv12(_block_constant(5), 'video')
    ours = colour.nv12_to_rgb(nv, 64, 48, 'video')
    theirs = cv2.cvtColor(nv.reshape(72, 64), cv2.COLOR_YUV2RGB_NV12)
    assert _diff(ours, theirs).max() <= 1


def test_inverse_is_opencv_ycrcb_to_rgb_for_full_range():
    y = np.random.default_rng(2).integers(0, 256, (8, 8), dtype=np.uint8)
    uv = np.random.default_rng(3).integers(64, 192, (4, 4, 2), dtype=np.uint8)
    ours = colour.nv12_to_rgb(np.concatenate([y.reshape(-1), uv.reshape(-1)]), 8, 8, 'full')
    up = cv2.resize(uv, (8, 8), interpolation=cv2.INTER_NEAREST)
    ycrcb = np.dstack([y, up[..., 1], up[..., 0]])
    # OpenCV's YCrCb inverse uses 3-decimal coefficients (1.403 vs 1.402): 1-2 LSB apart.
    assert _diff(ours, cv2.cvtColor(ycrcb, cv2.COLOR_YCrCb2RGB)).max() <= 2


@pytest.mark.parametrize('nv12_range', RANGES)
def test_grey_is_neutral_and_matches_colour_path(nv12_range):
    levels = np.arange(256, dtype=np.uint8)
    grey = np.repeat(np.repeat(levels[None, :, None], 2, axis=0), 3, axis=2)
    ours = colour.bgr_to_nv12(grey, nv12_range)
    np.testing.assert_array_equal(ours[:256], colour.grey_to_y(levels, nv12_range))
    np.testing.assert_array_equal(ours[512:], 128)
    assert colour.grey_y_value(0, nv12_range) == (0 if nv12_range == 'full' else 16)
    assert colour.grey_y_value(255, nv12_range) == (255 if nv12_range == 'full' else 235)


def test_bad_input_raises_value_error():
    with pytest.raises(ValueError, match='even'):
        colour.bgr_to_nv12(np.zeros((3, 4, 3), np.uint8))
    with pytest.raises(ValueError, match='uint8'):
        colour.bgr_to_nv12(np.zeros((4, 4, 3), np.float32))
    with pytest.raises(ValueError, match='HxWxC'):
        colour.bgr_to_nv12(np.zeros((4, 4), np.uint8))
    with pytest.raises(ValueError, match='nv12_range'):
        colour.bgr_to_nv12(np.zeros((4, 4, 3), np.uint8), 'limited')
    with pytest.raises(ValueError, match='needs 24 bytes'):
        colour.nv12_to_rgb(np.zeros(23, np.uint8), 4, 4)
    with pytest.raises(ValueError, match='even'):
        colour.nv12_to_rgb(np.zeros(12, np.uint8), 4, 3)
