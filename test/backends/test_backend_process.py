# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""ProcessBackend without ROS: inference in supervised children on the pyeasy_dnn STAND-IN.

Board timing mode (each forward holds the GIL, CPU idle) with the stand-in's hang and crash
knobs. Call numbers count per process and include the backend's one warm-up call at load.
"""

import errno
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

from resnet_x5_ros.backends import BackendError, create_backend, ModelError
from resnet_x5_ros.backends.process import ProcessBackend
from support.standins import standin_support as standins

sample_nv12, standin_runtime = standins.sample_nv12, standins.standin_runtime
STANDINS, wait_for, write_fixture_bin = standins.STANDINS, standins.wait_for, \
    standins.write_fixture_bin

pytestmark = pytest.mark.slow


@pytest.fixture
def board_env(monkeypatch):
    monkeypatch.setenv('PYEASY_DNN_STANDIN_BOARD_MS', '2.95')
    for prefix in ('PYEASY_DNN_STANDIN_', 'HBM_RUNTIME_STANDIN_'):
        for name in ('GIL_HANG_EVERY', 'GIL_HANG_S', 'CRASH_AT'):
            monkeypatch.delenv(prefix + name, raising=False)
    return monkeypatch


def _args(model):
    return ('bpu', model, {'bpu_runtime': 'pyeasy_dnn'})


def test_scores_match_the_backend_in_this_process(tmp_path, board_env):
    model = write_fixture_bin(tmp_path / 'm.bin')
    nv12 = sample_nv12('chelsea.png')
    with standin_runtime() as runtime:
        runtime.reset()
        with create_backend(*_args(model)[:2], **_args(model)[2]) as local:
            expected = local.infer(nv12)
        with ProcessBackend(_args(model), count=2) as remote:
            assert (remote.input_width, remote.input_height, remote.num_classes) == \
                (local.input_width, local.input_height, local.num_classes)
            assert 'worker process' in remote.description
            got = remote.infer(nv12)
            assert len(remote.child_pids()) == 2
            assert os.getpid() not in remote.child_pids()
        np.testing.assert_array_equal(got, expected)
        # Nothing ran in this process: the children loaded and ran their own runtimes.
        assert runtime.forward_calls() == 2  # the local backend's warm-up and its one frame


def test_a_hang_holding_the_gil_is_killed_and_the_worker_restarted(tmp_path, board_env):
    board_env.setenv('PYEASY_DNN_STANDIN_GIL_HANG_EVERY', '4')  # warm-up is call 1
    board_env.setenv('PYEASY_DNN_STANDIN_GIL_HANG_S', '30')
    model = write_fixture_bin(tmp_path / 'm.bin')
    nv12 = sample_nv12('chelsea.png')
    with standin_runtime(), ProcessBackend(_args(model), timeout_s=0.5) as backend:
        first_pid = backend.child_pids()
        backend.infer(nv12)
        backend.infer(nv12)
        started = time.monotonic()
        with pytest.raises(BackendError, match='inference timeout'):
            backend.infer(nv12)  # call 4: hangs 30 s in the child
        assert time.monotonic() - started < 15.0  # the timeout plus a restart, not the hang
        counts, fault = backend.supervision()
        assert counts == {'worker_restarts': 1, 'worker_timeouts': 1, 'worker_crashes': 0,
                          'worker_start_failures': 0}
        assert fault is None
        assert backend.child_pids() != first_pid
        assert backend.infer(nv12).shape == (1000,)


@pytest.mark.parametrize('runtime, prefix', [('pyeasy_dnn', 'PYEASY_DNN_STANDIN_'),
                                             ('hbm_runtime', 'HBM_RUNTIME_STANDIN_')])
def test_a_segfault_is_reported_as_a_crash_and_the_worker_restarted(tmp_path, board_env,
                                                                    runtime, prefix):
    board_env.setenv(prefix + 'BOARD_MS', '2.95')
    board_env.setenv(prefix + 'CRASH_AT', '3')
    model = write_fixture_bin(tmp_path / 'm.bin')
    nv12 = sample_nv12('chelsea.png')
    args = ('bpu', model, {'bpu_runtime': runtime})
    with standin_runtime(runtime), ProcessBackend(args) as backend:
        backend.infer(nv12)
        with pytest.raises(BackendError, match='died during inference.*SIGSEGV'):
            backend.infer(nv12)
        counts, _ = backend.supervision()
        assert counts == {'worker_restarts': 1, 'worker_timeouts': 0, 'worker_crashes': 1,
                          'worker_start_failures': 0}
        assert backend.infer(nv12).shape == (1000,)


def _mapped_files(pid):
    with open('/proc/{}/maps'.format(pid)) as f:
        return {line.split()[-1] for line in f if '/' in line}


def _memory_files(pid):
    """{fd target: (device, inode)} of the worker memory files process pid has open."""
    found = {}
    fd_dir = '/proc/{}/fd'.format(pid)
    for fd in os.listdir(fd_dir):
        path = os.path.join(fd_dir, fd)
        try:
            target = os.readlink(path)
            if target.startswith('/memfd:resnet_x5_ros-worker-'):
                info = os.stat(path)
                found[target] = (info.st_dev, info.st_ino)
        except FileNotFoundError:
            continue  # closed meanwhile
    return found


def _holders(memory_file):
    """Process ids that hold memory_file ((device, inode)) open, from every /proc/<pid>/fd."""
    holders = []
    for pid in filter(str.isdigit, os.listdir('/proc')):
        try:
            fds = os.listdir('/proc/{}/fd'.format(pid))
        except (FileNotFoundError, PermissionError):
            continue
        for fd in fds:
            try:
                info = os.stat('/proc/{}/fd/{}'.format(pid, fd))
            except (FileNotFoundError, PermissionError):
                continue
            if (info.st_dev, info.st_ino) == memory_file:
                holders.append(int(pid))
                break
    return holders


def test_a_worker_is_a_small_interpreter_that_times_its_own_runtime_call(tmp_path, board_env):
    model = write_fixture_bin(tmp_path / 'm.bin')
    with standin_runtime(), ProcessBackend(_args(model)) as backend:
        (pid,) = backend.child_pids()
        mapped = _mapped_files(pid)
        # Neither the node's module (rclpy) nor OpenCV was imported into the worker.
        assert not [m for m in mapped if 'rclpy' in m or '/cv2/' in m], mapped
        assert [m for m in mapped if 'numpy' in m]
        # The frame travels in an anonymous memory file (no name anywhere in a file system,
        # so nothing to clean up after a SIGKILL), the same one open here and in the worker.
        theirs = _memory_files(pid)
        assert list(theirs) == ['/memfd:resnet_x5_ros-worker-0 (deleted)'], theirs
        assert set(theirs.values()) <= set(_memory_files(os.getpid()).values())
        nv12 = sample_nv12('chelsea.png')
        started = time.perf_counter()
        scores, runtime_s = backend.infer_timed(nv12)
        call_s = time.perf_counter() - started
        assert scores.shape == (backend.num_classes,)
        # Board timing: the stand-in held its GIL 2.95 ms; the hand-off is outside that.
        assert 2.95e-3 <= runtime_s < call_s


def _worker_popen(monkeypatch, before=None, failures=0):
    """Wrap subprocess.Popen for worker processes: call before() first, then fail `failures`
    times as a fork fails under memory pressure (EAGAIN); return the list of pids started."""
    real_popen = subprocess.Popen
    started = []
    left = [failures]

    def popen(args, *more, **options):
        if 'resnet_x5_ros.backends.process_child' not in args:
            return real_popen(args, *more, **options)
        if before is not None:
            before()
        if left[0]:
            left[0] -= 1
            raise OSError(errno.EAGAIN, os.strerror(errno.EAGAIN))
        process = real_popen(args, *more, **options)
        started.append(process.pid)
        return process

    monkeypatch.setattr(subprocess, 'Popen', popen)
    return started


def test_a_worker_that_fails_to_restart_is_retried_until_one_starts(tmp_path, board_env,
                                                                    monkeypatch):
    board_env.setenv('PYEASY_DNN_STANDIN_CRASH_AT', '3')
    model = write_fixture_bin(tmp_path / 'm.bin')
    nv12 = sample_nv12('chelsea.png')
    with standin_runtime(), ProcessBackend(_args(model)) as backend:
        backend.infer(nv12)  # call 2
        seen = []  # what supervision() told at each start attempt
        _worker_popen(monkeypatch, before=lambda: seen.append(backend.supervision()),
                      failures=2)
        with pytest.raises(BackendError, match='died during inference.*SIGSEGV'):
            backend.infer(nv12)  # call 3: the crash, two failed starts, then one that works
        assert [counts['worker_start_failures'] for counts, _ in seen] == [0, 1, 2]
        assert seen[0][1].endswith('restarting it'), seen[0][1]
        for attempt, (_, fault) in enumerate(seen[1:], 1):
            assert fault.startswith('worker process 0 failed to restart (attempt {}, next in '
                                    .format(attempt)), fault
            assert fault.endswith('BlockingIOError: [Errno 11] Resource temporarily '
                                  'unavailable'), fault
        counts, fault = backend.supervision()
        assert counts == {'worker_restarts': 1, 'worker_timeouts': 0, 'worker_crashes': 1,
                          'worker_start_failures': 2}
        assert fault is None
        assert backend.infer(nv12).shape == (1000,)
        assert len(backend.child_pids()) == 1


def test_restart_delays_double_from_a_tenth_of_a_second_up_to_a_bound():
    from resnet_x5_ros.backends.process import restart_delay_s, RESTART_DELAY_MAX_S
    delays = [restart_delay_s(attempt) for attempt in range(1, 12)]
    assert delays[:4] == [0.1, 0.2, 0.4, 0.8]
    assert delays == sorted(delays) and max(delays) == RESTART_DELAY_MAX_S <= 5.0


def test_a_dead_worker_is_a_crash_whatever_state_its_connection_is_in(tmp_path, board_env):
    model = write_fixture_bin(tmp_path / 'm.bin')
    nv12 = sample_nv12('chelsea.png')
    with standin_runtime(), ProcessBackend(_args(model)) as backend:
        (pid,) = backend.child_pids()
        os.kill(pid, signal.SIGKILL)  # dies while idle: the next frame finds it gone
        with pytest.raises(BackendError, match='died during inference.*SIGKILL'):
            backend.infer(nv12)
        assert backend.infer(nv12).shape == (1000,)
        counts, _ = backend.supervision()
        assert (counts['worker_crashes'], counts['worker_restarts']) == (1, 1)


def test_a_call_that_passed_the_closed_check_as_close_ran_does_not_block(tmp_path, board_env):
    model = write_fixture_bin(tmp_path / 'm.bin')
    errors = []
    with standin_runtime():
        backend = ProcessBackend(_args(model))
        run = backend._run

        def close_first(flat_nv12):
            backend.close()  # close runs between infer()'s closed check and the hand-off
            return run(flat_nv12)

        def infer():
            try:
                backend.infer(sample_nv12('chelsea.png'))
            except BackendError as exc:
                errors.append(exc)

        backend._run = close_first
        caller = threading.Thread(target=infer, daemon=True)
        caller.start()
        caller.join(10.0)  # bounds the failing case only: it returns at once
    assert not caller.is_alive(), 'infer() blocked after close()'
    assert [str(e) for e in errors] == ['process backend is closed']


def test_close_waits_for_a_restart_in_progress_and_ends_its_worker(tmp_path, board_env,
                                                                   monkeypatch):
    board_env.setenv('PYEASY_DNN_STANDIN_CRASH_AT', '2')  # the first frame
    model = write_fixture_bin(tmp_path / 'm.bin')
    ours_before = set(_memory_files(os.getpid()).values())
    with standin_runtime():
        backend = ProcessBackend(_args(model))
        first = backend.child_pids()
        closer = threading.Thread(target=backend.close)
        close_finished_during_the_start = []

        def close_meanwhile():
            # close() is called as the replacement worker is being started. It must not
            # finish before that start has: a worker started after close() returned would
            # load its model and live until this process ends. Not finishing cannot be
            # awaited: give it half a second to (wrongly) do so.
            closer.start()
            closer.join(0.5)
            close_finished_during_the_start.append(not closer.is_alive())

        started = _worker_popen(monkeypatch, before=close_meanwhile)
        with pytest.raises(BackendError, match='died during inference'):
            backend.infer(sample_nv12('chelsea.png'))
        closer.join(10.0)
        assert not closer.is_alive()
    assert close_finished_during_the_start == [False]
    assert len(started) == 1
    assert not [p for p in first + started if _alive(p)]
    assert set(_memory_files(os.getpid()).values()) == ours_before


def test_a_bad_model_stops_start_up_with_the_childs_one_line_error(tmp_path, board_env):
    with standin_runtime():
        with pytest.raises(ModelError, match='not found'):
            ProcessBackend(_args(str(tmp_path / 'missing.bin')))


def _forward_calls(log):
    """Call numbers the stand-in logged ($PYEASY_DNN_STANDIN_LOG), counting every worker's."""
    if not log.exists():
        return []
    return [int(line.split()[0]) for line in log.read_text().splitlines()]


