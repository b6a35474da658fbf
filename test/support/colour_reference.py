# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""NV12 references that share no code with resnet_x5_ros.convert, for the conversion tests.

jfif_nv12: BT.601 full range by the JFIF equations written out in float64 (chroma: the 2x2
mean, centre-sited as JPEG does); opencv_nv12: OpenCV's own BGR -> I420 (video range, chroma
from each block's top-left pixel), re-packed as NV12.
"""

import cv2
import numpy as np


def jfif_nv12(bgr):
    """BT.601 full-range NV12 of an even-sized BGR image, rounded half up, as float64."""
    h, w = bgr.shape[:2]
    b, g, r = [bgr[..., i].astype(np.float64) for i in range(3)]
    y = 0.299 * r + 0.587 * g + 0.114 * b
    u = -0.168736 * r - 0.331264 * g + 0.5 * b + 128.0
    v = 0.5 * r - 0.418688 * g - 0.081312 * b + 128.0

    def mean2x2(plane):
        return plane.reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))

    uv = np.stack([mean2x2(u), mean2x2(v)], axis=-1)
    return np.clip(np.floor(np.concatenate([y.reshape(-1), uv.reshape(-1)]) + 0.5), 0, 255)


def opencv_nv12(bgr):
    """Return OpenCV's BGR -> YUV I420 (BT.601 video range) re-packed as NV12 (uint8)."""
    h, w = bgr.shape[:2]
    i420 = cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_I420).reshape(-1)
    quarter = w * h // 4
    u = i420[w * h:w * h + quarter]
    v = i420[w * h + quarter:]
    return np.concatenate([i420[:w * h], np.stack([u, v], axis=1).reshape(-1)])


def max_diff(a, b):
    """Largest absolute difference between two arrays of levels."""
    return int(np.abs(np.asarray(a).astype(np.int64) - np.asarray(b).astype(np.int64)).max())
