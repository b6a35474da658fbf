# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""launch/classify_web.launch.py: the TROS web demo (camera, codec, websocket, classifier).

launch/launch_ros and the TROS packages are not installed here, so the file is run against
recording stand-ins of the launch API: what it includes, with which of the documented
arguments of D-Robotics' launch files, and how it starts our node. Where launch_ros is
installed, the real description is generated too.
"""

import ast
import os
import sys
import types

import pytest

from support import REPO
from support.launch_standin import import_launch_file

LAUNCH = os.path.join(REPO, 'launch', 'classify_web.launch.py')

# Launch arguments the D-Robotics launch files declare (hobot_mipi_cam, hobot_codec,
# hobot_websocket; develop branches, 2024-08). Passing any other name does nothing there.
DOCUMENTED = {
    'mipi_cam.launch.py': {'mipi_config_path', 'mipi_camera_calibration_file_path',
                           'mipi_out_format', 'mipi_image_width', 'mipi_image_height',
                           'mipi_image_framerate', 'mipi_io_method', 'mipi_video_device',
                           'mipi_frame_ts_type'},
    'hobot_codec_encode.launch.py': {'codec_channel', 'codec_in_mode', 'codec_in_format',
                                     'codec_out_mode', 'codec_out_format', 'codec_sub_topic',
                                     'codec_pub_topic', 'codec_enc_qp', 'codec_jpg_quality',
                                     'codec_input_framerate', 'codec_output_framerate',
                                     'codec_dump_output', 'log_level'},
    'websocket.launch.py': {'websocket_image_topic', 'websocket_image_type',
                            'websocket_only_show_image', 'websocket_output_fps',
                            'websocket_smart_topic', 'log_level'},
    'hobot_shm.launch.py': set(),
}


class _Recorded:
    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs


class LaunchConfiguration(_Recorded):
    def perform(self, context):
        return context[self.args[0]]


class PackageNotFoundError(KeyError):
    pass


def _stub_modules(installed=('hobot_shm', 'mipi_cam', 'hobot_codec', 'websocket',
                             'resnet_x5_ros')):
    """Recording stand-ins for launch, launch_ros and ament_index_python (installed packages)."""
    mods = {name: types.ModuleType(name) for name in (
        'launch', 'launch.actions', 'launch.launch_description_sources', 'launch.substitutions',
        'launch_ros', 'launch_ros.actions', 'ament_index_python',
        'ament_index_python.packages')}
    mods['launch'].LaunchDescription = _Recorded
    for name in ('DeclareLaunchArgument', 'IncludeLaunchDescription', 'OpaqueFunction'):
        setattr(mods['launch.actions'], name, type(name, (_Recorded,), {}))
    mods['launch.launch_description_sources'].PythonLaunchDescriptionSource = \
        type('PythonLaunchDescriptionSource', (_Recorded,), {})
    mods['launch.substitutions'].LaunchConfiguration = LaunchConfiguration
    mods['launch_ros.actions'].Node = type('Node', (_Recorded,), {})

    def share_directory(package):
        if package not in installed:
            raise PackageNotFoundError(package)
        return '/opt/tros/humble/share/' + package

    mods['ament_index_python.packages'].get_package_share_directory = share_directory
    mods['ament_index_python.packages'].PackageNotFoundError = PackageNotFoundError
    return mods


def _load(monkeypatch, **stub_options):
    for name, module in _stub_modules(**stub_options).items():
        monkeypatch.setitem(sys.modules, name, module)
    return import_launch_file(LAUNCH, 'classify_web_launch')


@pytest.fixture
def web_launch(monkeypatch):
    return _load(monkeypatch)


def _run(web_launch, **overrides):
    description = web_launch.generate_launch_description()
    entities = description.args[0]
    declared = {e.args[0]: e.kwargs['default_value'] for e in entities
                if type(e).__name__ == 'DeclareLaunchArgument'}
    context = dict(declared, **overrides)
    opaque = [e for e in entities if type(e).__name__ == 'OpaqueFunction']
    assert len(opaque) == 1
    actions = opaque[0].kwargs['function'](context)
    includes = {}
    for action in actions:
        if type(action).__name__ == 'IncludeLaunchDescription':
            path = action.args[0].args[0]
            arguments = dict(action.kwargs['launch_arguments'])
            includes[os.path.basename(path)] = (path, arguments)
    nodes = [a for a in actions if type(a).__name__ == 'Node']
    return declared, includes, nodes, context


def _value(value, context):
    return value.perform(context) if isinstance(value, LaunchConfiguration) else value


def test_file_is_valid_python():
    with open(LAUNCH, encoding='utf-8') as f:
        ast.parse(f.read(), filename=LAUNCH)


def test_declares_camera_size_topics_and_node_arguments(web_launch):
    declared, _, _, _ = _run(web_launch)
    assert set(declared) == {'camera_width', 'camera_height', 'camera_device', 'io_method',
                             'image_topic', 'jpeg_topic', 'perception_topic', 'params_file',
                             'backend', 'log_level', 'enclave', 'keystore'}
    assert (declared['camera_width'], declared['camera_height']) == ('960', '544')
    assert declared['perception_topic'] == '/hobot_dnn_detection'
    assert declared['params_file'].endswith('/resnet_x5_ros/config/classifier.yaml')


@pytest.mark.parametrize('io_method', ['ros', 'shared_mem'])
def test_includes_the_tros_packages_with_their_documented_arguments(web_launch, io_method):
    _, includes, _, context = _run(web_launch, io_method=io_method)
    assert set(includes) == set(DOCUMENTED)
    for name, (path, arguments) in includes.items():
        package = path.split('/share/')[1].split('/')[0]
        assert path.endswith('/launch/' + name)
        assert package == {'mipi_cam.launch.py': 'mipi_cam',
                           'hobot_codec_encode.launch.py': 'hobot_codec',
                           'websocket.launch.py': 'websocket',
                           'hobot_shm.launch.py': 'hobot_shm'}[name]
        assert set(arguments) <= DOCUMENTED[name], name

    camera = {k: _value(v, context) for k, v in includes['mipi_cam.launch.py'][1].items()}
    codec = {k: _value(v, context) for k, v in includes['hobot_codec_encode.launch.py'][1]
             .items()}
    web = {k: _value(v, context) for k, v in includes['websocket.launch.py'][1].items()}
    assert camera['mipi_image_width'] == '960' and camera['mipi_image_height'] == '544'
    assert camera['mipi_out_format'] == 'nv12' and camera['mipi_io_method'] == io_method
    assert codec['codec_in_mode'] == io_method
    assert codec['codec_sub_topic'] == ('/hbmem_img' if io_method == 'shared_mem'
                                        else '/image_raw')
    assert (codec['codec_in_format'], codec['codec_out_format']) == ('nv12', 'jpeg')
    assert web['websocket_image_topic'] == codec['codec_pub_topic'] == '/image_jpeg'
    assert web['websocket_image_type'] == 'mjpeg'
    assert web['websocket_smart_topic'] == '/hobot_dnn_detection'


@pytest.mark.parametrize('io_method', ['ros', 'shared_mem'])
def test_starts_our_node_on_the_camera_with_perception_output(web_launch, io_method):
    _, _, nodes, context = _run(web_launch, io_method=io_method, camera_width='640',
                                camera_height='480', perception_topic='/my_results')
    assert len(nodes) == 1
    kw = nodes[0].kwargs
    assert (kw['package'], kw['executable']) == ('resnet_x5_ros', 'classifier_node')
    params = {}
    for item in kw['parameters']:
        if isinstance(item, dict):
            params.update({k: _value(v, context) for k, v in item.items()})
    assert params['perception_topic'] == '/my_results'
    assert params['io_method'] == io_method
    remaps = {k: _value(v, context) for k, v in kw['remappings']}
    assert remaps == {'image': '/image_raw', 'hbmem_img': '/hbmem_img'}


def test_an_enclave_secures_our_node_only(web_launch):
    _, _, [node], context = _run(web_launch, enclave='/resnet_x5_ros/classifier')
    arguments = [_value(a, context) for a in node.kwargs['arguments']]
    assert arguments[-2:] == ['--enclave', '/resnet_x5_ros/classifier']
    assert node.kwargs['additional_env'] == {'ROS_SECURITY_ENABLE': 'true',
                                             'ROS_SECURITY_STRATEGY': 'Enforce'}
    _, _, [node], context = _run(web_launch)
    assert node.kwargs['additional_env'] is None


def test_rejects_an_unknown_io_method(web_launch):
    with pytest.raises(RuntimeError, match='io_method'):
        _run(web_launch, io_method='dma')


def test_without_tros_it_stops_with_one_line_naming_what_is_missing(monkeypatch):
    # A ROS 2 desktop: only this package is installed.
    module = _load(monkeypatch, installed=('resnet_x5_ros',))
    with pytest.raises(RuntimeError) as info:
        _run(module)
    text = str(info.value)
    assert '\n' not in text
    assert 'hobot_shm, mipi_cam, hobot_codec, websocket' in text and 'TogetheROS.Bot' in text
    assert 'classify.launch.py' in text, 'says what works without TROS'


def test_launch_description_builds_where_launch_ros_exists():
    pytest.importorskip('launch_ros', reason='launch_ros is not on PyPI; runs on a ROS machine')
    module = import_launch_file(LAUNCH, 'classify_web_launch_real')
    from launch.actions import DeclareLaunchArgument, OpaqueFunction

    description = module.generate_launch_description()
    declared = [e.name for e in description.entities if isinstance(e, DeclareLaunchArgument)]
    assert declared == ['camera_width', 'camera_height', 'camera_device', 'io_method',
                        'jpeg_topic', 'perception_topic', 'backend', 'params_file',
                        'image_topic', 'log_level', 'enclave', 'keystore']
    assert isinstance(description.entities[-1], OpaqueFunction)
