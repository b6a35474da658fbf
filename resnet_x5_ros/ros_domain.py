# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Pick a ROS_DOMAIN_ID that no other run of our tests or demo on this machine is using.

Each caller holds a lock file for as long as it lives, so concurrent runs never share a
domain. Domain 0 (everyone's default) and an explicitly avoided domain are never handed out.
"""

import fcntl
import os
import tempfile

LOCK_DIR = os.path.join(tempfile.gettempdir(), 'resnet_x5_ros-domain-locks')
_held = []


def claim_domain_id(avoid=None, low=1, high=100):
    """Lock and return a free domain id in [low, high]; the lock lasts until process exit."""
    os.makedirs(LOCK_DIR, exist_ok=True)
    span = high - low + 1
    first = os.getpid() % span
    for offset in range(span):
        domain = low + (first + offset) % span
        if avoid is not None and str(domain) == str(avoid):
            continue
        handle = open(os.path.join(LOCK_DIR, '{}.lock'.format(domain)), 'w')
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            continue
        _held.append(handle)
        return domain
    raise RuntimeError('no free ROS_DOMAIN_ID in {}..{}'.format(low, high))


def isolate_ros_environment(env=None):
    """Set loopback-only DDS and an own domain in env (default os.environ); returns the id."""
    env = os.environ if env is None else env
    domain = claim_domain_id(avoid=env.get('ROS_DOMAIN_ID'))
    env['ROS_DOMAIN_ID'] = str(domain)
    env['ROS_AUTOMATIC_DISCOVERY_RANGE'] = 'LOCALHOST'
    env['ROS_LOCALHOST_ONLY'] = '1'
    return domain
