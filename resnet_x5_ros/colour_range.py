# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""The colour ranges of YUV pictures (NV12, YUYV, UYVY): one vocabulary, one default. No ROS.

A YUV picture is in one of two BT.601 ranges: 'full' (Y and chroma over 0..255, what the X5
toolchain compiles models for unless told otherwise) or 'video' (Y 16..235, chroma 16..240,
OpenCV's YUV conversions and most cameras). DEFAULT_RANGE is what is assumed wherever nothing
says otherwise (an .onnx sidecar or a .bin without a record, frames the tools make).

Two settings name a range, both 'auto' or a range:
- nv12_range: the range the model wants its NV12 input in; auto = what the model records.
- camera_range: the range a camera's YUV frames are in; auto = the model's range, so they
  pass through untouched. RGB and mono frames have no range: they are converted into the
  model's.
The equations live in convert/colour.py. Imports neither OpenCV nor numpy.
"""

RANGES = ('full', 'video')
DEFAULT_RANGE = 'full'
AUTO = 'auto'
# What nv12_range and camera_range take.
SETTINGS = (AUTO,) + RANGES


def check(value, what):
    """Return value if it is one of RANGES, else raise ValueError naming what it is."""
    if value not in RANGES:
        raise ValueError('{} must be one of {}, not {!r}'.format(what, ', '.join(RANGES), value))
    return value


def resolve(setting, auto_range, what):
    """Return the range a setting names: auto_range for 'auto' (or empty/None), else setting.

    Raises ValueError naming what for anything else.
    """
    if setting in (None, '', AUTO):
        return check(auto_range, what)
    if setting not in RANGES:
        raise ValueError('{} must be one of {}, not {!r}'.format(
            what, ', '.join(SETTINGS), setting))
    return setting
