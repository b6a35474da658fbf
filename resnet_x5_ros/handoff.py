# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Hand-off between a ROS callback and inference threads, without ROS.

The callback only drops the newest frame into a one-item slot; workers take from it. A frame
that arrives before the previous one was taken replaces it (counted as dropped), so results
never queue up behind a slow model.
"""

import threading
import time


class LatestSlot:
    """A one-item mailbox: put() replaces an untaken item, take() blocks for the next one."""

    def __init__(self):
        self._cond = threading.Condition()
        self._item = None
        self._full = False
        self._closed = False

    def put(self, item):
        """Store item; returns True if it replaced one no worker had taken (a drop)."""
        with self._cond:
            replaced = self._full
            self._item = item
            self._full = True
            self._cond.notify()
            return replaced

    def take(self):
        """Wait for an item and return it; returns None once the slot is closed."""
        with self._cond:
            while not self._full and not self._closed:
                self._cond.wait()
            if self._closed:
                return None
            item, self._item, self._full = self._item, None, False
            return item

    def close(self):
        """Wake every waiting worker; take() returns None from now on."""
        with self._cond:
            self._closed = True
            self._item = None
            self._full = False
            self._cond.notify_all()


class NewestFirstGate:
    """Lets a result through only if it is newer than every result already let through.

    With several workers a slow older frame can finish after a newer one; publishing it
    would send time backwards for subscribers. The action runs under the gate's lock so
    two passes never interleave.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._last = None

    def run_if_newest(self, sequence, action):
        """Run action() and return True if sequence is the newest seen, else return False."""
        with self._lock:
            if self._last is not None and sequence <= self._last:
                return False
            self._last = sequence
            action()
            return True


class WorkerPool:
    """Threads that take items from a LatestSlot and hand each to handle(item)."""

    def __init__(self, slot, handle, count, name='classifier-worker', on_error=None):
        if count < 1:
            raise ValueError('a worker pool needs at least one worker, got {}'.format(count))
        self._slot = slot
        self._handle = handle
        self._on_error = on_error
        # Daemon threads: a runtime call that never returns must not keep the process alive
        # after shutdown; stop() still joins them when they do return.
        self._threads = [threading.Thread(target=self._run, name='{}-{}'.format(name, i),
                                          daemon=True) for i in range(count)]

    def start(self):
        for thread in self._threads:
            thread.start()

    def _run(self):
        while True:
            item = self._slot.take()
            if item is None:
                return
            try:
                self._handle(item)
            except Exception as exc:  # noqa: B902 - a dead worker would silently stop output
                if self._on_error is None:
                    raise
                self._on_error(exc)

    def stop(self, timeout=1.0):
        """Close the slot and join the workers within one overall timeout.

        Returns the names of threads still busy (e.g. in a runtime call that hangs).
        """
        self._slot.close()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            if thread.is_alive():  # not one that never started (a start-up cut short)
                thread.join(max(0.0, deadline - time.monotonic()))
        return [t.name for t in self._threads if t.is_alive()]
