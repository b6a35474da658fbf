# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""What the benchmarks read of a process from /proc: resident memory, threads, CPU time."""

import os


def proc_status(pid):
    """(RSS in MB, threads) of a live process from /proc/PID/status."""
    rss = threads = None
    with open('/proc/{}/status'.format(pid), encoding='ascii') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                rss = int(line.split()[1]) / 1024.0
            elif line.startswith('Threads:'):
                threads = int(line.split()[1])
    return rss, threads


def cpu_seconds(pid):
    """CPU seconds (user + system) a live process has used, from /proc/PID/stat."""
    with open('/proc/{}/stat'.format(pid), encoding='ascii') as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')
