# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""A ROS 2 desktop without TogetheROS.Bot: ai_msgs and hbm_img_msgs do not import.

`make setup` builds stand-ins of both TROS message packages into the dev environment, which
would hide a dependency on them. Here test/support/no_tros goes first on PYTHONPATH: it
shadows them with packages whose import fails, as on an apt Humble or Jazzy. The node is
started the way the README's desktop path starts it (`ros2 launch resnet_x5_ros
classify.launch.py backend:=cpu`, evaluated with test/support/launch_standin.py) and must
classify; what needs TROS is refused with its one line only when asked for.
"""

import os
import subprocess
import sys

import cv2
import pytest

from resnet_x5_ros.tools.node_process import stop_process
from support import launch_standin, REPO, TEST_DIR
from support.nodes import ESPRESSO, image_msg, needs_model, SAMPLES
from support.rosutil import child_env, RosClient, wait_for_exit

pytestmark = pytest.mark.ros

NO_TROS = os.path.join(TEST_DIR, 'support', 'no_tros')


def no_tros_env(**extra):
    return child_env(PYTHONPATH=NO_TROS, **extra)


def launch(monkeypatch, tmp_path, **arguments):
    """Start the node as classify.launch.py does with these launch arguments."""
    module = launch_standin.load_launch_file(monkeypatch)
    description = module.generate_launch_description()
    node = launch_standin.node_action(description, **arguments)
    context = launch_standin.launch_context(description, **arguments)
    cmd = launch_standin.command_line(node, context, tmp_path)
    return subprocess.Popen(cmd, cwd=REPO, env=no_tros_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def test_the_tros_packages_do_not_import_there():
    code = ('import importlib\n'
            'for name in ("ai_msgs.msg", "hbm_img_msgs.msg"):\n'
            '    try:\n'
            '        importlib.import_module(name)\n'
            '    except ImportError as exc:\n'
            '        print("missing", exc.name)\n')
    out = subprocess.run([sys.executable, '-c', code], env=no_tros_env(), capture_output=True,
                         text=True, timeout=60)
    assert out.stdout.split('\n')[:2] == ['missing ai_msgs', 'missing hbm_img_msgs'], \
        out.stdout + out.stderr


@needs_model
@pytest.mark.parametrize('arguments', [{}, {'backend': 'cpu', 'top_k': '3'}],
                         ids=['no_argument', 'backend_cpu'])
def test_the_documented_launch_classifies(monkeypatch, tmp_path, arguments):
    # The board YAML as installed (params_file's default): backend auto finds no BPU here.
    namespace = '/t_no_tros_{}'.format(len(arguments))
    proc = launch(monkeypatch, tmp_path, namespace=namespace,
                  image_topic=namespace + '/camera', **arguments)
    client = RosClient('no_tros_client', namespace=namespace)
    try:
        from sensor_msgs.msg import Image
        from vision_msgs.msg import Classification
        results = []
        client.node.create_subscription(Classification, 'classification', results.append, 10)
        pub = client.node.create_publisher(Image, 'camera', 1)
        assert client.spin_until(lambda: pub.get_subscription_count() > 0 or
                                 proc.poll() is not None, 60.0), 'the node never subscribed'
        assert proc.poll() is None, 'the node ended: ' + proc.stdout.read()
        bgr = cv2.imread(os.path.join(SAMPLES, 'coffee.png'), cv2.IMREAD_COLOR)
        msg = image_msg(bgr, 'bgr8', 'desk_cam')

        def answered():
            if not results:
                pub.publish(msg)  # again, until discovery let one through
            return bool(results)

        assert client.spin_until(answered, 60.0), 'no classification'
    finally:
        client.close()
        code, out = stop_process(proc)
    assert code == 0 and 'Traceback' not in out, out
    assert results[0].header.frame_id == 'desk_cam'
    assert len(results[0].results) == int(arguments.get('top_k', 5))
    assert results[0].results[0].class_id == str(ESPRESSO)
    assert 'backend cpu' in out and 'web display' not in out, out


@pytest.mark.parametrize('tool', ['classify', 'evaluate', 'bench', 'board_check',
                                  'image_publisher'])
def test_every_console_tool_answers_help(tool):
    # As its console script runs it: the entry point's function, argv from the command line.
    code = ('import sys; from importlib.metadata import entry_points; '
            'sys.argv = [{0!r}, "--help"]; '
            '[ep] = [e for e in entry_points(group="console_scripts") if e.name == {0!r}]; '
            'sys.exit(ep.load()())'.format(tool))
    out = subprocess.run([sys.executable, '-c', code], cwd=REPO, env=no_tros_env(),
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and 'Traceback' not in out.stderr, out.stdout + out.stderr
    assert out.stdout.startswith('usage: ' + tool), out.stdout


def test_the_shared_memory_bench_is_refused_with_one_line():
    out = subprocess.run([sys.executable, '-m', 'resnet_x5_ros.tools.bench', 'shared_mem'],
                         cwd=REPO, env=no_tros_env(), capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and 'Traceback' not in out.stderr, out.stdout + out.stderr
    [line] = [line for line in out.stderr.splitlines() if line.startswith('bench: error:')]
    assert 'hbm_img_msgs' in line and 'TogetheROS' in line, out.stderr


@pytest.mark.parametrize('arguments, missing', [
    ({'perception_topic': 'hobot_dnn_detection'}, 'ai_msgs'),
    ({'io_method': 'shared_mem'}, 'hbm_img_msgs'),
])
def test_tros_features_are_refused_with_one_line_when_asked_for(monkeypatch, tmp_path,
                                                                arguments, missing):
    code, out = wait_for_exit(launch(monkeypatch, tmp_path, namespace='/t_no_tros_refused',
                                     backend='cpu', **arguments))
    assert code == 2, out
    assert 'Traceback' not in out, out
    errors = [line for line in out.splitlines() if line.startswith('classifier_node: error:')]
    assert len(errors) == 1, out
    parameter = next(iter(arguments))
    assert parameter in errors[0] and missing in errors[0] and 'TogetheROS' in errors[0], out
