# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Keep a run's DDS traffic on this machine, in a ROS_DOMAIN_ID no other run here is using.

Each caller holds a lock file for as long as it lives, so concurrent runs never share a
domain. Domain 0 (everyone's default) and an explicitly avoided domain are never handed out.
Discovery stays on loopback through the variable the installed distribution reads: Humble
only knows ROS_LOCALHOST_ONLY, and Iron and later print a deprecation warning at every node
start when it is set, so they get ROS_AUTOMATIC_DISCOVERY_RANGE alone.
"""

import fcntl
import os
import re
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


RANGE_VARIABLE = 'ROS_AUTOMATIC_DISCOVERY_RANGE'
LOCALHOST_ONLY_VARIABLE = 'ROS_LOCALHOST_ONLY'
# Distributions older than Iron (rclpy 4): they read only ROS_LOCALHOST_ONLY.
_LOCALHOST_ONLY_DISTROS = ('foxy', 'galactic', 'humble')


def rclpy_version(env=None):
    """Return rclpy's (major, minor) from its package.xml in the ament prefixes, or None."""
    env = os.environ if env is None else env
    for prefix in env.get('AMENT_PREFIX_PATH', '').split(os.pathsep):
        try:
            with open(os.path.join(prefix, 'share', 'rclpy', 'package.xml'),
                      encoding='utf-8') as f:
                match = re.search(r'<version>\s*(\d+)\.(\d+)', f.read())
        except OSError:
            continue
        if match:
            return int(match.group(1)), int(match.group(2))
    return None


def loopback_variables(env=None):
    """Return the discovery variables that keep DDS on loopback for the ROS 2 found in env.

    ROS_DISTRO decides when set, else rclpy's version; when neither tells (no ROS sourced),
    both are set: traffic leaving the machine would be worse than the warning.
    """
    env = os.environ if env is None else env
    distro = env.get('ROS_DISTRO', '').strip().lower()
    if distro:
        humble_or_older = distro in _LOCALHOST_ONLY_DISTROS
    else:
        version = rclpy_version(env)
        if version is None:
            return {RANGE_VARIABLE: 'LOCALHOST', LOCALHOST_ONLY_VARIABLE: '1'}
        humble_or_older = version[0] < 4
    if humble_or_older:
        return {LOCALHOST_ONLY_VARIABLE: '1'}
    return {RANGE_VARIABLE: 'LOCALHOST'}


def isolate_ros_environment(env=None):
    """Set loopback-only DDS and an own domain in env (default os.environ); returns the id."""
    env = os.environ if env is None else env
    domain = claim_domain_id(avoid=env.get('ROS_DOMAIN_ID'))
    env['ROS_DOMAIN_ID'] = str(domain)
    variables = loopback_variables(env)
    for name in (RANGE_VARIABLE, LOCALHOST_ONLY_VARIABLE):
        if name in variables:
            env[name] = variables[name]
        else:
            env.pop(name, None)
    return domain
