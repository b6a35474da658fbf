# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""The node object in this process on the pyeasy_dnn STAND-IN, frames handed to it directly.

For what a subprocess cannot make deterministic: the order in which two workers finish, the
parameter ranges of a model with more than 1000 classes, the colour range of camera frames.
The stand-in's ramp scorer answers class = mean Y byte of the NV12 it was given, so the
classification tells exactly which NV12 the node made of a frame. Publishers are replaced by
recorders: what the node published is checked, not what DDS delivered.
"""

import array
import time

import numpy as np
import pytest

from resnet_x5_ros.pipeline import Frame
from support.standins import standin_support as standins

pytestmark = pytest.mark.ros


class Recorder:
    """Stands in for a publisher with one subscriber; keeps what was published."""

    def __init__(self):
        self.sent = []

    def publish(self, msg):
        self.sent.append(msg)

    def get_subscription_count(self):
        return 1


def ramp_scorer(num_classes):
    def score(nv12, width, height, model_path):
        scores = np.zeros(num_classes, dtype=np.float32)
        scores[int(np.asarray(nv12[:width * height], np.float64).mean()) % num_classes] = 10.0
        return scores
    return score


@pytest.fixture
def make_node(tmp_path):
    """make_node(num_classes=1000, **parameters) -> a ClassifierNode with recorders."""
    import rclpy
    from rclpy.parameter import Parameter
    from resnet_x5_ros.node import ClassifierNode
    context = rclpy.Context()
    rclpy.init(context=context)
    nodes = []
    with standins.standin_runtime() as pyeasy_dnn:
        def make(num_classes=1000, **parameters):
            pyeasy_dnn.configure(num_classes=num_classes)
            pyeasy_dnn.set_scorer(ramp_scorer(num_classes))
            values = {'backend': 'bpu', 'model_path': standins.write_fixture_bin(
                tmp_path / 'model.bin', nv12_range='full')}
            values.update(parameters)
            node = ClassifierNode(context=context, parameter_overrides=[
                Parameter(k, value=v) for k, v in values.items()])
            nodes.append(node)
            node.published = Recorder()
            node.overlays = Recorder()
            node._classification_pub = node.published
            node._overlay_pub = node.overlays
            return node
        try:
            yield make
        finally:
            for node in nodes:
                node.shutdown()
                node.destroy_node()
            context.try_shutdown()


def image(level, stamp_sec, encoding='bgr8', width=64, height=48):
    """A uniform frame: bgr8 grey `level`, or nv12 with Y = level and neutral chroma."""
    from sensor_msgs.msg import Image
    if encoding == 'nv12':
        data = np.concatenate([np.full(width * height, level, np.uint8),
                               np.full(width * height // 2, 128, np.uint8)])
        step = width
    else:
        data = np.full(width * height * 3, level, np.uint8)
        step = width * 3
    msg = Image(height=height, width=width, encoding=encoding, step=step)
    msg.data = array.array('B', data.tobytes())
    msg.header.stamp.sec = stamp_sec
    return msg


def process(node, sequence, msg):
    """Run one frame through the node as a worker does, with a given arrival order."""
    frame = Frame(msg.data, msg.encoding, msg.width, msg.height, msg.step)
    node._process((sequence, time.perf_counter(), frame, msg))


def top_class(node):
    return int(node.published.sent[-1].results[0].class_id)


def test_overlay_of_a_result_that_finished_late_is_not_published(make_node):
    node = make_node(num_workers=2)
    # Frame 2 finished first and went out; frame 1's worker finishes after it.
    process(node, 2, image(60, stamp_sec=2))
    process(node, 1, image(50, stamp_sec=1))
    assert [m.header.stamp.sec for m in node.published.sent] == [2]
    assert [m.header.stamp.sec for m in node.overlays.sent] == [2]
    assert node.stats.counts()['stale'] == 1
    process(node, 3, image(70, stamp_sec=3))
    assert [m.header.stamp.sec for m in node.overlays.sent] == [2, 3]


def test_top_k_goes_up_to_the_class_count_of_the_loaded_model(make_node, tmp_path):
    from rclpy.parameter import Parameter
    labels = tmp_path / 'labels.txt'
    labels.write_text(''.join('class {}\n'.format(i) for i in range(1200)))
    node = make_node(num_classes=1200, labels_path=str(labels), top_k=1100)
    process(node, 1, image(80, stamp_sec=1))
    assert len(node.published.sent[-1].results) == 1100
    # `ros2 param describe` tells the real range, and set_parameters keeps to it.
    assert node.describe_parameter('top_k').integer_range[0].to_value == 1200
    assert node.set_parameters([Parameter('top_k', value=1200)])[0].successful
    refused = node.set_parameters([Parameter('top_k', value=1201)])[0]
    assert not refused.successful and '1200' in refused.reason, refused.reason
    process(node, 2, image(80, stamp_sec=2))
    assert len(node.published.sent[-1].results) == 1200


def test_top_k_above_the_class_count_stops_start_up_naming_it(make_node):
    from resnet_x5_ros.node import StartupError
    with pytest.raises(StartupError) as error:
        make_node(top_k=1001)
    assert 'top_k' in str(error.value) and '1000' in str(error.value)


def test_camera_range_remaps_camera_yuv_and_changes_at_run_time(make_node):
    from rclpy.parameter import Parameter
    # The model wants full range; the camera sends video range, where Y 100 means the same
    # grey as full-range (100 - 16) * 255 / 219 = 97.8.
    node = make_node(camera_range='video')
    process(node, 1, image(100, stamp_sec=1, encoding='nv12'))
    assert top_class(node) in (97, 98)
    assert node.set_parameters([Parameter('camera_range', value='auto')])[0].successful
    process(node, 2, image(100, stamp_sec=2, encoding='nv12'))
    assert top_class(node) == 100  # auto: passed through as the model's range
    process(node, 3, image(100, stamp_sec=3, encoding='bgr8'))
    assert top_class(node) == 100  # RGB-family frames are converted, camera_range or not
    refused = node.set_parameters([Parameter('camera_range', value='pc')])[0]
    assert not refused.successful and 'camera_range' in refused.reason
