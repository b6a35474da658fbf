# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""tros.perception and RateMeter without DDS: boxes, stage stamps, message contents."""

import pytest
from std_msgs.msg import Header

from resnet_x5_ros.convert.encode import encode_compressed
from resnet_x5_ros.convert.resize import Rect
from resnet_x5_ros.pipeline import Frame
from resnet_x5_ros.stats import RateMeter
from resnet_x5_ros.tros.perception import (frame_size, model_name, PerceptionTargetsBuilder,
                                           seen_region, StageTimes)

# The TROS message packages: dev-only stand-ins here (make setup), TogetheROS.Bot on the
# board; absent from a plain ROS 2 Humble (make test-humble).
pytest.importorskip('ai_msgs.msg', reason='TROS message package not installed')


@pytest.mark.parametrize('mode, box', [
    ('center_crop', Rect(208, 0, 544, 544)),
    ('stretch', Rect(0, 0, 960, 544)),
    ('letterbox', Rect(0, 0, 960, 544)),
])
def test_the_box_is_the_region_the_model_saw(mode, box):
    assert seen_region((960, 544), 224, 224, mode) == box


def test_compressed_frames_are_measured_from_their_header():
    import numpy as np
    jpeg = encode_compressed(np.zeros((30, 50, 3), np.uint8), 'jpeg')
    assert frame_size(Frame(jpeg, 'jpeg', compressed=True)) == (50, 30)
    # Unknown size: a 1x1 box at the origin still lies inside any decodable image.
    assert frame_size(Frame(b'BM....', 'bmp', compressed=True)) is None
    assert seen_region(None, 224, 224, 'center_crop') == Rect(0, 0, 1, 1)


def test_model_name_is_the_file_stem():
    assert model_name('/opt/hobot/model/x5/basic/resnet18_224x224_nv12.bin') == \
        'resnet18_224x224_nv12'


def test_stage_stamps_follow_each_other_in_the_node_clock():
    times = StageTimes(received=10.0, started=10.001, convert=0.002, infer=0.010, post=0.001,
                       finished=10.015, now_ns=5_000_000_000, now_perf=10.015)
    assert times.to_ns(10.015) == 5_000_000_000
    assert times.to_ns(10.0) == 4_985_000_000
    assert times.spans['predict_infer'] == pytest.approx((10.003, 10.013))
    assert times.spans['pipeline'] == (10.0, 10.015)


def _times():
    return StageTimes(1.0, 1.0, 0.001, 0.002, 0.001, 1.005, 10**9, 1.005)


def test_builder_copies_the_header_and_lists_top_k():
    builder = PerceptionTargetsBuilder(['cat', 'dog', 'cup'], 'm.onnx')
    header = Header(frame_id='cam')
    header.stamp.sec, header.stamp.nanosec = 3, 4
    msg = builder.build(header, [(2, 0.75), (0, 0.25)], Rect(1, 2, 3, 4), _times(), fps=29.6)
    assert msg.header == header and msg.fps == 30
    target, = msg.targets
    assert target.type == 'cup'
    assert [(a.type, a.value, a.confidence) for a in target.attributes] == \
        [('cup', 0.75, 0.75), ('cat', 0.25, 0.25)]
    rect = target.rois[0].rect
    assert (rect.x_offset, rect.y_offset, rect.width, rect.height) == (1, 2, 3, 4)
    assert [p.type for p in msg.perfs] == ['m_preprocess', 'm_predict_infer', 'm_postprocess',
                                           'm_pipeline']
    assert msg.perfs[-1].time_ms_duration == pytest.approx(5.0)


def test_no_class_above_threshold_still_answers_the_frame():
    # websocket shows no frame without a result once results started: send an empty one.
    msg = PerceptionTargetsBuilder(['cat'], 'm.bin').build(Header(), [], Rect(0, 0, 1, 1),
                                                           _times(), fps=1)
    assert msg.targets == [] and len(msg.perfs) == 4


def test_rate_meter_counts_the_last_window():
    now = [0.0]
    meter = RateMeter(window=1.0, clock=lambda: now[0])
    rates = []
    for _ in range(30):
        now[0] += 0.125  # exact in binary: no rounding at the window's edge
        rates.append(meter.tick())
    assert rates[0] == 1.0
    assert rates[-1] == 8.0  # the ticks in (t - 1 s, t]


class _Publisher:
    def __init__(self):
        self.subscribers = 0
        self.sent = []

    def get_subscription_count(self):
        return self.subscribers

    def publish(self, msg):
        self.sent.append(msg)


class _Node:
    """What PerceptionOutput uses of a node, with a publisher whose subscribers we set."""

    def __init__(self):
        from rclpy.clock import Clock
        self.publisher = _Publisher()
        self._clock = Clock()

    def create_publisher(self, msg_type, topic, depth):
        return self.publisher

    def get_clock(self):
        return self._clock

    def resolve_topic_name(self, topic):
        return '/' + topic


def test_targets_are_wanted_only_while_someone_subscribes():
    from resnet_x5_ros.tros.perception import PerceptionOutput
    node = _Node()
    output = PerceptionOutput(node, 'hobot_dnn_detection', ['a', 'b'], 'm.bin', (224, 224))
    assert not output.subscribed()  # the node then skips prepare() and publish()
    node.publisher.subscribers = 1
    assert output.subscribed()
