# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""board_check: the same check functions the board runs, here on the CPU and the BPU STAND-IN.

The stand-in (dev/standins/hobot_dnn) is not the board's runtime: what these tests prove is
that each check reads what pyeasy_dnn reports, draws the right conclusion (e.g. softmax or
not) and writes it into the report; the board run then fills in the real values.
"""

import os
import sys

import pytest

from resnet_x5_ros.backends import create_backend, default_cpu_model
from resnet_x5_ros.postprocess import softmax
from resnet_x5_ros.tools.board_check import checks, cli as board_check
from resnet_x5_ros.tools.board_check.checks import CheckContext, run_checks, Section
from resnet_x5_ros.tools.node_process import stop_process
from support import REPO
from support.rosutil import start_process
from support.standins import standin_support as standins

MODEL = default_cpu_model()
pytestmark = pytest.mark.skipif(not os.path.isfile(MODEL),
                                reason='CPU model {} missing: run `make model`'.format(MODEL))
SAMPLES = os.path.join(REPO, 'resnet_x5_ros', 'data', 'samples')
X5_VIDEO_BIN = os.path.join(REPO, 'test', 'fixtures', 'x5', 'efficientnet_lite0_x5_video.bin')
QUICK = (checks.check_environment, checks.check_runtime, checks.check_model,
         checks.check_outputs, checks.check_classify, checks.check_nv12_range)


@pytest.fixture
def standin(tmp_path):
    with standins.standin_runtime() as pyeasy_dnn:
        yield pyeasy_dnn, standins.write_fixture_bin(tmp_path / 'resnet18_224x224_nv12.bin')


def by_title(sections):
    return {s.title: s for s in sections}


def run(ctx, selection=QUICK):
    try:
        return by_title(run_checks(ctx, selection))
    finally:
        ctx.close()


def test_cpu_machine_without_bpu_runtime():
    found = run(CheckContext(backend_kind='cpu', bench_seconds=0.2))
    assert found['BPU runtime'].status == 'SKIP'
    assert 'hobot_dnn.pyeasy_dnn' in '\n'.join(found['BPU runtime'].body)
    assert found['Model'].status == 'PASS'
    assert found['Model'].data['backend'] == 'cpu'
    assert found['Model outputs: softmax or not'].status == 'PASS'
    assert found['Model outputs: softmax or not'].data['apply_softmax'] is True
    assert found['Classify the sample photos'].status == 'PASS'
    assert found['NV12 colour range'].data['in_use'] == 'full'


def test_standin_runtime_model_tensors_and_logits(standin):
    pyeasy_dnn, model = standin
    found = run(CheckContext(backend_kind='bpu', model=model))
    runtime = found['BPU runtime']
    assert runtime.status == 'PASS' and 'STAND-IN' in runtime.summary
    tensors = found['Model'].data['tensors']
    assert tensors == [
        {'io': 'input', 'name': 'data', 'tensor_type': 'NV12', 'dtype': 'uint8',
         'layout': 'NCHW', 'shape': (1, 3, 224, 224), 'scale_data': 0},
        {'io': 'output', 'name': 'prob', 'tensor_type': 'float32', 'dtype': 'float32',
         'layout': 'NCHW', 'shape': (1, 1000, 1, 1), 'scale_data': 0}]
    assert found['Model'].data['recorded_nv12_range'] == 'full'
    assert '| input | data | NV12 |' in '\n'.join(found['Model'].body)
    outputs = found['Model outputs: softmax or not']
    assert outputs.status == 'PASS' and outputs.data['probabilities'] is False
    assert found['Classify the sample photos'].status == 'PASS'
    assert all(r.valid for r in pyeasy_dnn.forward_log)


def test_runtime_section_lists_both_runtimes(standin):
    found = run(CheckContext(backend_kind='bpu', model=standin[1]), QUICK[:2])
    section = found['BPU runtime']
    runtimes = section.data['runtimes']
    assert runtimes['pyeasy_dnn']['imports'] and not runtimes['hbm_runtime']['imports']
    body = '\n'.join(section.body)
    assert '| hbm_runtime | hbm_runtime | no: ' in body and '| pyeasy_dnn |' in body


def test_each_runtime_is_run_when_both_import(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(standins.STANDINS)
    names = ('hbm_runtime', 'hbm_runtime.HB_HBMRuntime', 'hobot_dnn', 'hobot_dnn.pyeasy_dnn')
    for name in names:
        monkeypatch.delitem(sys.modules, name, raising=False)
    model = standins.write_fixture_bin(tmp_path / 'resnet18_224x224_nv12.bin')
    try:
        found = run(CheckContext(backend_kind='bpu', bpu_runtime='hbm_runtime', model=model),
                    QUICK[:3] + (checks.check_each_runtime,))
        assert 'also imports: pyeasy_dnn' in found['BPU runtime'].summary
        assert found['Model'].data['description'].startswith('bpu: hbm_runtime (STAND-IN')
        assert found['Model'].data['tensors'][1]['quant_type'] == 'NONE'
        each = found['Each BPU runtime']
        assert each.status == 'PASS', (each.summary, each.body)
        assert set(each.data['runtimes']) == {'pyeasy_dnn', 'hbm_runtime'}
        assert each.data['runtimes']['hbm_runtime']['top1']['coffee.png'] == 'espresso'
        for name in ('hobot_dnn.pyeasy_dnn', 'hbm_runtime'):
            log = sys.modules[name].forward_log
            assert log and all(r.valid for r in log)
    finally:
        for name in names:
            module = sys.modules.pop(name, None)
            if module is not None and hasattr(module, 'reset'):
                module.reset(use_env=False)


def test_outputs_that_sum_to_one_ask_for_apply_softmax_false(standin):
    pyeasy_dnn, model = standin
    cpu = create_backend('cpu')
    try:
        pyeasy_dnn.set_scorer(lambda nv12, w, h, path: softmax(cpu.infer(nv12)))
        ctx = CheckContext(backend_kind='bpu', model=model)
        found = run(ctx)
    finally:
        cpu.close()
    outputs = found['Model outputs: softmax or not']
    assert outputs.status == 'WARN' and 'apply_softmax: false' in outputs.summary
    assert ctx.apply_softmax is False
    classify = found['Classify the sample photos']
    assert classify.status == 'PASS'
    coffee = next(r for r in classify.data['records'] if r['path'].endswith('coffee.png'))
    # Not softmax applied twice: the probability is the model's own.
    assert coffee['top'][0]['label'] == 'espresso' and coffee['top'][0]['score'] > 0.5


def test_quantised_int_outputs_are_reported_with_their_scale(standin):
    pyeasy_dnn, model = standin
    pyeasy_dnn.configure(output_type='int32', output_scale=[1.0 / 1024], output_layout='NHWC')
    found = run(CheckContext(backend_kind='bpu', model=model))
    output = found['Model'].data['tensors'][1]
    assert (output['tensor_type'], output['scale_data']) == ('int32', 1)
    assert found['Classify the sample photos'].status == 'PASS'


def test_the_range_recorded_in_a_compiled_x5_bin_is_used(standin):
    if not os.path.isfile(X5_VIDEO_BIN):
        pytest.skip('compiled fixture missing: ' + X5_VIDEO_BIN)
    found = run(CheckContext(backend_kind='bpu', model=X5_VIDEO_BIN))
    assert found['Model'].data['recorded_nv12_range'] == 'video'
    assert found['NV12 colour range'].data['in_use'] == 'video'
    means = found['NV12 colour range'].data['mean_expected_probability']
    assert set(means) == {'full', 'video'} and all(0 < m <= 1 for m in means.values())


def test_a_missing_model_fails_and_later_checks_skip(tmp_path):
    found = run(CheckContext(backend_kind='cpu', model=str(tmp_path / 'none.onnx')))
    assert found['Model'].status == 'FAIL' and 'none.onnx' in found['Model'].summary
    assert found['Classify the sample photos'].status == 'SKIP'
    assert found['Model outputs: softmax or not'].status == 'SKIP'


def test_a_check_that_raises_becomes_a_fail_section():
    @checks.titled('Broken check')
    def check_broken(ctx):
        raise ValueError('boom')
    sections = run_checks(CheckContext(), [check_broken, checks.check_environment])
    assert [(s.title, s.status) for s in sections] == [
        ('Broken check', 'FAIL'), ('Environment', 'INFO')]
    assert 'ValueError: boom' in sections[0].summary


def test_render_lists_every_section():
    import datetime
    sections = [Section('One', 'PASS', 'fine', ['body line']), Section('Two', 'FAIL', 'bad')]
    text = board_check.render(sections, 'board_check -o x.md',
                              datetime.datetime(2026, 1, 2, 3, 4, 5), 12.0)
    assert '| 1 | One | PASS | fine |' in text and '| 2 | Two | FAIL | bad |' in text
    assert '## 1. One — PASS' in text and 'body line' in text
    assert '`board_check -o x.md`' in text


def test_main_writes_one_report_on_the_standin(standin, tmp_path, capsys):
    _, model = standin
    report = tmp_path / 'report.md'
    code = board_check.main(['--backend', 'bpu', '--model', model, '-o', str(report),
                             '--bench-seconds', '0.2', '--skip', 'node'])
    text = report.read_text()
    assert code == 0, text
    for title in ('Environment', 'BPU runtime', 'Model', 'Model outputs: softmax or not',
                  'Classify the sample photos', 'Each BPU runtime', 'NV12 colour range',
                  'Performance'):
        assert '| {} |'.format(title) in text
    assert '| Each BPU runtime | INFO | one runtime: pyeasy_dnn ' in text
    assert 'Node run' not in text
    assert 'model zoo ResNet18 (published) | ResNet18 | 224x224 | 1000 | 2.950 | 8.810 | ' \
           '448.790' in text
    assert 'not comparable: the BPU runtime here is the test STAND-IN' in text
    assert 'report written to {}'.format(report) in capsys.readouterr().out


def test_main_exits_1_when_a_check_fails(tmp_path):
    report = tmp_path / 'r.md'
    assert board_check.main(['--backend', 'cpu', '--model', str(tmp_path / 'x.onnx'), '-o',
                             str(report), '--skip', 'bench', '--skip', 'node']) == 1
    assert '| 3 | Model | FAIL |' in report.read_text()


@pytest.mark.ros
def test_node_run_is_skipped_when_nothing_publishes():
    ctx = CheckContext(backend_kind='cpu', topic='/t_board_check_nobody/image_raw',
                       discovery_seconds=0.5)
    found = run(ctx, QUICK[2:3] + (checks.check_node,))
    node = found['Node run on the camera topic']
    assert node.status == 'SKIP' and 'nothing publishes' in node.summary


def start_camera(topic, encoding):
    return start_process(['-m', 'resnet_x5_ros.tools.image_publisher.cli',
                          os.path.join(SAMPLES, 'coffee.png'), '--topic', topic,
                          '--size', '640x480', '--rate', '15', '--encoding', encoding])


@pytest.mark.ros
@pytest.mark.parametrize('encoding', ['nv12', 'jpeg'])
def test_node_run_against_a_publishing_camera(encoding, standin):
    _, model = standin
    base = '/t_board_check_{}/image_raw'.format(encoding)
    topic = base + '/compressed' if encoding == 'jpeg' else base
    camera = start_camera(base, encoding)
    try:
        ctx = CheckContext(backend_kind='bpu', model=model, topic=topic,
                           discovery_seconds=20.0, node_seconds=2.0)
        found = run(ctx, QUICK[2:3] + (checks.check_node,))
    finally:
        code, out = stop_process(camera)
    node = found['Node run on the camera topic']
    assert node.status == 'PASS', (node.summary, node.body)
    assert node.data['published'] > 0 and node.data['rejected'] == 0
    assert node.data['last_result'][0][0] == 'espresso'
    if encoding == 'jpeg':
        assert node.data['camera'].startswith('compressed jpeg')
    else:
        assert node.data['camera'] == 'nv12 640x480 (step 640)'
    assert code == 0, out
