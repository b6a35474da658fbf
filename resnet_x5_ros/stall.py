# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Noticing a stalled inference: frames are being worked on, but none comes out. No ROS.

A hung runtime call cannot be aborted from Python; it can be seen. The workers tell a
ProgressWatch when they take a frame and when they are done with it (result, failure or
rejection). The pipeline is stalled when work is in progress and nothing finished for longer
than the stall limit: max(STALL_FLOOR_S, STALL_LATENCIES x the typical frame latency). The
floor keeps a slow start, a garbage-collection pause or a busy machine from raising a false
alarm; the multiple scales it to the model, so a 10 ms BPU model and a 200 ms CPU model are
both reported within a few latencies of what they normally take.
"""

import threading
import time

STALL_FLOOR_S = 1.0
STALL_LATENCIES = 10


def stall_limit_s(typical_latency_s):
    """Return the longest time (s) without a finished frame that is not yet a stall.

    typical_latency_s: the measured median receive-to-result latency, None before any.
    """
    if not typical_latency_s or typical_latency_s < 0:
        return STALL_FLOOR_S
    return max(STALL_FLOOR_S, STALL_LATENCIES * float(typical_latency_s))


class ProgressWatch:
    """Counts frames in progress and remembers when the pipeline last made progress.

    Progress is a frame finishing, or work starting while nothing was in progress (an idle
    pipeline is not stalled, however long ago its last frame finished). Thread-safe.
    """

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._in_progress = 0
        self._last_progress = clock()

    def begin(self):
        """Record that a worker took a frame."""
        with self._lock:
            if not self._in_progress:
                self._last_progress = self._clock()
            self._in_progress += 1

    def end(self):
        """Record that a worker is done with its frame, whatever became of it."""
        with self._lock:
            self._in_progress -= 1
            self._last_progress = self._clock()

    def stalled_for(self):
        """Seconds since the last progress while frames are in progress, else 0.0."""
        with self._lock:
            if not self._in_progress:
                return 0.0
            return max(0.0, self._clock() - self._last_progress)
