# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""One frame's whole classification without ROS: convert -> infer -> post-process.

The node, the `classify` tool and the benchmarks all go through `Classifier`, so what a
board owner checks offline is exactly what the node runs.
"""

import dataclasses
import time

from resnet_x5_ros import colour_range, convert
from resnet_x5_ros.params import PARAMS_BY_NAME
from resnet_x5_ros.postprocess import probabilities, top_k


@dataclasses.dataclass(frozen=True)
class Settings:
    """What may change between two frames; replaced as a whole, never edited in place."""

    top_k: int = PARAMS_BY_NAME['top_k'].default
    score_threshold: float = PARAMS_BY_NAME['score_threshold'].default
    apply_softmax: bool = PARAMS_BY_NAME['apply_softmax'].default
    resize_mode: str = PARAMS_BY_NAME['resize_mode'].default
    camera_range: str = PARAMS_BY_NAME['camera_range'].default


@dataclasses.dataclass(frozen=True)
class Frame:
    """A camera frame as sensor_msgs carries it, without ROS types.

    For a raw Image: data, encoding, width, height, step. For a CompressedImage:
    data and format (in `encoding`) with compressed=True.
    """

    data: object
    encoding: str
    width: int = 0
    height: int = 0
    step: int = 0
    compressed: bool = False


def frame_from_image(msg):
    """Return the Frame of a sensor_msgs/Image (rclpy's, or any object with its fields)."""
    return Frame(msg.data, msg.encoding, msg.width, msg.height, msg.step)


def frame_from_compressed(msg):
    """Return the Frame of a sensor_msgs/CompressedImage (rclpy's or another's)."""
    return Frame(msg.data, msg.format, compressed=True)


@dataclasses.dataclass
class Result:
    """Top classes (index, score in [0, 1]) best first, and how long each stage took.

    infer_s is the model's runtime call; ipc_s what handing the frame to it and the scores
    back cost beyond that (a worker process; about 0 when the runtime is in this process).
    """

    top: list
    convert_s: float
    infer_s: float
    post_s: float
    ipc_s: float = 0.0


class Classifier:
    """Runs frames through conversion, a backend and post-processing.

    Thread-safe as long as the backend is: settings are an immutable snapshot.
    """

    def __init__(self, backend, labels, settings=None):
        if len(labels) != backend.num_classes:
            raise ValueError('the labels list has {} entries but the model has {} classes'
                             .format(len(labels), backend.num_classes))
        self.backend = backend
        self.labels = list(labels)
        self.settings = self.checked(settings or Settings())

    def checked(self, settings):
        """Return settings unchanged if valid for this model, else raise ValueError."""
        if not 1 <= settings.top_k <= self.backend.num_classes:
            raise ValueError('top_k must be in [1, {}] (the model has {} classes), got {}'
                             .format(self.backend.num_classes, self.backend.num_classes,
                                     settings.top_k))
        if not 0.0 <= settings.score_threshold <= 1.0:
            raise ValueError('score_threshold must be in [0, 1], got {}'.format(
                settings.score_threshold))
        if settings.resize_mode not in convert.RESIZE_MODES:
            raise ValueError('resize_mode must be one of {}, got {!r}'.format(
                ', '.join(convert.RESIZE_MODES), settings.resize_mode))
        self.camera_range(settings.camera_range)  # ValueError naming camera_range
        return settings

    def to_nv12(self, frame, resize_mode, camera_range=colour_range.AUTO):
        """Convert a Frame to the backend's NV12 input; raises convert.FrameError.

        camera_range: the range of camera NV12/YUYV/UYVY frames (colour_range: 'auto' takes
        them to be in the model's range).
        """
        size = {'out_width': self.backend.input_width,
                'out_height': self.backend.input_height,
                'resize_mode': resize_mode, 'nv12_range': self.backend.nv12_range}
        if frame.compressed:
            return convert.compressed_to_nv12(frame.data, frame.encoding, **size)
        return convert.to_nv12(frame.data, frame.encoding, frame.width, frame.height,
                               frame.step, camera_range=camera_range,
                               **size)

    def camera_range(self, setting):
        """Return the range camera YUV frames are in for a camera_range setting."""
        return colour_range.resolve(setting, self.backend.nv12_range, 'camera_range')

    def classify(self, frame, settings=None):
        """Classify one Frame; raises convert.FrameError or the backend's BackendError."""
        settings = settings or self.settings
        t0 = time.perf_counter()
        nv12 = self.to_nv12(frame, settings.resize_mode, settings.camera_range)
        t1 = time.perf_counter()
        raw, runtime_s = self.backend.infer_timed(nv12)
        t2 = time.perf_counter()
        top = top_k(probabilities(raw, settings.apply_softmax), settings.top_k,
                    settings.score_threshold)
        t3 = time.perf_counter()
        return Result(top=top, convert_s=t1 - t0, infer_s=runtime_s, post_s=t3 - t2,
                      ipc_s=max(0.0, t2 - t1 - runtime_s))

    def class_id(self, index, class_id_format):
        """Return the ObjectHypothesis.class_id text for a class index."""
        if class_id_format == 'name':
            return self.labels[index]
        return str(index)

    def hypotheses(self, top, class_id_format):
        """Return the (class_id, score) pairs of vision_msgs ObjectHypothesis for Result.top."""
        return [(self.class_id(i, class_id_format), float(s)) for i, s in top]
