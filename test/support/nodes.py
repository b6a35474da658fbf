# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""The classifier node under test: its own process, started and stopped by the tools' helper.

    node = start_node('/t_x', '-p', 'top_k:=3')       # CPU backend, the dev YAML
    ...                                                # talk to it over DDS (rosutil.RosClient)
    code, out = node.stop()                            # SIGINT, as Ctrl-C and ros2 launch do

resnet_x5_ros.tools.node_process.NodeProcess does the starting and stopping; here it runs this
checkout's node module with the test's Python (not whatever `classifier_node` is on PATH) in
the test run's environment (rosutil.child_env). Also the pieces several node tests share:
Image messages, and an Exchange that sends frames until the node answers.
"""

import array
import atexit
import contextlib
import os
import signal
import sys
import time

import pytest

from resnet_x5_ros.convert.encode import encode_image
from resnet_x5_ros.postprocess import DEFAULT_LABELS_PATH, load_labels
from resnet_x5_ros.tools.node_process import CAPTURE, MODULE, NodeProcess
from support import REPO
from support.rosutil import child_env

NODE = (sys.executable, '-m', MODULE)
CPU_MODEL = os.path.join(REPO, 'models', 'efficientnet_lite0.onnx')
CPU_PARAMS = os.path.join(REPO, 'config', 'classifier_cpu.yaml')
SAMPLES = os.path.join(REPO, 'resnet_x5_ros', 'data', 'samples')
LABELS = load_labels(DEFAULT_LABELS_PATH)
ESPRESSO = LABELS.index('espresso')
ERROR_PREFIX = 'classifier_node: error:'

needs_model = pytest.mark.skipif(not os.path.exists(CPU_MODEL),
                                 reason='run `make model` first: no ' + CPU_MODEL)

_started = []


@atexit.register
def _kill_leftovers():
    # A test that failed half-way must not leave a node running after pytest exits.
    for node in _started:
        if node.poll() is None:
            node.process.kill()
            node.process.wait()


class NodeUnderTest(NodeProcess):
    """A NodeProcess whose output may go to a log file that can be read while it runs.

    A log file keeps a chatty node from ever blocking on a full pipe; stop() and finished()
    then return the file's text as the output.
    """

    def __init__(self, namespace, *ros_args, params_file=CPU_PARAMS, env=None, log=None,
                 **command):
        super().__init__(params_file, output=CAPTURE if log is None else log,
                         env=child_env(**(env or {})), cwd=REPO, executable=NODE,
                         namespace=namespace, ros_args=ros_args, **command)
        self.namespace = namespace
        _started.append(self)

    def alive(self):
        return self.poll() is None

    def output(self):
        """Return what the node has written to its log file so far."""
        with open(self.log_path, encoding='utf-8', errors='replace') as f:
            return f.read()

    def stop(self, sig=signal.SIGINT, timeout=15.0):
        code, out = super().stop(sig, timeout)
        return code, self.output() if self.log_path else out

    def finished(self, timeout=60.0):
        code, out = super().finished(timeout)
        return code, self.output() if self.log_path else out


def start_node(namespace, *ros_args, params_file=CPU_PARAMS, env=None, log=None, **command):
    """Start the node in namespace with these ROS arguments; see NodeUnderTest.

    command: node_process.node_command's parameters= and remaps=.
    """
    return NodeUnderTest(namespace, *ros_args, params_file=params_file, env=env, log=log,
                         **command)


@contextlib.contextmanager
def node_running(namespace, *ros_args, **options):
    """Start the node (see start_node); on leaving, stop it and check it ended cleanly."""
    node = start_node(namespace, *ros_args, **options)
    try:
        yield node
    finally:
        code, out = node.stop()
    assert code == 0 and 'Traceback' not in out, out


def refused_start_up(node, timeout=60.0):
    """Wait for a node that must refuse to start: (its one error line, its whole output).

    It must end by itself (killed after timeout seconds) with exit code 2, no traceback and
    exactly one error line, short enough to read.
    """
    code, out = node.finished(timeout)
    if code == -signal.SIGKILL:
        pytest.fail('the node did not stop by itself: ' + out[-2000:])
    assert code == 2, out
    assert 'Traceback' not in out, out
    errors = [line for line in out.splitlines() if ERROR_PREFIX in line]
    assert len(errors) == 1, out
    # One line a person can read, not a whole exception dump.
    assert len(errors[0]) < 600, errors[0]
    return errors[0], out


def image_msg(bgr, encoding, frame_id='', stamp_sec=0):
    """Return a sensor_msgs/Image of a BGR picture in the given encoding."""
    from sensor_msgs.msg import Image
    data, width, height, step = encode_image(bgr, encoding)
    msg = Image(height=height, width=width, encoding=encoding, step=step)
    msg.data = array.array('B', data)
    msg.header.frame_id = frame_id
    msg.header.stamp.sec = stamp_sec
    return msg


class Exchange:
    """Publishes frames to the node and collects its classifications, keyed by frame_id."""

    def __init__(self, client, compressed=False):
        from sensor_msgs.msg import CompressedImage, Image
        from vision_msgs.msg import Classification
        self.client = client
        self.results = {}
        client.node.create_subscription(Classification, 'classification', self._on_result, 10)
        if compressed:
            self.pub = client.node.create_publisher(CompressedImage, 'image/compressed', 1)
        else:
            self.pub = client.node.create_publisher(Image, 'image', 1)
        assert client.spin_until(lambda: self.pub.get_subscription_count() > 0 and
                                 client.node.count_publishers('classification') > 0), \
            'the node never subscribed to our images'

    def _on_result(self, msg):
        self.results.setdefault(msg.header.frame_id, []).append(msg)

    def send_until_answered(self, msg, timeout=30.0):
        """Publish msg (again, if a frame is lost in discovery) until its result arrives."""
        key = msg.header.frame_id
        last = [0.0]

        def answered():
            if key in self.results:
                return True
            if time.monotonic() - last[0] > 0.5:
                last[0] = time.monotonic()
                self.pub.publish(msg)
            return False

        assert self.client.spin_until(answered, timeout), 'no classification for ' + key
        return self.results[key][0]
