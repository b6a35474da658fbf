# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Whether the classifier is healthy: the level and text of its /diagnostics status. No ROS.

Judged on the latest inferences and on what happened since the previous status, not over
the node's lifetime: a backend that starts failing after hours of good results must show at
once, and stay ERROR until an inference succeeds again. The node turns the Verdict into a
diagnostic_msgs/DiagnosticStatus (the levels are its numbers).
"""

import collections

OK, WARN, ERROR = 0, 1, 2

# log: a kind of warning the node also logs (rate-limited per kind), or None.
Verdict = collections.namedtuple('Verdict', 'level message log')

# Counters of stats.PipelineStats that make a status WARN when they grew since the last one.
_PROBLEMS = ('backend_errors', 'internal_errors', 'rejected')


class HealthJudge:
    """Remembers the counts of the previous status; judge() gives the next one's Verdict."""

    def __init__(self, input_topic):
        self._input_topic = input_topic
        self._last_counts = {}
        self._last_events = {}

    def judge(self, counts, backend_health, stalled_s, stall_limit_s, error_streak):
        """Return the Verdict for now.

        counts: the pipeline's counters (received, rejected, backend_errors, ...);
        backend_health: backend.health(); stalled_s: how long the frame in progress has run
        (0 when none), stall_limit_s: when that counts as a stall; error_streak: inferences
        failed in a row.
        """
        last, self._last_counts = self._last_counts, counts
        events, self._last_events = self._last_events, backend_health.events
        # Reported even when the backend has recovered already: every event shows once.
        news = ['{} {}'.format(n - events.get(what, 0), what)
                for what, n in backend_health.events.items() if n > events.get(what, 0)]
        if backend_health.fault or news:
            # The fault's own text says what happened (hung, died with a signal, or why a
            # restart failed).
            return Verdict(ERROR, backend_health.fault or
                           'backend recovered after ' + ', '.join(news), 'backend')
        if stalled_s > stall_limit_s:
            return Verdict(ERROR, 'inference stalled: no frame finished for {:.1f} s while one '
                           'is in progress (limit {:.1f} s); the backend call may be hung'
                           .format(stalled_s, stall_limit_s), 'stall')
        if error_streak:
            return Verdict(ERROR, 'backend failing: the last {} inferences failed'.format(
                error_streak), None)

        def grown(key):
            return counts[key] - last.get(key, 0)

        problems = ['{} {}'.format(grown(k), k.replace('_', ' ')) for k in _PROBLEMS
                    if grown(k)]
        if problems:
            return Verdict(WARN, 'classifying with ' + ', '.join(problems), None)
        if not grown('received'):
            return Verdict(OK, 'waiting for images on ' + self._input_topic, None)
        return Verdict(OK, 'classifying', None)
