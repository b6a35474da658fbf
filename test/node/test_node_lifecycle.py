# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""The node as a library: what it starts, it stops, whichever way its life ends.

ClassifierNode in this process on the pyeasy_dnn STAND-IN (board timing mode), thread and
process workers: destroy_node() after rclpy's conventions, a start-up that fails half-way, a
frame in flight at shutdown, a worker process that cannot be restarted for a while; and
main() called from Python, which returns where nothing asks the process to end.
"""

import errno
import os
import textwrap
import threading

import pytest
from test_node_in_process import Recorder

from support.reliability import standin_env
from support.rosutil import start_process, wait_for_exit
from support.standins import standin_support as standins

pytestmark = [pytest.mark.ros, pytest.mark.slow]

REPEATS = 20


def _children():
    """Process ids of this process's live children (zombies are not running anything)."""
    found = []
    for task in os.listdir('/proc/self/task'):
        with open('/proc/self/task/{}/children'.format(task)) as f:
            found += [int(pid) for pid in f.read().split()]
    return sorted(found)


def _open_files():
    """Targets of this process's open fds, but Fast DDS's shared-memory segments.

    Fast DDS opens the shared-memory port of every participant it talks to, so those come
    and go with the other processes on the domain, whatever this node does.
    """
    targets = []
    for fd in os.listdir('/proc/self/fd'):
        try:
            target = os.readlink('/proc/self/fd/' + fd)
        except OSError:
            continue  # the fd listdir itself used, closed again
        if not target.startswith('/dev/shm/fastrtps_'):
            targets.append(target)
    return sorted(targets)


def _resources():
    """What a node could leave behind: threads (Python's and all), children, open files."""
    return {'python_threads': sorted(t.name for t in threading.enumerate()),
            'tasks': len(os.listdir('/proc/self/task')),
            'children': _children(),
            'files': _open_files()}


@pytest.fixture
def board_env(monkeypatch):
    """Worker processes read the stand-in's settings from the environment."""
    monkeypatch.setenv('PYEASY_DNN_STANDIN_BOARD_MS', '2.95')
    for name in ('GIL_HANG_EVERY', 'GIL_HANG_S', 'CRASH_AT', 'SLEEP_EVERY', 'SLEEP_S', 'LOG'):
        monkeypatch.delenv('PYEASY_DNN_STANDIN_' + name, raising=False)
    return monkeypatch


@pytest.fixture
def create(tmp_path, board_env):
    """create(**parameters) -> a ClassifierNode on the stand-in (not destroyed for you)."""
    import rclpy
    from rclpy.parameter import Parameter
    from resnet_x5_ros.node import ClassifierNode
    context = rclpy.Context()
    rclpy.init(context=context)
    model = standins.write_fixture_bin(tmp_path / 'model.bin')
    with standins.standin_runtime() as pyeasy_dnn:
        pyeasy_dnn.configure(board_ms=2.95)

        def make(**parameters):
            values = {'backend': 'bpu', 'bpu_runtime': 'pyeasy_dnn', 'model_path': model}
            values.update(parameters)
            return ClassifierNode(context=context, parameter_overrides=[
                Parameter(k, value=v) for k, v in values.items()])
        try:
            yield make
        finally:
            context.try_shutdown()


@pytest.fixture
def destroyed(monkeypatch):
    """Names of the nodes whose rcl node was destroyed (rclpy's Node.destroy_node ran)."""
    from rclpy.node import Node
    names = []
    destroy_node = Node.destroy_node

    def spy(node):
        names.append(node.get_name())
        return destroy_node(node)

    monkeypatch.setattr(Node, 'destroy_node', spy)
    return names


@pytest.mark.parametrize('worker_type', ['thread', 'process'])
def test_create_and_destroy_leaves_nothing_behind(create, destroyed, worker_type):
    # The first round loads what stays loaded for good (imports, the logger's file).
    create(worker_type=worker_type, num_workers=2).destroy_node()
    baseline = _resources()
    after = []
    for _ in range(REPEATS):
        node = create(worker_type=worker_type, num_workers=2)
        workers = _resources()
        node.destroy_node()
        after.append(_resources())
    # The node did start something each time, and took all of it with it.
    assert len(workers['python_threads']) == len(baseline['python_threads']) + 2
    assert len(workers['children']) == (2 if worker_type == 'process' else 0)
    assert after == [baseline] * REPEATS
    assert destroyed == ['classifier'] * (REPEATS + 1)


