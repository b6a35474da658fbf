# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""ROS tools that stop on SIGINT/SIGTERM at their next spin, never inside an rcl call.

rclpy's own signal handlers shut the context down from inside the signal handler, wherever
the main thread is: a Ctrl-C between `rclpy.ok()` and `spin_once()` ended image_publisher
with "RCLError: failed to create timer: the given context is not valid" (1 in 40 stops
under the from-source Humble), and one stop in a test run died with SIGSEGV. Here the
signal is only recorded (stop_signals.StopSignals) and the tool's loop ends at its next
spin; ROS is shut down by the tool afterwards, in order.
"""

from resnet_x5_ros.stop_signals import StopSignals


def init_ros(argv):
    """rclpy.init(argv) without rclpy's signal handlers; return the StopSignals to poll.

    A signal before the node is up raises KeyboardInterrupt (once), as a slow start-up
    should stop; call `stop.running()` when the loop starts.
    """
    import rclpy
    from rclpy.signals import SignalHandlerOptions

    stop = StopSignals()
    stop.install()
    rclpy.init(args=argv, signal_handler_options=SignalHandlerOptions.NO)
    return stop


def spin_until(node, stop, finished=lambda: False, period=0.1):
    """Spin node until a stop signal, finished() or ROS shutting down; True if not stopped."""
    import rclpy

    while not stop.requested and not finished() and rclpy.ok():
        rclpy.spin_once(node, timeout_sec=period)
    return not stop.requested
