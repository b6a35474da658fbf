# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Benchmarks: `python -m resnet_x5_ros.bench SUITE [--json]`.

Each suite is a module here with `add_arguments(parser)` and `run(args) -> dict`; the
dict is printed as a table, and with --json as one JSON object on the last line.
"""
