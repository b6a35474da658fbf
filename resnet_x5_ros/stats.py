# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Counters and per-stage latency of the running pipeline, for diagnostics. No ROS."""

import collections
import threading
import time

import numpy as np

# arrival: image stamp to the subscription callback (the camera's publish, the transport and
# rclpy's take/deserialisation; only meaningful when stamp and node share a clock);
# handoff: callback entry to a worker starting on the frame; infer: the model's runtime call;
# ipc: the frame to a worker process and its scores back (worker_type process; about 0 for
# thread workers); publish: the result's publish(); total: callback entry to the result
# published.
STAGES = ('arrival', 'handoff', 'convert', 'infer', 'ipc', 'post', 'publish', 'total')
COUNTERS = ('received', 'processed', 'published', 'dropped', 'rejected', 'backend_errors',
            'internal_errors', 'stale')


class PipelineStats:
    """Thread-safe counters plus a window of recent per-stage durations."""

    def __init__(self, window=512, clock=time.monotonic):
        self._lock = threading.Lock()
        self._clock = clock
        self._counts = dict.fromkeys(COUNTERS, 0)
        self._stages = {s: collections.deque(maxlen=window) for s in STAGES}
        self._last_time = clock()
        self._last_counts = dict(self._counts)

    def count(self, counter, n=1):
        with self._lock:
            self._counts[counter] += n

    def record(self, **durations_s):
        """Record one processed frame's stage durations (seconds), e.g. convert=0.001."""
        with self._lock:
            for stage, seconds in durations_s.items():
                self._stages[stage].append(seconds)

    def counts(self):
        with self._lock:
            return dict(self._counts)

    def snapshot(self):
        """Totals, rates since the previous snapshot, and stage median / p99 in ms."""
        with self._lock:
            now = self._clock()
            counts = dict(self._counts)
            stages = {s: np.array(d, dtype=np.float64) for s, d in self._stages.items()}
            elapsed = max(now - self._last_time, 1e-9)
            previous, self._last_counts, self._last_time = self._last_counts, counts, now
        snap = dict(counts)
        snap['input_fps'] = (counts['received'] - previous['received']) / elapsed
        snap['output_fps'] = (counts['published'] - previous['published']) / elapsed
        for stage, values in stages.items():
            if values.size:
                snap[stage + '_ms_mean'] = float(values.mean() * 1000.0)
                snap[stage + '_ms_median'] = float(np.median(values) * 1000.0)
                snap[stage + '_ms_p99'] = float(np.percentile(values, 99) * 1000.0)
        return snap


class RateMeter:
    """Events per second over the last `window` seconds, e.g. the node's output rate."""

    def __init__(self, window=1.0, clock=time.monotonic):
        self._window = window
        self._clock = clock
        self._times = collections.deque()

    def tick(self):
        """Record one event now; returns the rate including it."""
        now = self._clock()
        self._times.append(now)
        while now - self._times[0] >= self._window:
            self._times.popleft()
        return len(self._times) / self._window
