# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Shared pieces of the reliability tests (no tests here).

Starting the node as users run it (its own process, output to a file so a chatty node can
never block on a full pipe), the pyeasy_dnn STAND-IN environment with fault injection, a
/diagnostics watcher, uniform grey frames whose class the stand-in's ramp scorer predicts, and
a scorer a test can fail, hang and heal at run time through a control file.
"""

import array
import atexit
import os
import subprocess
import sys
import time

import numpy as np

from rosutil import child_env, REPO

STANDINS = os.path.join(REPO, 'dev', 'standins')
TEST_DIR = os.path.join(REPO, 'test')
CPU_PARAMS = os.path.join(REPO, 'config', 'classifier_cpu.yaml')
CPU_MODEL = os.path.join(REPO, 'models', 'efficientnet_lite0.onnx')
# Read by control_scorer in the node process: 'ok', 'fail' or 'hang'.
CONTROL_ENV = 'RESNET_X5_RELIABILITY_CONTROL'
COUNTERS = ('received', 'processed', 'published', 'dropped', 'rejected', 'backend_errors',
            'internal_errors', 'stale')


_started = []


@atexit.register
def _kill_leftovers():
    # A test that failed half-way must not leave a node running after pytest exits.
    for proc in _started:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


class NodeProcess:
    """The classifier node in its own process; output goes to a file."""

    def __init__(self, log_path, namespace, *ros_args, params_file=CPU_PARAMS, env=None):
        cmd = [sys.executable, '-m', 'resnet_x5_ros.node', '--ros-args',
               '-r', '__ns:=' + namespace]
        if params_file:
            cmd += ['--params-file', params_file]
        cmd += list(ros_args)
        self.namespace = namespace
        self.log_path = str(log_path)
        self._log = open(self.log_path, 'w', encoding='utf-8')
        self.proc = subprocess.Popen(cmd, cwd=REPO, env=child_env(**(env or {})),
                                     stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        _started.append(self.proc)

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc.poll() is None

    def output(self):
        if not self._log.closed:
            self._log.flush()
        with open(self.log_path, encoding='utf-8', errors='replace') as f:
            return f.read()

    def wait(self, timeout):
        """Wait for exit (the timeout only bounds a failing test); returns (code, output)."""
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()
        return self.proc.returncode, self.output()

    def stop(self, sig=None, timeout=15.0):
        """Send SIGINT (or sig) and wait; returns (code, output)."""
        import signal
        if self.alive():
            self.proc.send_signal(sig or signal.SIGINT)
        return self.wait(timeout)


def standin_env(model_dir, scorer='standin_support:ramp_scorer', **settings):
    """Environment for a node process whose BPU runtime is the pyeasy_dnn STAND-IN.

    settings: PYEASY_DNN_STANDIN_<NAME> values, e.g. fail_every=3, sleep_s=2.
    Returns (env dict, path of a stand-in .bin model file written into model_dir).
    """
    sys.path.insert(0, STANDINS)
    try:
        from standin_support import write_fixture_bin
    finally:
        sys.path.remove(STANDINS)
    model = write_fixture_bin(os.path.join(str(model_dir), 'standin_model.bin'))
    env = {'PYTHONPATH': os.pathsep.join([REPO, STANDINS, TEST_DIR]),
           'PYEASY_DNN_STANDIN_SCORER': scorer}
    for key, value in settings.items():
        env['PYEASY_DNN_STANDIN_' + key.upper()] = str(value)
    return env, model


def control_scorer(nv12, width, height, model_path):
    """Stand-in scorer steered by the file named in $RESNET_X5_RELIABILITY_CONTROL.

    'ok': the ramp scorer's answer (class = mean Y % 1000); 'fail': raise (the stand-in turns
    it into the SystemError pyeasy_dnn raises); 'hang': block until the file says otherwise,
    like a BPU call that does not return; 'nan': NaN scores, like a broken model.
    """
    path = os.environ[CONTROL_ENV]
    while True:
        with open(path, encoding='ascii') as f:
            mode = f.read().strip()
        if mode == 'fail':
            raise RuntimeError('injected backend failure')
        if mode == 'nan':
            return np.full(1000, np.nan, dtype=np.float32)
        if mode != 'hang':
            break
        time.sleep(0.01)  # the fault being simulated, not test synchronisation
    scores = np.zeros(1000, dtype=np.float32)
    scores[int(np.asarray(nv12[:width * height], dtype=np.float64).mean()) % 1000] = 10.0
    return scores


def grey_image(level, width=64, height=48, encoding='bgr8', frame_id='', stamp_sec=0):
    """A uniform grey sensor_msgs/Image; full-range NV12 keeps Y == level, so the ramp
    scorer answers class `level`."""
    from sensor_msgs.msg import Image
    from resnet_x5_ros.convert.encode import encode_image
    bgr = np.full((height, width, 3), level, dtype=np.uint8)
    data, w, h, step = encode_image(bgr, encoding)
    msg = Image(height=h, width=w, encoding=encoding, step=step)
    msg.data = array.array('B', data)
    msg.header.frame_id = frame_id
    msg.header.stamp.sec = stamp_sec
    return msg


class Diagnostics:
    """Keeps the latest /diagnostics values of one node (by name prefix)."""

    def __init__(self, client, node_name):
        from diagnostic_msgs.msg import DiagnosticArray
        self.node_name = node_name
        self.latest = None
        self.level = None
        self.message = None
        self.updates = 0
        client.node.create_subscription(DiagnosticArray, '/diagnostics', self._on_msg, 10)

    def _on_msg(self, msg):
        for status in msg.status:
            if status.name.startswith(self.node_name + ':'):
                self.latest = {kv.key: kv.value for kv in status.values}
                self.level = status.level
                self.message = status.message
                self.updates += 1

    def counts(self):
        """Counters of the latest status as ints, or None before the first one."""
        if self.latest is None:
            return None
        return {k: int(self.latest[k]) for k in COUNTERS if k in self.latest}

    def settled(self, **at_least):
        """True when every received frame is accounted for and each at_least[k] is reached."""
        c = self.counts()
        if c is None:
            return False
        if any(c.get(k, 0) < v for k, v in at_least.items()):
            return False
        return c['received'] == (c['processed'] + c['dropped'] + c['rejected'] +
                                 c['backend_errors'] + c['internal_errors'])


class Results:
    """Collects the node's classifications by frame_id."""

    def __init__(self, client, topic='classification'):
        from vision_msgs.msg import Classification
        self.by_frame = {}
        self.count = 0
        client.node.create_subscription(Classification, topic, self._on_msg, 100)

    def _on_msg(self, msg):
        self.count += 1
        self.by_frame.setdefault(msg.header.frame_id, []).append(msg)


def proc_status(pid):
    """(VmRSS in kB, thread count) of a process, from /proc."""
    rss = threads = None
    with open('/proc/{}/status'.format(pid), encoding='ascii') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                rss = int(line.split()[1])
            elif line.startswith('Threads:'):
                threads = int(line.split()[1])
    return rss, threads


def warning_lines(output, text):
    return [line for line in output.splitlines() if text in line]
