# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""The README's tool examples run as written in a colcon workspace, away from the source tree.

A copy of the package (its tracked files and the built CPU model) is built with colcon into a
temporary workspace. Each example then runs the way `ros2 run resnet_x5_ros TOOL ARGS` runs it
(ros2cli itself is not installed here): install/setup.bash sourced, the installed script from
install/resnet_x5_ros/lib/resnet_x5_ros, the workspace root as the working folder, and neither
the repository nor its models/ on any search path.
"""

import os
import re
import shlex
import shutil
import subprocess
import sys

import pytest

from support import REPO
from support.rosutil import RosClient

README = os.path.join(REPO, 'README.md')
CLASSIFY = 'ros2 run resnet_x5_ros classify samples/coffee.png samples/chelsea.png --top_k 3'
PUBLISH = ('ros2 run resnet_x5_ros image_publisher samples --encoding nv12 --rate 5 --count 5 '
           '--topic /image_raw')
COLCON = os.path.join(os.path.dirname(sys.executable), 'colcon')


def readme_tool_examples():
    """Every `ros2 run resnet_x5_ros ...` command line of the README's code blocks."""
    with open(README, encoding='utf-8') as f:
        text = f.read()
    lines = []
    for block in re.findall(r'```[a-z]*\n(.*?)```', text, re.S):
        for line in block.splitlines():
            line = line.lstrip('$ ').split('  #')[0].strip()
            if line.startswith('ros2 run resnet_x5_ros '):
                lines.append(line)
    return lines


def test_examples_name_no_path_of_the_source_tree():
    examples = readme_tool_examples()
    assert CLASSIFY in examples and PUBLISH in examples
    for line in examples:
        for word in shlex.split(line):
            assert not word.startswith(('resnet_x5_ros/', 'test/', 'dev/', 'models/')), line


def _clean_env(**extra):
    env = dict(os.environ)
    for key in ('PYTHONPATH', 'RESNET_X5_MODEL_DIR'):
        env.pop(key, None)
    env.update(extra)
    return env


@pytest.fixture(scope='module')
def workspace(tmp_path_factory):
    if not os.path.isfile(COLCON):
        pytest.skip('colcon is not installed in this environment')
    if not os.path.isfile(os.path.join(REPO, 'models', 'efficientnet_lite0.onnx')):
        pytest.skip('no CPU model: run `make model`')
    ws = tmp_path_factory.mktemp('ros_ws')
    src = ws / 'src' / 'resnet_x5_ros'
    listed = subprocess.run(['git', 'ls-files', '-z', '-co', '--exclude-standard'], cwd=REPO,
                            capture_output=True, check=True).stdout.decode().split('\0')
    for name in listed:  # models/*.onnx are ignored by git: copied below
        if name and os.path.isfile(os.path.join(REPO, name)):
            os.makedirs(os.path.dirname(str(src / name)), exist_ok=True)
            shutil.copy2(os.path.join(REPO, name), str(src / name))
    (src / 'models').mkdir(exist_ok=True)
    for name in ('efficientnet_lite0.onnx', 'efficientnet_lite0.json'):
        shutil.copy2(os.path.join(REPO, 'models', name), str(src / 'models' / name))
    out = subprocess.run([COLCON, 'build', '--packages-select', 'resnet_x5_ros'], cwd=str(ws),
                         env=_clean_env(COLCON_HOME=str(ws / '.colcon'),
                                        COLCON_LOG_PATH=str(ws / 'log')),
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    return ws


def ros2_run(ws, line, **popen_args):
    """Start one README line as `ros2 run` would, from the workspace root."""
    package, tool, *args = shlex.split(line)[2:]
    script = os.path.join('install', package, 'lib', package, tool)
    command = 'source install/setup.bash && exec {} {}'.format(
        shlex.quote(script), ' '.join(shlex.quote(a) for a in args))
    return subprocess.Popen(['bash', '-c', command], cwd=str(ws), env=_clean_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            **popen_args)


def test_classify_example(workspace):
    proc = ros2_run(workspace, CLASSIFY)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, out
    share_model = os.path.join(str(workspace), 'install', 'resnet_x5_ros', 'share',
                               'resnet_x5_ros', 'models', 'efficientnet_lite0.onnx')
    assert 'model {},'.format(share_model) in out, out
    # The photos installed with the package, wherever colcon put them.
    photos = re.escape(os.path.join(str(workspace), 'install', 'resnet_x5_ros', 'lib')) + \
        r'/python3\.\d+/site-packages/resnet_x5_ros/data/samples/'
    assert re.search('^' + photos + r'coffee\.png .*\n +1\. +\d+\.\d+% +espresso', out, re.M), out
    assert re.search('^' + photos + r'chelsea\.png ', out, re.M), out


@pytest.mark.ros
def test_image_publisher_example(workspace):
    from sensor_msgs.msg import Image
    client = RosClient('readme_example_subscriber')
    received = []
    try:
        client.node.create_subscription(Image, '/image_raw', received.append, 10)
        proc = ros2_run(workspace, PUBLISH)
        assert client.spin_until(lambda: proc.poll() is not None, 120), 'did not end'
        assert client.spin_until(lambda: len(received) >= 5, 10), 'frames lost'
        out, _ = proc.communicate(timeout=30)
    finally:
        client.close()
    assert proc.returncode == 0, out
    assert 'sent 5 frames' in out and len(received) == 5
    assert {(m.encoding, m.width, m.height) for m in received} >= {('nv12', 600, 400)}
