# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""image_publisher: publish image files, a folder, a video or a camera to a ROS topic.

    image_publisher samples --rate 30 --encoding nv12 --topic /image_raw   # the sample photos
    image_publisher clip.mp4 --encoding jpeg --topic /camera/image_raw   # .../compressed
    image_publisher 0 --size 640x480 --count 300                          # camera 0

Raw encodings publish sensor_msgs/Image on TOPIC; jpeg/png publish CompressedImage on
TOPIC/compressed. Frames are stamped when sent and carry --frame-id. A run that ends by itself
(--count, --once) first waits for a subscriber (--wait-timeout, default 10 s; --no-wait sends
at once): frames sent before DDS discovery has matched one are lost. At its end it waits until
a reliable subscriber has acknowledged every frame, and says so if one did not.
"""

import argparse
import array
import itertools
import sys
import time

from resnet_x5_ros import colour_range
from resnet_x5_ros.convert.encode import COMPRESSED_FORMATS, encode_compressed, encode_image, \
    RAW_ENCODINGS
from resnet_x5_ros.tools.images import (is_video, list_images, parse_size, read_image,
                                        SourceError, video_frames)
from resnet_x5_ros.tools.ros_stop import init_ros, spin_until
from resnet_x5_ros.tools.samples import samples_help


DEFAULT_WAIT_TIMEOUT = 10.0
# How long the end of a run waits for reliable subscribers to acknowledge every frame.
ACK_TIMEOUT = 5.0


def build_parser():
    parser = argparse.ArgumentParser(prog='image_publisher', description=__doc__.split('\n')[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split('\n', 1)[1] + '\n' + samples_help())
    parser.add_argument('source', nargs='+',
                        help='image files and/or folders, or one video file / camera index')
    parser.add_argument('--topic', default='image', help='topic (default: image, remappable)')
    parser.add_argument('--encoding', default='bgr8',
                        choices=RAW_ENCODINGS + COMPRESSED_FORMATS)
    parser.add_argument('--rate', type=float, default=10.0, help='frames per second')
    parser.add_argument('--frame-id', default='camera', help='header.frame_id')
    parser.add_argument('--size', type=parse_size, help='resize every frame to WxH first')
    parser.add_argument('--count', type=int, default=0,
                        help='stop after this many frames (0: run until stopped)')
    parser.add_argument('--once', action='store_true',
                        help='publish each file once, then stop (no looping)')
    parser.add_argument('--reliability', choices=('reliable', 'best_effort'),
                        default='reliable')
    parser.add_argument('--camera_range', '--camera-range', choices=colour_range.RANGES,
                        default=colour_range.DEFAULT_RANGE,
                        help='colour range of nv12/yuyv/uyvy frames, as the node parameter '
                             'camera_range names it (default %(default)s)')
    # The option's earlier name.
    parser.add_argument('--yuv-range', dest='camera_range', choices=colour_range.RANGES,
                        help=argparse.SUPPRESS)
    parser.add_argument('--wait-for-subscriber', action='store_true',
                        help='start publishing only once a subscriber matched (the default '
                             'for --count and --once runs)')
    parser.add_argument('--no-wait', action='store_true',
                        help='--count/--once runs: send at once, whether anything listens')
    parser.add_argument('--wait-timeout', type=float, default=DEFAULT_WAIT_TIMEOUT,
                        help='seconds to wait for a subscriber before giving up (default '
                             '{:g}; 0: no limit)'.format(DEFAULT_WAIT_TIMEOUT))
    return parser


def waits_for_subscriber(args):
    """Whether to wait for a subscriber first: asked for, or a run that ends by itself."""
    return args.wait_for_subscriber or (bool(args.count or args.once) and not args.no_wait)


def wait_for_subscriber(node, publisher, timeout, stop):
    """Return True once a subscriber matched, False after timeout seconds (0: no limit).

    Polled: Humble's rclpy has no matched-event callback. spin_once is the pause, so a
    stop signal still ends the wait (then False).
    """
    deadline = time.monotonic() + timeout if timeout > 0 else None

    def matched_or_late():
        return publisher.get_subscription_count() > 0 or (
            deadline is not None and time.monotonic() >= deadline)

    return spin_until(node, stop, matched_or_late, period=0.05) and \
        publisher.get_subscription_count() > 0


def frame_stream(args):
    """Return (iterator of BGR pictures, whether pictures repeat) as the arguments ask.

    Sources are opened/read now: a bad file or camera raises SourceError before publishing.
    Files loop unless --once; a video file loops unless --once; a camera runs until stopped.
    """
    if len(args.source) == 1 and is_video(args.source[0]):
        return video_frames(args.source[0], args.size, loop=not args.once), False
    pictures = [read_image(p, args.size) for p in list_images(args.source)]
    return (iter(pictures) if args.once else itertools.cycle(pictures)), True


def make_message(bgr, args, cache=None):
    """Return the ROS message for one picture.

    Looping pictures repeat: with a cache dict each is encoded once. Video frames are all
    different: pass cache=None, or every frame would be kept for the life of the process.
    """
    from sensor_msgs.msg import CompressedImage, Image
    key = id(bgr)
    if cache is not None and key in cache:
        return cache[key][1]
    if args.encoding in COMPRESSED_FORMATS:
        msg = CompressedImage(format=args.encoding)
        msg.data = array.array('B', encode_compressed(bgr, args.encoding))
    else:
        data, width, height, step = encode_image(bgr, args.encoding, args.camera_range)
        msg = Image(height=height, width=width, encoding=args.encoding, step=step)
        msg.data = array.array('B', data)
    msg.header.frame_id = args.frame_id
    if cache is not None:
        cache[key] = (bgr, msg)  # keep bgr alive so its id() is not reused
    return msg


def main(argv=None):
    import rclpy
    from rclpy.duration import Duration
    from rclpy.executors import ExternalShutdownException
    from rclpy.qos import QoSProfile, ReliabilityPolicy
    from rclpy.utilities import remove_ros_args
    from sensor_msgs.msg import CompressedImage, Image

    argv = sys.argv if argv is None else argv
    args = build_parser().parse_args(remove_ros_args(argv)[1:])
    if args.rate <= 0 or args.count < 0 or args.wait_timeout < 0:
        print('image_publisher: error: --rate must be > 0, --count and --wait-timeout >= 0',
              file=sys.stderr)
        return 2
    if args.wait_for_subscriber and args.no_wait:
        print('image_publisher: error: --wait-for-subscriber and --no-wait contradict each '
              'other', file=sys.stderr)
        return 2
    try:
        stop = init_ros(argv)
    except KeyboardInterrupt:
        return 0
    node = rclpy.create_node('image_publisher')
    compressed = args.encoding in COMPRESSED_FORMATS
    topic = args.topic + '/compressed' if compressed else args.topic
    qos = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE
                     if args.reliability == 'reliable' else ReliabilityPolicy.BEST_EFFORT)
    publisher = node.create_publisher(CompressedImage if compressed else Image, topic, qos)
    resolved = node.resolve_topic_name(topic)
    code = 0
    try:
        stream, repeats = frame_stream(args)
        cache = {} if repeats else None
        if waits_for_subscriber(args):
            node.get_logger().info('waiting {} for a subscriber on {}'.format(
                'up to {:g} s'.format(args.wait_timeout) if args.wait_timeout else 'without '
                'limit', resolved))
            stop.running()
            if not wait_for_subscriber(node, publisher, args.wait_timeout, stop):
                if not stop.requested:
                    print('image_publisher: error: no subscriber on {} within {:g} s: sent '
                          'nothing (--wait-timeout SECONDS waits longer, --no-wait sends '
                          'anyway)'.format(resolved, args.wait_timeout), file=sys.stderr)
                    code = 1
                return code
        sent = [0]
        done = [False]

        def tick():
            if args.count and sent[0] >= args.count:
                done[0] = True
                return
            bgr = next(stream, None)
            if bgr is None:
                done[0] = True
                return
            msg = make_message(bgr, args, cache)
            msg.header.stamp = node.get_clock().now().to_msg()
            publisher.publish(msg)
            sent[0] += 1

        node.create_timer(1.0 / args.rate, tick)
        node.get_logger().info('publishing {} at {:g} Hz on {}'.format(
            args.encoding, args.rate, resolved))
        stop.running()
        spin_until(node, stop, lambda: done[0])
        node.get_logger().info('sent {} frames'.format(sent[0]))
        # Destroying the publisher at once would drop frames still being (re)sent.
        if done[0] and not publisher.wait_for_all_acked(Duration(seconds=ACK_TIMEOUT)):
            print('image_publisher: warning: of the {} frames sent, some were not acknowledged '
                  'by the subscriber(s) within {:g} s and may be lost'.format(
                      sent[0], ACK_TIMEOUT), file=sys.stderr)
            code = 1
    except SourceError as exc:
        print('image_publisher: error: {}'.format(exc), file=sys.stderr)
        code = 2
    except (KeyboardInterrupt, ExternalShutdownException):
        pass  # a signal before the loop ran (ros_stop.py), or ROS shut down elsewhere
    finally:
        stop.ignore_from_now_on()
        node.destroy_node()
        rclpy.try_shutdown()
    return code


if __name__ == '__main__':
    sys.exit(main())
