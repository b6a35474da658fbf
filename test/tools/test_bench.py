# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""bench: table shape, zoo reference and distance, plot, node figures. No timing asserts."""

import itertools
import json
import math
import os
import subprocess
import sys
import types

import pytest

from resnet_x5_ros.backends import create_backend, default_cpu_model
from resnet_x5_ros.pipeline import Classifier, Settings
from resnet_x5_ros.postprocess import load_labels
from resnet_x5_ros.tools.bench import cli, zoo_table as pipeline
from resnet_x5_ros.tools.bench.timing import run_for
from resnet_x5_ros.tools.bench.zoo import comparison_note, REFERENCE_ROW, ZOO_RESNET18_X5
from resnet_x5_ros.tools.plots import matplotlib_status
from support import REPO
from support.rosutil import child_env
from support.standins import standin_support as standins

MODEL = default_cpu_model()
needs_model = pytest.mark.skipif(not os.path.isfile(MODEL),
                                 reason='CPU model {} missing: run `make model`'.format(MODEL))
HAVE_MATPLOTLIB = matplotlib_status()[0]
ZOO_COLUMNS = ['model', 'input_size', 'classes', 'latency_single_ms', 'latency_multi_ms', 'fps']


def test_run_for_collects_every_call_from_every_thread():
    counter = itertools.count(1)
    result = run_for(lambda: next(counter), 3, 0.05)
    calls = next(counter) - 1
    assert result['calls'] == len(result['durations']) == len(result['values']) == calls
    assert result['calls'] >= 3 and result['fps'] > 0
    assert sorted(result['values']) == list(range(1, calls + 1))


def test_run_for_reraises_the_callables_error():
    def boom():
        raise RuntimeError('inference failed')
    with pytest.raises(RuntimeError, match='inference failed'):
        run_for(boom, 2, 5.0)


def test_zoo_comparison_is_only_claimed_for_the_board_resnet18():
    def fake(name, path, description=''):
        return types.SimpleNamespace(name=name, model_path=path, description=description)
    assert comparison_note(fake('bpu', '/opt/hobot/model/x5/basic/resnet18_224x224_nv12.bin'))\
        .startswith('comparable')
    assert comparison_note(fake('bpu', '/m/resnet18_224x224_nv12.bin', 'bpu: x (STAND-IN y)'))\
        .startswith('not comparable')
    assert comparison_note(fake('cpu', '/m/efficientnet_lite0.onnx')).startswith('not like')


@pytest.fixture(scope='module')
def classifier():
    if not os.path.isfile(MODEL):
        pytest.skip('CPU model missing: run `make model`')
    backend = create_backend('cpu', num_threads=1)
    yield Classifier(backend, load_labels(expected_count=backend.num_classes), Settings())
    backend.close()


def check_tables(result, workers):
    table = result['pipeline']
    for row in table.values():
        assert list(row)[:6] == ZOO_COLUMNS
    for name in ('backend only (infer)', 'pipeline (convert+infer+post)'):
        row = table[name]
        assert row['input_size'] == '224x224' and row['classes'] == 1000
        assert row['latency_single_ms'] > 0 and math.isfinite(row['fps']) and row['fps'] > 0
        assert row['latency_vs_zoo'] == pytest.approx(row['latency_single_ms'] / 2.95)
        assert row['fps_vs_zoo'] == pytest.approx(row['fps'] / 448.79)
    assert set(result['stages']) == {'convert', 'infer', 'post', 'total'}
    assert all(r['median_ms'] <= r['p90_ms'] <= r['p99_ms'] for r in result['stages'].values())
    assert set(result['throughput']) == {'pipeline x1', 'backend x1',
                                         'pipeline x{}'.format(workers),
                                         'backend x{}'.format(workers)}


@needs_model
def test_measure_fills_the_zoo_shaped_tables(classifier):
    frame = pipeline.camera_frame('coffee.png', (320, 240), 'nv12')
    result = pipeline.measure(classifier, frame, 2, 0.2)
    check_tables(result, 2)
    assert result['throughput']['pipeline x2']['threads'] == 2


@needs_model
def test_cli_prints_tables_and_json_with_the_zoo_reference(capsys):
    code = cli.main(['--backend', 'cpu', '--seconds', '0.2', '--workers', '2',
                     '--encoding', 'jpeg', '--json'])
    out = capsys.readouterr().out
    assert code == 0
    lines = out.strip().splitlines()
    result = json.loads(lines[-1])
    check_tables(result, 2)
    reference = result['pipeline'][REFERENCE_ROW]
    assert {k: reference[k] for k in ZOO_RESNET18_X5} == ZOO_RESNET18_X5
    assert result['setup']['frame'] == 'coffee.png 640x480 jpeg'
    assert result['setup']['zoo_comparison'].startswith('not like for like: cpu')
    assert lines[0].startswith('machine: ')
    assert any(line.startswith(REFERENCE_ROW + '  ResNet18') for line in lines)


@pytest.mark.skipif(HAVE_MATPLOTLIB, reason='matplotlib is installed here')
def test_plot_without_matplotlib_refuses_before_measuring(capsys):
    assert cli.main(['--backend', 'cpu', '--plot', 'out.png']) == 2
    captured = capsys.readouterr()
    assert captured.out == ''
    assert 'bench: error: plotting needs matplotlib' in captured.err
    assert 'pip install matplotlib' in captured.err


