# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""What a Horizon/D-Robotics .bin records about its input: the NV12 colour range.

The X5 model compiler writes its build parameters into the .bin as a text map; the entry
INPUT_SPACE_AND_RANGE says which NV12 the model expects: ``regular`` (BT.601 full range, our
'full') or ``bt601_video`` ('video'). SPACE_TO_RANGE is the one table of that vocabulary: the
BPU backend and board_check read it with read_bin_nv12_range(); the repository's simulator
harness, which parses the whole protobuf for the graph and the HBM anyway, maps the value it
parsed with range_of_space(). The byte scan here needs no protobuf reader on the
board and does not depend on the field layout of a toolchain version. Standard library only.
"""

import mmap

# The build-metadata key, and its values -> our nv12_range names.
RANGE_KEY = 'INPUT_SPACE_AND_RANGE'
SPACE_TO_RANGE = {'regular': 'full', 'bt601_video': 'video'}
# How far after the key its value starts (protobuf map-entry framing sits in between).
_VALUE_WINDOW = 64


def range_of_space(value):
    """'full' / 'video' for a recorded INPUT_SPACE_AND_RANGE value (e.g. 'regular;'), or None.

    hb_mapper writes one ';'-terminated entry per input; the first one counts.
    """
    first = (value or '').strip().split(';')[0].strip()
    return SPACE_TO_RANGE.get(first)


def find_nv12_range(data):
    """Return the range recorded in the bytes of a .bin (bytes, mmap, ...), or None.

    Looks for the INPUT_SPACE_AND_RANGE key and the first known value right after it.
    """
    key = RANGE_KEY.encode('ascii')
    tokens = [(space.encode('ascii'), name) for space, name in SPACE_TO_RANGE.items()]
    start = 0
    while True:
        at = data.find(key, start)
        if at < 0:
            return None
        tail = data[at + len(key):at + len(key) + _VALUE_WINDOW]
        found = [(tail.find(token), name) for token, name in tokens if tail.find(token) >= 0]
        if found:
            return min(found)[1]
        start = at + 1


def read_bin_nv12_range(path):
    """Return the NV12 range a .bin file records: 'full', 'video' or None (none, unreadable)."""
    try:
        with open(path, 'rb') as f:
            try:
                data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
            except ValueError:  # empty file
                return None
            try:
                return find_nv12_range(data)
            finally:
                data.close()
    except OSError:
        return None
