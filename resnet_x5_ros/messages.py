# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Error text for users: one line, whatever the exception's own message looks like. No ROS."""

import re

# Longest error text kept on one line; runtime messages can be pages long.
MAX_MESSAGE = 400


def one_line(text, limit=MAX_MESSAGE):
    """Collapse whitespace (newlines too) of text or an exception into one line of <= limit."""
    text = re.sub(r'\s+', ' ', str(text)).strip()
    if len(text) > limit:
        text = text[:limit - 3].rstrip() + '...'
    return text
