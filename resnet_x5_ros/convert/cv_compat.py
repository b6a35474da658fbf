# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""cv2.resize and cv2.cvtColor that also take a single pixel with several channels.

OpenCV 4.5 (Ubuntu 22.04, the board) refuses a 1x1 multi-channel array ("_step >= minstep" in
Mat), which a letterboxed or centre-cropped tiny frame can produce. Every conversion module
goes through these two functions instead of calling cv2 with such arrays itself.
"""

import cv2
import numpy as np


def _single_pixel(image):
    return image.ndim == 3 and image.shape[0] == 1 and image.shape[1] == 1


def resize(image, width, height, interpolation=cv2.INTER_LINEAR):
    """cv2.resize to width x height; one pixel resizes to a uniform image under every mode."""
    if _single_pixel(image):
        return np.ascontiguousarray(np.broadcast_to(image, (height, width, image.shape[2])))
    return cv2.resize(image, (width, height), interpolation=interpolation)


def cvt_color(image, code):
    """cv2.cvtColor; a single pixel is converted as two copies of it, and one is kept."""
    if _single_pixel(image):
        return cv2.cvtColor(np.repeat(image, 2, axis=0), code)[:1]
    return cv2.cvtColor(image, code)
