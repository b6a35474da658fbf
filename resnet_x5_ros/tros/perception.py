# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""ai_msgs/PerceptionTargets for the TROS web display, built from one classification.

TROS's websocket pairs a result with a JPEG frame by header.stamp equality and draws a
target's text only at the top-left corner of one of its boxes, so every message carries the
source image's header unchanged and a box inside the image: the region the model saw.
ai_msgs comes with TogetheROS.Bot; it is imported only when the node is asked to publish.
"""

import os
import time

from builtin_interfaces.msg import Time

from resnet_x5_ros import convert
from resnet_x5_ros.convert.resize import plan, Rect
from resnet_x5_ros.stats import RateMeter

# Perf.type suffixes, named like D-Robotics' dnn_node_example (<model>_preprocess, ...).
PERF_STAGES = ('preprocess', 'predict_infer', 'postprocess', 'pipeline')


class PerceptionUnavailable(Exception):
    """ai_msgs cannot be imported; str() is the one line shown to users."""


def load_message_types():
    """Return the ai_msgs.msg module, or raise PerceptionUnavailable saying what to install."""
    try:
        from ai_msgs import msg
        # A folder named ai_msgs on the path imports as an empty namespace package: only a
        # built interface package has the message classes.
        from ai_msgs.msg import PerceptionTargets  # noqa: F401
    except ImportError as exc:
        raise PerceptionUnavailable(
            'parameter perception_topic is set but ai_msgs cannot be imported ({}); it comes '
            'with TogetheROS.Bot (source /opt/tros/humble/setup.bash) - or leave '
            'perception_topic empty'.format(exc)) from None
    return msg


def model_name(model_path):
    """Return the model file's name without directory and extension (resnet18_224x224_nv12)."""
    return os.path.splitext(os.path.basename(model_path))[0] or 'model'


def frame_size(frame):
    """(width, height) of a pipeline.Frame, or None for compressed data of unknown size."""
    if frame.compressed:
        return convert.compressed_size(frame.data)
    return frame.width, frame.height


def seen_region(size, input_width, input_height, resize_mode):
    """Return the Rect of the source image the model classified (the crop for center_crop).

    size None (compressed data the header parser does not know): a 1x1 box at the origin,
    which lies inside any image that decoded.
    """
    if size is None:
        return Rect(0, 0, 1, 1)
    width, height = size
    crop, _ = plan(width, height, input_width, input_height, resize_mode)
    return crop


class StageTimes:
    """When one frame's stages ran, in perf_counter seconds, plus the clock to stamp them.

    received: the callback got the frame; started: conversion began; convert/infer/post:
    the stage durations (pipeline.Result); finished: the result is about to be published.
    now_ns and now_perf are one reading of the node's clock and perf_counter, so stamps are
    in the node's time while durations keep perf_counter precision.
    """

    def __init__(self, received, started, convert, infer, post, finished, now_ns, now_perf):
        self.spans = {
            'preprocess': (started, started + convert),
            'predict_infer': (started + convert, started + convert + infer),
            'postprocess': (started + convert + infer, started + convert + infer + post),
            'pipeline': (received, finished),
        }
        self._now_ns = now_ns
        self._now_perf = now_perf

    def to_ns(self, perf_seconds):
        """Convert a perf_counter reading to nanoseconds of the node's clock."""
        return self._now_ns + int(round((perf_seconds - self._now_perf) * 1e9))


def _time(ns):
    return Time(sec=ns // 1_000_000_000, nanosec=ns % 1_000_000_000)


class PerceptionTargetsBuilder:
    """Builds ai_msgs/PerceptionTargets; construct only when perception output is on."""

    def __init__(self, labels, model_path):
        self._msg = load_message_types()
        self.message_type = self._msg.PerceptionTargets
        self._labels = labels
        self._perf_prefix = model_name(model_path) + '_'

    def build(self, header, top, box, times, fps):
        """Return the PerceptionTargets of one classification.

        header: the source image's std_msgs/Header (copied as is); top: [(class index,
        score)] best first, as published in the Classification; box: a Rect inside the
        image; times: StageTimes; fps: output rate (results per second).
        """
        msg = self._msg
        out = msg.PerceptionTargets(header=header, fps=_int16(fps))
        out.perfs = [self._perf(stage, times) for stage in PERF_STAGES]
        if top:
            best_index, best_score = top[0]
            roi = msg.Roi(confidence=float(best_score))
            roi.rect.x_offset, roi.rect.y_offset = int(box.x), int(box.y)
            roi.rect.width, roi.rect.height = int(box.w), int(box.h)
            target = msg.Target(type=self._labels[best_index], rois=[roi])
            target.attributes = [
                msg.Attribute(type=self._labels[i], value=float(s), confidence=float(s))
                for i, s in top]
            out.targets = [target]
        return out

    def _perf(self, stage, times):
        start, end = times.spans[stage]
        start_ns, end_ns = times.to_ns(start), times.to_ns(end)
        return self._msg.Perf(type=self._perf_prefix + stage,
                              stamp_start=_time(start_ns),
                              stamp_end=_time(end_ns),
                              time_ms_duration=(end_ns - start_ns) / 1e6)


def _int16(value):
    return max(0, min(int(round(value)), 32767))


class PerceptionOutput:
    """The node's PerceptionTargets publisher: prepare() in a worker, publish() in the gate.

    Raises PerceptionUnavailable at construction when ai_msgs is missing.
    """

    def __init__(self, node, topic, labels, model_path, input_size):
        self._builder = PerceptionTargetsBuilder(labels, model_path)
        self._publisher = node.create_publisher(self._builder.message_type, topic, 10)
        self._clock = node.get_clock()
        self._input_size = input_size
        self._rate = RateMeter()
        self.topic = node.resolve_topic_name(topic)

    def subscribed(self):
        """Tell whether anyone subscribes: building and publishing costs ~0.2 ms a frame."""
        return self._publisher.get_subscription_count() > 0

    def prepare(self, header, frame, result, resize_mode, received, started):
        """Build the message of one classified frame (fps is set when it is published)."""
        now_perf = time.perf_counter()
        # The hand-off to a worker process counts as inference: the spans stay contiguous.
        times = StageTimes(received, started, result.convert_s, result.infer_s + result.ipc_s,
                           result.post_s,
                           finished=now_perf, now_ns=self._clock.now().nanoseconds,
                           now_perf=now_perf)
        box = seen_region(frame_size(frame), *self._input_size, resize_mode)
        return self._builder.build(header, result.top, box, times, fps=0)

    def publish(self, msg):
        """Publish a prepared message; call in the same newest-first gate as Classification."""
        msg.fps = _int16(self._rate.tick())
        self._publisher.publish(msg)
