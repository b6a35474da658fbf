# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""The classifier node's parameters: the one table every other place is made from. No ROS.

Each Param holds a parameter's name, default, description, allowed values or range, and
whether it changes at run time. From this table come: the node's declarations (node.py
builds the ParameterDescriptors), classify.launch.py's parameter arguments (Param.launch,
through launch_args.py), the tools' model and post-processing options (Param.tool: the same
names, through tools/common.py), config/classifier.yaml (board_yaml()) and the README's
parameter table (markdown_table()). Tests compare the YAML files, the README and the tools
with it.
"""

import collections
import textwrap

from resnet_x5_ros import colour_range
from resnet_x5_ros.backends import BACKENDS, BPU_RUNTIMES, WORKER_TYPES
from resnet_x5_ros.convert import DEFAULT_RESIZE_MODE, RESIZE_MODES

QOS_RELIABILITIES = ('auto', 'reliable', 'best_effort')
IO_METHODS = ('ros', 'shared_mem')
CLASS_ID_FORMATS = ('index', 'name')

# tool: None (the node's only), 'model' or 'post': the tools' option group it belongs to.
# launch: also an argument of classify.launch.py (empty keeps the params file's value).
Param = collections.namedtuple(
    'Param', 'name default description choices low high dynamic tool launch')

PARAMS = (
    Param('backend', 'auto',
          'Inference backend: auto (bpu when a BPU runtime imports and the model is a .bin, '
          'else cpu), bpu or cpu.', BACKENDS, None, None, False, 'model', True),
    Param('bpu_runtime', 'auto',
          'BPU runtime of the bpu backend: auto (pyeasy_dnn if it imports, else hbm_runtime), '
          'pyeasy_dnn or hbm_runtime.', BPU_RUNTIMES, None, None, False, 'model', False),
    Param('model_path', '',
          'Model file: a Horizon .bin for bpu, an .onnx (with its .json sidecar) for cpu. '
          'Empty: the backend default: bpu /opt/hobot/model/x5/basic/resnet18_224x224_nv12.bin '
          '(preinstalled on the RDK X5), cpu efficientnet_lite0.onnx (made by make model).',
          None, None, None, False, 'model', True),
    Param('labels_path', '',
          'Class names, one per line (line N = class N). Empty: the bundled ImageNet-1k list.',
          None, None, None, False, 'model', True),
    # Declared up to 65535 (vision_msgs numbers classes with a uint16); narrowed to the loaded
    # model's class count once it is loaded.
    Param('top_k', 5, 'How many classes each result holds at most (1..number of classes of '
          'the loaded model).', None, 1, 65535, True, 'post', True),
    Param('score_threshold', 0.0, 'Classes scoring below this (0..1) are left out.',
          None, 0.0, 1.0, True, 'post', False),
    Param('apply_softmax', True,
          'Apply softmax to the model output. Set false if the model already outputs '
          'probabilities (board_check tells).', None, None, None, False, 'post', False),
    Param('resize_mode', DEFAULT_RESIZE_MODE,
          'How a frame is fitted to the model input: stretch, letterbox (keep aspect, grey '
          'bars) or center_crop (keep aspect, crop the centre).', RESIZE_MODES, None, None,
          True, 'post', False),
    Param('camera_range', colour_range.AUTO,
          'Colour range of camera nv12/yuyv/uyvy frames: auto (taken to be the range the '
          'model expects, passed through), full or video (remapped to the model range when '
          'it differs). Other encodings are not affected.', colour_range.SETTINGS, None, None,
          True, 'post', False),
    Param('class_id_format', 'index',
          'ObjectHypothesis.class_id: index (the class number as text, names in label_info) '
          'or name (the label text).', CLASS_ID_FORMATS, None, None, True, 'post', False),
    Param('compressed', False,
          'Subscribe to <image>/compressed (sensor_msgs/CompressedImage, JPEG/PNG) instead '
          'of <image>.', None, None, None, False, None, True),
    Param('io_method', 'ros',
          'Camera input, as mipi_cam names it: ros (sensor_msgs/Image or CompressedImage on '
          '<image>) or shared_mem (hbm_img_msgs/HbmMsg1080P on hbmem_img; needs '
          'TogetheROS.Bot).', IO_METHODS, None, None, False, None, True),
    Param('shared_mem_frame_id', 'default_cam',
          'io_method shared_mem: header.frame_id of the results (HbmMsg has none; '
          "default_cam is mipi_cam's default frame_id).", None, None, None, False, None,
          False),
    Param('qos_reliability', 'auto',
          'Subscription reliability: auto (match the publishers found on the topic), '
          'reliable or best_effort.', QOS_RELIABILITIES, None, None, False, None, False),
    Param('num_workers', 1, 'Inference threads (results are never published out of order).',
          None, 1, 16, False, None, False),
    Param('worker_type', 'thread',
          'Where inference runs: thread (in the node, cheapest) or process (one supervised '
          'child process per worker: a hung or crashed runtime call is killed and restarted '
          'while the node keeps publishing /diagnostics).',
          WORKER_TYPES, None, None, False, None, False),
    Param('inference_timeout', 0.0,
          'worker_type process: seconds a worker may hold a frame before it is killed and '
          'restarted; 0 = max(1 s, 10 x the median inference time).',
          None, 0.0, 3600.0, False, None, False),
    Param('nv12_range', colour_range.AUTO,
          'NV12 colour range the model expects: auto (read from the .bin / the .onnx '
          'sidecar), full (BT.601 full range) or video (BT.601 video range).',
          colour_range.SETTINGS, None, None, False, 'model', False),
    Param('num_threads', 0, 'CPU backend: ONNX Runtime intra-op threads (0 = all cores).',
          None, 0, 256, False, 'model', False),
    Param('perception_topic', '',
          'Also publish ai_msgs/PerceptionTargets on this topic for the TROS web display '
          '(websocket smart_topic). Empty: off. Needs ai_msgs (TogetheROS.Bot); '
          'classify_web.launch.py sets it.', None, None, None, False, None, True),
    Param('diagnostics_period', 1.0, 'Seconds between /diagnostics messages.',
          None, 0.1, 60.0, False, None, False),
)

PARAMS_BY_NAME = {p.name: p for p in PARAMS}
# Parameters holding a topic name (checked by the node as rcl resolves it, when not empty)
# and a tf frame id (checked here).
TOPIC_PARAMS = ('perception_topic',)
FRAME_PARAMS = ('shared_mem_frame_id',)
# What YAML, launch and `ros2 param set` take as a bool.
_BOOLS = {'true': True, 'false': False}


def full_description(param):
    """Return the description with its allowed values and whether it changes at run time."""
    text = param.description
    if param.choices:
        text += ' One of: {}.'.format(', '.join(param.choices))
    if not param.dynamic:
        text += ' Read at start-up only.'
    return text


def check_value(name, value):
    """Return None if value is allowed for parameter name, else the reason it is not.

    Checks what a declared type and range cannot: the allowed choices and frame ids.
    """
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


def parse_text(param, text):
    """Return text (a launch argument, a command-line option) as param's type.

    Raises ValueError saying what the type is; the range and choices are checked later, where
    the value is used.
    """
    kind = type(param.default)
    if kind is bool:
        value = _BOOLS.get(text.strip().lower())
        if value is None:
            raise ValueError('must be true or false, got {!r}'.format(text))
        return value
    if kind in (int, float):
        try:
            return kind(text.strip())
        except ValueError:
            raise ValueError('must be {}, got {!r}'.format(
                'an integer' if kind is int else 'a number', text)) from None
    return text


def yaml_text(value):
    """Return a parameter value as it is written in a params file or after -p NAME:=."""
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if value == '':
        return '""'
    return str(value)


BOARD_YAML_HEADER = """\
# resnet_x5_ros classifier parameters: board defaults (RDK X5, BPU, preinstalled ResNet18).
# Every parameter at its default, described as resnet_x5_ros/params.py describes it: this
# file is params.board_yaml(), and the repository's tests keep it so.
# Use with: ros2 launch resnet_x5_ros classify.launch.py params_file:=/path/to/this.yaml
# (runtime): can also be changed while running: ros2 param set /classifier NAME VALUE
/**:
  ros__parameters:
"""


def board_yaml():
    """Return the text of config/classifier.yaml: every parameter, its default, described."""
    lines = [BOARD_YAML_HEADER.rstrip('\n')]
    for param in PARAMS:
        text = ('(runtime) ' if param.dynamic else '') + param.description
        lines += textwrap.wrap(text, 95, initial_indent='    # ', subsequent_indent='    # ')
        lines.append('    {}: {}'.format(param.name, yaml_text(param.default)))
    return '\n'.join(lines) + '\n'


def markdown_table():
    """Return the README's parameter table (Markdown), one row per parameter."""
    rows = ['| parameter | default | meaning |', '|---|---|---|']
    for param in PARAMS:
        meaning = param.description.replace('|', '\\|')
        if param.dynamic:
            meaning += ' (runtime)'
        rows.append('| `{}` | `{}` | {} |'.format(param.name, yaml_text(param.default), meaning))
    return '\n'.join(rows) + '\n'
