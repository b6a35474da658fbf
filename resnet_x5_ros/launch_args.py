# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""classify.launch.py's parameter arguments, and the parameter list they give the node.

The launch file declares one argument per OVERRIDES entry (the parameters marked launch in
params.PARAMS, described from the same table, empty by default) and hands the node
node_parameters(params_file, values): the YAML first, then a dict holding only the arguments
given a non-empty value, so an empty argument keeps the YAML's value. Kept free of launch
imports so it is tested on machines without launch_ros.
"""

from resnet_x5_ros.params import full_description, PARAMS, parse_text

OVERRIDES = tuple(p for p in PARAMS if p.launch)


class LaunchArgumentError(ValueError):
    """A launch argument value the node parameter cannot take; str() is one line."""


def description(param):
    """Return what `ros2 launch ... --show-args` says of param's launch argument."""
    return full_description(param) + " Empty keeps the params file's value."


def node_parameters(params_file, values):
    """Return the node's `parameters` list: params_file, then the non-empty overrides.

    values maps override names to the launch arguments' text; a missing or empty value
    leaves the parameter to the YAML. Typed values are converted (launch_ros would pass a
    str through as a string parameter).
    """
    overrides = {}
    for param in OVERRIDES:
        text = values.get(param.name, '')
        if text:
            try:
                overrides[param.name] = parse_text(param, text)
            except ValueError as exc:
                raise LaunchArgumentError('launch argument {} {}'.format(
                    param.name, exc)) from None
    return [params_file, overrides] if overrides else [params_file]


# The launch files' security arguments (docs/security.md).
ENCLAVE_DESCRIPTION = ('SROS2 enclave of the node, e.g. /resnet_x5_ros/classifier: the node '
                       'runs secured (ROS_SECURITY_ENABLE=true, ROS_SECURITY_STRATEGY=Enforce) '
                       'with that enclave of the keystore; empty: the launch turns no '
                       'security on')
KEYSTORE_DESCRIPTION = ('SROS2 keystore holding the enclave (with enclave only); empty: '
                        '$ROS_SECURITY_KEYSTORE')


def node_arguments(params_file):
    """Return (name, default, description) of the launch arguments both launch files take."""
    return [('params_file', params_file, 'YAML file with the classifier parameters'),
            ('image_topic', '/image_raw', 'camera topic the node subscribes to (remaps its '
             'relative topic image)'),
            ('log_level', 'info', 'debug, info, warn, error or fatal'),
            ('enclave', '', ENCLAVE_DESCRIPTION),
            ('keystore', '', KEYSTORE_DESCRIPTION)]


def security_settings(enclave, keystore=''):
    """Return (node arguments, environment) that run the node secured in enclave.

    An empty enclave returns nothing to add: the environment decides, as for any node.
    """
    if not enclave:
        return [], {}
    env = {'ROS_SECURITY_ENABLE': 'true', 'ROS_SECURITY_STRATEGY': 'Enforce'}
    if keystore:
        env['ROS_SECURITY_KEYSTORE'] = keystore
    return ['--enclave', enclave], env
