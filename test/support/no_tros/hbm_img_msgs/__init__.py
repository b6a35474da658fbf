# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Shadows the dev environment's hbm_img_msgs stand-in: a plain ROS 2 has no TROS packages."""

raise ModuleNotFoundError(
    "No module named 'hbm_img_msgs' (hidden by test/support/no_tros: "
    'a ROS 2 without TogetheROS.Bot)',
    name='hbm_img_msgs')
