# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Start the classifier node: ros2 launch resnet_x5_ros classify.launch.py [arg:=value ...].

Arguments: params_file (YAML, default config/classifier.yaml), image_topic (remaps the node's
`image`, default /image_raw as published by the TROS MIPI camera), namespace, backend
(overrides the YAML when not empty), log_level.
"""

import os

from ament_index_python.packages import get_package_share_directory
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, OpaqueFunction
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node


def _classifier_node(context):
    # Only a non-empty backend argument overrides the YAML, so evaluate it at launch time.
    parameters = [LaunchConfiguration('params_file')]
    backend = LaunchConfiguration('backend').perform(context)
    if backend:
        parameters.append({'backend': backend})
    return [Node(
        package='resnet_x5_ros',
        executable='classifier_node',
        name='classifier',
        namespace=LaunchConfiguration('namespace'),
        parameters=parameters,
        remappings=[('image', LaunchConfiguration('image_topic'))],
        arguments=['--ros-args', '--log-level', LaunchConfiguration('log_level')],
        output='screen',
        emulate_tty=True,
    )]


def generate_launch_description():
    default_params = os.path.join(get_package_share_directory('resnet_x5_ros'), 'config',
                                  'classifier.yaml')
    return LaunchDescription([
        DeclareLaunchArgument('params_file', default_value=default_params,
                              description='YAML file with the classifier parameters'),
        DeclareLaunchArgument('image_topic', default_value='/image_raw',
                              description='camera topic the node subscribes to'),
        DeclareLaunchArgument('namespace', default_value='',
                              description='namespace for the node and its topics'),
        DeclareLaunchArgument('backend', default_value='',
                              description='auto, bpu or cpu; empty keeps the YAML value'),
        DeclareLaunchArgument('log_level', default_value='info',
                              description='debug, info, warn, error or fatal'),
        OpaqueFunction(function=_classifier_node),
    ])
