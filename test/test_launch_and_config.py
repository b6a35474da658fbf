# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""The files users touch: launch/classify.launch.py and config/*.yaml.

launch and launch_ros do not install on development machines, so the tests named
test_launch_source_* only read the launch file's source (it parses, declares the documented
arguments, names the right executable, config and remap); building its launch description is
left to a machine that has launch_ros, where the last test does so.
"""

import ast
import os

import pytest
import yaml

from resnet_x5_ros.params import PARAMS, PARAMS_BY_NAME

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAUNCH = os.path.join(REPO, 'launch', 'classify.launch.py')
CONFIGS = [os.path.join(REPO, 'config', n) for n in ('classifier.yaml', 'classifier_cpu.yaml')]


@pytest.fixture(scope='module')
def launch_tree():
    with open(LAUNCH, encoding='utf-8') as f:
        return ast.parse(f.read(), filename=LAUNCH)


def _calls(tree, name):
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call) and
            getattr(n.func, 'id', getattr(n.func, 'attr', None)) == name]


def _keywords(call):
    return {k.arg: k.value for k in call.keywords}


def test_launch_source_declares_the_documented_arguments(launch_tree):
    declared = {c.args[0].value for c in _calls(launch_tree, 'DeclareLaunchArgument')}
    assert declared == {'params_file', 'image_topic', 'namespace', 'backend', 'log_level'}
    defaults = {c.args[0].value: _keywords(c)['default_value']
                for c in _calls(launch_tree, 'DeclareLaunchArgument')}
    assert defaults['image_topic'].value == '/image_raw'  # the TROS MIPI camera's topic


def test_launch_source_names_classifier_node_the_board_config_and_image_remap(launch_tree):
    nodes = _calls(launch_tree, 'Node')
    assert len(nodes) == 1
    kw = _keywords(nodes[0])
    assert kw['package'].value == 'resnet_x5_ros'
    assert kw['executable'].value == 'classifier_node'
    remap = kw['remappings'].elts[0].elts
    assert remap[0].value == 'image'
    joins = _calls(launch_tree, 'join')
    assert any([a.value for a in c.args if isinstance(a, ast.Constant)] ==
               ['config', 'classifier.yaml'] for c in joins)
    assert os.path.exists(CONFIGS[0])


def test_setup_py_declares_the_classifier_node_executable():
    with open(os.path.join(REPO, 'setup.py'), encoding='utf-8') as f:
        assert "'classifier_node = resnet_x5_ros.node:main'" in f.read()


@pytest.mark.parametrize('path', CONFIGS, ids=os.path.basename)
def test_config_sets_every_parameter_with_a_valid_value(path):
    with open(path, encoding='utf-8') as f:
        params = yaml.safe_load(f)['/**']['ros__parameters']
    assert set(params) == set(PARAMS_BY_NAME), 'YAML and node parameters differ'
    for name, value in params.items():
        spec = PARAMS_BY_NAME[name]
        assert type(value) is type(spec.default), (name, value)
        if spec.choices:
            assert value in spec.choices, (name, value)
        if spec.low is not None:
            assert spec.low <= value <= spec.high, (name, value)


@pytest.mark.parametrize('path', CONFIGS, ids=os.path.basename)
def test_config_comments_every_parameter(path):
    with open(path, encoding='utf-8') as f:
        lines = f.read().splitlines()
    for param in PARAMS:
        at = next(i for i, line in enumerate(lines) if line.strip().startswith(param.name + ':'))
        assert lines[at - 1].strip().startswith('#'), param.name + ' has no comment above it'


def test_launch_description_builds_where_launch_ros_exists():
    pytest.importorskip('launch_ros', reason='launch_ros is not on PyPI; runs on a ROS machine')
    import importlib.util
    spec = importlib.util.spec_from_file_location('classify_launch', LAUNCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    description = module.generate_launch_description()
    assert len(description.entities) == 6
