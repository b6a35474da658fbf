# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""evaluate: top-1/top-5 accuracy over labelled photos, through the node's own pipeline.

The command is cli.main (console script `evaluate`, or `python -m resnet_x5_ros.tools.evaluate`).
"""
