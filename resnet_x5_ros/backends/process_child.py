# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""The body of one inference worker process (backends.process.ProcessBackend starts it). No ROS.

    python -m resnet_x5_ros.backends.process_child CONNECTION_FD MEMORY_FD PARENT_PID

A separate small entry point, not multiprocessing's 'spawn': spawn re-imports the parent's
main module in the child (the node, hence rclpy and OpenCV), which cost ~60 MB per worker.
This module imports only the standard library and numpy until it knows the backend to load.

Protocol on CONNECTION_FD (a multiprocessing Connection over a socket pair; messages are
small pickled tuples):
    parent -> ('start', sys.path, (kind, model_path, options))
    child  -> ('ready', Metadata fields as a dict) or ('error', exception type name, text)
    parent -> ('attach', size)   MEMORY_FD now holds `size` bytes: the NV12 input, then
                                 num_classes float32 scores
    parent -> ('infer',)         the input region holds a frame
    child  -> ('ok', seconds)    scores written; seconds: the runtime call alone
              or ('error', 'BackendError', text)
    Any other message, or the connection closing, ends the child (ProcessBackend kills its
    children instead: a hung one could not read a message).
"""

import ctypes
import mmap
from multiprocessing.connection import Connection
import os
import signal
import sys
import threading
import time

import numpy as np

_PR_SET_PDEATHSIG = 1
# The metadata a parent needs to stand in for the backend (process.Metadata).
METADATA_FIELDS = ('name', 'description', 'model_path', 'input_width', 'input_height',
                   'nv12_range', 'num_classes', 'outputs_probabilities', 'input_nbytes')
LOAD_ERRORS = ('ModelError', 'BackendError', 'ValueError')


def die_with_parent(parent_pid):
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


def serve(conn, memory_fd):
    """Load the backend the parent names, then answer until told to stop."""
    message = conn.recv()
    _, parent_path, (kind, model_path, options) = message
    # Import the package and the runtime from where the parent does (as 'spawn' would).
    sys.path[:] = parent_path
    from resnet_x5_ros.backends import create_backend

    try:
        backend = create_backend(kind, model_path, **options)
    except Exception as exc:  # noqa: B902 - the parent re-raises it with its own type
        name = type(exc).__name__
        conn.send(('error', name if name in LOAD_ERRORS else 'BackendError', str(exc)))
        return
    with backend:
        conn.send(('ready', {field: getattr(backend, field) for field in METADATA_FIELDS}))
        _, size = conn.recv()
        with mmap.mmap(memory_fd, size) as memory:
            frame = np.frombuffer(memory, np.uint8, backend.input_nbytes)
            scores = np.frombuffer(memory, np.float32, backend.num_classes,
                                   offset=backend.input_nbytes)
            try:
                _answer(conn, backend, frame, scores)
            finally:
                del frame, scores  # views must go before the mapping closes


def _answer(conn, backend, frame, scores):
    from resnet_x5_ros.backends import BackendError

    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message[0] != 'infer':
            return
        try:
            started = time.perf_counter()
            result = backend.infer(frame)
            seconds = time.perf_counter() - started
        except BackendError as exc:
            conn.send(('error', 'BackendError', str(exc)))
            continue
        scores[:] = result
        conn.send(('ok', seconds))


def main(argv=None):
    connection_fd, memory_fd, parent_pid = (int(a) for a in (argv or sys.argv[1:]))
    die_with_parent(parent_pid)
    # The parent handles Ctrl-C and SIGTERM and ends its children itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    conn = Connection(connection_fd)
    try:
        serve(conn, memory_fd)
    except EOFError:
        pass  # the parent went away or closed us while loading
    finally:
        conn.close()


if __name__ == '__main__':
    main()
