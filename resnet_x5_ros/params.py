# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""The classifier node's ROS parameters: names, defaults, descriptions, ranges.

One table, so the node, config/*.yaml and the README cannot disagree about a parameter.
"""

import collections

from rcl_interfaces.msg import (FloatingPointRange, IntegerRange, ParameterDescriptor,
                                ParameterType)

from resnet_x5_ros.backends import BACKENDS, BPU_RUNTIMES
from resnet_x5_ros.backends import WORKER_TYPES
from resnet_x5_ros.convert import DEFAULT_RESIZE_MODE, NV12_RANGES, RESIZE_MODES
from resnet_x5_ros.pipeline import CAMERA_RANGES, CLASS_ID_FORMATS

QOS_RELIABILITIES = ('auto', 'reliable', 'best_effort')
NV12_RANGE_CHOICES = ('auto',) + NV12_RANGES
IO_METHODS = ('ros', 'shared_mem')

Param = collections.namedtuple('Param', 'name default description choices low high dynamic')

PARAMS = (
    Param('backend', 'auto',
          'Inference backend: auto (bpu when a BPU runtime imports and the model is a .bin, '
          'else cpu), bpu or cpu.', BACKENDS, None, None, False),
    Param('bpu_runtime', 'auto',
          'BPU runtime of the bpu backend: auto (pyeasy_dnn if it imports, else hbm_runtime), '
          'pyeasy_dnn or hbm_runtime.', BPU_RUNTIMES, None, None, False),
    Param('model_path', '',
          'Model file: a Horizon .bin for bpu, an .onnx (with its .json sidecar) for cpu. '
          'Empty: the backend default (the board ResNet18 / the dev EfficientNet-Lite0).',
          None, None, None, False),
    Param('labels_path', '',
          'Class names, one per line (line N = class N). Empty: the bundled ImageNet-1k list.',
          None, None, None, False),
    # Declared up to 65535 (vision_msgs numbers classes with a uint16); narrowed to the loaded
    # model's class count once it is loaded.
    Param('top_k', 5, 'How many classes each result holds at most (1..number of classes of '
          'the loaded model).', None, 1, 65535, True),
    Param('score_threshold', 0.0, 'Classes scoring below this (0..1) are left out.',
          None, 0.0, 1.0, True),
    Param('apply_softmax', True,
          'Apply softmax to the model output. Set false if the model already outputs '
          'probabilities (board_check tells).', None, None, None, False),
    Param('resize_mode', DEFAULT_RESIZE_MODE,
          'How a frame is fitted to the model input: stretch, letterbox (keep aspect, grey '
          'bars) or center_crop (keep aspect, crop the centre).', RESIZE_MODES, None, None,
          True),
    Param('camera_range', 'auto',
          'Colour range of camera nv12/yuyv/uyvy frames: auto (taken to be the range the '
          'model expects, passed through), full or video (remapped to the model range when '
          'it differs). Other encodings are not affected.', CAMERA_RANGES, None, None, True),
    Param('class_id_format', 'index',
          'ObjectHypothesis.class_id: index (the class number as text, names in label_info) '
          'or name (the label text).', CLASS_ID_FORMATS, None, None, True),
    Param('compressed', False,
          'Subscribe to <image>/compressed (sensor_msgs/CompressedImage, JPEG/PNG) instead '
          'of <image>.', None, None, None, False),
    Param('io_method', 'ros',
          'Camera input, as mipi_cam names it: ros (sensor_msgs/Image or CompressedImage on '
          '<image>) or shared_mem (hbm_img_msgs/HbmMsg1080P on hbmem_img, TROS).',
          IO_METHODS, None, None, False),
    Param('shared_mem_frame_id', 'default_cam',
          'io_method shared_mem: header.frame_id of the results (HbmMsg has none; '
          "default_cam is mipi_cam's default frame_id).", None, None, None, False),
    Param('qos_reliability', 'auto',
          'Subscription reliability: auto (match the publishers found on the topic), '
          'reliable or best_effort.', QOS_RELIABILITIES, None, None, False),
    Param('num_workers', 1, 'Inference threads (results are never published out of order).',
          None, 1, 16, False),
    Param('worker_type', 'thread',
          'Where inference runs: thread (in the node, cheapest) or process (one supervised '
          'child process per worker: a hung or crashed runtime call is killed and restarted '
          'while the node keeps publishing /diagnostics).',
          WORKER_TYPES, None, None, False),
    Param('inference_timeout', 0.0,
          'worker_type process: seconds a worker may hold a frame before it is killed and '
          'restarted; 0 = max(1 s, 10 x the median inference time).',
          None, 0.0, 3600.0, False),
    Param('nv12_range', 'auto',
          'NV12 colour range the model expects: auto (read from the .bin / the .onnx '
          'sidecar), full (BT.601 full range) or video (BT.601 video range).',
          NV12_RANGE_CHOICES, None, None, False),
    Param('num_threads', 0, 'CPU backend: ONNX Runtime intra-op threads (0 = all cores).',
          None, 0, 256, False),
    Param('perception_topic', '',
          'Also publish ai_msgs/PerceptionTargets on this topic for the TROS web display '
          '(websocket smart_topic). Empty: off. Needs ai_msgs (TogetheROS.Bot).',
          None, None, None, False),
    Param('diagnostics_period', 1.0, 'Seconds between /diagnostics messages.',
          None, 0.1, 60.0, False),
)

PARAMS_BY_NAME = {p.name: p for p in PARAMS}
# Parameters holding a topic name (checked by the node as rcl resolves it, when not empty)
# and a tf frame id (checked here).
TOPIC_PARAMS = ('perception_topic',)
FRAME_PARAMS = ('shared_mem_frame_id',)


def descriptor(param):
    """Build the ParameterDescriptor (description, range, read-only flag) of param."""
    text = param.description
    if param.choices:
        text += ' One of: {}.'.format(', '.join(param.choices))
    if not param.dynamic:
        text += ' Read at start-up only.'
    desc = ParameterDescriptor(description=text, read_only=not param.dynamic)
    if isinstance(param.default, bool):
        desc.type = ParameterType.PARAMETER_BOOL
    elif isinstance(param.default, int):
        desc.type = ParameterType.PARAMETER_INTEGER
        if param.low is not None:
            desc.integer_range = [IntegerRange(from_value=param.low, to_value=param.high,
                                               step=1)]
    elif isinstance(param.default, float):
        desc.type = ParameterType.PARAMETER_DOUBLE
        if param.low is not None:
            desc.floating_point_range = [FloatingPointRange(
                from_value=float(param.low), to_value=float(param.high), step=0.0)]
    else:
        desc.type = ParameterType.PARAMETER_STRING
    return desc


def check_choice(name, value):
    """Return None if value is allowed for parameter name, else the reason it is not."""
    param = PARAMS_BY_NAME[name]
    if param.choices and value not in param.choices:
        return 'parameter {!r} must be one of {}, got {!r}'.format(
            name, ', '.join(param.choices), value)
    if name in FRAME_PARAMS:
        reason = frame_id_problem(value)
        if reason:
            return 'parameter {!r} is not a valid frame id ({!r}): {}'.format(
                name, value, reason)
    return None


def frame_id_problem(frame_id):
    """Return why tf2 and its users would reject frame_id, or None if it is usable."""
    if not frame_id:
        return 'it is empty'
    if frame_id.startswith('/'):
        return "tf2 frame ids cannot start with a '/'"
    if any(c.isspace() or not c.isprintable() for c in frame_id):
        return 'it contains white space or control characters'
    return None
