# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""The test suite's helpers (no tests here); pytest.ini puts test/ on the path.

rosutil: child processes' environment, a test-side rclpy client. nodes: the classifier node
under test, started and stopped with resnet_x5_ros.tools.node_process. reliability: the
stand-in environment with fault injection, /diagnostics and result watchers. standins: the
runtime STAND-INs of dev/standins, loaded without putting them on sys.path.
launch_standin: the launch files evaluated against a stand-in launch API. colour_reference,
crafted_images: independent NV12 references and crafted pictures. peers/: a second ROS
process; no_tros/: shadow packages that make the TROS messages fail to import.
"""

import concurrent.futures
import os

TEST_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(TEST_DIR)


def run_in_threads(worker, args):
    """Call worker(arg) for every arg, each in a thread of its own, all at once.

    Return the results in order; an exception in any worker is raised here, so a test
    cannot pass while its workers crash.
    """
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(args)) as pool:
        return list(pool.map(worker, args))
