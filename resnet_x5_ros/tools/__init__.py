# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""The commands a board owner runs beside the node: one subpackage each (cli.main).

    image_publisher  publish files, a folder, a video or a camera in a chosen encoding
    classify         classify image files or a recorded bag without ROS, as the node would
    evaluate         top-1 / top-5 accuracy over a labelled folder or file list
    bench            benchmarks: `bench SUITE [--json]`
    board_check      everything only an RDK X5 can verify, written to one report file

Shared by several of them: common (the model and post-processing options, made from
params.PARAMS), images (reading pictures and videos), frames (pictures as the node's
Frames), samples (the bundled photos), node_process (a classifier_node child process),
plots, progress, markdown. The node never imports this package.
"""
