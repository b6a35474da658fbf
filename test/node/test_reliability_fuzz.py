# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Fuzz the running node through ROS: thousands of malformed frames between valid ones.

Two node processes (raw Image and CompressedImage input, CPU backend, real model) get at
least FUZZ_RAW + FUZZ_COMPRESSED malformed messages: unknown encodings, zero, odd and huge
sizes, steps too small or absurd, truncated or empty data, garbage / truncated / corrupt
JPEG and PNG, impossible declared sizes, small pictures declaring 9000 x 9000 pixels in the
other formats OpenCV decodes (crafted_images.py). Every few hundred bad ones a valid photo
goes out and must come back classified with its own header. The test counts on the node's
own counters in /diagnostics (no sleeps): the node must have received at least the target of
bad frames, accounted for every received frame (rejected, or replaced in the one-frame slot
before a worker saw it), produced no result for any of them, and warned about them
rate-limited.
"""

import array
import functools
import os
import random
import re
import struct
import time
import zlib

import cv2
import pytest

from resnet_x5_ros import convert
from resnet_x5_ros.convert.encode import encode_compressed, encode_image
from resnet_x5_ros.node import WARN_EVERY_S
from resnet_x5_ros.postprocess import DEFAULT_LABELS_PATH, load_labels
from support import crafted_images, REPO
from support.nodes import CPU_MODEL, start_node
from support.reliability import Diagnostics, Results
from support.rosutil import RosClient

pytestmark = [pytest.mark.ros, pytest.mark.slow,
              pytest.mark.skipif(not os.path.exists(CPU_MODEL),
                                 reason='run `make model` first: no ' + CPU_MODEL)]

FUZZ_RAW = 7000          # malformed sensor_msgs/Image the raw node must receive
FUZZ_COMPRESSED = 3000   # malformed sensor_msgs/CompressedImage the other node must receive
VALID_EVERY = 250        # a valid frame after this many bad ones
SEED = 20260107
SAMPLES = os.path.join(REPO, 'resnet_x5_ros', 'data', 'samples')
ESPRESSO = str(load_labels(DEFAULT_LABELS_PATH).index('espresso'))
VALID_RAW_ENCODINGS = ('bgr8', 'rgb8', 'bgra8', 'nv12', 'yuyv', 'uyvy')
MODEL_SIZE = {'out_width': 224, 'out_height': 224}

_UNKNOWN_ENCODINGS = ('', 'bgr9', 'rgb16', 'bgr16', 'mono16', '16UC1', '32FC1', '8UC3',
                      'bayer_rggb8', 'jpeg', 'nv21', 'i420', 'yuv420', 'h264', '\u00fc8',
                      'x' * 300, 'rgb 8', 'bgr8 bgr8')
_BPP = {'bgr8': 3, 'rgb8': 3, 'bgra8': 4, 'rgba8': 4, 'mono8': 1, 'nv12': 1, 'yuyv': 2,
        'uyvy': 2, 'yuv422': 2, 'yuv422_yuy2': 2}
_UINT32_MAX = 2 ** 32 - 1


def _rows(encoding, height):
    return height * 3 // 2 if encoding == 'nv12' else height


def _junk(rng, n):
    return bytes(rng.getrandbits(8) for _ in range(n)) if n < 64 else \
        rng.getrandbits(8 * n).to_bytes(n, 'little')


def bad_raw(rng):
    """One malformed Image as (kind, encoding, width, height, step, data)."""
    kind = rng.choice(('unknown_encoding', 'zero_size', 'odd_size', 'step_too_small',
                       'truncated', 'empty', 'huge', 'absurd_step'))
    encoding = rng.choice(sorted(_BPP))
    width, height = rng.randint(2, 40) * 2, rng.randint(2, 30) * 2
    step = width * _BPP[encoding]
    size = step * _rows(encoding, height)
    if kind == 'unknown_encoding':
        encoding = rng.choice(_UNKNOWN_ENCODINGS)
        step = width * 3
        size = step * height
    elif kind == 'zero_size':
        width, height = rng.choice(((0, height), (width, 0), (0, 0)))
        step = width * _BPP[encoding]
        size = rng.choice((0, 16))
    elif kind == 'odd_size':
        encoding = rng.choice(('nv12', 'yuyv', 'uyvy', 'yuv422', 'yuv422_yuy2'))
        if encoding == 'nv12' and rng.random() < 0.5:
            height += 1
        else:
            width += 1
        step = width * _BPP[encoding]
        size = step * _rows(encoding, height)
    elif kind == 'step_too_small':
        step = rng.randint(0, width * _BPP[encoding] - 1)
        size = width * _BPP[encoding] * _rows(encoding, height)
    elif kind == 'truncated':
        size = rng.randint(1, size - 1)
    elif kind == 'empty':
        size = 0
    elif kind == 'huge':
        width, height = rng.choice(((rng.randint(convert.MAX_DIMENSION + 1, _UINT32_MAX), 4),
                                    (4, rng.randint(convert.MAX_DIMENSION + 1, _UINT32_MAX)),
                                    (_UINT32_MAX, _UINT32_MAX)))
        step = min(width * _BPP[encoding], _UINT32_MAX)
        size = rng.randint(0, 256)
    else:  # absurd_step: larger than any real row, with the data it claims absent
        step = rng.randint(4 * convert.MAX_DIMENSION + 1, _UINT32_MAX)
        size = rng.randint(0, 256)
    return kind, encoding, width, height, step, _junk(rng, size)


def _png_chunk(tag, body):
    return struct.pack('>I', len(body)) + tag + body + \
        struct.pack('>I', zlib.crc32(tag + body) & 0xFFFFFFFF)


@functools.lru_cache(maxsize=None)
def _crafted_pictures():
    builders = [crafted_images.jpeg, functools.partial(crafted_images.jpeg, padding=1, junk=9),
                crafted_images.bmp, crafted_images.tiff, crafted_images.webp,
                functools.partial(crafted_images.tiff, 64, 64, tile=4096)]
    return tuple(build() for build in builders) + tuple(crafted_images.UNACCEPTED.values())


def bad_compressed(rng, jpeg, png):
    """One malformed CompressedImage as (kind, format, data)."""
    kind = rng.choice(('garbage', 'jpeg_soi_garbage', 'jpeg_truncated', 'jpeg_huge',
                       'png_truncated', 'png_huge', 'png_corrupt', 'empty', 'depth',
                       'crafted'))
    fmt = rng.choice(('jpeg', 'png', 'rgb8; jpeg compressed bgr8', ''))
    if kind == 'garbage':
        data = _junk(rng, rng.randint(1, 2048))
        if data[:2] == b'\xff\xd8' or data[:4] == b'\x89PNG':
            data = b'\x00' + data
    elif kind == 'jpeg_soi_garbage':
        data = b'\xff\xd8' + _junk(rng, rng.randint(0, 2048))
    elif kind == 'jpeg_truncated':
        # Cut inside the headers, before any scan data: nothing can be decoded.
        data = jpeg[:rng.randint(2, jpeg.index(b'\xff\xda'))]
    elif kind == 'jpeg_huge':
        # A baseline frame header declaring up to 65535 x 65535 pixels.
        w, h = rng.randint(convert.MAX_DIMENSION + 1, 65535), rng.randint(1, 65535)
        if rng.random() < 0.5:
            w, h = h, w
        sof = b'\xff\xc0\x00\x11\x08' + struct.pack('>HH', h, w) + \
            b'\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01'
        data = b'\xff\xd8' + sof + _junk(rng, rng.randint(0, 512))
    elif kind == 'png_truncated':
        data = png[:rng.randint(1, len(png) // 2)]
    elif kind == 'png_huge':
        w, h = rng.randint(convert.MAX_DIMENSION + 1, 2 ** 31 - 1), rng.randint(1, 2 ** 31 - 1)
        if rng.random() < 0.5:
            w, h = h, w
        ihdr = _png_chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0))
        data = b'\x89PNG\r\n\x1a\n' + ihdr + _png_chunk(b'IDAT', zlib.compress(b'\x00' * 64))
    elif kind == 'png_corrupt':
        # Valid signature and header, then an IDAT of junk: the zlib stream cannot inflate.
        ihdr = _png_chunk(b'IHDR', struct.pack('>IIBBBBB', 32, 32, 8, 2, 0, 0, 0))
        data = b'\x89PNG\r\n\x1a\n' + ihdr + \
            _png_chunk(b'IDAT', b'\x78\x9c' + _junk(rng, rng.randint(1, 256)))
    elif kind == 'crafted':
        # A small picture declaring 9000 x 9000 pixels in any format OpenCV decodes, or a
        # format the node does not size: refused from its header, never decoded.
        data = rng.choice(_crafted_pictures())
    elif kind == 'empty':
        data = b''
    else:  # depth: a compressedDepth stream, which the node does not take
        fmt, data = '16UC1; compressedDepth png', png
    return kind, fmt, data


def rejected_raw(case):
    _, encoding, width, height, step, data = case
    try:
        convert.to_nv12(data, encoding, width, height, step, **MODEL_SIZE)
    except convert.FrameError:
        return True
    return False


def rejected_compressed(case):
    _, fmt, data = case
    try:
        convert.compressed_to_nv12(data, fmt, **MODEL_SIZE)
    except convert.FrameError:
        return True
    return False


@pytest.fixture(scope='module')
def photos():
    coffee = cv2.imread(os.path.join(SAMPLES, 'coffee.png'), cv2.IMREAD_COLOR)
    small = cv2.resize(coffee, (320, 240), interpolation=cv2.INTER_AREA)
    return {'small': small, 'jpeg': encode_compressed(small, 'jpeg'),
            'png': encode_compressed(cv2.resize(small, (64, 48)), 'png')}


def test_generated_cases_are_all_malformed(photos):
    # The fuzz below only proves something if every generated case really is bad: the
    # conversion the node runs must refuse each one (checked in this process, no ROS).
    rng = random.Random(SEED)
    raw = [bad_raw(rng) for _ in range(2000)]
    compressed = [bad_compressed(rng, photos['jpeg'], photos['png']) for _ in range(1000)]
    accepted = [c[:5] for c in raw if not rejected_raw(c)] + \
        [c[:2] for c in compressed if not rejected_compressed(c)]
    assert not accepted, accepted[:5]
    assert {c[0] for c in raw} >= {'unknown_encoding', 'huge', 'truncated', 'step_too_small'}
    assert {c[0] for c in compressed} >= {'garbage', 'jpeg_huge', 'png_corrupt', 'crafted'}


class _Fuzzer:
    """Drives one node: bad frames under a flow-control window, valid frames in between."""

    def __init__(self, client, namespace, compressed, photos, rng):
        from sensor_msgs.msg import CompressedImage, Image
        from rclpy.qos import QoSProfile, ReliabilityPolicy
        self.client = client
        self.compressed = compressed
        self.photos = photos
        self.rng = rng
        self.msg_type = CompressedImage if compressed else Image
        topic = namespace + ('/image/compressed' if compressed else '/image')
        self.pub = client.node.create_publisher(
            self.msg_type, topic, QoSProfile(depth=50, reliability=ReliabilityPolicy.RELIABLE))
        self.diagnostics = Diagnostics(client, namespace + '/classifier')
        self.results = Results(client, namespace + '/classification')
        self.namespace = namespace
        self.sent_bad = 0
        self.sent_valid = 0
        self.kinds = {}
        self.valid_ids = []

    def connected(self):
        return self.pub.get_subscription_count() > 0 and \
            self.client.node.count_publishers(self.namespace + '/classification') > 0

    def bad_msg(self):
        if self.compressed:
            case = bad_compressed(self.rng, self.photos['jpeg'], self.photos['png'])
            assert rejected_compressed(case), case
            msg = self.msg_type(format=case[1])
            msg.data = array.array('B', case[2])
        else:
            case = bad_raw(self.rng)
            assert rejected_raw(case), case[:5]
            _, encoding, width, height, step, data = case
            msg = self.msg_type(encoding=encoding, width=width, height=height, step=step)
            msg.data = array.array('B', data)
        self.kinds[case[0]] = self.kinds.get(case[0], 0) + 1
        msg.header.frame_id = 'bad-{}'.format(self.sent_bad)
        self.sent_bad += 1
        return msg

    def valid_msg(self):
        index = self.sent_valid
        if self.compressed:
            fmt = ('jpeg', 'png')[index % 2]
            msg = self.msg_type(format=fmt)
            msg.data = array.array('B', self.photos['jpeg'] if fmt == 'jpeg' else
                                   encode_compressed(self.photos['small'], 'png'))
        else:
            encoding = VALID_RAW_ENCODINGS[index % len(VALID_RAW_ENCODINGS)]
            data, width, height, step = encode_image(self.photos['small'], encoding)
            msg = self.msg_type(encoding=encoding, width=width, height=height, step=step)
            msg.data = array.array('B', data)
        msg.header.frame_id = 'valid-{}'.format(index)
        msg.header.stamp.sec = 100000 + index
        msg.header.stamp.nanosec = 7 * index
        self.sent_valid += 1
        self.valid_ids.append(msg.header.frame_id)
        return msg

    def node_received(self):
        counts = self.diagnostics.counts()
        return counts['received'] if counts else 0

    def bad_received(self):
        # Valid frames are each processed exactly once per copy sent; everything else the
        # node received was one of ours and bad.
        counts = self.diagnostics.counts()
        return counts['received'] - counts['processed'] if counts else 0


def _drive(fuzzers, targets):
    """Interleave the fuzzers until each node counted its target of bad frames.

    One bad frame per fuzzer per executor turn: the executor's wait paces the publisher to
    about what a node takes in, so few frames are lost in DDS. After VALID_EVERY bad frames a
    fuzzer sends a valid one and waits for its result before going on.
    """
    pending = {}  # fuzzer -> (valid msg, when last published)
    since_valid = dict.fromkeys(fuzzers, 0)
    client = fuzzers[0].client

    def step():
        busy = False
        for f in fuzzers:
            if f in pending:
                busy = True
                msg, last = pending[f]
                if msg.header.frame_id in f.results.by_frame:
                    del pending[f]
                    since_valid[f] = 0
                elif time.monotonic() - last > 1.0:
                    # DDS may discard a frame the depth-1 reader had no room for: resend.
                    f.pub.publish(msg)
                    pending[f] = (msg, time.monotonic())
            elif f.bad_received() < targets[f]:
                busy = True
                if since_valid[f] >= VALID_EVERY:
                    msg = f.valid_msg()
                    f.pub.publish(msg)
                    pending[f] = (msg, time.monotonic())
                else:
                    f.pub.publish(f.bad_msg())
                    since_valid[f] += 1
        return busy

    deadline = time.monotonic() + 240.0  # bounds a failing run only
    while step():
        if time.monotonic() > deadline:
            return False
        client.executor.spin_once(timeout_sec=0.001)
    return True


@pytest.fixture(scope='module')
def fuzz_run(tmp_path_factory, photos):
    """Run both nodes through the fuzz once; the tests below check what it recorded."""
    logs = tmp_path_factory.mktemp('fuzz')
    nodes = {'raw': start_node('/t_fuzz_raw', '-p', 'diagnostics_period:=0.2',
                               log=logs / 'raw.log'),
             'compressed': start_node('/t_fuzz_jpeg', '-p', 'compressed:=true',
                                      '-p', 'diagnostics_period:=0.2',
                                      log=logs / 'compressed.log')}
    client = RosClient('fuzzer')
    started = time.monotonic()
    run = {}
    try:
        rng = random.Random(SEED)
        fuzzers = {'raw': _Fuzzer(client, '/t_fuzz_raw', False, photos, rng),
                   'compressed': _Fuzzer(client, '/t_fuzz_jpeg', True, photos, rng)}
        assert client.spin_until(lambda: all(f.connected() for f in fuzzers.values()), 60.0), \
            'the nodes never subscribed: ' + ''.join(n.output() for n in nodes.values())
        finished = _drive(list(fuzzers.values()), {fuzzers['raw']: FUZZ_RAW,
                                                   fuzzers['compressed']: FUZZ_COMPRESSED})
        assert finished, 'fuzzing did not finish: {}\n{}'.format(
            [(f.sent_bad, f.sent_valid, f.diagnostics.counts()) for f in fuzzers.values()],
            ''.join(n.output()[-3000:] for n in nodes.values()))
        # One last valid frame each, then wait until every received frame is accounted for.
        for f in fuzzers.values():
            f.pub.publish(f.valid_msg())
        assert client.spin_until(
            lambda: all(f.valid_ids[-1] in f.results.by_frame for f in fuzzers.values()), 30.0)
        assert client.spin_until(lambda: all(
            f.diagnostics.settled(received=f.node_received(), processed=len(f.valid_ids))
            for f in fuzzers.values()), 30.0)
        for name, f in fuzzers.items():
            run[name] = {'alive': nodes[name].alive(), 'counts': f.diagnostics.counts(),
                         'sent_bad': f.sent_bad, 'valid_ids': list(f.valid_ids),
                         'results': dict(f.results.by_frame), 'kinds': dict(f.kinds)}
    finally:
        client.close()
        for name, node in nodes.items():
            try:
                run.setdefault(name, {})['code'], run[name]['output'] = node.stop()
            finally:
                if node.alive():
                    node.process.kill()
    elapsed = time.monotonic() - started
    for name, r in run.items():
        print('fuzz {}: {:.1f} s, sent {} bad + {} valid; node counted {}; kinds {}'.format(
            name, elapsed, r['sent_bad'], len(r['valid_ids']), r['counts'],
            sorted(r['kinds'].items())))
    run['elapsed'] = elapsed
    return run


@pytest.mark.parametrize('name', ['raw', 'compressed'])
def test_fuzz_node_survives_and_exits_cleanly(fuzz_run, name):
    r = fuzz_run[name]
    assert r['alive']
    assert r['code'] == 0, r['output'][-3000:]
    assert 'Traceback' not in r['output'], r['output'][-3000:]
    # No exception escaped the pipeline and no bad frame reached the backend.
    assert r['counts']['internal_errors'] == 0
    assert r['counts']['backend_errors'] == 0


@pytest.mark.parametrize('name', ['raw', 'compressed'])
def test_fuzz_every_bad_frame_is_refused_and_counted(fuzz_run, name):
    c = fuzz_run[name]['counts']
    # Only valid frames are processed (one per copy sent), so the rest were our bad ones.
    bad = c['received'] - c['processed']
    assert bad >= {'raw': FUZZ_RAW, 'compressed': FUZZ_COMPRESSED}[name], c
    # Each was refused by a worker or replaced in the one-frame slot before one took it.
    assert c['rejected'] + c['dropped'] == bad, c
    assert c['rejected'] > c['dropped'], c


@pytest.mark.parametrize('name', ['raw', 'compressed'])
def test_fuzz_every_valid_frame_is_classified_with_its_header(fuzz_run, name):
    r = fuzz_run[name]
    # Results only for valid frames, each with its own header and the right class.
    assert set(r['results']) == set(r['valid_ids'])
    assert len(r['valid_ids']) >= {'raw': FUZZ_RAW, 'compressed': FUZZ_COMPRESSED}[name] \
        // VALID_EVERY
    for frame_id in r['valid_ids']:
        result = r['results'][frame_id][0]
        index = int(frame_id.split('-')[1])
        assert (result.header.stamp.sec, result.header.stamp.nanosec) == \
            (100000 + index, 7 * index)
        assert ESPRESSO in [h.class_id for h in result.results], (frame_id, result)


@pytest.mark.parametrize('name', ['raw', 'compressed'])
def test_fuzz_warnings_are_rate_limited_and_counted(fuzz_run, name):
    out = fuzz_run[name]['output']
    warnings = [line for line in out.splitlines() if 'rejected a frame' in line]
    assert 1 <= len(warnings) <= fuzz_run['elapsed'] / WARN_EVERY_S + 1, warnings
    counts = [int(m.group(1)) for m in
              (re.search(r'\((\d+) rejected so far\)', w) for w in warnings) if m]
    assert len(counts) == len(warnings)
    assert counts == sorted(counts) and counts[-1] <= fuzz_run[name]['counts']['rejected']


def test_fuzz_decoders_do_not_flood_the_log(fuzz_run):
    out = fuzz_run['compressed']['output']
    # Every line that is not a ROS log record came from a native library.
    foreign = [line for line in out.splitlines()
               if line.strip() and not re.match(r'\[(DEBUG|INFO|WARN|ERROR|FATAL)\] \[', line)]
    assert len(foreign) <= fuzz_run['elapsed'] / WARN_EVERY_S + 1, (len(foreign), foreign[:5])
