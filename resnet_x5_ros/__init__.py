# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""ResNet18 image classification for the RDK X5 BPU, with a CPU fallback.

The ROS node (`resnet_x5_ros.node`) is a thin adapter; frame conversion, backends and
post-processing import no rclpy and can be used from plain Python.
"""

from resnet_x5_ros.decode_limit import limit_opencv_decoder

# Before any module of the package imports cv2: OpenCV reads its decoder limit only then.
limit_opencv_decoder()
