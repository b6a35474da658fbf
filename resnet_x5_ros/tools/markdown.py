# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Tiny Markdown helpers for the board_check report (GitHub-flavoured tables)."""


def cell(value):
    """One table cell: floats with 3 decimals, pipes escaped, newlines flattened."""
    if isinstance(value, float):
        text = '{:.3f}'.format(value)
    else:
        text = str(value)
    return ' '.join(text.replace('|', '\\|').split())


def table(headers, rows):
    """Markdown table lines from a header list and rows of values."""
    lines = ['| ' + ' | '.join(cell(h) for h in headers) + ' |',
             '|' + '|'.join('---' for _ in headers) + '|']
    lines += ['| ' + ' | '.join(cell(v) for v in row) + ' |' for row in rows]
    return lines


def dict_table(rows, first='row'):
    """Markdown table of {row name: {column: value}} (the bench result shape)."""
    columns = []
    for row in rows.values():
        columns += [c for c in row if c not in columns]
    return table([first] + columns,
                 [[name] + [row.get(c, '') for c in columns] for name, row in rows.items()])


def code(text):
    """Inline code span (backticks inside are replaced)."""
    return '`{}`'.format(str(text).replace('`', "'"))
