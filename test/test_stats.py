# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Diagnostics figures: counters, rates over the last interval, stage percentiles."""

import pytest

from resnet_x5_ros.stats import PipelineStats


def test_snapshot_counts_rates_and_percentiles():
    now = [100.0]
    stats = PipelineStats(clock=lambda: now[0])
    for _ in range(10):
        stats.count('received')
    stats.count('published', 4)
    for ms in range(1, 101):
        stats.record(infer=ms / 1000.0)
    now[0] += 2.0
    snap = stats.snapshot()
    assert snap['received'] == 10
    assert snap['input_fps'] == pytest.approx(5.0)
    assert snap['output_fps'] == pytest.approx(2.0)
    assert snap['infer_ms_median'] == pytest.approx(50.5)
    assert snap['infer_ms_p99'] == pytest.approx(99.01)
    assert 'convert_ms_median' not in snap  # nothing recorded for that stage
    now[0] += 1.0
    again = stats.snapshot()
    assert again['received'] == 10 and again['input_fps'] == 0.0


def test_unknown_counter_is_an_error():
    with pytest.raises(KeyError):
        PipelineStats().count('bogus')
