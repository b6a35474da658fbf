# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""The packed NV12 layout (Y plane, then interleaved UV): what conversion and backends share.

Kept apart from `convert` (which needs OpenCV) so that a backend, and a worker process that
only runs one, imports no OpenCV: each such process saves the memory OpenCV takes. The
colour ranges have their own module, colour_range.
"""


def nv12_size(width, height):
    """Bytes in a packed NV12 image of width x height (both even)."""
    return int(width) * int(height) * 3 // 2
