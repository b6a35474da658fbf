# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""The BPU path against real compiled X5 models on D-Robotics' simulator (hbdk-sim).

Our NV12 (both ranges) -> the compiled .bin fixtures on hbdk-sim -> the .bin's own post-steps
-> our post-processing, on the real sample photos; compared with the CPU model. Then the real
BPU backend, driven through the pyeasy_dnn stand-in whose scores come from the simulator.
Skips (with the reason) only where hbdk-sim could not be obtained by `make setup`.
Simulator results are cached in .build/hbdk-sim/cache (keyed by simulator, model and frame
bytes); one test always runs the simulator itself.
"""

import os

import numpy as np
import pytest

from resnet_x5_ros.backends import create_backend, default_cpu_model
from resnet_x5_ros.postprocess import load_labels, probabilities, top_k
from resnet_x5_ros.tools.samples import EXPECTED_CLASSES
from support.standins import sim_scorer, standin_support as standins
from x5_simulator import hbdk_sim
from x5_simulator.evaluate import (cosine, evaluate, FIXTURE_BINS, load_photos, photo_nv12,
                                   RANGES)
from x5_simulator.harness import SimulatedModel


try:
    SIM_PATH = hbdk_sim.locate()
    SIM_REASON = ''
except hbdk_sim.SimulatorUnavailable as exc:
    SIM_PATH = None
    SIM_REASON = str(exc)

pytestmark = pytest.mark.skipif(SIM_PATH is None, reason=SIM_REASON or 'no hbdk-sim')

MIN_COSINE = 0.98


@pytest.fixture(scope='module')
def result():
    onnx = default_cpu_model()
    if not os.path.isfile(onnx):
        pytest.fail('CPU model {} missing: run `make model`'.format(onnx))
    return evaluate(FIXTURE_BINS, onnx_path=onnx)


def _rows(result, matched):
    return [r for r in result['rows'] if r['matched'] == matched]


@pytest.mark.parametrize('nv12_range', RANGES)
def test_expected_top5_with_matching_range(result, nv12_range):
    rows = [r for r in _rows(result, True) if r['bin'] == nv12_range]
    assert len(rows) == len(EXPECTED_CLASSES)
    for row in rows:
        expected = EXPECTED_CLASSES[row['photo']]
        assert set(expected) & set(row['top5']), (row['photo'], row['top5'])


def test_cosine_to_cpu_model_with_matching_range(result):
    for row in _rows(result, True):
        assert row['cosine'] >= MIN_COSINE, row
        assert row['top1'] == row['cpu_top1'], row


def test_mismatched_range_is_measurably_worse(result):
    matched, mismatched = _rows(result, True), _rows(result, False)
    assert np.mean([r['cosine'] for r in mismatched]) < np.mean([r['cosine'] for r in matched])
    for bin_range in RANGES:
        # Probability mass moved away from the CPU model's distribution, per .bin.
        good = np.mean([r['prob_l1'] for r in matched if r['bin'] == bin_range])
        bad = np.mean([r['prob_l1'] for r in mismatched if r['bin'] == bin_range])
        assert bad > good * 1.2, (bin_range, good, bad)


def test_our_postprocessing_on_simulated_scores(result):
    labels = result['labels']
    index = result['photos'].index('coffee.png')
    scores = result['sim']['full', 'full'][index]
    assert scores.dtype == np.float32 and scores.shape == (1000,)
    top = top_k(probabilities(scores), 5)
    assert labels[top[0][0]] == 'espresso'
    assert top[0][1] > 0.5 and sum(p for _, p in top) <= 1.0 + 1e-6


def test_simulator_itself_runs_and_matches_cache():
    # Bypass the cache once: the simulator binary really runs, and gives the cached numbers.
    name, bgr = load_photos(names=['chelsea.png'])[0]
    frame = photo_nv12(bgr, 224, 224, 'video')
    with SimulatedModel(FIXTURE_BINS['video'], use_cache=False) as fresh:
        direct = fresh.scores(frame)
        assert fresh.sim.runs == 1
    with SimulatedModel(FIXTURE_BINS['video']) as cached:
        again = cached.scores(frame)
    np.testing.assert_array_equal(direct, again)
    assert load_labels()[int(np.argmax(direct))] in EXPECTED_CLASSES[name]


def test_wrong_frame_size_is_refused():
    with SimulatedModel(FIXTURE_BINS['full']) as model:
        with pytest.raises(ValueError, match='75264'):
            model.scores(np.zeros(1000, np.uint8))


@pytest.fixture
def standin():
    # standin_runtime() puts the stand-in on sys.path only inside the block and removes it
    # afterwards, so later tests still see "no BPU runtime" on this machine.
    scorer = sim_scorer()
    with standins.standin_runtime() as pyeasy_dnn:
        try:
            yield pyeasy_dnn, scorer
        finally:
            scorer.close_all()


@pytest.mark.parametrize('bin_range', RANGES)
def test_bpu_backend_on_compiled_bin_via_simulator(standin, result, bin_range):
    pyeasy_dnn, sim_scorer = standin
    path = FIXTURE_BINS[bin_range]
    assert sim_scorer.applies(path)
    sim_scorer.install(pyeasy_dnn, path)
    before = sim_scorer.calls[0]
    backend = create_backend('bpu', path, runtime=pyeasy_dnn)
    try:
        # nv12_range 'auto' must come from the .bin's own INPUT_SPACE_AND_RANGE record.
        assert backend.nv12_range == bin_range
        assert (backend.input_width, backend.input_height) == (224, 224)
        assert backend.num_classes == 1000
        assert backend.outputs_probabilities is False  # logits, as the .bin's output is
        assert sim_scorer.calls[0] == before + 1  # the warm-up frame went through the sim
        photos = load_photos()
        for index, (name, bgr) in enumerate(photos):
            scores = backend.infer(photo_nv12(bgr, 224, 224, backend.nv12_range))
            # Exactly the harness's numbers: the backend adds nothing and loses nothing.
            np.testing.assert_array_equal(scores, result['sim'][bin_range, bin_range][index])
            assert cosine(scores, result['cpu'][bin_range][index]) >= MIN_COSINE
        assert all(r.valid for r in pyeasy_dnn.forward_log)
    finally:
        backend.close()


def test_bpu_backend_range_override_wins(standin):
    pyeasy_dnn, sim_scorer = standin
    sim_scorer.install(pyeasy_dnn, FIXTURE_BINS['video'])
    backend = create_backend('bpu', FIXTURE_BINS['video'], runtime=pyeasy_dnn,
                             nv12_range='full', warmup=False)
    try:
        assert backend.nv12_range == 'full'
        assert 'video' in backend.description  # the .bin's own record is still reported
    finally:
        backend.close()


def test_standin_default_scorer_simulates_a_real_bin(standin):
    # With no scorer set, the stand-in scores a compiled X5 .bin on hbdk-sim, so any test
    # that drives the BPU backend with a real .bin gets the compiled model's numbers.
    pyeasy_dnn, sim_scorer = standin
    before = sim_scorer.calls[0]
    backend = create_backend('bpu', FIXTURE_BINS['full'], runtime=pyeasy_dnn, warmup=False)
    try:
        name, bgr = load_photos()[0]
        backend.infer(photo_nv12(bgr, 224, 224, backend.nv12_range))
        assert sim_scorer.calls[0] == before + 1
    finally:
        backend.close()
