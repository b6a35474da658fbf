# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""ROS 2 message types for bag files without ROS: rosbags' Humble types plus vision_msgs.

vision_msgs is not among the types rosbags ships, so its four messages the node publishes are
registered here from their field definitions (vision_msgs 4.1, the Humble release that has
LabelInfo; test_tool_bag checks them against upstream 4.1.1's fields and type hashes). The
builders below make the messages the node publishes, field for field, and the QoS the node
offers them with, which `ros2 bag play` uses when it republishes them (label_info stays
latched).
"""

import numpy as np
from rosbags.interfaces import (Qos, QosDurability, QosHistory, QosLiveliness,
                                QosReliability, QosTime)
from rosbags.typesys import get_types_from_msg, get_typestore, Stores

IMAGE = 'sensor_msgs/msg/Image'
COMPRESSED_IMAGE = 'sensor_msgs/msg/CompressedImage'
IMAGE_TYPES = (IMAGE, COMPRESSED_IMAGE)
CLASSIFICATION = 'vision_msgs/msg/Classification'
LABEL_INFO = 'vision_msgs/msg/LabelInfo'

VISION_MSGS = {
    'vision_msgs/msg/ObjectHypothesis': 'string class_id\nfloat64 score\n',
    CLASSIFICATION: 'std_msgs/Header header\nObjectHypothesis[] results\n',
    'vision_msgs/msg/VisionClass': 'uint16 class_id\nstring class_name\n',
    LABEL_INFO: 'std_msgs/Header header\nVisionClass[] class_map\nfloat32 threshold\n',
}

_DEFAULT_TIME = QosTime(0, 0)  # rmw's "default" (infinite) deadline, lifespan and lease


def _qos(depth, durability):
    return Qos(QosHistory.KEEP_LAST, depth, QosReliability.RELIABLE, durability,
               _DEFAULT_TIME, _DEFAULT_TIME, QosLiveliness.AUTOMATIC, _DEFAULT_TIME, False)


# What node.py's publishers offer: classification depth 10, label_info latched depth 1.
CLASSIFICATION_QOS = _qos(10, QosDurability.VOLATILE)
LABEL_INFO_QOS = _qos(1, QosDurability.TRANSIENT_LOCAL)


def typestore():
    """Return a rosbags Typestore of ROS 2 Humble's messages plus the vision_msgs above."""
    store = get_typestore(Stores.ROS2_HUMBLE)
    types = {}
    for name, text in VISION_MSGS.items():
        types.update(get_types_from_msg(text, name))
    store.register(types)
    return store


def header(store, stamp_ns, frame_id=''):
    """std_msgs/Header stamped stamp_ns (nanoseconds since the epoch)."""
    sec, nanosec = divmod(int(stamp_ns), 10 ** 9)
    types = store.types
    return types['std_msgs/msg/Header'](
        stamp=types['builtin_interfaces/msg/Time'](sec=sec, nanosec=nanosec), frame_id=frame_id)


def image_message(store, frame, stamp_ns, frame_id=''):
    """Return (type name, message) of a pipeline.Frame as a camera would record it.

    The reverse of pipeline.frame_from_image / frame_from_compressed, for bags written by the
    tests and the bench.
    """
    data = np.frombuffer(bytes(frame.data), np.uint8)
    if frame.compressed:
        return COMPRESSED_IMAGE, store.types[COMPRESSED_IMAGE](
            header=header(store, stamp_ns, frame_id), format=frame.encoding, data=data)
    return IMAGE, store.types[IMAGE](
        header=header(store, stamp_ns, frame_id), height=frame.height, width=frame.width,
        encoding=frame.encoding, is_bigendian=0, step=frame.step, data=data)


def classification(store, image_header, hypotheses):
    """vision_msgs/Classification: the image's header and (class_id, score) pairs in order."""
    hypothesis = store.types['vision_msgs/msg/ObjectHypothesis']
    results = [hypothesis(class_id=c, score=float(s)) for c, s in hypotheses]
    return store.types[CLASSIFICATION](header=image_header, results=results)


def label_info(store, labels, threshold, stamp_ns):
    """vision_msgs/LabelInfo as the node publishes it: class i named labels[i], the threshold."""
    vision_class = store.types['vision_msgs/msg/VisionClass']
    return store.types[LABEL_INFO](
        header=header(store, stamp_ns), threshold=float(threshold),
        class_map=[vision_class(class_id=i, class_name=name) for i, name in enumerate(labels)])
