# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""End-to-end node figures through ROS: a camera at 30 Hz, and overload.

Starts the classifier node (CPU config unless --params-file) and a separate image_publisher
process sending 640x480 bgr8 frames, then listens from this process like any client:
  camera    input at --camera-rate (30 Hz)
  overload  input at twice the backend's standalone rate (at most 200 Hz), measured first in
            this process: a node must drop stale frames, not queue them
Figures come from the node's /diagnostics counters (in/out rate, per-stage latency: callback
entry to publish) and from result receipt here minus the image stamp (age).
"""

import shutil
import signal
import subprocess
import sys
import time

import numpy as np

from resnet_x5_ros.ros_domain import isolate_ros_environment
from resnet_x5_ros.share_dir import share_path
from resnet_x5_ros.tools.samples import sample_path

SAMPLE = sample_path('coffee.png')
NAMESPACE = '/bench'


def add_arguments(parser):
    parser.add_argument('--duration', type=float, default=20.0,
                        help='measured seconds per run (default 20)')
    parser.add_argument('--warmup', type=float, default=3.0, help='seconds before measuring')
    parser.add_argument('--camera-rate', type=float, default=30.0)
    parser.add_argument('--max-overload-rate', type=float, default=200.0)
    parser.add_argument('--params-file', default=None,
                        help='node parameters (default config/classifier_cpu.yaml)')
    parser.add_argument('--runs', default='camera,overload', help='which runs, comma separated')


def _executable(name, module):
    exe = shutil.which(name)
    return [exe] if exe else [sys.executable, '-m', module]


def _params_file(args):
    if args.params_file:
        return args.params_file
    return share_path('config', 'classifier_cpu.yaml')


def standalone_backend_ms(params_file, frames=100):
    """Median ms of backend.infer alone, with the node's own backend settings."""
    import yaml

    from resnet_x5_ros.backends import create_backend
    from resnet_x5_ros.pipeline import Classifier, Frame
    from resnet_x5_ros.postprocess import load_labels
    import cv2

    with open(params_file, encoding='utf-8') as f:
        p = yaml.safe_load(f)['/**']['ros__parameters']
    backend = create_backend(p.get('backend', 'auto'), p.get('model_path', ''),
                             nv12_range=p.get('nv12_range', 'auto'),
                             num_threads=p.get('num_threads', 0),
                             bpu_runtime=p.get('bpu_runtime', 'auto'))
    try:
        classifier = Classifier(backend, load_labels(expected_count=backend.num_classes))
        bgr = cv2.resize(cv2.imread(SAMPLE), (640, 480))
        nv12 = classifier.to_nv12(Frame(bgr.tobytes(), 'bgr8', 640, 480, 1920),
                                  classifier.settings.resize_mode)
        for _ in range(10):
            backend.infer(nv12)
        times = []
        for _ in range(frames):
            t0 = time.perf_counter()
            backend.infer(nv12)
            times.append(time.perf_counter() - t0)
        return float(np.median(times) * 1000.0), backend.description
    finally:
        backend.close()


class _Listener:
    """Collects classifications (with their age) and the node's diagnostics."""

    def __init__(self, rclpy):
        from diagnostic_msgs.msg import DiagnosticArray
        from vision_msgs.msg import Classification
        self.node = rclpy.create_node('bench_listener', namespace=NAMESPACE)
        self.results = []   # (receipt monotonic, age ms)
        self.diagnostics = []  # (receipt monotonic, {key: value})
        self.node.create_subscription(Classification, 'classification', self._on_result, 10)
        self.node.create_subscription(DiagnosticArray, '/diagnostics', self._on_diag, 10)

    def _on_result(self, msg):
        now = self.node.get_clock().now().nanoseconds
        stamp = msg.header.stamp.sec * 10**9 + msg.header.stamp.nanosec
        self.results.append((time.monotonic(), (now - stamp) / 1e6))

    def _on_diag(self, msg):
        for status in msg.status:
            if status.name.startswith(NAMESPACE + '/classifier'):
                self.diagnostics.append((time.monotonic(),
                                         {kv.key: kv.value for kv in status.values}))


