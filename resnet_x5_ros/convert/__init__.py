# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Camera frames to the model's NV12 input, and back: the one public entry to conversion.

    nv12 = convert.to_nv12(data, 'bgr8', 640, 480, 1920, out_width=224, out_height=224)
    nv12 = convert.compressed_to_nv12(jpeg_bytes, 'jpeg', out_width=224, out_height=224)
    bgr = convert.to_bgr(data, 'nv12', 960, 544, 960)          # e.g. for the overlay
    bgr = convert.decode_image(file_bytes, 'photo.tif')        # an image file, same checks

Bad input raises FrameError (a ValueError) with one line saying what is wrong. Modules:

    validate    FrameError, the accepted encodings and size limits, RawFrame (checked views)
    resize      resize modes and geometry, the anti-aliased shrink
    colour      BT.601 NV12 maths of the colour ranges (colour_range), to and from RGB
    raw         sensor_msgs/Image payloads -> NV12 (to_nv12) or BGR (to_bgr)
    header      encoded pictures' format and size from their headers, before decoding
    compressed  sensor_msgs/CompressedImage payloads and image files: header checks, decoding
    encode      the reverse direction, BGR -> camera encodings (for the image publisher)
    cv_compat   OpenCV 4.5's single-pixel quirk, handled once

Imports no ROS; works with numpy 1.21 / OpenCV 4.5.
"""

from resnet_x5_ros.convert.colour import nv12_size
from resnet_x5_ros.convert.compressed import (compressed_size, compressed_to_bgr,
                                              compressed_to_nv12, decode_image)
from resnet_x5_ros.convert.raw import PAD_LEVEL, to_bgr, to_nv12
from resnet_x5_ros.convert.resize import DEFAULT_RESIZE_MODE, RESIZE_MODES
from resnet_x5_ros.convert.validate import ENCODINGS, FrameError, MAX_DIMENSION

__all__ = ['FrameError', 'ENCODINGS', 'RESIZE_MODES', 'DEFAULT_RESIZE_MODE', 'MAX_DIMENSION',
           'PAD_LEVEL', 'nv12_size', 'to_nv12', 'compressed_to_nv12', 'to_bgr',
           'compressed_to_bgr', 'compressed_size', 'decode_image']
