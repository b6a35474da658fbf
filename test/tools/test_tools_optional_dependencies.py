# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""A missing optional package (rosbags, matplotlib) costs only the feature that needs it.

The README promises: rosbags only for `classify --bag` (and the bench suite that measures
it), matplotlib only for plots. On a machine without them every tool still starts, shows its
--help and runs its other features; the features that need them stop with one line naming
the package and how to install it. The packages are hidden in child processes by a folder
early on PYTHONPATH whose rosbags/ and matplotlib/ raise ImportError, as a broken or absent
install does.
"""

import os
import subprocess
import sys

import pytest

from resnet_x5_ros.backends import default_cpu_model
from resnet_x5_ros.tools.bench import cli
from resnet_x5_ros.tools.classify import bag
from support import REPO
from support.rosutil import child_env, prepend_paths

# The installed tools (setup.py console_scripts), as `ros2 run` starts them.
TOOLS = {
    'classify': 'resnet_x5_ros.tools.classify.cli',
    'evaluate': 'resnet_x5_ros.tools.evaluate.cli',
    'bench': 'resnet_x5_ros.tools.bench',
    'board_check': 'resnet_x5_ros.tools.board_check.cli',
    'image_publisher': 'resnet_x5_ros.tools.image_publisher.cli',
}
HIDDEN = ('rosbags', 'matplotlib')


@pytest.fixture(scope='module')
def env(tmp_path_factory):
    hide = tmp_path_factory.mktemp('hide')
    for name in HIDDEN:
        (hide / name).mkdir()
        (hide / name / '__init__.py').write_text(
            "raise ImportError('{} hidden by the test')\n".format(name))
    environment = child_env()
    environment['PYTHONPATH'] = prepend_paths(str(hide), environment.get('PYTHONPATH'))
    return environment


def run(env, module, *args, timeout=180):
    return subprocess.run([sys.executable, '-m', module] + list(args), cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_the_packages_really_are_hidden(env):
    for name in HIDDEN:
        out = subprocess.run([sys.executable, '-c', 'import ' + name], env=env,
                             capture_output=True, text=True, timeout=60)
        assert out.returncode != 0 and 'hidden by the test' in out.stderr


@pytest.mark.parametrize('tool', [pytest.param(t, marks=pytest.mark.ros)
                                  if t == 'image_publisher' else t for t in sorted(TOOLS)])
def test_every_tool_shows_its_help(env, tool):
    # image_publisher is a ROS node: it needs rclpy even for --help (remove_ros_args).
    out = run(env, TOOLS[tool], '--help')
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith('usage: ') and 'Traceback' not in out.stderr


def test_every_bench_suite_shows_its_help(env):
    modules, unavailable = cli.load_suites()
    assert unavailable == {}  # here everything imports (rosbags and matplotlib installed)
    for suite in modules:
        out = run(env, TOOLS['bench'], suite, '--help')
        assert out.returncode == 0 and 'Traceback' not in out.stderr, (suite, out.stderr)


def _one_line_error(out, prog, *needles):
    assert out.returncode == 2, out
    assert out.stderr.startswith(prog + ': error: ') and out.stderr.count('\n') == 1, out.stderr
    for needle in needles:
        assert needle in out.stderr, out.stderr


def test_features_needing_rosbags_say_so_in_one_line(env, tmp_path):
    pin = 'pip install ' + bag.ROSBAGS_PIN
    _one_line_error(run(env, TOOLS['bench'], 'bag', '--frames', '2'), 'bench', 'rosbags', pin)
    _one_line_error(run(env, TOOLS['classify'], '--bag', str(tmp_path)), 'classify',
                    'rosbags', pin)


def test_plots_without_matplotlib_say_so_in_one_line(env, tmp_path):
    hint = 'sudo apt install python3-matplotlib'
    _one_line_error(run(env, TOOLS['bench'], 'pipeline', '--plot', str(tmp_path / 'b.png')),
                    'bench', 'matplotlib', hint)
    (tmp_path / 'set' / 'espresso').mkdir(parents=True)
    _one_line_error(run(env, TOOLS['evaluate'], str(tmp_path / 'set'), '--confusion',
                        str(tmp_path / 'c.png')), 'evaluate', 'matplotlib', hint)
    assert not (tmp_path / 'b.png').exists() and not (tmp_path / 'c.png').exists()


def test_the_other_features_work_without_them(env):
    out = run(env, TOOLS['bench'], 'preprocess', '--calls', '3', '--no-quality')
    assert out.returncode == 0 and 'nv12_960x544' in out.stdout, out.stderr
    if os.path.isfile(default_cpu_model()):
        out = run(env, TOOLS['classify'], '--backend', 'cpu', '--top-k', '1',
                  os.path.join(REPO, 'resnet_x5_ros', 'data', 'samples', 'coffee.png'))
        assert out.returncode == 0 and 'espresso' in out.stdout, out.stderr


def test_a_suite_that_cannot_import_is_listed_and_only_it_fails(monkeypatch, tmp_path, capsys):
    # Any suite whose module cannot import here (a dependency missing) leaves the others.
    broken = tmp_path / 'broken_suite.py'
    broken.write_text('import package_not_installed_anywhere\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(cli.SUITES, 'broken', 'broken_suite')
    modules, unavailable = cli.load_suites()
    assert 'broken' not in modules and 'preprocess' in modules
    assert "No module named 'package_not_installed_anywhere'" in unavailable['broken']
    with pytest.raises(SystemExit):
        cli.main(['--help'])
    assert 'broken' in capsys.readouterr().out
    assert cli.main(['broken', '--json']) == 2
    err = capsys.readouterr().err
    assert err.startswith('bench: error: suite broken is not available here: No module named')


def test_bench_storages_are_those_rosbags_writes():
    bag_io, _ = bag.rosbags_modules()
    assert tuple(bag_io.STORAGES) == bag.STORAGE_NAMES
