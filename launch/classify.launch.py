# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Start the classifier node: ros2 launch resnet_x5_ros classify.launch.py [arg:=value ...].

Arguments (`--show-args` describes them): params_file (YAML, default config/classifier.yaml),
image_topic (remaps the node's `image`, default /image_raw as published by the TROS MIPI
camera), namespace, log_level, dds_profile (none, board or dev: the Fast DDS transports of
config/fastdds_<profile>.xml for the node process only) and the parameter overrides of
resnet_x5_ros.launch_args (backend, model_path, labels_path, top_k, compressed, io_method,
perception_topic): an empty override keeps the YAML's value; enclave (with keystore) runs the
node under SROS2 (docs/security.md).
"""

import os

from ament_index_python.packages import get_package_share_directory
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, OpaqueFunction
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node

from resnet_x5_ros.dds_profile import dds_environment, PROFILE_NAMES
from resnet_x5_ros.launch_args import (description, node_arguments, node_parameters, OVERRIDES,
                                       security_settings)


def _classifier_node(context):
    # Only non-empty overrides go to the node, so they are evaluated at launch time.
    values = {o.name: LaunchConfiguration(o.name).perform(context) for o in OVERRIDES}
    parameters = node_parameters(LaunchConfiguration('params_file').perform(context), values)
    # additional_env: for this process only, on top of the launch's environment (a TROS
    # launch including hobot_shm keeps its own profile for its other nodes).
    env = dds_environment(LaunchConfiguration('dds_profile').perform(context))
    security_args, security_env = security_settings(
        LaunchConfiguration('enclave').perform(context),
        LaunchConfiguration('keystore').perform(context))
    env.update(security_env)
    return [Node(
        package='resnet_x5_ros',
        executable='classifier_node',
        name='classifier',
        namespace=LaunchConfiguration('namespace'),
        parameters=parameters,
        remappings=[('image', LaunchConfiguration('image_topic'))],
        arguments=['--ros-args', '--log-level', LaunchConfiguration('log_level')] +
        security_args,
        output='screen',
        emulate_tty=True,
        additional_env=env or None,
    )]


def generate_launch_description():
    default_params = os.path.join(get_package_share_directory('resnet_x5_ros'), 'config',
                                  'classifier.yaml')
    arguments = [DeclareLaunchArgument(name, default_value=default, description=text)
                 for name, default, text in node_arguments(default_params)]
    arguments += [
        DeclareLaunchArgument('namespace', default_value='',
                              description='namespace for the node and its topics'),
        DeclareLaunchArgument('dds_profile', default_value='none', choices=list(PROFILE_NAMES),
                              description='Fast DDS transports for the node: {} (board: '
                              'shared memory + UDPv4; dev: shared memory + UDPv4 on '
                              '127.0.0.1 only; none: the environment decides)'.format(
                                  ', '.join(PROFILE_NAMES))),
    ]
    arguments += [DeclareLaunchArgument(p.name, default_value='', description=description(p))
                  for p in OVERRIDES]
    return LaunchDescription(arguments + [OpaqueFunction(function=_classifier_node)])
