# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Raw camera frames (sensor_msgs/Image payloads) to the model's NV12 input, or to BGR.

Every frame is validated first (validate.RawFrame). The result of to_nv12 is always a 1-D,
C-contiguous uint8 array of exactly colour.nv12_size(out_width, out_height) bytes.

Work happens in the source's native format at the small size:

* RGB family (bgr8, rgb8, bgra8, rgba8) and mono8: crop, shrink to the model size with an
  anti-aliased halving chain, then convert colour (alpha is ignored) into `nv12_range`.
* nv12 and YUV 4:2:2 (yuv422 = uyvy, yuv422_yuy2 = yuyv): the Y and chroma planes are
  resized separately, never via BGR. They are already YUV: in camera_range, which 'auto'
  takes to be nv12_range, so their values pass through and `nv12_range` only sets the
  letterbox padding; a camera_range that differs from nv12_range remaps the planes.

Imports no ROS; works with numpy 1.21 / OpenCV 4.5.
"""

import cv2
import numpy as np

from resnet_x5_ros.colour_range import AUTO, check, DEFAULT_RANGE, resolve
from resnet_x5_ros.convert import colour
from resnet_x5_ros.convert.cv_compat import cvt_color
from resnet_x5_ros.convert.resize import crop, DEFAULT_RESIZE_MODE, plan, shrink, shrink_uv_into
from resnet_x5_ros.convert.validate import check_output, FrameError, PAIR_UV, RawFrame

# Letterbox bars: the model zoo pads with BGR (127, 127, 127).
PAD_LEVEL = 127


_TO_BGR = {
    ('colour', 'bgr', 3): None, ('colour', 'rgb', 3): cv2.COLOR_RGB2BGR,
    ('colour', 'bgr', 4): cv2.COLOR_BGRA2BGR, ('colour', 'rgb', 4): cv2.COLOR_RGBA2BGR,
    ('mono', None, 1): cv2.COLOR_GRAY2BGR,
}
_YUV422_TO_BGR = {'yuyv': cv2.COLOR_YUV2BGR_YUY2, 'uyvy': cv2.COLOR_YUV2BGR_UYVY}
_YUV422_TO_GRAY = {'yuyv': cv2.COLOR_YUV2GRAY_YUY2, 'uyvy': cv2.COLOR_YUV2GRAY_UYVY}


def to_nv12(data, encoding, width, height, step, *, out_width, out_height,
            resize_mode=DEFAULT_RESIZE_MODE, nv12_range=DEFAULT_RANGE, camera_range=AUTO):
    """Convert one raw camera frame to packed NV12 at out_width x out_height.

    data: the frame bytes (bytes, array.array('B') from rclpy, memoryview, uint8 ndarray);
    encoding/width/height/step as in sensor_msgs/Image. RGB-family and mono8 input is
    converted into nv12_range ('full' or 'video'). nv12 and YUV 4:2:2 input is in
    camera_range ('auto': taken to be nv12_range, passed through); a range other than
    nv12_range is remapped to it.
    Returns a new 1-D C-contiguous uint8 array of out_width * out_height * 3 // 2 bytes;
    raises FrameError for anything invalid.
    """
    frame = RawFrame(data, encoding, width, height, step)
    out_width, out_height = check_output(out_width, out_height, resize_mode, nv12_range)
    try:
        camera_range = resolve(camera_range, nv12_range, 'camera_range')
    except ValueError as exc:
        raise FrameError(str(exc)) from None
    align_x = 2 if frame.kind in ('nv12', 'yuyv', 'uyvy') else 1
    align_y = 2 if frame.kind == 'nv12' else 1
    source, target = plan(frame.width, frame.height, out_width, out_height, resize_mode,
                          align_x, align_y)
    out = np.empty(colour.nv12_size(out_width, out_height), dtype=np.uint8)
    y_out, uv_out, y_t, uv_t = _output_planes(out, out_width, out_height, target)
    if target.w != out_width or target.h != out_height:
        y_out[...] = colour.grey_y_value(PAD_LEVEL, nv12_range)
        uv_out[...] = 128

    if frame.kind == 'colour':
        small = shrink(crop(frame.pixels(), source), target.w, target.h)
        colour.colour_to_planes(small, frame.order, nv12_range, y_t, uv_t)
    elif frame.kind == 'mono':
        small = shrink(crop(frame.pixels(), source), target.w, target.h)
        y_t[...] = colour.grey_to_y(small, nv12_range)
        uv_t[...] = 128
    elif frame.kind == 'nv12':
        y, uv = frame.nv12_planes()
        y_t[...] = shrink(crop(y, source), target.w, target.h)
        uv_source = source._replace(x=source.x // 2, y=source.y // 2,
                                    w=source.w // 2, h=source.h // 2)
        shrink_uv_into(crop(uv, uv_source), uv_t)
    else:
        grey = cv2.cvtColor(crop(frame.pixels(), source), _YUV422_TO_GRAY[frame.kind])
        y_t[...] = shrink(grey, target.w, target.h)
        pair_source = source._replace(x=source.x // 2, w=source.w // 2)
        small = shrink(crop(frame.pairs(), pair_source), target.w // 2, target.h // 2)
        u, v = PAIR_UV[frame.kind]
        uv_t[..., 0] = small[..., u]
        uv_t[..., 1] = small[..., v]

    if frame.kind in ('nv12', 'yuyv', 'uyvy') and camera_range != nv12_range:
        y_lut, c_lut = colour.range_luts(camera_range, nv12_range)
        y_t[...] = cv2.LUT(y_t, y_lut)
        uv_t[...] = cv2.LUT(uv_t, c_lut)
    return out


def _output_planes(out, out_width, out_height, target):
    y_out = out[:out_width * out_height].reshape(out_height, out_width)
    uv_out = out[out_width * out_height:].reshape(out_height // 2, out_width // 2, 2)
    y_t = y_out[target.y:target.y + target.h, target.x:target.x + target.w]
    uv_t = uv_out[target.y // 2:(target.y + target.h) // 2,
                  target.x // 2:(target.x + target.w) // 2]
    return y_out, uv_out, y_t, uv_t


def to_bgr(data, encoding, width, height, step, *, camera_range=DEFAULT_RANGE):
    """Full-size (H, W, 3) uint8 BGR copy of a raw frame, e.g. for an overlay image.

    YUV input (nv12, 4:2:2) is read as camera_range: 'video' uses OpenCV's converters (as
    cv_bridge does), 'full' the inverse of our full-range matrix. Raises FrameError like
    to_nv12.
    """
    frame = RawFrame(data, encoding, width, height, step)
    try:
        check(camera_range, 'camera_range')
    except ValueError as exc:
        raise FrameError(str(exc)) from None
    if frame.kind in ('colour', 'mono'):
        code = _TO_BGR[frame.kind, frame.order, frame.channels]
        pixels = frame.pixels()
        return pixels.copy() if code is None else cvt_color(pixels, code)
    if frame.kind == 'nv12':
        if camera_range == 'video':
            return cv2.cvtColor(frame.rows, cv2.COLOR_YUV2BGR_NV12)
        y, uv = frame.nv12_planes()
        return colour.yuv_planes_to_colour(y, uv, 'full', 'bgr')
    if camera_range == 'video':
        return cv2.cvtColor(frame.pixels(), _YUV422_TO_BGR[frame.kind])
    y = cv2.cvtColor(frame.pixels(), _YUV422_TO_GRAY[frame.kind])
    u, v = PAIR_UV[frame.kind]
    return colour.yuv_planes_to_colour(y, frame.pairs()[..., [u, v]], 'full', 'bgr')
