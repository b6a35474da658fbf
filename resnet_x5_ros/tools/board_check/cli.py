# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""board_check: everything only an RDK X5 can verify, written to one Markdown report.

    board_check                                   # writes board_check_report.md
    board_check --model_path /path/resnet18_224x224_nv12.bin --topic /image_raw -o report.md

Checks, in order: environment; which BPU runtimes import (pyeasy_dnn, hbm_runtime); the
model's real tensors and NV12 range; whether its outputs already sum to 1 (apply_softmax); the
sample photos classified through the node's pipeline; the same photos on each BPU runtime that
imports; which NV12 range the model prefers; the bench table against the
model zoo's ResNet18 (2.95 ms, 448.79 FPS); a short node run on the camera topic if something
publishes there. Paste the report into an issue. Exit status 1 if any check FAILed.
On a machine without a BPU the same checks run on the CPU backend (the BPU ones say SKIP).
"""

import argparse
import datetime
import os
import shlex
import sys
import time

from resnet_x5_ros.tools.board_check.checks import CheckContext, run_checks, STATUSES
from resnet_x5_ros.tools.common import add_model_arguments, run_tool, ToolError
from resnet_x5_ros.tools.markdown import code, table

PROG = 'board_check'
DEFAULT_OUTPUT = 'board_check_report.md'


def build_parser():
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split('\n')[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split('\n', 1)[1])
    parser.add_argument('-o', '--output', default=DEFAULT_OUTPUT,
                        help='report file (default {})'.format(DEFAULT_OUTPUT))
    parser.add_argument('--topic', default='/image_raw',
                        help='camera topic for the node run (default /image_raw)')
    parser.add_argument('--node-seconds', type=float, default=10.0,
                        help='measured seconds of the node run (default 10)')
    parser.add_argument('--discovery-seconds', type=float, default=3.0,
                        help='how long to look for a camera publisher (default 3)')
    parser.add_argument('--bench-seconds', type=float, default=3.0,
                        help='seconds per bench measurement (default 3)')
    parser.add_argument('--workers', type=int, default=0,
                        help='threads for the multi-thread bench figures (default: cores, <= 4)')
    parser.add_argument('--skip', action='append', default=[], choices=('bench', 'node'),
                        help='leave out a slow part (repeatable)')
    add_model_arguments(parser)
    return parser


def context_from(args):
    return CheckContext(backend_kind=args.backend, bpu_runtime=args.bpu_runtime,
                        model=args.model_path, labels=args.labels_path,
                        nv12_range=args.nv12_range, threads=args.num_threads,
                        bench_seconds=args.bench_seconds, workers=args.workers,
                        topic=args.topic, discovery_seconds=args.discovery_seconds,
                        node_seconds=args.node_seconds)


def render(sections, command, started, seconds):
    """Return the whole report as Markdown text."""
    lines = ['# resnet_x5_ros board_check report', '',
             '- generated {} UTC in {:.0f} s'.format(started.strftime('%Y-%m-%d %H:%M:%S'),
                                                     seconds),
             '- command: ' + code(command), '']
    lines += table(['#', 'check', 'status', 'summary'],
                   [(i, s.title, s.status, s.summary) for i, s in enumerate(sections, 1)])
    for i, section in enumerate(sections, 1):
        lines += ['', '## {}. {} — {}'.format(i, section.title, section.status), '',
                  section.summary, '']
        lines += section.body
    return '\n'.join(lines) + '\n'


def check_names(skip):
    from resnet_x5_ros.tools.board_check import checks
    names = [c for c in checks.CHECKS
             if not (c is checks.check_bench and 'bench' in skip)
             and not (c is checks.check_node and 'node' in skip)]
    return names


def _main(argv):
    args = build_parser().parse_args(argv)
    if min(args.node_seconds, args.bench_seconds, args.discovery_seconds) <= 0:
        raise ToolError('the --*-seconds options must be > 0')
    folder = os.path.dirname(os.path.abspath(args.output))
    if not os.path.isdir(folder):
        raise ToolError('cannot write the report: {} is not a folder'.format(folder))
    started = datetime.datetime.now(datetime.timezone.utc)
    t0 = time.monotonic()
    ctx = context_from(args)

    def show(section):
        print('[{}] {}: {}'.format(section.status, section.title, section.summary),
              file=sys.stderr, flush=True)

    try:
        sections = run_checks(ctx, check_names(args.skip), on_section=show)
    finally:
        ctx.close()
    command = ' '.join(shlex.quote(a) for a in [PROG] + list(argv))
    text = render(sections, command, started, time.monotonic() - t0)
    with open(args.output, 'w', encoding='utf-8') as f:
        f.write(text)
    counts = {s: sum(1 for x in sections if x.status == s) for s in STATUSES}
    print('report written to {} ({})'.format(args.output, ', '.join(
        '{} {}'.format(n, s) for s, n in counts.items() if n)))
    return 1 if counts['FAIL'] else 0


def main(argv=None):
    return run_tool(PROG, _main, argv)


if __name__ == '__main__':
    sys.exit(main())
