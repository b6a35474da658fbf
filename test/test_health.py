# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""health.HealthJudge: the /diagnostics level and text, from counters and backend.health()."""

from resnet_x5_ros.backends import BackendHealth
from resnet_x5_ros.health import ERROR, HealthJudge, OK, WARN

HEALTHY = BackendHealth({}, {}, None)
ZERO = {'received': 0, 'rejected': 0, 'backend_errors': 0, 'internal_errors': 0}


def counts(**changes):
    return dict(ZERO, **changes)


def test_waiting_then_classifying_then_warn_on_new_problems_only():
    judge = HealthJudge('/cam/image')
    assert judge.judge(counts(), HEALTHY, 0.0, 1.0, 0)[:2] == \
        (OK, 'waiting for images on /cam/image')
    assert judge.judge(counts(received=5), HEALTHY, 0.0, 1.0, 0)[:2] == (OK, 'classifying')
    verdict = judge.judge(counts(received=9, rejected=2), HEALTHY, 0.0, 1.0, 0)
    assert verdict[:2] == (WARN, 'classifying with 2 rejected')
    # Judged on what happened since the previous status, not over the node's life.
    assert judge.judge(counts(received=12, rejected=2), HEALTHY, 0.0, 1.0, 0)[:2] == \
        (OK, 'classifying')


def test_a_failing_backend_is_error_until_an_inference_succeeds():
    judge = HealthJudge('/image')
    verdict = judge.judge(counts(received=3, backend_errors=3), HEALTHY, 0.0, 1.0, 3)
    assert verdict.level == ERROR and 'last 3 inferences failed' in verdict.message
    assert judge.judge(counts(received=4, backend_errors=3), HEALTHY, 0.0, 1.0, 0).level == OK


def test_a_stall_is_error_and_logged():
    verdict = HealthJudge('/image').judge(counts(received=1), HEALTHY, 2.5, 1.0, 0)
    assert verdict.level == ERROR and verdict.log == 'stall'
    assert 'no frame finished for 2.5 s' in verdict.message


def test_backend_events_show_once_and_a_fault_until_it_is_over():
    judge = HealthJudge('/image')
    crashed = BackendHealth({}, {'worker crash(es)': 1}, 'worker process 0 died; restarting it')
    verdict = judge.judge(counts(received=1), crashed, 0.0, 1.0, 0)
    assert verdict == (ERROR, 'worker process 0 died; restarting it', 'backend')
    back = BackendHealth({}, {'worker crash(es)': 1}, None)
    assert judge.judge(counts(received=2), back, 0.0, 1.0, 0).level == OK
    # A crash and restart between two statuses still shows, once.
    again = BackendHealth({}, {'worker crash(es)': 2}, None)
    verdict = judge.judge(counts(received=3), again, 0.0, 1.0, 0)
    assert verdict[:2] == (ERROR, 'backend recovered after 1 worker crash(es)')
    assert judge.judge(counts(received=4), again, 0.0, 1.0, 0).level == OK
