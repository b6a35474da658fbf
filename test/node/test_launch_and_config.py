# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""The files users touch: launch/classify.launch.py and config/*.yaml.

launch and launch_ros do not install on development machines, so the launch file is checked
by reading it (it parses, declares the documented arguments, starts the right executable with
the right config); running it is left to a machine that has launch_ros, where the last test
does so.
"""

import filecmp
import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree

import pytest
import yaml

from resnet_x5_ros import dds_profile, launch_args, params
from resnet_x5_ros.params import PARAMS, PARAMS_BY_NAME
from support import launch_standin, REPO

LAUNCH = os.path.join(REPO, 'launch', 'classify.launch.py')
CONFIGS = [os.path.join(REPO, 'config', n) for n in ('classifier.yaml', 'classifier_cpu.yaml')]


BASE_ARGUMENTS = {'params_file', 'image_topic', 'namespace', 'log_level', 'dds_profile',
                  'enclave', 'keystore'}
OVERRIDE_ARGUMENTS = {'backend', 'model_path', 'labels_path', 'top_k', 'compressed',
                      'io_method', 'perception_topic'}


@pytest.fixture
def launch_file(monkeypatch):
    """The launch module, imported against stand-ins of launch and launch_ros.

    launch and launch_ros are not on PyPI, so this evaluates our own code in the launch file
    (which arguments, what the node gets); test_launch_with_the_real_launch_api does it with
    the real API where it is installed.
    """
    return launch_standin.load_launch_file(monkeypatch, LAUNCH)


_declared = launch_standin.declared
_node_for = launch_standin.node_action
_LaunchConfiguration = launch_standin.LaunchConfiguration


def test_launch_file_declares_the_documented_arguments(launch_file):
    declared = _declared(launch_file.generate_launch_description())
    assert set(declared) == BASE_ARGUMENTS | OVERRIDE_ARGUMENTS
    assert all(kw['description'] for kw in declared.values()), 'for --show-args'
    assert declared['image_topic']['default_value'] == '/image_raw'  # the TROS MIPI camera
    assert declared['dds_profile']['default_value'] == 'none', 'opt-in'
    assert declared['dds_profile']['choices'] == ['none', 'board', 'dev']
    assert declared['params_file']['default_value'].endswith(
        os.path.join('resnet_x5_ros', 'config', 'classifier.yaml'))
    for name in OVERRIDE_ARGUMENTS:
        assert declared[name]['default_value'] == '', name + ' must default to the YAML'
        assert declared[name]['description'] == launch_args.description(PARAMS_BY_NAME[name])
        assert declared[name]['description'].endswith("Empty keeps the params file's value.")


def test_launch_without_arguments_hands_the_node_only_the_yaml(launch_file):
    description = launch_file.generate_launch_description()
    node = _node_for(description)
    assert node['package'] == 'resnet_x5_ros' and node['executable'] == 'classifier_node'
    params_file = _declared(description)['params_file']['default_value']
    assert node['parameters'] == [params_file]
    assert node['remappings'] == [('image', _LaunchConfiguration('image_topic'))]
    assert node['additional_env'] is None, 'dds_profile none leaves the environment alone'


@pytest.mark.parametrize('profile', ['board', 'dev'])
def test_launch_dds_profile_sets_the_profile_for_the_node_process_only(launch_file, profile,
                                                                       monkeypatch):
    monkeypatch.setenv(dds_profile.PROFILES_ENV, '/opt/tros/hobot_shm/shm_fastdds.xml')
    monkeypatch.setenv(dds_profile.QOS_FROM_XML_ENV, '1')  # what hobot_shm's launch sets
    before = dict(os.environ)
    node = _node_for(launch_file.generate_launch_description(), dds_profile=profile)
    env = node['additional_env']
    assert env == {dds_profile.PROFILES_ENV: env[dds_profile.PROFILES_ENV],
                   dds_profile.QOS_FROM_XML_ENV: '0'}
    assert env[dds_profile.PROFILES_ENV].endswith(
        os.path.join('resnet_x5_ros', 'config', 'fastdds_{}.xml'.format(profile)))
    # Our file: linked into the dev environment, copied by colcon.
    assert filecmp.cmp(env[dds_profile.PROFILES_ENV],
                       os.path.join(REPO, 'config', 'fastdds_{}.xml'.format(profile)),
                       shallow=False)
    assert dict(os.environ) == before, 'the launch process environment is untouched'


def test_an_enclave_runs_the_node_under_sros2_and_none_adds_nothing(launch_file):
    description = launch_file.generate_launch_description()
    node = _node_for(description, enclave='/resnet_x5_ros/classifier', keystore='/ks')
    context = launch_standin.launch_context(description)
    arguments = [launch_standin.text(a, context) for a in node['arguments']]
    assert arguments[-2:] == ['--enclave', '/resnet_x5_ros/classifier']
    assert node['additional_env'] == {'ROS_SECURITY_ENABLE': 'true',
                                      'ROS_SECURITY_STRATEGY': 'Enforce',
                                      'ROS_SECURITY_KEYSTORE': '/ks'}
    node = _node_for(description)
    assert '--enclave' not in node['arguments'] and node['additional_env'] is None


def test_an_unknown_dds_profile_is_one_line_naming_the_choices(launch_file):
    with pytest.raises(dds_profile.DdsProfileError) as info:
        _node_for(launch_file.generate_launch_description(), dds_profile='fast')
    assert str(info.value) == "dds_profile must be one of none, board, dev, got 'fast'"


def _profile(name):
    return ElementTree.parse(os.path.join(REPO, 'config', 'fastdds_{}.xml'.format(name)))


def _local(tag):
    return tag.rsplit('}', 1)[-1]


@pytest.mark.parametrize('name', ['board', 'dev'])
def test_dds_profiles_hold_transports_only(name):
    root = _profile(name).getroot()
    tags = {_local(e.tag) for e in root.iter()}
    # Writer/reader/topic profiles would override the QoS set in code (a deeper history
    # than the node's depth 1 wins, see docs/dds.md).
    for qos in ('publisher', 'subscriber', 'data_writer', 'data_reader', 'topic', 'qos',
                'historyMemoryPolicy', 'publishMode', 'data_sharing'):
        assert qos not in tags, '{} has a {} element'.format(name, qos)
    ns = {'f': 'http://www.eprosima.com/XMLSchemas/fastRTPS_Profiles'}
    [participant] = root.findall('f:profiles/f:participant', ns)
    assert participant.get('is_default_profile') == 'true'
    assert participant.findtext('f:rtps/f:useBuiltinTransports', namespaces=ns) == 'false'
    used = [e.text for e in participant.findall('f:rtps/f:userTransports/f:transport_id', ns)]
    descriptors = {d.findtext('f:transport_id', namespaces=ns): d
                   for d in root.findall('f:profiles/f:transport_descriptors/'
                                         'f:transport_descriptor', ns)}
    assert sorted(used) == sorted(descriptors)
    kinds = {d.findtext('f:type', namespaces=ns): d for d in descriptors.values()}
    assert set(kinds) == {'SHM', 'UDPv4'}
    # Room for several 960x544 NV12 frames (783,360 bytes); Fast DDS's default is 512 KB.
    assert int(kinds['SHM'].findtext('f:segment_size', namespaces=ns)) >= 8 * 783360
    whitelist = [a.text for a in kinds['UDPv4'].findall('f:interfaceWhiteList/f:address', ns)]
    if name == 'dev':
        assert whitelist == ['127.0.0.1'], 'dev: UDP on loopback only'
    else:
        assert whitelist == [], 'board: UDP on every interface, for other machines'


@pytest.mark.ros
@pytest.mark.parametrize('name', ['board', 'dev'])
def test_fast_dds_of_the_wheels_loads_the_profile_without_complaint(name, tmp_path):
    code = ('import rclpy; rclpy.init(); node = rclpy.create_node("profile_check"); '
            'node.destroy_node(); rclpy.shutdown(); print("created")')
    env = dict(os.environ, **dds_profile.dds_environment(name))
    out = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True,
                         text=True, timeout=60)
    text = out.stdout + out.stderr
    assert out.returncode == 0 and 'created' in out.stdout, text
    assert 'XMLPARSER' not in text and 'Error' not in text, text


def test_launch_arguments_override_the_yaml_typed(launch_file):
    node = _node_for(launch_file.generate_launch_description(), backend='cpu',
                     model_path='/m/x.onnx', labels_path='/m/x.txt', top_k='3',
                     params_file='/p.yaml')
    assert node['parameters'] == ['/p.yaml', {'backend': 'cpu', 'model_path': '/m/x.onnx',
                                              'labels_path': '/m/x.txt', 'top_k': 3}]
    node = _node_for(launch_file.generate_launch_description(), top_k='2')
    assert node['parameters'][1:] == [{'top_k': 2}], 'only the given overrides'
    node = _node_for(launch_file.generate_launch_description(), compressed='True',
                     io_method='shared_mem', perception_topic='hobot_dnn_detection')
    assert node['parameters'][1:] == [{'compressed': True, 'io_method': 'shared_mem',
                                       'perception_topic': 'hobot_dnn_detection'}]
    node = _node_for(launch_file.generate_launch_description(), compressed='false')
    assert node['parameters'][1:] == [{'compressed': False}]


def test_node_parameters_keeps_the_yaml_for_empty_values():
    assert launch_args.node_parameters('/p.yaml', {}) == ['/p.yaml']
    empty = dict.fromkeys(OVERRIDE_ARGUMENTS, '')
    assert launch_args.node_parameters('/p.yaml', empty) == ['/p.yaml']
    given = {'top_k': ' 7 '}
    assert launch_args.node_parameters('/p.yaml', given) == ['/p.yaml', {'top_k': 7}]


def test_a_bad_typed_argument_is_one_line_naming_it():
    with pytest.raises(launch_args.LaunchArgumentError) as info:
        launch_args.node_parameters('/p.yaml', {'top_k': 'five'})
    assert str(info.value) == "launch argument top_k must be an integer, got 'five'"
    with pytest.raises(launch_args.LaunchArgumentError) as info:
        launch_args.node_parameters('/p.yaml', {'compressed': 'yes'})
    assert str(info.value) == "launch argument compressed must be true or false, got 'yes'"


def test_the_board_yaml_needs_no_tros_package():
    # TROS-only outputs are switched on by classify_web.launch.py or a launch argument, so
    # the documented desktop launch (board YAML, no TROS) starts (test_without_tros.py).
    with open(CONFIGS[0], encoding='utf-8') as f:
        values = yaml.safe_load(f)['/**']['ros__parameters']
    assert values['perception_topic'] == '' and values['io_method'] == 'ros'


def test_overrides_are_the_parameters_marked_launch():
    assert [p.name for p in launch_args.OVERRIDES] == \
        [p.name for p in PARAMS if p.launch] == sorted(OVERRIDE_ARGUMENTS, key=_order)


def _order(name):
    return [p.name for p in PARAMS].index(name)


def test_readme_documents_every_launch_argument():
    with open(os.path.join(REPO, 'README.md'), encoding='utf-8') as f:
        readme = f.read()
    section = readme.split('### Launch arguments', 1)[1].split('\n#', 1)[0]
    documented = {line.split('`')[1] for line in section.splitlines() if line.startswith('| `')}
    assert documented == BASE_ARGUMENTS | OVERRIDE_ARGUMENTS


def test_classifier_node_is_an_installed_executable():
    with open(os.path.join(REPO, 'setup.py'), encoding='utf-8') as f:
        assert "'classifier_node = resnet_x5_ros.node:main'" in f.read()


def test_the_board_yaml_is_made_from_the_parameter_table():
    # Every parameter at its default, described as params.py describes it.
    with open(CONFIGS[0], encoding='utf-8') as f:
        text = f.read()
    assert text == params.board_yaml(), \
        'config/classifier.yaml drifted from params.py: scripts/devenv python -m ' \
        'resnet_x5_dev.render'
    values = yaml.safe_load(text)['/**']['ros__parameters']
    assert values == {p.name: p.default for p in PARAMS}


def test_the_dev_yaml_holds_only_what_differs_and_says_why():
    with open(CONFIGS[1], encoding='utf-8') as f:
        text = f.read()
    values = yaml.safe_load(text)['/**']['ros__parameters']
    assert values, 'the dev YAML sets something'
    for name, value in values.items():
        spec = PARAMS_BY_NAME[name]  # KeyError: not a parameter
        assert value != spec.default, name + ' is at its default: leave it out'
        assert type(value) is type(spec.default), (name, value)
        assert params.check_value(name, value) is None, (name, value)
        if spec.low is not None:
            assert spec.low <= value <= spec.high, (name, value)
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines)
                 if line.strip().startswith(next(iter(values)) + ':'))
    assert lines[first - 1].strip().startswith('#'), 'the dev YAML says why it differs'


def test_readme_parameter_table_is_made_from_the_parameter_table():
    with open(os.path.join(REPO, 'README.md'), encoding='utf-8') as f:
        readme = f.read()
    assert params.markdown_table() in readme, \
        'the README parameter table drifted from params.py: scripts/devenv python -m ' \
        'resnet_x5_dev.render'


def test_launch_with_the_real_launch_api():
    pytest.importorskip('launch_ros', reason='launch_ros is not on PyPI; runs on a ROS machine')
    from launch import LaunchContext
    from launch.actions import DeclareLaunchArgument
    from launch.utilities import perform_substitutions
    module = launch_standin.import_launch_file(LAUNCH, 'classify_launch')
    description = module.generate_launch_description()
    arguments = {a.name: a for a in description.get_launch_arguments()}
    assert set(arguments) == BASE_ARGUMENTS | OVERRIDE_ARGUMENTS
    assert all(a.description for a in arguments.values())
    context = LaunchContext()
    for entity in description.entities:
        if isinstance(entity, DeclareLaunchArgument):
            entity.visit(context)
    context.launch_configurations.update({'backend': 'cpu', 'top_k': '3'})
    [node] = description.entities[-1].execute(context)
    node._perform_substitutions(context)  # what Node.execute() does before it runs
    # Node.execute() then fills in the name/namespace placeholders of its command line.
    context.extend_locals({'ros_specific_arguments': {'name': '__node:=classifier',
                                                      'ns': '__ns:=/'}})
    cmd = [perform_substitutions(context, part) for part in node.cmd]
    files = [cmd[i + 1] for i, part in enumerate(cmd) if part == '--params-file']
    assert files[0] == arguments['params_file'].default_value[0].text
    with open(files[1], encoding='utf-8') as f:
        [params] = [v['ros__parameters'] for v in yaml.safe_load(f).values()]
    assert params == {'backend': 'cpu', 'top_k': 3}
