# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Development entries of resnet_x5_ros that need the repository: never installed.

scripts/devenv puts dev/python on PYTHONPATH. render: files made from params.PARAMS; demo:
`make demo`; bench: the bench command with the dev-only pieces (the simulator suite, the
pyeasy_dnn STAND-IN for the board run).
"""
