# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""ProgressWatch and the stall limit: when frames in progress count as a stalled inference."""

from resnet_x5_ros.stall import ProgressWatch, STALL_FLOOR_S, STALL_LATENCIES, stall_limit_s


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_idle_pipeline_is_never_stalled():
    clock = FakeClock()
    watch = ProgressWatch(clock)
    clock.now += 3600.0
    assert watch.stalled_for() == 0.0


def test_work_in_progress_without_a_finished_frame_is_stalled_for_the_time_since():
    clock = FakeClock()
    watch = ProgressWatch(clock)
    clock.now += 50.0  # idle for a long time first: that is not counted
    watch.begin()
    clock.now += 2.5
    assert watch.stalled_for() == 2.5
    watch.end()
    assert watch.stalled_for() == 0.0


def test_a_finished_frame_is_progress_even_while_another_hangs():
    clock = FakeClock()
    watch = ProgressWatch(clock)
    watch.begin()  # worker 1: hangs from here on
    clock.now += 0.5
    watch.begin()  # worker 2
    clock.now += 0.1
    watch.end()    # worker 2 finished a frame: output still flows
    clock.now += 0.2
    assert abs(watch.stalled_for() - 0.2) < 1e-9
    clock.now += 5.0  # ... and then nothing more finishes
    assert abs(watch.stalled_for() - 5.2) < 1e-9


def test_stall_limit_scales_with_latency_above_a_floor():
    assert stall_limit_s(None) == STALL_FLOOR_S
    assert stall_limit_s(0.0) == STALL_FLOOR_S
    assert stall_limit_s(0.005) == STALL_FLOOR_S  # a 5 ms BPU model: the floor
    assert stall_limit_s(0.3) == STALL_LATENCIES * 0.3  # a slow CPU model: its latencies
