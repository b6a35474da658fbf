# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""X5 .bin models on x86: our own .bin reader and a runner for D-Robotics' hbdk-sim.

binfile   reads the .bin (protobuf wire format, our own reader): metadata such as the recorded
          input range, the graph, the embedded HBM, and executes the CPU steps after the BPU.
hbdk_sim  finds hbdk-sim (extracted by `make setup`) and runs frames on it, with a result cache.
harness   SimulatedModel: NV12 frame -> the outputs the board's runtime would return.
Only binfile is needed on the board (e.g. to read a .bin's recorded range); it imports numpy only.
"""

from resnet_x5_ros.simulator.binfile import (BinFormatError, parse_bin, read_bin,
                                             UnsupportedStep, X5Model)

__all__ = ['BinFormatError', 'UnsupportedStep', 'X5Model', 'parse_bin', 'read_bin']
