# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Inference in supervised child processes, behind the ordinary Backend interface. No ROS.

On the board the BPU runtimes hold the GIL for a whole inference; a call that hangs there
freezes every thread of its process, and a segfault in the runtime ends the process. A
ProcessBackend keeps the runtime out of the caller's process: each worker is a child process
(started with 'spawn', never fork, so no ROS state is copied into it) that loads the model
itself with create_backend(), reads NV12 frames from its own shared-memory buffer and sends
back the raw scores (num_classes floats). The caller's threads wait for the answer with
the GIL released, so the rest of the node keeps running whatever the child does.

Supervision: a child that holds a frame longer than the timeout (given, or
stall.stall_limit_s of the median inference time) is killed and restarted; a child that died
is restarted too. Either way the frame's infer() raises BackendError saying which, and
supervision() tells the counts and the fault in progress. Children die with the parent: they
ask the kernel for SIGKILL when it exits (PR_SET_PDEATHSIG), and also watch their parent id.
"""

import collections
import ctypes
import multiprocessing
from multiprocessing import shared_memory
import os
import queue
import signal
import statistics
import threading
import time

import numpy as np

from resnet_x5_ros.backends.base import Backend, BackendError, ModelError
from resnet_x5_ros.messages import one_line
from resnet_x5_ros.stall import stall_limit_s

# Loading a model in a fresh interpreter (imports included) on a busy machine.
START_TIMEOUT_S = 120.0
# How often a waiting caller looks whether the backend was closed meanwhile.
POLL_SLICE_S = 0.1
# Inference times remembered for the derived timeout.
LATENCY_WINDOW = 200
_PR_SET_PDEATHSIG = 1
_ERRORS = {'ModelError': ModelError, 'BackendError': BackendError, 'ValueError': ValueError}

Metadata = collections.namedtuple('Metadata', [
    'name', 'description', 'model_path', 'input_width', 'input_height', 'nv12_range',
    'num_classes', 'outputs_probabilities', 'input_nbytes'])


def _die_with_parent(parent_pid):
    """Ask Linux to SIGKILL this process when its parent ends; watch the parent id as well."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: the watcher below still ends the child
    if os.getppid() != parent_pid:
        os._exit(1)  # the parent ended before the request above took effect

    def watch():
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name='parent-watch', daemon=True).start()


def child_main(conn, parent_pid, backend_args):
    """Body of a worker process: load the backend, then answer 'infer' messages until told."""
    _die_with_parent(parent_pid)
    # The parent handles Ctrl-C and SIGTERM and ends its children itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from resnet_x5_ros.backends import create_backend

    kind, model_path, options = backend_args
    try:
        backend = create_backend(kind, model_path, **options)
    except (ModelError, BackendError, ValueError) as exc:
        conn.send(('error', type(exc).__name__, str(exc)))
        return
    conn.send(('ready', Metadata(
        backend.name, backend.description, backend.model_path, backend.input_width,
        backend.input_height, backend.nv12_range, backend.num_classes,
        backend.outputs_probabilities, backend.input_nbytes)))
    memory = None
    frame = None
    try:
        while True:
            try:
                message = conn.recv()
            except EOFError:
                return
            if message[0] == 'attach':
                memory = shared_memory.SharedMemory(name=message[1])
                frame = np.ndarray((backend.input_nbytes,), np.uint8, buffer=memory.buf)
            elif message[0] == 'infer':
                try:
                    conn.send(('ok', backend.infer(frame)))
                except BackendError as exc:
                    conn.send(('error', 'BackendError', str(exc)))
            else:
                return
    finally:
        frame = None
        if memory is not None:
            memory.close()
        backend.close()


class ChildFault(Exception):
    """A child did not answer: kind is 'timeout' or 'crash'."""

    def __init__(self, kind, text):
        super().__init__(text)
        self.kind = kind


