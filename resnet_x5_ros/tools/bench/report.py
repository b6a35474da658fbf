# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Shared helpers for benchmark output: which machine produced a figure, and tables."""

import os
import platform

import numpy as np


def machine_summary():
    """One line naming the machine, so every printed figure says where it came from."""
    cpu = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo', encoding='ascii', errors='replace') as f:
            for line in f:
                if line.startswith('model name'):
                    cpu = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    load = '{:.2f}'.format(os.getloadavg()[0]) if hasattr(os, 'getloadavg') else '?'
    return 'machine: {} | {} | {} cores | load avg (1 min) {} | Python {} | numpy {}'.format(
        platform.node(), cpu, os.cpu_count(), load, platform.python_version(), np.__version__)


def median_ms(samples_s):
    """Median of durations given in seconds, in milliseconds."""
    return float(np.median(np.asarray(samples_s, dtype=np.float64)) * 1000.0)


def percentile_ms(samples_s, q):
    """q-th percentile of durations given in seconds, in milliseconds."""
    return float(np.percentile(np.asarray(samples_s, dtype=np.float64), q) * 1000.0)


def print_table(result):
    """Print {suite: {row: {column: value}}} as aligned text tables."""
    for suite, rows in result.items():
        if not isinstance(rows, dict) or not rows:
            print('{}: {}'.format(suite, rows))
            continue
        if not all(isinstance(v, dict) for v in rows.values()):
            rows = {suite: rows}
        columns = []
        for row in rows.values():
            columns += [c for c in row if c not in columns]
        header = [suite] + columns
        body = [[name] + [_fmt(row.get(c, '')) for c in columns] for name, row in rows.items()]
        widths = [max(len(str(r[i])) for r in [header] + body) for i in range(len(header))]
        for line in [header] + body:
            print('  '.join(str(cell).ljust(w) for cell, w in zip(line, widths)))
        print()


def _fmt(value):
    if isinstance(value, float):
        return '{:.3f}'.format(value)
    return str(value)
