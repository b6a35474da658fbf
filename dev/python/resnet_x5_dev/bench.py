# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""`bench` in a repository checkout: the installed command plus what only the checkout has.

    scripts/devenv bench SUITE ...            (dev/bin/bench runs python -m resnet_x5_dev.bench)

- the suite `simulate`: the compiled X5 .bin on the vendor's simulator (x5_simulator);
- `bench node --runs board` where no BPU runtime imports (any machine but an RDK X5): the
  node runs on the pyeasy_dnn STAND-IN (dev/standins) in board timing mode, each inference
  holding the GIL for --board-ms (default 2.95, ResNet18 on the X5) with the CPU idle, on a
  stand-in model file. The run says so; it is not a BPU figure.
"""

import argparse
import os
import sys
import tempfile

from resnet_x5_ros.backends import bpu_runtime_available
from resnet_x5_ros.tools.bench import cli

STANDINS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), 'standins')
EXTRA_SUITES = {'simulate': 'x5_simulator.bench_suite'}
BOARD_MS = 2.95


def _board_run(argv):
    """Whether argv asks the node suite for its board run."""
    if not argv or argv[0] != 'node':
        return False
    runs = argparse.ArgumentParser(add_help=False)
    runs.add_argument('--runs', default='')
    return 'board' in runs.parse_known_args(argv[1:])[0].runs.split(',')


def with_standin(argv, board_ms, folder):
    """Put the pyeasy_dnn STAND-IN where the node finds it; return argv naming its model."""
    # On this process's path too: the suite checks that a pyeasy_dnn imports.
    sys.path.insert(0, STANDINS)
    import standin_support
    model = standin_support.write_fixture_bin(os.path.join(folder, 'standin_resnet18.bin'))
    # The node inherits this process's environment (tools.node_process).
    os.environ['PYTHONPATH'] = os.pathsep.join(
        p for p in (STANDINS, os.environ.get('PYTHONPATH', '')) if p)
    os.environ['PYEASY_DNN_STANDIN_BOARD_MS'] = repr(board_ms)
    print('board run: the pyeasy_dnn STAND-IN ({}) holding the GIL {} ms per inference, not '
          'a BPU'.format(STANDINS, board_ms), flush=True)
    return argv + ['--board-model', model]


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument('--board-ms', type=float, default=BOARD_MS)
    known, argv = options.parse_known_args(argv)
    with tempfile.TemporaryDirectory(prefix='bench-standin-') as folder:
        if _board_run(argv) and not bpu_runtime_available('pyeasy_dnn'):
            argv = with_standin(argv, known.board_ms, folder)
        return cli.main(argv, extra_suites=EXTRA_SUITES)


if __name__ == '__main__':
    sys.exit(main())
