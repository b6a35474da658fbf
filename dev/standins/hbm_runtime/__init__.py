# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""STAND-IN for the RDK X5 board's `hbm_runtime` package, for tests on machines without a BPU.

This is NOT D-Robotics' runtime: written by us from its public stub and sources (see
HB_HBMRuntime.py). Put dev/standins on sys.path (or PYTHONPATH) to make
`from hbm_runtime import HB_HBMRuntime` resolve to it. The test controls (configure,
set_faults, set_scorer, reset, forward_log, ...) are re-exported here.
"""

from hbm_runtime.HB_HBMRuntime import (  # noqa: F401 (the package's API)
    clear_log, configure, forward_calls, forward_log, HB_HBMRuntime, hbDNNDataType,
    hbDNNQuantiType, QuantParams, reset, SchedParam, set_faults, set_scorer)

STAND_IN = True
