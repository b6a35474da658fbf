# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Inference in supervised child processes, behind the ordinary Backend interface. No ROS.

On the board the BPU runtimes hold the GIL for a whole inference; a call that hangs there
freezes every thread of its process, and a segfault in the runtime ends the process. A
ProcessBackend keeps the runtime out of the caller's process: each worker is a child process
(process_child: a fresh interpreter, never a fork, so no ROS state is copied into it)
that loads the model itself with create_backend(), reads NV12 frames from a memory file it
shares with this process and writes the raw scores (num_classes floats) back into it; the
pipe between them carries only small control messages. The caller's threads wait for the
answer with the GIL released, so the rest of the node keeps running whatever the child does.

Supervision: a child that holds a frame longer than the timeout (given, or
stall.stall_limit_s of the median inference time) is killed and restarted; a child that died
(or whose connection is gone) is restarted too. Either way the frame's infer() raises
BackendError saying which, and supervision() tells the counts and the fault in progress. A
restart that fails (the model does not load, or the fork itself fails under memory pressure,
the very moment workers tend to crash) is tried again after a delay that doubles from
RESTART_DELAY_FIRST_S up to RESTART_DELAY_MAX_S; supervision() names the cause meanwhile.

Starting a child and close() exclude each other (one lock): a start checks under that lock
that the backend is open, close() kills every child under it. So no child is started after
close() began, and none started before survives it. Children die with the parent too: they
ask the kernel for SIGKILL when it exits (PR_SET_PDEATHSIG), and also watch their parent id.
The kernel ties that request to the thread that started the child, so children are started
only from threads that live as long as the backend (the caller's, and the node's workers).
"""

import collections
import mmap
from multiprocessing.connection import Connection
import os
import queue
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time

import numpy as np

from resnet_x5_ros.backends.base import Backend, BackendError, BackendHealth, ModelError
from resnet_x5_ros.backends.process_child import METADATA_FIELDS
from resnet_x5_ros.messages import one_line
from resnet_x5_ros.stall import stall_limit_s

# Loading a model in a fresh interpreter (imports included) on a busy machine.
START_TIMEOUT_S = 120.0
# How often a waiting caller looks whether the backend was closed meanwhile.
POLL_SLICE_S = 0.1
# Inference times remembered for the derived timeout.
LATENCY_WINDOW = 200
# Between failed restarts of a worker: the first delay, doubled after each failure up to the
# last. Short enough that results resume soon after a transient failure (a fork refused for
# lack of memory), long enough that a model that no longer loads does not spin a core.
RESTART_DELAY_FIRST_S = 0.1
RESTART_DELAY_MAX_S = 3.2
_ERRORS = {'ModelError': ModelError, 'BackendError': BackendError, 'ValueError': ValueError}
# The folder holding this package: the child imports the same copy as this process.
_PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

Metadata = collections.namedtuple('Metadata', METADATA_FIELDS)
# In the idle queue once the backend is closed: wakes every caller waiting for a child.
_CLOSED = object()


def restart_delay_s(attempt):
    """Seconds to wait after the attempt-th failed restart of a worker (1, 2, ...)."""
    return min(RESTART_DELAY_MAX_S, RESTART_DELAY_FIRST_S * 2 ** min(attempt - 1, 16))


class ChildFault(Exception):
    """A child did not answer: kind is 'timeout' or 'crash'."""

    def __init__(self, kind, text):
        super().__init__(text)
        self.kind = kind


def _closed_during(child):
    return BackendError('backend closed while worker process {} was inferring'.format(
        child.index))


class _Child:
    """One worker process, its connection and the memory file it shares (kept over restarts)."""

    def __init__(self, index, backend_args):
        self.index = index
        self._backend_args = backend_args
        # An anonymous memory file: nothing to clean up in /dev/shm, even after a SIGKILL.
        self._memory_fd = os.memfd_create('resnet_x5_ros-worker-{}'.format(index))
        self._memory = None
        self._frame = None
        self._scores = None
        self.process = None
        self._conn = None

    def start(self):
        """Start the process (do not wait for it); any previous one must be dead.

        Raises OSError when the process cannot be started; nothing of it is left then, and
        the old connection stays closed: using it fails like a dead child's.
        """
        if self._conn is not None:
            self._conn.close()
        self.process = None
        ours, theirs = socket.socketpair()
        env = dict(os.environ)
        env['PYTHONPATH'] = os.pathsep.join(
            p for p in (_PACKAGE_ROOT, env.get('PYTHONPATH', '')) if p)
        try:
            # A session of its own: a Ctrl-C in the terminal reaches the node, which ends its
            # children itself, not the children in the middle of loading.
            self.process = subprocess.Popen(
                [sys.executable, '-m', 'resnet_x5_ros.backends.process_child',
                 str(theirs.fileno()), str(self._memory_fd), str(os.getpid())],
                pass_fds=(theirs.fileno(), self._memory_fd), env=env,
                stdin=subprocess.DEVNULL, start_new_session=True)
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        self._conn = Connection(ours.detach())
        self._conn.send(('start', list(sys.path), self._backend_args))

    def wait_ready(self, timeout):
        """Wait until the model is loaded; return its Metadata or raise its load error."""
        if not self._conn.poll(timeout):
            self.kill()
            raise BackendError('worker process {} did not load the model within {:.0f} s'
                               .format(self.index, timeout))
        try:
            message = self._conn.recv()
        except (EOFError, ConnectionResetError):
            code = self.kill()
            raise BackendError('worker process {} died while loading the model (exit code {})'
                               .format(self.index, code)) from None
        if message[0] == 'error':
            self.kill()
            raise _ERRORS.get(message[1], BackendError)(message[2])
        metadata = Metadata(**message[1])
        size = metadata.input_nbytes + 4 * metadata.num_classes
        if self._memory is None:
            os.ftruncate(self._memory_fd, size)
            self._memory = mmap.mmap(self._memory_fd, size)
            self._frame = np.frombuffer(self._memory, np.uint8, metadata.input_nbytes)
            self._scores = np.frombuffer(self._memory, np.float32, metadata.num_classes,
                                         offset=metadata.input_nbytes)
        elif size != len(self._memory):
            self.kill()
            raise BackendError(
                'worker process {} loaded a model of another size ({} bytes of input and '
                'scores, not {})'.format(self.index, size, len(self._memory)))
        self._conn.send(('attach', size))
        return metadata

    def infer(self, flat_nv12, timeout, closed):
        """Return (scores, seconds the runtime call took in the child).

        Raises ChildFault or BackendError.
        """
        self._frame[:] = flat_nv12
        try:
            self._conn.send(('infer',))
            deadline = time.monotonic() + timeout
            while not self._conn.poll(min(POLL_SLICE_S,
                                          max(0.0, deadline - time.monotonic()))):
                if closed():
                    raise _closed_during(self)
                if time.monotonic() >= deadline:
                    raise ChildFault('timeout', 'worker process {} held a frame longer than '
                                     '{:.1f} s (inference timeout); killed it'.format(
                                         self.index, timeout))
            message = self._conn.recv()
        except (OSError, EOFError):
            # Whatever the state of the pipe (reset, broken, closed), the child is gone.
            raise ChildFault('crash', self._crash_text()) from None
        if message[0] == 'error':
            raise BackendError(message[2])
        return self._scores.copy(), message[1]

    def _crash_text(self):
        try:
            code = self.process.wait(1.0) if self.process is not None else None
        except subprocess.TimeoutExpired:
            code = None
        how = ('killed by signal {}'.format(signal.Signals(-code).name)
               if code is not None and code < 0 else 'exit code {}'.format(code))
        return 'worker process {} died during inference ({})'.format(self.index, how)

    def kill(self):
        """End the process at once; return its exit code."""
        if self.process is None:
            return None
        if self.alive():
            self.process.kill()
        try:
            return self.process.wait(5.0)
        except subprocess.TimeoutExpired:
            return None

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def release(self):
        """Kill the process, close the connection and free the memory (child not in use)."""
        self.kill()
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self._frame = self._scores = None
        if self._memory is not None:
            self._memory.close()
            self._memory = None
        if self._memory_fd is not None:
            os.close(self._memory_fd)
            self._memory_fd = None


class ProcessBackend(Backend):
    """A Backend whose inferences run in `count` supervised child processes.

    backend_args: (kind, model_path, create_backend keyword options), what each child passes to
    create_backend(). timeout_s: how long a child may hold a frame; 0 = derived from the
    median inference time (stall.stall_limit_s). infer() may be called from up to `count`
    threads at once; each call uses one idle child.
    """

    # close() kills the children: a call waiting on one returns at once.
    ends_running_calls = True

    def __init__(self, backend_args, count=1, timeout_s=0.0, start_timeout_s=START_TIMEOUT_S):
        super().__init__()
        if count < 1:
            raise ValueError('a process backend needs at least one worker, got {}'.format(count))
        self._timeout_s = float(timeout_s)
        self._start_timeout_s = start_timeout_s
        self._children = [_Child(i, backend_args) for i in range(count)]
        self._idle = queue.Queue()
        self._lock = threading.Lock()  # the figures below
        # Held to start a child and by close(): the two never overlap (module docstring).
        self._lifecycle = threading.Lock()
        self._closing = threading.Event()  # wakes restarts waiting between attempts
        self._latencies = collections.deque(maxlen=LATENCY_WINDOW)
        self._counts = {'worker_restarts': 0, 'worker_timeouts': 0, 'worker_crashes': 0,
                        'worker_start_failures': 0}
        self._faults = {}  # child index -> text of the fault being recovered from
        self._calls = threading.local()  # each caller thread's last runtime_s
        try:
            for child in self._children:
                try:
                    child.start()
                except OSError as exc:
                    raise BackendError('cannot start worker process {}: {}'.format(
                        child.index, exc)) from None
            metadata = [child.wait_ready(start_timeout_s) for child in self._children]
        except BaseException:
            for child in self._children:
                child.release()
            raise
        first = metadata[0]
        self.name = first.name
        self.description = '{} (in {} worker process{})'.format(
            first.description, count, '' if count == 1 else 'es')
        self.model_path = first.model_path
        self.input_width, self.input_height = first.input_width, first.input_height
        self.nv12_range = first.nv12_range
        self.num_classes = first.num_classes
        self.outputs_probabilities = first.outputs_probabilities
        for child in self._children:
            self._idle.put(child)

    def infer_timed(self, nv12):
        """Return (scores, seconds): seconds is the runtime call alone, timed in the child.

        What the hand-off to the child costs is then the caller's time minus these seconds.
        """
        scores = self.infer(nv12)
        return scores, self._calls.runtime_s

    def timeout_s(self):
        """Seconds a child may hold a frame before it counts as hung."""
        if self._timeout_s > 0:
            return self._timeout_s
        with self._lock:
            median = statistics.median(self._latencies) if self._latencies else None
        return stall_limit_s(median)

    def supervision(self):
        """Return (counts, fault): restart/timeout/crash/failed start counts, current faults.

        fault is None while every worker is serving, else the text of each worker's fault
        being recovered from (a failed restart: its attempt number and cause).
        """
        with self._lock:
            fault = '; '.join(self._faults[i] for i in sorted(self._faults)) or None
            return dict(self._counts), fault

    def health(self):
        """Return the supervision counts, the inference timeout and any fault (BackendHealth)."""
        counts, fault = self.supervision()
        events = {'worker timeout(s) (hung, killed and restarted)': counts['worker_timeouts'],
                  'worker crash(es)': counts['worker_crashes'],
                  'failed worker restart(s)': counts['worker_start_failures']}
        return BackendHealth(dict(counts, inference_timeout_s=self.timeout_s()), events, fault)

    def child_pids(self):
        """Process ids of the live workers."""
        return [c.process.pid for c in self._children if c.alive()]

    def _run(self, flat_nv12):
        child = self._idle.get()
        if child is _CLOSED:
            self._idle.put(_CLOSED)  # for the next caller waiting
            raise BackendError('process backend is closed')
        try:
            started = time.perf_counter()
            scores, self._calls.runtime_s = child.infer(flat_nv12, self.timeout_s(),
                                                        lambda: self._closed)
            with self._lock:
                self._latencies.append(time.perf_counter() - started)
            return scores
        except ChildFault as fault:
            if self._closed:
                raise _closed_during(child) from None
            self._recover(child, fault)
            raise BackendError(str(fault)) from None
        finally:
            with self._lifecycle:
                if self._closed:
                    child.release()  # close() killed it already and freed the idle ones
                else:
                    self._idle.put(child)

    def _recover(self, child, fault):
        """Restart child after fault; return once it serves again or the backend closed."""
        with self._lock:
            self._counts['worker_timeouts' if fault.kind == 'timeout'
                         else 'worker_crashes'] += 1
            self._faults[child.index] = '{}; restarting it'.format(fault)
        child.kill()
        attempt = 0
        while True:
            try:
                with self._lifecycle:
                    if self._closed:
                        break
                    child.start()
                child.wait_ready(self._start_timeout_s)
            except Exception as exc:  # noqa: B902 - whatever stops a start, try again
                child.kill()
                if self._closed:
                    break
                attempt += 1
                delay = restart_delay_s(attempt)
                with self._lock:
                    self._counts['worker_start_failures'] += 1
                    self._faults[child.index] = (
                        'worker process {} failed to restart (attempt {}, next in {:.1f} s): '
                        '{}: {}'.format(child.index, attempt, delay, type(exc).__name__,
                                        one_line(exc)))
                if self._closing.wait(delay):
                    break
            else:
                with self._lock:
                    self._counts['worker_restarts'] += 1
                break
        with self._lock:
            self._faults.pop(child.index, None)

    def _close(self):
        # Kill first: a caller waiting on a child sees it end and returns, then frees that
        # child (_run); the idle ones are freed here. Under the lifecycle lock: a start in
        # progress finishes first (and its child is killed here), later ones do not begin.
        self._closing.set()
        with self._lifecycle:
            for child in self._children:
                child.kill()
            while True:
                try:
                    child = self._idle.get_nowait()
                except queue.Empty:
                    break
                child.release()
            self._idle.put(_CLOSED)
