# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""The benchmark suites' own arithmetic (their figures are printed, never asserted)."""

import itertools
import threading

import pytest

from resnet_x5_ros.tools.bench import backend as backend_bench


class FlakyBackend:
    """Fails every `fail_every`-th call, like a backend having a bad day."""

    def __init__(self, fail_every):
        self._count = itertools.count(1)
        self._lock = threading.Lock()
        self._fail_every = fail_every

    def infer(self, frame):
        with self._lock:
            n = next(self._count)
        if self._fail_every and n % self._fail_every == 0:
            raise RuntimeError('call {} failed'.format(n))
        return frame


def test_backend_suite_counts_failures_and_times_only_successes():
    row = backend_bench._timed(FlakyBackend(fail_every=2), b'frame', workers=2, seconds=0.2)
    assert row['calls'] > 0 and row['errors'] > 0
    # Every other call fails: successes and failures differ by at most one per thread.
    assert abs(row['calls'] - row['errors']) <= 2
    assert row['median_ms'] >= 0 and row['fps'] > 0


def test_backend_suite_stops_when_every_call_fails():
    with pytest.raises(SystemExit, match='every inference failed: RuntimeError'):
        backend_bench._timed(FlakyBackend(fail_every=1), b'frame', workers=1, seconds=0.05)


class _InputShape:
    input_width, input_height, nv12_range = 32, 16, 'full'


def test_backend_suite_takes_a_sample_name_or_a_file_and_refuses_a_bad_one(tmp_path):
    import cv2
    import numpy as np

    by_name = backend_bench._frame(_InputShape, 'coffee.png')
    assert by_name.shape == (32 * 16 * 3 // 2,)  # NV12 bytes
    photo = tmp_path / 'grey.png'
    cv2.imwrite(str(photo), np.full((40, 60, 3), 128, np.uint8))
    assert backend_bench._frame(_InputShape, str(photo)).shape == (768,)
    # A file that claims a picture far above the decode cap is refused from its header.
    huge = tmp_path / 'huge.png'
    huge.write_bytes(b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR' + (60000).to_bytes(4, 'big') * 2 +
                     b'\x08\x02\x00\x00\x00' + b'\x00' * 4)
    with pytest.raises(SystemExit, match='bench backend: .*huge.png'):
        backend_bench._frame(_InputShape, str(huge))
