# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""StopSignals: a stop request at any moment, a KeyboardInterrupt only during start-up."""

import signal

import pytest

from resnet_x5_ros.stop_signals import StopSignals


def test_first_signal_during_start_up_interrupts_once_later_ones_only_record():
    stop = StopSignals()
    with pytest.raises(KeyboardInterrupt):
        stop._on_signal(signal.SIGINT, None)
    stop._on_signal(signal.SIGINT, None)  # launch's second SIGINT: must not raise
    stop._on_signal(signal.SIGTERM, None)
    assert stop.requested
    assert stop.received == [signal.SIGINT, signal.SIGINT, signal.SIGTERM]


def test_signals_while_running_only_request_the_stop():
    stop = StopSignals()
    stop.running()
    assert not stop.requested
    for _ in range(100):
        stop._on_signal(signal.SIGTERM, None)
    assert stop.requested
    assert 0 < len(stop.received) <= 16  # a storm of signals does not grow without bound


def test_install_and_ignore_replace_the_process_handlers():
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        stop = StopSignals()
        stop.install()
        assert signal.getsignal(signal.SIGINT) == stop._on_signal
        assert signal.getsignal(signal.SIGTERM) == stop._on_signal
        stop.ignore_from_now_on()
        assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_IGN
        stop.restore()  # for a caller that goes on living: what it had before
        assert {sig: signal.getsignal(sig) for sig in saved} == saved
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