def test_close_ends_a_hung_child_at_once(tmp_path, board_env):
    board_env.setenv('PYEASY_DNN_STANDIN_GIL_HANG_EVERY', '2')
    board_env.setenv('PYEASY_DNN_STANDIN_GIL_HANG_S', '30')
    log = tmp_path / 'forward.log'
    board_env.setenv('PYEASY_DNN_STANDIN_LOG', str(log))
    model = write_fixture_bin(tmp_path / 'm.bin')
    with standin_runtime():
        backend = ProcessBackend(_args(model), timeout_s=60)
        pids = backend.child_pids()
        errors = []

        def infer():
            try:
                backend.infer(sample_nv12('chelsea.png'))
            except BackendError as exc:
                errors.append(exc)

        caller = threading.Thread(target=infer)
        caller.start()
        # The stand-in logs a call before it hangs in it: call 2 (after the warm-up) is the
        # frame, now holding the worker's GIL for 30 s.
        assert wait_for(lambda: 2 in _forward_calls(log), 30.0), _forward_calls(log)
        started = time.monotonic()
        backend.close()
        caller.join(2.0)
        assert not caller.is_alive()
        assert time.monotonic() - started < 2.0
        assert [str(e) for e in errors] == [
            'backend closed while worker process 0 was inferring']
        assert not any(_alive(pid) for pid in pids)


