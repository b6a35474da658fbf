# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""What the node does only with TogetheROS.Bot's message packages (D-Robotics' TROS).

    perception   ai_msgs/PerceptionTargets for the TROS web display (parameter
                 perception_topic)
    shared_mem   hbm_img_msgs frames of the shared-memory camera (io_method shared_mem)

ai_msgs and hbm_img_msgs are imported only when those parameters ask for them, so the node
runs on any ROS 2 without them.
"""
