# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""ai_msgs/PerceptionTargets for the TROS web display, through DDS with the dev ai_msgs."""

import os

import cv2
import pytest

from resnet_x5_ros.convert.resize import plan
from support import REPO
from support.nodes import (Exchange, image_msg, LABELS, needs_model, node_running,
                           refused_start_up, SAMPLES, start_node)
from support.rosutil import RosClient

# The TROS message packages: dev-only stand-ins here (make setup), TogetheROS.Bot on the
# board; absent from a plain ROS 2 Humble (make test-humble).
pytest.importorskip('ai_msgs.msg', reason='TROS message package not installed')

pytestmark = pytest.mark.ros

NAMESPACE = '/t_tros_web'
TOPIC = 'hobot_dnn_detection'
MODEL_INPUT = (224, 224)  # EfficientNet-Lite0, the dev CPU model


@pytest.fixture(scope='module')
def web_node():
    with node_running(NAMESPACE, '-p', 'perception_topic:=' + TOPIC) as node:
        yield node


@pytest.fixture(scope='module')
def coffee():
    return cv2.imread(os.path.join(SAMPLES, 'coffee.png'), cv2.IMREAD_COLOR)


@pytest.fixture
def client():
    c = RosClient('test_client', namespace=NAMESPACE)
    yield c
    c.close()


class Targets:
    """Collects PerceptionTargets by frame_id."""

    def __init__(self, client):
        from ai_msgs.msg import PerceptionTargets
        self.by_frame = {}
        client.node.create_subscription(PerceptionTargets, TOPIC, self._on_msg, 10)
        assert client.spin_until(lambda: client.node.count_publishers(TOPIC) > 0), \
            'the node does not publish ' + TOPIC

    def _on_msg(self, msg):
        self.by_frame.setdefault(msg.header.frame_id, []).append(msg)


def _answer(client, exchange, targets, msg):
    """Send msg until both its Classification and its PerceptionTargets arrived."""
    key = msg.header.frame_id
    exchange.send_until_answered(msg)
    assert client.spin_until(lambda: key in targets.by_frame), 'no PerceptionTargets for ' + key
    return exchange.results[key][0], targets.by_frame[key][0]


def _stamp(header):
    return header.stamp.sec, header.stamp.nanosec


@needs_model
def test_targets_carry_the_frame_header_and_the_classification(web_node, client, coffee):
    targets = Targets(client)
    exchange = Exchange(client)
    msg = image_msg(coffee, 'nv12', 'web_cam', stamp_sec=1234)
    msg.header.stamp.nanosec = 987654321
    classification, perception = _answer(client, exchange, targets, msg)

    # websocket pairs JPEG frames and results by stamp equality.
    assert _stamp(perception.header) == _stamp(classification.header) == (1234, 987654321)
    assert perception.header.frame_id == 'web_cam'
    assert len(perception.targets) == 1
    target = perception.targets[0]
    top = [(LABELS[int(h.class_id)], h.score) for h in classification.results]
    assert target.type == top[0][0] == 'espresso'
    assert [(a.type, a.value) for a in target.attributes] == \
        [(name, pytest.approx(score, rel=1e-6)) for name, score in top]
    assert all(a.confidence == a.value for a in target.attributes)

    assert len(target.rois) == 1
    roi = target.rois[0]
    assert roi.confidence == pytest.approx(top[0][1], rel=1e-6)
    rect = roi.rect
    assert rect.width > 0 and rect.height > 0
    assert rect.x_offset + rect.width <= msg.width
    assert rect.y_offset + rect.height <= msg.height
    # The box is the centre crop the model saw (center_crop in the dev config).
    crop, _ = plan(msg.width, msg.height, *MODEL_INPUT, 'center_crop')
    assert (rect.x_offset, rect.y_offset, rect.width, rect.height) == tuple(crop)


@needs_model
def test_perfs_name_the_stages_and_fps_counts_results(web_node, client, coffee):
    targets = Targets(client)
    exchange = Exchange(client)
    for n in range(3):
        _, perception = _answer(client, exchange, targets,
                                image_msg(coffee, 'bgr8', 'perf_{}'.format(n), 100 + n))
    perfs = {p.type: p for p in perception.perfs}
    assert set(perfs) == {'efficientnet_lite0_' + s for s in
                          ('preprocess', 'predict_infer', 'postprocess', 'pipeline')}
    for perf in perfs.values():
        start = perf.stamp_start.sec * 10**9 + perf.stamp_start.nanosec
        end = perf.stamp_end.sec * 10**9 + perf.stamp_end.nanosec
        assert end >= start
        assert perf.time_ms_duration == pytest.approx((end - start) / 1e6, abs=1e-3)
    stages = sum(perfs['efficientnet_lite0_' + s].time_ms_duration
                 for s in ('preprocess', 'predict_infer', 'postprocess'))
    assert perfs['efficientnet_lite0_pipeline'].time_ms_duration >= stages - 1e-3
    assert perfs['efficientnet_lite0_predict_infer'].time_ms_duration > 0
    assert perception.fps >= 1


@needs_model
def test_a_late_subscriber_gets_targets(web_node, client, coffee):
    exchange = Exchange(client)
    exchange.send_until_answered(image_msg(coffee, 'bgr8', 'before_late', 7))
    targets = Targets(client)  # subscribes only now, after the node has published
    _, perception = _answer(client, exchange, targets, image_msg(coffee, 'bgr8', 'late', 8))
    assert perception.targets[0].type == 'espresso'


@needs_model
def test_no_perception_topic_by_default(coffee):
    with node_running('/t_tros_off'):
        off = RosClient('test_client', namespace='/t_tros_off')
        try:
            Exchange(off).send_until_answered(image_msg(coffee, 'bgr8', 'plain', 9))
            types = dict(off.node.get_topic_names_and_types())
            assert not [t for t, kinds in types.items() if t.startswith('/t_tros_off/') and
                        'ai_msgs/msg/PerceptionTargets' in kinds]
            assert '/t_tros_off/classification' in types  # the check above can see the node
        finally:
            off.close()


def test_perception_topic_without_ai_msgs_stops_with_one_line(tmp_path):
    # A module named ai_msgs that fails to import, first on the path: as on a machine
    # without TogetheROS.Bot.
    (tmp_path / 'ai_msgs.py').write_text("raise ImportError('No module named ai_msgs')\n")
    line, out = refused_start_up(start_node('/t_tros_missing', '-p', 'perception_topic:=' + TOPIC,
                                            env={'PYTHONPATH': str(tmp_path)}))
    assert 'perception_topic' in line and 'ai_msgs' in line, out


@pytest.mark.parametrize('environment, declared', [
    ({}, set()),
    ({'TROS_DISTRO': 'humble'}, {'ai_msgs', 'hbm_img_msgs'}),
])
def test_tros_messages_are_dependencies_only_where_tros_is_sourced(environment, declared):
    # rosdep and colcon evaluate package.xml conditions against the environment; a user
    # without TROS must not be asked for packages that have no rosdep key.
    from catkin_pkg.package import parse_package
    package = parse_package(os.path.join(REPO, 'package.xml'))
    package.evaluate_conditions(environment)
    exec_depends = {d.name for d in package.exec_depends if d.evaluated_condition}
    assert exec_depends & {'ai_msgs', 'hbm_img_msgs'} == declared
    assert 'vision_msgs' in exec_depends
