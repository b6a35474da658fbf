# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""End-to-end node figures through ROS: a camera at 30 Hz, overload, and the board's case.

Starts the classifier node and a separate publisher process, then listens from this process
like any client:
  camera    640x480 bgr8 at --camera-rate (30 Hz) into the CPU config (unless --params-file)
  overload  the same at twice the backend's standalone rate (at most 200 Hz), measured first
            in this process: a node must drop stale frames, not queue them
  board     960x544 NV12 (what mipi_cam sends on the X5) at --camera-rate into the board
            config (config/classifier.yaml: the bpu backend, one worker) on this machine's BPU
            runtime: on an RDK X5 the real one; in a repository checkout, `scripts/devenv
            bench` supplies the pyeasy_dnn STAND-IN in board timing mode instead
Figures come from the node's /diagnostics counters (in/out rate, per-stage latency: callback
entry to publish) and from result receipt here minus the image stamp (age). The board run
also reports where a frame's time goes (`board_split`): publisher serialisation and publish()
(timed in the publisher), image stamp to the node's callback (the node's arrival stage), our
deserialisation (timed here on the same message), the node's stages, and the result's way
back; rows marked derived are differences of medians, not measurements.
--dds-profile applies one of config/fastdds_*.xml to every process of the run (this one too).
--worker-type sets the node's worker_type for every run; each row reports the node's resident
memory and each worker process's (`node_rss_mb`, `worker_rss_mb`) at the end of its window.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import yaml

from resnet_x5_ros.backends import bpu_runtime_available, bpu_runtime_status, WORKER_TYPES
from resnet_x5_ros.dds_profile import (dds_environment, PROFILE_NAMES, PROFILES_ENV,
                                       QOS_FROM_XML_ENV)
from resnet_x5_ros.launch_args import security_settings
from resnet_x5_ros.share_dir import share_path
from resnet_x5_ros.tools.bench.proc import cpu_seconds, proc_status
from resnet_x5_ros.tools.common import ToolError
from resnet_x5_ros.tools.node_process import (DISCARD, installed_or_module, NodeProcess,
                                              stop_process)
from resnet_x5_ros.tools.ros_domain import isolate_ros_environment
from resnet_x5_ros.tools.samples import sample_path

SAMPLE = sample_path('coffee.png')
NAMESPACE = '/bench'
RUNS = ('camera', 'overload', 'board')
SECURE_ENCLAVE = '/resnet_x5_ros/bench'
BOARD_SIZE = '960x544'


def add_arguments(parser):
    parser.add_argument('--duration', type=float, default=20.0,
                        help='measured seconds per run (default 20)')
    parser.add_argument('--warmup', type=float, default=3.0, help='seconds before measuring')
    parser.add_argument('--camera-rate', type=float, default=30.0)
    parser.add_argument('--max-overload-rate', type=float, default=200.0)
    parser.add_argument('--params-file', default=None,
                        help='node parameters (default config/classifier_cpu.yaml)')
    parser.add_argument('--runs', default='camera,overload',
                        help='which runs, comma separated: ' + ', '.join(RUNS))
    parser.add_argument('--board-model', default='',
                        help="board run: the .bin (default: the board config's, the "
                        'preinstalled ResNet18)')
    parser.add_argument('--dds-profile', choices=PROFILE_NAMES, default='dev',
                        help='Fast DDS profile (config/fastdds_*.xml) for every process of '
                        'the run (default dev: shared memory + UDP on loopback); none: the '
                        'environment decides')
    parser.add_argument('--worker-type', choices=WORKER_TYPES, default=None,
                        help='worker_type of the node in every run (default: what the '
                        'params file sets; the board config: thread)')
    parser.add_argument('--camera-dds-profile', choices=PROFILE_NAMES, default=None,
                        help='board run: the publisher profile when it differs from '
                        '--dds-profile (e.g. none: a camera that does not use ours)')
    parser.add_argument('--security', action='store_true',
                        help='every process of the run under SROS2 (Enforce, encrypted), in '
                        "one enclave of a keystore made for the run (sros2's defaults); needs "
                        'sros2 and a DDS with security (docs/security.md)')


