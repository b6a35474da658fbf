# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""STAND-IN for the RDK X5 board's `hobot_dnn` package, for tests on machines without a BPU.

This is NOT D-Robotics' runtime. Only `hobot_dnn.pyeasy_dnn` is provided, written by us from
the runtime's documented Python contract (see pyeasy_dnn.py). Put dev/standins on sys.path
(or PYTHONPATH) to make `from hobot_dnn import pyeasy_dnn` resolve to it.
"""

STAND_IN = True