def _measure(rclpy, listener, rate, args):
    publisher = subprocess.Popen(
        _executable('image_publisher', 'resnet_x5_ros.tools.image_publisher') +
        [SAMPLE, '--size', '640x480', '--encoding', 'bgr8', '--rate', str(rate),
         '--topic', NAMESPACE + '/image', '--frame-id', 'bench_camera'],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        start = time.monotonic() + args.warmup
        end = start + args.duration
        while time.monotonic() < end + 1.5:  # one more diagnostics period after the window
            rclpy.spin_once(listener.node, timeout_sec=0.05)
    finally:
        publisher.send_signal(signal.SIGINT)
        try:
            publisher.wait(timeout=10)
        except subprocess.TimeoutExpired:
            publisher.kill()
    window = [d for t, d in listener.diagnostics if start <= t <= end + 1.5]
    ages = [a for t, a in listener.results if start <= t <= end]
    if len(window) < 2 or not ages:
        return {'error': 'no results from the node in the measured window'}
    first, last = window[0], window[-1]
    times = [t for t, d in listener.diagnostics if start <= t <= end + 1.5]
    span = times[-1] - times[0]

    def delta(key):
        return int(last[key]) - int(first[key])

    received, published = delta('received'), delta('published')
    return {
        'in_fps': received / span,
        'out_fps': published / span,
        'received': received, 'published': published, 'dropped': delta('dropped'),
        'latency_ms_p50': float(last.get('total_ms_median', 'nan')),
        'latency_ms_p99': float(last.get('total_ms_p99', 'nan')),
        'backend_ms_p50': float(last.get('infer_ms_median', 'nan')),
        'backend_ms_mean': float(last.get('infer_ms_mean', 'nan')),
        'convert_ms_p50': float(last.get('convert_ms_median', 'nan')),
        'age_ms_p50': float(np.percentile(ages, 50)),
        'age_ms_p99': float(np.percentile(ages, 99)),
    }


def run(args):
    isolate_ros_environment()
    params_file = _params_file(args)
    standalone_ms, description = standalone_backend_ms(params_file)
    overload_rate = min(args.max_overload_rate, 2.0 * 1000.0 / standalone_ms)
    node = subprocess.Popen(
        _executable('classifier_node', 'resnet_x5_ros.node') +
        ['--ros-args', '--params-file', params_file, '-r', '__ns:=' + NAMESPACE],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import rclpy
    rclpy.init()
    rows = {}
    try:
        listener = _Listener(rclpy)
        runs = [r.strip() for r in args.runs.split(',') if r.strip()]
        for name in runs:
            rate = args.camera_rate if name == 'camera' else overload_rate
            listener.results.clear()
            listener.diagnostics.clear()
            row = _measure(rclpy, listener, rate, args)
            row['rate_asked'] = rate
            if name == 'overload' and 'out_fps' in row:
                row['efficiency'] = row['out_fps'] * row['backend_ms_mean'] / 1000.0
            rows[name] = row
    finally:
        rclpy.try_shutdown()
        node.send_signal(signal.SIGINT)
        try:
            node.wait(timeout=10)
        except subprocess.TimeoutExpired:
            node.kill()
    print('backend: {} | standalone infer median {:.2f} ms'.format(description, standalone_ms))
    for name, row in rows.items():
        if name == 'camera' and 'out_fps' in row:
            row['goal_out_fps'] = row['out_fps'] >= 0.98 * row['in_fps']
            row['goal_latency'] = row['latency_ms_p50'] <= row['backend_ms_p50'] + 1.5
        if name == 'overload' and 'efficiency' in row:
            row['goal_efficiency'] = row['efficiency'] >= 0.9
            row['goal_age'] = row['age_ms_p99'] <= 3 * row['backend_ms_mean'] + 50
    return {'node': rows}
