#!/usr/bin/env bash
# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
# Prints the path of a working Python 3.10 interpreter (the board's Python), or says why not
# and exits 2: $PYTHON310 when set, else pyenv's 3.10.13, else python3.10 on PATH.
set -euo pipefail
for candidate in "${PYTHON310:-}" /root/.pyenv/versions/3.10.13/bin/python \
    "$(command -v python3.10 || true)"; do
  if [ -n "$candidate" ] && [ -x "$candidate" ] && \
      "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
    echo "$candidate"
    exit 0
  fi
done
echo "no Python 3.10 found; set PYTHON310=/path/to/python3.10" >&2
exit 2