@needs_model
@pytest.mark.skipif(not HAVE_MATPLOTLIB, reason='matplotlib not installed (optional)')
def test_plot(tmp_path, capsys):
    out = tmp_path / 'bench.png'
    assert cli.main(['--backend', 'cpu', '--seconds', '0.2', '--plot', str(out)]) == 0
    assert out.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'


@needs_model
def test_bpu_standin_is_measured_and_never_called_comparable(tmp_path, capsys):
    with standins.standin_runtime() as pyeasy_dnn:
        model = standins.write_fixture_bin(tmp_path / 'resnet18_224x224_nv12.bin')
        assert cli.main(['--backend', 'bpu', '--model', model, '--seconds', '0.2',
                         '--workers', '2', '--json']) == 0
        assert all(r.valid for r in pyeasy_dnn.forward_log)
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    check_tables(result, 2)
    assert 'STAND-IN' in result['setup']['backend']
    assert result['setup']['zoo_comparison'].startswith('not comparable')


@needs_model
@pytest.mark.ros
@pytest.mark.slow
def test_node_figures_join_the_table():
    try:
        import resnet_x5_ros.tools.bench.through_ros  # noqa: F401
    except ImportError as exc:
        pytest.skip('the node bench suite is not importable: {}'.format(exc))
    # A child process: the node suite claims its own ROS domain for its processes.
    out = subprocess.run([sys.executable, '-m', 'resnet_x5_ros.tools.bench', '--backend', 'cpu',
                          '--seconds', '0.2', '--node', '--node-duration', '2', '--json'],
                         cwd=REPO, env=child_env(), capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(result['node']) == {'camera', 'overload'}, result['node']
    camera = result['node']['camera']
    assert camera['published'] > 0, camera
    row = result['pipeline']['node through ROS (camera p50 / overload fps)']
    assert row['latency_single_ms'] == camera['latency_ms_p50']
    assert row['fps'] == result['node']['overload']['out_fps']


BOARD_KEYS = {'in_fps', 'out_fps', 'backend_ms_p50', 'latency_ms_p50', 'latency_ms_p99',
              'age_ms_p50', 'age_ms_p99', 'arrival_ms_p50', 'convert_ms_p50', 'post_ms_p50',
              'handoff_ms_p50', 'publish_ms_p50', 'goal_out_fps', 'goal_latency', 'goal_age',
              'frame_bytes', 'dds_profile', 'ipc_ms_p50', 'worker_type', 'node_rss_mb',
              'worker_rss_mb'}


@pytest.mark.ros
@pytest.mark.slow
@pytest.mark.parametrize('worker_type', ['thread', 'process'])
def test_node_board_run_reports_figures_goals_and_the_split(worker_type):
    # A child process: the node suite claims its own ROS domain for its processes. The dev
    # entry supplies the pyeasy_dnn STAND-IN (no BPU runtime here).
    out = subprocess.run([sys.executable, '-m', 'resnet_x5_dev.bench', 'node',
                          '--runs', 'board', '--duration', '2', '--warmup', '1', '--json',
                          '--worker-type', worker_type],
                         cwd=REPO, env=child_env(), capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(result['node']) == {'board'}, result['node']
    board = result['node']['board']
    assert BOARD_KEYS <= set(board), board
    assert board['published'] > 0 and board['frame_bytes'] == 960 * 544 * 3 // 2, board
    assert board['dds_profile'] == 'dev'
    assert board['worker_type'] == worker_type
    assert 'STAND-IN' in board['backend'] and 'board run: the pyeasy_dnn STAND-IN' in out.stdout
    assert board['node_rss_mb'] > 0
    # One worker: a process of its own only for worker_type process, where the frame's way
    # there and back is measured apart from the runtime call.
    assert len(board['worker_rss_mb']) == (1 if worker_type == 'process' else 0), board
    assert (board['ipc_ms_p50'] > 0.01) == (worker_type == 'process'), board
    # The BPU stand-in in board timing mode answered (it holds the GIL for 2.95 ms a call).
    assert board['backend_ms_p50'] >= 2.95, board
    split = result['board_split']
    steps = list(split)
    assert steps[0].startswith('publisher: serialise') and steps[-1].startswith('age')
    for name in ('stamp -> node callback entry', 'node: inference (the runtime call)',
                 'node: publish() of the result'):
        assert split[name]['how'].startswith('measured'), name
    assert all(math.isfinite(step['ms_p50']) for step in split.values()), split
    assert split['age: stamp -> result received']['ms_p50'] == board['age_ms_p50']


def test_the_installed_bench_refuses_a_board_run_without_a_bpu_runtime(capsys):
    # Off the board and without the dev entry's stand-in: one line saying what to do.
    assert cli.main(['node', '--runs', 'board']) == 2
    captured = capsys.readouterr()
    assert captured.out == ''
    assert 'the board run needs the BPU runtime pyeasy_dnn' in captured.err
    assert 'scripts/devenv bench' in captured.err


def test_node_bench_refuses_an_unknown_run(capsys):
    assert cli.main(['node', '--runs', 'camera,boardx']) == 2
    assert 'unknown run(s) boardx' in capsys.readouterr().err
