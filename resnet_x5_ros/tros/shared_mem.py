# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""hbm_img_msgs frames (TROS's shared-memory camera messages) as pipeline Frames.

An HbmMsg carries a fixed-size data array (6,220,800 bytes for HbmMsg1080P) of which only
data_size bytes are the image, NUL-padded encoding bytes, and a time_stamp but no Header. The
frame then goes through exactly the validation and conversion of a sensor_msgs/Image.
"""

import collections

from std_msgs.msg import Header

from resnet_x5_ros.convert import FrameError
from resnet_x5_ros.pipeline import Frame

# The camera frame mipi_cam names its images with unless its frame_id parameter is set.
DEFAULT_FRAME_ID = 'default_cam'
# Encodings hobot_codec puts into an HbmMsg when it publishes encoded images.
COMPRESSED_ENCODINGS = ('jpeg', 'jpg', 'png')
# mipi_cam and hobot_codec fill `step` with the width in pixels whatever the format; for
# packed colour that is not the row size in bytes (sensor_msgs/Image's meaning).
_BYTES_PER_PIXEL_OF_PIXEL_STEP = {'bgr8': 3, 'rgb8': 3}

# What the node's worker reads from an input message: its header.
Source = collections.namedtuple('Source', 'header')


def decode_encoding(raw):
    """Return the text of an encoding byte array (NUL-padded ASCII); raises FrameError."""
    text = bytes(raw).split(b'\0', 1)[0]
    try:
        return text.decode('ascii')
    except UnicodeDecodeError:
        raise FrameError('encoding bytes {!r} are not ASCII text'.format(text)) from None


def hbm_frame(msg):
    """Return the pipeline Frame of an HbmMsg*; raises FrameError for an inconsistent one."""
    encoding = decode_encoding(msg.encoding)
    capacity = len(msg.data)
    if not 0 < msg.data_size <= capacity:
        raise FrameError('data_size {} is not within 1..{} (the message array size)'.format(
            msg.data_size, capacity))
    data = msg.data[:msg.data_size]  # a view: no copy of the image
    if encoding.lower() in COMPRESSED_ENCODINGS:
        return Frame(data, encoding, compressed=True)
    step = msg.step
    pixel_bytes = _BYTES_PER_PIXEL_OF_PIXEL_STEP.get(encoding.lower())
    if pixel_bytes and step == msg.width:
        step = msg.width * pixel_bytes
    return Frame(data, encoding, msg.width, msg.height, step)


def hbm_source(msg, frame_id):
    """Return the Source (header: time_stamp and frame_id) the results of msg carry."""
    return Source(Header(stamp=msg.time_stamp, frame_id=frame_id))
