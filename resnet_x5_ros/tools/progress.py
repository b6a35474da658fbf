# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""A plain-text progress bar on stderr (no dependencies), for long tool runs.

On a terminal the bar is redrawn in place at most 10 times a second; when stderr is a file or
pipe (CI logs) a line is written at every 10 % instead, so logs stay short.
"""

import sys
import time

WIDTH = 30


class Progress(object):
    def __init__(self, total, stream=None, enabled=True):
        self.total = max(int(total), 1)
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = bool(getattr(self.stream, 'isatty', lambda: False)())
        self._started = time.monotonic()
        self._last_draw = 0.0
        self._last_decile = -1

    def update(self, done, text=''):
        """Show done/total with an extra text (e.g. running accuracy)."""
        if not self.enabled:
            return
        now = time.monotonic()
        if self.tty:
            if done < self.total and now - self._last_draw < 0.1:
                return
            self._last_draw = now
            self.stream.write('\r' + self.line(done, now, text))
            if done >= self.total:
                self.stream.write('\n')
        else:
            decile = done * 10 // self.total
            if decile == self._last_decile:
                return
            self._last_decile = decile
            self.stream.write(self.line(done, now, text) + '\n')
        self.stream.flush()

    def line(self, done, now, text=''):
        fill = WIDTH * done // self.total
        elapsed = now - self._started
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - done) / rate if rate > 0 else 0.0
        return '[{}{}] {}/{} {:5.1f} img/s eta {:4.0f} s {}'.format(
            '#' * fill, '.' * (WIDTH - fill), done, self.total, rate, eta, text).rstrip()
