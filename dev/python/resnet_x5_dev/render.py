# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Write what is made from the parameter table (params.PARAMS) back into the repository.

    scripts/devenv python -m resnet_x5_dev.render          # config/classifier.yaml, README
    scripts/devenv python -m resnet_x5_dev.render --check  # exit 1 if either differs

config/classifier.yaml is params.board_yaml(); the README's parameter table (between its
PARAMETERS markers) is params.markdown_table(). The tests compare both with the table.
"""

import argparse
import os
import sys

from resnet_x5_ros import params

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
BOARD_YAML = os.path.join(REPO, 'config', 'classifier.yaml')
README = os.path.join(REPO, 'README.md')
TABLE_START = '<!-- PARAMETERS: made from resnet_x5_ros/params.py -->\n'
TABLE_END = '<!-- /PARAMETERS -->\n'


def readme_with_table(readme):
    """Return the README text with its parameter table replaced by markdown_table()."""
    head, rest = readme.split(TABLE_START, 1)
    _, tail = rest.split(TABLE_END, 1)
    return head + TABLE_START + params.markdown_table() + TABLE_END + tail


def expected_files():
    """Return {path: the text it must hold}."""
    with open(README, encoding='utf-8') as f:
        readme = f.read()
    return {BOARD_YAML: params.board_yaml(), README: readme_with_table(readme)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--check', action='store_true', help='only compare; exit 1 if stale')
    args = parser.parse_args(argv)
    stale = []
    for path, text in expected_files().items():
        with open(path, encoding='utf-8') as f:
            if f.read() == text:
                continue
        stale.append(os.path.relpath(path, REPO))
        if not args.check:
            with open(path, 'w', encoding='utf-8') as f:
                f.write(text)
    verb = 'differ from params.py' if args.check else 'rewritten'
    print('{}: {}'.format(verb, ', '.join(stale)) if stale else 'up to date')
    return 1 if stale and args.check else 0


if __name__ == '__main__':
    sys.exit(main())
