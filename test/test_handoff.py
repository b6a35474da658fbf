# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""The callback-to-worker hand-off: newest frame wins, results never go back in time."""

import threading

import pytest

from resnet_x5_ros.handoff import LatestSlot, NewestFirstGate, WorkerPool


def test_slot_keeps_only_the_newest_item_and_reports_drops():
    slot = LatestSlot()
    assert slot.put(1) is False
    assert slot.put(2) is True  # 1 was never taken: dropped
    assert slot.put(3) is True
    assert slot.take() == 3
    assert slot.put(4) is False  # the slot was empty again


def test_closed_slot_wakes_waiting_workers():
    slot = LatestSlot()
    got = []
    waiter = threading.Thread(target=lambda: got.append(slot.take()))
    waiter.start()
    slot.close()
    waiter.join(5.0)
    assert not waiter.is_alive()
    assert got == [None]


def test_gate_refuses_results_older_than_one_already_passed():
    gate = NewestFirstGate()
    sent = []
    assert gate.run_if_newest(5, lambda: sent.append(5))
    assert not gate.run_if_newest(3, lambda: sent.append(3))
    assert not gate.run_if_newest(5, lambda: sent.append(5))
    assert gate.run_if_newest(9, lambda: sent.append(9))
    assert sent == [5, 9]


def test_pool_processes_items_and_stops():
    slot = LatestSlot()
    done = threading.Event()
    handled = []

    def handle(item):
        handled.append(item)
        done.set()

    pool = WorkerPool(slot, handle, count=2)
    pool.start()
    slot.put('frame')
    assert done.wait(10.0)
    assert pool.stop(timeout=5.0) == []
    assert handled == ['frame']


def test_pool_stop_reports_a_worker_stuck_in_a_call():
    slot = LatestSlot()
    entered, release = threading.Event(), threading.Event()

    def stuck(item):
        entered.set()
        release.wait()

    pool = WorkerPool(slot, stuck, count=1)
    pool.start()
    slot.put('frame')
    assert entered.wait(10.0)
    assert pool.stop(timeout=0.1) == ['classifier-worker-0']
    release.set()


def test_pool_needs_a_worker():
    with pytest.raises(ValueError):
        WorkerPool(LatestSlot(), print, count=0)


def test_a_failing_item_does_not_kill_the_worker():
    slot = LatestSlot()
    errors, handled = [], []
    done, failed = threading.Event(), threading.Event()

    def on_error(exc):
        errors.append(exc)
        failed.set()

    def handle(item):
        if item == 'bad':
            raise RuntimeError('boom')
        handled.append(item)
        done.set()

    pool = WorkerPool(slot, handle, count=1, on_error=on_error)
    pool.start()
    slot.put('bad')
    assert failed.wait(10.0)
    slot.put('good')  # the same, only worker must still be there to take it
    assert done.wait(10.0)
    assert pool.stop(timeout=5.0) == []
    assert [str(e) for e in errors] == ['boom']
    assert handled == ['good']
