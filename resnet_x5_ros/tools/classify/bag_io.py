# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Reading camera images from a ROS 2 bag and writing classifications to a new one (rosbags).

Both storage formats rosbag2 records: sqlite3 (`.db3`, Humble's default) and MCAP, given as a
bag folder (with metadata.yaml) or as the storage file itself. Output bags are written as
rosbag2 metadata version 8, whose offered_qos_profiles is a YAML string as Humble's rosbag2
reads it (version 9, Jazzy's, is a YAML list that Humble refuses); each topic's message
definition goes into the storage (sqlite3 message_definitions table, MCAP schema), so tools
that decode by definition and `ros2 bag play` (by type name) can both replay it.
"""

import os
from pathlib import Path

from rosbags.rosbag2 import Reader, StoragePlugin, Writer

from resnet_x5_ros.tools.classify import bag_types
from resnet_x5_ros.tools.common import ToolError

STORAGES = {'sqlite3': StoragePlugin.SQLITE3, 'mcap': StoragePlugin.MCAP}
BAG_VERSION = 8


def _one_line(exc):
    return ' '.join(str(exc).split()) or type(exc).__name__


def storage_of(path):
    """'mcap' or 'sqlite3': the storage of a bag folder or storage file (by file name)."""
    path = Path(path)
    names = [p.name for p in path.iterdir()] if path.is_dir() else [path.name]
    return 'mcap' if any('.mcap' in name for name in names) else 'sqlite3'


def open_bag(path):
    """Open a bag folder or .db3/.mcap file for reading; ToolError with one line if it fails."""
    if not os.path.exists(path):
        raise ToolError('bag {} does not exist'.format(path))
    if os.path.isfile(path) and Path(path).suffix == '.bag':
        raise ToolError('bag {} is a ROS 1 bag; only ROS 2 bags (.db3, .mcap) are read'.format(
            path))
    try:
        reader = Reader(path)
        reader.open()
    except Exception as exc:  # rosbags raises several types for unreadable files
        raise ToolError('cannot read bag {}: {}'.format(path, _one_line(exc))) from None
    return reader


def image_connections(reader, topics=()):
    """Return the reader's connections to classify: the given topics, else all image topics.

    ToolError when a topic is absent or not an Image/CompressedImage, or there is none.
    """
    by_topic = {}
    for connection in reader.connections:
        by_topic.setdefault(connection.topic, []).append(connection)
    if not topics:
        chosen = [c for c in reader.connections if c.msgtype in bag_types.IMAGE_TYPES]
        if not chosen:
            raise ToolError('bag {} has no sensor_msgs/Image or CompressedImage topic '
                            '(topics: {})'.format(reader.path, _describe(by_topic)))
        return chosen
    chosen = []
    for topic in topics:
        if topic not in by_topic:
            raise ToolError('topic {} is not in bag {} (topics: {})'.format(
                topic, reader.path, _describe(by_topic)))
        for connection in by_topic[topic]:
            if connection.msgtype not in bag_types.IMAGE_TYPES:
                raise ToolError('topic {} is a {}, not a sensor_msgs/Image or '
                                'CompressedImage'.format(topic, connection.msgtype))
            if connection not in chosen:
                chosen.append(connection)
    return chosen


def _describe(by_topic):
    if not by_topic:
        return 'none'
    return ', '.join('{} [{}]'.format(t, ', '.join(sorted({c.msgtype for c in cs})))
                     for t, cs in sorted(by_topic.items()))


def output_topics(input_topics):
    """{input topic: (classification topic, label_info topic)}.

    One input topic: /classification and /label_info, the node's names in the root
    namespace. Several: <input topic>/classification and <input topic>/label_info, as if
    one node per camera ran in a namespace named after its topic.
    """
    topics = list(dict.fromkeys(input_topics))
    if len(topics) == 1:
        return {topics[0]: ('/classification', '/label_info')}
    return {t: (t.rstrip('/') + '/classification', t.rstrip('/') + '/label_info')
            for t in topics}


def refuse_existing(path):
    """Raise ToolError if path exists: rosbags writes new bags only; results must not mix."""
    if os.path.exists(path):
        raise ToolError('output bag {} exists already; not overwriting it'.format(path))


def write_bag(path, storage, store, messages):
    """Write [(topic, type name, message or raw CDR bytes, log time ns)] to a new bag."""
    with Writer(path, version=BAG_VERSION, storage_plugin=STORAGES[storage]) as writer:
        connections = {}
        for topic, msgtype, message, log_time in messages:
            if topic not in connections:
                connections[topic] = writer.add_connection(topic, msgtype, typestore=store)
            data = message if isinstance(message, bytes) else store.serialize_cdr(message,
                                                                                  msgtype)
            writer.write(connections[topic], log_time, data)
    return os.fspath(path)


class ClassificationBag:
    """A new bag receiving the node's outputs: label_info once per topic, then results."""

    UNIT = 'classifications'

    def __init__(self, path, storage, store, topics):
        refuse_existing(path)
        self.path = path
        self.store = store
        self.count = 0
        self._writer = Writer(path, version=BAG_VERSION, storage_plugin=STORAGES[storage])
        try:
            self._writer.open()
        except Exception as exc:  # WriterError, OSError
            raise ToolError('cannot write bag {}: {}'.format(path, _one_line(exc))) from None
        self._connections = {}
        self._label_info = {}
        for source, (classification, label_info) in topics.items():
            self._connections[source] = self._writer.add_connection(
                classification, bag_types.CLASSIFICATION, typestore=store,
                offered_qos_profiles=[bag_types.CLASSIFICATION_QOS])
            self._label_info[source] = self._writer.add_connection(
                label_info, bag_types.LABEL_INFO, typestore=store,
                offered_qos_profiles=[bag_types.LABEL_INFO_QOS])

    def write_label_info(self, message, log_time_ns):
        """Write the LabelInfo once on every label_info topic."""
        data = self.store.serialize_cdr(message, bag_types.LABEL_INFO)
        for connection in self._label_info.values():
            self._writer.write(connection, log_time_ns, data)

    def write_classification(self, source_topic, message, log_time_ns):
        """Write one Classification for an image of source_topic, received at log_time_ns."""
        self._writer.write(self._connections[source_topic], log_time_ns,
                           self.store.serialize_cdr(message, bag_types.CLASSIFICATION))
        self.count += 1

    def close(self):
        self._writer.close()
