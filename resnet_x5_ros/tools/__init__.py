# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Command-line tools for board owners and developers (console entry points).

    classify      classify image files without ROS, exactly as the node would
    evaluate      top-1 / top-5 accuracy over a labelled folder or file list
    bench         the pipeline's performance table, like the model zoo's
    board_check   everything only an RDK X5 can verify, written to one report file

classify, evaluate and bench import no rclpy; board_check imports it only for its node run.
"""
