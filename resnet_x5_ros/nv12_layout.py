# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""The packed NV12 layout and its two colour ranges: what conversion and backends share.

Kept apart from `convert` (which needs OpenCV) so that a backend, and a worker process that
only runs one, imports no OpenCV: each such process saves the memory OpenCV takes.
"""

# 'full': BT.601 full range (the X5 compiler's default); 'video': BT.601 video range.
# convert/colour.py holds the equations.
NV12_RANGES = ('full', 'video')


def nv12_size(width, height):
    """Bytes in a packed NV12 image of width x height (both even)."""
    return int(width) * int(height) * 3 // 2
