# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Cameras and consumers coming and going, and the resolution changing mid-stream.

The node runs backend bpu on the pyeasy_dnn STAND-IN with the ramp scorer (a uniform grey
frame of level L is class L), so after every change the result can be checked against the
frame it answers. Camera processes are separate DDS participants (own rclpy contexts) that
appear, publish and vanish; consumers of `classification` and `overlay` do the same. The node
must keep answering correctly and end with as many threads as it had after the first round.
"""

import pytest

from resnet_x5_ros.tools.bench.proc import proc_status
from support.nodes import start_node
from support.reliability import Diagnostics, grey_image, Results, standin_env
from support.rosutil import RosClient

pytestmark = [pytest.mark.ros, pytest.mark.slow]

NS = '/t_churn'
CAMERA_ROUNDS = 5
# (width, height, encoding): the resolution and layout change from one frame to the next.
SHAPES = [(640, 480, 'bgr8'), (64, 48, 'nv12'), (1280, 720, 'yuyv'), (33, 17, 'bgr8'),
          (2, 2, 'mono8'), (4096, 16, 'rgb8'), (224, 224, 'uyvy'), (17, 1000, 'bgra8')]


@pytest.fixture(scope='module')
def node(tmp_path_factory):
    folder = tmp_path_factory.mktemp('churn')
    env, model = standin_env(folder)
    proc = start_node(NS, '-p', 'backend:=bpu', '-p', 'model_path:=' + model,
                      '-p', 'diagnostics_period:=0.2', params_file=None, env=env,
                      log=folder / 'node.log')
    yield proc
    code, out = proc.stop()
    assert code == 0, out[-3000:]
    assert 'Traceback' not in out, out[-3000:]


class _Camera:
    """One camera process: its own participant, a publisher, a result subscriber."""

    def __init__(self, name, reliable=True):
        from rclpy.qos import QoSProfile, ReliabilityPolicy
        from sensor_msgs.msg import Image
        self.client = RosClient(name)
        qos = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE if reliable
                         else ReliabilityPolicy.BEST_EFFORT)
        self.pub = self.client.node.create_publisher(Image, NS + '/image', qos)
        self.results = Results(self.client, NS + '/classification')
        self.sent = 0

    def matched(self, timeout=30.0):
        return self.client.spin_until(
            lambda: self.pub.get_subscription_count() > 0 and
            self.client.node.count_publishers(NS + '/classification') > 0, timeout)

    def classify(self, level, width, height, encoding, timeout=30.0):
        """Publish one grey frame (again after a loss) until its result arrives; returns it."""
        self.sent += 1
        msg = grey_image(level, width, height, encoding,
                         frame_id='{}-{}'.format(self.client.node.get_name(), self.sent),
                         stamp_sec=self.sent)
        key = msg.header.frame_id
        published = [0]

        def answered():
            if key in self.results.by_frame:
                return True
            # Republish on every turn without an answer only until the first one lands;
            # a depth-1 reliable link does not lose a lone frame once matched.
            if published[0] < 3:
                self.pub.publish(msg)
                published[0] += 1
            return False

        assert self.client.spin_until(answered, timeout), (key, width, height, encoding)
        return self.results.by_frame[key][0]

    def close(self):
        self.client.close()


def _expect_class(result, level):
    assert result.results[0].class_id == str(level), result


def test_cameras_come_and_go_with_changing_resolutions(node):
    baseline = None
    for round_ in range(CAMERA_ROUNDS):
        camera = _Camera('camera_{}'.format(round_))
        try:
            assert camera.matched(), node.output()[-2000:]
            for i, (width, height, encoding) in enumerate(SHAPES):
                level = 20 + 10 * round_ + i
                _expect_class(camera.classify(level, width, height, encoding), level)
        finally:
            camera.close()
        if round_ == 0:
            baseline = proc_status(node.pid)
    assert node.alive()
    # Camera participants came and went: the node is back to its first-round thread count.
    rss, threads = proc_status(node.pid)
    print('churn: node threads {} -> {}, RSS {:.1f} -> {:.1f} MB'.format(
        baseline[1], threads, baseline[0], rss))
    assert threads == baseline[1]


def test_two_cameras_at_once_then_one_leaves(node):
    first, second = _Camera('cam_a'), _Camera('cam_b')
    try:
        assert first.matched() and second.matched()
        _expect_class(first.classify(101, 320, 240, 'bgr8'), 101)
        _expect_class(second.classify(102, 160, 120, 'nv12'), 102)
        second.close()
        second = None
        _expect_class(first.classify(103, 640, 480, 'rgb8'), 103)
    finally:
        first.close()
        if second is not None:
            second.close()


def _consumer_round(camera, consumer, round_):
    """Subscribe to classification and overlay, check one frame reaches both, unsubscribe."""
    from sensor_msgs.msg import Image
    from vision_msgs.msg import Classification
    got, overlays = [], []
    subs = [consumer.node.create_subscription(Classification, NS + '/classification',
                                              got.append, 10),
            consumer.node.create_subscription(Image, NS + '/overlay', overlays.append, 10)]
    try:
        assert consumer.spin_until(
            lambda: consumer.node.count_publishers(NS + '/overlay') > 0 and
            consumer.node.count_publishers(NS + '/classification') > 0)
        level = 150 + round_
        width, height = 96 + 32 * round_, 64 + 16 * round_

        def reached_consumer():
            # The node may not have seen the new overlay subscription when a frame came in
            # (it then skips the overlay): send another frame until one reaches both.
            result = camera.classify(level, width, height, 'bgr8')
            _expect_class(result, level)
            key = result.header.frame_id
            consumer.spin_until(lambda: any(m.header.frame_id == key for m in got) and
                                any(m.header.frame_id == key for m in overlays), 1.0)
            return [m for m in overlays if m.header.frame_id == key]

        overlay = None
        for _ in range(20):
            found = reached_consumer()
            if found:
                overlay = found[0]
                break
        assert overlay is not None, 'no overlay reached the consumer'
        # The overlay is the frame itself (its size) with the top-k drawn on it.
        assert (overlay.width, overlay.height, overlay.encoding) == (width, height, 'bgr8')
    finally:
        for sub in subs:
            consumer.node.destroy_subscription(sub)


def test_consumers_come_and_go(node):
    camera = _Camera('camera_consumers')
    try:
        assert camera.matched()
        # Subscriptions coming and going in one long-lived consumer process...
        steady = RosClient('steady_consumer')
        try:
            for round_ in range(4):
                _consumer_round(camera, steady, round_)
        finally:
            steady.close()
        # ...and consumer processes coming and going.
        for round_ in range(4, 6):
            consumer = RosClient('consumer_{}'.format(round_))
            try:
                _consumer_round(camera, consumer, round_)
            finally:
                consumer.close()
        # Everyone left: the node still answers the camera.
        _expect_class(camera.classify(200, 64, 48, 'bgr8'), 200)
    finally:
        camera.close()


def test_diagnostics_account_for_everything_after_the_churn(node):
    client = RosClient('churn_diagnostics')
    try:
        diagnostics = Diagnostics(client, NS + '/classifier')
        assert client.spin_until(diagnostics.settled, 30.0), diagnostics.counts()
        counts = diagnostics.counts()
        assert counts['internal_errors'] == 0 and counts['backend_errors'] == 0, counts
        assert counts['rejected'] == 0, counts
        assert counts['processed'] >= CAMERA_ROUNDS * len(SHAPES), counts
    finally:
        client.close()


def test_auto_qos_follows_a_camera_replaced_by_a_best_effort_one(tmp_path):
    env, model = standin_env(tmp_path)
    churn_node = start_node(NS + '_qos', '-p', 'backend:=bpu', '-p', 'model_path:=' + model,
                            params_file=None, env=env, log=tmp_path / 'node.log')
    try:
        from rclpy.qos import QoSProfile, ReliabilityPolicy
        from sensor_msgs.msg import Image
        reliable = RosClient('reliable_camera')
        try:
            pub = reliable.node.create_publisher(
                Image, NS + '_qos/image', QoSProfile(depth=1,
                                                     reliability=ReliabilityPolicy.RELIABLE))
            assert reliable.spin_until(lambda: pub.get_subscription_count() > 0, 60.0)
        finally:
            reliable.close()
        best_effort = RosClient('best_effort_camera')
        try:
            pub = best_effort.node.create_publisher(
                Image, NS + '_qos/image',
                QoSProfile(depth=1, reliability=ReliabilityPolicy.BEST_EFFORT))
            # The node sees the new publisher, re-subscribes best effort, and DDS matches.
            best_effort.spin_until(lambda: pub.get_subscription_count() > 0, 30.0)
            assert pub.get_subscription_count() > 0, 'the node requested reliable delivery'
        finally:
            best_effort.close()
    finally:
        churn_node.stop()
    assert 'with best_effort QoS' in churn_node.output(), churn_node.output()[-2000:]