def _interrupt(node, *args, **kwargs):
    raise KeyboardInterrupt  # Ctrl-C as the node creates its timers: its workers are running


@pytest.mark.parametrize('worker_type', ['thread', 'process'])
@pytest.mark.parametrize('failure', ['startup_error', 'interrupted'])
def test_a_failed_start_up_leaves_nothing_behind(create, destroyed, monkeypatch, worker_type,
                                                 failure):
    from resnet_x5_ros.node import ClassifierNode, StartupError
    create(worker_type=worker_type).destroy_node()
    baseline = _resources()
    if failure == 'startup_error':
        # Found once the model is loaded (and its worker processes run): 1000 classes.
        expected, parameters = StartupError, {'top_k': 1001}
    else:
        monkeypatch.setattr(ClassifierNode, 'create_timer', _interrupt)
        expected, parameters = KeyboardInterrupt, {}
    for _ in range(3):
        with pytest.raises(expected):
            create(worker_type=worker_type, num_workers=2, **parameters)
        assert _resources() == baseline
    assert destroyed == ['classifier'] * 4


def _grey_image(level, stamp_sec, width=64, height=48):
    import array

    from sensor_msgs.msg import Image
    msg = Image(height=height, width=width, encoding='mono8', step=width)
    msg.data = array.array('B', bytes([level]) * (width * height))
    msg.header.stamp.sec = stamp_sec
    return msg


def _calls(log):
    """Call numbers the stand-in logged as each call began ($PYEASY_DNN_STANDIN_LOG)."""
    lines = log.read_text().splitlines() if log.exists() else []
    return [int(line.split()[0]) for line in lines]


def test_a_frame_in_flight_at_shutdown_is_published_not_failed(create, board_env, tmp_path):
    log = tmp_path / 'forward.log'
    board_env.setenv('PYEASY_DNN_STANDIN_LOG', str(log))
    # The worker's second call, the first frame, takes 0.1 s longer: in flight at shutdown.
    board_env.setenv('PYEASY_DNN_STANDIN_SLEEP_EVERY', '2')
    board_env.setenv('PYEASY_DNN_STANDIN_SLEEP_S', '0.1')
    node = create(worker_type='process', num_workers=1)
    try:
        node._classification_pub = published = Recorder()
        warnings = []
        node._warn = lambda kind, text: warnings.append(text)
        node._on_image(_grey_image(100, stamp_sec=1))
        assert standins.wait_for(lambda: 2 in _calls(log), 30.0), _calls(log)
        assert node.shutdown() == []
        counts = node.stats.counts()
        assert (counts['published'], counts['backend_errors']) == (1, 0), counts
        assert [m.header.stamp.sec for m in published.sent] == [1]
        assert warnings == []
    finally:
        node.destroy_node()


def _run_main(tmp_path, body, *ros_args):
    """Run main() from a Python program (not the console script); returns (code, output)."""
    env, model = standin_env(tmp_path, board_ms=2.95)
    program = tmp_path / 'host.py'
    program.write_text(textwrap.dedent("""
        import atexit, os, signal, sys, threading
        import rclpy
        import resnet_x5_ros.node as node_module
        atexit.register(lambda: print('interpreter exit ran', flush=True))
        args = ['--ros-args', '-p', 'backend:=bpu', '-p', 'bpu_runtime:=pyeasy_dnn',
                '-p', 'model_path:={model}', '-r', '__ns:=/t_lifecycle'] + {ros_args!r}
    """).format(model=model, ros_args=list(ros_args)) + textwrap.dedent(body))
    return wait_for_exit(start_process([str(program)], **env))