def _runs(args):
    return [r.strip() for r in args.runs.split(',') if r.strip()]


def check(args):
    """Refuse unknown runs, or a board run where no BPU runtime imports, before measuring."""
    unknown = [r for r in _runs(args) if r not in RUNS]
    if unknown:
        raise ToolError('unknown run(s) {}; choose from {}'.format(
            ', '.join(unknown), ', '.join(RUNS)))
    if 'board' in _runs(args) and not bpu_runtime_available('pyeasy_dnn'):
        raise ToolError('the board run needs the BPU runtime pyeasy_dnn ({}); run it on the '
                        'RDK X5, or as `scripts/devenv bench` in a repository checkout, which '
                        'supplies its STAND-IN'.format(bpu_runtime_status('pyeasy_dnn')))


def _params_file(args):
    if args.params_file:
        return args.params_file
    return share_path('config', 'classifier_cpu.yaml')


def _write_params(source, path, overrides):
    """Write source's node parameters with overrides (None values left out) to path."""
    with open(source, encoding='utf-8') as f:
        config = yaml.safe_load(f)
    config['/**']['ros__parameters'].update(
        {k: v for k, v in overrides.items() if v is not None})
    with open(path, 'w', encoding='utf-8') as f:
        yaml.safe_dump(config, f)
    return path


def _rss_mb(pid):
    try:
        return proc_status(pid)[0]
    except OSError:
        return None  # the process ended meanwhile


def memory_row(pid):
    """{'node_rss_mb', 'worker_rss_mb': [...]}: resident memory of pid and of its children."""
    children = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/{}/stat'.format(entry), encoding='ascii', errors='replace') as f:
                fields = f.read().rsplit(')', 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(entry))
    workers = [mb for mb in (_rss_mb(c) for c in sorted(children)) if mb is not None]
    return {'node_rss_mb': _rss_mb(pid), 'worker_rss_mb': workers}


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


