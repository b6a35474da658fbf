# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""A failing or hanging BPU under the running node (pyeasy_dnn STAND-IN with fault injection).

The node runs backend bpu on the stand-in with a cheap deterministic scorer: a uniform grey
frame of level L is class L, so every result can be checked against the frame it claims to
answer. Faults: every Nth forward raises SystemError (or returns None, as some runtime builds
do), every forward fails from some call on, and, through a control file, failing, hanging and
healing at any moment.

What a hung BPU call does to the node (checked below): the worker that made the call is stuck
(with several workers the others queue on the backend's lock); the subscription callback keeps
taking frames into the one-frame slot and counts the ones it replaces as dropped; /diagnostics
keeps coming from its timer on the executor thread, so received and dropped grow while
published stands still, and once no frame finished for longer than the stall limit the status
is ERROR "inference stalled"; when the call returns, the newest frame is classified and output
resumes; on SIGINT the node stops without joining the stuck worker (a daemon thread), warns
which worker was still in inference, and exits 0. (The real pyeasy_dnn holds the GIL during
forward(), so a call hung inside it would freeze the executor too; this stand-in hangs with
the GIL released.)
"""

import os
import signal
import time

import pytest

from resnet_x5_ros.node import WARN_EVERY_S
from support.fault_scorer import CONTROL_ENV, CONTROL_SCORER
from support.nodes import start_node
from support.reliability import Diagnostics, grey_image, Results, standin_env
from support.rosutil import RosClient

pytestmark = [pytest.mark.ros, pytest.mark.slow]


def _bpu_node(tmp_path, namespace, *ros_args, runtime='pyeasy_dnn', **standin):
    env, model = standin_env(tmp_path, **standin)
    control = tmp_path / 'control'
    control.write_text('ok')
    if standin.get('scorer') == CONTROL_SCORER:
        env[CONTROL_ENV] = str(control)
    env['PYEASY_DNN_STANDIN_LOG'] = str(tmp_path / 'forward.log')
    if runtime == 'hbm_runtime':  # the same settings for the hbm_runtime stand-in
        env = {k.replace('PYEASY_DNN_STANDIN_', 'HBM_RUNTIME_STANDIN_'): v
               for k, v in env.items()}
    node = start_node(namespace, '-p', 'backend:=bpu', '-p', 'bpu_runtime:=' + runtime,
                      '-p', 'model_path:=' + model, '-p', 'diagnostics_period:=0.1',
                      *ros_args, params_file=None, env=env, log=tmp_path / 'node.log')
    return node, control


class _Camera:
    """Test side: publishes grey frames, watches results and diagnostics."""

    def __init__(self, client, namespace, node):
        from sensor_msgs.msg import Image
        self.client = client
        self.node = node
        self.pub = client.node.create_publisher(Image, namespace + '/image', 10)
        self.results = Results(client, namespace + '/classification')
        self.diagnostics = Diagnostics(client, namespace + '/classifier')
        self.sent = 0
        assert client.spin_until(
            lambda: self.pub.get_subscription_count() > 0 and
            self.diagnostics.latest is not None, 60.0), node.output()

    def send(self, level):
        self.sent += 1
        frame_id = 'grey-{}-{}'.format(level, self.sent)
        self.pub.publish(grey_image(level, frame_id=frame_id, stamp_sec=self.sent))
        return frame_id

    def send_received(self, level):
        """Send one frame and wait until the node counted it as received."""
        frame_id = self.send(level)
        assert self.client.spin_until(
            lambda: self.diagnostics.counts()['received'] == self.sent, 30.0), \
            (self.sent, self.diagnostics.counts(), self.node.output()[-2000:])
        return frame_id

    def send_accounted(self, level):
        """Send one frame and wait until the node counted what became of it."""
        frame_id = self.send(level)
        assert self.client.spin_until(
            lambda: self.diagnostics.settled(received=self.sent), 30.0), \
            (self.sent, self.diagnostics.counts(), self.node.output()[-2000:])
        return frame_id

    def check_results(self):
        """Every result answers the frame named in its header (class == grey level)."""
        for frame_id, msgs in self.results.by_frame.items():
            level = int(frame_id.split('-')[1])
            for msg in msgs:
                assert msg.results[0].class_id == str(level), (frame_id, msg)


def _forward_calls(tmp_path):
    path = tmp_path / 'forward.log'
    return len(path.read_text().splitlines()) if path.exists() else 0


@pytest.mark.parametrize('runtime, fail_mode', [('pyeasy_dnn', 'systemerror'),
                                                ('pyeasy_dnn', 'none'),
                                                ('hbm_runtime', 'systemerror')])
def test_every_third_forward_fails_and_the_node_keeps_going(tmp_path, runtime, fail_mode):
    started = time.monotonic()
    namespace = '/t_fault_{}_{}'.format(runtime, fail_mode)
    node, _ = _bpu_node(tmp_path, namespace, runtime=runtime, fail_every=3,
                        fail_mode=fail_mode)
    client = RosClient('camera')
    try:
        camera = _Camera(client, namespace, node)
        sent = [camera.send_accounted(level) for level in range(10, 40)]
        counts = camera.diagnostics.counts()
        assert node.alive()
    finally:
        client.close()
        code, out = node.stop()
    elapsed = time.monotonic() - started
    assert code == 0 and 'Traceback' not in out, out[-3000:]
    assert 'bpu: {} (STAND-IN'.format('hbm_runtime' if runtime == 'hbm_runtime'
                                      else 'hobot_dnn.pyeasy_dnn') in out, out[-3000:]
    # forward() calls 1 (the warm-up), 2, 3, ...: calls 3, 6, 9, ... failed. Each frame the
    # node took made exactly one call, so the counts must match the injection exactly.
    calls = 1 + counts['processed'] + counts['backend_errors']
    assert calls == _forward_calls(tmp_path)
    assert counts['backend_errors'] == calls // 3, counts
    assert counts['internal_errors'] == 0 and counts['rejected'] == 0, counts
    # Frames whose inference succeeded were answered, and answered right.
    assert camera.results.count == counts['published'] == counts['processed']
    assert set(camera.results.by_frame) <= set(sent)
    camera.check_results()
    failures = [line for line in out.splitlines() if 'inference failed' in line]
    assert 1 <= len(failures) <= elapsed / WARN_EVERY_S + 1, failures  # rate-limited
    assert 'failures so far' in failures[0]


def test_backend_failing_from_the_start_is_an_error_in_diagnostics(tmp_path):
    from diagnostic_msgs.msg import DiagnosticStatus
    node, _ = _bpu_node(tmp_path, '/t_fault_dead', fail_from=2)
    client = RosClient('camera')
    try:
        camera = _Camera(client, '/t_fault_dead', node)
        for level in range(50, 55):
            camera.send_accounted(level)
        assert client.spin_until(lambda: camera.diagnostics.counts()['backend_errors'] == 5)
        assert camera.diagnostics.level == DiagnosticStatus.ERROR
        assert 'fail' in camera.diagnostics.message
        assert camera.results.count == 0
    finally:
        client.close()
        code, out = node.stop()
    assert code == 0 and 'Traceback' not in out, out[-3000:]


def test_backend_fails_for_a_while_then_recovers(tmp_path):
    from diagnostic_msgs.msg import DiagnosticStatus
    node, control = _bpu_node(tmp_path, '/t_fault_flaky', scorer=CONTROL_SCORER)
    client = RosClient('camera')
    try:
        camera = _Camera(client, '/t_fault_flaky', node)
        before = camera.send_accounted(60)
        assert before in camera.results.by_frame or client.spin_until(
            lambda: before in camera.results.by_frame)
        control.write_text('fail')
        for level in range(61, 71):
            camera.send_accounted(level)
        counts = camera.diagnostics.counts()
        assert counts['backend_errors'] == 10 and counts['processed'] == 1, counts
        assert node.alive()
        control.write_text('ok')
        after = camera.send_accounted(71)
        assert client.spin_until(lambda: after in camera.results.by_frame)
        camera.check_results()
        assert set(camera.results.by_frame) == {before, after}
        # Back to normal: the status is OK again once a result went out.
        assert client.spin_until(lambda: camera.diagnostics.level == DiagnosticStatus.OK)
    finally:
        client.close()
        code, out = node.stop()
    assert code == 0 and 'Traceback' not in out, out[-3000:]


# 'fail': the runtime's own words (pyeasy_dnn's RuntimeError behind its SystemError) are logged.
@pytest.mark.parametrize('fault, logged', [('fail', 'RuntimeError: forward execution failed'),
                                           ('nan', 'non-finite scores')])
def test_diagnostics_level_reports_a_backend_that_started_failing(tmp_path, fault, logged):
    # 'nan': a model whose scores turn NaN fails like a runtime error (a backend error with
    # its streak), not as an internal error of the node.
    from diagnostic_msgs.msg import DiagnosticStatus
    namespace = '/t_fault_level_' + fault
    node, control = _bpu_node(tmp_path, namespace, scorer=CONTROL_SCORER)
    client = RosClient('camera')
    try:
        camera = _Camera(client, namespace, node)
        camera.send_accounted(80)
        control.write_text(fault)
        for level in range(81, 86):
            camera.send_accounted(level)
        counts = camera.diagnostics.counts()
        assert counts['backend_errors'] == 5 and counts['internal_errors'] == 0, counts
        # The next status after the failures must not say everything is fine.
        seen = camera.diagnostics.updates
        assert client.spin_until(lambda: camera.diagnostics.updates > seen + 1)
        assert camera.diagnostics.level == DiagnosticStatus.ERROR, camera.diagnostics.message
        assert 'failing' in camera.diagnostics.message, camera.diagnostics.message
    finally:
        client.close()
        code, out = node.stop()
    assert code == 0 and 'Traceback' not in out, out[-3000:]
    failures = [line for line in out.splitlines() if 'inference failed' in line]
    assert failures and logged in failures[0], out[-3000:]


def _wait_for_hang(client, tmp_path, calls):
    """Spin until the stand-in logged forward call number `calls` (the one that hangs)."""
    return client.spin_until(lambda: _forward_calls(tmp_path) >= calls, 30.0)


def test_hung_inference_is_visible_and_output_resumes_when_it_returns(tmp_path):
    node, control = _bpu_node(tmp_path, '/t_fault_hang', scorer=CONTROL_SCORER)
    client = RosClient('camera')
    try:
        camera = _Camera(client, '/t_fault_hang', node)
        camera.send_accounted(90)
        control.write_text('hang')
        camera.send(91)
        assert _wait_for_hang(client, tmp_path, 3)  # warm-up, frame 90, frame 91 (stuck)
        stuck = camera.diagnostics.counts()
        # While the worker is stuck, frames keep arriving and replace each other in the slot.
        for level in range(92, 102):
            camera.send_received(level)
        during = camera.diagnostics.counts()
        updates = camera.diagnostics.updates
        assert client.spin_until(lambda: camera.diagnostics.updates >= updates + 3)
        assert during['dropped'] == stuck['dropped'] + 9, during  # one waits in the slot
        assert camera.diagnostics.counts()['published'] == stuck['published']
        assert node.alive()
        control.write_text('ok')
        # The stuck frame finishes, then the newest one waiting in the slot.
        last = 'grey-101-{}'.format(camera.sent)
        assert client.spin_until(lambda: last in camera.results.by_frame), \
            camera.diagnostics.counts()
        assert client.spin_until(lambda: camera.diagnostics.settled(received=camera.sent))
        camera.check_results()
        after = camera.send_accounted(102)
        assert client.spin_until(lambda: after in camera.results.by_frame)
    finally:
        client.close()
        code, out = node.stop()
    assert code == 0 and 'Traceback' not in out, out[-3000:]


@pytest.mark.parametrize('workers', [1, 2])
def test_shutdown_with_inference_hung_does_not_wait_for_it(tmp_path, workers):
    namespace = '/t_fault_stop{}'.format(workers)
    node, control = _bpu_node(tmp_path, namespace, '-p', 'num_workers:={}'.format(workers),
                              scorer=CONTROL_SCORER)
    client = RosClient('camera')
    try:
        camera = _Camera(client, namespace, node)
        camera.send_accounted(110)
        control.write_text('hang')
        for level in range(111, 111 + workers):
            # With two workers the second one blocks on the backend's lock, not in forward.
            camera.send_received(level)
        assert _wait_for_hang(client, tmp_path, 3)
        assert client.spin_until(lambda: not camera.diagnostics.settled())
    finally:
        client.close()
    started = time.monotonic()
    code, out = node.stop(signal.SIGINT, timeout=30.0)
    took = time.monotonic() - started
    print('shutdown with {} hung worker(s) took {:.2f} s'.format(workers, took))
    assert code == 0, out[-3000:]
    assert 'Traceback' not in out, out[-3000:]
    busy = [line for line in out.splitlines() if 'still running' in line]
    assert len(busy) == 1, out[-3000:]
    assert all('classifier-worker-{}'.format(i) in busy[0] for i in range(workers)), busy
    assert os.path.exists(str(tmp_path / 'forward.log'))


def test_hung_inference_turns_diagnostics_error_until_results_flow_again(tmp_path):
    from diagnostic_msgs.msg import DiagnosticStatus
    node, control = _bpu_node(tmp_path, '/t_fault_stall', scorer=CONTROL_SCORER)
    client = RosClient('camera')
    try:
        camera = _Camera(client, '/t_fault_stall', node)
        camera.send_accounted(40)
        assert client.spin_until(lambda: camera.diagnostics.level == DiagnosticStatus.OK)
        limit = float(camera.diagnostics.latest['stall_limit_s'])
        assert limit >= 1.0
        control.write_text('hang')
        # A camera at 10 Hz: frames keep arriving while the inference hangs.
        client.node.create_timer(0.1, lambda: camera.send(41))
        assert _wait_for_hang(client, tmp_path, 3)
        hung_at = time.monotonic()

        def error():
            return camera.diagnostics.level == DiagnosticStatus.ERROR

        assert client.spin_until(error, 30.0), camera.diagnostics.message
        assert time.monotonic() - hung_at >= limit  # not before the limit
        assert 'stalled' in camera.diagnostics.message, camera.diagnostics.message
        assert camera.diagnostics.counts()['received'] > 3  # frames did arrive meanwhile
        control.write_text('ok')
        published = camera.diagnostics.counts()['published']
        assert client.spin_until(
            lambda: camera.diagnostics.counts()['published'] > published + 2 and
            camera.diagnostics.level == DiagnosticStatus.OK, 30.0), camera.diagnostics.message
    finally:
        client.close()
        code, out = node.stop()
    assert code == 0 and 'Traceback' not in out, out[-3000:]
    assert [line for line in out.splitlines() if 'inference stalled' in line], out[-3000:]
