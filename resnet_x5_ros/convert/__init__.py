# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Camera frames to the model's NV12 input, and back: the one public entry to conversion.

    nv12 = convert.to_nv12(data, 'bgr8', 640, 480, 1920, out_width=224, out_height=224)
    nv12 = convert.compressed_to_nv12(jpeg_bytes, 'jpeg', out_width=224, out_height=224)
    bgr = convert.to_bgr(data, 'nv12', 960, 544, 960)          # e.g. for the overlay

Bad input raises FrameError (a ValueError) with one line saying what is wrong. Modules:
validate (frame checks, formats), resize (geometry, anti-aliased shrink), colour (BT.601
NV12 maths, the 'full'/'video' ranges), raw (sensor_msgs/Image payloads), compressed
(JPEG/PNG headers and decoding) and encode (the reverse direction, for the image publisher).
Imports no ROS; works with numpy 1.21 / OpenCV 4.5.
"""

from resnet_x5_ros.convert.raw import (compressed_to_bgr, compressed_to_nv12, DEFAULT_RESIZE_MODE,
                                       ENCODINGS, FrameError, MAX_DIMENSION, NV12_RANGES,
                                       PAD_LEVEL, RESIZE_MODES, to_bgr, to_nv12)

__all__ = ['FrameError', 'ENCODINGS', 'RESIZE_MODES', 'DEFAULT_RESIZE_MODE', 'MAX_DIMENSION',
           'NV12_RANGES', 'PAD_LEVEL', 'to_nv12', 'compressed_to_nv12', 'to_bgr',
           'compressed_to_bgr']