def _alive(pid):
    try:
        with open('/proc/{}/stat'.format(pid)) as f:
            return f.read().split(')')[-1].split()[0] != 'Z'
    except FileNotFoundError:
        return False


def test_children_do_not_outlive_a_sigkilled_parent(tmp_path):
    model = write_fixture_bin(tmp_path / 'm.bin')
    script = textwrap.dedent("""
        import sys, time
        sys.path.insert(0, {standins!r})
        from resnet_x5_ros.backends.process import ProcessBackend
        if __name__ == '__main__':
            backend = ProcessBackend(('bpu', {model!r}, {{'bpu_runtime': 'pyeasy_dnn'}}),
                                     count=2)
            print(' '.join(map(str, backend.child_pids())), flush=True)
            time.sleep(60)
    """).format(standins=STANDINS, model=model)
    path = tmp_path / 'parent.py'
    path.write_text(script)
    env = dict(os.environ, PYEASY_DNN_STANDIN_BOARD_MS='2.95')
    parent = subprocess.Popen([sys.executable, str(path)], stdout=subprocess.PIPE, env=env,
                              stderr=subprocess.DEVNULL, cwd=str(tmp_path))
    try:
        pids = [int(p) for p in parent.stdout.readline().split()]
        assert len(pids) == 2 and all(_alive(p) for p in pids)
        # Each worker holds its memory file, shared with the parent.
        memory = [_memory_files(p) for p in pids]
        assert [list(m) for m in memory] == [['/memfd:resnet_x5_ros-worker-0 (deleted)'],
                                             ['/memfd:resnet_x5_ros-worker-1 (deleted)']]
        memory_files = [f for m in memory for f in m.values()]
        for memory_file, pid in zip(memory_files, pids):
            assert sorted(_holders(memory_file)) == sorted([parent.pid, pid])
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
    assert wait_for(lambda: not any(_alive(p) for p in pids), 2.0)
    # The memory went with its last holder: no process has either file open any more.
    assert not [_holders(f) for f in memory_files if _holders(f)]
