# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Post-processing of a classifier's scores: softmax, top-k, ImageNet labels. No ROS.

The labels file has one class name per line; line N (0-based) names class index N. The
default is the committed ImageNet-1k list (resnet_x5_ros/data/imagenet_classes.txt, source in
resnet_x5_ros/data/SOURCES.md). Its length is checked against the model's output size at
start-up, because a mismatched list would label every result wrongly without any error.
"""

import math
import os

import numpy as np

DEFAULT_LABELS_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'data',
                                   'imagenet_classes.txt')


class LabelsError(ValueError):
    """A labels file cannot be used; str() is one line naming the file and the problem."""


def load_labels(path=DEFAULT_LABELS_PATH, expected_count=None):
    """Read one label per line (UTF-8, surrounding whitespace stripped).

    A final newline is optional; blank lines are an error (they would shift every later
    index). expected_count, when given, must equal the number of labels (the model's
    num_classes).
    """
    try:
        with open(path, 'rb') as f:
            raw = f.read()
    except FileNotFoundError:
        raise LabelsError('labels file not found: {}'.format(path)) from None
    except IsADirectoryError:
        raise LabelsError('labels path is a directory: {}'.format(path)) from None
    except OSError as exc:
        raise LabelsError('labels file {} cannot be read: {}'.format(
            path, exc.strerror or exc)) from None
    try:
        text = raw.decode('utf-8-sig')
    except UnicodeDecodeError as exc:
        raise LabelsError('labels file {} is not UTF-8 text (byte {})'.format(
            path, exc.start)) from None
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise LabelsError('labels file {} is empty'.format(path))
    labels = [line.strip() for line in lines]
    blank = [i + 1 for i, label in enumerate(labels) if not label]
    if blank:
        raise LabelsError('labels file {} has blank line(s) {} (one label per line, line N = '
                          'class N-1)'.format(path, ', '.join(str(n) for n in blank[:5])))
    if expected_count is not None and len(labels) != int(expected_count):
        raise LabelsError('labels file {} has {} labels but the model outputs {} scores'.format(
            path, len(labels), int(expected_count)))
    return labels


def _as_scores(scores):
    array = np.asarray(scores)
    if array.ndim != 1 or array.size == 0:
        raise ValueError('scores must be a non-empty 1-D array, got shape {}'.format(
            array.shape))
    if array.dtype.kind not in 'fiub':
        raise ValueError('scores must be numeric, got {}'.format(array.dtype))
    return array


def softmax(scores):
    """Numerically stable softmax of a 1-D score vector.

    float32 and float64 input keep their dtype, anything else gives float64. -inf entries get
    probability 0; NaN or +inf raise ValueError (they mean a broken model output).
    """
    array = _as_scores(scores)
    dtype = array.dtype if array.dtype in (np.float32, np.float64) else np.float64
    array = array.astype(dtype, copy=False)
    # The maximum is NaN if any score is and +inf if any is: one pass checks both. (Runs once
    # per frame after the worker slept ~30 ms, when every numpy call costs ~10 us cold.)
    top = float(array.max())
    if math.isnan(top) or top == math.inf:
        raise ValueError('scores contain NaN or +inf')
    if top == -math.inf:
        raise ValueError('all scores are -inf')
    exp = np.exp(array - top)
    exp /= exp.sum(dtype=dtype)
    return exp


def top_k(scores, k, threshold=0.0):
    """Return the k best (index, score) pairs, best first, keeping only score >= threshold.

    k must be in [1, len(scores)]. Equal scores come in index order (lower index first), so
    the result is the same on every run and every machine. threshold must be a number (not
    NaN); note that the default 0.0 drops negative scores, so pass -inf for raw logits.
    """
    array = _as_scores(scores)
    n = array.size
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= n:
        raise ValueError('k must be an integer in [1, {}], got {!r}'.format(n, k))
    k = int(k)
    threshold = float(threshold)
    if math.isnan(threshold):
        raise ValueError('threshold must be a number, got NaN')
    values = array if array.dtype.kind == 'f' else array.astype(np.float64)
    if math.isnan(values.max()):  # NaN propagates through max
        raise ValueError('scores contain NaN')
    # Only scores at least the k-th largest can make the list; taking them in index order
    # and sorting them stably keeps equal scores in index order, as a full sort would.
    kth = np.partition(values, n - k)[n - k]
    candidates = np.flatnonzero(values >= kth)
    picked = values[candidates]
    order = np.argsort(-picked, kind='stable')[:k]
    return [(i, s) for i, s in zip(candidates[order].tolist(), picked[order].tolist())
            if s >= threshold]


def probabilities(raw, apply_softmax=True):
    """Return a model's raw scores as scores in [0, 1], as vision_msgs wants them.

    apply_softmax: softmax(raw); else the model already outputs probabilities (or the user
    wants its values as they are): they are clipped into [0, 1].
    """
    if apply_softmax:
        return softmax(raw)
    return np.clip(_as_scores(raw), 0.0, 1.0)
