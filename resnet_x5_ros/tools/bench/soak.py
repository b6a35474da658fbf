# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Soak: 20,000 frames through the node at the highest rate it sustains; memory and threads.

Starts the classifier node in its own process (CPU config unless --params-file) and publishes
640x480 bgr8 frames from this process at --rate (default: twice the backend's standalone rate,
at most --max-rate, the same overload rate as the `node` suite: the node is always busy and
must drop, never queue) until the node has received --frames of them. Frames beyond what the
node's depth-1 subscription takes in are discarded by DDS before its callback; they are
counted (sent - received) but do not count towards --frames. While it runs, the node's RSS and
thread count are read from /proc every --sample seconds, and its counters from /diagnostics.

Reported: RSS after the warm-up frames and at the end (growth goal <= 10 MB), thread count
after warm-up, at the end and the maximum (goal: no growth), and the node's counters (goal:
dropped + processed == received, with nothing rejected or failed), plus frames sent versus
received (frames DDS discarded never reached the node's callback).
"""

import array
import tempfile
import time

from resnet_x5_ros.share_dir import share_path
from resnet_x5_ros.tools.bench.proc import proc_status
from resnet_x5_ros.tools.node_process import NodeProcess
from resnet_x5_ros.tools.ros_domain import isolate_ros_environment
from resnet_x5_ros.tools.samples import sample_path

SAMPLE = sample_path('coffee.png')
NAMESPACE = '/soak'
RSS_GROWTH_GOAL_MB = 10.0
COUNTERS = ('received', 'processed', 'published', 'dropped', 'rejected', 'backend_errors',
            'internal_errors', 'stale')


def add_arguments(parser):
    parser.add_argument('--frames', type=int, default=20000,
                        help='frames the node must receive (20000)')
    parser.add_argument('--warmup-frames', type=int, default=2000,
                        help='frames the node must have received before the baseline')
    parser.add_argument('--rate', type=float, default=0.0,
                        help='frames per second; 0 = twice the standalone backend rate')
    parser.add_argument('--max-rate', type=float, default=200.0,
                        help='cap of the automatic rate (a flooding publisher steals the CPU '
                             'from inference on a 2-core machine)')
    parser.add_argument('--size', default='640x480', help='frame size WxH (640x480)')
    parser.add_argument('--params-file', default=None,
                        help='node parameters (default config/classifier_cpu.yaml)')
    parser.add_argument('--sample', type=float, default=0.5,
                        help='seconds between RSS/thread samples')


class _Watcher:
    """The bench's ROS side: a frame publisher and the node's /diagnostics."""

    def __init__(self, rclpy, width, height):
        import cv2
        from diagnostic_msgs.msg import DiagnosticArray
        from rclpy.qos import QoSProfile, ReliabilityPolicy
        from sensor_msgs.msg import Image
        self.node = rclpy.create_node('soak_camera', namespace=NAMESPACE)
        self.pub = self.node.create_publisher(
            Image, 'image', QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE))
        self.counts = None
        self.updates = 0
        self.node.create_subscription(DiagnosticArray, '/diagnostics', self._on_diag, 10)
        bgr = cv2.resize(cv2.imread(SAMPLE, cv2.IMREAD_COLOR), (width, height),
                         interpolation=cv2.INTER_AREA)
        self.msg = Image(height=height, width=width, encoding='bgr8', step=width * 3)
        # Built once: the node's memory is measured, not this publisher's allocations.
        self.msg.data = array.array('B', bgr.tobytes())
        self.msg.header.frame_id = 'soak_camera'

    def _on_diag(self, msg):
        for status in msg.status:
            if status.name.startswith(NAMESPACE + '/classifier'):
                values = {kv.key: kv.value for kv in status.values}
                self.counts = {k: int(values[k]) for k in COUNTERS if k in values}
                self.updates += 1

    def received(self):
        return self.counts['received'] if self.counts else 0

    def settled(self):
        c = self.counts
        return c is not None and c['received'] == (
            c['processed'] + c['dropped'] + c['rejected'] + c['backend_errors'] +
            c['internal_errors'])

    def publish(self):
        self.msg.header.stamp = self.node.get_clock().now().to_msg()
        self.pub.publish(self.msg)


def _spin_until(rclpy, watcher, predicate, timeout):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        rclpy.spin_once(watcher.node, timeout_sec=0.05)
    return True


def _default_rate(args, params_file):
    from resnet_x5_ros.tools.bench.through_ros import standalone_backend_ms
    standalone_ms, description = standalone_backend_ms(params_file)
    print('backend: {} | standalone infer median {:.2f} ms'.format(description, standalone_ms))
    return min(args.max_rate, 2.0 * 1000.0 / standalone_ms)


def run(args):
    isolate_ros_environment()
    width, height = (int(v) for v in args.size.lower().split('x'))
    params_file = args.params_file or share_path('config', 'classifier_cpu.yaml')
    rate = args.rate or _default_rate(args, params_file)
    log = tempfile.NamedTemporaryFile('w+', prefix='soak-node-', suffix='.log', delete=False)
    log.close()
    # Output to a file: a chatty node must never block on a full pipe.
    node = NodeProcess(params_file, namespace=NAMESPACE, output=log.name,
                       parameters={'diagnostics_period': 0.5})
    import rclpy
    rclpy.init()
    samples = []  # (seconds since start, node received, rss MB, threads)
    sent = 0
    try:
        watcher = _Watcher(rclpy, width, height)
        if not _spin_until(rclpy, watcher, lambda: watcher.pub.get_subscription_count() > 0
                           and watcher.counts is not None, 120.0):
            raise RuntimeError('the node never subscribed; its log: ' + log.name)
        start = time.monotonic()
        next_sample = start
        period = 1.0 / rate
        next_frame = start
        progress = (0, start)
        while watcher.received() < args.frames:
            now = time.monotonic()
            if watcher.received() > progress[0]:
                progress = (watcher.received(), now)
            elif now - progress[1] > 30.0:
                raise RuntimeError('the node received nothing for 30 s; its log: ' + log.name)
            if now >= next_frame:
                watcher.publish()
                sent += 1
                next_frame += period
                if next_frame < now - 1.0:
                    next_frame = now  # fell far behind: do not burst to catch up
            if now >= next_sample:
                samples.append((now - start, watcher.received()) + proc_status(node.pid))
                next_sample += args.sample
            if node.poll() is not None:
                raise RuntimeError('the node exited (code {}) during the soak; its log: {}'
                                   .format(node.poll(), log.name))
            rclpy.spin_once(watcher.node, timeout_sec=max(0.0, min(next_frame, next_sample)
                                                          - time.monotonic()))
        sending_s = time.monotonic() - start
        # Let the node finish: every received frame counted, and two more status updates.
        _spin_until(rclpy, watcher, watcher.settled, 30.0)
        updates = watcher.updates
        _spin_until(rclpy, watcher, lambda: watcher.updates >= updates + 2, 10.0)
        samples.append((time.monotonic() - start, watcher.received()) + proc_status(node.pid))
        counts = dict(watcher.counts)
    finally:
        rclpy.try_shutdown()
        code, _ = node.stop(timeout=15)
    return {'soak': {'run': _summary(args, rate, sent, sending_s, samples, counts, code,
                                     log.name)}}


def _summary(args, rate, sent, sending_s, samples, counts, code, log_path):
    after_warmup = next((s for s in samples if s[1] >= args.warmup_frames), samples[-1])
    warm = [s for s in samples if s[0] >= after_warmup[0]]
    start_rss, start_threads = samples[0][2], samples[0][3]
    end = samples[-1]
    growth = end[2] - after_warmup[2]
    accounted = counts['dropped'] + counts['processed'] == counts['received'] and \
        counts['rejected'] == counts['backend_errors'] == counts['internal_errors'] == 0
    with open(log_path, encoding='utf-8', errors='replace') as f:
        traceback = 'Traceback' in f.read()
    row = {
        'rate_hz': rate, 'sent': sent, 'sending_s': sending_s,
        'in_fps': counts['received'] / sending_s, 'out_fps': counts['published'] / sending_s,
        'received': counts['received'], 'processed': counts['processed'],
        'dropped': counts['dropped'], 'rejected': counts['rejected'],
        'backend_errors': counts['backend_errors'], 'dds_lost': sent - counts['received'],
        'rss_mb_start': start_rss, 'rss_mb_after_warmup': after_warmup[2],
        'rss_mb_end': end[2], 'rss_mb_peak': max(s[2] for s in warm),
        'rss_growth_mb': growth,
        'threads_start': start_threads, 'threads_after_warmup': after_warmup[3],
        'threads_end': end[3], 'threads_max': max(s[3] for s in warm),
        'exit_code': code, 'traceback': traceback,
        'goal_rss': growth <= RSS_GROWTH_GOAL_MB,
        'goal_threads': end[3] <= after_warmup[3] and max(s[3] for s in warm) <=
        after_warmup[3],
        'goal_accounted': accounted,
    }
    print('soak: sent {} frames at {:.0f} Hz in {:.1f} s; node received {} (DDS discarded {}),'
          ' processed {}, dropped {}, rejected {}, backend errors {}'.format(
              sent, rate, sending_s, row['received'], row['dds_lost'], row['processed'],
              row['dropped'], row['rejected'], row['backend_errors']))
    print('soak: RSS {:.1f} MB at start, {:.1f} MB after {} frames, {:.1f} MB at the end '
          '(growth {:+.1f} MB, peak {:.1f} MB); threads {} -> {} -> {} (max {})'.format(
              start_rss, after_warmup[2], args.warmup_frames, end[2], growth,
              row['rss_mb_peak'], start_threads, after_warmup[3], end[3], row['threads_max']))
    print('soak: node log {}'.format(log_path))
    return row
