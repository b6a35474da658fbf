# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Shared pieces of the reliability tests (no tests here).

The pyeasy_dnn STAND-IN environment with fault injection for a node process, a /diagnostics
watcher, a classification collector and uniform grey frames whose class the stand-in's ramp
scorer predicts. The node itself starts with support.nodes.start_node (with a log file, so a
chatty node can never block on a full pipe); support/fault_scorer.py is the scorer a test can
fail, hang and heal at run time.
"""

import os

import numpy as np

from support import REPO, TEST_DIR
from support.nodes import image_msg
from support.standins import standin_support, STANDINS

COUNTERS = ('received', 'processed', 'published', 'dropped', 'rejected', 'backend_errors',
            'internal_errors', 'stale')


def standin_env(model_dir, scorer='standin_support:ramp_scorer', **settings):
    """Environment for a node process whose BPU runtime is the pyeasy_dnn STAND-IN.

    settings: PYEASY_DNN_STANDIN_<NAME> values, e.g. fail_every=3, sleep_s=2. test/ is on
    the path too, so scorer may name support.fault_scorer:control_scorer.
    Returns (env dict, path of a stand-in .bin model file written into model_dir).
    """
    model = standin_support.write_fixture_bin(os.path.join(str(model_dir), 'standin_model.bin'))
    env = {'PYTHONPATH': os.pathsep.join([REPO, STANDINS, TEST_DIR]),
           'PYEASY_DNN_STANDIN_SCORER': scorer}
    for key, value in settings.items():
        env['PYEASY_DNN_STANDIN_' + key.upper()] = str(value)
    return env, model


def grey_image(level, width=64, height=48, encoding='bgr8', frame_id='', stamp_sec=0):
    """Return a uniform grey sensor_msgs/Image: the ramp scorer answers class `level`.

    Full-range NV12 keeps Y == level.
    """
    bgr = np.full((height, width, 3), level, dtype=np.uint8)
    return image_msg(bgr, encoding, frame_id, stamp_sec)


class Diagnostics:
    """Keeps the latest /diagnostics values of one node (by name prefix)."""

    def __init__(self, client, node_name):
        from diagnostic_msgs.msg import DiagnosticArray
        self.node_name = node_name
        self.latest = None
        self.level = None
        self.message = None
        self.updates = 0
        client.node.create_subscription(DiagnosticArray, '/diagnostics', self._on_msg, 10)

    def _on_msg(self, msg):
        for status in msg.status:
            if status.name.startswith(self.node_name + ':'):
                self.latest = {kv.key: kv.value for kv in status.values}
                self.level = status.level
                self.message = status.message
                self.updates += 1

    def counts(self):
        """Counters of the latest status as ints, or None before the first one."""
        if self.latest is None:
            return None
        return {k: int(self.latest[k]) for k in COUNTERS if k in self.latest}

    def settled(self, **at_least):
        """Tell whether every received frame is accounted for and each at_least[k] reached."""
        c = self.counts()
        if c is None:
            return False
        if any(c.get(k, 0) < v for k, v in at_least.items()):
            return False
        return c['received'] == (c['processed'] + c['dropped'] + c['rejected'] +
                                 c['backend_errors'] + c['internal_errors'])


class Results:
    """Collects the node's classifications by frame_id."""

    def __init__(self, client, topic='classification'):
        from vision_msgs.msg import Classification
        self.by_frame = {}
        self.count = 0
        client.node.create_subscription(Classification, topic, self._on_msg, 100)

    def _on_msg(self, msg):
        self.count += 1
        self.by_frame.setdefault(msg.header.frame_id, []).append(msg)
