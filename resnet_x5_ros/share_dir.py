# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Where the package's installed files live: share/resnet_x5_ros (config, launch, models).

colcon installs config/ and launch/ there; `make setup` links them (and the dev model folder
models/) into the dev venv's share/resnet_x5_ros. Found through the ament index when
ament_index_python imports, else under this Python's prefix. Imports no rclpy.
"""

import os
import sys

PACKAGE = 'resnet_x5_ros'


def share_directory():
    """Return the package's share directory (whether or not it exists)."""
    try:
        from ament_index_python.packages import (get_package_share_directory,
                                                 PackageNotFoundError)
    except ImportError:
        return os.path.join(sys.prefix, 'share', PACKAGE)
    try:
        return get_package_share_directory(PACKAGE)
    except (PackageNotFoundError, ValueError):
        return os.path.join(sys.prefix, 'share', PACKAGE)


def share_path(*parts):
    """Return the path of an installed file, e.g. of config/classifier_cpu.yaml."""
    return os.path.join(share_directory(), *parts)
