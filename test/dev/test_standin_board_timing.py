# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Board timing mode of the runtime STAND-INs: the X5 BPU as Python sees it.

With *_STANDIN_BOARD_MS set, a forward()/run() takes that long with the GIL held and the CPU
idle (both X5 runtimes keep the GIL during inference), and scores with a cheap projection that
still depends on every input byte.
"""

import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from resnet_x5_ros.backends import create_backend
from support.rosutil import child_env
from support.standins import standin_support as standins

RUNTIMES = ('pyeasy_dnn', 'hbm_runtime')
PREFIXES = {'pyeasy_dnn': 'PYEASY_DNN_STANDIN_', 'hbm_runtime': 'HBM_RUNTIME_STANDIN_'}
HOLD_MS = 300.0


@pytest.fixture(params=RUNTIMES)
def runtime(request):
    with standins.standin_runtime(request.param) as module:
        yield module


@pytest.fixture
def fixture_bin(tmp_path):
    return standins.write_fixture_bin(tmp_path / 'resnet18_224x224_nv12.bin')


class _Ticker(object):
    """A Python thread noting the time about every millisecond it gets to run."""

    def __init__(self):
        self.ticks = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        last = 0.0
        while not self._stop.is_set():
            now = time.perf_counter()
            if now - last >= 0.001:
                self.ticks.append(now)
                last = now

    def __enter__(self):
        self._thread.start()
        assert standins.wait_for(lambda: len(self.ticks) >= 3, 5.0)
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join()

    def longest_stall(self, start, end):
        """Longest time within [start, end] in which the thread did not run at all."""
        inside = [start] + [t for t in self.ticks if start < t < end] + [end]
        return max(b - a for a, b in zip(inside, inside[1:]))


def _timed_call(fn):
    start = time.perf_counter()
    fn()
    return start, time.perf_counter()


def test_board_mode_holds_the_gil_for_the_set_time(runtime, fixture_bin):
    bpu = create_backend('bpu', fixture_bin, bpu_runtime=runtime.kind)
    frame = np.full(75264, 40, np.uint8)
    runtime.configure(board_ms=HOLD_MS)
    with _Ticker() as ticker:
        start, end = _timed_call(lambda: bpu.infer(frame))
        # Control: the same thread does run while the caller sleeps without the GIL.
        control = _timed_call(lambda: time.sleep(HOLD_MS / 1000.0))
    assert end - start >= HOLD_MS / 1000.0 * 0.95
    # The "BPU time" is one block in which no other Python thread ran (a little of the call,
    # the stand-in's own numpy work before it, may let the thread in).
    assert ticker.longest_stall(start, end) >= HOLD_MS / 1000.0 * 0.8
    assert ticker.longest_stall(*control) < HOLD_MS / 1000.0 * 0.5


def test_board_mode_scores_depend_on_the_input(runtime, fixture_bin):
    runtime.configure(board_ms=0.5)
    bpu = create_backend('bpu', fixture_bin, bpu_runtime=runtime.kind)
    a = np.full(75264, 40, np.uint8)
    b = a.copy()
    b[70000] = 41  # one chroma byte
    first, again, other = bpu.infer(a), bpu.infer(a), bpu.infer(b)
    assert first.shape == (1000,) and np.array_equal(first, again)
    assert not np.array_equal(first, other)
    photos = [bpu.infer(standins.sample_nv12(p)) for p in ('coffee.png', 'chelsea.png')]
    assert int(np.argmax(photos[0])) != int(np.argmax(photos[1]))


@pytest.mark.parametrize('kind', RUNTIMES)
def test_board_mode_from_the_environment(tmp_path, fixture_bin, kind):
    env = child_env(**{'PYTHONPATH': standins.STANDINS, PREFIXES[kind] + 'BOARD_MS': 20})
    script = (
        'import time, numpy as np\n'
        'from resnet_x5_ros.backends import create_backend\n'
        'b = create_backend("bpu", {!r}, bpu_runtime={!r})\n'
        'frame = np.zeros(75264, np.uint8)\n'
        't0 = time.perf_counter(); cpu0 = time.process_time()\n'
        'for _ in range(10): b.infer(frame)\n'
        'print(time.perf_counter() - t0, time.process_time() - cpu0)\n').format(
            fixture_bin, kind)
    result = subprocess.run([sys.executable, '-c', script], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    wall, cpu = (float(x) for x in result.stdout.split())
    # 10 calls of 20 ms each; the CPU stays (mostly) idle while the "BPU" works.
    assert wall >= 0.19 and cpu < wall / 2
