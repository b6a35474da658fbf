# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""The sample photos installed with the package and the classes they show. No ROS.

The tools that read pictures take `samples` for this folder and `samples/coffee.png` for one of
its photos, wherever they run (a colcon install puts the folder deep in site-packages), as long
as no file or folder of that name exists where they run. Sources and licences:
resnet_x5_ros/data/SOURCES.md.
"""

import os

SAMPLES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'data',
                           'samples')
# The short name the tools accept for SAMPLES_DIR.
SAMPLES_NAME = 'samples'
# ImageNet class names a good classifier puts in its top-5 for each photo (at least one).
EXPECTED_CLASSES = {
    'coffee.png': ('espresso',),
    'chelsea.png': ('tabby', 'tiger cat', 'Egyptian cat'),
    'rocket.jpg': ('missile', 'projectile', 'space shuttle'),
    'grace_hopper.jpg': ('military uniform', 'academic gown'),
    'camera.png': ('tripod',),
}


def sample_path(name):
    """Path of the bundled sample photo called name (e.g. 'coffee.png')."""
    return os.path.join(SAMPLES_DIR, name)


def photo_path(photo):
    """Return photo if it is a file (or a path), else the bundled sample photo of that name."""
    return photo if os.path.sep in photo or os.path.isfile(photo) else sample_path(photo)


def resolve_sample_name(path):
    """Return path, or where the bundled photos are when path is `samples[/<photo>]`.

    A file or folder that exists under that name wins: the short name only applies when
    nothing is there.
    """
    if os.path.exists(path):
        return path
    parts = os.path.normpath(path).split(os.sep)
    if parts[0] != SAMPLES_NAME or len(parts) > 2:
        return path
    return os.path.join(SAMPLES_DIR, *parts[1:])


def samples_help():
    """One sentence for a tool's --help: the short name and where the photos are."""
    return ('`{0}` names the sample photos installed with the package ({1}), `{0}/coffee.png` '
            'one of them: {2}.'.format(SAMPLES_NAME, SAMPLES_DIR, ', '.join(
                sorted(EXPECTED_CLASSES))))
