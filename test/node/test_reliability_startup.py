# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Start-up with a bad model, labels file or parameter: one clear line, non-zero exit.

Each case starts the node as users do (its own process) with one thing wrong and expects
exactly one `classifier_node: error:` line naming the file or parameter, a non-zero exit code
and no Python traceback. All cases start at once (most fail within a second of importing
rclpy), so the whole table costs a few seconds.
"""

import json
import os
import signal

import pytest

from resnet_x5_ros.backends import bpu_runtime_available, bpu_runtime_status
from support.nodes import CPU_MODEL, refused_start_up, start_node
from support.reliability import standin_env

pytestmark = pytest.mark.ros


def _files(folder):
    """The bad files the cases point at, written once."""
    folder = str(folder)
    paths = {}

    def write(name, data):
        path = os.path.join(folder, name)
        with open(path, 'wb') as f:
            f.write(data)
        paths[name] = path
        return path

    write('empty.onnx', b'')
    write('corrupt.onnx', os.urandom(4096))
    write('unchecked.onnx', os.urandom(4096))
    sidecar = os.path.splitext(CPU_MODEL)[0] + '.json'
    if os.path.exists(CPU_MODEL) and os.path.exists(sidecar):
        # corrupt.onnx fails its sidecar's checksum; unchecked.onnx and truncated.onnx have
        # sidecars without one, so ONNX Runtime itself has to refuse them.
        with open(sidecar, encoding='utf-8') as f:
            description = json.load(f)
        with open(CPU_MODEL, 'rb') as f:
            write('truncated.onnx', f.read(os.path.getsize(CPU_MODEL) // 2))
        write('corrupt.json', json.dumps(description).encode())
        description.pop('sha256', None)
        for name in ('unchecked', 'truncated'):
            description['model_file'] = name + '.onnx'
            write(name + '.json', json.dumps(description).encode())
    write('no_sidecar.onnx', os.urandom(64))
    write('model.bin', b'not a real Horizon model; only the stand-in accepts this\n')
    write('empty.bin', b'')
    write('labels_999.txt', ''.join('class {}\n'.format(i) for i in range(999)).encode())
    write('labels_empty.txt', b'')
    write('bad_type.yaml', b'/**:\n  ros__parameters:\n    backend: cpu\n    top_k: "five"\n')
    os.mkdir(os.path.join(folder, 'a_directory.onnx'))
    paths['a_directory.onnx'] = os.path.join(folder, 'a_directory.onnx')
    return paths


# (case id, ros args (FILE:name = a path from _files), what the line must name, how: None for
# the CPU backend, 'standin' for the BPU stand-in, 'standin-noload' for a stand-in whose
# load() fails, 'standin-faulty' for one whose every forward fails (the warm-up) and
# 'standin-int8' for one whose output is int8 without scale data and 'noruntime' for a node
# where no BPU runtime imports at all)
CASES = [
    ('cpu-model-missing', ['-p', 'model_path:=/nonexistent/model.onnx'],
     '/nonexistent/model.onnx', None),
    ('cpu-model-empty', ['-p', 'model_path:=FILE:empty.onnx'], 'empty.onnx', None),
    ('cpu-model-corrupt', ['-p', 'model_path:=FILE:corrupt.onnx'], 'corrupt.onnx', None),
    ('cpu-model-unreadable', ['-p', 'model_path:=FILE:unchecked.onnx'], 'unchecked.onnx',
     None),
    ('cpu-model-truncated', ['-p', 'model_path:=FILE:truncated.onnx'], 'truncated.onnx', None),
    ('cpu-model-no-sidecar', ['-p', 'model_path:=FILE:no_sidecar.onnx'], 'no_sidecar', None),
    ('cpu-model-directory', ['-p', 'model_path:=FILE:a_directory.onnx'], 'a_directory.onnx',
     None),
    ('cpu-given-a-bin', ['-p', 'model_path:=FILE:model.bin'], 'model.bin', None),
    ('bpu-given-an-onnx', ['-p', 'backend:=bpu', '-p', 'model_path:=' + CPU_MODEL],
     os.path.basename(CPU_MODEL), 'standin'),
    ('bpu-model-missing', ['-p', 'backend:=bpu', '-p', 'model_path:=/nonexistent/m.bin'],
     '/nonexistent/m.bin', 'standin'),
    ('bpu-model-empty', ['-p', 'backend:=bpu', '-p', 'model_path:=FILE:empty.bin'],
     'empty.bin', 'standin'),
    ('bpu-load-fails', ['-p', 'backend:=bpu', '-p', 'model_path:=FILE:model.bin'],
     'model.bin', 'standin-noload'),
    ('bpu-warmup-fails', ['-p', 'backend:=bpu', '-p', 'model_path:=FILE:model.bin'],
     'model.bin', 'standin-faulty'),
    ('bpu-no-runtime', ['-p', 'backend:=bpu', '-p', 'model_path:=FILE:model.bin'],
     'no BPU runtime', 'noruntime'),
    ('auto-bin-no-runtime', ['-p', 'backend:=auto', '-p', 'model_path:=FILE:model.bin'],
     'model.bin', 'noruntime'),
    ('labels-wrong-count', ['-p', 'labels_path:=FILE:labels_999.txt'], 'labels_999.txt', None),
    ('labels-empty', ['-p', 'labels_path:=FILE:labels_empty.txt'], 'labels_empty.txt', None),
    ('labels-missing', ['-p', 'labels_path:=/nonexistent/labels.txt'],
     '/nonexistent/labels.txt', None),
    ('top_k-zero', ['-p', 'top_k:=0'], 'top_k', None),
    ('top_k-too-big', ['-p', 'top_k:=1001'], 'top_k', None),
    ('top_k-float', ['-p', 'top_k:=2.5'], 'top_k', None),
    ('top_k-string', ['-p', 'top_k:=many'], 'top_k', None),
    ('threshold-above-1', ['-p', 'score_threshold:=1.5'], 'score_threshold', None),
    ('threshold-negative', ['-p', 'score_threshold:=-0.1'], 'score_threshold', None),
    ('threshold-string', ['-p', 'score_threshold:=high'], 'score_threshold', None),
    ('workers-zero', ['-p', 'num_workers:=0'], 'num_workers', None),
    ('workers-too-many', ['-p', 'num_workers:=17'], 'num_workers', None),
    ('threads-negative', ['-p', 'num_threads:=-1'], 'num_threads', None),
    ('diagnostics-zero', ['-p', 'diagnostics_period:=0.0'], 'diagnostics_period', None),
    ('compressed-not-bool', ['-p', 'compressed:=maybe'], 'compressed', None),
    ('softmax-not-bool', ['-p', 'apply_softmax:=7'], 'apply_softmax', None),
    ('backend-unknown', ['-p', 'backend:=gpu'], 'backend', None),
    ('qos-unknown', ['-p', 'qos_reliability:=sometimes'], 'qos_reliability', None),
    ('class-id-unknown', ['-p', 'class_id_format:=label'], 'class_id_format', None),
    ('resize-unknown', ['-p', 'resize_mode:=squash'], 'resize_mode', None),
    ('range-unknown', ['-p', 'nv12_range:=bt709'], 'nv12_range', None),
    ('bpu-runtime-unknown', ['-p', 'bpu_runtime:=tensorrt'], 'bpu_runtime', None),
    ('bpu-runtime-absent', ['-p', 'backend:=bpu', '-p', 'bpu_runtime:=hbm_runtime',
                            '-p', 'model_path:=FILE:model.bin'], 'hbm_runtime', 'noruntime'),
    ('bpu-int8-output-without-scale', ['-p', 'backend:=bpu', '-p', 'model_path:=FILE:model.bin'],
     'model.bin', 'standin-int8'),
    ('yaml-wrong-type', ['--params-file', 'FILE:bad_type.yaml'], 'top_k', None),
    # Names rcl would refuse later with a traceback, and frame ids tf2 refuses.
    ('perception-topic-space', ['-p', 'perception_topic:=bad topic'], 'perception_topic',
     None),
    ('perception-topic-trailing-slash', ['-p', 'perception_topic:=results/'],
     'perception_topic', None),
    ('perception-topic-digit', ['-p', 'perception_topic:=2d/results'], 'perception_topic',
     None),
    ('perception-topic-double-slash', ['-p', 'perception_topic:=a//b'], 'perception_topic',
     None),
    ('frame-id-slash', ['-p', 'shared_mem_frame_id:=/camera'], 'shared_mem_frame_id', None),
    ('frame-id-space', ['-p', 'shared_mem_frame_id:=my camera'], 'shared_mem_frame_id', None),
    ('remap-bad-topic', ['-r', 'image:=bad topic'], 'image:=bad topic', None),
    ('remap-bad-namespace', ['-r', '__ns:=/bad ns'], '__ns:=/bad ns', None),
    ('remap-bad-node-name', ['-r', '__node:=bad-name'], '__node:=bad-name', None),
]


# The stand-in's settings for each 'standin...' way of the CASES.
STANDIN_SETTINGS = {'standin': {}, 'standin-faulty': {'fail_every': 1},
                    'standin-noload': {'fail_load': 1}, 'standin-int8': {'output_type': 'int8'}}


def _expand(args, files):
    expanded = []
    for arg in args:
        for name, path in files.items():
            arg = arg.replace('FILE:' + name, path)
        expanded.append(arg)
    return expanded


@pytest.fixture(scope='module')
def started(tmp_path_factory):
    """Start every case's node at once; each test then waits for its own."""
    folder = tmp_path_factory.mktemp('startup')
    files = _files(folder)
    nodes = {}
    for case in CASES:
        case_id, args, _, how = case
        env = {}
        # 'noruntime': no stand-in on the path, only a vendor pyeasy_dnn could import (then
        # the case is skipped).
        if how in STANDIN_SETTINGS:
            env, _ = standin_env(folder, **STANDIN_SETTINGS[how])
        ros_args = []
        if not any('backend:=' in a for a in args) and '--params-file' not in args:
            ros_args += ['-p', 'backend:=cpu']
        nodes[case_id] = start_node('/t_start_' + case_id.replace('-', '_'),
                                    *(ros_args + _expand(args, files)), params_file=None,
                                    env=env)
    yield nodes
    for node in nodes.values():
        node.stop(signal.SIGKILL)


@pytest.mark.parametrize('case_id, args, names, how', CASES,
                         ids=[c[0] for c in CASES])
def test_bad_start_up_gives_one_clear_line(started, case_id, args, names, how):
    if how is None and not os.path.exists(CPU_MODEL):
        pytest.skip('run `make model` first: no ' + CPU_MODEL)
    if how == 'noruntime' and bpu_runtime_available():
        pytest.skip('a BPU runtime imports here: ' + bpu_runtime_status())
    line, out = refused_start_up(started[case_id], timeout=90)
    assert names in line, out
