# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Benchmarks behind one command, `bench SUITE [--json]` (see cli.py).

pipeline (the model zoo's table), preprocess, backend, node, soak: one module each, with
`add_arguments(parser)` and `run(args) -> dict`; report (machine line, tables), timing (timed
threads) and zoo (the model zoo's published figures) are their helpers.
"""
