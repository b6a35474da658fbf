# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Web demo on an RDK X5 with TogetheROS.Bot: camera -> classifier -> http://<board>:8000.

    ros2 launch resnet_x5_ros classify_web.launch.py [arg:=value ...]

Starts, through the launch files of D-Robotics' own packages (they must be installed: TROS
mipi_cam, hobot_codec, websocket, hobot_shm), the MIPI camera (NV12), hobot_codec (NV12 ->
JPEG for the page), websocket (pairs each JPEG with our ai_msgs/PerceptionTargets by stamp)
and the classifier node with perception output on.

Arguments: camera_width / camera_height (960 / 544), camera_device (mipi_cam's
video_device, default: detect), io_method (ros: sensor_msgs/Image on image_topic;
shared_mem: hbm_img_msgs on /hbmem_img), image_topic (/image_raw), jpeg_topic
(/image_jpeg), perception_topic (/hobot_dnn_detection), params_file (config/classifier.yaml),
backend (empty keeps the YAML value), log_level (of the classifier), enclave and keystore
(the classifier under SROS2, docs/security.md).
"""

import os

from ament_index_python.packages import get_package_share_directory, PackageNotFoundError
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, IncludeLaunchDescription, OpaqueFunction
from launch.launch_description_sources import PythonLaunchDescriptionSource
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node

from resnet_x5_ros.launch_args import description, node_arguments, security_settings
from resnet_x5_ros.params import PARAMS_BY_NAME

SHARED_MEM_TOPIC = '/hbmem_img'
# D-Robotics' packages whose launch files this one includes (all in TogetheROS.Bot).
TROS_PACKAGES = ('hobot_shm', 'mipi_cam', 'hobot_codec', 'websocket')


def _check_tros_packages():
    missing = []
    for package in TROS_PACKAGES:
        try:
            get_package_share_directory(package)
        except PackageNotFoundError:
            missing.append(package)
    if missing:
        # launch prints this as its one error line.
        raise RuntimeError(
            'classify_web.launch.py needs the TogetheROS.Bot packages {} (not found: {}); '
            'source /opt/tros/humble/setup.bash on the RDK X5, or use classify.launch.py '
            'without the web display'.format(', '.join(TROS_PACKAGES), ', '.join(missing)))


def _include(package, launch_file, arguments=None):
    source = PythonLaunchDescriptionSource(
        os.path.join(get_package_share_directory(package), 'launch', launch_file))
    return IncludeLaunchDescription(source, launch_arguments=(arguments or {}).items())


def _demo(context):
    io_method = LaunchConfiguration('io_method').perform(context)
    if io_method not in ('ros', 'shared_mem'):
        raise RuntimeError('io_method must be ros or shared_mem, got {!r}'.format(io_method))
    _check_tros_packages()
    shared_mem = io_method == 'shared_mem'
    camera_topic = SHARED_MEM_TOPIC if shared_mem else LaunchConfiguration('image_topic')
    parameters = [LaunchConfiguration('params_file'),
                  {'io_method': io_method,
                   'perception_topic': LaunchConfiguration('perception_topic')}]
    security_args, security_env = security_settings(
        LaunchConfiguration('enclave').perform(context),
        LaunchConfiguration('keystore').perform(context))
    backend = LaunchConfiguration('backend').perform(context)
    if backend:
        parameters.append({'backend': backend})
    return [
        # Zero-copy environment (Fast DDS data sharing) for the shared-memory transport.
        _include('hobot_shm', 'hobot_shm.launch.py'),
        _include('mipi_cam', 'mipi_cam.launch.py', {
            'mipi_image_width': LaunchConfiguration('camera_width'),
            'mipi_image_height': LaunchConfiguration('camera_height'),
            'mipi_out_format': 'nv12',
            'mipi_io_method': io_method,
            'mipi_video_device': LaunchConfiguration('camera_device'),
            # System time, as the node stamps its perfs; websocket pairs by equality anyway.
            'mipi_frame_ts_type': 'realtime',
        }),
        _include('hobot_codec', 'hobot_codec_encode.launch.py', {
            'codec_in_mode': io_method,
            'codec_in_format': 'nv12',
            'codec_out_mode': 'ros',
            'codec_out_format': 'jpeg',
            'codec_sub_topic': camera_topic,
            'codec_pub_topic': LaunchConfiguration('jpeg_topic'),
        }),
        _include('websocket', 'websocket.launch.py', {
            'websocket_image_topic': LaunchConfiguration('jpeg_topic'),
            'websocket_image_type': 'mjpeg',
            'websocket_smart_topic': LaunchConfiguration('perception_topic'),
        }),
        Node(
            package='resnet_x5_ros',
            executable='classifier_node',
            name='classifier',
            parameters=parameters,
            remappings=[('image', LaunchConfiguration('image_topic')),
                        ('hbmem_img', SHARED_MEM_TOPIC)],
            arguments=['--ros-args', '--log-level', LaunchConfiguration('log_level')] +
            security_args,
            output='screen',
            emulate_tty=True,
            # Our node only: D-Robotics' nodes need enclaves of their own (docs/security.md).
            additional_env=security_env or None,
        ),
    ]


def generate_launch_description():
    default_params = os.path.join(get_package_share_directory('resnet_x5_ros'), 'config',
                                  'classifier.yaml')
    return LaunchDescription([
        DeclareLaunchArgument('camera_width', default_value='960',
                              description='camera image width (mipi_image_width)'),
        DeclareLaunchArgument('camera_height', default_value='544',
                              description='camera image height (mipi_image_height)'),
        DeclareLaunchArgument('camera_device', default_value='default',
                              description="mipi_cam's video_device (default: detect)"),
        DeclareLaunchArgument('io_method', default_value='ros',
                              description='camera transport: ros or shared_mem'),
        DeclareLaunchArgument('jpeg_topic', default_value='/image_jpeg',
                              description='JPEG topic hobot_codec publishes for the page'),
        DeclareLaunchArgument('perception_topic', default_value='/hobot_dnn_detection',
                              description='ai_msgs/PerceptionTargets topic websocket shows'),
        DeclareLaunchArgument('backend', default_value='',
                              description=description(PARAMS_BY_NAME['backend'])),
    ] + [DeclareLaunchArgument(name, default_value=default, description=text)
         for name, default, text in node_arguments(default_params)] + [
        OpaqueFunction(function=_demo),
    ])
