# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""image_publisher: publish image files, a folder, a video or a camera to a ROS topic.

The command is cli.main: console script `image_publisher`, or
`python -m resnet_x5_ros.tools.image_publisher`.
"""
