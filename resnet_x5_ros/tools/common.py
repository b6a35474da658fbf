# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""What every tool shares: the model options and a Classifier built the way the node builds it.

The options are the node's parameters marked tool in params.PARAMS, with the same names
(--model_path, --top_k, --camera_range, ...; --model-path too), descriptions and defaults,
so a result printed by a tool is the result the node would publish with the same settings.
The options' earlier names (--model, --labels, --threads, --threshold, --no-softmax,
--bpu-runtime, --nv12-range, --top-k, --resize-mode, --class-id-format) are still accepted.
"""

import argparse
import dataclasses
import sys

from resnet_x5_ros.backends import BackendError, create_backend, ModelError
from resnet_x5_ros.messages import one_line
from resnet_x5_ros.params import PARAMS, parse_text, yaml_text
from resnet_x5_ros.pipeline import Classifier, Settings
from resnet_x5_ros.postprocess import DEFAULT_LABELS_PATH, LabelsError, load_labels

GROUP_TITLES = {'model': 'model (the node parameters of the same names)',
                'post': 'post-processing (the node parameters of the same names)'}
# Earlier names of the options, kept working and left out of --help.
OLD_NAMES = {'model_path': ('--model',), 'labels_path': ('--labels',),
             'num_threads': ('--threads',), 'score_threshold': ('--threshold',)}


class ToolError(Exception):
    """A problem that stops a tool; str() is the one line shown to the user."""


def _typed(param):
    def convert(text):
        try:
            return parse_text(param, text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    convert.__name__ = type(param.default).__name__  # argparse names it in its errors
    return convert


def add_parameter_options(parser, group_name, exclude=(), **defaults):
    """Add an option per node parameter of params group 'model' or 'post'; return the group.

    defaults: a tool's own default for some of them (e.g. top_k=5 for evaluate).
    """
    group = parser.add_argument_group(GROUP_TITLES[group_name])
    for param in PARAMS:
        if param.tool != group_name or param.name in exclude:
            continue
        default = defaults.get(param.name, param.default)
        kwargs = {'dest': param.name, 'type': _typed(param), 'choices': param.choices,
                  'metavar': '{' + ','.join(param.choices) + '}' if param.choices else
                  param.name.upper()}
        if isinstance(param.default, bool):
            kwargs['metavar'] = '{true,false}'
        group.add_argument('--' + param.name, default=default, help='{} (default {})'.format(
            param.description, yaml_text(default)).replace('%', '%%'), **kwargs)
        aliases = {'--' + param.name.replace('_', '-')} | set(OLD_NAMES.get(param.name, ()))
        aliases.discard('--' + param.name)
        if aliases:
            group.add_argument(*sorted(aliases), default=argparse.SUPPRESS,
                               help=argparse.SUPPRESS, **kwargs)
    if group_name == 'post' and 'apply_softmax' not in exclude:
        group.add_argument('--no-softmax', dest='apply_softmax', action='store_const',
                           const=False, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    return group


def add_model_arguments(parser):
    """Add the model options: backend, bpu_runtime, model_path, labels_path, nv12_range, ..."""
    return add_parameter_options(parser, 'model')


def add_settings_arguments(parser, exclude=(), **defaults):
    """Add the post-processing options: top_k, score_threshold, apply_softmax, resize_mode, ..."""
    return add_parameter_options(parser, 'post', exclude, **defaults)


def open_backend(args):
    """create_backend() from parsed model arguments; ToolError with one line on failure."""
    try:
        return create_backend(args.backend, args.model_path, nv12_range=args.nv12_range,
                              num_threads=args.num_threads,
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
        labels = load_labels(args.labels_path or DEFAULT_LABELS_PATH,
                             expected_count=backend.num_classes)
        # The post-processing options the tool has; the node's defaults for the others.
        values = {f.name: getattr(args, f.name) for f in dataclasses.fields(Settings)
                  if hasattr(args, f.name)}
        values.update(overrides)
        return Classifier(backend, labels, Settings(**values))
    except (LabelsError, ValueError) as exc:
        backend.close()
        raise ToolError(str(exc)) from None


def settings_line(classifier, encoding):
    """One line saying how pictures are fed and scored, for printed outputs."""
    s = classifier.settings
    return ('frames: {} -> {}x{} NV12 ({} range, camera_range {}), resize {}, softmax {}, '
            'top-{}, threshold {:g}'.format(encoding, classifier.backend.input_width,
                                            classifier.backend.input_height,
                                            classifier.backend.nv12_range, s.camera_range,
                                            s.resize_mode, 'on' if s.apply_softmax else 'off',
                                            s.top_k, s.score_threshold))


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
