# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Command-line tools for board owners and developers (console entry points).

    image_publisher  publish files, a folder, a video or a camera in a chosen encoding
    classify         classify image files without ROS, exactly as the node would
    evaluate         top-1 / top-5 accuracy over a labelled folder or file list
    bench            benchmarks: `bench SUITE [--json]` (bench/)
    board_check      everything only an RDK X5 can verify, written to one report file

The node never imports this package. classify, evaluate and bench import no rclpy (bench's
node and soak suites start ROS processes); board_check imports it only for its node run.
"""
