# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Property tests: any frame gives exactly W*H*3/2 bytes of NV12 or a FrameError, nothing else.

An independent oracle below restates the validation rules; hypothesis draws sizes, steps,
data lengths, encodings, output sizes, modes and ranges (valid and invalid) and checks that
to_nv12 raises FrameError exactly when the oracle says the frame is bad.
"""

import cv2
from hypothesis import given, HealthCheck, settings, strategies as st
import numpy as np

from resnet_x5_ros import colour_range, convert
from resnet_x5_ros.convert import FrameError
from resnet_x5_ros.convert.resize import plan

BYTES_PER_PIXEL = {'bgr8': 3, 'rgb8': 3, 'bgra8': 4, 'rgba8': 4, 'mono8': 1, 'nv12': 1,
                   'yuv422': 2, 'uyvy': 2, 'yuv422_yuy2': 2, 'yuyv': 2}
SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _problem(encoding, width, height, step, length, out_width, out_height):
    """What the oracle finds wrong with a frame, or None."""
    if encoding not in BYTES_PER_PIXEL:
        return 'encoding'
    if width <= 0 or height <= 0 or width > 8192 or height > 8192:
        return 'size'
    if encoding in ('nv12', 'yuv422', 'uyvy', 'yuv422_yuy2', 'yuyv') and width % 2:
        return 'odd width'
    if encoding == 'nv12' and height % 2:
        return 'odd height'
    if step < width * BYTES_PER_PIXEL[encoding] or step > 4 * 8192:
        return 'step'
    rows = height * 3 // 2 if encoding == 'nv12' else height
    if length < step * rows:
        return 'short data'
    if (out_width <= 0 or out_height <= 0 or out_width % 2 or out_height % 2
            or out_width > 8192 or out_height > 8192):
        return 'output size'
    return None


@st.composite
def raw_frames(draw):
    # Each field is valid more often than not, so that many frames get converted, while
    # every kind of fault still comes up.
    known = sorted(BYTES_PER_PIXEL)
    encoding = draw(st.one_of(st.sampled_from(known),
                              st.sampled_from(known + ['bgr16', 'NV12', 'rgb'])))
    side = st.integers(-4, 70).map(lambda v: v + (v % 2 if v % 5 else 0))  # 4 in 5 even
    width = draw(side)
    height = draw(side)
    row = max(width, 0) * BYTES_PER_PIXEL.get(encoding.lower(), 3)
    step = row + draw(st.integers(-3, 30))
    rows = max(height, 0) * 3 // 2 if encoding.lower() == 'nv12' else max(height, 0)
    length = max(0, max(step, 0) * rows + draw(st.integers(-4, 60)))
    # Mostly valid output sizes, so most frames get converted rather than refused.
    out_size = st.one_of(st.integers(1, 24).map(lambda v: 2 * v), st.integers(-2, 48))
    out_width = draw(out_size)
    out_height = draw(out_size)
    return encoding, width, height, step, length, out_width, out_height


@SETTINGS
@given(raw_frames(), st.sampled_from(convert.RESIZE_MODES), st.sampled_from(colour_range.RANGES),
       st.integers(0, 2 ** 32 - 1))
def test_output_is_exact_or_frame_error(frame, mode, nv12_range, seed):
    encoding, width, height, step, length, out_width, out_height = frame
    data = np.random.default_rng(seed).integers(0, 256, length, dtype=np.uint8).tobytes()
    problem = _problem(encoding.lower(), width, height, step, length, out_width, out_height)
    try:
        out = convert.to_nv12(data, encoding, width, height, step, out_width=out_width,
                              out_height=out_height, resize_mode=mode, nv12_range=nv12_range)
    except FrameError as exc:
        assert problem is not None, 'rejected a valid frame: {}'.format(exc)
        assert str(exc)
        return
    assert problem is None, 'accepted a frame with a bad {}'.format(problem)
    assert isinstance(out, np.ndarray) and out.dtype == np.uint8
    assert out.ndim == 1 and out.flags.c_contiguous
    assert out.size == out_width * out_height * 3 // 2


@SETTINGS
@given(st.sampled_from(sorted(BYTES_PER_PIXEL)), st.integers(1, 40), st.integers(1, 40),
       st.integers(0, 7), st.integers(0, 2 ** 32 - 1))
def test_to_bgr_is_full_size_or_frame_error(encoding, width, height, pad, seed):
    bpp = BYTES_PER_PIXEL[encoding]
    step = width * bpp + pad
    rows = height * 3 // 2 if encoding == 'nv12' else height
    data = np.random.default_rng(seed).integers(0, 256, step * rows, dtype=np.uint8)
    problem = _problem(encoding, width, height, step, data.size, 2, 2)
    try:
        bgr = convert.to_bgr(data, encoding, width, height, step)
    except FrameError:
        assert problem is not None
        return
    assert problem is None
    assert bgr.shape == (height, width, 3) and bgr.dtype == np.uint8


@SETTINGS
@given(st.integers(1, 3000), st.integers(1, 3000), st.integers(1, 200), st.integers(1, 200),
       st.sampled_from(convert.RESIZE_MODES), st.sampled_from([1, 2]))
def test_plan_geometry(src_w, src_h, half_w, half_h, mode, align):
    out_w, out_h = 2 * half_w, 2 * half_h
    if align == 2:
        src_w, src_h = 2 * ((src_w + 1) // 2), 2 * ((src_h + 1) // 2)
    source, target = plan(src_w, src_h, out_w, out_h, mode, align, align)
    # Inside the frame and the output, aligned for chroma.
    assert 0 <= source.x and source.x + source.w <= src_w and source.w >= 1
    assert 0 <= source.y and source.y + source.h <= src_h and source.h >= 1
    assert source.x % align == source.y % align == source.w % align == source.h % align == 0
    assert 0 <= target.x and target.x + target.w <= out_w and target.w >= 2
    assert 0 <= target.y and target.y + target.h <= out_h and target.h >= 2
    assert target.x % 2 == target.y % 2 == target.w % 2 == target.h % 2 == 0
    if mode == 'stretch':
        assert (source.w, source.h, target.w, target.h) == (src_w, src_h, out_w, out_h)
    elif mode == 'letterbox':
        assert source == (0, 0, src_w, src_h)
        assert target.w == out_w or target.h == out_h  # touches two opposite edges
        # Centred (to the even pixel) and aspect kept to within the rounding to even sizes.
        assert abs((out_w - target.w) - 2 * target.x) <= 2
        assert abs((out_h - target.h) - 2 * target.y) <= 2
        # Aspect kept: each side is the scaled source side rounded to even (or the minimum 2).
        scale = min(out_w / src_w, out_h / src_h)
        assert target.w == 2 or abs(target.w - src_w * scale) <= 1 + 1e-9
        assert target.h == 2 or abs(target.h - src_h * scale) <= 1 + 1e-9
    else:
        assert target == (0, 0, out_w, out_h)
        # The crop has the output's aspect: each side is out/scale rounded to the alignment
        # (or clamped to the frame / the minimum).
        scale = max(out_w / src_w, out_h / src_h)
        assert source.w == align or abs(source.w - out_w / scale) <= align / 2 + 1e-9
        assert source.h == align or abs(source.h - out_h / scale) <= align / 2 + 1e-9
        assert source.w == src_w or source.h == src_h or align == 2
        assert abs((src_w - source.w) - 2 * source.x) <= 2 * align
        assert abs((src_h - source.h) - 2 * source.y) <= 2 * align


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(['jpeg', 'png', 'bgr8; jpeg compressed bgr8']))
def test_random_bytes_never_escape_as_other_errors(data, fmt):
    try:
        out = convert.compressed_to_nv12(data, fmt, out_width=32, out_height=32)
    except FrameError:
        return
    assert out.size == 32 * 32 * 3 // 2  # random bytes that happen to decode


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 300), st.integers(1, 300), st.sampled_from(['.png', '.jpg']),
       st.sampled_from(convert.RESIZE_MODES), st.integers(1, 60), st.integers(1, 60))
def test_compressed_output_is_exact(width, height, ext, mode, half_w, half_h):
    image = np.random.default_rng(width * 1000 + height).integers(
        0, 256, (height, width, 3), dtype=np.uint8)
    ok, encoded = cv2.imencode(ext, image)
    assert ok
    out = convert.compressed_to_nv12(encoded.tobytes(), ext[1:], out_width=2 * half_w,
                                     out_height=2 * half_h, resize_mode=mode)
    assert out.dtype == np.uint8 and out.flags.c_contiguous
    assert out.size == 2 * half_w * 2 * half_h * 3 // 2
