# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""A participant for the security tests: a camera, a results reader, or both; prints JSON.

    python secure_peer.py [--camera TOPIC] [--frames N] [--read] [--try-publish TOPIC]
                          [--try-set NAME=VALUE] [--until-results N] [--until-diagnostics]
                          [--seconds S]
                          [--ros-args --enclave ENCLAVE]

Security comes from the environment (ROS_SECURITY_*) and --enclave, as for any node. It runs
until it has read --until-results classifications, sent --frames frames, or --seconds
passed, then prints one JSON object: results (classifications received), node_received (the
classifier's `received` counter in its latest /diagnostics), sent (frames published),
nodes (the node names its discovery found), publishers (how many it found of the classifier's
outputs) and attempts ({what: 'ok' or the exception's text}).
"""

import argparse
import array
import json
import sys
import time

import rclpy
from rclpy.qos import QoSProfile, ReliabilityPolicy


def _attempt(out, what, action):
    try:
        result = action()
    except Exception as exc:  # noqa: B902 - the refusal's text is the evidence
        out['attempts'][what] = '{}: {}'.format(type(exc).__name__, ' '.join(str(exc).split()))
        return None
    out['attempts'][what] = 'ok'
    return result


def _image():
    from sensor_msgs.msg import Image
    msg = Image(height=48, width=64, encoding='mono8', step=64)
    msg.data = array.array('B', bytes(range(64)) * 48)
    msg.header.frame_id = 'secure_peer'
    return msg


def main():
    own = sys.argv[1:sys.argv.index('--ros-args')] if '--ros-args' in sys.argv else sys.argv[1:]
    parser = argparse.ArgumentParser()
    parser.add_argument('--camera', help='publish small frames on this topic at 10 Hz')
    parser.add_argument('--frames', type=int, default=0, help='stop after sending this many')
    parser.add_argument('--read', action='store_true', help='read classification, diagnostics')
    parser.add_argument('--try-publish', help='try to make an Image publisher on this topic')
    parser.add_argument('--try-set', help='try NAME=VALUE on /classifier/set_parameters')
    parser.add_argument('--until-results', type=int, default=0)
    parser.add_argument('--until-diagnostics', action='store_true',
                        help='stop at the first classifier /diagnostics that arrives')
    parser.add_argument('--seconds', type=float, default=30.0)
    parser.add_argument('--name', default='classification_reader')
    args = parser.parse_args(own)
    out = {'results': 0, 'node_received': None, 'sent': 0, 'nodes': [], 'publishers': {},
           'attempts': {}}
    rclpy.init(args=sys.argv)
    node = _attempt(out, 'create_node', lambda: rclpy.create_node(args.name))
    if node is None:
        print(json.dumps(out))
        return 0
    if args.read:
        from diagnostic_msgs.msg import DiagnosticArray
        from vision_msgs.msg import Classification

        def on_result(msg):
            out['results'] += 1

        def on_diagnostics(msg):
            for status in msg.status:
                values = {kv.key: kv.value for kv in status.values}
                if status.name.endswith('classifier: classifier') and 'received' in values:
                    out['node_received'] = int(values['received'])

        _attempt(out, 'subscribe classification',
                 lambda: node.create_subscription(Classification, 'classification', on_result,
                                                  10))
        _attempt(out, 'subscribe /diagnostics',
                 lambda: node.create_subscription(DiagnosticArray, '/diagnostics',
                                                  on_diagnostics, 10))
    from sensor_msgs.msg import Image
    if args.try_publish:
        _attempt(out, 'publish ' + args.try_publish,
                 lambda: node.create_publisher(Image, args.try_publish, 1))
    if args.try_set:
        _try_set(node, out, *args.try_set.split('=', 1))
    camera = None
    if args.camera:
        camera = node.create_publisher(Image, args.camera, QoSProfile(
            depth=1, reliability=ReliabilityPolicy.BEST_EFFORT))
    frame = _image()
    deadline = time.monotonic() + args.seconds
    next_frame = time.monotonic()
    while time.monotonic() < deadline:
        if args.until_results and out['results'] >= args.until_results:
            break
        if args.until_diagnostics and out['node_received'] is not None:
            break
        if camera is not None and time.monotonic() >= next_frame:
            if args.frames and out['sent'] >= args.frames:
                break
            camera.publish(frame)
            out['sent'] += 1
            next_frame += 0.1
        rclpy.spin_once(node, timeout_sec=0.02)
    # What this participant's discovery found of the others: node names, and the publishers
    # of the classifier's outputs (its own subscriptions make those names known anyway).
    out['nodes'] = sorted(name for name, _ in node.get_node_names_and_namespaces())
    out['publishers'] = {topic: node.count_publishers(topic) for topic in
                         ('/classification', '/label_info', '/diagnostics')}
    print(json.dumps(out))
    node.destroy_node()
    rclpy.try_shutdown()
    return 0


def _try_set(node, out, name, value):
    from rcl_interfaces.srv import SetParameters
    from rclpy.parameter import Parameter
    client = _attempt(out, 'set_parameters client',
                      lambda: node.create_client(SetParameters, '/classifier/set_parameters'))
    if client is None:
        return
    if not client.wait_for_service(timeout_sec=5.0):
        out['attempts']['set ' + name] = 'no set_parameters service reachable'
        return
    request = SetParameters.Request(parameters=[Parameter(name, value=float(value))
                                                .to_parameter_msg()])
    future = client.call_async(request)
    rclpy.spin_until_future_complete(node, future, timeout_sec=5.0)
    result = future.result()
    out['attempts']['set ' + name] = ('ok' if result and result.results[0].successful
                                      else 'refused or no answer')


if __name__ == '__main__':
    sys.exit(main())
