# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""board_check's node run: the classifier node on the live camera topic for a few seconds.

Runs only if something publishes on the topic (found through the ROS graph), in this process,
with its own rclpy context, the backend and model the other checks used, and the node in the
namespace /board_check so it cannot clash with a classifier already running. Time-boxed:
discovery wait + start-up + warm-up + the measured seconds. rclpy is imported here only.
"""

import time

import numpy as np

from resnet_x5_ros.tools.markdown import code, table

TITLE = 'Node run on the camera topic'
NAMESPACE = '/board_check'
WARMUP_S = 2.0
IMAGE_TYPE = 'sensor_msgs/msg/Image'
COMPRESSED_TYPE = 'sensor_msgs/msg/CompressedImage'


def _section(status, summary, body=None, data=None):
    from resnet_x5_ros.tools.board_check.checks import Section
    return Section(TITLE, status, summary, body or [], data or {})


def find_publishers(node, topic, wait_s):
    """Return the publishers on topic, polling the graph until some appear or wait_s passes."""
    deadline = time.monotonic() + wait_s
    while True:
        infos = node.get_publishers_info_by_topic(topic)
        if infos or time.monotonic() >= deadline:
            return infos
        time.sleep(0.1)  # graph discovery runs in the background; nothing to spin for


def _spin(executor, seconds, until=None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if until is not None and until():
            return True
        executor.spin_once(timeout_sec=0.05)
    return until() if until is not None else True


def _node_parameters(ctx, compressed):
    from rclpy.parameter import Parameter
    backend = ctx.backend
    values = {'backend': backend.name, 'model_path': backend.model_path,
              'nv12_range': backend.nv12_range, 'apply_softmax': bool(ctx.apply_softmax),
              'compressed': compressed, 'labels_path': ctx.labels or '',
              'class_id_format': 'index'}
    threads = getattr(backend, 'num_threads', None)
    if threads:
        values['num_threads'] = int(threads)
    if getattr(backend, 'runtime_kind', None):  # the runtime the checks used, not 'auto'
        values['bpu_runtime'] = backend.runtime_kind
    return [Parameter(name, value=value) for name, value in values.items()]


class _Listener(object):
    """Collects the node's classifications and one camera frame's description."""

    def __init__(self, node, topic, message_type, reliability):
        from rclpy.qos import QoSProfile
        from vision_msgs.msg import Classification
        self.node = node
        self.results = []  # (receipt ns, age ms, [(class index, score)])
        self.camera = None
        self._camera_sub = node.create_subscription(
            message_type, topic, self._on_camera, QoSProfile(depth=1, reliability=reliability))
        node.create_subscription(Classification, NAMESPACE + '/classification', self._on_result,
                                 10)

    def _on_camera(self, msg):
        if self.camera is None:
            if hasattr(msg, 'encoding'):
                self.camera = '{} {}x{} (step {})'.format(msg.encoding, msg.width, msg.height,
                                                          msg.step)
            else:
                self.camera = 'compressed {} ({} bytes)'.format(msg.format, len(msg.data))

    def stop_camera(self):
        # One frame was enough; do not pay for transporting the rest here.
        if self._camera_sub is not None:
            self.node.destroy_subscription(self._camera_sub)
            self._camera_sub = None

    def _on_result(self, msg):
        now = self.node.get_clock().now().nanoseconds
        stamp = msg.header.stamp.sec * 10 ** 9 + msg.header.stamp.nanosec
        self.results.append((now, (now - stamp) / 1e6,
                             [(int(r.class_id), float(r.score)) for r in msg.results]))


def _node_name(info):
    # Right after discovery the graph may not know the publisher's node name yet.
    if not info.node_name or info.node_name.startswith('_NODE_NAME_UNKNOWN'):
        return 'a publisher'
    return '/'.join(p for p in (info.node_namespace.rstrip('/'), info.node_name) if p) \
        if info.node_namespace != '/' else '/' + info.node_name


def probe_node(ctx):
    """Run the node on ctx.topic for ctx.node_seconds; a Section with what it measured."""
    if ctx.backend is None:
        return _section('SKIP', 'no model loaded')
    try:
        import rclpy
        from rclpy.executors import SingleThreadedExecutor
    except Exception as exc:
        return _section('SKIP', 'rclpy does not import ({}: {}); source ROS 2 first'.format(
            type(exc).__name__, exc))
    context = rclpy.Context()
    rclpy.init(context=context)
    probe = None
    try:
        probe = rclpy.create_node('board_check_probe', context=context)
        infos = find_publishers(probe, ctx.topic, ctx.discovery_seconds)
        if not infos:
            return _section('SKIP', 'nothing publishes on {} (checked {:g} s); start the camera '
                            'and run board_check again for this part'.format(
                                ctx.topic, ctx.discovery_seconds))
        return _run(ctx, rclpy, SingleThreadedExecutor, context, probe, infos)
    finally:
        if probe is not None:
            probe.destroy_node()
        context.try_shutdown()


def _run(ctx, rclpy, executor_type, context, probe, infos):
    from rclpy.qos import ReliabilityPolicy
    from sensor_msgs.msg import CompressedImage, Image

    from resnet_x5_ros.node import ClassifierNode, StartupError

    types = sorted({i.topic_type for i in infos})
    compressed = types == [COMPRESSED_TYPE]
    if types not in ([IMAGE_TYPE], [COMPRESSED_TYPE]):
        return _section('FAIL', '{} carries {}, not sensor_msgs Image/CompressedImage'.format(
            ctx.topic, ', '.join(types)))
    image_topic = ctx.topic[:-len('/compressed')] if compressed and \
        ctx.topic.endswith('/compressed') else ctx.topic
    reliable = all(i.qos_profile.reliability == ReliabilityPolicy.RELIABLE for i in infos)
    publishers = ['{} ({})'.format(_node_name(i), 'reliable' if
                                   i.qos_profile.reliability == ReliabilityPolicy.RELIABLE
                                   else 'best effort') for i in infos]
    listener = _Listener(probe, ctx.topic, CompressedImage if compressed else Image,
                         ReliabilityPolicy.RELIABLE if reliable
                         else ReliabilityPolicy.BEST_EFFORT)
    try:
        node = ClassifierNode(context=context, namespace=NAMESPACE,
                              parameter_overrides=_node_parameters(ctx, compressed),
                              cli_args=['--ros-args', '-r', 'image:=' + image_topic])
    except StartupError as exc:
        return _section('FAIL', 'the node did not start: {}'.format(exc))
    executor = executor_type(context=context)
    executor.add_node(probe)
    executor.add_node(node)
    try:
        _spin(executor, WARMUP_S + ctx.discovery_seconds,
              until=lambda: listener.results and listener.camera)
        listener.stop_camera()
        first = node.stats.counts()
        listener.results.clear()
        t0 = time.monotonic()
        _spin(executor, ctx.node_seconds)
        span = time.monotonic() - t0
        last = node.stats.counts()
        snap = node.stats.snapshot()
    finally:
        executor.shutdown()
        busy = node.shutdown()
        node.destroy_node()
    return _report(ctx, listener, first, last, snap, span, publishers, busy, image_topic,
                   compressed)


def _report(ctx, listener, first, last, snap, span, publishers, busy, image_topic, compressed):
    def rate(key):
        return (last[key] - first[key]) / span if span > 0 else 0.0

    ages = [age for _, age, _ in listener.results]
    labels = ctx.classifier.labels
    data = {
        'topic': ctx.topic, 'publishers': publishers, 'camera': listener.camera,
        'seconds': span, 'in_fps': rate('received'), 'out_fps': rate('published'),
        'received': last['received'] - first['received'],
        'published': last['published'] - first['published'],
        'dropped': last['dropped'] - first['dropped'],
        'rejected': last['rejected'] - first['rejected'],
        'backend_errors': last['backend_errors'] - first['backend_errors'],
        'results_received_here': len(listener.results),
    }
    for key in ('convert_ms_median', 'infer_ms_median', 'post_ms_median', 'total_ms_median',
                'total_ms_p99'):
        if key in snap:
            data['latency_' + key] = snap[key]
    if ages:
        data['age_ms_p50'] = float(np.percentile(ages, 50))
        data['age_ms_p99'] = float(np.percentile(ages, 99))
    top = listener.results[-1][2] if listener.results else []
    data['last_result'] = [(labels[i], s) for i, s in top]
    body = ['- topic {} ({}), publishers: {}'.format(
        code(ctx.topic), 'CompressedImage' if compressed else 'Image', ', '.join(publishers)),
        '- camera frames: {}'.format(listener.camera or 'none seen by the probe'),
        '- node: namespace {}, image remapped to {}, backend {}'.format(
            code(NAMESPACE), code(image_topic), ctx.backend.name), '']
    body += table(['figure', 'value'], [(k, v) for k, v in data.items()
                                        if k not in ('publishers', 'last_result', 'camera')])
    last = ', '.join('{} {:.1%}'.format(n, s) for n, s in data['last_result'])
    body += ['', 'Last result: ' + (last or 'none')]
    if busy:
        body.append('Inference was still running at shutdown in: ' + ', '.join(busy))
    if data['published'] == 0:
        why = ('frames were rejected: see the node log' if data['rejected'] else
               'inference failed' if data['backend_errors'] else
               'no frames reached the node' if data['received'] == 0 else 'no results')
        return _section('FAIL', 'no classification published in {:.0f} s ({})'.format(
            span, why), body, data)
    summary = 'in {:.1f} fps, out {:.1f} fps, node latency p50 {:.1f} ms'.format(
        data['in_fps'], data['out_fps'], data.get('latency_total_ms_median', float('nan')))
    status = 'WARN' if data['rejected'] or data['backend_errors'] else 'PASS'
    return _section(status, summary, body, data)
