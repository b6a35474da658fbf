# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""SIGINT and SIGTERM as stop requests that can arrive any number of times. No ROS.

Ctrl-C on `ros2 launch` delivers SIGINT to the node, and launch forwards another SIGINT (and
may escalate to SIGTERM) while the node is shutting down. A handler that raises
(KeyboardInterrupt, or rclpy's handlers, which shut the context down under running threads)
can hit any line of that shutdown: a thread join, destroy_node, the interpreter's exit. These
handlers only record the signal; the node's main loop sees the request and shuts down in order,
and later signals are recorded and otherwise ignored.

Before the node is up (loading a model can take seconds) the first signal still raises
KeyboardInterrupt, so Ctrl-C stops a slow start-up; it raises at most once.
"""

import signal

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_KEPT = 16  # signals recorded at most; a storm of them must not grow a list


class StopSignals:
    """Records SIGINT/SIGTERM; `requested` tells the main loop to stop."""

    def __init__(self):
        # Appending to a list is atomic and takes no lock: a handler runs between two
        # bytecodes of the main thread and must never wait for a lock that thread holds.
        self.received = []
        self._running = False
        self._replaced = {}

    def install(self):
        """Replace the handlers of SIGINT and SIGTERM (call from the main thread)."""
        for sig in STOP_SIGNALS:
            self._replaced[sig] = signal.signal(sig, self._on_signal)

    def restore(self):
        """Put back the handlers install() replaced (call from the main thread)."""
        for sig, handler in self._replaced.items():
            if handler is not None:  # None: not set from Python, nothing to put back
                signal.signal(sig, handler)

    def running(self):
        """Start-up is over: from now on signals only request the stop."""
        self._running = True

    def ignore_from_now_on(self):
        """Ignore SIGINT and SIGTERM for the rest of the process (call from the main thread).

        For the shutdown itself: a recorded signal would no longer be looked at, and Python
        resets handlers that are functions to the default action (die by the signal) while
        the interpreter exits, where a late signal from launch would end the process with
        -SIGINT. An ignored signal stays ignored through that.
        """
        for sig in STOP_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)

    @property
    def requested(self):
        return bool(self.received)

    def _on_signal(self, signum, frame):
        first = not self.received
        if len(self.received) < _KEPT:
            self.received.append(signum)
        if first and not self._running:
            raise KeyboardInterrupt
