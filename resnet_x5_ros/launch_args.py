# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""The launch arguments that override node parameters, and the parameter list they make.

launch/classify.launch.py declares one argument per OVERRIDES entry (empty by default) and
hands the node node_parameters(params_file, values): the YAML first, then a dict holding only
the arguments given a non-empty value, so an empty argument keeps the YAML's value. Kept free
of launch imports so it is tested on machines without launch_ros.
"""

import collections

Override = collections.namedtuple('Override', 'name type description')

OVERRIDES = (
    Override('backend', str, 'auto, bpu or cpu; empty keeps the YAML value'),
    Override('model_path', str,
             'model file: a .bin for bpu, an .onnx (with its .json sidecar) for cpu; empty '
             "keeps the YAML value (the default YAML's empty model_path means the backend's "
             'default model)'),
    Override('labels_path', str,
             'class names, one per line; empty keeps the YAML value (default YAML: the '
             'bundled ImageNet-1k list)'),
    Override('top_k', int, 'classes per result, 1..number of classes; empty keeps the YAML '
             'value'),
    Override('compressed', bool, 'true: subscribe to <image_topic>/compressed '
             '(sensor_msgs/CompressedImage) instead of <image_topic>; empty keeps the YAML '
             'value'),
    Override('io_method', str, 'ros (Image or CompressedImage on image_topic) or shared_mem '
             '(TROS hbm_img_msgs on hbmem_img; needs TogetheROS.Bot); empty keeps the YAML '
             'value'),
    Override('perception_topic', str,
             'also publish ai_msgs/PerceptionTargets for the TROS web display on this topic '
             '(needs TogetheROS.Bot); empty keeps the YAML value (default YAML: off)'),
)
# What launch (and ros2 param) accept as a bool, as YAML reads it.
_BOOLS = {'true': True, 'false': False}


class LaunchArgumentError(ValueError):
    """A launch argument value the node parameter cannot take; str() is one line."""


def _typed(override, text):
    if override.type is bool:
        value = _BOOLS.get(text.strip().lower())
        if value is None:
            raise LaunchArgumentError('launch argument {} must be true or false, got {!r}'
                                      .format(override.name, text))
        return value
    if override.type is int:
        try:
            return int(text.strip())
        except ValueError:
            raise LaunchArgumentError('launch argument {} must be an integer, got {!r}'.format(
                override.name, text)) from None
    return text


def node_parameters(params_file, values):
    """Return the node's `parameters` list: params_file, then the non-empty overrides.

    values maps override names to the launch arguments' text; a missing or empty value
    leaves the parameter to the YAML. Typed values are converted (launch_ros would pass a
    str through as a string parameter).
    """
    overrides = {}
    for override in OVERRIDES:
        text = values.get(override.name, '')
        if text:
            overrides[override.name] = _typed(override, text)
    return [params_file, overrides] if overrides else [params_file]
