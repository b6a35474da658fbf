# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""worker_type process: a BPU call that hangs holding the GIL, or segfaults, under the node.

The pyeasy_dnn STAND-IN in board timing mode (each forward holds the GIL for 2.95 ms, like the
X5) with its hang or crash knob, a 30 Hz camera from the test. With inference in a thread such
a hang freezes the whole node (no /diagnostics for 20 s) and a segfault kills it; with
inference in a supervised child process the node reports, restarts the worker and goes on.
"""

import os
import signal
import time

import pytest

from support.nodes import start_node
from support.reliability import grey_image, standin_env
from support.rosutil import RosClient

pytestmark = [pytest.mark.ros, pytest.mark.slow]

CAMERA_PERIOD_S = 1.0 / 30
DIAGNOSTICS_PERIOD_S = 0.5
# The fault strikes on this forward() call of a worker process (its warm-up is call 1).
FAULT_CALL = 45


def _descendants(pid):
    """Process ids of every live descendant of pid (from /proc/<pid>/task/*/children)."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = os.listdir('/proc/{}/task'.format(parent))
        except FileNotFoundError:
            continue
        for task in tasks:
            try:
                with open('/proc/{}/task/{}/children'.format(parent, task)) as f:
                    children = [int(c) for c in f.read().split()]
            except FileNotFoundError:
                continue
            found += children
            todo += children
    return found


def _alive(pid):
    try:
        with open('/proc/{}/stat'.format(pid)) as f:
            return f.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except FileNotFoundError:
        return False


def _left_after(pids, seconds):
    """Those of pids still running after up to seconds (polling /proc: no event to await)."""
    deadline = time.monotonic() + seconds
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return [p for p in pids if _alive(p)]


def _level(level):
    # rclpy gives DiagnosticStatus.level (a byte) as bytes.
    return level if isinstance(level, int) else ord(level)


class _Run:
    """Publishes frames at 30 Hz and records when results and /diagnostics arrive."""

    def __init__(self, client, namespace):
        from diagnostic_msgs.msg import DiagnosticArray
        from sensor_msgs.msg import Image
        from vision_msgs.msg import Classification
        self.client = client
        self.pub = client.node.create_publisher(Image, namespace + '/image', 10)
        self.results = []  # (arrival, header stamp sec)
        self.diagnostics = []  # (arrival, level, message, values)
        name = namespace + '/classifier:'
        client.node.create_subscription(
            Classification, namespace + '/classification',
            lambda m: self.results.append((time.monotonic(), m.header.stamp.sec)), 100)
        client.node.create_subscription(
            DiagnosticArray, '/diagnostics',
            lambda m: self.diagnostics.extend(
                (time.monotonic(), _level(s.level), s.message,
                 {kv.key: kv.value for kv in s.values})
                for s in m.status if s.name.startswith(name)), 100)
        self.sent = 0

    def camera_for(self, seconds, until=None):
        """Publish at 30 Hz for seconds (or until until() is true)."""
        end = time.monotonic() + seconds
        next_frame = time.monotonic()
        while time.monotonic() < end and not (until and until()):
            now = time.monotonic()
            if now >= next_frame:
                self.sent += 1
                self.pub.publish(grey_image(100, frame_id='f', stamp_sec=self.sent))
                next_frame += CAMERA_PERIOD_S
            self.client.executor.spin_once(timeout_sec=max(0.0, next_frame - now))


@pytest.mark.parametrize('fault', ['gil_hang', 'segfault'])
def test_a_hung_or_crashed_bpu_call_is_survived_in_process_mode(tmp_path, fault):
    namespace = '/t_isolation_' + fault
    settings = {'board_ms': 2.95}
    if fault == 'gil_hang':
        settings.update(gil_hang_every=FAULT_CALL, gil_hang_s=20)
    else:
        settings.update(crash_at=FAULT_CALL)
    env, model = standin_env(tmp_path, **settings)
    node = start_node(namespace, '-p', 'backend:=bpu', '-p', 'bpu_runtime:=pyeasy_dnn',
                      '-p', 'model_path:=' + model, '-p', 'worker_type:=process',
                      '-p', 'diagnostics_period:={}'.format(DIAGNOSTICS_PERIOD_S),
                      params_file=None, env=env, log=tmp_path / 'node.log')
    client = RosClient('camera')
    try:
        run = _Run(client, namespace)
        assert client.spin_until(
            lambda: run.pub.get_subscription_count() > 0 and run.diagnostics, 60.0), \
            node.output()[-3000:]
        run.camera_for(60.0, until=lambda: run.results)
        assert run.results, node.output()[-3000:]
        # Up to the fault (call FAULT_CALL of the worker), then on until results resume.
        run.camera_for(30.0, until=lambda: any(d[1] == 2 for d in run.diagnostics))
        errors = [d for d in run.diagnostics if d[1] == 2]
        assert errors, (run.diagnostics[-3:], node.output()[-3000:])
        first_error = errors[0][0]
        # The fault struck just after the last result before the error.
        fault_at = max(t for t, _ in run.results if t < first_error)
        run.camera_for(15.0, until=lambda: run.results[-1][0] > first_error)
        run.camera_for(3.0)  # and results keep coming
        assert node.alive(), node.output()[-3000:]
        children = _descendants(node.pid)
        assert children
    finally:
        client.close()
        code, out = node.stop(signal.SIGKILL)
    assert code == -signal.SIGKILL, out[-3000:]  # alive until this test killed it
    # No worker outlives the node, not even after SIGKILL.
    assert not _left_after(children, 2.0)

    arrivals = [t for t, _, _, _ in run.diagnostics]
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:])]
    assert max(gaps) <= 2 * DIAGNOSTICS_PERIOD_S, max(gaps)
    assert first_error - fault_at <= 2.0, (first_error - fault_at)
    resumed = min(t for t, _ in run.results if t > first_error)
    assert resumed - fault_at <= 5.0, (resumed - fault_at)
    print('{}: ERROR {:.2f} s and results again {:.2f} s after the last result before the '
          'fault; longest /diagnostics gap {:.2f} s'.format(
              fault, first_error - fault_at, resumed - fault_at, max(gaps)))
    message = errors[0][2]
    if fault == 'gil_hang':
        assert 'timeout' in message, message
        assert int(run.diagnostics[-1][3]['worker_timeouts']) >= 1
    else:
        assert 'SIGSEGV' in message or 'crash' in message, message
        assert int(run.diagnostics[-1][3]['worker_crashes']) >= 1
    assert int(run.diagnostics[-1][3]['worker_restarts']) >= 1
    stamps = [s for _, s in run.results]
    assert stamps == sorted(set(stamps)), 'published out of order'


def test_sigint_with_a_worker_hung_ends_the_node_and_its_children_within_2_s(tmp_path):
    namespace = '/t_isolation_sigint'
    # Call 3 (the second frame) hangs for a minute; the timeout is longer still.
    env, model = standin_env(tmp_path, board_ms=2.95, gil_hang_every=3, gil_hang_s=60)
    env['PYEASY_DNN_STANDIN_LOG'] = str(tmp_path / 'forward.log')
    node = start_node(namespace, '-p', 'backend:=bpu', '-p', 'bpu_runtime:=pyeasy_dnn',
                      '-p', 'model_path:=' + model, '-p', 'worker_type:=process',
                      '-p', 'inference_timeout:=120.0', '-p', 'num_workers:=2',
                      params_file=None, env=env, log=tmp_path / 'node.log')
    client = RosClient('camera')
    forward_log = tmp_path / 'forward.log'

    def hung():
        # Each worker process logs its calls; two processes at call 3 means both are stuck.
        lines = forward_log.read_text().splitlines() if forward_log.exists() else []
        return sum(line.startswith('3 ') for line in lines) == 2

    try:
        run = _Run(client, namespace)
        assert client.spin_until(
            lambda: run.pub.get_subscription_count() > 0 and run.diagnostics, 60.0), \
            node.output()[-3000:]
        run.camera_for(60.0, until=hung)
        assert hung(), node.output()[-3000:]
        children = _descendants(node.pid)
    finally:
        client.close()
    started = time.monotonic()
    code, out = node.stop(signal.SIGINT)
    elapsed = time.monotonic() - started
    assert code == 0 and 'Traceback' not in out, out[-3000:]
    print('SIGINT with both workers hung: exit {:.2f} s after the signal'.format(elapsed))
    assert elapsed < 2.0, elapsed
    # The worker processes, and anything they started.
    assert children and not _left_after(children, 2.0)