class _Child:
    """One worker process, its pipe and its shared-memory input buffer (kept over restarts)."""

    def __init__(self, context, index, backend_args):
        self._context = context
        self.index = index
        self._backend_args = backend_args
        self._memory = None
        self._frame = None
        self.process = None
        self._conn = None

    def start(self):
        """Start the process (do not wait for it)."""
        if self._conn is not None:
            self._conn.close()
        parent_conn, child_conn = self._context.Pipe()
        self.process = self._context.Process(
            target=child_main, args=(child_conn, os.getpid(), self._backend_args),
            name='classifier-worker-process-{}'.format(self.index), daemon=True)
        self.process.start()
        child_conn.close()
        self._conn = parent_conn

    def wait_ready(self, timeout):
        """Wait until the model is loaded; return its Metadata or raise its load error."""
        if not self._conn.poll(timeout):
            self.kill()
            raise BackendError('worker process {} did not load the model within {:.0f} s'
                               .format(self.index, timeout))
        try:
            message = self._conn.recv()
        except EOFError:
            code = self.kill()
            raise BackendError('worker process {} died while loading the model (exit code {})'
                               .format(self.index, code)) from None
        if message[0] == 'error':
            self.kill()
            raise _ERRORS.get(message[1], BackendError)(message[2])
        metadata = message[1]
        if self._memory is None:
            self._memory = shared_memory.SharedMemory(create=True, size=metadata.input_nbytes)
            self._frame = np.ndarray((metadata.input_nbytes,), np.uint8,
                                     buffer=self._memory.buf)
        self._conn.send(('attach', self._memory.name))
        return metadata

    def infer(self, flat_nv12, timeout, closed):
        """Return the scores of one frame; raise ChildFault or BackendError."""
        self._frame[:] = flat_nv12
        try:
            self._conn.send(('infer',))
        except (BrokenPipeError, ConnectionResetError, EOFError):
            raise ChildFault('crash', self._crash_text()) from None
        deadline = time.monotonic() + timeout
        while not self._conn.poll(min(POLL_SLICE_S, max(0.0, deadline - time.monotonic()))):
            if closed():
                raise BackendError('backend closed while worker process {} was inferring'
                                   .format(self.index))
            if time.monotonic() >= deadline:
                raise ChildFault('timeout', 'worker process {} held a frame longer than {:.1f} s'
                                 ' (inference timeout); killed it'.format(self.index, timeout))
        try:
            message = self._conn.recv()
        except (EOFError, ConnectionResetError):
            raise ChildFault('crash', self._crash_text()) from None
        if message[0] == 'error':
            raise BackendError(message[2])
        return message[1]

    def _crash_text(self):
        self.process.join(1.0)
        code = self.process.exitcode
        how = ('killed by signal {}'.format(signal.Signals(-code).name)
               if code is not None and code < 0 else 'exit code {}'.format(code))
        return 'worker process {} died during inference ({})'.format(self.index, how)

    def kill(self):
        """End the process at once; return its exit code."""
        if self.process is None:
            return None
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5.0)
        return self.process.exitcode

    def release(self):
        """Kill the process, close the pipe and free the shared memory (child not in use)."""
        self.kill()
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self._frame = None
        if self._memory is not None:
            self._memory.close()
            self._memory.unlink()
            self._memory = None


class ProcessBackend(Backend):
    """A Backend whose inferences run in `count` supervised child processes.

    backend_args: (kind, model_path, create_backend keyword options), what each child passes to
    create_backend(). timeout_s: how long a child may hold a frame; 0 = derived from the
    median inference time (stall.stall_limit_s). infer() may be called from up to `count`
    threads at once; each call uses one idle child.
    """

    def __init__(self, backend_args, count=1, timeout_s=0.0, start_timeout_s=START_TIMEOUT_S):
        super().__init__()
        if count < 1:
            raise ValueError('a process backend needs at least one worker, got {}'.format(count))
        context = multiprocessing.get_context('spawn')
        self._timeout_s = float(timeout_s)
        self._start_timeout_s = start_timeout_s
        self._children = [_Child(context, i, backend_args) for i in range(count)]
        self._idle = queue.Queue()
        self._lock = threading.Lock()
        self._latencies = collections.deque(maxlen=LATENCY_WINDOW)
        self._counts = {'worker_restarts': 0, 'worker_timeouts': 0, 'worker_crashes': 0}
        self._fault = None  # text of the fault being recovered from
        try:
            for child in self._children:
                child.start()
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

    def timeout_s(self):
        """Seconds a child may hold a frame before it counts as hung."""
        if self._timeout_s > 0:
            return self._timeout_s
        with self._lock:
            median = statistics.median(self._latencies) if self._latencies else None
        return stall_limit_s(median)

    def supervision(self):
        """Return (counts, fault): restart/timeout/crash counts, the fault being recovered from.

        fault is None while every worker is serving.
        """
        with self._lock:
            return dict(self._counts), self._fault

    def child_pids(self):
        """Process ids of the live workers."""
        return [c.process.pid for c in self._children
                if c.process is not None and c.process.is_alive()]

    def _run(self, flat_nv12):
        child = self._idle.get()
        try:
            started = time.perf_counter()
            scores = child.infer(flat_nv12, self.timeout_s(), lambda: self._closed)
            with self._lock:
                self._latencies.append(time.perf_counter() - started)
            return scores
        except ChildFault as fault:
            if self._closed:
                raise BackendError('backend closed during inference') from None
            self._recover(child, fault)
            raise BackendError(str(fault)) from None
        finally:
            self._idle.put(child)

    def _recover(self, child, fault):
        with self._lock:
            self._counts['worker_timeouts' if fault.kind == 'timeout'
                         else 'worker_crashes'] += 1
            self._fault = '{}; restarting it'.format(fault)
        child.kill()
        while not self._closed:
            try:
                child.start()
                child.wait_ready(self._start_timeout_s)
                break
            except (ModelError, BackendError, ValueError) as exc:
                with self._lock:
                    self._fault = 'worker process {} failed to restart: {}'.format(
                        child.index, one_line(exc))
                time.sleep(1.0)
        with self._lock:
            self._counts['worker_restarts'] += 1
            self._fault = None

    def _close(self):
        # Kill first: a caller waiting on a child sees it end and returns. Free only what no
        # caller holds any more; a leftover buffer is unlinked by multiprocessing's resource
        # tracker when this process ends.
        for child in self._children:
            child.kill()
        deadline = time.monotonic() + 0.5
        for _ in self._children:
            try:
                child = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            child.release()
