# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Where the CPU backend's default model (efficientnet_lite0.onnx + .json) is looked for.

The model is made by `make model` in the source tree (models/); it is not in git. The places,
first match wins:

1. $RESNET_X5_MODEL_DIR, when set (and then only there: a CI cache, a test, a choice);
2. <share>/resnet_x5_ros/models/ of the installed package (ament index): `colcon build`
   installs models/*.onnx and *.json there when `make model` ran before the build (the dev
   environment links the checkout's models/ there: `make setup`);
3. the user's data folder, $XDG_DATA_HOME/resnet_x5_ros/ (default ~/.local/share/...):
   `make model-user` copies the model there, for installs built before the model existed.
"""

import os

from resnet_x5_ros.backends.base import ModelError
from resnet_x5_ros.share_dir import indexed_share_directory, PACKAGE

DEFAULT_CPU_MODEL_NAME = 'efficientnet_lite0.onnx'
MODEL_DIR_ENV = 'RESNET_X5_MODEL_DIR'
MAKE_MODEL_HINT = ('create it with `make model` in the resnet_x5_ros source tree (then '
                   '`colcon build` again, or `make model-user`), or set model_path to an '
                   '.onnx with its .json sidecar')


def user_models_dir():
    """Return the user's data folder for the model: $XDG_DATA_HOME/resnet_x5_ros (XDG default)."""
    base = os.environ.get('XDG_DATA_HOME') or os.path.join(os.path.expanduser('~'),
                                                           '.local', 'share')
    return os.path.join(base, PACKAGE)


def cpu_model_dirs():
    """Return the folders searched for the default CPU model, in order (see module docstring)."""
    override = os.environ.get(MODEL_DIR_ENV)
    if override:
        return [override]
    share = indexed_share_directory()
    dirs = [os.path.join(share, 'models')] if share else []
    return dirs + [user_models_dir()]


def default_cpu_model():
    """Path of the default CPU model: the first place holding it, else the first place looked.

    The path is returned whether or not the file exists (tools and tests name it);
    find_default_cpu_model() is the loading side that fails with where it looked.
    """
    dirs = cpu_model_dirs()
    for folder in dirs:
        path = os.path.join(folder, DEFAULT_CPU_MODEL_NAME)
        if os.path.isfile(path):
            return path
    return os.path.join(dirs[0], DEFAULT_CPU_MODEL_NAME)


def find_default_cpu_model():
    """Return the default CPU model's path, or raise ModelError saying where it looked."""
    path = default_cpu_model()
    if os.path.isfile(path):
        return path
    raise ModelError('default CPU model {} not found (looked in {}); {}'.format(
        DEFAULT_CPU_MODEL_NAME, ', '.join(cpu_model_dirs()), MAKE_MODEL_HINT))
