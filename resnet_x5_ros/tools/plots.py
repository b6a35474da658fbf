# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Pictures for people who would rather look than read: bench figures and confusions.

matplotlib is optional (not needed by the node or any other tool): require_matplotlib()
raises ToolError with the install hint when it is missing, so a tool can refuse --plot before
spending minutes measuring. Rendering uses the Agg backend: no display needed.
"""

from resnet_x5_ros.tools.common import ToolError

INSTALL_HINT = ('pip install matplotlib (tested with 3.11.2), or on Ubuntu/the RDK image: '
                'sudo apt install python3-matplotlib')


def matplotlib_status():
    """Return (True, version) or (False, why matplotlib cannot be used)."""
    try:
        import matplotlib
    except Exception as exc:  # a broken install can raise more than ImportError
        return False, '{}: {}'.format(type(exc).__name__, exc)
    return True, matplotlib.__version__


def require_matplotlib():
    """Return matplotlib.pyplot on the Agg backend, or raise ToolError saying how to get it."""
    ok, detail = matplotlib_status()
    if not ok:
        raise ToolError('plotting needs matplotlib, which does not import here ({}); {}'.format(
            detail, INSTALL_HINT))
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    return plt


def plot_bench(result, path):
    """Two panels: single-thread latency per stage (stacked) and frames per second."""
    plt = require_matplotlib()
    stages = result['stages']
    table = result['pipeline']
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.8))
    names = ['convert', 'infer', 'post']
    colours = ['#4c72b0', '#dd8452', '#55a868']
    start = 0.0
    for name, colour in zip(names, colours):
        value = stages[name]['median_ms']
        left.barh(['this pipeline'], [value], left=[start], color=colour,
                  label='{} {:.2f} ms'.format(name, value))
        start += value
    zoo = table.get('model zoo ResNet18 (published)')
    if zoo:
        left.barh(['model zoo ResNet18\n(infer only)'], [zoo['latency_single_ms']],
                  color='#999999', label='zoo {:.2f} ms'.format(zoo['latency_single_ms']))
    left.set_xlabel('single-thread latency, median ms')
    left.set_title('latency per stage')
    left.legend(loc='upper center', bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize=8)

    bars = [(name, row['fps']) for name, row in table.items() if row.get('fps')]
    right.barh([name for name, _ in bars], [fps for _, fps in bars],
               color=['#999999' if 'zoo' in name else '#4c72b0' for name, _ in bars])
    for y, (_, fps) in enumerate(bars):
        right.text(fps, y, ' {:.1f}'.format(fps), va='center', fontsize=8)
    right.set_xlabel('frames per second')
    right.set_title('throughput')
    right.invert_yaxis()
    setup = result.get('setup', {})
    fig.suptitle('{} backend | {} | frame {}'.format(
        setup.get('backend_name', ''), setup.get('model_name', ''), setup.get('frame', '')),
        fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_confusion(accuracy, labels, path, max_classes=30):
    """Heat map of top-1 answers for the true classes (the worst max_classes when more).

    Columns are the same classes plus 'other' for answers outside them, rows sum to 1.
    """
    plt = require_matplotlib()
    import numpy as np

    classes = [c for c, _, _, _ in accuracy.worst_classes(max_classes)]
    classes.sort()
    column = {c: i for i, c in enumerate(classes)}
    matrix = np.zeros((len(classes), len(classes) + 1))
    for (true, predicted), count in accuracy.confusions.items():
        if true in column:
            matrix[column[true], column.get(predicted, len(classes))] += count
    matrix /= np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    size = max(4.0, 0.32 * len(classes) + 2.5)
    fig, ax = plt.subplots(figsize=(size + 1.5, size))
    image = ax.imshow(matrix, cmap='Blues', vmin=0.0, vmax=1.0)
    names = [labels[c] for c in classes]
    ax.set_xticks(range(len(classes) + 1))
    ax.set_xticklabels(names + ['other'], rotation=90, fontsize=7)
    ax.set_yticks(range(len(classes)))
    ax.set_yticklabels(names, fontsize=7)
    ax.set_xlabel('top-1 answer')
    ax.set_ylabel('true class')
    ax.set_title('top-1 {:.1%}, top-{} {:.1%} over {} images'.format(
        accuracy.top1, accuracy.k, accuracy.topk, accuracy.total), fontsize=9)
    fig.colorbar(image, ax=ax, fraction=0.04)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
