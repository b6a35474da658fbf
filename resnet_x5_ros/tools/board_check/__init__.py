# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""board_check: one report an RDK X5 owner can paste into an issue.

The command is cli.main: console script `board_check`, or
`python -m resnet_x5_ros.tools.board_check`.
"""
