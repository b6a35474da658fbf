# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Image files as the node receives camera frames (pipeline.Frame), for the offline tools.

How a file becomes a frame (the tools' --encoding option):

* bgr8 (default): OpenCV decodes the file (cv2.IMREAD_COLOR) and the pixels go in as a bgr8
  sensor_msgs/Image would carry them (step = width * 3). This is what a bgr8 camera driver,
  the demo and `image_publisher` send, and the node's raw path: convert.to_nv12.
* any other raw encoding (rgb8, mono8, nv12, yuyv, ...): the decoded picture is first encoded
  the way a camera publishing that encoding would (resnet_x5_ros.convert.encode), e.g. nv12 for a
  camera that publishes NV12. YUV encodings are made in the model's NV12 range, so only the
  layout differs from bgr8, not the colours.
* compressed: the file's own bytes go in as a sensor_msgs/CompressedImage payload, the node's
  `compressed: true` path (convert.compressed_to_nv12). JPEG and PNG, like image_transport.

Either way a file is decoded only after its format and size were checked from its header
(image_sources.read_image, convert.decode_image), as the node does with CompressedImage data.
"""

import numpy as np

from resnet_x5_ros.colour_range import DEFAULT_RANGE
from resnet_x5_ros.convert.encode import encode_image, RAW_ENCODINGS
from resnet_x5_ros.pipeline import Frame
from resnet_x5_ros.tools.images import decode_file, read_bytes, read_image, SourceError

COMPRESSED = 'compressed'
FILE_ENCODINGS = RAW_ENCODINGS + (COMPRESSED,)
DEFAULT_ENCODING = 'bgr8'


def compressed_format(data):
    """'jpeg' or 'png' from a file's magic bytes, else None."""
    if data[:2] == b'\xff\xd8':
        return 'jpeg'
    if data[:8] == b'\x89PNG\r\n\x1a\n':
        return 'png'
    return None


def frame_from_bgr(bgr, encoding=DEFAULT_ENCODING, camera_range=DEFAULT_RANGE):
    """Build a raw pipeline.Frame of an (H, W, 3) uint8 BGR picture in a sensor_msgs encoding."""
    if encoding == 'bgr8':
        bgr = np.ascontiguousarray(bgr)
        h, w = bgr.shape[:2]
        return Frame(bgr.reshape(-1), 'bgr8', w, h, w * 3)
    data, width, height, step = encode_image(bgr, encoding, camera_range)
    return Frame(data, encoding, width, height, step)


def frame_from_file(path, encoding=DEFAULT_ENCODING, camera_range=DEFAULT_RANGE):
    """Read an image file as the Frame a camera publishing `encoding` would deliver.

    Returns (frame, (width, height)); raises SourceError for unreadable files and ValueError
    for an unknown encoding.
    """
    if encoding not in FILE_ENCODINGS:
        raise ValueError('encoding must be one of {}, got {!r}'.format(
            ', '.join(FILE_ENCODINGS), encoding))
    if encoding == COMPRESSED:
        data = read_bytes(path)
        fmt = compressed_format(data[:8].tobytes())
        if fmt is None:
            raise SourceError('{}: not a JPEG or PNG file, cannot be sent as a '
                              'CompressedImage'.format(path))
        # Decoded once here only to report the picture size and refuse a corrupt file early;
        # the timed conversion decodes it again, as the node would.
        bgr = decode_file(data, path)
        return Frame(data, fmt, compressed=True), (bgr.shape[1], bgr.shape[0])
    bgr = read_image(path)
    return frame_from_bgr(bgr, encoding, camera_range), (bgr.shape[1], bgr.shape[0])
