# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""classify: classify image files or a recorded bag without ROS, through the node's own pipeline.

The command is cli.main (console script `classify`, or `python -m resnet_x5_ros.tools.classify`).
"""
