# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""`make demo`: the classifier node on the CPU backend classifies real photos sent over ROS.

    scripts/devenv python -m resnet_x5_dev.demo [--photos ...] [--encodings ...]

Starts `classifier_node` as its own process (config/classifier_cpu.yaml), publishes each
sample photo as sensor_msgs/Image in bgr8 and in nv12 at 30 Hz from this process, and prints
what arrives on `classification` (names looked up in `label_info`, as any client would) with
the measured rates and latencies. DDS stays on loopback in a domain of its own.
"""

import argparse
import array
import os
import sys
import time

import numpy as np

from resnet_x5_ros.convert.encode import encode_image
from resnet_x5_ros.share_dir import share_path
from resnet_x5_ros.tools.images import list_images, read_image, SourceError
from resnet_x5_ros.tools.node_process import INHERIT, NodeProcess
from resnet_x5_ros.tools.ros_domain import isolate_ros_environment
from resnet_x5_ros.tools.samples import SAMPLES_DIR

NAMESPACE = '/demo'


def _default_params_file():
    return share_path('config', 'classifier_cpu.yaml')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--photos', nargs='*',
                        help='image files or folders (default: the sample photos)')
    parser.add_argument('--encodings', nargs='*', default=['bgr8', 'nv12'])
    parser.add_argument('--rate', type=float, default=30.0, help='frames per second sent')
    parser.add_argument('--frames', type=int, default=30, help='frames per photo and encoding')
    parser.add_argument('--params-file', default=None, help='node YAML (default: CPU config)')
    args = parser.parse_args(argv)
    try:
        photos = list_images(args.photos or [SAMPLES_DIR])
    except SourceError as exc:
        parser.error(str(exc))
    domain = isolate_ros_environment()
    print('demo: ROS_DOMAIN_ID={} (DDS on loopback only)'.format(domain), flush=True)

    with NodeProcess(args.params_file or _default_params_file(), namespace=NAMESPACE,
                     remaps={'image': NAMESPACE + '/image_raw'}, output=INHERIT):
        return _run(photos, args)


def _run(photos, args):
    import rclpy
    from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
    from sensor_msgs.msg import Image
    from vision_msgs.msg import Classification, LabelInfo

    rclpy.init()
    try:
        node = rclpy.create_node('demo_client', namespace=NAMESPACE)
        names = {}
        results = {}
        ages = []
        node.create_subscription(
            LabelInfo, 'label_info',
            lambda msg: names.update({c.class_id: c.class_name for c in msg.class_map}),
            QoSProfile(depth=1, durability=DurabilityPolicy.TRANSIENT_LOCAL,
                       reliability=ReliabilityPolicy.RELIABLE))

        def on_result(msg):
            now = node.get_clock().now().nanoseconds
            stamp = msg.header.stamp.sec * 10**9 + msg.header.stamp.nanosec
            ages.append((now - stamp) / 1e6)
            results.setdefault(msg.header.frame_id, []).append(msg)

        node.create_subscription(Classification, 'classification', on_result, 10)
        diagnostics = []
        from diagnostic_msgs.msg import DiagnosticArray
        node.create_subscription(DiagnosticArray, '/diagnostics',
                                 lambda m: diagnostics.append(m), 10)
        publisher = node.create_publisher(Image, 'image_raw', 1)

        def spin_until(predicate, timeout):
            deadline = time.monotonic() + timeout
            while not predicate() and time.monotonic() < deadline:
                rclpy.spin_once(node, timeout_sec=0.02)
            return predicate()

        print('demo: waiting for the classifier node ...', flush=True)
        if not spin_until(lambda: publisher.get_subscription_count() > 0 and names, 60.0):
            print('demo: the classifier node did not come up (see its log above)')
            return 1

        messages = []
        for path in photos:
            try:
                bgr = read_image(path)
            except SourceError as exc:
                print('demo: {}, skipped'.format(exc))
                continue
            for encoding in args.encodings:
                data, width, height, step = encode_image(bgr, encoding)
                msg = Image(height=height, width=width, encoding=encoding, step=step)
                msg.data = array.array('B', data)
                msg.header.frame_id = '{}:{}'.format(os.path.basename(path), encoding)
                messages.append(msg)

        period = 1.0 / args.rate
        sent = 0
        started = time.monotonic()
        next_send = started
        for msg in messages:
            for _ in range(args.frames):
                spin_until(lambda: time.monotonic() >= next_send, period * 2)
                msg.header.stamp = node.get_clock().now().to_msg()
                publisher.publish(msg)
                sent += 1
                next_send += period
        spin_until(lambda: messages[-1].header.frame_id in results, 5.0)
        elapsed = time.monotonic() - started
        received = sum(len(v) for v in results.values())
        spin_until(lambda: len(diagnostics) >= 1, 3.0)
        _report(messages, results, names, ages, diagnostics, sent, received, elapsed)
        return 0 if received else 1
    finally:
        rclpy.try_shutdown()


def _report(messages, results, names, ages, diagnostics, sent, received, elapsed):
    print()
    print('{:<26} {}'.format('photo:encoding', 'top-5 from /demo/classification'))
    for msg in messages:
        got = results.get(msg.header.frame_id)
        if not got:
            print('{:<26} (no result)'.format(msg.header.frame_id))
            continue
        top = ', '.join('{} {:.2f}'.format(names.get(int(h.class_id), h.class_id), h.score)
                        for h in got[-1].results)
        print('{:<26} {}'.format(msg.header.frame_id, top))
    print()
    print('sent {} frames in {:.1f} s ({:.1f} fps), received {} classifications ({:.1f} fps)'
          .format(sent, elapsed, sent / elapsed, received, received / elapsed))
    if ages:
        print('result age (receipt - image stamp): p50 {:.1f} ms, p99 {:.1f} ms'.format(
            float(np.percentile(ages, 50)), float(np.percentile(ages, 99))))
    if diagnostics:
        values = {kv.key: kv.value for kv in diagnostics[-1].status[0].values}
        print('node diagnostics: backend {} | per frame: convert {} ms, infer {} ms, '
              'post {} ms, callback-to-publish {} ms (medians) | dropped {}, rejected {}'
              .format(values.get('backend'), values.get('convert_ms_median'),
                      values.get('infer_ms_median'), values.get('post_ms_median'),
                      values.get('total_ms_median'), values.get('dropped'),
                      values.get('rejected')))


if __name__ == '__main__':
    sys.exit(main())
