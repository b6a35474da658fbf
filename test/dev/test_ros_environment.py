# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""The dev environment is real ROS 2: two processes exchange messages over DDS on loopback."""

import array
import os

import pytest
import rclpy
from rclpy.executors import SingleThreadedExecutor
from sensor_msgs.msg import Image
from vision_msgs.msg import Classification, LabelInfo, ObjectHypothesis, VisionClass, VisionInfo

from resnet_x5_ros.tools import ros_domain
from resnet_x5_ros.tools.node_process import stop_process
from support import TEST_DIR
from support.rosutil import spin_until, start_process

PEERS = os.path.join(TEST_DIR, 'support', 'peers')

pytestmark = pytest.mark.ros


def test_dds_stays_on_loopback_and_checks_fields():
    # The variable this distribution reads, and only that one: Jazzy warns at every node
    # start when Humble's ROS_LOCALHOST_ONLY is set too.
    if ros_domain.rclpy_version()[0] < 4:
        assert os.environ['ROS_LOCALHOST_ONLY'] == '1'
        assert 'ROS_AUTOMATIC_DISCOVERY_RANGE' not in os.environ
    else:
        assert os.environ['ROS_AUTOMATIC_DISCOVERY_RANGE'] == 'LOCALHOST'
        assert 'ROS_LOCALHOST_ONLY' not in os.environ
    assert 1 <= int(os.environ['ROS_DOMAIN_ID']) <= 100
    # With ROS_PYTHON_CHECK_FIELDS=1 a wrongly typed field is refused, as on Humble.
    with pytest.raises(AssertionError):
        ObjectHypothesis(class_id='1', score=1)


def test_vision_msgs_fields_match_4_1():
    assert ObjectHypothesis.get_fields_and_field_types() == {
        'class_id': 'string', 'score': 'double'}
    assert Classification.get_fields_and_field_types() == {
        'header': 'std_msgs/Header', 'results': 'sequence<vision_msgs/ObjectHypothesis>'}
    assert VisionClass.get_fields_and_field_types() == {
        'class_id': 'uint16', 'class_name': 'string'}
    assert LabelInfo.get_fields_and_field_types() == {
        'header': 'std_msgs/Header', 'class_map': 'sequence<vision_msgs/VisionClass>',
        'threshold': 'float'}
    assert VisionInfo.get_fields_and_field_types() == {
        'header': 'std_msgs/Header', 'method': 'string', 'database_location': 'string',
        'database_version': 'int32'}


def test_image_and_classification_cross_processes():
    peer = start_process([os.path.join(PEERS, 'classification_echo.py')])
    rclpy.init()
    try:
        node = rclpy.create_node('environment_test')
        executor = SingleThreadedExecutor()
        executor.add_node(node)
        received = []
        node.create_subscription(Classification, 'echo_classification', received.append, 10)
        publisher = node.create_publisher(Image, 'echo_image', 10)
        assert spin_until(executor, lambda: publisher.get_subscription_count() > 0 and
                          node.count_publishers('echo_classification') > 0, 30.0), \
            'the peer process never matched: ' + (peer.stdout.read() if peer.poll() else '')

        image = Image(height=2, width=3, encoding='rgb8', step=9,
                      data=array.array('B', [200] + [7] * 17))
        image.header.frame_id = 'camera_optical'
        image.header.stamp.sec = 1234
        image.header.stamp.nanosec = 5678

        def answered():
            # Resend until the first answer: discovery may still drop the first message.
            if not received:
                publisher.publish(image)
            return bool(received)

        assert spin_until(executor, answered, 15.0), 'no Classification came back'
        answer = received[0]
        assert answer.header.frame_id == 'camera_optical'
        assert (answer.header.stamp.sec, answer.header.stamp.nanosec) == (1234, 5678)
        assert [h.class_id for h in answer.results] == ['3x2', 'rgb8']
        assert answer.results[1].score == pytest.approx(200 / 255.0)
    finally:
        rclpy.try_shutdown()
        code, out = stop_process(peer)
    assert code == 0, out
    assert 'Traceback' not in out, out
