# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""The tools' model and post-processing options are the node parameters (params.PARAMS)."""

import argparse

import pytest

from resnet_x5_ros.params import PARAMS
from resnet_x5_ros.tools.bench import backend as bench_backend, zoo_table
from resnet_x5_ros.tools.board_check import cli as board_check
from resnet_x5_ros.tools.classify import cli as classify
from resnet_x5_ros.tools.evaluate import cli as evaluate

MODEL = {p.name: p for p in PARAMS if p.tool == 'model'}
POST = {p.name: p for p in PARAMS if p.tool == 'post'}


def _suite_parser(module):
    parser = argparse.ArgumentParser()
    module.add_arguments(parser)
    return parser


PARSERS = {
    'classify': (classify.build_parser, {**MODEL, **POST}),
    'evaluate': (evaluate.build_parser, {**MODEL, **{n: p for n, p in POST.items() if n not in (
        'top_k', 'score_threshold', 'class_id_format')}}),
    'board_check': (board_check.build_parser, MODEL),
    'bench pipeline': (lambda: _suite_parser(zoo_table), {**MODEL, **POST}),
    'bench backend': (lambda: _suite_parser(bench_backend), MODEL),
}


def _options(parser):
    """{dest: the action of its '--dest' option} for the options named like their dest."""
    return {a.dest: a for a in parser._actions if '--' + a.dest in a.option_strings}


@pytest.mark.parametrize('tool', sorted(PARSERS))
def test_options_are_the_parameters_with_their_names_defaults_and_choices(tool):
    build, expected = PARSERS[tool]
    options = _options(build())
    for name, param in expected.items():
        assert name in options, '{} has no --{}'.format(tool, name)
        action = options[name]
        assert action.choices == param.choices, name
        assert action.help.startswith(param.description), name
        assert action.default == param.default, name


def test_old_option_names_still_work():
    args = classify.build_parser().parse_args([
        'x.png', '--model', 'm.onnx', '--labels', 'l.txt', '--threads', '2',
        '--threshold', '0.5', '--top-k', '3', '--no-softmax', '--resize-mode', 'stretch',
        '--nv12-range', 'video', '--bpu-runtime', 'hbm_runtime', '--camera-range', 'full'])
    assert (args.model_path, args.labels_path, args.num_threads, args.score_threshold,
            args.top_k, args.apply_softmax, args.resize_mode, args.nv12_range,
            args.bpu_runtime, args.camera_range) == \
        ('m.onnx', 'l.txt', 2, 0.5, 3, False, 'stretch', 'video', 'hbm_runtime', 'full')
    args = classify.build_parser().parse_args(['x.png', '--apply_softmax', 'false'])
    assert args.apply_softmax is False
