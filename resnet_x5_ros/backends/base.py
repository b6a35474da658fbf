# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""The inference backend interface shared by the BPU and CPU implementations.

A backend takes one packed NV12 frame at the model's input size (Y plane, then interleaved UV,
W*H*3/2 bytes) and returns the model's raw class scores. The buffer check lives here, in
Backend.infer(), so no implementation can forget it: pyeasy_dnn copies whatever it is handed
into device memory without checking, so a wrong buffer must never reach a runtime.
"""

import abc
import collections
import os
import threading
import time

import numpy as np

# one_line is imported from here by the implementations.
from resnet_x5_ros.messages import MAX_MESSAGE, one_line
from resnet_x5_ros.nv12_layout import nv12_size


class ModelError(RuntimeError):
    """A model or its sidecar cannot be used (missing, empty, corrupt, wrong kind).

    Raised at start-up only. str() is one line naming the file, what is wrong and what to do:
    allowed to be longer than a per-frame error, since it is printed once.
    """

    def __init__(self, message):
        super().__init__(one_line(message, limit=2 * MAX_MESSAGE))


class BackendError(RuntimeError):
    """An inference failed (runtime error wrapped) or the backend is unusable (closed, no runtime).

    The runtime's own exception is kept as __cause__.
    """

    def __init__(self, message):
        super().__init__(one_line(message))


class InputError(BackendError, ValueError):
    """The NV12 buffer handed to infer() is wrong; it was refused before reaching the runtime.

    A BackendError (so per-frame error handling catches it with the others) and a ValueError
    (it is the caller's argument that is wrong).
    """


def check_model_file(path, kind):
    """Raise ModelError (one line naming path) unless path is a readable, non-empty file."""
    if not path:
        raise ModelError('no {} model path given'.format(kind))
    if not os.path.exists(path):
        raise ModelError('{} model not found: {}'.format(kind, path))
    if os.path.isdir(path):
        raise ModelError('{} model path is a directory, not a file: {}'.format(kind, path))
    try:
        size = os.path.getsize(path)
        with open(path, 'rb'):
            pass
    except OSError as exc:
        raise ModelError('{} model cannot be read: {}: {}'.format(
            kind, path, exc.strerror or exc)) from None
    if size == 0:
        raise ModelError('{} model is an empty file: {}'.format(kind, path))


def check_nv12_buffer(nv12, width, height):
    """Return nv12 as a 1-D uint8 view if it is exactly one NV12 frame, else raise InputError.

    Accepted: a numpy uint8 array, C-contiguous, of exactly W*H*3/2 elements (any shape, e.g.
    flat or (H*3/2, W)). Nothing is copied or converted: a float image or a strided view is an
    upstream bug worth seeing, not something to paper over per frame.
    """
    if not isinstance(nv12, np.ndarray):
        raise InputError('NV12 input must be a numpy.ndarray, got {}'.format(
            type(nv12).__name__))
    if nv12.dtype != np.uint8:
        raise InputError('NV12 input must be uint8, got {}'.format(nv12.dtype))
    if not nv12.flags.c_contiguous:
        raise InputError('NV12 input must be C-contiguous (got a strided view of shape {})'
                         .format(nv12.shape))
    expected = nv12_size(width, height)
    if nv12.size != expected:
        raise InputError('NV12 input for {}x{} must be {} bytes, got {} (shape {})'.format(
            width, height, expected, nv12.size, nv12.shape))
    return nv12.reshape(-1)


def looks_like_probabilities(scores, tolerance=1e-3):
    """Tell whether scores are all in [0, 1] and sum to 1 (within tolerance), like softmax."""
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    if scores.size == 0 or not np.all(np.isfinite(scores)):
        return False
    return bool(scores.min() >= 0.0 and scores.max() <= 1.0
                and abs(scores.sum() - 1.0) <= tolerance)


class BackendHealth(collections.namedtuple('BackendHealth', 'values events fault')):
    """What a backend tells about its own state, for /diagnostics (health.judge reads it).

    values: extra key/values to publish (e.g. worker restarts); events: cumulative counts of
    faults each worth reporting once, keyed by what happened ('worker crash(es)'); fault: the
    text of a fault being recovered from right now, or None.
    """


HEALTHY = BackendHealth({}, {}, None)


class Backend(abc.ABC):
    """One loaded classifier that maps an NV12 frame to raw class scores.

    Attributes (set by the implementation's constructor):
        name: 'cpu' or 'bpu'.
        description: one line: backend, runtime, model file, input size, NV12 range.
        model_path: the model file in use.
        input_width, input_height: the NV12 size infer() expects.
        nv12_range: 'full' or 'video', the colour range the model was built for; the frame
            producer must create NV12 in this range.
        num_classes: length of the score vector.
        outputs_probabilities: True if the scores already sum to 1 (softmax inside the model),
            False if they are logits/other, None if unknown.

    infer() is thread-safe. Implementations provide _run(flat_nv12) and optionally _close()
    and health(). close() never releases the runtime under a running call, unless the
    implementation can end such a call itself (ends_running_calls: worker processes).
    """

    name = ''
    # Whether _close() ends calls in progress (a worker process is killed); else close()
    # waits for them, and a call still running after its timeout releases the runtime itself.
    ends_running_calls = False

    def __init__(self):
        self.description = ''
        self.model_path = ''
        self.input_width = 0
        self.input_height = 0
        self.nv12_range = 'full'
        self.num_classes = 0
        self.outputs_probabilities = None
        self._closed = False
        self._released = False
        self._running = 0  # infer() calls in progress
        self._state = threading.Condition(threading.Lock())

    @property
    def input_nbytes(self):
        """Bytes of NV12 that infer() expects."""
        return nv12_size(self.input_width, self.input_height)

    def check_input(self, nv12):
        """Validate one NV12 frame for this model; return it as a flat view or raise InputError."""
        return check_nv12_buffer(nv12, self.input_width, self.input_height)

    def infer(self, nv12):
        """Run one NV12 frame; return a new 1-D float32 array of num_classes raw scores.

        Raises InputError (a BackendError and ValueError) for a wrong buffer, before any
        runtime call, and BackendError when the runtime fails, the scores are not all finite
        (NaN or infinite) or the backend is closed.
        """
        flat = self.check_input(nv12)
        with self._state:
            if self._closed:
                raise BackendError('{} backend is closed'.format(self.name))
            self._running += 1
        try:
            scores = self._run(flat)
        finally:
            self._call_ended()
        if scores.shape != (self.num_classes,) or scores.dtype != np.float32:
            raise BackendError('{} backend produced {} {} scores, expected float32 ({},)'.format(
                self.name, scores.dtype, scores.shape, self.num_classes))
        if not np.isfinite(scores).all():
            # A broken model or runtime, not something post-processing should meet.
            raise BackendError('{} backend produced non-finite scores ({} NaN, {} infinite)'
                               .format(self.name, int(np.isnan(scores).sum()),
                                       int(np.isinf(scores).sum())))
        return scores

    def infer_timed(self, nv12):
        """Return (infer(nv12), seconds the model's runtime took for it).

        Here both are the same call; a backend that runs the model elsewhere (a worker
        process) returns the runtime's own time, so callers can tell it from the hand-off.
        """
        started = time.perf_counter()
        scores = self.infer(nv12)
        return scores, time.perf_counter() - started

    @abc.abstractmethod
    def _run(self, flat_nv12):
        """Infer on a validated flat uint8 NV12 buffer; return float32 scores (num_classes,)."""

    def health(self):
        """Return this backend's BackendHealth (an in-process runtime has nothing to add)."""
        return HEALTHY

    def close(self, timeout=None):
        """Refuse further infer() calls and release the runtime; return whether it was released.

        Waits up to timeout seconds (None: as long as it takes) for calls in progress; one
        still running then releases the runtime when it returns. Idempotent.
        """
        with self._state:
            self._closed = True
            if not self.ends_running_calls and not self._state.wait_for(
                    lambda: self._running == 0, timeout):
                return False
            if self._released:
                return True
            self._released = True
        self._close()
        return True

    def _call_ended(self):
        with self._state:
            self._running -= 1
            release = self._closed and self._running == 0 and not self._released
            if release:
                self._released = True
            self._state.notify_all()
        if release:
            self._close()

    def _close(self):
        """Release implementation resources (override as needed)."""

    @property
    def closed(self):
        return self._closed

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
        return False

    def __repr__(self):
        return '<{} {}>'.format(type(self).__name__, self.description)
