# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""What a frame costs the node with io_method shared_mem (HbmMsg1080P) against ros (Image).

Per camera frame (--size, default 960x544 nv12 as TROS's mipi_cam publishes it), median ms:
  serialize    publisher side, rclpy serialize_message (for scale; mipi_cam does this in C++)
  deserialize  what rclpy does when it takes the message for our callback: the whole CDR
               buffer into a Python message (HbmMsg1080P: the fixed 6,220,800-byte array)
  to_frame     message fields -> pipeline.Frame (callback work)
  convert      Frame -> the model's NV12 input (convert.to_nv12, --model-size, center_crop)
  node_total   deserialize + to_frame + convert: the node's per-frame CPU before inference
Timed alternately in one process, so both rows see the same machine load.

With --dds-seconds N (> 0), also end to end through DDS: the classifier node (CPU config) and
a camera process publishing the same frame at --rate Hz, per transport; node_cpu_ms_per_frame
is the node process's CPU time (/proc) divided by the frames it received; delivered is
received / published. Rows marked tros_profile run node and camera with the Fast DDS settings
TROS's hobot_shm launch file applies (data sharing AUTOMATIC, asynchronous publishing,
preallocated-with-realloc history, RMW_FASTRTPS_USE_QOS_FROM_XML=1).
"""

import os
import subprocess
import sys
import time

import cv2
import numpy as np

from resnet_x5_ros.convert.encode import encode_image
from resnet_x5_ros.pipeline import Classifier, Frame
from resnet_x5_ros.share_dir import share_path
from resnet_x5_ros.tools.bench.proc import cpu_seconds
from resnet_x5_ros.tools.bench.report import median_ms
from resnet_x5_ros.tools.common import ToolError
from resnet_x5_ros.tools.node_process import DISCARD, NodeProcess
from resnet_x5_ros.tools.samples import sample_path

SAMPLE_NAME = 'coffee.png'


def add_arguments(parser):
    parser.add_argument('--calls', type=int, default=200,
                        help='timed frames per row (default 200)')
    parser.add_argument('--size', default='960x544', help='camera frame WxH (default 960x544)')
    parser.add_argument('--model-size', default='224x224',
                        help='model input WxH (default 224x224)')
    parser.add_argument('--dds-seconds', type=float, default=0.0,
                        help='also run node + camera through DDS for this long per transport')
    parser.add_argument('--rate', type=float, default=30.0, help='camera rate for --dds-seconds')


def check(args):
    """Refuse at once where hbm_img_msgs (TogetheROS.Bot) is missing: a plain ROS 2."""
    try:
        from hbm_img_msgs.msg import HbmMsg1080P  # noqa: F401
    except ImportError as exc:
        raise ToolError('bench shared_mem compares with TROS shared-memory frames, but '
                        'hbm_img_msgs cannot be imported ({}); it comes with TogetheROS.Bot'
                        .format(exc)) from None


def _size(text):
    width, height = (int(v) for v in text.lower().split('x'))
    return width, height


def _messages(width, height):
    from hbm_img_msgs.msg import HbmMsg1080P
    from sensor_msgs.msg import Image
    import array
    bgr = cv2.resize(cv2.imread(sample_path(SAMPLE_NAME), cv2.IMREAD_COLOR), (width, height))
    data, w, h, step = encode_image(bgr, 'nv12')
    image = Image(width=w, height=h, step=step, encoding='nv12')
    image.data = array.array('B', data)
    hbm = HbmMsg1080P(width=w, height=h, step=step, data_size=len(data))
    hbm.data[:len(data)] = np.frombuffer(data, np.uint8)
    hbm.encoding[:4] = np.frombuffer(b'nv12', np.uint8)
    return image, hbm


class _Sizes:
    """Stands in for a backend: only the input size the conversion needs."""

    def __init__(self, width, height):
        self.input_width, self.input_height = width, height
        self.nv12_range = 'full'
        self.num_classes = 5


def run(args):
    from rclpy.serialization import deserialize_message, serialize_message

    from resnet_x5_ros.tros.shared_mem import hbm_frame
    width, height = _size(args.size)
    image, hbm = _messages(width, height)
    classifier = Classifier(_Sizes(*_size(args.model_size)), ['x'] * 5)
    paths = {
        'ros_image': (image, type(image), lambda m: Frame(m.data, m.encoding, m.width,
                                                          m.height, m.step)),
        'shared_mem_hbm1080p': (hbm, type(hbm), hbm_frame),
    }
    wire = {name: serialize_message(msg) for name, (msg, _, _) in paths.items()}
    samples = {name: {k: [] for k in ('serialize', 'deserialize', 'to_frame', 'convert',
                                      'node_total')} for name in paths}
    clock = time.perf_counter
    for call in range(args.calls + 10):
        for name, (msg, msg_type, to_frame) in paths.items():
            t0 = clock()
            serialize_message(msg)
            t1 = clock()
            taken = deserialize_message(wire[name], msg_type)
            t2 = clock()
            frame = to_frame(taken)
            t3 = clock()
            classifier.to_nv12(frame, 'center_crop')
            t4 = clock()
            if call < 10:
                continue  # warm-up
            row = samples[name]
            row['serialize'].append(t1 - t0)
            row['deserialize'].append(t2 - t1)
            row['to_frame'].append(t3 - t2)
            row['convert'].append(t4 - t3)
            row['node_total'].append(t4 - t1)
    rows = {}
    for name, row in samples.items():
        rows[name] = {'bytes_on_wire': len(wire[name])}
        rows[name].update({k + '_ms': median_ms(v) for k, v in row.items()})
    print('frame {}x{} nv12 ({} bytes), model input {}, {} frames per row'.format(
        width, height, width * height * 3 // 2, args.model_size, args.calls))
    result = {'shared_mem': rows}
    if args.dds_seconds > 0:
        result['shared_mem_dds'] = _dds_runs(args, width, height)
    return result


def publish_camera(kind, topic, width, height, rate, reliability, seconds):
    """Camera stand-in (child process): the same nv12 frame as Image or HbmMsg1080P."""
    import rclpy
    from rclpy.qos import HistoryPolicy, QoSProfile, ReliabilityPolicy
    rclpy.init()
    node = rclpy.create_node('bench_camera')
    image, hbm = _messages(width, height)
    msg = hbm if kind == 'hbm' else image
    qos = QoSProfile(depth=1, history=HistoryPolicy.KEEP_LAST,
                     reliability=ReliabilityPolicy.RELIABLE if reliability == 'reliable'
                     else ReliabilityPolicy.BEST_EFFORT)
    pub = node.create_publisher(type(msg), topic, qos)
    published = 0
    try:
        while pub.get_subscription_count() == 0:
            rclpy.spin_once(node, timeout_sec=0.05)
        period = 1.0 / rate
        due = time.monotonic()
        end = due + seconds
        while time.monotonic() < end:
            stamp = node.get_clock().now().to_msg()
            if kind == 'hbm':
                msg.time_stamp = stamp
            else:
                msg.header.stamp = stamp
            pub.publish(msg)
            published += 1
            due += period
            time.sleep(max(0.0, due - time.monotonic()))
    finally:
        print('published', published, flush=True)
        node.destroy_node()
        rclpy.try_shutdown()


# Our own profile file with the settings hobot_shm's shm_fastdds.xml documents.
TROS_PROFILE_XML = """<?xml version="1.0" encoding="UTF-8"?>
<profiles xmlns="http://www.eprosima.com/XMLSchemas/fastRTPS_Profiles">
  <data_writer profile_name="bench writer" is_default_profile="true">
    <qos>
      <publishMode><kind>ASYNCHRONOUS</kind></publishMode>
      <data_sharing><kind>AUTOMATIC</kind></data_sharing>
    </qos>
    <historyMemoryPolicy>PREALLOCATED_WITH_REALLOC</historyMemoryPolicy>
  </data_writer>
  <data_reader profile_name="bench reader" is_default_profile="true">
    <qos>
      <data_sharing><kind>AUTOMATIC</kind></data_sharing>
    </qos>
    <historyMemoryPolicy>PREALLOCATED_WITH_REALLOC</historyMemoryPolicy>
  </data_reader>
