# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""The sample photos installed with the package and the classes they show. No ROS.

Sources and licences: resnet_x5_ros/data/SOURCES.md.
"""

import os

SAMPLES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'data',
                           'samples')
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
