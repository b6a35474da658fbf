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


def indexed_share_directory():
    """Return share/resnet_x5_ros of the prefix the ament index names, or None if none does."""
    try:
        from ament_index_python.packages import get_package_prefix, PackageNotFoundError
    except ImportError:  # ROS-free use (e.g. the board-compat venv): no ament index
        return None
    try:
        # The prefix, not get_package_share_directory(): that one warns when share/ is absent.
        return os.path.join(get_package_prefix(PACKAGE), 'share', PACKAGE)
    except (PackageNotFoundError, LookupError, OSError, ValueError):
        # OSError: AMENT_PREFIX_PATH is not set (nothing sourced).
        return None


def share_directory():
    """Return the package's share directory (whether or not it exists)."""
    return indexed_share_directory() or os.path.join(sys.prefix, 'share', PACKAGE)


def share_path(*parts):
    """Return the path of an installed file, e.g. of config/classifier_cpu.yaml."""
    return os.path.join(share_directory(), *parts)