</profiles>
"""


def _tros_profile_env(directory):
    path = os.path.join(directory, 'tros_shm_profile.xml')
    with open(path, 'w', encoding='utf-8') as f:
        f.write(TROS_PROFILE_XML)
    env = dict(os.environ)
    env.update({'RMW_IMPLEMENTATION': 'rmw_fastrtps_cpp', 'FASTRTPS_DEFAULT_PROFILES_FILE': path,
                'RMW_FASTRTPS_USE_QOS_FROM_XML': '1', 'ROS_DISABLE_LOANED_MESSAGES': '0'})
    return env


def _dds_runs(args, width, height):
    import tempfile

    import rclpy

    from resnet_x5_ros.tools.bench.through_ros import _Listener, NAMESPACE
    from resnet_x5_ros.tools.ros_domain import isolate_ros_environment
    isolate_ros_environment()
    params = share_path('config', 'classifier_cpu.yaml')
    runs = {
        'ros_image_reliable': ('image', 'ros', 'reliable', False),
        'shared_mem_reliable': ('hbm', 'shared_mem', 'reliable', False),
        'shared_mem_best_effort': ('hbm', 'shared_mem', 'best_effort', False),
        'ros_image_tros_profile': ('image', 'ros', 'reliable', True),
        'shared_mem_best_effort_tros_profile': ('hbm', 'shared_mem', 'best_effort', True),
    }
    rows = {}
    rclpy.init()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            profile_env = _tros_profile_env(tmp)
            for name, (kind, io_method, reliability, tros) in runs.items():
                rows[name] = _dds_run(rclpy, _Listener, NAMESPACE, params, kind, io_method,
                                      reliability, width, height, args,
                                      profile_env if tros else None)
    finally:
        rclpy.try_shutdown()
    return rows


def _dds_run(rclpy, listener_type, namespace, params, kind, io_method, reliability, width,
             height, args, env):
    node = NodeProcess(params, namespace=namespace, parameters={'io_method': io_method},
                       env=env, output=DISCARD)
    listener = listener_type(rclpy)
    topic = namespace + ('/hbmem_img' if kind == 'hbm' else '/image')
    camera = subprocess.Popen(
        [sys.executable, '-c', 'from resnet_x5_ros.tools.bench.hbm_transport import '
         'publish_camera; publish_camera({!r}, {!r}, {}, {}, {}, {!r}, {})'.format(
             kind, topic, width, height, args.rate, reliability, args.dds_seconds)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        # Wait for the node's first diagnostics, then measure while the camera runs.
        while not listener.diagnostics:
            rclpy.spin_once(listener.node, timeout_sec=0.1)
        cpu_start, first = cpu_seconds(node.pid), listener.diagnostics[-1][1]
        while camera.poll() is None:
            rclpy.spin_once(listener.node, timeout_sec=0.05)
        cpu = cpu_seconds(node.pid) - cpu_start
        end = time.monotonic() + 1.5  # one more diagnostics period
        while time.monotonic() < end:
            rclpy.spin_once(listener.node, timeout_sec=0.05)
        last = listener.diagnostics[-1][1]
        published = int(camera.stdout.read().split()[-1])
    finally:
        listener.node.destroy_node()
        node.stop()
    received = int(last['received']) - int(first['received'])
    return {
        'published': published, 'received': received,
        'delivered': received / published if published else float('nan'),
        'classified': int(last['published']) - int(first['published']),
        'node_cpu_ms_per_frame': 1000.0 * cpu / received if received else float('nan'),
        'latency_ms_p50': float(last.get('total_ms_median', 'nan')),
    }
