# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""launch/classify.launch.py evaluated against a STAND-IN of the launch API, and run.

launch and launch_ros are not on PyPI, so the dev environment cannot run `ros2 launch`.
load_launch_file() imports the launch file against recording stand-ins of the few launch
names it uses; node_action() evaluates it for given launch arguments and returns what it
hands launch_ros's Node; command_line() turns that into the command launch_ros would run
(launch_ros 0.19/0.26: the executable, the node's arguments, then `--ros-args -r
__node:=NAME -r __ns:=NS`, one --params-file per parameters entry, dicts written to a
`/**: ros__parameters:` YAML file, then the remappings). Where launch_ros is installed, the
tests run the real one too.
"""

import importlib.util
import os
import sys
import types

import yaml

from support import REPO

LAUNCH = os.path.join(REPO, 'launch', 'classify.launch.py')


class Recorded:
    """Stand-in for a launch action or description: keeps what it was built with."""

    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs


class LaunchConfiguration:
    """Stand-in for launch.substitutions.LaunchConfiguration; perform() reads a dict."""

    def __init__(self, name):
        self.name = name

    def perform(self, context):
        return context[self.name]

    def __eq__(self, other):
        return isinstance(other, LaunchConfiguration) and other.name == self.name


def import_launch_file(path, module_name):
    """Import a launch file as a module, against whatever launch API sys.modules holds."""
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_launch_file(monkeypatch, path=LAUNCH):
    """Import the launch file with the stand-ins in sys.modules (undone by monkeypatch)."""
    names = {'launch': {'LaunchDescription': Recorded},
             'launch.actions': {'DeclareLaunchArgument': Recorded,
                                'OpaqueFunction': Recorded},
             'launch.substitutions': {'LaunchConfiguration': LaunchConfiguration},
             'launch_ros': {}, 'launch_ros.actions': {'Node': Recorded}}
    for module_name, attributes in names.items():
        module = types.ModuleType(module_name)
        for attribute, value in attributes.items():
            setattr(module, attribute, value)
        monkeypatch.setitem(sys.modules, module_name, module)
    return import_launch_file(path, 'classify_launch_standin')


def declared(description):
    """{argument name: DeclareLaunchArgument keyword arguments} of a description."""
    return {e.args[0]: e.kwargs for e in description.args[0] if 'default_value' in e.kwargs}


def launch_context(description, **given):
    """Return the launch configurations: the declared defaults, then the given arguments."""
    context = {name: kw['default_value'] for name, kw in declared(description).items()}
    context.update(given)
    return context


def node_action(description, **given):
    """Evaluate the launch file's OpaqueFunction; return the Node keyword arguments."""
    opaque = description.args[0][-1]
    nodes = opaque.kwargs['function'](launch_context(description, **given))
    assert len(nodes) == 1
    return nodes[0].kwargs


def text(value, context):
    return value.perform(context) if isinstance(value, LaunchConfiguration) else str(value)


def command_line(node, context, folder):
    """Return the command launch_ros runs for Node(**node); dict parameters go to folder."""
    cmd = [sys.executable, '-m', 'resnet_x5_ros.node']
    cmd += [text(a, context) for a in node.get('arguments') or []]
    namespace = text(node.get('namespace') or '', context)
    cmd += ['--ros-args', '-r', '__node:=' + node['name'],
            '-r', '__ns:=' + ('/' + namespace.lstrip('/') if namespace else '/')]
    for index, entry in enumerate(node.get('parameters') or []):
        if isinstance(entry, dict):
            path = os.path.join(str(folder), 'launch_params_{}.yaml'.format(index))
            with open(path, 'w', encoding='utf-8') as f:
                yaml.safe_dump({'/**': {'ros__parameters': entry}}, f)
            entry = path
        cmd += ['--params-file', text(entry, context)]
    for source, target in node.get('remappings') or []:
        cmd += ['-r', '{}:={}'.format(text(source, context), text(target, context))]
    return cmd
