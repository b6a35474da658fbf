# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Run a callable back to back from N threads for a while and collect what each call returned.

Used by `bench`: the figures are per-call wall time, calls per second over the whole run
(throughput) and process CPU time per wall time (100 % = one core busy).
"""

import threading
import time


def run_for(fn, threads, seconds):
    """Call fn() repeatedly from `threads` threads for about `seconds`.

    Returns {'durations': [s per call], 'values': [fn() results], 'calls', 'wall_s', 'fps',
    'cpu_pct'}. Every thread finishes its current call, so the run ends after the deadline
    by at most one call. An exception in fn stops the run and is re-raised here.
    """
    threads = max(1, int(threads))
    per_thread = [([], []) for _ in range(threads)]
    errors = []
    stop = threading.Event()
    start_line = threading.Barrier(threads + 1)
    clock = time.perf_counter

    def loop(durations, values):
        start_line.wait()
        try:
            while not stop.is_set():
                t0 = clock()
                value = fn()
                durations.append(clock() - t0)
                values.append(value)
        except Exception as exc:  # reported to the caller below
            errors.append(exc)
            stop.set()

    workers = [threading.Thread(target=loop, args=pair, daemon=True) for pair in per_thread]
    for worker in workers:
        worker.start()
    cpu0 = time.process_time()
    start_line.wait()
    t0 = clock()
    stop.wait(seconds)
    stop.set()
    for worker in workers:
        worker.join()
    wall = clock() - t0
    cpu = time.process_time() - cpu0
    if errors:
        raise errors[0]
    durations = [d for pair in per_thread for d in pair[0]]
    values = [v for pair in per_thread for v in pair[1]]
    return {'durations': durations, 'values': values, 'calls': len(durations), 'wall_s': wall,
            'fps': len(durations) / wall if wall > 0 else 0.0,
            'cpu_pct': 100.0 * cpu / wall if wall > 0 else 0.0}
