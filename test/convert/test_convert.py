# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""resnet_x5_ros.convert: every encoding to NV12 (exactness, colour, geometry, validation)."""

import array
import os

import cv2
import numpy as np
import pytest

from resnet_x5_ros import colour_range, convert
from resnet_x5_ros.convert import colour
from resnet_x5_ros.convert import FrameError
from resnet_x5_ros.convert.resize import plan, Rect
from resnet_x5_ros.postprocess import load_labels
from resnet_x5_ros.tools.bench import preprocess as preprocess_bench
from resnet_x5_ros.tools.samples import EXPECTED_CLASSES, sample_path
from support.colour_reference import jfif_nv12, max_diff, opencv_nv12

RANGES = colour_range.RANGES
W, H = 64, 48


def _block_image(seed=0, width=W, height=H):
    # One colour per 2x2 block, so every encoding (4:2:0, 4:2:2) can carry it exactly.
    small = np.random.default_rng(seed).integers(0, 256, (height // 2, width // 2, 3),
                                                 dtype=np.uint8)
    return cv2.resize(small, (width, height), interpolation=cv2.INTER_NEAREST)


def _padded(rows, step, fill=0xAB):
    """Rows of bytes laid out with `step` bytes per row (padding filled with junk)."""
    rows = np.asarray(rows, dtype=np.uint8).reshape(rows.shape[0], -1)
    out = np.full((rows.shape[0], step), fill, dtype=np.uint8)
    out[:, :rows.shape[1]] = rows
    return out.tobytes()


def _yuv422(nv, width, height, order):
    """A 4:2:2 frame holding the same samples as an NV12 frame (chroma rows doubled)."""
    y = nv[:width * height].reshape(height, width)
    uv = nv[width * height:].reshape(height // 2, width // 2, 2).repeat(2, axis=0)
    packed = np.empty((height, width // 2, 4), dtype=np.uint8)
    packed[..., 0], packed[..., 2] = y[:, 0::2], y[:, 1::2]
    packed[..., 1], packed[..., 3] = uv[..., 0], uv[..., 1]
    if order == 'uyvy':
        packed = packed[..., [1, 0, 3, 2]]
    return np.ascontiguousarray(packed).reshape(height, width * 2)


def _encode(bgr, encoding, nv12_range='full'):
    """(rows, bytes per pixel) of bgr in `encoding`."""
    h, w = bgr.shape[:2]
    if encoding == 'bgr8':
        return bgr, 3
    if encoding == 'rgb8':
        return bgr[..., ::-1], 3
    if encoding == 'bgra8':
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2BGRA), 4
    if encoding == 'rgba8':
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGBA), 4
    if encoding == 'mono8':
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY), 1
    nv = colour.bgr_to_nv12(bgr, nv12_range)
    if encoding == 'nv12':
        return nv.reshape(h * 3 // 2, w), 1
    order = 'yuyv' if encoding in ('yuyv', 'yuv422_yuy2') else 'uyvy'
    return _yuv422(nv, w, h, order), 2


def _convert(bgr, encoding, pad=0, nv12_range='full', **kwargs):
    h, w = bgr.shape[:2]
    rows, bpp = _encode(bgr, encoding, nv12_range)
    step = w * bpp + pad
    kwargs.setdefault('out_width', w)
    kwargs.setdefault('out_height', h)
    kwargs.setdefault('resize_mode', 'stretch')
    return convert.to_nv12(_padded(rows, step), encoding, w, h, step, nv12_range=nv12_range,
                           **kwargs)


def test_public_names():
    assert set(convert.ENCODINGS) == {'bgr8', 'rgb8', 'bgra8', 'rgba8', 'mono8', 'nv12',
                                      'yuv422', 'uyvy', 'yuv422_yuy2', 'yuyv'}
    assert convert.RESIZE_MODES == ('stretch', 'letterbox', 'center_crop')
    assert convert.DEFAULT_RESIZE_MODE in convert.RESIZE_MODES
    assert issubclass(FrameError, ValueError)


# --- exactness at the same size (no resampling), odd step padding -----------------------


@pytest.mark.parametrize('nv12_range', RANGES)
@pytest.mark.parametrize('encoding', ['bgr8', 'rgb8', 'bgra8', 'rgba8'])
@pytest.mark.parametrize('pad', [0, 3, 7])
def test_rgb_family_is_exact(encoding, nv12_range, pad):
    bgr = _block_image(1)
    got = _convert(bgr, encoding, pad, nv12_range)
    # Against references that share no code with convert: OpenCV's I420 converter (video
    # range, exact) and the BT.601 full-range equations in float (within OpenCV's
    # fixed-point rounding, 1 level).
    if nv12_range == 'video':
        np.testing.assert_array_equal(got, opencv_nv12(bgr))
    else:
        assert max_diff(got, jfif_nv12(bgr)) <= 1


@pytest.mark.parametrize('nv12_range', RANGES)
@pytest.mark.parametrize('pad', [0, 5])
def test_mono8_is_grey_nv12(nv12_range, pad):
    bgr = _block_image(2)
    grey_bgr = cv2.cvtColor(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    got = _convert(bgr, 'mono8', pad, nv12_range)
    np.testing.assert_array_equal(got, colour.bgr_to_nv12(grey_bgr, nv12_range))
    np.testing.assert_array_equal(got[W * H:], 128)
    if nv12_range == 'video':
        np.testing.assert_array_equal(got, opencv_nv12(grey_bgr))
    else:
        assert max_diff(got, jfif_nv12(grey_bgr)) <= 1


@pytest.mark.parametrize('nv12_range', RANGES)
@pytest.mark.parametrize('encoding', ['nv12', 'yuv422', 'uyvy', 'yuv422_yuy2', 'yuyv'])
@pytest.mark.parametrize('pad', [0, 1, 6])
def test_yuv_input_passes_through_unchanged(encoding, nv12_range, pad):
    bgr = _block_image(3)
    source = colour.bgr_to_nv12(bgr, nv12_range)
    # nv12_range only matters for padding: the other range must not touch the values.
    other = 'video' if nv12_range == 'full' else 'full'
    got = _convert(bgr, encoding, pad, nv12_range)
    np.testing.assert_array_equal(got, source)
    rows, bpp = _encode(bgr, encoding, nv12_range)
    step = W * bpp + pad
    again = convert.to_nv12(_padded(rows, step), encoding, W, H, step, out_width=W,
                            out_height=H, resize_mode='stretch', nv12_range=other)
    np.testing.assert_array_equal(again, source)


@pytest.mark.parametrize('encoding', ['nv12', 'yuyv', 'uyvy'])
@pytest.mark.parametrize('camera_range,model_range', [('video', 'full'), ('full', 'video')])
def test_camera_range_remap(encoding, camera_range, model_range):
    bgr = _block_image(4)
    rows, bpp = _encode(bgr, encoding, camera_range)
    got = convert.to_nv12(rows.tobytes(), encoding, W, H, W * bpp, out_width=W, out_height=H,
                          resize_mode='stretch', nv12_range=model_range,
                          camera_range=camera_range)
    # Two roundings (camera's, then the remap): within 1 LSB of converting directly.
    diff = np.abs(got.astype(int) - colour.bgr_to_nv12(bgr, model_range))
    assert diff.max() <= 1 and diff.mean() < 0.5


@pytest.mark.parametrize('mode', convert.RESIZE_MODES)
@pytest.mark.parametrize('encoding', convert.ENCODINGS)
def test_step_padding_does_not_change_resized_output(encoding, mode):
    bgr = _block_image(12, 320, 240)
    kwargs = {'out_width': 96, 'out_height': 64, 'resize_mode': mode}
    np.testing.assert_array_equal(_convert(bgr, encoding, 0, **kwargs),
                                  _convert(bgr, encoding, 10, **kwargs))


@pytest.mark.parametrize('encoding', convert.ENCODINGS)
def test_to_bgr_matches_opencv(encoding):
    # OpenCV's (and so cv_bridge's) YUV conversions are BT.601 video range.
    bgr = _block_image(5)
    rows, bpp = _encode(bgr, encoding, 'video')
    step = W * bpp + 2
    got = convert.to_bgr(array.array('B', _padded(rows, step)), encoding, W, H, step,
                         camera_range='video')
    assert got.shape == (H, W, 3) and got.dtype == np.uint8 and got.flags.c_contiguous
    if encoding in ('bgr8', 'rgb8', 'bgra8', 'rgba8'):
        np.testing.assert_array_equal(got, bgr)
    elif encoding == 'mono8':
        np.testing.assert_array_equal(got, cv2.cvtColor(rows, cv2.COLOR_GRAY2BGR))
    elif encoding == 'nv12':
        np.testing.assert_array_equal(got, cv2.cvtColor(rows, cv2.COLOR_YUV2BGR_NV12))
    else:
        code = (cv2.COLOR_YUV2BGR_YUYV if encoding in ('yuyv', 'yuv422_yuy2')
                else cv2.COLOR_YUV2BGR_UYVY)
        np.testing.assert_array_equal(got, cv2.cvtColor(rows.reshape(H, W, 2), code))


@pytest.mark.parametrize('encoding', ['nv12', 'yuyv', 'uyvy'])
def test_to_bgr_full_range_yuv(encoding):
    bgr = _block_image(6)
    rows, bpp = _encode(bgr, encoding, 'full')
    got = convert.to_bgr(rows.tobytes(), encoding, W, H, W * bpp, camera_range='full')
    assert np.abs(got.astype(int) - bgr).max() <= 2


def test_to_bgr_returns_a_copy():
    data = bytearray(_block_image(7).tobytes())
    got = convert.to_bgr(data, 'bgr8', W, H, W * 3)
    got[...] = 0
    assert any(data)


@pytest.mark.parametrize('make', [bytes, bytearray, lambda b: array.array('B', b), memoryview,
                                  lambda b: np.frombuffer(b, np.uint8),
                                  lambda b: np.frombuffer(b, np.uint8).reshape(H, W, 3)])
def test_any_buffer_type_gives_the_same_result(make):
    raw = _block_image(8).tobytes()
    expected = convert.to_nv12(raw, 'bgr8', W, H, W * 3, out_width=32, out_height=24)
    got = convert.to_nv12(make(raw), 'bgr8', W, H, W * 3, out_width=32, out_height=24)
    np.testing.assert_array_equal(got, expected)


def test_output_is_new_flat_contiguous_and_exact():
    raw = np.zeros(W * H * 3, np.uint8)
    out = convert.to_nv12(raw, 'bgr8', W, H, W * 3, out_width=224, out_height=224)
    assert out.dtype == np.uint8 and out.ndim == 1 and out.flags.c_contiguous
    assert out.size == 224 * 224 * 3 // 2 and not np.shares_memory(out, raw)


# --- colour correctness after resizing ---------------------------------------------------


@pytest.mark.parametrize('nv12_range', RANGES)
@pytest.mark.parametrize('mode', convert.RESIZE_MODES)
@pytest.mark.parametrize('encoding', ['bgr8', 'rgb8', 'bgra8', 'rgba8', 'nv12', 'yuyv', 'uyvy'])
def test_pure_red_stays_red(encoding, mode, nv12_range):
    bgr = np.zeros((480, 640, 3), np.uint8)
    bgr[..., 2] = 255
    out = _convert(bgr, encoding, 0, nv12_range, out_width=224, out_height=224,
                   resize_mode=mode)
    rgb = colour.nv12_to_rgb(out, 224, 224, nv12_range)
    _, target = plan(640, 480, 224, 224, mode)
    inside = rgb[target.y:target.y + target.h, target.x:target.x + target.w]
    assert inside[..., 0].min() >= 250 and inside[..., 1:].max() <= 5


@pytest.mark.parametrize('nv12_range', RANGES)
def test_mono_after_resize_has_neutral_chroma(nv12_range):
    grey = np.random.default_rng(0).integers(0, 256, (480, 640), dtype=np.uint8)
    out = convert.to_nv12(grey.tobytes(), 'mono8', 640, 480, 640, out_width=224,
                          out_height=224, resize_mode='letterbox', nv12_range=nv12_range)
    np.testing.assert_array_equal(out[224 * 224:], 128)
    rgb = colour.nv12_to_rgb(out, 224, 224, nv12_range)
    assert np.abs(rgb[..., 0].astype(int) - rgb[..., 2]).max() <= 1


def test_resized_output_is_close_to_inter_area():
    # The fast halving chain must stay near OpenCV's anti-aliased INTER_AREA (no aliasing).
    yy, xx = np.mgrid[:480, :640].astype(np.float64)
    zone = (127.5 + 127.5 * np.cos(np.pi * ((xx - 320) ** 2 + (yy - 240) ** 2) / 1280))
    bgr = cv2.cvtColor(zone.astype(np.uint8), cv2.COLOR_GRAY2BGR)
    out = convert.to_nv12(bgr, 'bgr8', 640, 480, 1920, out_width=224, out_height=224,
                          resize_mode='stretch')
    area = cv2.resize(bgr, (224, 224), interpolation=cv2.INTER_AREA)[..., 0].astype(float)
    linear = cv2.resize(bgr, (224, 224), interpolation=cv2.INTER_LINEAR)[..., 0].astype(float)
    ours_err = np.sqrt(np.mean((out[:224 * 224].reshape(224, 224) - area) ** 2))
    linear_err = np.sqrt(np.mean((linear - area) ** 2))
    assert ours_err < 0.7 * linear_err


@pytest.mark.parametrize('encoding', ['bgr8', 'mono8', 'nv12'])
def test_finest_detail_averages_out_instead_of_aliasing(encoding):
    # A 1-pixel checkerboard is above every output Nyquist limit: an anti-aliased shrink
    # gives flat grey, plain bilinear sampling gives a pattern of near-black and near-white.
    board = (np.indices((480, 640)).sum(axis=0) % 2 * 255).astype(np.uint8)
    bgr = cv2.cvtColor(board, cv2.COLOR_GRAY2BGR)
    out = _convert(bgr, encoding, 0, 'full', out_width=224, out_height=224,
                   resize_mode='stretch')
    assert out[:224 * 224].std() < 2
    assert cv2.resize(board, (224, 224), interpolation=cv2.INTER_LINEAR).std() > 30


# --- geometry ------------------------------------------------------------------------------


def test_plan_rectangles():
    assert plan(640, 480, 224, 224, 'stretch') == (Rect(0, 0, 640, 480), Rect(0, 0, 224, 224))
    assert plan(640, 480, 224, 224, 'letterbox') == (Rect(0, 0, 640, 480),
                                                     Rect(0, 28, 224, 168))
    assert plan(480, 640, 224, 224, 'letterbox') == (Rect(0, 0, 480, 640),
                                                     Rect(28, 0, 168, 224))
    assert plan(640, 480, 224, 224, 'center_crop') == (Rect(80, 0, 480, 480),
                                                       Rect(0, 0, 224, 224))
    assert plan(960, 544, 224, 224, 'center_crop', 2, 2) == (Rect(208, 0, 544, 544),
                                                             Rect(0, 0, 224, 224))
    with pytest.raises(ValueError):
        plan(640, 480, 224, 224, 'zoom')


def _striped(width, height):
    """Left quarter red, right quarter blue, middle green (BGR)."""
    bgr = np.zeros((height, width, 3), np.uint8)
    bgr[:, :width // 4] = (0, 0, 255)
    bgr[:, width // 4:width - width // 4] = (0, 255, 0)
    bgr[:, width - width // 4:] = (255, 0, 0)
    return bgr


@pytest.mark.parametrize('encoding', ['bgr8', 'nv12', 'yuyv', 'mono8'])
def test_center_crop_keeps_only_the_centre(encoding):
    # 640x480 -> the crop is x 80..560, inside the green band (x 160..480 is green;
    # 80..160 red would show), so widen the green band to the crop.
    bgr = np.zeros((480, 640, 3), np.uint8)
    bgr[:, :80] = (0, 0, 255)
    bgr[:, 80:560] = (0, 255, 0)
    bgr[:, 560:] = (255, 0, 0)
    out = _convert(bgr, encoding, 0, 'full', out_width=224, out_height=224,
                   resize_mode='center_crop')
    green_y = colour.bgr_to_nv12(np.full((2, 2, 3), (0, 255, 0), np.uint8))[0]
    if encoding == 'mono8':
        green_y = cv2.cvtColor(np.full((1, 1, 3), (0, 255, 0), np.uint8),
                               cv2.COLOR_BGR2GRAY)[0, 0]
    assert np.abs(out[:224 * 224].astype(int) - int(green_y)).max() <= 1


@pytest.mark.parametrize('encoding', ['bgr8', 'nv12', 'uyvy'])
def test_stretch_keeps_the_whole_frame(encoding):
    out = _convert(_striped(640, 480), encoding, 0, 'full', out_width=224, out_height=224,
                   resize_mode='stretch')
    rgb = colour.nv12_to_rgb(out, 224, 224, 'full')
    assert rgb[:, :54, 0].min() > 200 and rgb[:, :54, 2].max() < 30  # red band, 224/4 wide
    assert rgb[:, 60:164, 1].min() > 200  # green in the middle
    assert rgb[:, 170:, 2].min() > 200 and rgb[:, 170:, 0].max() < 30  # blue band


@pytest.mark.parametrize('nv12_range', RANGES)
@pytest.mark.parametrize('encoding', ['bgr8', 'mono8', 'nv12', 'yuyv'])
@pytest.mark.parametrize('size', [(640, 480), (480, 640)])
def test_letterbox_pads_with_grey(encoding, nv12_range, size):
    width, height = size
    white = np.full((height, width, 3), 255, np.uint8)
    out = _convert(white, encoding, 0, nv12_range, out_width=224, out_height=224,
                   resize_mode='letterbox')
    y = out[:224 * 224].reshape(224, 224)
    uv = out[224 * 224:].reshape(112, 112, 2)
    pad_y = colour.grey_y_value(convert.PAD_LEVEL, nv12_range)
    white_y = colour.grey_y_value(255, nv12_range)
    bars = (slice(0, 28), slice(196, 224)) if width > height else None
    if bars:
        for rows in bars:
            np.testing.assert_array_equal(y[rows], pad_y)
        np.testing.assert_array_equal(y[28:196], white_y)
        np.testing.assert_array_equal(uv[:14], 128)
    else:
        np.testing.assert_array_equal(y[:, :28], pad_y)
        np.testing.assert_array_equal(y[:, 196:], pad_y)
        np.testing.assert_array_equal(y[:, 28:196], white_y)
    np.testing.assert_array_equal(uv, 128)


# --- validation ----------------------------------------------------------------------------


def _call(data=None, encoding='bgr8', width=4, height=4, step=12, **kwargs):
    if data is None:
        data = bytes(1024)
    kwargs.setdefault('out_width', 4)
    kwargs.setdefault('out_height', 4)
    return convert.to_nv12(data, encoding, width, height, step, **kwargs)


@pytest.mark.parametrize('kwargs,message', [
    ({'encoding': 'bgr16'}, 'unsupported encoding'),
    ({'encoding': None}, 'encoding must be a string'),
    ({'width': 0}, 'size must be > 0'),
    ({'height': -2}, 'size must be > 0'),
    ({'width': 8194, 'step': 3 * 8194}, 'exceeds the maximum'),
    ({'width': 4.0}, 'width must be an integer'),
    ({'height': True}, 'height must be an integer'),
    ({'step': 11}, 'step 11 is smaller'),
    ({'step': '12'}, 'step must be an integer'),
    ({'step': 40000}, 'step 40000 exceeds'),
    ({'data': bytes(47)}, 'needs 48 bytes, got 47'),
    ({'data': 'x' * 100}, 'bytes-like'),
    ({'data': [0] * 100}, 'bytes-like'),
    ({'data': np.zeros(100, np.float32)}, 'must be uint8'),
    ({'encoding': 'nv12', 'width': 3, 'step': 3}, 'even width'),
    ({'encoding': 'nv12', 'height': 3, 'step': 4}, 'even height'),
    ({'encoding': 'nv12', 'data': bytes(23), 'step': 4}, 'needs 24 bytes'),
    ({'encoding': 'yuyv', 'width': 3, 'step': 6}, 'even width'),
    ({'encoding': 'uyvy', 'step': 7}, 'smaller'),
    ({'out_width': 5}, 'even'),
    ({'out_height': 0}, 'output size must be > 0'),
    ({'out_width': 10000}, 'exceeds'),
    ({'resize_mode': 'zoom'}, 'resize_mode'),
    ({'nv12_range': 'limited'}, 'nv12_range'),
    ({'encoding': 'nv12', 'step': 4, 'camera_range': 'pc'}, 'camera_range'),
])
def test_invalid_frames_raise_frame_error(kwargs, message):
    with pytest.raises(FrameError, match=message):
        _call(**kwargs)


def test_to_bgr_validates_the_same_way():
    with pytest.raises(FrameError, match='needs 48 bytes'):
        convert.to_bgr(bytes(47), 'bgr8', 4, 4, 12)
    with pytest.raises(FrameError, match='camera_range'):
        convert.to_bgr(bytes(24), 'nv12', 4, 4, 4, camera_range='pc')


def test_encoding_names_are_case_insensitive():
    raw = _block_image(9).tobytes()
    np.testing.assert_array_equal(
        convert.to_nv12(raw, 'BGR8', W, H, W * 3, out_width=W, out_height=H),
        convert.to_nv12(raw, 'bgr8', W, H, W * 3, out_width=W, out_height=H))


# --- CompressedImage ------------------------------------------------------------------------


def test_png_is_lossless_and_equals_raw_path():
    bgr = _block_image(10)
    ok, png = cv2.imencode('.png', bgr)
    assert ok
    np.testing.assert_array_equal(convert.compressed_to_bgr(png.tobytes(), 'png'), bgr)
    for mode in convert.RESIZE_MODES:
        np.testing.assert_array_equal(
            convert.compressed_to_nv12(png.tobytes(), 'bgr8; png compressed bgr8',
                                       out_width=32, out_height=32, resize_mode=mode),
            convert.to_nv12(bgr, 'bgr8', W, H, W * 3, out_width=32, out_height=32,
                            resize_mode=mode))


def test_large_jpeg_uses_reduced_decoding_and_stays_close():
    bgr = cv2.resize(_block_image(11), (1280, 960), interpolation=cv2.INTER_LINEAR)
    ok, jpg = cv2.imencode('.jpg', bgr, [cv2.IMWRITE_JPEG_QUALITY, 95])
    assert ok
    assert convert.compressed_size(jpg) == (1280, 960)
    got = convert.compressed_to_nv12(array.array('B', jpg.tobytes()), 'jpeg',
                                     out_width=224, out_height=224)
    full = convert.to_nv12(cv2.imdecode(jpg, cv2.IMREAD_COLOR), 'bgr8', 1280, 960, 3840,
                           out_width=224, out_height=224)
    assert got.size == 224 * 224 * 3 // 2
    assert np.abs(got.astype(int) - full).mean() < 1.5


@pytest.mark.parametrize('data,fmt,message', [
    (b'', 'jpeg', 'no data'),
    (b'\x00' * 100, 'jpeg', 'cannot decode'),
    (b'\xff\xd8\xff\xe0' + b'\x00' * 50, 'jpeg', 'cannot decode'),
    (b'\x89PNG\r\n\x1a\n' + b'\x00' * 4 + b'IHDR' + (9000).to_bytes(4, 'big') * 2 + b'\x00' * 9,
     'png', 'not within'),
    (b'abc', 'png', 'cannot decode'),
    (b'abc', None, 'format must be a string'),
    (b'abc', '16UC1; compressedDepth png', 'compressedDepth'),
])
def test_bad_compressed_images_raise_frame_error(data, fmt, message):
    with pytest.raises(FrameError, match=message):
        convert.compressed_to_nv12(data, fmt, out_width=224, out_height=224)
    with pytest.raises(FrameError, match=message):
        convert.compressed_to_bgr(data, fmt)


# --- quality guard with the CPU backend ---------------------------------------------------


@pytest.fixture(scope='module')
def cpu_backends():
    pytest.importorskip('onnxruntime', reason='onnxruntime is not installed (make setup)')
    from resnet_x5_ros.backends import create_backend, default_cpu_model
    model = default_cpu_model()
    if not os.path.exists(model):
        pytest.skip('no CPU model at {} (run make model)'.format(model))
    backends = {rng: create_backend('cpu', model, nv12_range=rng) for rng in RANGES}
    yield backends
    for backend in backends.values():
        backend.close()


@pytest.mark.parametrize('photo', sorted(EXPECTED_CLASSES))
def test_top1_is_the_same_as_with_the_model_zoo_method(cpu_backends, photo):
    bgr = cv2.imread(sample_path(photo), cv2.IMREAD_COLOR)
    h, w = bgr.shape[:2]
    reference = cpu_backends['video'].infer(preprocess_bench.zoo_reference(bgr, 224, 224))
    for rng in RANGES:
        ours = convert.to_nv12(bgr, 'bgr8', w, h, w * 3, out_width=224, out_height=224,
                               resize_mode='stretch', nv12_range=rng)
        assert np.argmax(cpu_backends[rng].infer(ours)) == np.argmax(reference), rng


@pytest.mark.parametrize('photo', sorted(EXPECTED_CLASSES))
def test_default_mode_keeps_an_expected_class_in_the_top5(cpu_backends, photo):
    labels = load_labels()
    bgr = cv2.imread(sample_path(photo), cv2.IMREAD_COLOR)
    h, w = bgr.shape[:2]
    nv = convert.to_nv12(bgr, 'bgr8', w, h, w * 3, out_width=224, out_height=224)
    top5 = [labels[i] for i in np.argsort(-cpu_backends['full'].infer(nv))[:5]]
    assert set(top5) & set(EXPECTED_CLASSES[photo]), top5


def test_damaged_png_is_refused_before_libpng_reads_it():
    # libpng would print its own complaint to stderr for each damaged frame; the chunk CRCs
    # let convert.py refuse such data first, with a FrameError that says why.
    rng = np.random.default_rng(7)
    ok, png = cv2.imencode('.png', rng.integers(0, 256, (32, 48, 3), dtype=np.uint8))
    assert ok
    png = png.tobytes()
    size = {'out_width': 224, 'out_height': 224}
    assert convert.compressed_to_nv12(png, 'png', **size).size == 224 * 224 * 3 // 2
    flipped = bytearray(png)
    flipped[len(png) // 2] ^= 0x40  # inside the IDAT data
    with pytest.raises(FrameError, match='CRC'):
        convert.compressed_to_nv12(bytes(flipped), 'png', **size)
    with pytest.raises(FrameError, match='truncated'):
        convert.compressed_to_nv12(png[:len(png) - 20], 'png', **size)
