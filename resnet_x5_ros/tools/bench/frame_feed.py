# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""The camera of `bench node --runs board`: one frame published at a rate, its cost measured.

    python -m resnet_x5_ros.tools.bench.frame_feed PHOTO --size 960x544 --encoding nv12 \
        --rate 30 --topic /bench/image --report feed.json

Like image_publisher (same message: the photo encoded once, stamped just before each
publish()), but it also times every publish() call and, once before publishing, how long
rclpy's serialize_message takes on the same message (what publish() does before handing
the bytes to Fast DDS). On SIGINT it writes {'publish_ms': [...], 'serialise_ms_p50',
'frames', 'bytes'} to --report.
"""

import argparse
import array
import json
import sys
import time

import numpy as np

from resnet_x5_ros.convert.encode import encode_image, RAW_ENCODINGS
from resnet_x5_ros.tools.images import parse_size, read_image
from resnet_x5_ros.tools.ros_stop import init_ros, spin_until


def build_parser():
    parser = argparse.ArgumentParser(prog='frame_feed', description=__doc__.split('\n')[0])
    parser.add_argument('photo')
    parser.add_argument('--size', type=parse_size, default=(960, 544))
    parser.add_argument('--encoding', choices=RAW_ENCODINGS, default='nv12')
    parser.add_argument('--rate', type=float, default=30.0)
    parser.add_argument('--topic', default='image')
    parser.add_argument('--frame-id', default='bench_camera')
    parser.add_argument('--report', required=True, help='JSON file written on exit')
    return parser


def make_image(photo, size, encoding):
    """Return the sensor_msgs/Image of photo resized to size in encoding (stamp unset)."""
    from sensor_msgs.msg import Image

    data, width, height, step = encode_image(read_image(photo, size), encoding)
    msg = Image(height=height, width=width, encoding=encoding, step=step)
    msg.data = array.array('B', data)
    return msg


def serialise_ms(msg, repeats=30):
    """Median ms of rclpy's serialize_message(msg): Python message -> CDR bytes."""
    from rclpy.serialization import serialize_message

    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        serialize_message(msg)
        times.append(time.perf_counter() - t0)
    return float(np.median(times) * 1000.0)


def main(argv=None):
    import rclpy
    from rclpy.executors import ExternalShutdownException
    from rclpy.qos import QoSProfile, ReliabilityPolicy
    from rclpy.utilities import remove_ros_args
    from sensor_msgs.msg import Image

    argv = sys.argv if argv is None else argv
    args = build_parser().parse_args(remove_ros_args(argv)[1:])
    msg = make_image(args.photo, args.size, args.encoding)
    msg.header.frame_id = args.frame_id
    report = {'frames': 0, 'bytes': len(msg.data), 'serialise_ms_p50': serialise_ms(msg),
              'publish_ms': []}
    try:
        stop = init_ros(argv)
    except KeyboardInterrupt:
        return 0
    node = rclpy.create_node('bench_frame_feed')
    publisher = node.create_publisher(Image, args.topic, QoSProfile(
        depth=1, reliability=ReliabilityPolicy.RELIABLE))
    clock = node.get_clock()

    def tick():
        msg.header.stamp = clock.now().to_msg()
        t0 = time.perf_counter()
        publisher.publish(msg)
        report['publish_ms'].append((time.perf_counter() - t0) * 1000.0)
        report['frames'] += 1

    node.create_timer(1.0 / args.rate, tick)
    try:
        stop.running()
        spin_until(node, stop)
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        stop.ignore_from_now_on()
        with open(args.report, 'w', encoding='utf-8') as f:
            json.dump(report, f)
        node.destroy_node()
        rclpy.try_shutdown()
    return 0


if __name__ == '__main__':
    sys.exit(main())
