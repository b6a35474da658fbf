# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""The Fast DDS profiles shipped in config/ and the environment that selects one.

    dds_environment('board') -> {'FASTRTPS_DEFAULT_PROFILES_FILE': '<share>/config/...xml',
                                 'RMW_FASTRTPS_USE_QOS_FROM_XML': '0'}
    dds_environment('none')  -> {}  (the process keeps whatever its environment says)

Fast DDS reads ONE profiles file, named by FASTRTPS_DEFAULT_PROFILES_FILE, when a participant
is created. Our files hold transports only; RMW_FASTRTPS_USE_QOS_FROM_XML=0 makes rmw_fastrtps
apply its own writer/reader settings as usual even when a TROS launch (hobot_shm) set it to 1
for the other processes. Used by launch/classify.launch.py and `bench node`; no launch imports.
"""

import os

from resnet_x5_ros.share_dir import share_path

PROFILES_ENV = 'FASTRTPS_DEFAULT_PROFILES_FILE'
QOS_FROM_XML_ENV = 'RMW_FASTRTPS_USE_QOS_FROM_XML'
# Profile name -> file in config/. 'none' sets nothing.
PROFILE_FILES = {
    'board': 'fastdds_board.xml',  # shared memory + UDPv4 on every interface
    'dev': 'fastdds_dev.xml',      # shared memory + UDPv4 on 127.0.0.1 only
}
PROFILE_NAMES = ('none',) + tuple(PROFILE_FILES)


class DdsProfileError(ValueError):
    """An unknown profile name; str() is one line."""


def profile_path(name):
    """Return the installed path of profile `name` ('board' or 'dev')."""
    if name not in PROFILE_FILES:
        raise DdsProfileError('dds_profile must be one of {}, got {!r}'.format(
            ', '.join(PROFILE_NAMES), name))
    return share_path('config', PROFILE_FILES[name])


def dds_environment(name):
    """Return the environment variables that select profile `name` ({} for 'none')."""
    name = (name or 'none').strip()
    if name == 'none':
        return {}
    path = profile_path(name)
    if not os.path.isfile(path):
        raise DdsProfileError('dds_profile {}: {} does not exist'.format(name, path))
    return {PROFILES_ENV: path, QOS_FROM_XML_ENV: '0'}
