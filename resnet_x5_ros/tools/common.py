# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""What every tool shares: the model options and a Classifier built the way the node builds it.

The options mirror the node's parameters (backend, bpu_runtime, model_path, labels_path,
nv12_range, num_threads, top_k, score_threshold, apply_softmax, resize_mode) with the node's
defaults, so a result printed by a tool is the result the node would publish with the same
settings.
"""

import sys

from resnet_x5_ros import convert
from resnet_x5_ros.backends import (BackendError, BACKENDS, BPU_RUNTIMES, create_backend,
                                    ModelError)
from resnet_x5_ros.messages import one_line
from resnet_x5_ros.pipeline import Classifier, Settings
from resnet_x5_ros.postprocess import DEFAULT_LABELS_PATH, LabelsError, load_labels


class ToolError(Exception):
    """A problem that stops a tool; str() is the one line shown to the user."""


def add_model_arguments(parser):
    """Add --backend, --bpu-runtime, --model, --labels, --nv12-range, --threads."""
    group = parser.add_argument_group('model (same meaning as the node parameters)')
    group.add_argument('--backend', choices=BACKENDS, default='auto',
                       help='auto (bpu when a BPU runtime imports, else cpu), bpu or cpu')
    group.add_argument('--bpu-runtime', choices=BPU_RUNTIMES, default='auto',
                       help='bpu backend: auto (pyeasy_dnn if it imports, else hbm_runtime), '
                            'pyeasy_dnn or hbm_runtime')
    group.add_argument('--model', default='',
                       help="model file (default: the backend's: the board ResNet18 .bin or "
                            'the installed efficientnet_lite0.onnx, see models/README.md)')
    group.add_argument('--labels', default='',
                       help='class names, one per line (default: the bundled ImageNet-1k list)')
    group.add_argument('--nv12-range', choices=('auto', 'full', 'video'), default='auto',
                       help="NV12 colour range fed to the model (default auto: the model's own)")
    group.add_argument('--threads', type=int, default=0,
                       help='cpu backend: ONNX Runtime intra-op threads (default 0 = all cores)')
    return group


def add_settings_arguments(parser, top_k=5):
    """Add --top-k, --threshold, --resize-mode and --no-softmax (node defaults)."""
    group = parser.add_argument_group('post-processing (same meaning as the node parameters)')
    group.add_argument('--top-k', type=int, default=top_k,
                       help='classes per image (default {})'.format(top_k))
    group.add_argument('--threshold', type=float, default=0.0,
                       help='leave out classes scoring below this, 0..1 (default 0)')
    group.add_argument('--resize-mode', choices=convert.RESIZE_MODES,
                       default=convert.DEFAULT_RESIZE_MODE,
                       help='how a picture is fitted to the model input (default {})'.format(
                           convert.DEFAULT_RESIZE_MODE))
    group.add_argument('--no-softmax', dest='apply_softmax', action='store_false',
                       help='the model already outputs probabilities (apply_softmax: false)')
    return group


def open_backend(args):
    """create_backend() from parsed model arguments; ToolError with one line on failure."""
    try:
        return create_backend(args.backend, args.model, nv12_range=args.nv12_range,
                              num_threads=args.threads,
                              bpu_runtime=getattr(args, 'bpu_runtime', 'auto'))
    except (ModelError, BackendError, ValueError) as exc:
        raise ToolError(one_line(exc)) from None


def open_classifier(args, backend=None, **overrides):
    """Return a pipeline.Classifier for the parsed arguments (backend opened if not given).

    overrides replace Settings fields (e.g. top_k=5 for evaluate). The backend is closed
    again if the labels or settings are refused.
    """
    backend = backend or open_backend(args)
    try:
        labels = load_labels(args.labels or DEFAULT_LABELS_PATH,
                             expected_count=backend.num_classes)
        values = {'top_k': getattr(args, 'top_k', 5),
                  'score_threshold': getattr(args, 'threshold', 0.0),
                  'apply_softmax': getattr(args, 'apply_softmax', True),
                  'resize_mode': getattr(args, 'resize_mode', convert.DEFAULT_RESIZE_MODE)}
        values.update(overrides)
        return Classifier(backend, labels, Settings(**values))
    except (LabelsError, ValueError) as exc:
        backend.close()
        raise ToolError(str(exc)) from None


def settings_line(classifier, encoding):
    """One line saying how pictures are fed and scored, for printed outputs."""
    s = classifier.settings
    return ('frames: {} -> {}x{} NV12 ({} range), resize {}, softmax {}, top-{}, '
            'threshold {:g}'.format(encoding, classifier.backend.input_width,
                                    classifier.backend.input_height,
                                    classifier.backend.nv12_range, s.resize_mode,
                                    'on' if s.apply_softmax else 'off', s.top_k,
                                    s.score_threshold))


def run_tool(prog, body, argv=None):
    """Run body(argv) -> exit code; ToolError becomes 'prog: error: ...' and exit code 2."""
    try:
        return body(sys.argv[1:] if argv is None else list(argv))
    except ToolError as exc:
        print('{}: error: {}'.format(prog, exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print('{}: interrupted'.format(prog), file=sys.stderr)
        return 130
