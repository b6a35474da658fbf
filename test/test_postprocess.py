# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Softmax, top-k and the labels file."""

from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp
import numpy as np
import pytest

from resnet_x5_ros.postprocess import (DEFAULT_LABELS_PATH, LabelsError, load_labels,
                                       probabilities, softmax, top_k)

finite = st.floats(-1e4, 1e4, allow_nan=False, width=32)
score_vectors = hnp.arrays(np.float32, st.integers(1, 64), elements=finite)


# ---- labels ----------------------------------------------------------------------------------

def test_default_labels_are_imagenet_1k():
    labels = load_labels(DEFAULT_LABELS_PATH, expected_count=1000)
    assert len(labels) == 1000 and len(set(labels)) >= 998
    assert (labels[0], labels[281], labels[967]) == ('tench', 'tabby', 'espresso')


def _labels_file(tmp_path, content):
    path = tmp_path / 'labels.txt'
    path.write_bytes(content)
    return str(path)


def test_line_endings_and_final_newline(tmp_path):
    assert load_labels(_labels_file(tmp_path, b'a\r\nb b\r\n c \n\n')) == ['a', 'b b', 'c']
    assert load_labels(_labels_file(tmp_path, b'\xef\xbb\xbfa\nb')) == ['a', 'b']


@pytest.mark.parametrize('content, expected, problem', [
    (b'a\nb\nc\n', 2, 'has 3 labels but the model outputs 2 scores'),
    (b'a\n\nc\n', None, 'blank line(s) 2'),
    (b'', None, 'is empty'),
    (b'\n \n', None, 'is empty'),
    (b'caf\xe9\n', None, 'not UTF-8'),
])
def test_bad_labels_files(tmp_path, content, expected, problem):
    path = _labels_file(tmp_path, content)
    with pytest.raises(LabelsError) as info:
        load_labels(path, expected_count=expected)
    message = str(info.value)
    assert path in message and problem in message and '\n' not in message


def test_missing_labels_file(tmp_path):
    with pytest.raises(LabelsError, match='not found'):
        load_labels(str(tmp_path / 'none.txt'))
    with pytest.raises(LabelsError, match='directory'):
        load_labels(str(tmp_path))
    assert issubclass(LabelsError, ValueError)


# ---- softmax ---------------------------------------------------------------------------------

def test_softmax_known_values():
    p = softmax(np.array([0.0, np.log(3.0)]))
    assert np.allclose(p, [0.25, 0.75])


def test_softmax_is_stable_for_large_logits():
    p = softmax(np.array([1000.0, 1000.0, -1000.0], np.float32))
    assert p.dtype == np.float32 and np.allclose(p, [0.5, 0.5, 0.0])
    assert softmax(np.array([1, 2, 3])).dtype == np.float64


def test_softmax_handles_minus_inf_and_rejects_nan():
    assert np.allclose(softmax(np.array([0.0, -np.inf])), [1.0, 0.0])
    for bad in ([0.0, np.nan], [0.0, np.inf], [-np.inf, -np.inf]):
        with pytest.raises(ValueError):
            softmax(np.array(bad))
    with pytest.raises(ValueError):
        softmax(np.zeros((2, 2)))
    with pytest.raises(ValueError):
        softmax(np.zeros(0))


@settings(max_examples=200, deadline=None)
@given(score_vectors, st.floats(-100, 100))
def test_softmax_properties(scores, shift):
    p = softmax(scores)
    assert p.dtype == np.float32 and np.all(p >= 0) and np.all(p <= 1)
    assert abs(float(p.astype(np.float64).sum()) - 1.0) < 1e-4
    # Order-preserving (scores closer than float resolution may tie) and shift-invariant.
    assert p[int(np.argmax(scores))] == p.max()
    assert np.all(np.diff(p[np.argsort(scores, kind='stable')]) >= 0)
    assert np.allclose(p, softmax(scores.astype(np.float64) + shift), atol=1e-5)


# ---- top-k -----------------------------------------------------------------------------------

def test_top_k_best_first():
    assert top_k(np.array([0.1, 0.5, 0.3, 0.1]), 3) == [(1, 0.5), (2, 0.3), (0, 0.1)]


def test_top_k_ties_lower_index_first():
    assert [i for i, _ in top_k(np.array([0.2, 0.4, 0.2, 0.4, 0.2]), 5)] == [1, 3, 0, 2, 4]


def test_top_k_threshold():
    scores = np.array([0.05, 0.6, 0.3, 0.05])
    assert top_k(scores, 4, threshold=0.3) == [(1, 0.6), (2, 0.3)]
    assert top_k(scores, 4, threshold=0.9) == []
    logits = np.array([-3.0, -1.0])
    assert top_k(logits, 2) == []
    assert [i for i, _ in top_k(logits, 2, threshold=-np.inf)] == [1, 0]


@pytest.mark.parametrize('k', [0, 5, -1, 2.0, True, None])
def test_top_k_rejects_bad_k(k):
    with pytest.raises(ValueError, match=r'k must be an integer in \[1, 4\]'):
        top_k(np.zeros(4), k)


def test_top_k_rejects_nan():
    with pytest.raises(ValueError):
        top_k(np.array([0.1, np.nan]), 1)
    with pytest.raises(ValueError):
        top_k(np.array([0.1, 0.2]), 1, threshold=float('nan'))


def test_top_k_returns_python_types():
    (index, score), = top_k(np.array([0.25, 0.75], np.float32), 1)
    assert type(index) is int and type(score) is float


@settings(max_examples=300, deadline=None)
@given(score_vectors.filter(lambda a: a.size >= 1), st.data())
def test_top_k_matches_reference_order(scores, data):
    k = data.draw(st.integers(1, scores.size))
    threshold = data.draw(st.floats(-1e4, 1e4, allow_nan=False))
    reference = sorted(range(scores.size), key=lambda i: (-float(scores[i]), i))[:k]
    reference = [(i, float(scores[i])) for i in reference if float(scores[i]) >= threshold]
    assert top_k(scores, k, threshold) == reference


@settings(max_examples=300, deadline=None)
@given(st.one_of(
    # Few distinct values, signed zeros included: ties at the k-th place are the rule.
    hnp.arrays(np.float32, st.integers(1, 64),
               elements=st.sampled_from([0.0, -0.0, 0.25, 0.5, -1.0, float('-inf')])),
    hnp.arrays(np.int16, st.integers(1, 64), elements=st.integers(-3, 3)),
    hnp.arrays(np.bool_, st.integers(1, 64))), st.data())
def test_top_k_breaks_ties_by_index_for_any_dtype(scores, data):
    k = data.draw(st.integers(1, scores.size))
    values = scores.astype(np.float64)
    reference = sorted(range(scores.size), key=lambda i: (-values[i], i))[:k]
    assert top_k(scores, k, threshold=-np.inf) == [(i, float(values[i])) for i in reference]


def test_probabilities_are_softmax_or_the_scores_kept_in_0_1():
    logits = np.array([1.0, 3.0, 2.0])
    assert [i for i, _ in top_k(probabilities(logits), 2)] == [1, 2]
    assert abs(probabilities(logits).sum() - 1.0) < 1e-9
    assert top_k(probabilities(np.array([0.2, 0.8]), apply_softmax=False), 1) == [(1, 0.8)]
    clipped = probabilities(np.array([-0.5, 0.4, 1.7], np.float32), apply_softmax=False)
    assert clipped.tolist() == pytest.approx([0.0, 0.4, 1.0])
