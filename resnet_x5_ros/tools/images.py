# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Where test and demo pictures come from: files, folders, video files, cameras. No ROS."""

import argparse
import mmap
import os

import cv2
import numpy as np

from resnet_x5_ros import convert

from resnet_x5_ros.tools.samples import resolve_sample_name, SAMPLES_DIR

IMAGE_SUFFIXES = ('.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff', '.webp', '.ppm', '.pgm')
VIDEO_SUFFIXES = ('.mp4', '.avi', '.mkv', '.mov', '.webm', '.mpg', '.mpeg')


class SourceError(ValueError):
    """A source that cannot be read; the message names it."""


def parse_size(text):
    """Parse a --size argument 'WxH' (at least 2x2) into (width, height) for argparse."""
    try:
        width, height = (int(v) for v in text.lower().split('x'))
    except ValueError:
        raise argparse.ArgumentTypeError('size must look like 640x480, got ' + text) from None
    if width < 2 or height < 2:
        raise argparse.ArgumentTypeError('size must be at least 2x2, got ' + text)
    return width, height


def list_images(paths):
    """Expand files and folders (sorted, image suffixes only) into a list of image files.

    `samples` and `samples/<photo>` name the bundled sample photos (samples.py).
    """
    files = []
    for given in paths:
        path = resolve_sample_name(given)
        if os.path.isdir(path):
            files += sorted(os.path.join(path, n) for n in os.listdir(path)
                            if n.lower().endswith(IMAGE_SUFFIXES))
        elif os.path.isfile(path):
            files.append(path)
        elif path != given:
            raise SourceError('{}: no such sample photo (the photos in {}: {})'.format(
                given, SAMPLES_DIR, ', '.join(sorted(os.listdir(SAMPLES_DIR)))))
        else:
            raise SourceError('{}: no such file or folder'.format(path))
    if not files:
        raise SourceError('no image files in {}'.format(', '.join(paths)))
    return files


def read_image(path, size=None):
    """Read an image file as (H, W, 3) uint8 BGR, optionally resized to size=(w, h).

    The file goes through the node's decoding of a CompressedImage (convert.decode_image): its
    format and size are checked from the header first, so a small file declaring a huge
    picture is refused before OpenCV allocates it.
    """
    return _resized(decode_file(read_bytes(path), path), size)


def decode_file(data, path):
    """Decode the bytes of the image file at path (convert.decode_image); SourceError if not."""
    try:
        return convert.decode_image(data, os.fspath(path))
    except convert.FrameError as exc:
        raise SourceError(str(exc)) from None


def read_bytes(path):
    """Return the contents of a file as a 1-D uint8 array; SourceError naming it if unreadable.

    The file is mapped, not read: refusing a big file that is no picture (a video given by
    mistake) touches only its first bytes, as cv2.imread would.
    """
    try:
        with open(path, 'rb') as f:
            try:
                return np.frombuffer(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ),
                                     np.uint8)
            except (ValueError, OSError):  # empty, or not a regular file (a pipe)
                return np.frombuffer(f.read(), np.uint8)
    except OSError as exc:
        raise SourceError('{}: {}'.format(path, exc.strerror or exc)) from None


def video_frames(source, size=None, loop=False):
    """BGR frames from a video file or a camera index (int or digit string).

    The source is opened now, so a bad one raises SourceError here rather than at the first
    frame. loop=True starts a video file again at its end (cameras never end).
    """
    capture = _open_capture(source)
    return _read_frames(capture, source, size, loop and not str(source).isdigit())


def _open_capture(source):
    target = int(source) if str(source).isdigit() else source
    capture = cv2.VideoCapture(target)
    if not capture.isOpened():
        capture.release()
        raise SourceError('{}: cannot open as a video or camera'.format(source))
    return capture


def _read_frames(capture, source, size, loop):
    try:
        while True:
            count = 0
            while True:
                ok, frame = capture.read()
                if not ok:
                    break
                count += 1
                yield _resized(frame, size)
            if not loop or count == 0:
                return
            # Re-opening is the one way to rewind that works with every OpenCV video backend.
            capture.release()
            capture = _open_capture(source)
    finally:
        capture.release()


def is_video(path):
    """Tell whether a source names a camera index or a video file (by suffix)."""
    return str(path).isdigit() or str(path).lower().endswith(VIDEO_SUFFIXES)


def _resized(bgr, size):
    if size is None:
        return bgr
    return cv2.resize(bgr, tuple(size), interpolation=cv2.INTER_AREA)
