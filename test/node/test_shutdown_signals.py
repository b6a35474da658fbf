# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Ctrl-C under `ros2 launch`: repeated SIGINT/SIGTERM while frames flow and inference runs.

The terminal's SIGINT reaches the node, then launch forwards another SIGINT (and later a
SIGTERM) while the node is shutting down. Whatever moment the later signals hit, the node
must end within 2 s of the first one, exit 0, and print no traceback and no C++ abort.

One camera (the package's image_publisher, 640x480 photos at 30 Hz) feeds every repetition;
each repetition starts a fresh node (the CPU backend with the dev YAML: two workers), waits
until it is classifying, then signals it at a random moment. RESNET_X5_SIGNAL_REPS sets the
number of repetitions for a longer one-off run.
"""

import os
import random
import signal
import time

import pytest

from resnet_x5_ros.tools.node_process import stop_process
from support import REPO
from support.nodes import needs_model, start_node
from support.reliability import Results
from support.rosutil import RosClient, start_process

pytestmark = [pytest.mark.ros, pytest.mark.slow]

CAMERA_TOPIC = '/t_signals/image'
REPS = int(os.environ.get('RESNET_X5_SIGNAL_REPS', '20'))
# What the node can receive from a terminal plus launch: SIGINT twice (the common case),
# SIGTERM first (launch's own escalation or `kill`), and a third signal on top.
SEQUENCES = (
    (signal.SIGINT, signal.SIGINT),
    (signal.SIGTERM, signal.SIGINT),
    (signal.SIGINT, signal.SIGINT, signal.SIGINT),
    (signal.SIGINT, signal.SIGTERM),
    (signal.SIGTERM, signal.SIGTERM, signal.SIGINT),
)
EXIT_WITHIN_S = 2.0


@pytest.fixture(scope='module')
def camera():
    proc = start_process(['-m', 'resnet_x5_ros.tools.image_publisher.cli',
                          os.path.join(REPO, 'resnet_x5_ros', 'data', 'samples'),
                          '--rate', '30', '--size', '640x480', '--encoding', 'bgr8',
                          '--topic', CAMERA_TOPIC])
    yield proc
    stop_process(proc)


def _signal_sequence(node, sigs, rng):
    """Send sigs to the node, each later one 0-200 ms after the previous (if still alive)."""
    node.process.send_signal(sigs[0])
    for sig in sigs[1:]:
        time.sleep(rng.uniform(0.0, 0.2))  # the random moment under test, not a wait
        if node.poll() is None:
            node.process.send_signal(sig)


@needs_model
def test_repeated_signals_during_shutdown_end_the_node_cleanly(tmp_path, camera):
    rng = random.Random(11)
    client = RosClient('signal_watcher')
    failures = []
    took = []
    try:
        for rep in range(REPS):
            sigs = SEQUENCES[rep % len(SEQUENCES)]
            # Each node in its own namespace: results still in flight from the previous one
            # must not count as this one's.
            namespace = '/t_signals{}'.format(rep)
            node = start_node(namespace, '-r', 'image:=' + CAMERA_TOPIC,
                              log=tmp_path / 'node{}.log'.format(rep))
            results = Results(client, namespace + '/classification')
            # Frames flow and inference runs: a few results of this node arrived.
            assert client.spin_until(lambda: results.count >= 3, 60.0), \
                (camera.poll(), node.output()[-3000:])
            time.sleep(rng.uniform(0.0, 0.1))  # a random moment of the frame cycle
            started = time.monotonic()
            _signal_sequence(node, sigs, rng)
            code, out = node.finished(timeout=30.0)
            elapsed = time.monotonic() - started
            took.append(elapsed)
            names = '+'.join(s.name for s in sigs)
            if code != 0 or 'Traceback' in out or 'terminate called' in out or \
                    elapsed >= EXIT_WITHIN_S:
                failures.append('rep {} ({}): exit {} after {:.2f} s\n{}'.format(
                    rep, names, code, elapsed, out[-1500:]))
    finally:
        client.close()
    print('{} repetitions, exit after the first signal: max {:.2f} s, mean {:.2f} s'.format(
        len(took), max(took), sum(took) / len(took)))
    assert not failures, '{} of {} repetitions unclean:\n{}'.format(
        len(failures), REPS, '\n'.join(failures[:3]))
