# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""The largest picture the package takes, and OpenCV's own decoder limit lowered to match.

MAX_DIMENSION bounds each side of every frame (convert re-exports it); convert.header checks
an encoded picture's size against it before anything is decoded. As a second line, OpenCV's
decoders refuse pictures of more than OPENCV_IO_MAX_IMAGE_PIXELS pixels (default 2**30,
about 3 GB as BGR). OpenCV reads that variable once, when cv2 is loaded, so the package's
__init__ calls limit_opencv_decoder() before any of its modules imports cv2; child processes
(process workers, the image publisher) inherit the lowered value. A stricter value the user
set is kept. Imports neither cv2 nor ROS.
"""

import os
import re

MAX_DIMENSION = 8192
MAX_PIXELS = MAX_DIMENSION * MAX_DIMENSION
OPENCV_PIXELS_VARIABLE = 'OPENCV_IO_MAX_IMAGE_PIXELS'

# How OpenCV reads a size setting: decimal digits and an optional unit (utils::parseOption).
_OPENCV_SIZE = re.compile(r'([0-9]+)(|KB|Kb|kb|MB|Mb|mb)')
_UNITS = {'': 1, 'k': 1 << 10, 'm': 1 << 20}
_SIZE_T_MAX = (1 << 64) - 1


def opencv_size_setting(text):
    """Return the number OpenCV reads from a size variable's text, or None if it cannot.

    OpenCV aborts the whole process at `import cv2` on a value it cannot read.
    """
    match = _OPENCV_SIZE.fullmatch(text)
    if match is None:
        return None
    value = int(match.group(1)) * _UNITS[match.group(2)[:1].lower()]
    return value if value <= _SIZE_T_MAX else None


def limit_opencv_decoder(environ=None):
    """Set OPENCV_IO_MAX_IMAGE_PIXELS to MAX_PIXELS unless it holds a smaller valid value.

    Takes effect for cv2 loaded after this call, in this process and in its children.
    """
    environ = os.environ if environ is None else environ
    current = opencv_size_setting(environ.get(OPENCV_PIXELS_VARIABLE, ''))
    if current is None or current > MAX_PIXELS:
        environ[OPENCV_PIXELS_VARIABLE] = str(MAX_PIXELS)
