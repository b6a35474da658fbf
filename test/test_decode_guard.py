# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""The decode-size guard: a picture's format and size are known before OpenCV decodes it.

The crafted pictures of crafted_images.py declare 9000 x 9000 pixels in 36 bytes to 10 MB;
decoded, each costs hundreds of MB. Every path that decodes pictures (the node's
CompressedImage conversion, which classify --bag shares, and the tools' image files) must
refuse them from their headers, with peak resident memory growing by less than 20 MB. OpenCV's
own decoder limit is lowered to the node's cap as a second line. Pictures that decoded before
still decode, to the same pixels.
"""

import json
import struct
import subprocess
import sys

import cv2
import numpy as np
import pytest

from resnet_x5_ros import convert, decode_limit
from resnet_x5_ros.convert.header import ACCEPTED, image_size
from resnet_x5_ros.tools.frames import frame_from_file
from resnet_x5_ros.tools.images import read_image, SourceError
from support import crafted_images, TEST_DIR
from support.rosutil import child_env

GROWTH_LIMIT_MB = 20
SIZE = {'out_width': 224, 'out_height': 224}


def _refused(call):
    with pytest.raises((convert.FrameError, SourceError)) as info:
        call()
    return str(info.value)


# --- crafted huge pictures: refused by their header, whatever the path ---------------------


@pytest.mark.parametrize('name', sorted(crafted_images.HUGE_PICTURES))
def test_a_huge_picture_is_refused_by_its_header_on_every_path(name, tmp_path):
    data = crafted_images.HUGE_PICTURES[name]()
    path = tmp_path / 'picture'
    path.write_bytes(data)
    wanted = '{} size 9000x9000 is not within 1..{}'.format(name, convert.MAX_DIMENSION)
    for call in (lambda: convert.compressed_to_nv12(data, 'jpeg', **SIZE),
                 lambda: convert.compressed_to_bgr(data, 'png'),
                 lambda: convert.decode_image(data, 'picture'),
                 lambda: frame_from_file(path),
                 lambda: read_image(path)):
        assert wanted in _refused(call)


def test_the_jpeg_frame_header_is_found_past_the_first_mib():
    # 17 comment segments of 64 KB put the frame header 1.1 MB into the data.
    data = crafted_images.jpeg(width=16, height=16)
    assert data.index(b'\xff\xc2') > 1 << 20
    assert image_size(np.frombuffer(data, np.uint8), 'x') == ('JPEG', 16, 16)
    assert convert.compressed_to_bgr(data, 'jpeg').shape == (16, 16, 3)
    assert 'JPEG size 8193x16' in _refused(
        lambda: convert.compressed_to_nv12(crafted_images.jpeg(8193, 16), 'jpeg', **SIZE))


@pytest.mark.parametrize('name', sorted(crafted_images.UNACCEPTED))
def test_formats_whose_size_is_not_read_are_refused_by_name(name, tmp_path):
    data = crafted_images.UNACCEPTED[name]
    path = tmp_path / 'picture'
    path.write_bytes(data)
    wanted = '{} is not one of the formats whose size is checked before decoding'.format(name)
    assert wanted in _refused(lambda: convert.compressed_to_nv12(data, 'jpeg', **SIZE))
    assert wanted in _refused(lambda: frame_from_file(path))


_MEMORY_CHILD = r"""
import gc, json, os, sys
import cv2  # before resnet_x5_ros: OpenCV keeps its own 2**30-pixel limit, only the guard acts
from support import crafted_images
from resnet_x5_ros import convert
from resnet_x5_ros.tools.frames import frame_from_file

def status_mb(key):
    with open('/proc/self/status') as f:
        return next(int(l.split()[1]) for l in f if l.startswith(key + ':')) / 1024

paths = {
    'CompressedImage to NV12 (node, classify --bag)':
        lambda data, file: convert.compressed_to_nv12(data, 'jpeg', out_width=224,
                                                      out_height=224),
    'CompressedImage to BGR (node overlay)': lambda data, file: convert.compressed_to_bgr(
        data, 'jpeg'),
    'image file (classify FILE, evaluate)': lambda data, file: frame_from_file(file),
}
pictures = dict(crafted_images.HUGE_PICTURES, **{
    'JPEG with stray bytes': lambda: crafted_images.jpeg(padding=1, junk=64),
    'TIFF of 64x64 in 16000x16000 tiles': lambda: crafted_images.tiff(64, 64, tile=16000),
    'GIF (OpenCV 4.11 and later decode it)': crafted_images.gif})
results = []
for name, build in pictures.items():
    data = build()
    file = os.path.join(sys.argv[1], 'picture')
    with open(file, 'wb') as f:
        f.write(data)
    for path, call in paths.items():
        gc.collect()
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')  # resets VmHWM to the current resident size
        before = status_mb('VmRSS')
        try:
            call(data, file)
            error = None
        except Exception as exc:
            error = '{}: {}'.format(type(exc).__name__, exc)
        results.append({'picture': name, 'path': path, 'error': error,
                         'growth_mb': round(status_mb('VmHWM') - before, 1)})
print(json.dumps(results))
"""


def _clear_refs_works():
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _clear_refs_works(),
                    reason='peak RSS cannot be reset here (/proc/self/clear_refs)')
def test_refusing_a_crafted_picture_costs_under_20_mb_of_peak_memory(tmp_path):
    env = child_env(PYTHONPATH=TEST_DIR)
    env.pop(decode_limit.OPENCV_PIXELS_VARIABLE, None)
    run = subprocess.run([sys.executable, '-c', _MEMORY_CHILD, str(tmp_path)], env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    results = json.loads(run.stdout.strip().splitlines()[-1])
    assert len(results) == 9 * 3
    bad = [r for r in results if r['error'] is None or r['growth_mb'] >= GROWTH_LIMIT_MB]
    assert not bad, json.dumps(bad, indent=1)


# --- pictures that decoded before still decode, to the same pixels -------------------------


def _picture(seed, channels=3):
    rng = np.random.default_rng(seed)
    picture = rng.integers(0, 256, (23, 37, channels), dtype=np.uint8)
    return picture[..., 0] if channels == 1 else picture


ENCODED = {
    'baseline.jpg': ('.jpg', 3, [cv2.IMWRITE_JPEG_QUALITY, 90]),
    'progressive.jpg': ('.jpg', 3, [cv2.IMWRITE_JPEG_PROGRESSIVE, 1]),
    'rgb.png': ('.png', 3, []),
    'grey.png': ('.png', 1, []),
    'lzw.tiff': ('.tiff', 3, []),
    'lossy.webp': ('.webp', 3, [cv2.IMWRITE_WEBP_QUALITY, 80]),
    'lossless.webp': ('.webp', 3, [cv2.IMWRITE_WEBP_QUALITY, 101]),
    'alpha.webp': ('.webp', 4, [cv2.IMWRITE_WEBP_QUALITY, 80]),  # VP8X + ALPH + VP8
    'rgb.bmp': ('.bmp', 3, []),
    'grey.bmp': ('.bmp', 1, []),
    'binary.ppm': ('.ppm', 3, []),
    'binary.pgm': ('.pgm', 1, []),
    'ascii.ppm': ('.ppm', 3, [cv2.IMWRITE_PXM_BINARY, 0]),
    'binary.pbm': ('.pbm', 1, []),
}


@pytest.mark.parametrize('name', sorted(ENCODED))
def test_every_accepted_format_is_sized_from_its_header_and_decodes_as_before(name):
    ext, channels, params = ENCODED[name]
    ok, encoded = cv2.imencode(ext, _picture(len(name), channels), params)
    assert ok
    fmt, width, height = image_size(encoded.reshape(-1), name)
    assert fmt in ACCEPTED and (width, height) == (37, 23)
    np.testing.assert_array_equal(convert.compressed_to_bgr(encoded.tobytes(), name),
                                  cv2.imdecode(encoded, cv2.IMREAD_COLOR))


def _jpeg_segments_spliced(insert_after_soi):
    ok, jpeg = cv2.imencode('.jpg', _picture(5))
    assert ok
    jpeg = jpeg.tobytes()
    return jpeg, jpeg[:2] + insert_after_soi + jpeg[2:]


def test_jpeg_fill_bytes_and_bare_markers_before_the_frame_header_are_walked():
    jpeg, spliced = _jpeg_segments_spliced(b'\xff\xff\xff\xfe\x00\x04ok\xff\xff\xff')
    assert image_size(np.frombuffer(spliced, np.uint8), 'x') == ('JPEG', 37, 23)
    np.testing.assert_array_equal(convert.compressed_to_bgr(spliced, 'jpeg'),
                                  convert.compressed_to_bgr(jpeg, 'jpeg'))


def test_a_bmp_stored_top_down_and_a_core_header_bmp_are_sized():
    ok, bmp = cv2.imencode('.bmp', _picture(6))
    assert ok
    flipped = bytearray(bmp.tobytes())
    flipped[22:26] = struct.pack('<i', -23)
    assert image_size(np.frombuffer(bytes(flipped), np.uint8), 'x') == ('BMP', 37, 23)
    core = crafted_images.bmp(width=37, height=23, header_size=12)
    assert image_size(np.frombuffer(core, np.uint8), 'x') == ('BMP', 37, 23)


def test_tiff_tiles_a_little_larger_than_the_picture_are_accepted():
    # Writers often use one tile size (256, 512) for any picture: 100 x 100 in 256 x 256.
    data = crafted_images.tiff(100, 100, tile=256)
    assert convert.compressed_to_bgr(data, 'tiff').shape == (100, 100, 3)


def test_pnm_comments_between_the_numbers_are_read():
    data = b'P6\n# a comment\n 37 # another\n23\n255\n' + _picture(7).tobytes()
    assert image_size(np.frombuffer(data, np.uint8), 'x') == ('PNM', 37, 23)
    assert convert.compressed_to_bgr(data, 'ppm').shape == (23, 37, 3)


# --- headers that cannot be sized are refused, never guessed -------------------------------


def _tiff_with(entries):
    head, extra = crafted_images._tiff_entries(entries)
    return head + extra + bytes(64)


_SMALL_TIFF = {256: (4, [16]), 257: (4, [16]), 258: (3, [8]), 262: (3, [1])}
UNREADABLE = {
    'unknown data': (b'hello world, not a picture', 'not a JPEG, PNG, TIFF, WebP, BMP or PNM'),
    'JPEG stray bytes': (crafted_images.jpeg(16, 16, padding=1, junk=3), 'stray bytes'),
    'JPEG scan first': (b'\xff\xd8\xff\xda\x00\x08' + bytes(16), 'marker 0xDA before'),
    'JPEG short segment': (b'\xff\xd8\xff\xe0\x00\x01' + bytes(16), 'has length 1'),
    'JPEG cut short': (crafted_images.jpeg(16, 16, padding=1)[:1000], 'ends before its frame'),
    'PNG without IHDR': (b'\x89PNG\r\n\x1a\n' + bytes(4) + b'IDAT' + bytes(16), 'IHDR'),
    'PNM comment after a number': (b'P6\n37#1\n23 255\n' + bytes(64), 'PNM header'),
    'PNM ten digits': (b'P6\n0000000037 23 255\n' + bytes(64), 'PNM header'),
    'TIFF width of two values': (_tiff_with({**_SMALL_TIFF, 256: (4, [16, 16])}),
                                 'ImageWidth is not one integer'),
    'TIFF no width': (_tiff_with({257: (4, [16]), 258: (3, [8])}), 'no ImageWidth'),
    'TIFF one tile side': (_tiff_with({**_SMALL_TIFF, 322: (4, [16])}),
                           'only one of TileWidth'),
    'TIFF huge tiles': (_tiff_with({**_SMALL_TIFF, 322: (4, [16000]), 323: (4, [16000])}),
                        'tiles of 16000x16000 are far larger than its 16x16 picture'),
    'TIFF directory outside': (b'II*\x00\xff\xff\x00\x00' + bytes(64), 'outside the data'),
    'WebP other chunk': (b'RIFF\x20\x00\x00\x00WEBPALPH' + bytes(32), 'VP8, VP8L or VP8X'),
    'WebP not a key frame': (b'RIFF\x20\x00\x00\x00WEBPVP8 \x10\x00\x00\x00\x01' + bytes(32),
                             'key frame'),
    'BMP odd header': (b'BM' + bytes(12) + struct.pack('<i', 20) + bytes(32), '20 bytes'),
}


@pytest.mark.parametrize('name', sorted(UNREADABLE))
def test_a_header_that_cannot_be_sized_is_refused(name):
    data, wanted = UNREADABLE[name]
    message = _refused(lambda: convert.compressed_to_nv12(data, 'jpeg', **SIZE))
    assert message.startswith("cannot decode compressed image ('jpeg'): ") and wanted in message


def test_a_tiff_giving_its_width_twice_is_refused():
    # libtiff would take the last of two ImageWidth entries; the guard must not take the first.
    head, extra = crafted_images._tiff_entries(_SMALL_TIFF)
    data = bytearray(head + extra + bytes(64))
    entries = struct.unpack_from('<H', data, 8)[0]
    data[8:10] = struct.pack('<H', entries + 1)
    data[10 + 12 * entries:10 + 12 * entries + 12] = struct.pack('<HHII', 256, 4, 1, 9000)
    assert 'gives its ImageWidth twice' in _refused(
        lambda: convert.compressed_to_bgr(bytes(data), 'tiff'))


# --- OpenCV's own limit: the second line ---------------------------------------------------


@pytest.mark.parametrize('user,result', [
    (None, str(decode_limit.MAX_PIXELS)),
    ('1000', '1000'),
    ('64MB', '64MB'),
    ('65537MB', str(decode_limit.MAX_PIXELS)),
    (str(2 ** 30), str(decode_limit.MAX_PIXELS)),
    ('', str(decode_limit.MAX_PIXELS)),
    ('lots', str(decode_limit.MAX_PIXELS)),
    ('10GB', str(decode_limit.MAX_PIXELS)),
])
def test_opencv_limit_is_lowered_but_a_stricter_user_value_is_kept(user, result):
    environ = {} if user is None else {decode_limit.OPENCV_PIXELS_VARIABLE: user}
    decode_limit.limit_opencv_decoder(environ)
    assert environ == {decode_limit.OPENCV_PIXELS_VARIABLE: result}


_SECOND_LINE_CHILD = r"""
import json, os, subprocess, sys
import resnet_x5_ros  # first, as the node and the tools start: it lowers OpenCV's limit
import cv2
import numpy as np
from support import crafted_images

def status_mb(key):
    with open('/proc/self/status') as f:
        return next(int(l.split()[1]) for l in f if l.startswith(key + ':')) / 1024

variable = 'OPENCV_IO_MAX_IMAGE_PIXELS'
out = {'here': os.environ.get(variable), 'child': subprocess.run(
    [sys.executable, '-c', 'import os; print(os.environ.get({!r}))'.format(variable)],
    capture_output=True, text=True).stdout.strip()}


def decodes(data):
    try:
        return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR) is not None
    except cv2.error:  # OpenCV 4.5 raises where later versions return None
        return False

out['small'] = decodes(cv2.imencode('.png', np.zeros((40, 40, 3), np.uint8))[1].tobytes())
huge = crafted_images.webp()
before = status_mb('VmRSS')
out['huge'] = decodes(huge)
out['growth_mb'] = status_mb('VmHWM') - before
print(json.dumps(out))
"""


@pytest.mark.parametrize('user', [None, '1000'])
def test_opencv_refuses_a_huge_picture_itself_once_the_package_is_imported(user):
    env = child_env(PYTHONPATH=TEST_DIR)
    env.pop(decode_limit.OPENCV_PIXELS_VARIABLE, None)
    if user is not None:
        env[decode_limit.OPENCV_PIXELS_VARIABLE] = user
    run = subprocess.run([sys.executable, '-c', _SECOND_LINE_CHILD], env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    limit = user or str(decode_limit.MAX_PIXELS)
    assert out['here'] == out['child'] == limit
    assert out['small'] == (user is None)  # 40 x 40 = 1600 pixels, more than 1000
    assert not out['huge'] and out['growth_mb'] < GROWTH_LIMIT_MB
