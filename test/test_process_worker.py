# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""ProcessBackend without ROS: inference in supervised children on the pyeasy_dnn STAND-IN.

Board timing mode (each forward holds the GIL, CPU idle) with the stand-in's hang and crash
knobs. Call numbers count per process and include the backend's one warm-up call at load.
"""

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
from resnet_x5_ros.process_worker import ProcessBackend
from standin_import import standin_support as support

sample_nv12, standin_runtime = support.sample_nv12, support.standin_runtime
STANDINS, wait_for, write_fixture_bin = support.STANDINS, support.wait_for, \
    support.write_fixture_bin

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
        assert counts == {'worker_restarts': 1, 'worker_timeouts': 1, 'worker_crashes': 0}
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
        assert counts == {'worker_restarts': 1, 'worker_timeouts': 0, 'worker_crashes': 1}
        assert backend.infer(nv12).shape == (1000,)


def _mapped_files(pid):
    with open('/proc/{}/maps'.format(pid)) as f:
        return {line.split()[-1] for line in f if '/' in line}


def test_a_worker_is_a_small_interpreter_that_times_its_own_runtime_call(tmp_path, board_env):
    model = write_fixture_bin(tmp_path / 'm.bin')
    shm_before = set(os.listdir('/dev/shm'))
    with standin_runtime(), ProcessBackend(_args(model)) as backend:
        (pid,) = backend.child_pids()
        mapped = _mapped_files(pid)
        # Neither the node's module (rclpy) nor OpenCV was imported into the worker.
        assert not [m for m in mapped if 'rclpy' in m or '/cv2/' in m], mapped
        assert [m for m in mapped if 'numpy' in m]
        # The frame travels in an anonymous memory file: nothing left in /dev/shm.
        assert set(os.listdir('/dev/shm')) == shm_before
        nv12 = sample_nv12('chelsea.png')
        started = time.perf_counter()
        scores, runtime_s = backend.infer_timed(nv12)
        call_s = time.perf_counter() - started
        assert scores.shape == (backend.num_classes,)
        # Board timing: the stand-in held its GIL 2.95 ms; the hand-off is outside that.
        assert 2.95e-3 <= runtime_s < call_s


def test_a_bad_model_stops_start_up_with_the_childs_one_line_error(tmp_path, board_env):
    with standin_runtime():
        with pytest.raises(ModelError, match='not found'):
            ProcessBackend(_args(str(tmp_path / 'missing.bin')))


def test_close_ends_a_hung_child_at_once(tmp_path, board_env):
    board_env.setenv('PYEASY_DNN_STANDIN_GIL_HANG_EVERY', '2')
    board_env.setenv('PYEASY_DNN_STANDIN_GIL_HANG_S', '30')
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
        time.sleep(0.3)  # let the call reach the hang; closing earlier is as fine
        started = time.monotonic()
        backend.close()
        caller.join(2.0)
        assert not caller.is_alive()
        assert time.monotonic() - started < 2.0
        assert errors and not any(_alive(pid) for pid in pids)


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
        from resnet_x5_ros.process_worker import ProcessBackend
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
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
    assert wait_for(lambda: not any(_alive(p) for p in pids), 2.0)