def test_main_returns_its_exit_code_after_a_start_up_error(tmp_path):
    code, out = _run_main(tmp_path, """
        code = node_module.main(args)
        print('main returned', code, flush=True)
    """, '-p', 'top_k:=1001')
    assert code == 0, out
    assert 'classifier_node: error: ' in out and 'top_k' in out, out
    assert 'main returned 2\n' in out and out.endswith('interpreter exit ran\n'), out


def test_main_returns_when_the_host_shuts_ros_down(tmp_path):
    code, out = _run_main(tmp_path, """
        class ShutsDown(node_module.SingleThreadedExecutor):
            # The program that called main shuts ROS down while the node spins.

            def spin_once(self, timeout_sec=None):
                super().spin_once(timeout_sec)
                rclpy.shutdown()

        node_module.SingleThreadedExecutor = ShutsDown
        code = node_module.main(args)
        tasks = os.listdir('/proc/self/task')
        children = [c for t in tasks
                    for c in open('/proc/self/task/{}/children'.format(t)).read().split()]
        print('main returned', code, 'children', children,
              'threads', sorted(t.name for t in threading.enumerate()), flush=True)
        print('SIGINT handler is Python\\'s again:',
              signal.getsignal(signal.SIGINT) is signal.default_int_handler, flush=True)
    """, '-p', 'worker_type:=process', '-p', 'num_workers:=2')
    assert code == 0, out
    assert "main returned 0 children [] threads ['MainThread']\n" in out, out
    assert "SIGINT handler is Python's again: True\n" in out, out
    assert out.endswith('interpreter exit ran\n'), out
    assert 'Traceback' not in out, out


def test_diagnostics_tell_why_a_worker_does_not_restart_and_results_resume(create, board_env,
                                                                           monkeypatch):
    import subprocess

    from diagnostic_msgs.msg import DiagnosticStatus
    board_env.setenv('PYEASY_DNN_STANDIN_CRASH_AT', '3')  # the second frame
    node = create(worker_type='process', num_workers=1)
    try:
        node._classification_pub = published = Recorder()
        node._diagnostics_pub = diagnostics = Recorder()
        backend = node._classifier.backend

        def status():
            node._publish_diagnostics()
            sent = diagnostics.sent[-1].status[0]
            return sent.level, sent.message, {kv.key: kv.value for kv in sent.values}

        real_popen = subprocess.Popen
        fork_fails = [True]

        def popen(args, *more, **options):
            if 'resnet_x5_ros.backends.process_child' in args and fork_fails[0]:
                raise OSError(errno.EAGAIN, os.strerror(errno.EAGAIN))
            return real_popen(args, *more, **options)

        monkeypatch.setattr(subprocess, 'Popen', popen)
        status()
        node._on_image(_grey_image(100, stamp_sec=1))
        assert standins.wait_for(lambda: len(published.sent) == 1, 30.0)
        node._on_image(_grey_image(100, stamp_sec=2))  # the worker dies; no fork works
        assert standins.wait_for(
            lambda: backend.supervision()[0]['worker_start_failures'] >= 2, 30.0)
        level, message, values = status()
        assert level == DiagnosticStatus.ERROR
        assert message.startswith('worker process 0 failed to restart (attempt '), message
        assert message.endswith('BlockingIOError: [Errno 11] Resource temporarily '
                                'unavailable'), message
        assert int(values['worker_start_failures']) >= 2
        assert (values['worker_crashes'], values['worker_restarts']) == ('1', '0')
        fork_fails[0] = False  # memory again: the next attempt starts the worker
        assert standins.wait_for(lambda: backend.supervision()[0]['worker_restarts'] == 1, 30.0)
        node._on_image(_grey_image(100, stamp_sec=3))
        assert standins.wait_for(lambda: len(published.sent) == 2, 30.0)
        # The next status tells what happened since the last one (frame 2 failed, a restart
        # failed once more), not a fault in progress; the one after is OK.
        level, message, _ = status()
        assert not message.startswith('worker process'), message
        assert status()[0] == DiagnosticStatus.OK
        assert [m.header.stamp.sec for m in published.sent] == [1, 3]
    finally:
        node.destroy_node()