def _camera_publisher(rate):
    return subprocess.Popen(
        installed_or_module('image_publisher', 'resnet_x5_ros.tools.image_publisher.cli') +
        [SAMPLE, '--size', '640x480', '--encoding', 'bgr8', '--rate', str(rate),
         '--topic', NAMESPACE + '/image', '--frame-id', 'bench_camera'],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _profile_env(profile):
    """Return this process's environment with `profile` instead of the run's DDS profile."""
    env = dict(os.environ)
    env.pop(PROFILES_ENV, None)
    env.pop(QOS_FROM_XML_ENV, None)
    env.update(dds_environment(profile))
    return env


def _board_publisher(rate, report_path, profile):
    return subprocess.Popen(
        [sys.executable, '-m', 'resnet_x5_ros.tools.bench.frame_feed', SAMPLE,
         '--size', BOARD_SIZE, '--encoding', 'nv12', '--rate', str(rate),
         '--topic', NAMESPACE + '/image', '--report', report_path],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_profile_env(profile))


def _measure(rclpy, listener, publisher, args, node_pid):
    """Listen while publisher runs: warm-up, then the measured window; return the row."""
    try:
        # The warm-up counts from the first result: starting the publisher process and
        # matching it can take seconds on a loaded machine.
        first_by = time.monotonic() + 60.0
        while not listener.results and time.monotonic() < first_by \
                and publisher.poll() is None:
            rclpy.spin_once(listener.node, timeout_sec=0.05)
        start = time.monotonic() + args.warmup
        end = start + args.duration
        cpu = {}  # (node, publisher) CPU seconds at the window's start and end
        for mark, until in (('start', start), ('end', end), ('after', end + 1.5)):
            # After the window: one more diagnostics period.
            while time.monotonic() < until:
                rclpy.spin_once(listener.node, timeout_sec=0.05)
            if mark != 'after':
                cpu[mark] = (cpu_seconds(node_pid), cpu_seconds(publisher.pid))
    finally:
        stop_process(publisher)
    window = [d for t, d in listener.diagnostics if start <= t <= end + 1.5]
    ages = [a for t, a in listener.results if start <= t <= end]
    if len(window) < 2 or not ages:
        return {'error': 'no results from the node in the measured window'}
    first, last = window[0], window[-1]
    times = [t for t, d in listener.diagnostics if start <= t <= end + 1.5]
    span = times[-1] - times[0]

    def delta(key):
        return int(last[key]) - int(first[key])

    def stage(key):
        return float(last.get(key, 'nan'))

    received, published = delta('received'), delta('published')
    return {
        'backend': last.get('backend', ''),
        'worker_type': last.get('worker_type', 'thread'),
        'in_fps': received / span,
        'out_fps': published / span,
        'received': received, 'published': published, 'dropped': delta('dropped'),
        'latency_ms_p50': stage('total_ms_median'),
        'latency_ms_p99': stage('total_ms_p99'),
        'backend_ms_p50': stage('infer_ms_median'),
        'backend_ms_mean': stage('infer_ms_mean'),
        'convert_ms_p50': stage('convert_ms_median'),
        'ipc_ms_p50': stage('ipc_ms_median'),
        'post_ms_p50': stage('post_ms_median'),
        'handoff_ms_p50': stage('handoff_ms_median'),
        'publish_ms_p50': stage('publish_ms_median'),
        'arrival_ms_p50': stage('arrival_ms_median'),
        'arrival_ms_p99': stage('arrival_ms_p99'),
        'age_ms_p50': float(np.percentile(ages, 50)),
        'age_ms_p99': float(np.percentile(ages, 99)),
        # Of one core, over the measured window (the node's worker processes not included).
        'node_cpu_percent': 100.0 * (cpu['end'][0] - cpu['start'][0]) / args.duration,
        'camera_cpu_percent': 100.0 * (cpu['end'][1] - cpu['start'][1]) / args.duration,
    }


def _start_node(params_file):
    # Its environment is this process's: a checkout's dev entry puts the stand-in there.
    return NodeProcess(params_file, namespace=NAMESPACE, output=DISCARD)


def _write_board_files(folder, model_path, worker_type):
    """Write the board config for the board run (the bpu backend, one worker); return it."""
    return _write_params(share_path('config', 'classifier.yaml'),
                         os.path.join(folder, 'board.yaml'),
                         {'backend': 'bpu', 'bpu_runtime': 'pyeasy_dnn',
                          'model_path': model_path or None, 'num_workers': 1,
                          'worker_type': worker_type})


def _deserialise_ms(repeats=30):
    """Median ms of rclpy's deserialize_message for the board run's frame, in this process."""
    from rclpy.serialization import deserialize_message, serialize_message
    from sensor_msgs.msg import Image

    from resnet_x5_ros.tools.bench.frame_feed import make_image
    width, height = (int(v) for v in BOARD_SIZE.split('x'))
    data = serialize_message(make_image(SAMPLE, (width, height), 'nv12'))
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        deserialize_message(data, Image)
        times.append(time.perf_counter() - t0)
    return float(np.median(times) * 1000.0)


def board_split(row, feed, deserialise_ms):
    """Where a board frame's time goes: {step: {'ms_p50': x, 'how': ...}} in frame order."""
    publish_ms = float(np.median(feed['publish_ms'])) if feed.get('publish_ms') else \
        float('nan')
    arrival = row['arrival_ms_p50']
    steps = [
        ('publisher: serialise (rclpy, same message)', feed.get('serialise_ms_p50',
                                                                float('nan')),
         'measured in the publisher, before publishing'),
        ('publisher: publish() call', publish_ms, 'measured per frame in the publisher'),
        ('stamp -> node callback entry', arrival, 'measured by the node (arrival stage)'),
        ('  of which our deserialisation (rclpy, same message)', deserialise_ms,
         'measured in the bench process'),
        ('  of which transport + wake-up after publish()',
         arrival - publish_ms - deserialise_ms, 'derived: arrival - publish() - deserialise'),
        ('node: hand-off to the worker', row['handoff_ms_p50'], 'measured by the node'),
        ('node: conversion to NV12 model input', row['convert_ms_p50'], 'measured by the node'),
        ('node: inference (the runtime call)', row['backend_ms_p50'],
         'measured by the node (in the worker process for worker_type process)'),
        ('node: frame to the worker process, scores back', row['ipc_ms_p50'],
         'measured by the node: the call minus the runtime call (~0 for threads)'),
        ('node: post-processing', row['post_ms_p50'], 'measured by the node'),
        ('node: publish() of the result', row['publish_ms_p50'], 'measured by the node'),
        ('node: callback entry -> result published', row['latency_ms_p50'],
         'measured by the node (latency)'),
        ('result -> listener callback', row['age_ms_p50'] - arrival - row['latency_ms_p50'],
         'derived: age - arrival - latency'),
        ('age: stamp -> result received', row['age_ms_p50'], 'measured by the listener'),
    ]
    return {name: {'ms_p50': float(ms), 'how': how} for name, ms, how in steps}


def _goals(name, row):
    if 'out_fps' not in row:
        return
    if name == 'camera':
        row['goal_out_fps'] = row['out_fps'] >= 0.98 * row['in_fps']
        row['goal_latency'] = row['latency_ms_p50'] <= row['backend_ms_p50'] + 1.5
    if name == 'overload' and 'efficiency' in row:
        row['goal_efficiency'] = row['efficiency'] >= 0.9
        row['goal_age'] = row['age_ms_p99'] <= 3 * row['backend_ms_mean'] + 50
    if name == 'board':
        row['goal_out_fps'] = row['out_fps'] >= 0.98 * row['in_fps']
        row['goal_latency'] = row['latency_ms_p50'] <= row['backend_ms_p50'] + 1.0
        row['goal_age'] = row['age_ms_p50'] <= row['backend_ms_p50'] + 3.0


def _wait_for_node(rclpy, listener, node_process, timeout=120.0):
    """Spin until the node's first /diagnostics arrives; return an error text or None."""
    deadline = time.monotonic() + timeout
    listener.diagnostics.clear()  # a previous node's
    while not listener.diagnostics:
        if node_process.poll() is not None:
            return 'the node exited with code {} before it was ready'.format(
                node_process.poll())
        if time.monotonic() > deadline:
            return 'the node sent no /diagnostics within {:.0f} s'.format(timeout)
        rclpy.spin_once(listener.node, timeout_sec=0.05)
    return None


def _measure_runs(rclpy, listener, node_process, plans, args):
    """Run each (name, rate, publisher factory) against one node process; returns rows."""
    rows = {}
    try:
        # Start-up (imports, model load) must not eat into the first run's window.
        not_ready = _wait_for_node(rclpy, listener, node_process)
        if not_ready:
            return {name: {'error': not_ready} for name, _, _ in plans}
        for name, rate, start_publisher in plans:
            listener.results.clear()
            listener.diagnostics.clear()
            row = _measure(rclpy, listener, start_publisher(rate), args, node_process.pid)
            row.update(memory_row(node_process.pid))
            row['rate_asked'] = rate
            if name == 'overload' and 'out_fps' in row:
                row['efficiency'] = row['out_fps'] * row['backend_ms_mean'] / 1000.0
            rows[name] = row
    finally:
        node_process.stop()
    return rows


def secure_run(folder):
    """Put every process of the run under SROS2: a keystore made now, for this domain.

    One enclave for all (the node, the publishers, this listener): an enclave is an identity
    that several participants may share. sros2's default governance encrypts discovery and
    data; its default permissions allow every topic, so only the cost of security is
    measured, not an access policy.
    """
    try:
        from sros2.keystore import create_enclave, create_keystore
    except ImportError as exc:
        raise ToolError('--security needs sros2 ({}); it comes with ROS 2 (apt '
                        'ros-humble-sros2)'.format(exc)) from None
    import pathlib
    keystore = pathlib.Path(folder, 'keystore')
    create_keystore(keystore)
    create_enclave(keystore, SECURE_ENCLAVE)
    _, env = security_settings(SECURE_ENCLAVE, str(keystore))
    # Every process of the run (the node, the camera, this listener) in the one enclave.
    env['ROS_SECURITY_ENCLAVE_OVERRIDE'] = SECURE_ENCLAVE
    os.environ.update(env)


def run(args):
    domain = isolate_ros_environment()
    # Before rclpy: Fast DDS reads the profile when this process's participant is made.
    os.environ.update(dds_environment(args.dds_profile))
    runs = _runs(args)
    cpu_runs = [r for r in runs if r in ('camera', 'overload')]
    folder = tempfile.mkdtemp(prefix='bench-node-')
    if args.security:
        secure_run(folder)  # after the domain is claimed: the keystore names it
    params_file = _params_file(args)
    if args.worker_type:
        params_file = _write_params(params_file, os.path.join(folder, 'node.yaml'),
                                    {'worker_type': args.worker_type})
    standalone_ms = description = None
    if 'overload' in cpu_runs:
        standalone_ms, description = standalone_backend_ms(params_file)
    import rclpy
    rclpy.init()
    rows, result = {}, {}
    try:
        listener = _Listener(rclpy)
        if cpu_runs:
            plans = [(name, args.camera_rate if name == 'camera' else
                      min(args.max_overload_rate, 2.0 * 1000.0 / standalone_ms),
                      _camera_publisher) for name in cpu_runs]
            rows.update(_measure_runs(rclpy, listener, _start_node(params_file), plans, args))
        if 'board' in runs:
            with tempfile.TemporaryDirectory(prefix='bench-board-') as board_folder:
                feed_report = os.path.join(board_folder, 'feed.json')
                node = _start_node(_write_board_files(board_folder, args.board_model,
                                                      args.worker_type))
                camera_profile = args.camera_dds_profile or args.dds_profile
                plans = [('board', args.camera_rate,
                          lambda rate: _board_publisher(rate, feed_report, camera_profile))]
                rows.update(_measure_runs(rclpy, listener, node, plans, args))
                feed = {}
                if os.path.isfile(feed_report):  # written when the publisher stops
                    with open(feed_report, encoding='utf-8') as f:
                        feed = json.load(f)
            if 'arrival_ms_p50' in rows['board']:
                result['board_split'] = board_split(rows['board'], feed, _deserialise_ms())
            rows['board']['frame_bytes'] = feed.get('bytes')
            rows['board']['camera_dds_profile'] = camera_profile
    finally:
        rclpy.try_shutdown()
        shutil.rmtree(folder, ignore_errors=True)
    if standalone_ms is not None:
        print('backend: {} | standalone infer median {:.2f} ms'.format(
            description, standalone_ms))
    print('dds profile: {} ({}) | ROS_DOMAIN_ID {}'.format(args.dds_profile, os.environ.get(
        'FASTRTPS_DEFAULT_PROFILES_FILE', 'FASTRTPS_DEFAULT_PROFILES_FILE not set'), domain))
    for name, row in rows.items():
        _goals(name, row)
        row['dds_profile'] = args.dds_profile
        row['security'] = 'enforce (encrypted)' if args.security else 'off'
    result['node'] = rows
    return result
