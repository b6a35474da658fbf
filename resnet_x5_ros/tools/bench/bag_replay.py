# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""bag: frames per second through `classify --bag` (a recorded bag classified offline).

Writes a bag of VGA camera frames (the sample photos resized to 640x480, in turn, 30 Hz
stamps) per encoding into a temporary folder, runs `classify --bag ... --out ... --json` on it
and reports its summary: images per second over the whole run (reading, decoding, the node's
conversion, inference, post-processing and writing the output bag, one thread) and the
per-stage medians. The bench `node` suite gives the node's own rate to compare with.
Needs rosbags, like classify --bag (imported on use, so the other suites run without it).
"""

import contextlib
import io
import json
import os
import tempfile

import cv2

from resnet_x5_ros.convert.encode import encode_compressed
from resnet_x5_ros.pipeline import Frame
from resnet_x5_ros.tools.classify import bag, cli as classify
from resnet_x5_ros.tools.frames import frame_from_bgr
from resnet_x5_ros.tools.samples import EXPECTED_CLASSES, sample_path


def add_arguments(parser):
    parser.add_argument('--frames', type=int, default=300, help='frames per bag (default 300)')
    parser.add_argument('--encodings', default='bgr8,jpeg',
                        help='comma-separated: raw encodings (bgr8, nv12, yuyv, ...) or jpeg')
    parser.add_argument('--storage', choices=bag.STORAGE_NAMES, default='sqlite3')
    parser.add_argument('--backend', default='auto', help='as classify --backend')


def _frames(encoding):
    frames = []
    for name in sorted(EXPECTED_CLASSES):
        bgr = cv2.resize(cv2.imread(sample_path(name), cv2.IMREAD_COLOR), (640, 480),
                         interpolation=cv2.INTER_AREA)
        frames.append((name, Frame(encode_compressed(bgr, 'jpeg'), 'jpeg', compressed=True)
                       if encoding == 'jpeg' else frame_from_bgr(bgr, encoding)))
    return frames


def check(args):
    bag.rosbags_modules()  # without rosbags: one line before anything is measured


def write_camera_bag(path, storage, encoding, count):
    """Write count 640x480 frames in encoding on /image_raw (or .../compressed) at 30 Hz."""
    bag_io, bag_types = bag.rosbags_modules()
    store = bag_types.typestore()
    topic = '/image_raw/compressed' if encoding == 'jpeg' else '/image_raw'
    photos = _frames(encoding)
    messages = []
    for i in range(count):
        name, frame = photos[i % len(photos)]
        stamp = 10 ** 9 + i * 10 ** 9 // 30
        messages.append((topic, *bag_types.image_message(store, frame, stamp, name), stamp))
    return bag_io.write_bag(path, storage, store, messages)


def run(args):
    rows = {}
    with tempfile.TemporaryDirectory(prefix='bench_bag_') as tmp:
        for encoding in args.encodings.split(','):
            source = write_camera_bag(os.path.join(tmp, encoding), args.storage, encoding,
                                      args.frames)
            stdout = io.StringIO()
            with contextlib.redirect_stdout(stdout):
                code = classify.main(['--bag', source, '--out', source + '_out', '--json',
                                      '--backend', args.backend])
            if code != 0:
                raise RuntimeError('classify --bag failed with exit code {}'.format(code))
            doc = json.loads(stdout.getvalue().strip().splitlines()[-1])
            row = {'storage': args.storage, 'frames': doc['totals']['classified'],
                   'fps': doc['fps'], 'backend': doc['backend'].split(':')[0]}
            row.update({stage + '_ms_median': ms['median']
                        for stage, ms in doc['stages_ms'].items()})
            rows['640x480 ' + encoding] = row
    return {'bag': rows}
