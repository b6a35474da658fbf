# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Entry point: python -m resnet_x5_ros.bench SUITE [options]."""

import argparse
import importlib
import json
import sys

from resnet_x5_ros.bench.report import machine_summary, print_table

# Suite name -> module under resnet_x5_ros.bench. Imported lazily so one suite's optional
# dependencies (onnxruntime, rclpy) are not needed by another.
SUITES = {
    'preprocess': 'preprocess',
    'backend': 'backend',
    'node': 'node',
    'simulate': 'simulate',
    'soak': 'soak',
    'shared_mem': 'shared_mem',
}


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m resnet_x5_ros.bench',
                                     description=__doc__)
    sub = parser.add_subparsers(dest='suite', required=True)
    modules = {}
    for name, module_name in SUITES.items():
        try:
            module = importlib.import_module('resnet_x5_ros.bench.' + module_name)
        except ImportError as exc:
            if exc.name and exc.name.startswith('resnet_x5_ros.bench.' + module_name):
                continue  # suite not written yet
            raise
        modules[name] = module
        suite_parser = sub.add_parser(name, help=(module.__doc__ or '').strip().splitlines()[0])
        suite_parser.add_argument('--json', action='store_true',
                                  help='also print one JSON object as the last line')
        module.add_arguments(suite_parser)
    args = parser.parse_args(argv)
    print(machine_summary())
    result = modules[args.suite].run(args)
    print_table(result)
    if args.json:
        print(json.dumps(result, sort_keys=False))
    return 0


if __name__ == '__main__':
    sys.exit(main())
