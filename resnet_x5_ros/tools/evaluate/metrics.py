# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Accuracy bookkeeping for `evaluate`: top-1 / top-5, per class, and top-1 confusions."""

import collections
import csv


class Accuracy(object):
    """Counts top-1 and top-k hits over (true class, ranked predictions) pairs."""

    def __init__(self, k=5):
        self.k = k
        self.total = 0
        self.top1_hits = 0
        self.topk_hits = 0
        self.failed = 0
        self.per_class = collections.defaultdict(lambda: [0, 0, 0])  # [n, top1, topk]
        self.confusions = collections.Counter()  # (true, predicted top-1) -> count

    def add(self, true_index, predicted):
        """Record one image: predicted is the class indices best first (at least 1)."""
        top1 = predicted[0] == true_index
        topk = true_index in predicted[:self.k]
        self.total += 1
        self.top1_hits += top1
        self.topk_hits += topk
        counts = self.per_class[true_index]
        counts[0] += 1
        counts[1] += top1
        counts[2] += topk
        self.confusions[true_index, predicted[0]] += 1

    def add_failure(self):
        """Count an image that could not be classified (apart, not as a miss)."""
        self.failed += 1

    @property
    def top1(self):
        return self.top1_hits / self.total if self.total else 0.0

    @property
    def topk(self):
        return self.topk_hits / self.total if self.total else 0.0

    def most_confused(self, n=10):
        """Return the n most frequent wrong top-1 answers: [((true, predicted), count)]."""
        wrong = [(pair, c) for pair, c in self.confusions.items() if pair[0] != pair[1]]
        return sorted(wrong, key=lambda item: (-item[1], item[0]))[:n]

    def worst_classes(self, n=10):
        """Return classes by top-1 accuracy, worst first: [(class, n, top-1, top-k rate)]."""
        rows = [(c, v[0], v[1] / v[0], v[2] / v[0]) for c, v in self.per_class.items()]
        return sorted(rows, key=lambda r: (r[2], r[3], r[0]))[:n]

    def summary(self):
        """Return the figures as a JSON-ready dict."""
        return {'images': self.total, 'failed': self.failed, 'top1': self.top1,
                'top{}'.format(self.k): self.topk, 'top1_hits': self.top1_hits,
                'top{}_hits'.format(self.k): self.topk_hits, 'classes': len(self.per_class)}


def write_confusion_csv(path, accuracy, labels):
    """One row per (true class, predicted top-1) pair seen, most frequent first.

    Sparse on purpose: a 1000 x 1000 matrix would be almost all zeros.
    """
    with open(path, 'w', newline='', encoding='utf-8') as f:
        writer = csv.writer(f)
        writer.writerow(['true_index', 'true_label', 'predicted_index', 'predicted_label',
                         'count', 'share_of_true_class'])
        for (true, predicted), count in sorted(accuracy.confusions.items(),
                                               key=lambda item: (-item[1], item[0])):
            writer.writerow([true, labels[true], predicted, labels[predicted], count,
                             '{:.4f}'.format(count / accuracy.per_class[true][0])])
