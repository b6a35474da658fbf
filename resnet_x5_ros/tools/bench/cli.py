# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""bench SUITE [options] [--json]: every benchmark behind one command.

    bench                         the pipeline suite: the model zoo's table (the default)
    bench backend --json          backend.infer alone
    bench preprocess --json       frame -> NV12
    bench node --json             the node through ROS
    bench soak --json             20,000 frames: RSS, threads
    bench bag --json              frames per second through classify --bag
    bench shared_mem --json       io_method ros vs shared_mem (TROS HbmMsg1080P)

Each suite is a module with `add_arguments(parser)` and `run(args) -> dict`; the dict is
printed as tables (or by the suite's own `report(result, args)`), and with --json as one JSON
object on the last line. A suite may refuse its arguments before measuring (`check(args)`).
A suite whose module needs something this machine lacks is listed as not available, and only
running it fails (with one line saying what is missing).
"""

import argparse
import importlib
import json
import sys

from resnet_x5_ros.messages import one_line
from resnet_x5_ros.tools.bench.report import machine_summary, print_table
from resnet_x5_ros.tools.common import run_tool, ToolError

PROG = 'bench'
DEFAULT_SUITE = 'pipeline'
# Suite name -> module. Imported when the parser is built: a suite whose own module is not
# installed here is not offered; one whose module fails to import is offered as unavailable.
SUITES = {
    'pipeline': 'resnet_x5_ros.tools.bench.zoo_table',
    'preprocess': 'resnet_x5_ros.tools.bench.preprocess',
    'backend': 'resnet_x5_ros.tools.bench.backend',
    'node': 'resnet_x5_ros.tools.bench.through_ros',
    'soak': 'resnet_x5_ros.tools.bench.soak',
    'bag': 'resnet_x5_ros.tools.bench.bag_replay',
    'shared_mem': 'resnet_x5_ros.tools.bench.hbm_transport',
}


def _is_missing(exc, module_name):
    return bool(exc.name) and (module_name == exc.name or module_name.startswith(exc.name + '.'))


def load_suites(extra_suites=None):
    """Return ({suite name: module} that import here, {suite name: why the others do not}).

    extra_suites: more {suite name: module name}, e.g. a repository checkout's dev suites.
    """
    modules, unavailable = {}, {}
    for name, module_name in {**SUITES, **(extra_suites or {})}.items():
        try:
            modules[name] = importlib.import_module(module_name)
        except ImportError as exc:
            if not _is_missing(exc, module_name):
                unavailable[name] = one_line(exc) or type(exc).__name__
    return modules, unavailable


def build_parser(modules, unavailable=None):
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split('\n')[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split('\n', 1)[1])
    sub = parser.add_subparsers(dest='suite', required=True, metavar='SUITE')
    for name, module in modules.items():
        doc = (module.__doc__ or '').strip()
        suite_parser = sub.add_parser(name, help=doc.splitlines()[0] if doc else name,
                                      description=doc,
                                      formatter_class=argparse.RawDescriptionHelpFormatter)
        suite_parser.add_argument('--json', action='store_true',
                                  help='also print one JSON object as the last line')
        module.add_arguments(suite_parser)
    for name, why in (unavailable or {}).items():
        sub.add_parser(name, help='not available here: ' + why)
    return parser


def _main(argv, extra_suites=None):
    modules, unavailable = load_suites(extra_suites)
    if argv and argv[0] in unavailable:
        raise ToolError('suite {} is not available here: {}'.format(
            argv[0], unavailable[argv[0]]))
    if not argv or (argv[0] not in modules and argv[0] not in ('-h', '--help')):
        argv = [DEFAULT_SUITE] + argv
    args = build_parser(modules, unavailable).parse_args(argv)
    module = modules[args.suite]
    if hasattr(module, 'check'):
        module.check(args)  # refuse before measuring for minutes
    report = getattr(module, 'report', None)
    if report is None:
        print(machine_summary())
    result = module.run(args)
    if report is None:
        print_table(result)
    else:
        report(result, args)
    if args.json:
        print(json.dumps(result))
    return 0


def main(argv=None, extra_suites=None):
    """Run `bench`; extra_suites: more {suite name: module name} (the dev entry's)."""
    return run_tool(PROG, lambda args: _main(args, extra_suites), argv)


if __name__ == '__main__':
    sys.exit(main())
