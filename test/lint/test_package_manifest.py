# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""package.xml as rosdep and colcon see it: it declares what the code imports, nothing else.

`rosdep install --from-paths . --ignore-src` installs what package.xml names, so a module the
code imports without a declared key is missing on a fresh board, and a declared key nothing
uses is installed for nothing. The keys are rosdep keys (ROS package names, or the keys of
rosdistro's rosdep/*.yaml).
"""

import ast
import glob
import os
import sys
import xml.etree.ElementTree as ElementTree

from support import REPO


# Top-level module -> rosdep key.
ROSDEP_KEYS = {
    'rclpy': 'rclpy', 'std_msgs': 'std_msgs', 'sensor_msgs': 'sensor_msgs',
    'vision_msgs': 'vision_msgs', 'diagnostic_msgs': 'diagnostic_msgs',
    'rcl_interfaces': 'rcl_interfaces', 'ament_index_python': 'ament_index_python',
    'launch': 'launch', 'launch_ros': 'launch_ros',
    'numpy': 'python3-numpy', 'cv2': 'python3-opencv', 'yaml': 'python3-yaml',
    'pytest': 'python3-pytest', 'hypothesis': 'python3-hypothesis',
    'builtin_interfaces': 'builtin_interfaces', 'catkin_pkg': 'python3-catkin-pkg',
    # TROS message packages (declared with a TROS_DISTRO condition).
    'ai_msgs': 'ai_msgs', 'hbm_img_msgs': 'hbm_img_msgs',
    'sros2': 'sros2',
}
# Keys the package uses only where they are installed: sros2 for `bench node --security`
# (a test dependency, for the security tests).
OPTIONAL_AT_RUN_TIME = {'sros2'}
# Imported only where present, with no rosdep key: said so in package.xml's comment.
NO_KEY = {'hobot_dnn', 'hobot_dnn_rdkx5', 'hbm_runtime', 'onnxruntime', 'matplotlib', 'rosbags'}
# The README's commands run `ros2 launch` on the launch file.
COMMAND_KEYS = {'ros2launch'}
# The lint tests run these tools (python -m flake8 / pydocstyle, setup.cfg's plugins).
LINT_KEYS = {'python3-flake8', 'python3-flake8-builtins', 'python3-flake8-comprehensions',
             'python3-flake8-import-order', 'python3-flake8-quotes', 'pydocstyle'}


def _declared(tag):
    root = ElementTree.parse(os.path.join(REPO, 'package.xml')).getroot()
    return {e.text.strip() for e in root.iter(tag)}


def _imports(paths):
    found = set()
    for path in paths:
        with open(path, encoding='utf-8') as f:
            tree = ast.parse(f.read(), filename=path)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.update(alias.name.split('.')[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split('.')[0])
    return found


def _third_party(modules, local):
    return {m for m in modules if m not in sys.stdlib_module_names and m not in local}


def _keys_of(modules):
    unknown = modules - set(ROSDEP_KEYS) - NO_KEY
    assert not unknown, 'imports without a rosdep key in this test: {}'.format(sorted(unknown))
    return {ROSDEP_KEYS[m] for m in modules if m in ROSDEP_KEYS}


def _python_files(*patterns):
    return [p for pattern in patterns
            for p in glob.glob(os.path.join(REPO, pattern), recursive=True)]


def test_exec_depends_are_exactly_what_the_package_and_launch_file_import():
    code = _python_files('resnet_x5_ros/**/*.py', 'launch/*.py')
    modules = _third_party(_imports(code), {'resnet_x5_ros'}) - OPTIONAL_AT_RUN_TIME
    assert _declared('exec_depend') == _keys_of(modules) | COMMAND_KEYS


def test_test_depends_are_exactly_what_the_tests_use():
    tests = _python_files('test/**/*.py')
    local = {os.path.splitext(os.path.basename(p))[0]
             for p in tests} | {'resnet_x5_ros', 'hobot_dnn'}
    # The tests' helper package (test/support).
    local |= {os.path.basename(os.path.dirname(p)) for p in _python_files('test/*/__init__.py')}
    # dev/'s own packages (the x86 simulator harness) and modules (the CPU model converter)
    # are ours, not dependencies.
    local |= {os.path.basename(os.path.dirname(p))
              for p in _python_files('dev/python/*/__init__.py')}
    local |= {os.path.splitext(os.path.basename(p))[0]
              for p in _python_files('dev/model/*.py', 'dev/standins/*.py')}
    local |= {os.path.basename(os.path.dirname(p))
              for p in _python_files('dev/standins/*/__init__.py')}
    runtime = _declared('exec_depend')
    needed = _keys_of(_third_party(_imports(tests), local)) - runtime
    assert _declared('test_depend') == needed | LINT_KEYS


def test_licence_file_matches_the_headers():
    with open(os.path.join(REPO, 'LICENSE'), encoding='utf-8') as f:
        text = f.read()
    assert 'Apache License' in text and 'Version 2.0, January 2004' in text
    assert _declared('license') == {'Apache-2.0'}


def test_setup_is_not_zip_safe_and_installs_the_default_model():
    # Labels and sample photos are read through __file__, which a zipped egg breaks.
    with open(os.path.join(REPO, 'setup.py'), encoding='utf-8') as f:
        tree = ast.parse(f.read())
    [setup] = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and
               getattr(n.func, 'id', None) == 'setup']
    keywords = {k.arg: k.value for k in setup.keywords}
    assert isinstance(keywords['zip_safe'], ast.Constant) and keywords['zip_safe'].value is False
    data_files = ast.unparse(keywords['data_files'])
    assert "'models'" in data_files and "glob('models/*.onnx')" in data_files
