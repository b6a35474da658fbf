# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""X5 .bin models on x86: our own .bin reader and a runner for D-Robotics' hbdk-sim.

Development machines only (never installed): it needs the repository (the extracted hbdk-sim
in .build/, the compiled fixtures in test/fixtures/x5). scripts/devenv and pytest.ini put
dev/python on the Python path.

bin_model reads the .bin (protobuf wire format, our own reader): metadata such as the recorded
          input range, the graph, the embedded HBM, and executes the CPU steps after the BPU.
hbdk_sim  finds hbdk-sim (extracted by `make setup`) and runs frames on it, with a result cache.
harness   SimulatedModel: NV12 frame -> the outputs the board's runtime would return.
evaluate  compiled .bin on hbdk-sim vs the CPU model on the sample photos.
bench_suite  `bench simulate`: evaluate's summary as a bench suite.
The node reads a .bin's recorded range with resnet_x5_ros.backends.binfile instead.
"""

from x5_simulator.bin_model import BinFormatError, parse_bin, read_bin, UnsupportedStep, X5Model

__all__ = ['BinFormatError', 'UnsupportedStep', 'X5Model', 'parse_bin', 'read_bin']
