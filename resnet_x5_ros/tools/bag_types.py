# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""ROS 2 message types for bag files without ROS: rosbags' Humble types plus vision_msgs.

vision_msgs is not among the types rosbags ships, so its four messages the node publishes are
registered here from their field definitions (vision_msgs 4.1, the Humble release that has
LabelInfo; test_tool_bag checks them against dev/vision_msgs). The builders below make the
messages the node publishes, field for field, and the QoS the node offers them with, which
`ros2 bag play` uses when it republishes them (label_info stays latched).
"""

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


def classification(store, header, hypotheses):
    """vision_msgs/Classification: the image's header and (class_id, score) pairs in order."""
    hypothesis = store.types['vision_msgs/msg/ObjectHypothesis']
    return store.types[CLASSIFICATION](
        header=header, results=[hypothesis(class_id=c, score=float(s)) for c, s in hypotheses])


def label_info(store, labels, threshold, stamp_ns):
    """vision_msgs/LabelInfo as the node publishes it: class i named labels[i], the threshold."""
    types = store.types
    sec, nanosec = divmod(int(stamp_ns), 10 ** 9)
    header = types['std_msgs/msg/Header'](
        stamp=types['builtin_interfaces/msg/Time'](sec=sec, nanosec=nanosec), frame_id='')
    vision_class = types['vision_msgs/msg/VisionClass']
    return types[LABEL_INFO](
        header=header, threshold=float(threshold),
        class_map=[vision_class(class_id=i, class_name=name) for i, name in enumerate(labels)])
